"""Which roles a user holds, and which departments they head.

Both answers are cached on the user object for the length of one request, so a page
that asks many permission questions runs these queries once.
"""

from .models import GRANTED_ROLES, Department, Employee, Role


def roles_of(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_bsc_roles", None)
    if cached is not None:
        return cached
    granted = set(user.groups.filter(name__in=GRANTED_ROLES).values_list("name", flat=True))
    try:
        employee = user.employee
    except Employee.DoesNotExist:
        employee = None
    if employee is not None and employee.is_active:
        granted.add(Role.EMPLOYEE)
    if headed_department_ids(user):
        granted.add(Role.DEPARTMENT_HEAD)
    user._bsc_roles = frozenset(granted)
    return user._bsc_roles


def has_role(user, role: str) -> bool:
    return role in roles_of(user)


def headed_department_ids(user) -> frozenset[int]:
    """Departments the user heads, with every department below them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_bsc_headed", None)
    if cached is not None:
        return cached
    tree = list(Department.objects.values_list("id", "parent_id", "head__user_id"))
    children: dict[int | None, list[int]] = {}
    for dept_id, parent_id, _head in tree:
        children.setdefault(parent_id, []).append(dept_id)
    scope: set[int] = set()
    stack = [dept_id for dept_id, _parent, head_user in tree if head_user == user.pk]
    while stack:
        dept_id = stack.pop()
        if dept_id not in scope:
            scope.add(dept_id)
            stack.extend(children.get(dept_id, []))
    user._bsc_headed = frozenset(scope)
    return user._bsc_headed


def calls_through_token(user) -> bool:
    """True when this request authenticated with an API token (see api/authentication.py)."""
    return getattr(user, "_bsc_api_token", None) is not None
