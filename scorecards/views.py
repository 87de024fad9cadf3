"""Scorecard pages: the list of a year's cards, a card with its versions, the editor, a
line's details with its phasing and cascade links, the workflow buttons, seasonal profiles
and change proposals. Coverage, the cascade tree, history and Excel: alignment_views.py."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bsc_site.numbers import plain
from bsc_site.pages import act, apply_form, form_page, posted, require, year_of
from indicators.models import Indicator, IndicatorStatus
from indicators.rounds import rounds_visible_to
from indicators.selectors import indicators_visible_to, search_indicators
from strategy.models import Perspective

from . import card_rules, services
from .forms import (
    AnswerForm,
    CardEditorForm,
    CopyYearForm,
    CreateScorecardForm,
    LineForm,
    LinkForm,
    NewVersionForm,
    ProfileForm,
    ProposalForm,
    ReturnForm,
    WeightingForm,
)
from .models import LEVEL_ORDER, Level, ProposalStatus, Scorecard, ScorecardLine, ScorecardVersion, VersionStatus
from .phasing_chart import month_chart
from .selectors import (
    latest_version,
    lines_visible_to,
    links_visible_to,
    profiles_visible_to,
    proposals_visible_to,
    scorecards_visible_to,
    upper_cards,
    versions_visible_to,
)



def _card(request, pk) -> Scorecard:
    require(request, "scorecards.view_scorecards")
    return get_object_or_404(scorecards_visible_to(request.user), pk=pk)


def _version(request, pk) -> ScorecardVersion:
    require(request, "scorecards.view_scorecards")
    return get_object_or_404(versions_visible_to(request.user), pk=pk)


def _line(request, pk) -> ScorecardLine:
    require(request, "scorecards.view_scorecards")
    return get_object_or_404(lines_visible_to(request.user), pk=pk)




def _lines_of(version) -> list[ScorecardLine]:
    return list(
        version.lines.select_related("indicator", "perspective", "profile").prefetch_related("up_links__upper_scorecard", "up_links__upper_indicator")
    )


def _groups(version, lines, perspectives):
    """Lines by perspective with each group's sum and the effective weight of each line."""
    effective = card_rules.unrounded_effective_weights(services.rule_card(version, lines))
    groups = []
    for perspective in perspectives:
        group = [line for line in lines if line.perspective_id == perspective.pk]
        for line in group:
            line.effective_weight = effective.get(str(line.pk), Decimal(0)).quantize(Decimal("0.01"))
        groups.append({
            "perspective": perspective,
            "weight": version.weight_of(perspective.code),
            "lines": group,
            "sum": sum((line.weight for line in group if line.indicator.type != "NNI"), Decimal(0)),
        })
    return groups, sum(effective.values(), Decimal(0)).quantize(Decimal("0.01"))


def _problems(version, lines):
    by_line: dict[str, list[str]] = {}
    card = []
    for problem in services.card_problems(version, lines):
        message = services.problem_message(problem)
        if problem.line_key:
            by_line.setdefault(problem.line_key, []).append(message)
        else:
            card.append(message)
    for line in lines:
        line.problems = by_line.get(str(line.pk), [])
    return card, sum(len(messages) for messages in by_line.values()) + len(card)


# ---------------------------------------------------------------------------------------
# Lists and cards


@login_required
def scorecard_list(request):
    require(request, "scorecards.view_scorecards")
    year = year_of(request)
    cards = list(
        scorecards_visible_to(request.user).filter(year=year).prefetch_related(
            Prefetch("versions", queryset=ScorecardVersion.objects.annotate(line_count=Count("lines")).order_by("number"))
        )
    )
    for card in cards:
        versions = list(card.versions.all())
        card.latest = versions[-1] if versions else None
        card.in_force = next((v for v in reversed(versions) if v.status == VersionStatus.APPROVED), None)
    cards.sort(key=lambda card: (LEVEL_ORDER[card.level], card.owner_name))
    levels = [(label, [card for card in cards if card.level == value]) for value, label in Level.choices]
    years = sorted(set(scorecards_visible_to(request.user).values_list("year", flat=True)) | {year}, reverse=True)
    context = {
        "year": year, "years": years, "levels": levels, "count": len(cards),
        "can_edit": request.user.has_perm("scorecards.edit_scorecards"),
        "uncovered": _uncovered_posts(request.user, year) if request.user.has_perm("scorecards.edit_scorecards") else [],
    }
    return render(request, "scorecards/scorecard_list.html", context)


def _uncovered_posts(user, year):
    """Posts with active holders but no card in the year: people nobody appraises."""
    from organisation.models import Post

    carded = Scorecard.objects.filter(year=year, level=Level.POST).values("post_id")
    return list(
        Post.objects.filter(is_active=True, holders__is_active=True).exclude(pk__in=carded).distinct()
        .select_related("department").annotate(people=Count("holders", filter=Q(holders__is_active=True)))
    )


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_create(request):
    require(request, "scorecards.edit_scorecards")
    initial = {key: request.GET[key] for key in ("year", "level", "department", "post", "team", "start") if key in request.GET}
    form = CreateScorecardForm(posted(request), initial=initial)
    created = {}

    def create(data):
        by, year = request.user, data["year"]
        if data["start"] == form.START_MATRIX:
            if data["department"] is None:
                raise ValidationError({"department": _("Choose the department.")})
            created["card"] = services.generate_department_card(by=by, year=year, department=data["department"])
        elif data["start"] == form.START_DEPARTMENT_CARD:
            if data["post"] is None:
                raise ValidationError({"post": _("Choose the post.")})
            created["card"] = services.generate_post_card(by=by, year=year, post=data["post"])
        else:
            created["card"] = services.create_scorecard(
                by=by, year=year, level=data["level"], department=data["department"] if data["level"] == Level.DEPARTMENT else None,
                team=data["team"] if data["level"] == Level.TEAM else None, post=data["post"] if data["level"] == Level.POST else None,
            )

    if request.method == "POST" and apply_form(form, create):
        messages.success(request, _("Scorecard created. Fill in the lines, then submit it for approval."))
        return redirect("version-edit", pk=latest_version(created["card"]).pk)
    return render(request, "scorecards/scorecard_create.html", {"form": form})


@login_required
def scorecard_detail(request, pk):
    card = _card(request, pk)
    versions = list(card.versions.select_related("created_by", "submitted_by", "approved_by").order_by("number"))
    chosen = request.GET.get("version")
    user = request.user
    # Those who do not edit cards open on the newest approved version, not on HR's draft.
    default = versions[-1]
    if not user.has_perm("scorecards.edit_scorecards"):
        default = next((v for v in reversed(versions) if v.status == VersionStatus.APPROVED), default)
    version = next((v for v in versions if str(v.number) == chosen), None) or default
    perspectives = list(Perspective.objects.all())
    lines = _lines_of(version)
    groups, total = _groups(version, lines, perspectives)
    card_problems, problem_count = _problems(version, lines)
    approved = [v for v in versions if v.status == VersionStatus.APPROVED]
    for v in versions:
        later = next((a for a in approved if a.number > v.number), None)
        v.from_name = MONTHS[v.effective_from]
        v.until_name = MONTHS[later.effective_from - 1 if later else 12]
    can_edit = user.has_perm("scorecards.edit_scorecards")
    latest = versions[-1]
    context = {
        "card": card, "version": version, "versions": versions, "latest": latest, "groups": groups, "total": total,
        "card_problems": card_problems, "problem_count": problem_count,
        "can_edit": can_edit and version.status == VersionStatus.DRAFT,
        "can_submit": can_edit and version.status == VersionStatus.DRAFT,
        "can_approve": user.has_perm("scorecards.approve_scorecard", card) and version.status == VersionStatus.SUBMITTED,
        "can_new_version": can_edit and latest.status == VersionStatus.APPROVED,
        "can_delete": can_edit and all(v.status == VersionStatus.DRAFT for v in versions),
        "can_propose": user.has_perm("scorecards.propose_change", card),
        "can_answer": user.has_perm("scorecards.answer_proposal", card),
        "new_version_form": NewVersionForm(initial={"effective_from": min(12, (approved[-1].effective_from if approved else 0) + 1)}),
        "return_form": ReturnForm(),
        "proposal_form": ProposalForm(),
        "answer_form": AnswerForm(),
        "proposals": list(proposals_visible_to(user).filter(scorecard=card)),
        "down_count": card.down_links.count(),
    }
    return render(request, "scorecards/scorecard_detail.html", context)


@login_required
@require_POST
def scorecard_delete(request, pk):
    card = _card(request, pk)
    require(request, "scorecards.edit_scorecards")
    year = card.year
    if act(request, lambda: services.delete_scorecard(by=request.user, scorecard=card), _("Scorecard deleted.")):
        return redirect(f"{reverse('scorecard-list')}?year={year}")
    return redirect("scorecard-detail", pk=card.pk)


@login_required
@require_POST
def scorecard_new_version(request, pk):
    card = _card(request, pk)
    require(request, "scorecards.edit_scorecards")
    form = NewVersionForm(request.POST)
    created = {}
    if form.is_valid():
        data = form.cleaned_data
        if act(
            request,
            lambda: created.setdefault("v", services.new_version(by=request.user, scorecard=card, effective_from=data["effective_from"], note=data["note"])),
            _("A new draft version was made from the approved one. Change it, then submit it."),
        ):
            return redirect("version-edit", pk=created["v"].pk)
    else:
        messages.error(request, _("Choose the month the new version starts and say why the card changes."))
    return redirect("scorecard-detail", pk=card.pk)


# ---------------------------------------------------------------------------------------
# The editor


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request, pk):
    version = _version(request, pk)
    require(request, "scorecards.edit_scorecards")
    if version.status != VersionStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited; make a new version of an approved card."))
        return redirect("scorecard-detail", pk=version.scorecard_id)
    perspectives = list(Perspective.objects.all())
    lines = _lines_of(version)
    form = CardEditorForm(posted(request), version=version, lines=lines, perspectives=perspectives)
    if request.method == "POST":
        if apply_form(form, lambda _data: services.save_card(by=request.user, version=version, settings=form.settings(), lines=form.line_values())):
            messages.success(request, _("Scorecard saved."))
            return redirect("version-edit", pk=version.pk)
        count = sum(len(errors) for errors in form.errors.values())
        messages.error(request, ngettext("Not saved: %(n)s problem, shown next to its field.", "Not saved: %(n)s problems, shown next to their fields.", count) % {"n": count})
        version.refresh_from_db()
        lines = _lines_of(version)
    groups, total = _groups(version, lines, perspectives)
    card_problems, problem_count = _problems(version, lines)
    for group in groups:
        group["field"] = form.perspective_field(group["perspective"])
        for line in group["lines"]:
            line.fields = {name: form.line_field(line, name) for name in CardEditorForm.LINE_FIELDS}
    context = {
        "version": version, "card": version.scorecard, "form": form, "groups": groups, "total": total,
        "card_problems": card_problems, "problem_count": problem_count,
        "allowed_types": ", ".join(sorted(card_rules.ALLOWED_TYPES[card_rules.Level(version.scorecard.level)])),
        "max_lines": services.get_company().max_scorecard_lines, "line_count": len(lines),
        "weighting_form": WeightingForm(rounds=_closed_rounds(request.user)),
    }
    return render(request, "scorecards/version_edit.html", context)


def _closed_rounds(user):
    return rounds_visible_to(user).filter(status="closed").order_by("-closed_at")


@login_required
@require_GET
def indicator_search(request, pk):
    """The editor's library search: indicators the card's level allows and it lacks."""
    version = _version(request, pk)
    require(request, "scorecards.edit_scorecards")
    allowed = card_rules.ALLOWED_TYPES[card_rules.Level(version.scorecard.level)]
    found = search_indicators(
        indicators_visible_to(request.user).filter(status=IndicatorStatus.ACTIVE, type__in=allowed).exclude(scorecard_lines__version=version),
        text=request.GET.get("q", "").strip()[:100], perspective=request.GET.get("perspective", "") if request.GET.get("perspective", "").isdigit() else None,
    ).select_related("perspective")[:25]
    return render(request, "scorecards/_indicator_results.html", {"version": version, "indicators": found, "q": request.GET.get("q", "")})


@login_required
@require_POST
def line_add(request, pk):
    version = _version(request, pk)
    require(request, "scorecards.edit_scorecards")
    indicator = indicators_visible_to(request.user).filter(pk=request.POST.get("indicator") or 0).first()
    if indicator is None:
        messages.error(request, _("Choose an indicator from the library."))
    else:
        try:
            services.save_line(by=request.user, version=version, indicator=indicator)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(code)s added. Give it a weight and a target.") % {"code": indicator.code})
    return redirect(reverse("version-edit", args=[version.pk]) + "#lines")


@login_required
@require_POST
def version_weighting(request, pk):
    version = _version(request, pk)
    require(request, "scorecards.edit_scorecards")
    form = WeightingForm(request.POST, rounds=_closed_rounds(request.user))
    if form.is_valid():
        data = form.cleaned_data
        perspective = data["perspective"].code if data["perspective"] else None
        act(
            request,
            lambda: services.apply_weighting_round(by=request.user, version=version, round=data["round"], target=data["target"], perspective=perspective),
            _("Weights taken from the round “%(round)s”.") % {"round": data["round"].name},
        )
    else:
        messages.error(request, _("Choose a closed round."))
    return redirect("version-edit", pk=version.pk)


# ---------------------------------------------------------------------------------------
# Workflow


@login_required
@require_POST
def version_submit(request, pk):
    version = _version(request, pk)
    require(request, "scorecards.edit_scorecards")
    act(request, lambda: services.submit_version(by=request.user, version=version), _("Submitted for approval."))
    return redirect("scorecard-detail", pk=version.scorecard_id)


@login_required
@require_POST
def version_approve(request, pk):
    version = _version(request, pk)
    require(request, "scorecards.approve_scorecard", version.scorecard)
    act(request, lambda: services.approve_version(by=request.user, version=version), _("Approved."))
    return redirect(f"{reverse('scorecard-detail', args=[version.scorecard_id])}?version={version.number}")


@login_required
@require_POST
def version_return(request, pk):
    version = _version(request, pk)
    require(request, "scorecards.approve_scorecard", version.scorecard)
    note = request.POST.get("note", "")
    act(request, lambda: services.return_version(by=request.user, version=version, note=note), _("Sent back to draft."))
    return redirect("scorecard-detail", pk=version.scorecard_id)


@login_required
@require_POST
def version_delete(request, pk):
    version = _version(request, pk)
    require(request, "scorecards.edit_scorecards")
    act(request, lambda: services.delete_version(by=request.user, version=version), _("Draft version deleted."))
    return redirect("scorecard-detail", pk=version.scorecard_id)


# ---------------------------------------------------------------------------------------
# A line


def _link_targets(line):
    """(value, label) of every line on the cards directly above."""
    targets = []
    for upper in upper_cards(line.version.scorecard):
        version = latest_version(upper)
        for upper_line in version.lines.select_related("indicator").order_by("perspective__sort_order", "sort_order"):
            targets.append((f"{upper.pk}:{upper_line.indicator_id}", f"{upper.owner_name} · {upper_line.indicator.code} {upper_line.indicator.display_name}"))
    return targets


@login_required
@require_http_methods(["GET", "POST"])
def line_detail(request, pk):
    line = _line(request, pk)
    version = line.version
    editable = version.status == VersionStatus.DRAFT and request.user.has_perm("scorecards.edit_scorecards")
    if request.method == "POST" and not editable:
        require(request, "scorecards.edit_scorecards")
        messages.error(request, _("Only a draft can be edited; make a new version of an approved card."))
        return redirect("line-detail", pk=line.pk)
    form = LineForm(posted(request), instance=line)
    if request.method == "POST":
        saved = {}
        if apply_form(form, lambda _data: saved.setdefault("line", services.save_line(by=request.user, version=version, line=line, **form.service_fields()))):
            messages.success(request, _("Line saved."))
            return redirect("line-detail", pk=line.pk)
        line.refresh_from_db()
    month_names = [str(MONTHS[number]) for number in range(1, 13)]
    months = line.month_values()
    context = {
        "line": line, "version": version, "card": version.scorecard, "form": form, "editable": editable,
        "months": list(zip(month_names, months)), "quarters": services.line_quarters(line),
        "difference": plain(difference) if (difference := services.phasing_difference(line)) else None,
        "chart": mark_safe(month_chart(months, month_names, title=_("Monthly targets"))) if months else "",
        "links": list(line.up_links.select_related("upper_scorecard", "upper_indicator")),
        "link_form": LinkForm(targets=_link_targets(line)) if editable else None,
    }
    return render(request, "scorecards/line_detail.html", context)


@login_required
@require_POST
def line_delete(request, pk):
    line = _line(request, pk)
    require(request, "scorecards.edit_scorecards")
    version_pk = line.version_id
    act(request, lambda: services.delete_line(by=request.user, line=line), _("Line removed."))
    return redirect("version-edit", pk=version_pk)


@login_required
@require_POST
def link_create(request, pk):
    line = _line(request, pk)
    require(request, "scorecards.edit_scorecards")
    form = LinkForm(request.POST, targets=_link_targets(line))
    if form.is_valid():
        card_pk, indicator_pk = form.upper_ids()
        upper = get_object_or_404(Scorecard, pk=card_pk)
        indicator = get_object_or_404(Indicator, pk=indicator_pk)
        data = form.cleaned_data
        act(
            request,
            lambda: services.link_line(by=request.user, line=line, upper_scorecard=upper, upper_indicator=indicator, feed=data["feed"], share=data["share"]),
            _("Link saved."),
        )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("line-detail", args=[line.pk]) + "#links")


@login_required
@require_POST
def link_delete(request, pk):
    require(request, "scorecards.view_scorecards")
    link = get_object_or_404(links_visible_to(request.user), pk=pk)
    require(request, "scorecards.edit_scorecards")
    act(request, lambda: services.unlink_line(by=request.user, link=link), _("Link removed."))
    return redirect(reverse("line-detail", args=[link.line_id]) + "#links")


# ---------------------------------------------------------------------------------------
# Year-wide actions, profiles and proposals


@login_required
@require_http_methods(["GET", "POST"])
def copy_year(request):
    require(request, "scorecards.edit_scorecards")
    this_year = timezone.localdate().year
    form = CopyYearForm(posted(request), initial={"from_year": this_year, "to_year": this_year + 1})
    result = {}
    if request.method == "POST" and apply_form(
        form, lambda d: result.setdefault("r", services.copy_year(by=request.user, from_year=d["from_year"], to_year=d["to_year"]))
    ):
        created, skipped = result["r"]
        messages.success(
            request, _("%(created)s scorecards copied as drafts; %(skipped)s skipped (already there or owner inactive).")
            % {"created": len(created), "skipped": len(skipped)}
        )
        return redirect(f"{reverse('scorecard-list')}?year={form.cleaned_data['to_year']}")
    return form_page(request, form, title=_("Copy a year's scorecards"), back=reverse("scorecard-list"))


@login_required
def profile_list(request):
    require(request, "scorecards.view_scorecards")
    profiles = list(profiles_visible_to(request.user).annotate(uses=Count("lines")))
    month_names = [str(MONTHS[number]) for number in range(1, 13)]
    for profile in profiles:
        profile.chart = mark_safe(month_chart(profile.share_values(), month_names, title=profile.display_name))
    return render(request, "scorecards/profile_list.html", {"profiles": profiles, "can_edit": request.user.has_perm("scorecards.edit_scorecards")})


@login_required
@require_http_methods(["GET", "POST"])
def profile_create(request):
    require(request, "scorecards.edit_scorecards")
    form = ProfileForm(posted(request))
    if request.method == "POST" and apply_form(form, lambda d: services.save_profile(by=request.user, shares=d.pop("share_text"), **d)):
        messages.success(request, _("Profile saved."))
        return redirect("profile-list")
    return form_page(request, form, title=_("New seasonal profile"), back=reverse("profile-list"))


@login_required
@require_http_methods(["GET", "POST"])
def profile_update(request, pk):
    require(request, "scorecards.edit_scorecards")
    profile = get_object_or_404(profiles_visible_to(request.user), pk=pk)
    form = ProfileForm(posted(request), instance=profile)
    if request.method == "POST" and apply_form(form, lambda d: services.save_profile(by=request.user, profile=profile, shares=d.pop("share_text"), **d)):
        messages.success(request, _("Profile saved; draft lines phased by it were phased again."))
        return redirect("profile-list")
    return form_page(request, form, title=_("Seasonal profile %(code)s") % {"code": profile.code}, back=reverse("profile-list"))


@login_required
@require_POST
def profile_delete(request, pk):
    require(request, "scorecards.edit_scorecards")
    profile = get_object_or_404(profiles_visible_to(request.user), pk=pk)
    act(request, lambda: services.delete_profile(by=request.user, profile=profile), _("Profile deleted."))
    return redirect("profile-list")


@login_required
@require_POST
def proposal_create(request, pk):
    card = _card(request, pk)
    require(request, "scorecards.propose_change", card)
    form = ProposalForm(request.POST)
    if form.is_valid():
        act(request, lambda: services.propose_change(by=request.user, scorecard=card, text=form.cleaned_data["text"]), _("Proposal sent to HR."))
    else:
        messages.error(request, _("Describe the change you propose."))
    return redirect(reverse("scorecard-detail", args=[card.pk]) + "#proposals")


@login_required
@require_POST
def proposal_answer(request, pk):
    require(request, "scorecards.view_scorecards")
    proposal = get_object_or_404(proposals_visible_to(request.user), pk=pk)
    require(request, "scorecards.answer_proposal", proposal.scorecard)
    form = AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        act(
            request,
            lambda: services.answer_proposal(by=request.user, proposal=proposal, status=data["status"], answer=data["answer"]),
            _("Answer saved.") if data["status"] == ProposalStatus.ACCEPTED else _("Proposal declined."),
        )
    else:
        messages.error(request, _("Accept or decline the proposal."))
    return redirect(reverse("scorecard-detail", args=[proposal.scorecard_id]) + "#proposals")

