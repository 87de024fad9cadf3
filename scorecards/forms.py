from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from indicators.forms import ScoringParamsForm
from indicators.models import ScoringMethod
from organisation.models import Department, Post, Team
from strategy.models import Perspective

from . import card_rules
from .models import (
    DataOwner,
    Feed,
    Level,
    PhasingMethod,
    RatingMode,
    ScorecardLine,
    SeasonalProfile,
    VetoMode,
    WeightConvention,
)

MONTH_CHOICES = [(number, name) for number, name in MONTHS.items()]


def _weight_field(label, required=False):
    return forms.DecimalField(label=label, required=required, min_value=0, max_value=100, max_digits=5, decimal_places=2)


def _year_field(label=_("year")):
    return forms.IntegerField(label=label, min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year)

RATED_TYPES = {"PCI", "WAI"}
RELATIONS = ("superior", "peer", "subordinate", "self")


class CreateScorecardForm(forms.Form):
    START_EMPTY = "empty"
    START_MATRIX = "matrix"
    START_DEPARTMENT_CARD = "department_card"

    year = _year_field()
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)
    department = forms.ModelChoiceField(label=_("department"), required=False, queryset=Department.objects.filter(is_active=True))
    team = forms.ModelChoiceField(label=_("team / group"), required=False, queryset=Team.objects.filter(is_active=True).select_related("department"))
    post = forms.ModelChoiceField(label=_("post"), required=False, queryset=Post.objects.filter(is_active=True).select_related("department"))
    start = forms.ChoiceField(
        label=_("start from"),
        choices=[
            (START_EMPTY, _("An empty card")),
            (START_MATRIX, _("The task division matrix (department cards)")),
            (START_DEPARTMENT_CARD, _("The department's card (post cards)")),
        ],
        initial=START_EMPTY,
        widget=forms.RadioSelect,
    )

    def clean(self):
        data = super().clean()
        level, start = data.get("level"), data.get("start")
        if start == self.START_MATRIX and level != Level.DEPARTMENT:
            self.add_error("start", _("Only a department card is generated from the task division matrix."))
        if start == self.START_DEPARTMENT_CARD and level != Level.POST:
            self.add_error("start", _("Only a post card starts from its department's card."))
        return data


class VersionSettingsForm(forms.Form):
    """The card-wide settings on the editor: weights of the perspectives and policies."""

    effective_from = forms.TypedChoiceField(label=_("effective from month"), choices=MONTH_CHOICES, coerce=int)
    convention = forms.ChoiceField(label=_("weight convention"), choices=WeightConvention.choices)
    veto_mode = forms.ChoiceField(label=_("veto policy"), choices=VetoMode.choices)
    veto_ceiling = _weight_field(_("veto ceiling"))
    veto_deduction = _weight_field(_("veto deduction"))
    front_line = forms.BooleanField(label=_("sales front-line rule"), required=False)
    inspection_deduction = forms.BooleanField(label=_("daily-inspection deduction"), required=False)
    note = forms.CharField(label=_("reason for this version"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CardEditorForm(VersionSettingsForm):
    """Settings plus a weight per perspective and the quick fields of every line, named
    ``pw-<code>`` and ``line-<id>-<field>`` (the keys services.save_card reports errors by)."""

    LINE_FIELDS = ("weight", "target", "data_owner", "rating_mode")

    def __init__(self, *args, version, lines, perspectives, **kwargs):
        super().__init__(*args, **kwargs)
        self.version, self.lines, self.perspectives = version, lines, perspectives
        for perspective in perspectives:
            self.fields[f"pw-{perspective.code}"] = _weight_field(perspective.display_name, required=True)
            self.initial[f"pw-{perspective.code}"] = version.weight_of(perspective.code)
        for line in lines:
            prefix = f"line-{line.pk}-"
            self.fields[prefix + "weight"] = _weight_field(_("weight"), required=True)
            if line.indicator.type == "NNI":  # a veto line carries no weight
                self.fields[prefix + "weight"].widget = forms.HiddenInput()
            self.fields[prefix + "target"] = forms.DecimalField(label=_("annual target"), required=False, max_digits=15, decimal_places=2)
            self.fields[prefix + "data_owner"] = forms.ChoiceField(label=_("data supplied by"), choices=DataOwner.choices)
            if line.indicator.type == "PCI":
                self.fields[prefix + "rating_mode"] = forms.ChoiceField(
                    label=_("rating mode"), required=False, choices=[("", "—")] + RatingMode.choices
                )
            for name in self.LINE_FIELDS:
                if prefix + name in self.fields:
                    self.initial[prefix + name] = getattr(line, name)
        for name in ("effective_from", "convention", "veto_mode", "veto_ceiling", "veto_deduction", "front_line", "inspection_deduction", "note"):
            self.initial[name] = getattr(version, name)
        if version.number == 1:
            self.fields["note"].label = _("note")

    def settings(self) -> dict:
        data = self.cleaned_data
        settings = {name: data[name] for name in VersionSettingsForm.base_fields}
        settings["perspective_weights"] = {p.code: str(data[f"pw-{p.code}"]) for p in self.perspectives}
        return settings

    def line_values(self) -> dict[int, dict]:
        values = {}
        for line in self.lines:
            prefix = f"line-{line.pk}-"
            values[line.pk] = {name: self.cleaned_data[prefix + name] for name in self.LINE_FIELDS if prefix + name in self.fields}
        return values

    def perspective_field(self, perspective):
        return self[f"pw-{perspective.code}"]

    def line_field(self, line, name):
        key = f"line-{line.pk}-{name}"
        return self[key] if key in self.fields else None


class LineForm(ScoringParamsForm, forms.ModelForm):
    """One line in full: method and parameters, who supplies the data, phasing."""

    method_field = "method"
    params_attribute = "params"
    months = forms.CharField(
        label=_("monthly targets"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Manual phasing: twelve numbers, January to December, separated by spaces."),
    )
    rater_superior = forms.DecimalField(label=_("weight of the superior (%)"), required=False, min_value=0, max_value=100, decimal_places=2)
    rater_peer = forms.DecimalField(label=_("weight of peers (%)"), required=False, min_value=0, max_value=100, decimal_places=2)
    rater_subordinate = forms.DecimalField(label=_("weight of subordinates (%)"), required=False, min_value=0, max_value=100, decimal_places=2)
    rater_self = forms.DecimalField(label=_("weight of the person's own rating (%)"), required=False, min_value=0, max_value=100, decimal_places=2)

    class Meta:
        model = ScorecardLine
        fields = [
            "perspective", "weight", "target", "target_low", "target_high", "method", "data_owner", "rating_mode", "aggregation", "phasing", "profile",
            "phasing_start",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perspective"].queryset = Perspective.objects.all()
        self.fields["profile"].queryset = SeasonalProfile.objects.all()
        self.fields["method"].choices = ScoringMethod.choices
        if self.instance.indicator.type not in RATED_TYPES:
            del self.fields["rating_mode"]
            for relation in RELATIONS:
                del self.fields[f"rater_{relation}"]
        elif not self.is_bound:
            stored = card_rules.rater_weights_for(self.instance.rating_mode, self.instance.rater_weights)
            for relation in RELATIONS:
                self.initial[f"rater_{relation}"] = stored.get(relation)
        if self.instance.indicator.direction != "target_range":
            del self.fields["target_low"], self.fields["target_high"]
        if not self.is_bound:
            self.initial.update(self._initial_params())
            self.initial["months"] = " ".join(self.instance.month_targets)

    def clean_months(self):
        # Spaces, semicolons or Chinese commas separate the months; "1,200" is one number.
        text = self.cleaned_data["months"]
        for separator in ("，", "、", ";", "；"):
            text = text.replace(separator, " ")
        return text.split()

    def clean(self):
        data = super().clean()
        if data.get("method"):
            data["params"] = self.method_params()
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields if name in self.fields}
        fields["params"] = data["params"]
        if "rating_mode" in self.fields:
            relations = card_rules.RATER_RELATIONS.get(data.get("rating_mode") or "", ())
            fields["rater_weights"] = {relation: data.get(f"rater_{relation}") or 0 for relation in relations}
        if data.get("phasing") == PhasingMethod.MANUAL:
            fields["month_targets"] = data["months"]
        return fields


class LinkForm(forms.Form):
    upper = forms.ChoiceField(label=_("contributes to"))
    feed = forms.ChoiceField(label=_("feeds the upper actual by"), choices=Feed.choices)
    share = forms.DecimalField(label=_("share (%)"), required=False, min_value=Decimal("0.01"), max_value=100, max_digits=5, decimal_places=2)

    def __init__(self, *args, targets=(), **kwargs):
        """``targets``: (value "card:indicator", label) of the lines above."""
        super().__init__(*args, **kwargs)
        self.fields["upper"].choices = list(targets)

    def upper_ids(self) -> tuple[int, int]:
        card, indicator = self.cleaned_data["upper"].split(":")
        return int(card), int(indicator)


class NewVersionForm(forms.Form):
    effective_from = forms.TypedChoiceField(label=_("effective from month"), choices=MONTH_CHOICES, coerce=int)
    note = forms.CharField(label=_("reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("what should change"), widget=forms.Textarea(attrs={"rows": 2}))


class CopyYearForm(forms.Form):
    from_year = _year_field(_("copy the cards of"))
    to_year = _year_field(_("into"))


class ProfileForm(forms.ModelForm):
    share_text = forms.CharField(
        label=_("monthly shares (%)"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Twelve numbers, January to December, adding up to 100."),
    )

    class Meta:
        model = SeasonalProfile
        fields = ["code", "name_zh", "name_en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["share_text"] = " ".join(str(share) for share in self.instance.shares)

    def clean_share_text(self):
        return self.cleaned_data["share_text"].replace("，", ",").replace(",", " ").split()


class ProposalForm(forms.Form):
    text = forms.CharField(label=_("proposed change"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("decision"), choices=[("accepted", _("Accept")), ("declined", _("Decline"))])
    answer = forms.CharField(label=_("reply"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WeightingForm(forms.Form):
    round = forms.ModelChoiceField(label=_("expert round"), queryset=None)
    target = forms.ChoiceField(label=_("weigh"), choices=[("perspectives", _("the perspectives")), ("lines", _("the lines"))])
    perspective = forms.ModelChoiceField(
        label=_("only the lines of"), required=False, queryset=Perspective.objects.all(), to_field_name="code",
    )

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
