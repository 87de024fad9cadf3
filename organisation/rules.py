"""Who may do what to the organisation. Views, the API, templates and the admin all
ask through `user.has_perm(...)`; this module is the only place the answers live."""

import rules

from .models import Role
from .roles import calls_through_token, has_role, headed_department_ids


@rules.predicate
def is_active_user(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _role_predicate(role):
    @rules.predicate(name=f"has_role_{role}")
    def predicate(user):
        return has_role(user, role)

    return predicate


is_employee = _role_predicate(Role.EMPLOYEE)
is_department_head = _role_predicate(Role.DEPARTMENT_HEAD)
is_hr = _role_predicate(Role.HR)
is_general_manager = _role_predicate(Role.GENERAL_MANAGER)
is_committee_member = _role_predicate(Role.COMMITTEE)
is_administrator = _role_predicate(Role.ADMINISTRATOR)


@rules.predicate
def is_integrator(user):
    """An integrator counts as one only when calling with a token: a browser session
    of the same account gets none of its powers. Token scopes: api/permissions.py."""
    return has_role(user, Role.INTEGRATOR) and calls_through_token(user)


sees_whole_organisation = is_hr | is_general_manager | is_administrator | is_integrator
manages_organisation = is_hr | is_administrator


@rules.predicate
def is_self(user, employee):
    return employee is not None and employee.user_id == user.pk


@rules.predicate
def heads_employee(user, employee):
    return employee is not None and employee.department_id in headed_department_ids(user)


@rules.predicate
def heads_department(user, department):
    return department is not None and department.pk in headed_department_ids(user)


rules.add_perm("organisation.view_organisation", is_active_user)
rules.add_perm("organisation.manage_organisation", manages_organisation)
rules.add_perm("organisation.list_employees", sees_whole_organisation | is_department_head)
rules.add_perm("organisation.view_employee", is_active_user & (sees_whole_organisation | is_self | heads_employee))
rules.add_perm("organisation.view_employee_history", manages_organisation)
rules.add_perm("organisation.change_company_settings", manages_organisation)
