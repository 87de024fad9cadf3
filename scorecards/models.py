"""Scorecards: what the company, a department (or team) and a post are measured on in a
plan year.

A ``Scorecard`` is the owner and the year; its content lives in numbered
``ScorecardVersion`` rows (draft -> submitted -> approved). An approved version is never
edited again: a change is a new version, effective from a chosen month, so a month that
was appraised with an older version can always be scored again the same way.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from indicators.models import Indicator, ScoringMethod
from organisation.models import BilingualName, Company, Department, Post, Team, User
from strategy.models import Perspective

from .card_rules import Level as RuleLevel
from .card_rules import VetoMode as RuleVetoMode
from .card_rules import WeightConvention as RuleConvention
from .phasing import Aggregation as RuleAggregation
from .phasing import PhasingMethod as RulePhasing

MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


class Level(models.TextChoices):
    # Values mirror card_rules.Level (a test keeps them equal).
    COMPANY = RuleLevel.COMPANY.value, _("Company")
    DEPARTMENT = RuleLevel.DEPARTMENT.value, _("Department")
    TEAM = RuleLevel.TEAM.value, _("Team / group")
    POST = RuleLevel.POST.value, _("Post")


# Company first, posts last: the order cards are listed and copied in.
LEVEL_ORDER = {value: index for index, value in enumerate(Level.values)}


class WeightConvention(models.TextChoices):
    # xgettext:no-python-format
    OF_TOTAL = RuleConvention.OF_TOTAL.value, _("Line weights are % of the whole card")
    # xgettext:no-python-format
    WITHIN_PERSPECTIVE = RuleConvention.WITHIN_PERSPECTIVE.value, _("Line weights are % of their perspective")


class VetoMode(models.TextChoices):
    ZERO = RuleVetoMode.ZERO.value, _("Total set to 0")
    CAP = RuleVetoMode.CAP.value, _("Total capped at a ceiling")
    DEDUCT = RuleVetoMode.DEDUCT.value, _("Fixed deduction")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("scorecard status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("scorecard status", "Submitted")
    APPROVED = "approved", pgettext_lazy("scorecard status", "Approved")


class DataOwner(models.TextChoices):
    """Who supplies a line's actual each month."""

    HR = "hr", _("HR")
    FINANCE = "finance", _("Finance")
    DEPARTMENT = "department", _("The department")
    EMPLOYEE = "employee", _("The employee")
    RATERS = "raters", _("Raters")


class RatingMode(models.TextChoices):
    """Who rates a PCI (competency) line."""

    SUPERIOR = "superior", _("Superior only")
    DEGREE_180 = "180", _("180° (superior and self)")
    DEGREE_360 = "360", _("360° (superior, peers, subordinates, self)")


class Aggregation(models.TextChoices):
    # Values mirror phasing.Aggregation.
    SUM = RuleAggregation.SUM.value, _("Sum of the months")
    AVERAGE = RuleAggregation.AVERAGE.value, _("Average of the months (rates)")
    LAST = RuleAggregation.LAST.value, _("Year-end value (last month)")


class PhasingMethod(models.TextChoices):
    EVEN = RulePhasing.EVEN.value, _("Even")
    PROFILE = RulePhasing.PROFILE.value, _("Seasonal profile")
    MANUAL = RulePhasing.MANUAL.value, _("Manual")


class Feed(models.TextChoices):
    """How a lower line's actual feeds the upper line it contributes to."""

    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    WEIGHTED_AVERAGE = "weighted_average", _("Weighted average")
    LAST = "last", _("Last value")
    NONE = "none", _("None (entered separately)")


class SeasonalProfile(BilingualName):
    """Twelve monthly shares in percent (adding up to 100), reusable across lines."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    shares = models.JSONField(_("monthly shares (%)"), help_text=_("Twelve numbers adding up to 100."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seasonal profile")
        verbose_name_plural = _("seasonal profiles")
        ordering = ["code"]

    def share_values(self) -> list[Decimal]:
        return [Decimal(str(share)) for share in self.shares]


class Scorecard(models.Model):
    """One owner's scorecard for one plan year. The owner is the company, a department,
    a team or a post; ``owner_key`` makes each owner's card unique per year."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="scorecards"
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="scorecards")
    post = models.ForeignKey(Post, verbose_name=_("post"), null=True, blank=True, on_delete=models.PROTECT, related_name="scorecards")
    owner_key = models.CharField(max_length=40, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["year", "level", "owner_key"]
        constraints = [
            models.UniqueConstraint(fields=["year", "owner_key"], name="scorecard_one_per_owner_and_year"),
            models.CheckConstraint(
                name="scorecard_owner_matches_level",
                condition=(
                    Q(level="company", department__isnull=True, team__isnull=True, post__isnull=True)
                    | Q(level="department", department__isnull=False, team__isnull=True, post__isnull=True)
                    | Q(level="team", department__isnull=True, team__isnull=False, post__isnull=True)
                    | Q(level="post", department__isnull=True, team__isnull=True, post__isnull=False)
                ),
            ),
        ]

    def __str__(self):
        return f"{self.year} · {self.owner_name}"

    @property
    def owner(self):
        return {"department": self.department, "team": self.team, "post": self.post}.get(self.level)

    @property
    def owner_name(self) -> str:
        owner = self.owner
        if owner is not None:
            return owner.display_name
        if not hasattr(self, "_company_name"):
            company = Company.objects.first()
            self._company_name = company.display_name if company else str(_("Company"))
        return self._company_name

    @property
    def owner_department_id(self) -> int | None:
        """The department the card belongs to (a team's or a post's department)."""
        if self.level == Level.DEPARTMENT:
            return self.department_id
        if self.level == Level.TEAM:
            return self.team.department_id
        if self.level == Level.POST:
            return self.post.department_id
        return None

    def save(self, *args, **kwargs):
        self.owner_key = owner_key(self.level, self.department_id, self.team_id, self.post_id)
        super().save(*args, **kwargs)


def owner_key(level: str, department_id=None, team_id=None, post_id=None) -> str:
    return {
        Level.COMPANY: "company",
        Level.DEPARTMENT: f"department:{department_id}",
        Level.TEAM: f"team:{team_id}",
        Level.POST: f"post:{post_id}",
    }[level]


class ScorecardVersion(models.Model):
    """The content of a scorecard from a month of the year on: weights, policies, lines."""

    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    effective_from = models.PositiveSmallIntegerField(
        _("effective from month"), default=1, validators=MONTH_VALIDATORS,
        help_text=_("The first month of the year this version is used for."),
    )
    convention = models.CharField(
        _("weight convention"), max_length=20, choices=WeightConvention.choices, default=WeightConvention.OF_TOTAL
    )
    perspective_weights = models.JSONField(
        _("perspective weights"), default=dict, help_text=_("Percent by perspective code; they add up to 100.")
    )
    veto_mode = models.CharField(_("veto policy"), max_length=10, choices=VetoMode.choices, default=VetoMode.ZERO)
    veto_ceiling = models.DecimalField(
        _("veto ceiling"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("With “capped”: the highest total a vetoed card can get, e.g. the lowest grade's upper bound."),
    )
    veto_deduction = models.DecimalField(
        _("veto deduction"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("With “fixed deduction”: points taken off a vetoed card's total."),
    )
    front_line = models.BooleanField(
        _("sales front-line rule"), default=False,
        help_text=_("Score the financial perspective separately, then count it at full marks in the BSC total; both figures are kept."),
    )
    inspection_deduction = models.BooleanField(
        _("daily-inspection deduction"), default=False,
        help_text=_("One point off the internal-process score per person missing from an inspection record (department heads' cards)."),
    )
    note = models.TextField(_("reason for this version"), blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_by = models.ForeignKey(User, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(User, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    returned_note = models.TextField(_("why it was sent back"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        ordering = ["scorecard", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "number"], name="scorecard_version_number_unique"),
            models.CheckConstraint(condition=Q(effective_from__gte=1, effective_from__lte=12), name="scorecard_version_month_1_12"),
        ]

    def __str__(self):
        return f"{self.scorecard} · v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def weight_of(self, perspective_code: str) -> Decimal:
        return Decimal(str(self.perspective_weights.get(perspective_code, "0")))


class ScorecardLine(models.Model):
    version = models.ForeignKey(ScorecardVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="scorecard_lines")
    perspective = models.ForeignKey(Perspective, verbose_name=_("perspective"), on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(
        _("weight (%)"), max_digits=5, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    target = models.DecimalField(_("annual target"), max_digits=15, decimal_places=2, null=True, blank=True)
    target_low = models.DecimalField(
        _("target range from"), max_digits=15, decimal_places=2, null=True, blank=True,
        help_text=_("Indicators scored within a target range: the lowest value that meets the target."),
    )
    target_high = models.DecimalField(
        _("target range to"), max_digits=15, decimal_places=2, null=True, blank=True,
        help_text=_("Indicators scored within a target range: the highest value that meets the target."),
    )
    method = models.CharField(_("scoring method"), max_length=15, choices=ScoringMethod.choices)
    params = models.JSONField(_("scoring parameters"), default=dict, blank=True)
    data_owner = models.CharField(_("data supplied by"), max_length=12, choices=DataOwner.choices, default=DataOwner.DEPARTMENT)
    rating_mode = models.CharField(_("rating mode"), max_length=10, choices=RatingMode.choices, blank=True)
    rater_weights = models.JSONField(
        _("rater weights"), default=dict, blank=True,
        help_text=_("180° / 360° lines: percent per relation (superior, peer, subordinate, self); empty: the usual weights."),
    )
    aggregation = models.CharField(_("months give the year by"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM)
    phasing = models.CharField(_("phasing"), max_length=10, choices=PhasingMethod.choices, default=PhasingMethod.EVEN)
    profile = models.ForeignKey(
        SeasonalProfile, verbose_name=_("seasonal profile"), null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    phasing_start = models.DecimalField(
        _("level at the start of the year"), max_digits=15, decimal_places=2, null=True, blank=True,
        help_text=_("Year-end targets only: the path runs from this level to the annual target."),
    )
    month_targets = models.JSONField(_("monthly targets"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        ordering = ["version", "perspective__sort_order", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "indicator"], name="scorecard_line_indicator_once"),
        ]

    def __str__(self):
        return f"{self.version} · {self.indicator.code}"

    def month_values(self) -> list[Decimal]:
        return [Decimal(str(value)) for value in self.month_targets]


class CascadeLink(models.Model):
    """A lower line contributes to a line of the card above it (department -> company,
    team -> department, post -> department). The upper line is named by its card and its
    indicator, so the link survives new versions of the upper card."""

    line = models.ForeignKey(ScorecardLine, verbose_name=_("line"), on_delete=models.CASCADE, related_name="up_links")
    upper_scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("contributes to scorecard"), on_delete=models.PROTECT, related_name="down_links"
    )
    upper_indicator = models.ForeignKey(
        Indicator, verbose_name=_("contributes to indicator"), on_delete=models.PROTECT, related_name="+"
    )
    feed = models.CharField(_("feeds the upper actual by"), max_length=20, choices=Feed.choices, default=Feed.SUM)
    share = models.DecimalField(
        _("share (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
        help_text=_("Weight of this contribution in the upper line; required for a weighted average."),
    )

    class Meta:
        verbose_name = _("cascade link")
        verbose_name_plural = _("cascade links")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["line", "upper_scorecard", "upper_indicator"], name="cascade_link_once"),
        ]


class ProposalStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("proposal status", "Open")
    ACCEPTED = "accepted", pgettext_lazy("proposal status", "Accepted")
    DECLINED = "declined", pgettext_lazy("proposal status", "Declined")


class ChangeProposal(models.Model):
    """A department head asks HR to change a card of their department or its posts."""

    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(User, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("proposed change"))
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(User, verbose_name=_("answered by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("change proposal")
        verbose_name_plural = _("change proposals")
        ordering = ["-created_at", "-pk"]
