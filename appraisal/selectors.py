"""Reads of the appraisal, scoped to what the user may see (appraisal.rules)."""

from django.db.models import F, Q, QuerySet

from organisation.models import Role
from organisation.roles import headed_department_ids
from organisation.rules import is_active_user, is_committee_member, is_general_manager

from .models import Form, FormKind, FormStatus, Inspection, Period
from .rules import sees_every_form


def _line_managed(user) -> Q:
    """Forms the user signs as the person's line manager (rules.signs_as_line_manager)."""
    return Q(employee__line_manager__user=user) & _line_managed_department()


def _line_managed_department() -> Q:
    return Q(department__head__isnull=True) | Q(department__head=F("employee"))


def _top_of_organisation() -> Q:
    """The general manager's own forms (signed as head and approved by the committee)."""
    return Q(employee__user__groups__name=Role.GENERAL_MANAGER)


def periods_visible_to(user) -> QuerySet[Period]:
    if not is_active_user(user):
        return Period.objects.none()
    return Period.objects.select_related("opened_by")


def forms_visible_to(user) -> QuerySet[Form]:
    if not is_active_user(user):
        return Form.objects.none()
    forms = Form.objects.select_related(
        "period", "employee__user", "employee__line_manager", "department", "post", "scorecard_version__scorecard"
    )
    if sees_every_form(user):
        return forms
    return forms.filter(Q(employee__user=user) | Q(department_id__in=headed_department_ids(user)) | _line_managed(user))


def forms_to_sign(user) -> QuerySet[Form]:
    """Employees' forms signed by the person and waiting for this user's signature as head."""
    waiting = forms_visible_to(user).filter(status=FormStatus.EMPLOYEE_SIGNED, kind=FormKind.EMPLOYEE).exclude(employee__user=user)
    mine = Q(department_id__in=headed_department_ids(user)) | _line_managed(user)
    if is_committee_member(user):
        mine |= _top_of_organisation() & Q(employee__line_manager__isnull=True) & _line_managed_department()
    return waiting.filter(mine).distinct()


def forms_to_approve(user) -> QuerySet[Form]:
    """Calculated forms this user may approve: the general manager all but their own and
    those they calculated; the committee the general manager's."""
    waiting = forms_visible_to(user).filter(status=FormStatus.CALCULATED).exclude(employee__user=user).exclude(calculated_by=user)
    if is_general_manager(user):
        return waiting
    if is_committee_member(user):
        return waiting.filter(_top_of_organisation()).distinct()
    return waiting.none()


def inspections_visible_to(user) -> QuerySet[Inspection]:
    if not is_active_user(user):
        return Inspection.objects.none()
    inspections = Inspection.objects.select_related("department", "inspector")
    if user.has_perm("appraisal.record_inspections") or sees_every_form(user):
        return inspections
    return inspections.filter(department_id__in=headed_department_ids(user))
