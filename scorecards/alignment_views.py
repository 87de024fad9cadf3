"""Pages about how cards fit together and how they leave the app: the cascade tree, the
coverage of a card by the cards below it, the version history with differences, and the
Excel export and import of a card."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bsc_site.pages import require, xlsx_download, xlsx_import_page, year_of

from . import alignment, card_excel
from .selectors import scorecards_visible_to, versions_visible_to





@login_required
def cascade_tree(request):
    require(request, "scorecards.view_scorecards")
    year = year_of(request)
    tree = alignment.cascade_tree(year)
    visible = set(scorecards_visible_to(request.user).filter(year=year).values_list("pk", flat=True))
    rows = tree.rows
    covered = sum(1 for _depth, node in rows if node.has_card)
    context = {"year": year, "rows": rows, "visible": visible, "covered": covered, "owners": len(rows)}
    return render(request, "scorecards/cascade_tree.html", context)


@login_required
def scorecard_coverage(request, pk):
    require(request, "scorecards.view_scorecards")
    card = get_object_or_404(scorecards_visible_to(request.user), pk=pk)
    require(request, "scorecards.view_coverage", card)
    result = alignment.coverage_for(card) if card.level in alignment.LEVELS_WITH_CARDS_BELOW else None
    return render(request, "scorecards/coverage.html", {"card": card, "year": card.year, "result": result})


@login_required
def scorecard_history(request, pk):
    require(request, "scorecards.view_scorecards")
    card = get_object_or_404(scorecards_visible_to(request.user), pk=pk)
    versions = list(card.versions.select_related("created_by", "submitted_by", "approved_by").order_by("number"))
    comparisons = [alignment.version_diff_for(older, newer) for older, newer in zip(versions, versions[1:])]
    entries = list(zip(versions[1:], comparisons))[::-1]
    return render(request, "scorecards/history.html", {"card": card, "year": card.year, "first": versions[0], "entries": entries})


@login_required
def version_export(request, pk):
    require(request, "scorecards.view_scorecards")
    version = get_object_or_404(versions_visible_to(request.user), pk=pk)
    card = version.scorecard
    owner = getattr(card.owner, "code", "company")
    return xlsx_download(card_excel.export_version(version), f"scorecard-{card.year}-{owner}-v{version.number}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_import(request):
    require(request, "scorecards.edit_scorecards")

    def done(result):
        if result.created:
            messages.success(request, _("Scorecard imported as a new draft."))
        else:
            messages.success(request, _("The draft was replaced by the imported card."))
        return redirect("version-edit", pk=result.version.pk)

    return xlsx_import_page(request, "scorecards/import.html", lambda data: card_excel.import_scorecard(by=request.user, data=data), done)


@login_required
def import_template(request):
    require(request, "scorecards.edit_scorecards")
    return xlsx_download(card_excel.export_template(), "scorecard-template.xlsx")


