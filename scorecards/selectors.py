"""Reads of scorecards, scoped to what the user may see (scorecards.rules)."""

from django.db.models import Prefetch, Q, QuerySet

from organisation.roles import headed_department_ids
from organisation.rules import is_active_user, is_general_manager

from .models import CascadeLink, ChangeProposal, Level, Scorecard, ScorecardLine, ScorecardVersion, SeasonalProfile, VersionStatus
from .rules import _employee, sees_every_card


def _visible_filter(user) -> Q | None:
    """None: every card. Otherwise the cards the user may read."""
    if sees_every_card(user):
        return None
    visible = Q(level=Level.COMPANY)
    headed = headed_department_ids(user)
    if headed:
        visible |= Q(department_id__in=headed) | Q(team__department_id__in=headed) | Q(post__department_id__in=headed)
    employee = _employee(user)
    if employee is not None and employee.is_active:
        visible |= Q(level=Level.DEPARTMENT, department_id=employee.department_id) | Q(level=Level.POST, post_id=employee.post_id)
        if employee.team_id:
            visible |= Q(level=Level.TEAM, team_id=employee.team_id)
    return visible


def scorecards_visible_to(user) -> QuerySet[Scorecard]:
    if not is_active_user(user):
        return Scorecard.objects.none()
    cards = Scorecard.objects.select_related("department", "team__department", "post__department")
    visible = _visible_filter(user)
    return cards if visible is None else cards.filter(visible)


def versions_visible_to(user) -> QuerySet[ScorecardVersion]:
    cards = scorecards_visible_to(user)
    return ScorecardVersion.objects.filter(scorecard__in=cards).select_related(
        "scorecard__department", "scorecard__team__department", "scorecard__post__department"
    )


def lines_visible_to(user) -> QuerySet[ScorecardLine]:
    return with_line_details(ScorecardLine.objects.filter(version__in=versions_visible_to(user)))


def links_visible_to(user) -> QuerySet[CascadeLink]:
    return CascadeLink.objects.filter(line__in=lines_visible_to(user)).select_related(
        "line__version__scorecard", "line__indicator", "upper_scorecard", "upper_indicator"
    )


def proposals_visible_to(user) -> QuerySet[ChangeProposal]:
    """A proposal is between its proposer, the heads of the card's department and those who
    decide on cards (HR, administrators, the general manager)."""
    if not is_active_user(user):
        return ChangeProposal.objects.none()
    proposals = ChangeProposal.objects.filter(scorecard__in=scorecards_visible_to(user)).select_related(
        "scorecard", "proposed_by__employee", "answered_by"
    )
    if user.has_perm("scorecards.answer_proposal") or is_general_manager(user):
        return proposals
    headed = headed_department_ids(user)
    return proposals.filter(
        Q(proposed_by=user) | Q(scorecard__department_id__in=headed) | Q(scorecard__team__department_id__in=headed)
        | Q(scorecard__post__department_id__in=headed)
    )


def profiles_visible_to(user) -> QuerySet[SeasonalProfile]:
    if not is_active_user(user):
        return SeasonalProfile.objects.none()
    return SeasonalProfile.objects.all()


def with_line_details(lines: QuerySet[ScorecardLine]) -> QuerySet[ScorecardLine]:
    return lines.select_related("indicator", "perspective", "profile", "version__scorecard").prefetch_related(
        Prefetch("up_links", queryset=CascadeLink.objects.select_related("upper_scorecard", "upper_indicator"))
    )


def latest_version(scorecard: Scorecard) -> ScorecardVersion | None:
    return scorecard.versions.order_by("-number").first()


def approved_versions(scorecard: Scorecard) -> QuerySet[ScorecardVersion]:
    return scorecard.versions.filter(status=VersionStatus.APPROVED).order_by("number")


def version_for_month(scorecard: Scorecard, month: int) -> ScorecardVersion | None:
    """The approved version in force in a month of the card's year: the newest approved
    version effective from that month or earlier (approved versions start in later and
    later months, see services.approve_version)."""
    return (
        scorecard.versions.filter(status=VersionStatus.APPROVED, effective_from__lte=month).order_by("-number").first()
    )


def upper_card_keys(scorecard: Scorecard) -> list[str]:
    """The owner keys of the cards a card's lines may contribute to, nearest first."""
    from .models import owner_key

    if scorecard.level == Level.COMPANY:
        return []
    if scorecard.level == Level.DEPARTMENT:
        parent_id = scorecard.department.parent_id
        keys = [owner_key(Level.DEPARTMENT, department_id=parent_id)] if parent_id else []
        return keys + ["company"]
    return [owner_key(Level.DEPARTMENT, department_id=scorecard.owner_department_id)]


def upper_cards(scorecard: Scorecard) -> list[Scorecard]:
    keys = upper_card_keys(scorecard)
    cards = {card.owner_key: card for card in Scorecard.objects.filter(year=scorecard.year, owner_key__in=keys)}
    return [cards[key] for key in keys if key in cards]
