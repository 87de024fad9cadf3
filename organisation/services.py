"""Changes to the organisation. Each service checks permission, validates, writes
atomically and leaves a history entry naming the action."""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    ApiScope,
    ApiToken,
    Assignment,
    Company,
    Department,
    Employee,
    Post,
    Role,
    Team,
    User,
)
from .roles import has_role

DEPARTMENT_FIELDS = ("code", "name_zh", "name_en", "parent", "sort_order", "is_active")
TEAM_FIELDS = ("code", "name_zh", "name_en", "department", "leader", "is_active")
POST_FIELDS = ("code", "name_zh", "name_en", "department", "description", "is_active")
EMPLOYEE_EDIT_FIELDS = ("employee_number", "name_zh", "name_en", "line_manager", "hire_date")


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _save(instance, reason: str):
    instance.full_clean()
    # simple_history writes the reason into the history row it creates on save.
    instance._change_reason = reason
    instance.save()
    return instance


def get_company() -> Company:
    company, _created = Company.objects.get_or_create(pk=1, defaults={"name_en": "Company"})
    return company


@transaction.atomic
def update_company(*, by, **fields) -> Company:
    _require(by, "organisation.change_company_settings")
    company = Company.objects.select_for_update().get(pk=get_company().pk)
    for name, value in fields.items():
        setattr(company, name, value)
    return _save(company, "update company settings")


@transaction.atomic
def save_department(*, by, department: Department | None = None, **fields) -> Department:
    """Create a department, or update one. The head is set by `set_department_head`."""
    _require(by, "organisation.manage_organisation")
    if department is None:
        department = Department()
        reason = "create department"
    else:
        department = Department.objects.select_for_update().get(pk=department.pk)
        reason = "update department"
    for name in DEPARTMENT_FIELDS:
        if name in fields:
            setattr(department, name, fields[name])
    _check_no_cycle(department)
    return _save(department, reason)


def _check_no_cycle(department: Department) -> None:
    """A department may not sit below itself."""
    if department.pk is None or department.parent_id is None:
        return
    parents = dict(Department.objects.values_list("id", "parent_id"))
    seen, current = set(), department.parent_id
    while current is not None and current not in seen:
        if current == department.pk:
            raise ValidationError({"parent": _("A department cannot be placed below itself or one of its sub-departments.")})
        seen.add(current)
        current = parents.get(current)


@transaction.atomic
def set_department_head(*, by, department: Department, head: Employee | None) -> Department:
    _require(by, "organisation.manage_organisation")
    department = Department.objects.select_for_update().get(pk=department.pk)
    if head is not None and (not head.is_active or head.department_id != department.pk):
        raise ValidationError({"head": _("The head must be an active employee of this department.")})
    department.head = head
    _save(department, "set department head")
    return department


@transaction.atomic
def save_team(*, by, team: Team | None = None, **fields) -> Team:
    _require(by, "organisation.manage_organisation")
    team = Team() if team is None else Team.objects.select_for_update().get(pk=team.pk)
    reason = "create team" if team.pk is None else "update team"
    for name in TEAM_FIELDS:
        if name in fields:
            setattr(team, name, fields[name])
    if team.leader_id and (team.leader.department_id != team.department_id or not team.leader.is_active):
        raise ValidationError({"leader": _("The leader must be an active employee of the team's department.")})
    if team.pk and "department" in fields and team.members.exclude(department=team.department).exists():
        raise ValidationError({"department": _("Move the team's members first: the team still has members in its old department.")})
    return _save(team, reason)


@transaction.atomic
def save_post(*, by, post: Post | None = None, **fields) -> Post:
    _require(by, "organisation.manage_organisation")
    post = Post() if post is None else Post.objects.select_for_update().get(pk=post.pk)
    reason = "create post" if post.pk is None else "update post"
    for name in POST_FIELDS:
        if name in fields:
            setattr(post, name, fields[name])
    if post.pk and "department" in fields and post.holders.exclude(department=post.department).exists():
        raise ValidationError({"department": _("Move the post's holders first: the post still has holders in its old department.")})
    return _save(post, reason)


@transaction.atomic
def create_employee(
    *,
    by,
    employee_number: str,
    department: Department,
    post: Post,
    hire_date: date,
    name_zh: str = "",
    name_en: str = "",
    username: str = "",
    email: str = "",
    team: Team | None = None,
    line_manager: Employee | None = None,
) -> Employee:
    """A new employee with a log-in account (no password until one is set)."""
    _require(by, "organisation.manage_organisation")
    _check_placement(department=department, post=post, team=team)
    _check_line_manager(line_manager)
    username = (username or employee_number).strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The user name %(name)s is taken.") % {"name": username}})
    user = User(username=username, email=email.strip(), first_name=name_en[:150])
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    employee = Employee(
        user=user,
        employee_number=employee_number.strip(),
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        department=department,
        post=post,
        team=team,
        line_manager=line_manager,
        hire_date=hire_date,
    )
    _save(employee, "create employee")
    Assignment.objects.create(employee=employee, department=department, post=post, team=team, start_date=hire_date)
    return employee


@transaction.atomic
def update_employee(*, by, employee: Employee, email: str | None = None, **fields) -> Employee:
    """Edit personal data. Department, post and team change only through `move_employee`."""
    _require(by, "organisation.manage_organisation")
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if "line_manager" in fields and fields["line_manager"] != employee.line_manager:
        _check_line_manager(fields["line_manager"])
    changed = [name for name in EMPLOYEE_EDIT_FIELDS if name in fields and getattr(employee, name) != fields[name]]
    for name in changed:
        setattr(employee, name, fields[name])
    if email is not None and email.strip() != employee.user.email:
        employee.user.email = email.strip()
        employee.user.full_clean(exclude=["password"])
        employee.user._change_reason = "update employee"
        employee.user.save(update_fields=["email"])
    if changed:
        _save(employee, "update employee")
    first = employee.assignments.order_by("start_date").first()
    if first and "hire_date" in fields and first.start_date != employee.hire_date:
        if first.end_date and first.end_date < employee.hire_date:
            raise ValidationError({"hire_date": _("The hire date is after the end of the first assignment.")})
        first.start_date = employee.hire_date
        first.save(update_fields=["start_date"])
    return employee


@transaction.atomic
def move_employee(
    *, by, employee: Employee, department: Department, post: Post, effective_date: date, team: Team | None = None
) -> Employee:
    """Transfer an employee from `effective_date`; the old assignment keeps the past."""
    _require(by, "organisation.manage_organisation")
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if not employee.is_active:
        raise ValidationError(_("A former employee cannot be moved."))
    _check_placement(department=department, post=post, team=team)
    if effective_date > timezone.localdate():
        # Applying it now would change who sees the person before the move happens.
        raise ValidationError({"effective_date": _("Record a move on or after the day it takes effect.")})
    current = employee.assignments.filter(end_date__isnull=True).first()
    if current and effective_date <= current.start_date:
        raise ValidationError(
            {"effective_date": _("The move must take effect after %(day)s, when the current assignment began.") % {"day": current.start_date}}
        )
    moved_away = employee.department_id != department.pk
    employee.department, employee.post, employee.team = department, post, team
    _save(employee, "move employee")
    if current:
        current.end_date = effective_date - timedelta(days=1)
        current.save(update_fields=["end_date"])
    Assignment.objects.create(employee=employee, department=department, post=post, team=team, start_date=effective_date)
    if moved_away:
        for old in Department.objects.select_for_update().filter(head=employee):
            old.head = None
            _save(old, "head moved to another department")
        _drop_team_leadership(employee, "leader moved to another department")
    return employee


def _check_placement(*, department: Department, post: Post, team: Team | None) -> None:
    """New placements go to active departments, posts and teams only."""
    errors = {}
    if not department.is_active:
        errors["department"] = _("This department is no longer active.")
    if not post.is_active:
        errors["post"] = _("This post is no longer active.")
    if team is not None and not team.is_active:
        errors["team"] = _("This team is no longer active.")
    if errors:
        raise ValidationError(errors)


def _check_line_manager(manager: Employee | None) -> None:
    if manager is not None and not manager.is_active:
        raise ValidationError({"line_manager": _("The line manager has left the company.")})


def _drop_team_leadership(employee: Employee, reason: str) -> None:
    for team in Team.objects.select_for_update().filter(leader=employee):
        team.leader = None
        _save(team, reason)


@transaction.atomic
def deactivate_employee(*, by, employee: Employee, leave_date: date) -> Employee:
    """The employee leaves: no more log-in, tokens revoked, no longer head of anything."""
    _require(by, "organisation.manage_organisation")
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if not employee.is_active:
        raise ValidationError(_("This employee has already left."))
    if employee.user_id == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    current = employee.assignments.filter(end_date__isnull=True).first()
    if current and leave_date < current.start_date:
        raise ValidationError({"leave_date": _("The leave date is before the current assignment began.")})
    employee.leave_date = leave_date
    employee.is_active = False
    _save(employee, "deactivate employee")
    if current:
        current.end_date = leave_date
        current.save(update_fields=["end_date"])
    for dept in Department.objects.select_for_update().filter(head=employee):
        dept.head = None
        _save(dept, "head left the company")
    _drop_team_leadership(employee, "leader left the company")
    user = employee.user
    user.is_active = False
    user.save(update_fields=["is_active"])  # the post_save receiver revokes API tokens
    return employee


@transaction.atomic
def set_employee_password(*, by, employee: Employee, password: str) -> None:
    """HR gives a new employee their first password.

    Only accounts that never had one: otherwise HR could take over anyone's account,
    the general manager's included.
    """
    _require(by, "organisation.manage_organisation")
    user = User.objects.select_for_update().get(pk=employee.user_id)
    if not user.is_active:
        raise ValidationError(_("This employee has left; their account stays disabled."))
    if user.has_usable_password():
        raise ValidationError(_("This account already has a password. Its owner changes it after logging in."))
    user.set_password(password)
    user.save(update_fields=["password"])


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(
    *, by, user: User, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Returns the token and its secret; the secret is shown once and never stored."""
    if not by.is_active or not (by.is_superuser or by.has_perm("organisation.add_apitoken")):
        raise PermissionDenied
    if not token_holder_allowed(user):
        raise ValidationError({"user": _("Tokens are only for active users with the integrator role.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    prefix = secrets.token_hex(6)
    secret = f"bsc_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(user=user, name=name, prefix=prefix, digest=_digest(secret), scopes=list(scopes), created_by=by, expires_at=expires_at)
    token.full_clean()
    token.save()
    return token, secret


def token_holder_allowed(user: User) -> bool:
    return user.is_active and has_role(user, Role.INTEGRATOR)


def find_api_token(secret: str) -> ApiToken | None:
    """The live token for a presented secret, or None."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != "bsc":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not secrets.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if token.revoked_at or (token.expires_at and token.expires_at <= now) or not token.user.is_active:
        return None
    if not has_role(token.user, Role.INTEGRATOR):
        # The role was taken away after the token was issued.
        return None
    # One write a minute at most: a busy integrator should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke_api_token(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def revoke_tokens_of(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def token_scopes_allow(token: ApiToken, scope: str) -> bool:
    return scope in ApiScope.values and scope in (token.scopes or [])
