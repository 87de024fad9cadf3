"""The appraisal in the admin is read-only: every change goes through the services, which
check the workflow, segregation of duties and signatures, and keep the history append-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bsc_site.admin import HistoryAdmin, ReadOnlyAdminMixin

from .models import Evidence, Form, FormValue, Inspection, InspectionEntry, Notification, Period, RatingRequest, Signature, Transition


class ReadOnly(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["__str__", "status", "deadline", "opened_by"]
    list_select_related = ["opened_by"]


@admin.register(Form)
class FormAdmin(ReadOnly):
    list_display = ["period", "employee", "kind", "department", "status", "total"]
    list_filter = ["status", "kind", "period"]
    list_select_related = ["period", "employee", "department"]
    search_fields = ["employee__employee_number", "employee__name_en", "employee__name_zh"]


@admin.register(FormValue)
class FormValueAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["form", "line_key", "actual", "not_applicable", "entered_by"]
    list_select_related = ["form__period", "form__employee", "entered_by"]


@admin.register(Signature)
class SignatureAdmin(ReadOnly):
    list_display = ["form", "role", "user", "signed_at", "voided_at"]
    list_select_related = ["form__period", "form__employee", "user"]


@admin.register(Transition)
class TransitionAdmin(ReadOnly):
    list_display = ["form", "action", "from_status", "to_status", "by", "at"]
    list_select_related = ["form__period", "form__employee", "by"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["date", "department", "inspector"]
    list_select_related = ["department", "inspector"]


@admin.register(InspectionEntry)
class InspectionEntryAdmin(ReadOnly):
    list_display = ["inspection", "employee", "status"]
    list_select_related = ["inspection__department", "employee"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnly):
    list_display = ["value", "name", "uploaded_by", "uploaded_at"]
    list_select_related = ["value__form__period", "value__form__employee", "uploaded_by"]


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ["user", "text", "created_at", "read_at"]
    list_select_related = ["user"]


@admin.register(RatingRequest)
class RatingRequestAdmin(ReadOnly):
    """Who rates whom and whether they have answered; never the answer, here as on every
    page (a 360° answer is seen by its rater alone)."""

    list_display = ["form", "line_key", "rater", "relation", "answered"]
    list_select_related = ["form__period", "form__employee", "rater"]
    exclude = ["level", "comment"]

    @admin.display(boolean=True, description=_("answered"))
    def answered(self, obj):
        return obj.level is not None
