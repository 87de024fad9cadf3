"""Reads of the organisation, already narrowed to what the caller may see."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from .models import Assignment, Department, Employee, Post, Team
from .roles import headed_department_ids
from .rules import is_active_user, sees_whole_organisation


def departments_visible_to(user) -> QuerySet[Department]:
    # The organisation chart is not a secret inside the company.
    if not is_active_user(user):
        return Department.objects.none()
    return Department.objects.select_related("parent", "head").order_by("sort_order", "code")


def teams_visible_to(user) -> QuerySet[Team]:
    if not is_active_user(user):
        return Team.objects.none()
    return Team.objects.select_related("department", "leader").order_by("department__sort_order", "department__code", "code")


def posts_visible_to(user) -> QuerySet[Post]:
    if not is_active_user(user):
        return Post.objects.none()
    return Post.objects.select_related("department").order_by("department__sort_order", "department__code", "code")


def employees_visible_to(user) -> QuerySet[Employee]:
    """Everyone for HR, the GM, administrators and integrators; a head's departments
    (and those below) for a head; one's own record for everybody else."""
    base = Employee.objects.select_related("user", "department", "post", "team", "line_manager").order_by("employee_number")
    if not is_active_user(user):
        return base.none()
    if sees_whole_organisation(user):
        return base
    return base.filter(Q(user_id=user.pk) | Q(department_id__in=headed_department_ids(user)))


@dataclass(frozen=True)
class TreeRow:
    department: Department
    depth: int


def department_tree(departments) -> list[TreeRow]:
    """Departments in depth-first order with their depth, for an indented tree.

    A department whose parent is not among `departments` is shown as a root.
    """
    by_parent: dict[int | None, list[Department]] = {}
    ids = {d.pk for d in departments}
    for dept in departments:
        parent = dept.parent_id if dept.parent_id in ids else None
        by_parent.setdefault(parent, []).append(dept)
    rows: list[TreeRow] = []

    def walk(parent_id, depth):
        for dept in by_parent.get(parent_id, []):
            rows.append(TreeRow(dept, depth))
            walk(dept.pk, depth + 1)

    walk(None, 0)
    return rows


def assignment_on(employee: Employee, day: date) -> Assignment | None:
    """The department and post an employee held on a given day."""
    return (
        employee.assignments.filter(start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("department", "post", "team")
        .first()
    )
