from django.contrib import admin

from bsc_site.admin import HistoryAdmin, ReadOnlyAdminMixin

from .models import Measure, Objective, ObjectiveLink, Perspective, StrategyPlan, TaskAssignment


@admin.register(Perspective)
class PerspectiveAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "sort_order"]


@admin.register(StrategyPlan)
class StrategyPlanAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["year", "status", "approved_by", "approved_at"]
    list_select_related = ["approved_by"]


@admin.register(Objective)
class ObjectiveAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "plan", "perspective", "owner_department"]
    list_select_related = ["plan", "perspective", "owner_department"]
    list_filter = ["plan", "perspective"]


@admin.register(ObjectiveLink)
class ObjectiveLinkAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["source", "target"]
    list_select_related = ["source", "target"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "objective"]
    list_select_related = ["objective"]


@admin.register(TaskAssignment)
class TaskAssignmentAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["measure", "department", "role"]
    list_select_related = ["measure", "department"]
