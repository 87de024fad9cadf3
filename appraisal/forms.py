from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _


class OpenPeriodForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("month"), choices=list(MONTHS.items()), coerce=int)


class InspectionPickForm(forms.Form):
    department = forms.ModelChoiceField(label=_("department"), queryset=None)
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        from organisation.models import Department

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
