"""How well the cards of one level cover the card above them, as pure functions.

The upper card is the company card (the lower cards are department cards) or a
department card (its teams', posts' and sub-departments' cards). Lower lines contribute
to upper lines through cascade links, named by the upper line's indicator code.

``compute_coverage`` works out, for one upper card:

* per upper line, its contributions and each one's weight in that upper line: the link's
  share when it gives one; the contributions without a share split the rest (100 minus
  the given shares) evenly. The weights are rounded to 0.01 by the largest remainder, so
  they add up to exactly 100.00, except when the shares are wrong, which is a ``Problem``:
  given shares over 100 (each contribution keeps its share, those without one get 0);
  every contribution has a share and they add up to less than 100 (each keeps its share);
  the shares add up to exactly 100 with contributions left without one (those get 0);
* the upper lines nothing contributes to;
* the lower cards none of whose lines is linked to the upper card;
* the links naming an indicator that is not on the upper card (broken links).

A contribution is one link: a lower card's line. A lower card with two lines linked to
the same upper line contributes twice (``UpperLineCoverage.owner_keys`` lists each card
once). The caller passes only the links to *this* upper card (a sub-department's lines
may also link to the company card, say).

No database and no Django: frozen dataclasses in and out, ``Decimal`` only (a ``float``
raises ``TypeError``). Problems are English templates marked with ``gettext_noop``, with
params; the caller translates: ``gettext(problem.template) % problem.params``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any

__all__ = [
    "BrokenLink",
    "CardAlignment",
    "Contribution",
    "Coverage",
    "Link",
    "LowerCard",
    "LowerLine",
    "Problem",
    "UpperLine",
    "UpperLineCoverage",
    "compute_coverage",
]


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (no Django in this module)."""
    return message


_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# Problem kinds (``Problem.kind``).
SHARES_OVER_100 = "shares_over_100"
SHARES_UNDER_100 = "shares_under_100"
NOTHING_LEFT = "nothing_left"


def _number(value: object, name: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal or an int, not a float; build Decimals from strings.")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal or an int, not {type(value).__name__}.")
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        raise ValueError(f"{name} must be a finite number, not negative: {value}.")
    return number


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}.")
    return value


def _fmt(value: Decimal) -> str:
    """A number for a message: 80, 80.5 (no exponent, no trailing zeros)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class UpperLine:
    """A line of the upper card."""

    key: str
    indicator_code: str
    label: str

    def __post_init__(self) -> None:
        for name in ("key", "indicator_code", "label"):
            _text(getattr(self, name), name)


@dataclass(frozen=True)
class Link:
    """A lower line's link to a line of the upper card: the upper line's indicator code,
    how the lower actual feeds it, and the share it was given (None: not given)."""

    upper_indicator_code: str
    feed: str
    share: Decimal | None = None

    def __post_init__(self) -> None:
        _text(self.upper_indicator_code, "upper_indicator_code")
        _text(self.feed, "feed")
        if self.share is not None:
            object.__setattr__(self, "share", _number(self.share, "share"))


@dataclass(frozen=True)
class LowerLine:
    """A line of a lower card: its effective weight in that card and its links to the
    upper card (only those)."""

    key: str
    indicator_code: str
    weight: Decimal
    links: Sequence[Link] = ()

    def __post_init__(self) -> None:
        _text(self.key, "key")
        _text(self.indicator_code, "indicator_code")
        object.__setattr__(self, "weight", _number(self.weight, "weight"))
        links = tuple(self.links)
        for link in links:
            if not isinstance(link, Link):
                raise TypeError(f"links must hold Link objects, not {type(link).__name__}.")
        object.__setattr__(self, "links", links)


@dataclass(frozen=True)
class LowerCard:
    owner_key: str
    owner_label: str
    lines: Sequence[LowerLine] = ()

    def __post_init__(self) -> None:
        _text(self.owner_key, "owner_key")
        _text(self.owner_label, "owner_label")
        lines = tuple(self.lines)
        for line in lines:
            if not isinstance(line, LowerLine):
                raise TypeError(f"lines must hold LowerLine objects, not {type(line).__name__}.")
        object.__setattr__(self, "lines", lines)


# ---------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True)
class Problem:
    """Something wrong with the shares of an upper line's contributions."""

    kind: str
    upper_line_key: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % dict(self.params)


@dataclass(frozen=True)
class Contribution:
    """One lower line contributing to an upper line.

    ``share`` is the share the link gives (None: not given); ``weight`` is the
    contribution's weight in the upper line, in percent, rounded to 0.01. ``line_weight``
    is the lower line's effective weight in its own card (rounded to 0.01)."""

    owner_key: str
    owner_label: str
    line_key: str
    indicator_code: str
    line_weight: Decimal
    feed: str
    share: Decimal | None
    weight: Decimal


@dataclass(frozen=True)
class UpperLineCoverage:
    line: UpperLine
    contributions: tuple[Contribution, ...]

    @property
    def is_covered(self) -> bool:
        return bool(self.contributions)

    @property
    def owner_keys(self) -> tuple[str, ...]:
        """The contributing lower cards, each once, in order."""
        return tuple(dict.fromkeys(contribution.owner_key for contribution in self.contributions))

    @property
    def total_weight(self) -> Decimal:
        return sum((contribution.weight for contribution in self.contributions), ZERO)


@dataclass(frozen=True)
class BrokenLink:
    """A link to an indicator that is not on the upper card."""

    owner_key: str
    owner_label: str
    line_key: str
    indicator_code: str
    upper_indicator_code: str


@dataclass(frozen=True)
class CardAlignment:
    """How much of a lower card is linked to the upper card: its lines, the lines with a
    link to a line of the upper card (broken links do not count), and those lines' summed
    effective weight (rounded to 0.01)."""

    owner_key: str
    owner_label: str
    line_count: int
    linked_line_count: int
    linked_weight: Decimal

    @property
    def is_linked(self) -> bool:
        return self.linked_line_count > 0


@dataclass(frozen=True)
class Coverage:
    upper_lines: tuple[UpperLineCoverage, ...]  # in the upper card's order
    uncovered: tuple[UpperLine, ...]  # upper lines nothing contributes to
    unlinked_cards: tuple[LowerCard, ...]  # lower cards with no line linked upwards
    broken_links: tuple[BrokenLink, ...]
    cards: tuple[CardAlignment, ...]  # every lower card, in the given order
    problems: tuple[Problem, ...]

    @property
    def is_complete(self) -> bool:
        return not (self.uncovered or self.unlinked_cards or self.broken_links or self.problems)


# ---------------------------------------------------------------------------------------
# Computing


def _round_to_total(values: Sequence[Decimal], total: Decimal) -> list[Decimal]:
    """Round non-negative values adding up to ``total`` to 0.01, keeping the total:
    round each down, then give the missing hundredths, one each, to the values that lost
    the most (on a tie the earlier value wins)."""
    floors = [value.quantize(CENT, rounding=ROUND_FLOOR) for value in values]
    remainders = [value - floor for value, floor in zip(values, floors, strict=True)]
    missing = int((total - sum(floors, ZERO)) / CENT)
    order = sorted(range(len(values)), key=lambda index: (-remainders[index], index))
    for index in order[:missing]:
        floors[index] += CENT
    return floors


def _weights(line: UpperLine, shares: list[Decimal | None]) -> tuple[list[Decimal], Problem | None]:
    """Each contribution's weight in the upper line, and what is wrong with the shares."""
    if not shares:
        return [], None
    given = sum((share for share in shares if share is not None), ZERO)
    unshared = sum(1 for share in shares if share is None)
    params = {"indicator": line.indicator_code, "label": line.label, "sum": _fmt(given)}
    if given > HUNDRED:
        problem = Problem(
            SHARES_OVER_100, line.key,
            gettext_noop("The shares given to %(indicator)s %(label)s add up to %(sum)s%%, more than 100%%."), params,
        )
        return [ZERO if share is None else _cents(share) for share in shares], problem
    if not unshared:
        if given == HUNDRED:
            return _round_to_total(shares, HUNDRED), None
        problem = Problem(
            SHARES_UNDER_100, line.key,
            gettext_noop("The shares given to %(indicator)s %(label)s add up to %(sum)s%%, not 100%%."), params,
        )
        return [_cents(share) for share in shares], problem
    each = (HUNDRED - given) / unshared
    raw = [each if share is None else share for share in shares]
    problem = None
    if given == HUNDRED:
        problem = Problem(
            NOTHING_LEFT, line.key,
            gettext_noop("The shares given to %(indicator)s %(label)s add up to 100%%, leaving nothing for the contributions without a share."),
            params,
        )
    return _round_to_total(raw, HUNDRED), problem


def compute_coverage(upper_lines: Sequence[UpperLine], lower_cards: Sequence[LowerCard]) -> Coverage:
    """The coverage of an upper card by the cards below it (see the module docstring).

    Upper lines must have distinct keys and indicator codes, lower cards distinct owner
    keys (``ValueError`` otherwise)."""
    with localcontext(_CONTEXT):
        return _compute(tuple(upper_lines), tuple(lower_cards))


def _compute(upper_lines: tuple[UpperLine, ...], lower_cards: tuple[LowerCard, ...]) -> Coverage:
    for item in upper_lines:
        if not isinstance(item, UpperLine):
            raise TypeError(f"upper_lines must hold UpperLine objects, not {type(item).__name__}.")
    for item in lower_cards:
        if not isinstance(item, LowerCard):
            raise TypeError(f"lower_cards must hold LowerCard objects, not {type(item).__name__}.")
    by_code = {line.indicator_code: line for line in upper_lines}
    if len(by_code) != len(upper_lines) or len({line.key for line in upper_lines}) != len(upper_lines):
        raise ValueError("Upper lines must have distinct keys and indicator codes.")
    if len({card.owner_key for card in lower_cards}) != len(lower_cards):
        raise ValueError("Lower cards must have distinct owner keys.")

    # (card, line, link) per upper indicator code, in card order then line order.
    links_to: dict[str, list[tuple[LowerCard, LowerLine, Link]]] = {code: [] for code in by_code}
    broken: list[BrokenLink] = []
    cards: list[CardAlignment] = []
    for card in lower_cards:
        linked_lines = 0
        linked_weight = ZERO
        for line in card.lines:
            valid = [link for link in line.links if link.upper_indicator_code in by_code]
            for link in line.links:
                if link.upper_indicator_code in by_code:
                    links_to[link.upper_indicator_code].append((card, line, link))
                else:
                    broken.append(BrokenLink(card.owner_key, card.owner_label, line.key, line.indicator_code, link.upper_indicator_code))
            if valid:
                linked_lines += 1
                linked_weight += line.weight
        cards.append(CardAlignment(card.owner_key, card.owner_label, len(card.lines), linked_lines, _cents(linked_weight)))

    coverages: list[UpperLineCoverage] = []
    problems: list[Problem] = []
    for upper in upper_lines:
        entries = links_to[upper.indicator_code]
        weights, problem = _weights(upper, [link.share for _, _, link in entries])
        if problem is not None:
            problems.append(problem)
        contributions = tuple(
            Contribution(
                owner_key=card.owner_key, owner_label=card.owner_label, line_key=line.key, indicator_code=line.indicator_code,
                line_weight=_cents(line.weight), feed=link.feed, share=link.share, weight=weight,
            )
            for (card, line, link), weight in zip(entries, weights, strict=True)
        )
        coverages.append(UpperLineCoverage(upper, contributions))

    return Coverage(
        upper_lines=tuple(coverages),
        uncovered=tuple(item.line for item in coverages if not item.contributions),
        unlinked_cards=tuple(card for card in lower_cards if not any(line.links for line in card.lines)),
        broken_links=tuple(broken),
        cards=tuple(cards),
        problems=tuple(problems),
    )

