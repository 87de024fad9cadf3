"""The alignment of scorecards, read from the database: how the cards below a card cover
it (``coverage_for``), the cascade of a year's cards down the organisation
(``cascade_tree``) and what changed between two versions of a card (``version_diff_for``).

The rules are the pure modules ``coverage`` and ``version_diff``; this module loads the
cards with a small, fixed number of queries (no query per card or per line) and turns the
results into translated text for the pages. It does not check who may see what: the
caller passes cards the user may read (``selectors.scorecards_visible_to``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.template.defaultfilters import yesno
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from bsc_site.numbers import plain
from organisation.models import Company, Department, Post, Team
from strategy.models import Perspective

from . import card_rules, coverage, version_diff
from .models import LEVEL_ORDER, CascadeLink, Level, Scorecard, ScorecardLine, ScorecardVersion

__all__ = [
    "LEVELS_WITH_CARDS_BELOW",
    "CardCoverage",
    "FieldChange",
    "FieldValue",
    "LineChanges",
    "LineValues",
    "LowerCardVersion",
    "TreeNode",
    "VersionComparison",
    "cascade_tree",
    "coverage_for",
    "version_diff_for",
]

EMPTY = "—"
# Team and post cards have no cards below them.
LEVELS_WITH_CARDS_BELOW = (Level.COMPANY, Level.DEPARTMENT)




def _newest_number() -> Subquery:
    return Subquery(ScorecardVersion.objects.filter(scorecard=OuterRef("scorecard")).order_by("-number").values("number")[:1])


def _latest_versions(card_ids: Iterable[int]) -> QuerySet[ScorecardVersion]:
    """The newest version of each card (one query)."""
    return ScorecardVersion.objects.filter(scorecard_id__in=list(card_ids), number=_newest_number())


# ---------------------------------------------------------------------------------------
# Coverage


@dataclass(frozen=True)
class LowerCardVersion:
    """A card below the covered card, the version its lines were read from (its newest,
    whatever its status) and how much of it is linked to the covered card."""

    scorecard: Scorecard
    version: ScorecardVersion
    alignment: coverage.CardAlignment


@dataclass(frozen=True)
class CardCoverage:
    """The coverage of a card's lines (of ``version``, its newest version) by the cards
    directly below it. ``lower`` is in the order of ``coverage.cards``; ``by_key`` finds a
    lower card by its owner key (the key the coverage results use)."""

    scorecard: Scorecard
    version: ScorecardVersion
    lower: tuple[LowerCardVersion, ...]
    coverage: coverage.Coverage
    messages: tuple[str, ...]  # coverage.problems, translated

    @property
    def by_key(self) -> Mapping[str, LowerCardVersion]:
        return MappingProxyType({item.scorecard.owner_key: item for item in self.lower})


def _owner_sort_key(card: Scorecard) -> tuple:
    owner = card.owner
    sort_order = getattr(owner, "sort_order", 0) if owner is not None else 0
    return (LEVEL_ORDER[card.level], sort_order, getattr(owner, "code", ""), card.pk)


def _structural_below(scorecard: Scorecard) -> Q:
    """The cards directly below a card in the organisation."""
    if scorecard.level == Level.COMPANY:
        return Q(level=Level.DEPARTMENT, department__parent__isnull=True)
    department_id = scorecard.department_id
    return (
        Q(level=Level.DEPARTMENT, department__parent_id=department_id)
        | Q(level=Level.TEAM, team__department_id=department_id)
        | Q(level=Level.POST, post__department_id=department_id)
    )


def _is_below(scorecard: Scorecard, card: Scorecard) -> bool:
    """Python's ``_structural_below`` for a loaded card."""
    if scorecard.level == Level.COMPANY:
        return card.level == Level.DEPARTMENT and card.department.parent_id is None
    if card.level == Level.DEPARTMENT:
        return card.department.parent_id == scorecard.department_id
    return card.owner_department_id == scorecard.department_id


def _effective_weights(version: ScorecardVersion, lines: list[ScorecardLine]) -> dict[int, Decimal]:
    """Each line's effective weight in its card, unrounded (card_rules)."""
    card = card_rules.Card(
        level=version.scorecard.level,
        convention=version.convention,
        perspective_weights={code: Decimal(str(weight)) for code, weight in version.perspective_weights.items()},
        lines=[
            card_rules.CardLine(
                key=str(line.pk), indicator_code=line.indicator.code, indicator_type=line.indicator.type,
                perspective=line.perspective.code, weight=line.weight if line.weight is not None else Decimal(0),
                target=line.target, method=line.method,
            )
            for line in lines
        ],
    )
    weights = card_rules.unrounded_effective_weights(card)
    return {line.pk: max(weights[str(line.pk)], Decimal(0)) for line in lines}


def coverage_for(scorecard: Scorecard) -> CardCoverage:
    """How the cards directly below a company or department card cover its lines, each
    card read at its newest version.

    Below the company card: the top-level departments' cards, and any other card of the
    year with a line linked to the company card (a sub-department's, say). Below a
    department card: its sub-departments', teams' and posts' cards. Only links to
    ``scorecard`` count. Four queries, whatever the number of cards and lines.
    A team or post card has nothing below it: ``ValueError``."""
    if scorecard.level not in LEVELS_WITH_CARDS_BELOW:
        raise ValueError(f"A {scorecard.level} card has no cards below it.")
    linked_cards = CascadeLink.objects.filter(upper_scorecard=scorecard).values("line__version__scorecard_id")
    structural = _structural_below(scorecard)
    candidates = list(
        Scorecard.objects.filter(year=scorecard.year)
        .filter(structural | Q(pk__in=linked_cards))
        .exclude(pk=scorecard.pk)
        .select_related("department", "team", "post")
    )
    up_links = CascadeLink.objects.filter(upper_scorecard=scorecard).select_related("upper_indicator")
    lines = ScorecardLine.objects.select_related("indicator", "perspective").prefetch_related(Prefetch("up_links", queryset=up_links))
    versions = {
        version.scorecard_id: version
        for version in _latest_versions([scorecard.pk] + [card.pk for card in candidates]).prefetch_related(
            Prefetch("lines", queryset=lines)
        )
    }
    upper_version = versions[scorecard.pk]
    upper_version.scorecard = scorecard
    upper_lines = [
        coverage.UpperLine(key=str(line.pk), indicator_code=line.indicator.code, label=line.indicator.display_name)
        for line in upper_version.lines.all()
    ]

    lower: list[tuple[Scorecard, ScorecardVersion]] = []
    lower_cards: list[coverage.LowerCard] = []
    for card in sorted(candidates, key=_owner_sort_key):
        version = versions.get(card.pk)
        if version is None:
            continue
        version.scorecard = card
        card_lines = list(version.lines.all())
        if not _is_below(scorecard, card) and not any(line.up_links.all() for line in card_lines):
            continue  # an older version linked to the card, the newest no longer does
        weights = _effective_weights(version, card_lines)
        lower.append((card, version))
        lower_cards.append(
            coverage.LowerCard(
                owner_key=card.owner_key,
                owner_label=card.owner_name,
                lines=[
                    coverage.LowerLine(
                        key=str(line.pk), indicator_code=line.indicator.code, weight=weights[line.pk],
                        links=[
                            coverage.Link(upper_indicator_code=link.upper_indicator.code, feed=link.feed, share=link.share)
                            for link in line.up_links.all()
                        ],
                    )
                    for line in card_lines
                ],
            )
        )
    result = coverage.compute_coverage(upper_lines, lower_cards)
    return CardCoverage(
        scorecard=scorecard,
        version=upper_version,
        lower=tuple(
            LowerCardVersion(scorecard=card, version=version, alignment=alignment)
            for (card, version), alignment in zip(lower, result.cards, strict=True)
        ),
        coverage=result,
        messages=tuple(_(problem.template) % dict(problem.params) for problem in result.problems),
    )


# ---------------------------------------------------------------------------------------
# The cascade tree


@dataclass(frozen=True)
class TreeNode:
    """An owner in the cascade: the company, a department, a team or a post, with its card
    of the year (None: the owner has no card, a gap), the card's newest version, how many
    lines that version has and how many of them link to a card above."""

    level: str
    owner: Department | Team | Post | None  # None for the company
    label: str
    card: Scorecard | None
    version: ScorecardVersion | None
    line_count: int
    linked_line_count: int
    children: tuple[TreeNode, ...] = ()

    @property
    def has_card(self) -> bool:
        return self.card is not None

    @property
    def status(self) -> str | None:
        return self.version.status if self.version is not None else None

    @property
    def status_label(self) -> str:
        return self.version.get_status_display() if self.version is not None else ""

    def walk(self, depth: int = 0) -> Iterator[tuple[int, TreeNode]]:
        """(depth, node) for this node and every node below it, depth first."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)

    @property
    def rows(self) -> list[tuple[int, TreeNode]]:
        """``walk()`` as a list, for templates: ``{% for depth, node in tree.rows %}``."""
        return list(self.walk())


def cascade_tree(year: int) -> TreeNode:
    """The year's cards down the organisation: the company, its departments (sub-departments
    under their parent), and under each department its teams, its posts and then its
    sub-departments. Active owners are all shown, with or without a card; an inactive
    owner only when it has a card that year. Five queries, whatever the size."""
    def has_card(**owner) -> Exists:
        return Exists(Scorecard.objects.filter(year=year, **owner))

    here = OuterRef("pk")
    departments = list(
        Department.objects.filter(
            Q(is_active=True) | has_card(department=here) | has_card(team__department=here) | has_card(post__department=here)
        )
    )
    teams = list(Team.objects.filter(Q(is_active=True) | has_card(team=here)))
    posts = list(Post.objects.filter(Q(is_active=True) | has_card(post=here)))
    cards = {card.owner_key: card for card in Scorecard.objects.filter(year=year)}
    versions = {
        version.scorecard_id: version
        for version in ScorecardVersion.objects.filter(scorecard__year=year, number=_newest_number()).annotate(
            line_count=Count("lines", distinct=True),
            linked_line_count=Count("lines", filter=Q(lines__up_links__isnull=False), distinct=True),
        )
    }

    def node(level: str, owner, key: str, label: str, children: tuple[TreeNode, ...] = ()) -> TreeNode:
        card = cards.get(key)
        version = versions.get(card.pk) if card is not None else None
        if card is not None:
            owner_fields = {Level.DEPARTMENT: "department", Level.TEAM: "team", Level.POST: "post"}
            if level in owner_fields:
                setattr(card, owner_fields[level], owner)  # the owner is loaded already
            if version is not None:
                version.scorecard = card
        return TreeNode(
            level=level, owner=owner, label=label, card=card, version=version,
            line_count=getattr(version, "line_count", 0), linked_line_count=getattr(version, "linked_line_count", 0),
            children=children,
        )

    by_id = {department.pk: department for department in departments}
    sub_departments: dict[int | None, list[Department]] = {}
    for department in departments:
        parent = department.parent_id if department.parent_id in by_id else None
        sub_departments.setdefault(parent, []).append(department)
    teams_of: dict[int, list[Team]] = {}
    for team in teams:
        teams_of.setdefault(team.department_id, []).append(team)
    posts_of: dict[int, list[Post]] = {}
    for post in posts:
        posts_of.setdefault(post.department_id, []).append(post)

    def department_node(department: Department, seen: frozenset[int]) -> TreeNode:
        seen = seen | {department.pk}
        children = (
            [node(Level.TEAM, team, f"team:{team.pk}", team.display_name) for team in teams_of.get(department.pk, [])]
            + [node(Level.POST, post, f"post:{post.pk}", post.display_name) for post in posts_of.get(department.pk, [])]
            + [department_node(child, seen) for child in sub_departments.get(department.pk, []) if child.pk not in seen]
        )
        return node(Level.DEPARTMENT, department, f"department:{department.pk}", department.display_name, tuple(children))

    top = tuple(department_node(department, frozenset()) for department in sub_departments.get(None, []))
    company = Company.objects.first()
    return node(Level.COMPANY, None, "company", company.display_name if company else str(Level.COMPANY.label), top)


# ---------------------------------------------------------------------------------------
# Differences between versions


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class FieldValue:
    field: str
    label: str
    value: str


@dataclass(frozen=True)
class LineValues:
    """A line only one of the versions has, with its values."""

    code: str
    label: str  # the indicator's name
    values: tuple[FieldValue, ...]


@dataclass(frozen=True)
class LineChanges:
    code: str
    label: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class VersionComparison:
    """What changed from ``older`` to ``newer`` (two versions of ``scorecard``), as display
    text; ``diff`` is the comparison keyed by field names."""

    scorecard: Scorecard
    older: ScorecardVersion
    newer: ScorecardVersion
    settings: tuple[FieldChange, ...]
    added: tuple[LineValues, ...]
    removed: tuple[LineValues, ...]
    changed: tuple[LineChanges, ...]
    diff: version_diff.VersionDiff

    @property
    def has_changes(self) -> bool:
        return self.diff.has_changes


VERSION_SETTINGS = ("effective_from", "convention", "perspective_weights", "veto_mode", "veto_ceiling", "veto_deduction", "front_line", "inspection_deduction")
LINE_VALUES = (
    "perspective", "weight", "target", "method", "params", "data_owner", "rating_mode", "aggregation", "phasing", "profile",
    "phasing_start", "month_targets", "up_links",
)


def _label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _field_labels(perspectives: list[Perspective]) -> dict[str, str]:
    labels = {name: _label(ScorecardVersion, name) for name in VERSION_SETTINGS if name != "perspective_weights"}
    weights = _label(ScorecardVersion, "perspective_weights")
    labels.update({f"perspective_weights.{p.code}": f"{weights}: {p.display_name}" for p in perspectives})
    labels.update({name: _label(ScorecardLine, name) for name in LINE_VALUES if name != "up_links"})
    labels["up_links"] = capfirst(str(CascadeLink._meta.verbose_name_plural))
    return labels


def _amount(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return EMPTY
    return f"{plain(value)} {unit}".strip()


def _settings(version: ScorecardVersion, perspectives: list[Perspective]) -> dict[str, str]:
    known = [p.code for p in perspectives]
    codes = known + sorted(code for code in version.perspective_weights if code not in known)
    settings = {
        "effective_from": str(MONTHS[version.effective_from]),
        "convention": version.get_convention_display(),
    }
    for code in codes:
        if code in version.perspective_weights:
            settings[f"perspective_weights.{code}"] = f"{plain(version.weight_of(code))}%"
    settings.update(
        {
            "veto_mode": version.get_veto_mode_display(),
            "veto_ceiling": _amount(version.veto_ceiling),
            "veto_deduction": _amount(version.veto_deduction),
            "front_line": capfirst(yesno(version.front_line)),
            "inspection_deduction": capfirst(yesno(version.inspection_deduction)),
        }
    )
    return settings


def _params(params: dict) -> str:
    if not params:
        return EMPTY
    return "; ".join(
        f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)}"
        for key, value in sorted(params.items())
    )


def _link(link: CascadeLink) -> str:
    how = link.get_feed_display()
    if link.share is not None:
        how = f"{how}, {plain(link.share)}%"
    return f"{link.upper_scorecard.owner_name} · {link.upper_indicator.code} ({how})"


def _line_values(line: ScorecardLine) -> dict[str, str]:
    unit = line.indicator.unit
    return {
        "perspective": line.perspective.display_name,
        "weight": f"{plain(line.weight)}%",
        "target": _amount(line.target, unit),
        "method": line.get_method_display(),
        "params": _params(line.params or {}),
        "data_owner": line.get_data_owner_display(),
        "rating_mode": line.get_rating_mode_display() if line.rating_mode else EMPTY,
        "aggregation": line.get_aggregation_display(),
        "phasing": line.get_phasing_display(),
        "profile": line.profile.display_name if line.profile is not None else EMPTY,
        "phasing_start": _amount(line.phasing_start, unit),
        "month_targets": ", ".join(str(value) for value in line.month_targets) if line.month_targets else EMPTY,
        "up_links": "; ".join(sorted(_link(link) for link in line.up_links.all())) or EMPTY,
    }


def version_diff_for(older: ScorecardVersion, newer: ScorecardVersion) -> VersionComparison:
    """What changed from one version of a card to another, as display text: weights in %,
    targets with their unit, choices by their label, the monthly targets joined, the links
    upwards. Versions of different cards raise ``ValueError``. Four queries."""
    if older.scorecard_id != newer.scorecard_id:
        raise ValueError("Compare two versions of the same scorecard.")
    perspectives = list(Perspective.objects.order_by("sort_order"))
    links = CascadeLink.objects.select_related(
        "upper_scorecard__department", "upper_scorecard__team", "upper_scorecard__post", "upper_indicator"
    )
    lines = list(
        ScorecardLine.objects.filter(version_id__in=[older.pk, newer.pk])
        .select_related("indicator", "perspective", "profile")
        .prefetch_related(Prefetch("up_links", queryset=links))
    )
    snapshots, names = {}, {}
    for version in (older, newer):
        own = [line for line in lines if line.version_id == version.pk]
        names.update({line.indicator.code: line.indicator.display_name for line in own})
        snapshots[version.pk] = version_diff.Snapshot(
            settings=_settings(version, perspectives), lines={line.indicator.code: _line_values(line) for line in own}
        )
    diff = version_diff.diff_versions(snapshots[older.pk], snapshots[newer.pk])
    labels = _field_labels(perspectives)

    def label(name: str) -> str:
        return labels.get(name) or name.removeprefix("perspective_weights.")

    def changes(items: Iterable[version_diff.Change]) -> tuple[FieldChange, ...]:
        return tuple(FieldChange(c.field, label(c.field), c.old if c.old is not None else EMPTY, c.new if c.new is not None else EMPTY) for c in items)

    def values(snapshot: version_diff.Snapshot, code: str) -> LineValues:
        fields = snapshot.lines[code]
        return LineValues(code, names[code], tuple(FieldValue(name, label(name), value) for name, value in fields.items()))

    return VersionComparison(
        scorecard=newer.scorecard,
        older=older,
        newer=newer,
        settings=changes(diff.settings),
        added=tuple(values(snapshots[newer.pk], code) for code in diff.added),
        removed=tuple(values(snapshots[older.pk], code) for code in diff.removed),
        changed=tuple(LineChanges(code, names[code], changes(items)) for code, items in diff.changed.items()),
        diff=diff,
    )
