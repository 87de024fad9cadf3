"""The monthly appraisal: periods, forms (a frozen copy of the scorecard in force), the
values entered on them, signatures, the append-only history of transitions, daily
inspections and in-app notifications."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from organisation.models import Department, Employee, Post, User
from scorecards.models import ScorecardVersion

from .workflow import Kind, State


class PeriodStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("period status", "Open")
    COLLECTING = "collecting", pgettext_lazy("period status", "Collecting")
    CALCULATING = "calculating", pgettext_lazy("period status", "Calculating")
    AWAITING_APPROVAL = "awaiting_approval", pgettext_lazy("period status", "Awaiting approval")
    PUBLISHED = "published", pgettext_lazy("period status", "Published")
    CLOSED = "closed", pgettext_lazy("period status", "Closed")


class Period(models.Model):
    """A month of a plan year. Forms are due before ``deadline`` (the company's deadline
    day of the month, in the company's time zone)."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    opened_by = models.ForeignKey(User, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    # The company's anonymity settings for 360° ratings when the month opened: a later
    # change does not reveal answers given under the old one.
    rating_rules = models.JSONField(_("rating rules"), default=dict, blank=True)
    ratings_closed_at = models.DateTimeField(_("ratings closed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appraisal period")
        verbose_name_plural = _("appraisal periods")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="period_one_per_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="period_month_1_12"),
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d}"


class FormKind(models.TextChoices):
    EMPLOYEE = Kind.EMPLOYEE.value, _("Employee's form")
    HEAD = Kind.HEAD.value, _("Department head's form")


class FormStatus(models.TextChoices):
    # Values mirror workflow.State.
    DRAFT = State.DRAFT.value, pgettext_lazy("form status", "Draft")
    EMPLOYEE_SIGNED = State.EMPLOYEE_SIGNED.value, pgettext_lazy("form status", "Signed by the employee")
    SUBMITTED = State.SUBMITTED.value, pgettext_lazy("form status", "With HR")
    CALCULATED = State.CALCULATED.value, pgettext_lazy("form status", "Calculated")
    APPROVED = State.APPROVED.value, pgettext_lazy("form status", "Approved")
    PUBLISHED = State.PUBLISHED.value, pgettext_lazy("form status", "Published")


class Form(models.Model):
    """One person's appraisal for one month: the scorecard version in force frozen into
    ``snapshot`` (calculation.FormSnapshot as a dict), the values entered, and once HR has
    calculated, the stored ``breakdown`` with the engine version that produced it."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="forms")
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="appraisal_forms")
    kind = models.CharField(_("kind"), max_length=10, choices=FormKind.choices, default=FormKind.EMPLOYEE)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="+")
    scorecard_version = models.ForeignKey(
        ScorecardVersion, verbose_name=_("scorecard version"), on_delete=models.PROTECT, related_name="forms"
    )
    snapshot = models.JSONField(_("snapshot"))
    status = models.CharField(_("status"), max_length=20, choices=FormStatus.choices, default=FormStatus.DRAFT)
    revision = models.PositiveIntegerField(
        _("revision"), default=1, help_text=_("Goes up with every change, so a save based on an older page is refused.")
    )
    share = models.DecimalField(
        _("share of the month"), max_digits=5, decimal_places=4, default=1,
        help_text=_("Days in post / days in the month, for people who joined, left or moved during the month."),
    )
    breakdown = models.JSONField(_("breakdown"), null=True, blank=True)
    engine_version = models.CharField(_("engine version"), max_length=10, blank=True)
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=2, null=True, blank=True)
    calculated_by = models.ForeignKey(User, verbose_name=_("calculated by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    calculated_at = models.DateTimeField(_("calculated"), null=True, blank=True)
    approved_by = models.ForeignKey(User, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("appraisal form")
        verbose_name_plural = _("appraisal forms")
        ordering = ["period", "department__sort_order", "employee__employee_number", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["period", "employee", "kind"], name="form_one_per_employee_period_kind"),
        ]

    def __str__(self):
        return f"{self.period} · {self.employee}"


class FormValue(models.Model):
    """What was entered for one line of a form: the actual (or formula inputs, or ratings),
    the employee's self-assessment, the superior's rating and remarks."""

    form = models.ForeignKey(Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="values")
    line_key = models.CharField(_("line"), max_length=40)
    actual = models.DecimalField(_("actual"), max_digits=18, decimal_places=4, null=True, blank=True)
    inputs = models.JSONField(_("formula inputs"), default=dict, blank=True)
    ratings = models.JSONField(_("ratings"), default=list, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    self_assessment = models.TextField(_("self-assessment"), blank=True)
    remark = models.TextField(_("remark"), blank=True)
    entered_by = models.ForeignKey(User, verbose_name=_("entered by"), null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("form value")
        verbose_name_plural = _("form values")
        constraints = [models.UniqueConstraint(fields=["form", "line_key"], name="form_value_once_per_line")]


def evidence_path(instance, filename: str) -> str:
    return f"evidence/{instance.value.form.period}/{instance.value.form_id}/{filename}"


class Evidence(models.Model):
    value = models.ForeignKey(FormValue, verbose_name=_("value"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(User, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


class Relation(models.TextChoices):
    # Values mirror rating_groups.Relation.
    SUPERIOR = "superior", _("Superior")
    PEER = "peer", _("Peer")
    SUBORDINATE = "subordinate", _("Subordinate")
    SELF = "self", _("Self")


class RatingRequest(models.Model):
    """One rater asked to rate one rated line (180° / 360°) of one form, and their answer.

    Answers are shown to the person rated and their head only as groups
    (rating_groups.summarise). Deliberately without history: a history entry would tie an
    answer, or the moment it changed, to a person."""

    form = models.ForeignKey(Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="rating_requests")
    line_key = models.CharField(_("line"), max_length=40)
    rater = models.ForeignKey(Employee, verbose_name=_("rater"), on_delete=models.PROTECT, related_name="rating_requests")
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    assigned_by = models.ForeignKey(User, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("rating request")
        verbose_name_plural = _("rating requests")
        ordering = ["form", "line_key", "relation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "line_key", "rater"], name="rating_request_once_per_rater"),
            models.CheckConstraint(condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=7), name="rating_level_1_7"),
        ]


class SignatureRole(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    HEAD = "head", _("Department head")


class Signature(models.Model):
    """Who signed a form, when, and the hash of what they saw. A change to the form's values
    or score voids it (``voided_at``)."""

    form = models.ForeignKey(Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(_("signed as"), max_length=10, choices=SignatureRole.choices)
    user = models.ForeignKey(User, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    void_reason = models.CharField(_("why it was voided"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "pk"]


class Transition(models.Model):
    """The append-only history of a form: every step, who took it, when and why."""

    form = models.ForeignKey(Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=FormStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=FormStatus.choices)
    by = models.ForeignKey(User, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("form transition")
        verbose_name_plural = _("form transitions")
        ordering = ["at", "pk"]


class Inspection(models.Model):
    """A daily BSC inspection of one department's daily inspection record form."""

    date = models.DateField(_("date"))
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="inspections")
    inspector = models.ForeignKey(User, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("daily inspection")
        verbose_name_plural = _("daily inspections")
        ordering = ["-date", "department__sort_order"]
        constraints = [models.UniqueConstraint(fields=["date", "department"], name="inspection_once_per_day_and_department")]


class EntryStatus(models.TextChoices):
    OK = "ok", _("On the record, nothing to report")
    VIOLATION = "violation", _("On the record, with violations")
    MISSING = "missing", _("Missing from the record")


class InspectionEntry(models.Model):
    """One person of the department on an inspection: present on the record (with or
    without violations) or missing. Someone with nothing to report must still be there."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="entries")
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("on the record"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.MISSING)
    violations = models.TextField(_("violations"), blank=True)

    class Meta:
        verbose_name = _("inspection entry")
        verbose_name_plural = _("inspection entries")
        constraints = [models.UniqueConstraint(fields=["inspection", "employee"], name="inspection_entry_once")]


class Notification(models.Model):
    """A hand-off told to a person in the app (and by e-mail): a link, never a score."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications")
    # The English message with %(name)s placeholders, translated when shown, and its values.
    text = models.CharField(_("text"), max_length=300)
    params = models.JSONField(_("values in the text"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]

    def message(self) -> str:
        """The text in the active language (a text without placeholders is shown as is)."""
        from django.utils.translation import gettext

        try:
            return gettext(self.text) % self.params if self.params else gettext(self.text)
        except (KeyError, TypeError, ValueError):
            return self.text
