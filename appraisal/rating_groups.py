"""360 / 180-degree ratings: grouping answers by relation, merging small groups so no
rater can be picked out, and the weighted ratings the form's calculation scores.

Raters answer on the seven-level scale (seed 001). A line's relation weights say how much
each relation counts (e.g. superior 50, peers 30, subordinates 20, self 0). Only the
answers given count; an unanswered request reveals nothing and weighs nothing.

Anonymity, decided here once, for the pages, the API and the calculation alike:

* Self and superior are not anonymous (the ratee knows who they are).
* Peers and subordinates are. Subordinates fewer than ``minimum`` (default 3) are merged
  into the peers' group, which then shows one mean and one count and carries both
  relations' weights. Anonymous answers still fewer than ``minimum`` are left out of the
  value and only their number is reported: they are not merged into the superior's group,
  because the superior knows their own answer and could take it out of the mean.
* The line's value uses exactly the groups that are shown, so the shown means and the
  value can never be combined to recover a hidden group's answers.

Each answer in a group carries the group's weight divided by its size, so the calculation
(``indicators.scoring.score_description``) returns the weighted mean of the group means,
scaled to 100 by the scale's level scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from indicators.scoring import SEVEN_LEVEL_SCALE, Rating

ZERO = Decimal(0)
CENT = Decimal("0.01")
LEVELS = frozenset(level.value for level in SEVEN_LEVEL_SCALE)


class Relation(StrEnum):
    SELF = "self"
    SUPERIOR = "superior"
    PEER = "peer"
    SUBORDINATE = "subordinate"


ANONYMOUS = (Relation.SUBORDINATE, Relation.PEER)
SHOWN_ORDER = (Relation.SELF, Relation.SUPERIOR, Relation.PEER, Relation.SUBORDINATE)


@dataclass(frozen=True)
class Answer:
    relation: Relation
    level: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "relation", Relation(self.relation))
        if isinstance(self.level, bool) or not isinstance(self.level, int) or self.level not in LEVELS:
            raise ValueError(f"A level is a whole number from 1 to 7, not {self.level!r}.")


@dataclass(frozen=True)
class Group:
    """What is shown of one (possibly merged) relation group."""

    relations: tuple[Relation, ...]  # the first is the group's own relation
    count: int
    weight: Decimal
    levels: tuple[int, ...]  # never shown; only for the calculation

    @property
    def mean_level(self) -> Decimal:
        return (Decimal(sum(self.levels)) / self.count).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Summary:
    groups: tuple[Group, ...]
    left_out: int  # anonymous answers too few to show or count

    def ratings(self) -> tuple[Rating, ...]:
        """Every counted answer weighted by its group's weight / size (empty: no value)."""
        if sum((group.weight for group in self.groups), ZERO) == 0:
            return ()
        return tuple(
            Rating(level, group.weight / group.count) for group in self.groups if group.weight for level in group.levels
        )


def _weight(weights: Mapping[Relation | str, Decimal], relation: Relation) -> Decimal:
    value = weights.get(relation, weights.get(relation.value, ZERO))
    if isinstance(value, float) or not isinstance(value, (Decimal, int)) or value < 0:
        raise ValueError(f"The weight of {relation.value} must be a Decimal of at least 0.")
    return Decimal(value)


def summarise(answers: Iterable[Answer], weights: Mapping[Relation | str, Decimal], minimum: int = 3) -> Summary:
    """The groups to show (and count) for one ratee's line, small anonymous groups merged."""
    if minimum < 1:
        raise ValueError("The minimum group size is at least 1.")
    own: dict[Relation, list[int]] = {relation: [] for relation in Relation}
    for answer in answers:
        own[answer.relation].append(answer.level)
    levels = {relation: list(own[relation]) for relation in Relation}
    members = {relation: [relation] for relation in Relation}
    if 0 < len(levels[Relation.SUBORDINATE]) < minimum:
        levels[Relation.PEER] += levels[Relation.SUBORDINATE]
        members[Relation.PEER] += [Relation.SUBORDINATE]
        levels[Relation.SUBORDINATE] = []
    left_out = 0
    if 0 < len(levels[Relation.PEER]) < minimum:
        left_out = len(levels[Relation.PEER])
        levels[Relation.PEER], members[Relation.PEER] = [], [Relation.PEER]

    groups = []
    for relation in SHOWN_ORDER:
        if levels[relation]:
            group_weight = sum((_weight(weights, member) for member in members[relation]), ZERO)
            groups.append(Group(tuple(members[relation]), len(levels[relation]), group_weight, tuple(levels[relation])))
    return Summary(tuple(groups), left_out)
