from django import forms
from django.utils.translation import gettext_lazy as _

from organisation.models import Department, Post
from strategy.models import Measure, Perspective

from . import scoring
from .models import Indicator, IndicatorStatus, IndicatorType, ScoringMethod

# Parameter fields per method: form field name -> key in the stored parameters.
PARAM_FIELDS = {
    ScoringMethod.PERCENTAGE: {"pct_cap": "cap", "pct_floor": "floor", "pct_zero_below": "zero_below"},
    ScoringMethod.INTERVAL: {"int_basis": "basis", "int_bands": "bands"},
    ScoringMethod.ZERO_ONE: {"zo_full": "full"},
    ScoringMethod.DEDUCTION: {"ded_points": "points_per_occurrence", "ded_full": "full", "ded_floor": "floor"},
    ScoringMethod.DESCRIPTION: {"desc_levels": "levels"},
}


def _number_field(label, required=False, help_text=""):
    return forms.DecimalField(label=label, required=required, max_digits=12, decimal_places=4, help_text=help_text)


class MeasureChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, measure):
        return f"{measure.objective.plan.year} · {measure.objective.code} · {measure.code} {measure.display_name}"


class ScoringParamsForm(forms.Form):
    """The parameter fields of every scoring method, shown one group at a time
    (static/js/method_params.js). A subclass names its method field and where the stored
    parameters live on its instance."""

    method_field = "scoring_method"
    params_attribute = "scoring_params"

    pct_cap = _number_field(_("cap"), help_text=_("Highest score, e.g. 120."))
    pct_floor = _number_field(_("floor"), help_text=_("Lowest score, usually 0."))
    pct_zero_below = _number_field(_("zero below (achievement %)"), help_text=_("Optional: score 0 when achievement is below this."))
    int_basis = forms.ChoiceField(label=_("bands laid on"), required=False, choices=[("achievement", _("achievement %")), ("actual", _("actual value"))])
    int_bands = forms.CharField(
        label=_("bands"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One band per line: from | to | score. Leave from or to empty for an open end; each band ends where the next begins."),
    )
    zo_full = _number_field(_("score when met"))
    ded_points = _number_field(_("points per occurrence"))
    ded_full = _number_field(_("full score"))
    ded_floor = _number_field(_("lowest score"))
    desc_levels = forms.CharField(
        label=_("levels"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One level per line: value | English label | Chinese label | score."),
    )

    def _initial_params(self) -> dict:
        initial = {}
        instance = getattr(self, "instance", None)
        current_method = getattr(instance, self.method_field, None) if instance is not None and instance.pk else None
        for method, fields in PARAM_FIELDS.items():
            stored = getattr(instance, self.params_attribute) if current_method == method else None
            try:
                data = scoring.params_from_dict(method, stored).to_dict()
            except scoring.ScoringError:
                data = scoring.default_params(method).to_dict()
            for field, key in fields.items():
                value = data.get(key)
                if key == "bands":
                    value = "\n".join(f"{b['lower'] or ''} | {b['upper'] or ''} | {b['score']}" for b in value)
                elif key == "levels":
                    value = "\n".join(f"{lv['value']} | {lv['label_en']} | {lv['label_zh']} | {lv['score']}" for lv in value)
                initial[field] = value
        return initial

    def method_params(self) -> dict:
        """The stored form of the chosen method's parameters (validated by the service)."""
        method = self.cleaned_data.get(self.method_field)
        params = {}
        for field, key in PARAM_FIELDS.get(method, {}).items():
            value = self.cleaned_data.get(field)
            if key == "bands":
                params[key] = self._rows(field, value, ("lower", "upper", "score"))
            elif key == "levels":
                params[key] = self._rows(field, value, ("value", "label_en", "label_zh", "score"))
            elif value not in (None, ""):
                params[key] = str(value)
        return params

    def _rows(self, field, text, keys):
        rows = []
        for number, line in enumerate((text or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != len(keys):
                self.add_error(field, _("Line %(n)s needs %(k)s parts separated by |.") % {"n": number, "k": len(keys)})
                continue
            row = dict(zip(keys, parts))
            for key in ("lower", "upper"):
                if key in row and row[key] == "":
                    row[key] = None
            rows.append(row)
        return rows

    def param_field_for(self, key: str) -> str | None:
        method = self.cleaned_data.get(self.method_field)
        return next((f for f, k in PARAM_FIELDS.get(method, {}).items() if k == key), None)


class IndicatorForm(ScoringParamsForm, forms.ModelForm):
    measures = MeasureChoiceField(
        label=_("strategic measures"), required=False, queryset=Measure.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The measures this indicator expresses (hold Ctrl to choose several)."),
    )

    class Meta:
        model = Indicator
        fields = [
            "code", "name_zh", "name_en", "type", "perspective", "category", "definition_zh", "definition_en",
            "purpose", "owner_department", "owner_post", "data_source_zh", "data_source_en", "cycle", "unit",
            "direction", "formula_inputs", "formula", "scoring_method", "status", "measures",
        ]
        widgets = {
            "definition_zh": forms.Textarea(attrs={"rows": 2}),
            "definition_en": forms.Textarea(attrs={"rows": 2}),
            "purpose": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_department"].queryset = Department.objects.filter(is_active=True)
        self.fields["owner_post"].queryset = Post.objects.filter(is_active=True).select_related("department")
        self.fields["measures"].queryset = Measure.objects.select_related("objective__plan").order_by(
            "-objective__plan__year", "objective__perspective__sort_order", "objective__code", "code"
        )
        if not self.is_bound:
            self.initial.update(self._initial_params())

    def clean(self):
        data = super().clean()
        if data.get("owner_department") and data.get("owner_post"):
            self.add_error("owner_post", _("Choose a department or a post as owner, not both."))
        if data.get("scoring_method"):
            data["scoring_params"] = self.method_params()
        return data


class IndicatorFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    perspective = forms.ModelChoiceField(label=_("Perspective"), queryset=Perspective.objects.all(), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All"))] + IndicatorType.choices)
    owner = forms.ModelChoiceField(label=_("Owner department"), queryset=Department.objects.filter(is_active=True), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + IndicatorStatus.choices)


class EvaluateForm(forms.Form):
    """The formula tester: inputs by name, or the actual; the target; ratings for levels."""

    actual = forms.DecimalField(label=_("actual"), required=False, max_digits=20, decimal_places=6)
    target = forms.DecimalField(label=_("target"), required=False, max_digits=20, decimal_places=6)
    target_low = forms.DecimalField(label=_("target from"), required=False, max_digits=20, decimal_places=6)
    target_high = forms.DecimalField(label=_("target to"), required=False, max_digits=20, decimal_places=6)
    ratings = forms.CharField(label=_("ratings"), required=False, help_text=_("Levels chosen by raters, e.g. 7, 5, 6"))

    def __init__(self, *args, names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.input_names = list(names)
        for name in self.input_names:
            self.fields[f"input_{name}"] = forms.DecimalField(label=name, required=False, max_digits=20, decimal_places=6)

    def clean_ratings(self):
        text = self.cleaned_data["ratings"].replace("，", ",")
        try:
            return [int(part) for part in text.split(",") if part.strip()] or None
        except ValueError:
            raise forms.ValidationError(_("Give the levels as whole numbers separated by commas.")) from None

    def inputs(self) -> dict:
        values = {name: self.cleaned_data.get(f"input_{name}") for name in self.input_names}
        return {name: value for name, value in values.items() if value is not None}
