from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .models import Role
from .roles import roles_of


def _menu(request):
    user = request.user
    if not user.is_authenticated:
        return []
    roles = roles_of(user)
    items = [(_("Home"), reverse("home"), "home")]
    if Role.EMPLOYEE in roles:
        items.append((_("My profile"), reverse("my-profile"), "my-profile"))
    if user.has_perm("organisation.list_employees"):
        items.append((_("Employees"), reverse("employee-list"), "employee-list"))
    items.append((_("Strategy"), reverse("plan-list"), "plan-list"))
    items.append((_("KPI library"), reverse("indicator-list"), "indicator-list"))
    items.append((_("Weighting"), reverse("round-list"), "round-list"))
    items.append((_("Scorecards"), reverse("scorecard-list"), "scorecard-list"))
    items.append((_("Appraisal"), reverse("period-list"), "period-list"))
    if user.has_perm("results.view_results"):
        items.append((_("Results"), reverse("results-home"), "results-home"))
    items.append((_("Departments"), reverse("department-list"), "department-list"))
    items.append((_("Posts"), reverse("post-list"), "post-list"))
    if user.has_perm("organisation.manage_organisation"):
        items.append((_("Company settings"), reverse("company-settings"), "company-settings"))
    if user.is_staff and Role.ADMINISTRATOR in roles:
        items.append((_("Administration"), reverse("admin:index"), "admin"))
    return items


def navigation(request):
    """The menu for the signed-in user; built only when a template uses it."""
    return {
        "nav_items": SimpleLazyObject(lambda: _menu(request)),
        "user_roles": SimpleLazyObject(lambda: sorted(Role(r).label for r in roles_of(request.user))),
    }
