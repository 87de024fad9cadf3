"""The strategy: a yearly plan, objectives in the four perspectives, their cause-and-effect
links, the measures of each objective and which departments carry each measure."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisation.models import BilingualName, Department, User


class Perspective(BilingualName):
    """The four BSC perspectives; rows are created by a migration and keep their codes."""

    FINANCIAL = "financial"
    CUSTOMER = "customer"
    INTERNAL_PROCESS = "internal_process"
    LEARNING_GROWTH = "learning_growth"

    code = models.CharField(_("code"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), help_text=_("1 is the top band of the strategy map."))

    class Meta:
        verbose_name = _("perspective")
        verbose_name_plural = _("perspectives")
        ordering = ["sort_order"]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class StrategyPlan(models.Model):
    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    vision = models.TextField(_("vision"), blank=True)
    mission = models.TextField(_("mission"), blank=True)
    values = models.TextField(_("values"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    approved_by = models.ForeignKey(
        User, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("strategy plan")
        verbose_name_plural = _("strategy plans")
        ordering = ["-year"]

    def __str__(self):
        return str(_("Strategy %(year)s") % {"year": self.year})


class Objective(BilingualName):
    plan = models.ForeignKey(StrategyPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="objectives")
    perspective = models.ForeignKey(Perspective, verbose_name=_("perspective"), on_delete=models.PROTECT, related_name="objectives")
    code = models.CharField(_("code"), max_length=20)
    description = models.TextField(_("description"), blank=True)
    owner_department = models.ForeignKey(
        Department, verbose_name=_("owner department"), null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        ordering = ["perspective__sort_order", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="objective_code_unique_in_plan")]

    def __str__(self):
        return f"{self.code} {self.display_name}"


class ObjectiveLink(models.Model):
    """Cause and effect: the source objective drives the target objective."""

    source = models.ForeignKey(Objective, verbose_name=_("driver"), on_delete=models.CASCADE, related_name="outgoing_links")
    target = models.ForeignKey(Objective, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="incoming_links")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cause-and-effect link")
        verbose_name_plural = _("cause-and-effect links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="objective_link_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="objective_link_not_to_itself"),
        ]

    def __str__(self):
        return f"{self.source.code} → {self.target.code}"

    @property
    def against_direction(self) -> bool:
        """True when the driver sits above its outcome (learning -> process -> customer -> financial)."""
        return self.source.perspective.sort_order < self.target.perspective.sort_order


class Measure(BilingualName):
    """A strategic measure of an objective; it expands into indicators of the library."""

    objective = models.ForeignKey(Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="measures")
    code = models.CharField(_("code"), max_length=20)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("strategic measure")
        verbose_name_plural = _("strategic measures")
        ordering = ["objective__perspective__sort_order", "objective__sort_order", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["objective", "code"], name="measure_code_unique_in_objective")]

    def __str__(self):
        return f"{self.code} {self.display_name}"


class TaskRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    SUPPORT = "support", _("Support")


class TaskAssignment(models.Model):
    """One cell of the task division matrix: a department leads or supports a measure."""

    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="task_assignments")
    role = models.CharField(_("role"), max_length=10, choices=TaskRole.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("task division cell")
        verbose_name_plural = _("task division matrix")
        constraints = [models.UniqueConstraint(fields=["measure", "department"], name="one_cell_per_measure_and_department")]

    def __str__(self):
        return f"{self.measure.code} × {self.department.code}: {self.get_role_display()}"
