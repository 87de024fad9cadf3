"""Read-only in the admin: bands and rules are checked together on the grades page, and a
result is what publication fixed."""

from django.contrib import admin

from bsc_site.admin import ReadOnlyAdminMixin

from .models import (
    Appeal,
    AppealComment,
    DistributionRule,
    DistributionWaiver,
    FormResult,
    GradeBand,
    ImprovementPlan,
    Interview,
    InterviewSignature,
    PayBase,
    PlanItem,
    ResultSettings,
)


@admin.register(GradeBand, DistributionRule, ResultSettings, PayBase, DistributionWaiver, Interview, InterviewSignature, Appeal, AppealComment, ImprovementPlan, PlanItem)
class ResultsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(FormResult)
class FormResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["form", "grade", "department_rank", "company_rank", "pay"]
    list_select_related = ["form__period", "form__employee"]
