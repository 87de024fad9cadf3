"""The indicator library and expert weighting rounds."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from organisation.models import BilingualName, Department, Post, User
from strategy.models import Measure, Perspective


class IndicatorType(models.TextChoices):
    KPI = "KPI", _("KPI: key performance indicator")
    PRI = "PRI", _("PRI: post responsibility indicator")
    PCI = "PCI", _("PCI: post competency indicator")
    WAI = "WAI", _("WAI: work attitude indicator")
    NNI = "NNI", _("NNI: veto indicator")


class Cycle(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUAL = "annual", _("Annual")


class Direction(models.TextChoices):
    # Values mirror indicators.scoring.Direction (a test keeps them equal).
    HIGHER_BETTER = "higher_better", _("Higher is better")
    LOWER_BETTER = "lower_better", _("Lower is better")
    TARGET_RANGE = "target_range", _("Within a target range")
    QUALITATIVE = "qualitative", _("Qualitative (rated)")


class ScoringMethod(models.TextChoices):
    # Values mirror indicators.scoring.Method.
    PERCENTAGE = "percentage", _("Percentage")
    INTERVAL = "interval", _("Interval bands")
    ZERO_ONE = "zero_one", _("0-1 (met / not met)")
    DEDUCTION = "deduction", _("Deduction per occurrence")
    DESCRIPTION = "description", _("Described levels (rating)")


class IndicatorStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("indicator status", "Active")
    RETIRED = "retired", pgettext_lazy("indicator status", "Retired")


class Indicator(BilingualName):
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    code = models.CharField(_("code"), max_length=20, unique=True)
    type = models.CharField(_("type"), max_length=3, choices=IndicatorType.choices, default=IndicatorType.KPI)
    perspective = models.ForeignKey(Perspective, verbose_name=_("perspective"), on_delete=models.PROTECT, related_name="indicators")
    category = models.CharField(_("category"), max_length=60, blank=True)
    definition_zh = models.TextField(_("definition (Chinese)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    owner_department = models.ForeignKey(
        Department, verbose_name=_("owner department"), null=True, blank=True, on_delete=models.PROTECT, related_name="indicators"
    )
    owner_post = models.ForeignKey(Post, verbose_name=_("owner post"), null=True, blank=True, on_delete=models.PROTECT, related_name="indicators")
    data_source_zh = models.CharField(_("data source (Chinese)"), max_length=300, blank=True)
    data_source_en = models.CharField(_("data source (English)"), max_length=300, blank=True)
    cycle = models.CharField(_("cycle"), max_length=10, choices=Cycle.choices, default=Cycle.MONTHLY)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    direction = models.CharField(_("direction"), max_length=15, choices=Direction.choices, default=Direction.HIGHER_BETTER)
    formula = models.CharField(
        _("calculation formula"), max_length=500, blank=True,
        help_text=_("Computes the actual from named inputs, e.g. planned_cost / actual_cost * 100."),
    )
    formula_inputs = models.CharField(
        _("formula inputs"), max_length=300, blank=True,
        help_text=_("The named inputs the formula may use, separated by commas, e.g. planned_cost, actual_cost."),
    )
    scoring_method = models.CharField(_("scoring method"), max_length=15, choices=ScoringMethod.choices, default=ScoringMethod.PERCENTAGE)
    scoring_params = models.JSONField(_("scoring parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=IndicatorStatus.choices, default=IndicatorStatus.ACTIVE)
    measures = models.ManyToManyField(Measure, verbose_name=_("strategic measures"), blank=True, related_name="indicators")
    history = HistoricalRecords(m2m_fields=[measures])

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_department__isnull=True) | models.Q(owner_post__isnull=True),
                name="indicator_one_owner",
                violation_error_message=_("Choose a department or a post as owner, not both."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    @property
    def definition(self) -> str:
        if translation.get_language() == "zh-hans":
            return self.definition_zh or self.definition_en
        return self.definition_en or self.definition_zh

    @property
    def data_source(self) -> str:
        if translation.get_language() == "zh-hans":
            return self.data_source_zh or self.data_source_en
        return self.data_source_en or self.data_source_zh


class WeightingMethod(models.TextChoices):
    POINTS = "points", _("Allocate 100 points")
    AHP = "ahp", _("Pairwise comparison (AHP)")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class WeightingRound(models.Model):
    """Experts weigh a set of items (perspectives of a scorecard, or its lines); the
    result is their mean. Scorecards apply a closed round's result."""

    name = models.CharField(_("name"), max_length=120)
    method = models.CharField(_("method"), max_length=10, choices=WeightingMethod.choices, default=WeightingMethod.POINTS)
    items = models.JSONField(_("items"), help_text=_("What is weighed: a list of {key, label}."))
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True, help_text=_("Weights by item key, in percent."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("weighting round")
        verbose_name_plural = _("weighting rounds")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class PanelGroup(models.TextChoices):
    # Seed 001 wants a mixed panel, outsiders included.
    SENIOR_MANAGER = "senior_manager", _("Senior manager")
    MIDDLE_MANAGER = "middle_manager", _("Middle manager")
    TECHNICAL = "technical", _("Technical staff")
    FRONT_LINE = "front_line", _("Front-line staff")
    EXTERNAL = "external", _("External expert")


class ExpertInvitation(models.Model):
    round = models.ForeignKey(WeightingRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="invitations")
    expert = models.ForeignKey(User, verbose_name=_("expert"), on_delete=models.PROTECT, related_name="weighting_invitations")
    panel_group = models.CharField(_("panel group"), max_length=20, choices=PanelGroup.choices)
    answer = models.JSONField(_("answer"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expert invitation")
        verbose_name_plural = _("expert invitations")
        constraints = [models.UniqueConstraint(fields=["round", "expert"], name="one_invitation_per_expert")]

    def __str__(self):
        return f"{self.round} – {self.expert}"
