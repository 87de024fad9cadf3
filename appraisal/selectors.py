"""Reads of the appraisal, scoped to what the user may see (appraisal.rules)."""

from django.db.models import Q, QuerySet

from organisation.roles import headed_department_ids
from organisation.rules import is_active_user

from .models import Form, Inspection, Period
from .rules import sees_every_form


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
    return forms.filter(
        Q(employee__user=user) | Q(department_id__in=headed_department_ids(user)) | Q(employee__line_manager__user=user)
    )


def inspections_visible_to(user) -> QuerySet[Inspection]:
    if not is_active_user(user):
        return Inspection.objects.none()
    inspections = Inspection.objects.select_related("department", "inspector")
    if user.has_perm("appraisal.record_inspections") or sees_every_form(user):
        return inspections
    return inspections.filter(department_id__in=headed_department_ids(user))
