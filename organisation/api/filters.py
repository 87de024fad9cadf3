import django_filters

from ..models import Department, Employee, Post, Team
from ..selectors import (
    departments_visible_to,
    employees_visible_to,
    posts_visible_to,
    teams_visible_to,
)


def _visible(selector):
    # Filter choices come from what the caller may see, like every other foreign key.
    return lambda request: selector(request.user) if request else Employee.objects.none()


class DepartmentFilter(django_filters.FilterSet):
    parent = django_filters.ModelChoiceFilter(queryset=_visible(departments_visible_to))

    class Meta:
        model = Department
        fields = ["parent", "is_active"]


class TeamFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(queryset=_visible(departments_visible_to))

    class Meta:
        model = Team
        fields = ["department", "is_active"]


class PostFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(queryset=_visible(departments_visible_to))

    class Meta:
        model = Post
        fields = ["department", "is_active"]


class EmployeeFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(queryset=_visible(departments_visible_to))
    post = django_filters.ModelChoiceFilter(queryset=_visible(posts_visible_to))
    team = django_filters.ModelChoiceFilter(queryset=_visible(teams_visible_to))
    line_manager = django_filters.ModelChoiceFilter(queryset=_visible(employees_visible_to))
    hired_after = django_filters.DateFilter(field_name="hire_date", lookup_expr="gte")
    hired_before = django_filters.DateFilter(field_name="hire_date", lookup_expr="lte")

    class Meta:
        model = Employee
        fields = ["department", "post", "team", "line_manager", "is_active"]
