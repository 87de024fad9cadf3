"""Who may see and move appraisal forms.

The person appraised sees their own form (the score only once it is published); a
department head the forms of the departments they head; HR, the general manager, the
performance committee, administrators and integrator tokens every form. HR opens periods,
enters data, calculates and publishes; the head signs; the general manager approves.
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


@rules.predicate
def heads_form(user, form):
    """A head of the form's department, or the person's line manager (who signs for the
    heads of top-level departments), for someone else's form."""
    if form is None or form.employee.user_id == user.pk:
        return False
    if form.department_id in headed_department_ids(user):
        return True
    manager = form.employee.line_manager
    return manager is not None and manager.user_id == user.pk


sees_every_form = is_hr | is_general_manager | is_committee_member | is_administrator | is_integrator

rules.add_perm("appraisal.view_appraisal", is_active_user)
rules.add_perm("appraisal.view_form", is_active_user & (sees_every_form | is_appraised | heads_form))
rules.add_perm("appraisal.manage_periods", is_hr)
rules.add_perm("appraisal.record_inspections", is_hr)
rules.add_perm("appraisal.view_inspections", is_hr | is_general_manager | is_administrator | is_department_head)
rules.add_perm("appraisal.sign_as_head", heads_form)
rules.add_perm("appraisal.calculate", is_hr & ~is_appraised)
rules.add_perm("appraisal.approve", is_general_manager & ~is_appraised)
rules.add_perm("appraisal.publish", is_hr)
