"""Grades, ranking, forced-distribution guidance and performance pay, as pure functions.

* **Grade bands** (company setting): a code and a lower bound each, e.g. A 90, B 80, C 70,
  D 60, E 0. A score gets the band with the highest lower bound it reaches; the top band
  also takes scores above 100 (a capped percentage line can lift a total past 100).
  ``band_problems`` says what is wrong with a set of bands: codes must be given and
  distinct, lower bounds between 0 and 100, strictly decreasing, the lowest exactly 0 so
  every score from 0 up has a grade.
* **Ranking** is competition ranking by score, highest first: equal scores share a rank and
  the next rank skips (1, 2, 2, 4).
* **Forced distribution** (company setting, may be off): rules such as "A at most 20%" or
  "E at least 5%". The allowed or required number of people is the share of the group
  rounded half up (20% of 7 people is 1.4 -> 1; 5% of 10 is 0.5 -> 1), so a small
  department is not forced to have nobody at A. A breach lists the candidates at the
  boundary: for "at most", the grade's members nearest its bounds (the first to move out);
  for "at least", the people outside the grade nearest to it (the first to move in).
* **Performance pay** = base x the grade's coefficient x the share of the month worked,
  rounded half up to cents.

No database and no Django; Decimal in and out, floats refused (TypeError).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MAX_CODE_LENGTH = 10


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (no Django in this module)."""
    return message


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, float) or isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what} must be a Decimal or an int, not {type(value).__name__}.")
    return Decimal(value)


@dataclass(frozen=True)
class Problem:
    """Something wrong with a setting; ``field`` names it, the caller translates."""

    field: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % dict(self.params)


# ---------------------------------------------------------------------------------------
# Bands
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    code: str
    lower: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "lower", _decimal(self.lower, "A band's lower bound"))


def bands_from(pairs: Iterable[tuple[str, object]]) -> tuple[Band, ...]:
    """Bands from (code, lower bound) pairs, highest lower bound first."""
    return tuple(sorted((Band(code, lower) for code, lower in pairs), key=lambda band: -band.lower))


def band_problems(bands: Sequence[Band]) -> list[Problem]:
    """Every problem with a set of grade bands (empty: they may be saved)."""
    problems: list[Problem] = []
    if not bands:
        return [Problem("bands", gettext_noop("Add at least one grade."))]
    codes = [band.code.strip() for band in bands]
    if any(not code for code in codes):
        problems.append(Problem("bands", gettext_noop("Every grade needs a code.")))
    for code in sorted({code for code in codes if code and codes.count(code) > 1}):
        problems.append(Problem("bands", gettext_noop("Grade %(code)s appears more than once."), {"code": code}))
    for code in codes:
        if len(code) > MAX_CODE_LENGTH:
            problems.append(
                Problem("bands", gettext_noop("Grade code %(code)s is longer than %(max)s characters."), {"code": code, "max": MAX_CODE_LENGTH})
            )
    for band in bands:
        if not ZERO <= band.lower <= HUNDRED:
            problems.append(
                Problem("bands", gettext_noop("Grade %(code)s: the lower bound must be between 0 and 100."), {"code": band.code})
            )
    lowers = [band.lower for band in bands]
    if len(set(lowers)) != len(lowers):
        problems.append(Problem("bands", gettext_noop("Two grades have the same lower bound.")))
    if min(lowers) != ZERO:
        problems.append(Problem("bands", gettext_noop("The lowest grade must start at 0, so every score has a grade.")))
    return problems


def grade_for(score: Decimal, bands: Sequence[Band]) -> str:
    """The code of the band the score falls in (bands as ``bands_from`` orders them)."""
    score = _decimal(score, "A score")
    for band in sorted(bands, key=lambda band: -band.lower):
        if score >= band.lower:
            return band.code
    raise ValueError(f"No grade for {score}: the lowest band must start at 0 and scores cannot be negative.")


def _bounds(code: str, bands: Sequence[Band]) -> tuple[Decimal, Decimal | None]:
    """The band's [lower, upper) range; ``None`` upper for the top band."""
    ordered = sorted(bands, key=lambda band: -band.lower)
    for index, band in enumerate(ordered):
        if band.code == code:
            return band.lower, (ordered[index - 1].lower if index else None)
    raise KeyError(code)


# ---------------------------------------------------------------------------------------
# Ranking
# ---------------------------------------------------------------------------------------


def rank(scores: Mapping[Hashable, Decimal]) -> dict[Hashable, int]:
    """Competition ranks by score, highest first (1, 2, 2, 4)."""
    values = {key: _decimal(score, "A score") for key, score in scores.items()}
    ordered = sorted(values.values(), reverse=True)
    first_at: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_at.setdefault(value, position)
    return {key: first_at[value] for key, value in values.items()}


# ---------------------------------------------------------------------------------------
# Forced distribution
# ---------------------------------------------------------------------------------------


class Limit(StrEnum):
    AT_MOST = "at_most"
    AT_LEAST = "at_least"


@dataclass(frozen=True)
class DistributionRule:
    grade: str
    limit: Limit
    percent: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "limit", Limit(self.limit))
        object.__setattr__(self, "percent", _decimal(self.percent, "A rule's percentage"))

    def allowed(self, people: int) -> int:
        """The most (at most) or fewest (at least) people the rule allows in a group."""
        return int((self.percent * people / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rule_problems(rules: Sequence[DistributionRule], bands: Sequence[Band]) -> list[Problem]:
    problems: list[Problem] = []
    codes = {band.code for band in bands}
    seen: set[tuple[str, Limit]] = set()
    for rule in rules:
        if rule.grade not in codes:
            problems.append(Problem("rules", gettext_noop("There is no grade %(code)s."), {"code": rule.grade}))
        if not ZERO <= rule.percent <= HUNDRED:
            problems.append(
                Problem("rules", gettext_noop("Grade %(code)s: the share must be between 0 and 100%%."), {"code": rule.grade})
            )
        if (rule.grade, rule.limit) in seen:
            problems.append(Problem("rules", gettext_noop("Grade %(code)s has two rules of the same kind."), {"code": rule.grade}))
        seen.add((rule.grade, rule.limit))
    by_key = {(rule.grade, rule.limit): rule.percent for rule in rules}
    for (code, limit), percent in by_key.items():
        most = by_key.get((code, Limit.AT_MOST))
        if limit == Limit.AT_LEAST and most is not None and percent > most:
            problems.append(
                Problem("rules", gettext_noop("Grade %(code)s: “at least” is more than “at most”."), {"code": code})
            )
    if sum((rule.percent for rule in rules if rule.limit == Limit.AT_LEAST), ZERO) > HUNDRED:
        problems.append(Problem("rules", gettext_noop("The “at least” shares add up to more than 100%%.")))
    return problems


@dataclass(frozen=True)
class Person:
    key: Hashable
    score: Decimal
    grade: str


@dataclass(frozen=True)
class Breach:
    rule: DistributionRule
    people: int  # in the group
    count: int  # with the grade
    allowed: int  # most (at most) or fewest (at least) the rule allows
    candidates: tuple[Hashable, ...]  # nearest the boundary, as many as would fix it

    @property
    def excess(self) -> int:
        return abs(self.count - self.allowed)


def _distance_out(score: Decimal, lower: Decimal, upper: Decimal | None, bottom: bool) -> Decimal:
    """How far a member is from leaving its band (across a bound that has a band beyond it)."""
    distances = [] if bottom else [score - lower]
    if upper is not None:
        distances.append(upper - score)
    return min(distances) if distances else Decimal("Infinity")


def _distance_in(score: Decimal, lower: Decimal, upper: Decimal | None) -> Decimal:
    if score < lower:
        return lower - score
    return score - upper if upper is not None and score >= upper else ZERO


def breaches(people: Sequence[Person], rules: Sequence[DistributionRule], bands: Sequence[Band]) -> list[Breach]:
    """Where a group's grades break the rules, in the rules' order."""
    found: list[Breach] = []
    lowest = min(bands, key=lambda band: band.lower).code if bands else None
    for rule in rules:
        lower, upper = _bounds(rule.grade, bands)
        members = [person for person in people if person.grade == rule.grade]
        allowed = rule.allowed(len(people))
        if rule.limit == Limit.AT_MOST and len(members) > allowed:
            nearest = sorted(
                members, key=lambda p: (_distance_out(p.score, lower, upper, rule.grade == lowest), str(p.key))
            )
            candidates = nearest[: len(members) - allowed]
        elif rule.limit == Limit.AT_LEAST and len(members) < allowed:
            others = [person for person in people if person.grade != rule.grade]
            nearest = sorted(others, key=lambda p: (_distance_in(p.score, lower, upper), str(p.key)))
            candidates = nearest[: allowed - len(members)]
        else:
            continue
        found.append(Breach(rule, len(people), len(members), allowed, tuple(person.key for person in candidates)))
    return found


# ---------------------------------------------------------------------------------------
# Pay
# ---------------------------------------------------------------------------------------


def performance_pay(base: Decimal, coefficient: Decimal, share: Decimal = Decimal(1)) -> Decimal:
    """The month's performance pay: base x coefficient x share of the month, in cents."""
    base = _decimal(base, "The base")
    coefficient = _decimal(coefficient, "The coefficient")
    share = _decimal(share, "The share")
    if base < 0 or coefficient < 0 or not ZERO <= share <= 1:
        raise ValueError("The base and coefficient cannot be negative; the share is between 0 and 1.")
    return (base * coefficient * share).quantize(CENT, rounding=ROUND_HALF_UP)


def grades_at_least(grades: Iterable[str], code: str, times: int) -> bool:
    """Whether ``code`` occurs at least ``times`` among the grades (e.g. two E in a year)."""
    return sum(1 for grade in grades if grade == code) >= times


# ---------------------------------------------------------------------------------------
# A year of one person
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Year:
    months: dict[int, tuple[Decimal, str]]  # month -> (score, grade)
    average: Decimal | None
    grade_counts: dict[str, int]
    trend: Decimal | None  # the last three scored months' mean less the first three's


def year_of(months: Mapping[int, tuple[Decimal, str]]) -> Year:
    """A person's year from their published months: the mean score (half-up to cents),
    how often each grade came, and the trend once six months are scored."""
    scored = dict(sorted(months.items()))
    scores = [_decimal(score, "A score") for score, _grade in scored.values()]
    counts: dict[str, int] = {}
    for _score, grade in scored.values():
        counts[grade] = counts.get(grade, 0) + 1
    average = (sum(scores, ZERO) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP) if scores else None
    trend = None
    if len(scores) >= 6:
        trend = ((sum(scores[-3:], ZERO) - sum(scores[:3], ZERO)) / 3).quantize(CENT, rounding=ROUND_HALF_UP)
    return Year(scored, average, counts, trend)
