from django import forms
from django.utils.translation import gettext_lazy as _


class WaiverForm(forms.Form):
    department = forms.CharField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason to approve anyway"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
