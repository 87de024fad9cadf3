"""What the monthly scores become: grade bands with their incentive coefficients, the
forced-distribution guidance, performance-pay bases, and each published form's grade,
ranks and pay."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from appraisal.models import Form, Period
from organisation.models import Department, Employee, Post, User

from .grading import Limit


class ResultSettings(models.Model):
    """The company's rules for using the results (one row)."""

    distribution_on = models.BooleanField(
        _("forced-distribution guidance"), default=True,
        help_text=_("Before approving, the general manager sees where a department's grades break the rules below and gives a reason to approve anyway."),
    )
    distribution_min_people = models.PositiveSmallIntegerField(
        _("smallest group the guidance applies to"), default=5, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Departments with fewer scored forms are not checked (2 people cannot hold 20% A)."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    plan_grade = models.CharField(
        _("grade that calls for an improvement plan"), max_length=10, default="E",
        help_text=_("Someone with this grade at least the number of times below in a year needs an improvement plan."),
    )
    plan_times = models.PositiveSmallIntegerField(_("times in a year"), default=2, validators=[MinValueValidator(1), MaxValueValidator(12)])
    plan_below = models.DecimalField(
        _("lines scoring below this suggest an improvement item"), max_digits=5, decimal_places=2, default=60,
        validators=[MinValueValidator(0), MaxValueValidator(120)],
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("days to appeal after publication"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("result settings")
        verbose_name_plural = _("result settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="result_settings_singleton")]


class GradeBand(models.Model):
    code = models.CharField(_("grade"), max_length=10, unique=True)
    lower_bound = models.DecimalField(
        _("from score"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    coefficient = models.DecimalField(
        _("incentive coefficient"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("Performance pay = base × coefficient × share of the month."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["-lower_bound"]

    def __str__(self):
        return self.code


class LimitKind(models.TextChoices):
    # Values mirror grading.Limit.
    AT_MOST = Limit.AT_MOST.value, _("at most")
    AT_LEAST = Limit.AT_LEAST.value, _("at least")


class DistributionRule(models.Model):
    band = models.ForeignKey(GradeBand, verbose_name=_("grade"), on_delete=models.CASCADE, related_name="rules")
    limit = models.CharField(_("limit"), max_length=10, choices=LimitKind.choices)
    percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("distribution rule")
        verbose_name_plural = _("distribution rules")
        constraints = [models.UniqueConstraint(fields=["band", "limit"], name="distribution_rule_once_per_band_limit")]


class PayBase(models.Model):
    """The monthly performance-pay base of a post, or of one employee (which wins)."""

    post = models.OneToOneField(Post, verbose_name=_("post"), null=True, blank=True, on_delete=models.CASCADE, related_name="pay_base")
    employee = models.OneToOneField(Employee, verbose_name=_("employee"), null=True, blank=True, on_delete=models.CASCADE, related_name="pay_base")
    amount = models.DecimalField(_("monthly base"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pay base")
        verbose_name_plural = _("pay bases")
        constraints = [
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(employee__isnull=True)) | (Q(post__isnull=True) & Q(employee__isnull=False)),
                name="pay_base_post_or_employee",
            ),
        ]


class FormResult(models.Model):
    """A published form's grade, ranks and pay, fixed when it is published (later band
    changes do not regrade a month already paid)."""

    form = models.OneToOneField(Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="result")
    grade = models.CharField(_("grade"), max_length=10)
    coefficient = models.DecimalField(_("incentive coefficient"), max_digits=5, decimal_places=2)
    department_rank = models.PositiveIntegerField(_("rank in the department"))
    department_size = models.PositiveIntegerField(_("forms in the department"))
    company_rank = models.PositiveIntegerField(_("rank in the company"))
    company_size = models.PositiveIntegerField(_("forms in the company"))
    base = models.DecimalField(_("monthly base"), max_digits=12, decimal_places=2, null=True, blank=True)
    pay = models.DecimalField(_("performance pay"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    graded_at = models.DateTimeField(_("graded"), auto_now=True)

    class Meta:
        verbose_name = _("form result")
        verbose_name_plural = _("form results")


class DistributionWaiver(models.Model):
    """The general manager's reason to approve a month's scores although a department's
    (or, without a department, the company's) grades break the distribution guidance."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="distribution_waivers")
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(User, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("distribution waiver")
        verbose_name_plural = _("distribution waivers")
        constraints = [
            models.UniqueConstraint(fields=["period", "department"], name="waiver_once_per_department"),
            models.UniqueConstraint(fields=["period"], condition=Q(department__isnull=True), name="waiver_once_per_company"),
        ]


class Interview(models.Model):
    """The feedback interview after a published month (seed 003's eight steps), held by the
    person's head; both sign what was agreed, and any change voids the signatures."""

    form = models.OneToOneField(Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="interview")
    held_on = models.DateField(_("held on"))
    results = models.TextField(_("the result of each objective discussed"), blank=True)
    causes = models.TextField(_("causes of success and failure"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    improvements = models.TextField(_("what must improve next period"), blank=True)
    training = models.TextField(_("training and development needs and goals"), blank=True)
    support = models.TextField(_("support needed from the superior"), blank=True)
    actions = models.TextField(_("agreed actions"), blank=True)
    held_by = models.ForeignKey(User, verbose_name=_("held by"), on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField(_("revision"), default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("feedback interview")
        verbose_name_plural = _("feedback interviews")


class InterviewSignature(models.Model):
    interview = models.ForeignKey(Interview, verbose_name=_("interview"), on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(_("signed as"), max_length=10, choices=[("employee", _("Employee")), ("head", _("Department head"))])
    user = models.ForeignKey(User, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)

    class Meta:
        verbose_name = _("interview signature")
        verbose_name_plural = _("interview signatures")
        constraints = [
            models.UniqueConstraint(fields=["interview", "role"], condition=Q(voided_at__isnull=True), name="interview_signed_once_per_role"),
        ]


class AppealStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Comments asked")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Appeal(models.Model):
    """An employee's appeal against a published score, decided by the performance
    committee; an upheld appeal reopens the form for correction and re-approval."""

    form = models.ForeignKey(Form, verbose_name=_("form"), on_delete=models.PROTECT, related_name="appeals")
    lines = models.JSONField(_("lines concerned"), default=list, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.SUBMITTED)
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True)
    deadline = models.DateField(_("appeal window ended"))
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form"], condition=Q(status__in=["submitted", "under_review"]), name="appeal_one_open_per_form"
            ),
        ]


class AppealComment(models.Model):
    """What the committee asked the head or HR, and what they answered (append-only)."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="comments")
    by = models.ForeignKey(User, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appeal comment")
        verbose_name_plural = _("appeal comments")
        ordering = ["at", "pk"]


class PlanStage(models.TextChoices):
    PLAN = "plan", pgettext_lazy("pdca", "Plan")
    DO = "do", pgettext_lazy("pdca", "Do")
    CHECK = "check", pgettext_lazy("pdca", "Check")
    ACT = "act", pgettext_lazy("pdca", "Act")
    DONE = "done", pgettext_lazy("pdca", "Done")


class ImprovementPlan(models.Model):
    """A person's improvement plan (PDCA), usually made from a form with low lines or a
    low grade; its open items show on their next forms and on their head's pages."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="improvement_plans")
    form = models.ForeignKey(Form, verbose_name=_("made from"), null=True, blank=True, on_delete=models.SET_NULL, related_name="improvement_plans")
    created_by = models.ForeignKey(User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        ordering = ["-created_at", "-pk"]


class PlanItem(models.Model):
    plan = models.ForeignKey(ImprovementPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items")
    line_key = models.CharField(_("line"), max_length=40, blank=True)
    problem = models.TextField(_("problem"))
    action = models.TextField(_("action"))
    owner = models.ForeignKey(Employee, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    due = models.DateField(_("due"))
    stage = models.CharField(_("stage"), max_length=10, choices=PlanStage.choices, default=PlanStage.PLAN)
    check_result = models.TextField(_("result of the check"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("improvement item")
        verbose_name_plural = _("improvement items")
        ordering = ["due", "pk"]
