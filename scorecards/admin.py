"""Scorecards in the admin are read-only: versions, approvals and links have rules that
live in services (read-only approved versions, weights adding up, links to the card above)."""

from django.contrib import admin

from bsc_site.admin import HistoryAdmin, ReadOnlyAdminMixin

from .models import CascadeLink, ChangeProposal, Scorecard, ScorecardLine, ScorecardVersion, SeasonalProfile


class VersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ScorecardVersion
    fields = ["number", "status", "effective_from", "convention", "approved_by", "approved_at"]
    extra = 0


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["year", "level", "owner_key", "created_at"]
    list_filter = ["year", "level"]
    list_select_related = ["department", "team", "post"]
    inlines = [VersionInline]


class LineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ScorecardLine
    fields = ["indicator", "perspective", "weight", "target", "method", "data_owner", "phasing"]
    extra = 0


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["scorecard", "number", "status", "effective_from", "approved_by"]
    list_filter = ["status", "scorecard__year", "scorecard__level"]
    list_select_related = ["scorecard__department", "scorecard__team", "scorecard__post", "approved_by"]
    inlines = [LineInline]


@admin.register(ScorecardLine)
class ScorecardLineAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["version", "indicator", "weight", "target", "method"]
    list_select_related = ["version__scorecard__department", "version__scorecard__team", "version__scorecard__post", "indicator"]
    search_fields = ["indicator__code"]


@admin.register(CascadeLink)
class CascadeLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["line", "upper_scorecard", "upper_indicator", "feed", "share"]
    list_select_related = [
        "line__version__scorecard__department", "line__version__scorecard__team", "line__version__scorecard__post",
        "line__indicator", "upper_scorecard__department", "upper_scorecard__team", "upper_scorecard__post", "upper_indicator",
    ]


@admin.register(SeasonalProfile)
class SeasonalProfileAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["code", "name_zh", "name_en"]


@admin.register(ChangeProposal)
class ChangeProposalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["scorecard", "proposed_by", "status", "created_at"]
    list_select_related = ["scorecard__department", "scorecard__team", "scorecard__post", "proposed_by"]
