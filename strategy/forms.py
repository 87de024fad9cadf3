from django import forms
from django.utils.translation import gettext_lazy as _

from organisation.models import Department

from .models import Measure, Objective, StrategyPlan


class PlanForm(forms.ModelForm):
    class Meta:
        model = StrategyPlan
        fields = ["year", "vision", "mission", "values"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("vision", "mission", "values")}


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["perspective", "code", "name_zh", "name_en", "description", "owner_department", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, plan: StrategyPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["owner_department"].queryset = Department.objects.filter(is_active=True)


class LinkForm(forms.Form):
    target = forms.ModelChoiceField(label=_("drives (outcome)"), queryset=Objective.objects.none())

    def __init__(self, *args, source: Objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            Objective.objects.filter(plan=source.plan).exclude(pk=source.pk).select_related("perspective")
        )


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["code", "name_zh", "name_en", "description", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, objective: Objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.objective = objective
