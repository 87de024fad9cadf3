from django.contrib import admin

from bsc_site.admin import HistoryAdmin, ReadOnlyAdminMixin

from .models import ExpertInvitation, Indicator, WeightingRound


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "type", "perspective", "scoring_method", "status"]
    list_select_related = ["perspective"]
    list_filter = ["type", "perspective", "status", "scoring_method"]
    search_fields = ["code", "name_zh", "name_en"]
    filter_horizontal = ["measures"]


class ExpertInvitationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ExpertInvitation
    extra = 0


@admin.register(WeightingRound)
class WeightingRoundAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["name", "method", "status", "created_by", "created_at"]
    list_select_related = ["created_by"]
    inlines = [ExpertInvitationInline]


@admin.register(ExpertInvitation)
class ExpertInvitationAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["round", "expert", "panel_group", "submitted_at"]
    list_select_related = ["round", "expert"]
