from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _


class OpenPeriodForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("month"), choices=list(MONTHS.items()), coerce=int)
