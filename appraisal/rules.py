"""Who may see and move appraisal forms.

The person appraised sees their own form (the score only once it is published); a
department head the forms of the departments they head; HR, the general manager, the
performance committee, administrators and integrator tokens every form. HR opens periods,
enters data, calculates and publishes; the head signs; the general manager approves (the
performance committee approves the general manager's own form).
Segregation of duties (nobody acts as head, calculator or approver on their own form; the
calculator is not the approver) is checked per form in services.
"""

import rules

from organisation.roles import headed_department_ids
from organisation.rules import (
    is_active_user,
    is_administrator,
    is_committee_member,
    is_department_head,
    is_general_manager,
    is_hr,
    is_integrator,
)


@rules.predicate
def is_appraised(user, form):
    return form is not None and form.employee.user_id == user.pk


def signs_as_line_manager(form) -> bool:
    """Whether the person's line manager, not the department head, signs the form: for
    the head of the form's department (nobody signs their own form as head) and for a
    department without a head."""
    head_id = form.department.head_id
    return head_id is None or head_id == form.employee_id


@rules.predicate
def heads_form(user, form):
    """A head of the form's department, or the person's line manager where the line
    manager signs (signs_as_line_manager), for someone else's form."""
    if form is None or form.employee.user_id == user.pk:
        return False
    if form.department_id in headed_department_ids(user):
        return True
    manager = form.employee.line_manager
    if manager is not None:
        return manager.user_id == user.pk and signs_as_line_manager(form)
    # Nobody is above the general manager: the committee signs for them.
    return is_committee_member(user) and is_general_manager(form.employee.user) and signs_as_line_manager(form)


@rules.predicate
def is_general_managers_form(user, form):
    """The general manager's own form, which the performance committee approves. Without
    a form: whether there may be such forms (the approval queue opens)."""
    return form is None or is_general_manager(form.employee.user)


sees_every_form = is_hr | is_general_manager | is_committee_member | is_administrator | is_integrator

rules.add_perm("appraisal.view_appraisal", is_active_user)
rules.add_perm("appraisal.view_form", is_active_user & (sees_every_form | is_appraised | heads_form))
rules.add_perm("appraisal.manage_periods", is_hr)
rules.add_perm("appraisal.record_inspections", is_hr)
rules.add_perm("appraisal.view_inspections", is_hr | is_general_manager | is_administrator | is_department_head)
rules.add_perm("appraisal.sign_as_head", heads_form)
rules.add_perm("appraisal.calculate", is_hr & ~is_appraised)
# The general manager approves every score but their own; the committee approves theirs.
rules.add_perm("appraisal.approve", (is_general_manager | (is_committee_member & is_general_managers_form)) & ~is_appraised)
rules.add_perm("appraisal.publish", is_hr)
