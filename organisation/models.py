"""The organisation every other app stands on: company, departments, teams, posts, people."""

from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A log-in account. A person's HR data (department, post) lives on Employee;
    integrators and administrators may have an account without one."""

    # Never the password hash or log-in times in the audit trail.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    HR = "hr", _("HR (daily management group)")
    GENERAL_MANAGER = "general_manager", _("General manager")
    COMMITTEE = "committee", _("Performance committee member")
    INTEGRATOR = "integrator", _("Integrator (API only)")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles held by membership of a Django group of the same name. The other two are facts
# of the organisation: having an active employee record, heading a department.
GRANTED_ROLES = (Role.HR, Role.GENERAL_MANAGER, Role.COMMITTEE, Role.INTEGRATOR, Role.ADMINISTRATOR)


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone, e.g. Asia/Shanghai."), params={"value": value})


class BilingualName(models.Model):
    """Chinese and English names; pages show the one of the active language."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        if translation.get_language() == "zh-hans":
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh

    def clean(self):
        super().clean()
        self.name_zh = self.name_zh.strip()
        self.name_en = self.name_en.strip()
        if not (self.name_zh or self.name_en):
            raise ValidationError({"name_zh": _("Give a name in Chinese or in English.")})

    def __str__(self):
        return self.display_name


class Company(BilingualName):
    """Company-wide settings; there is exactly one row."""

    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    appraisal_deadline_day = models.PositiveSmallIntegerField(
        _("appraisal deadline day"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Forms are due before this day of each month (1-28)."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone])
    max_scorecard_lines = models.PositiveSmallIntegerField(
        _("lines per scorecard, at most"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("More indicators than this dilute attention; a handful per post is best."),
    )
    inspection_points_per_missing = models.DecimalField(
        _("points per person missing from an inspection"), max_digits=5, decimal_places=2, default=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Taken off the department head's internal-process score for each person missing from a daily inspection record."),
    )
    appraisal_min_days = models.PositiveSmallIntegerField(
        _("days in post needed to be appraised in a month"), default=0, validators=[MaxValueValidator(31)],
        help_text=_("Someone in their post for fewer days of a month (a late joiner, an early leaver) gets no form that month. 0: everyone does."),
    )
    inspections_per_month = models.PositiveSmallIntegerField(
        _("daily inspections per department per month, at least"), default=4, validators=[MaxValueValidator(31)],
    )
    rating_min_group = models.PositiveSmallIntegerField(
        _("smallest group of anonymous raters shown"), default=3, validators=[MinValueValidator(3), MaxValueValidator(10)],
        help_text=_("Subordinates fewer than this are merged with the peers; peers and subordinates still fewer are left out, never shown apart."),
    )
    hr_sees_rating_answers = models.BooleanField(
        _("HR sees individual 360° answers"), default=False,
        help_text=_("Off: HR sees who has answered, not what. Frozen into each month when it opens."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("company")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="company_is_singleton"),
            models.CheckConstraint(
                condition=Q(appraisal_deadline_day__gte=1, appraisal_deadline_day__lte=28), name="company_deadline_day_1_28"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="company_fiscal_month_1_12",
            ),
        ]


class Department(BilingualName):
    code = models.CharField(_("code"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent department"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    head = models.ForeignKey(
        "Employee",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="department_not_own_parent"),
        ]


class Team(BilingualName):
    """A team or group inside a department, e.g. the sales department's exhibition hall group."""

    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="teams")
    code = models.CharField(_("code"), max_length=20, unique=True)
    leader = models.ForeignKey(
        "Employee", verbose_name=_("leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["department__sort_order", "code"]


class Post(BilingualName):
    """A job position in a department; each post gets a scorecard."""

    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="posts")
    code = models.CharField(_("code"), max_length=20, unique=True)
    description = models.TextField(_("job description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["department__sort_order", "code"]


class Employee(models.Model):
    user = models.OneToOneField(User, verbose_name=_("user account"), on_delete=models.PROTECT, related_name="employee")
    employee_number = models.CharField(_("employee number"), max_length=32, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="employees")
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="holders")
    line_manager = models.ForeignKey(
        "self", verbose_name=_("line manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    hire_date = models.DateField(_("hire date"))
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["employee_number"]
        constraints = [
            models.CheckConstraint(condition=~Q(line_manager=models.F("id")), name="employee_not_own_manager"),
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True) | Q(leave_date__gte=models.F("hire_date")),
                name="employee_leaves_after_hire",
            ),
        ]

    display_name = BilingualName.display_name

    def __str__(self):
        return f"{self.display_name} ({self.employee_number})"

    def clean(self):
        super().clean()
        errors = {}
        if not (self.name_zh.strip() or self.name_en.strip()):
            errors["name_zh"] = _("Give a name in Chinese or in English.")
        if self.post_id and self.department_id and self.post.department_id != self.department_id:
            errors["post"] = _("The post belongs to another department.")
        if self.team_id and self.department_id and self.team.department_id != self.department_id:
            errors["team"] = _("The team belongs to another department.")
        if self.line_manager_id and self.pk and self.line_manager_id == self.pk:
            errors["line_manager"] = _("An employee cannot be their own line manager.")
        if self.leave_date and self.hire_date and self.leave_date < self.hire_date:
            errors["leave_date"] = _("The leave date is before the hire date.")
        if errors:
            raise ValidationError(errors)


class Assignment(models.Model):
    """Where an employee worked when: past periods stay with the old department."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True, help_text=_("Last day; empty while current."))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["employee", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["employee"], condition=Q(end_date__isnull=True), name="one_current_assignment"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="assignment_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.employee} – {self.department} {self.start_date}..{self.end_date or ''}"


class ApiScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE_ACTUALS = "write_actuals", _("Write actuals")


class ApiToken(models.Model):
    """An integrator's bearer token. Only a SHA-256 digest of the secret is stored."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def clean(self):
        super().clean()
        unknown = set(self.scopes or []) - set(ApiScope.values)
        if not isinstance(self.scopes, list) or unknown:
            raise ValidationError({"scopes": _("Unknown scope: %(names)s.") % {"names": ", ".join(sorted(map(str, unknown)))}})
