"""The rules of a scorecard, as pure functions: validation, effective weights and policies.

A scorecard (company, department/team or post, seed 003/004) has perspective weights and
lines; this module checks them, works out what each line weighs in the total, applies a
finished expert weighting round, and holds the two scorecard policies the appraisal uses:
the NNI veto and the sales front-line rule of seed 000.

No database and no Django: plain frozen dataclasses in, results and problems out, Decimal
only. Numbers must be ``Decimal`` or ``int``; a ``float`` raises ``TypeError`` (build
Decimals from strings). Work is done in a local Decimal context of ``PRECISION`` digits,
whatever the caller's context is; results are rounded only at the end (ROUND_HALF_UP for
scores, largest remainder for weights that must add up to exactly 100.00).

``check_card`` returns *every* problem of a card as ``Problem`` objects (field, line key,
perspective, template, params) so the editor can show each next to its field; an empty
list means the card is valid. Errors that stop a computation raise ``CardError`` (a
``ValueError``) with a field and a message. Messages are English and marked with
``gettext_noop`` so ``makemessages`` collects them; the caller translates:
``gettext(problem.template) % problem.params``.

Decisions, taken once here:

* Weight conventions: ``OF_TOTAL`` line weights are percentages of the card, and each
  perspective's lines must add up to that perspective's weight; ``WITHIN_PERSPECTIVE`` line
  weights are percentages of their perspective (each perspective's lines add up to 100) and
  a line's effective weight is perspective weight x line weight / 100. Either way the
  effective weights must add up to exactly 100.
* NNI (veto) lines carry **no weight** (weight 0, effective weight 0): seed 003 says a veto
  indicator affects the whole score, so it acts through ``apply_veto`` and not by adding
  points. A veto line with a weight is a problem; every other line weighs more than 0 and
  at most 100. NNI lines are left out of the weight sums and of weighting rounds.
* A perspective with weight 0 may hold only NNI lines (or none); weighted lines there would
  weigh nothing, so they are a problem.
* Targets: percentage, 0-1 and interval-on-achievement need one; description, deduction and
  interval-on-the-actual do not (``method_needs_target``). A line may state ``needs_target``
  itself (computed by the caller from its parameters, e.g. the interval basis); otherwise
  it is derived from the method alone, and an interval is assumed to need a target.
* Effective weights are rounded to 0.01 by the largest-remainder method (as in
  ``indicators.weighting``), so the rounded figures add up to exactly 100.00.
* Veto: ``ZERO`` sets the total to 0, ``CAP`` lowers it to a ceiling (never raises it),
  ``DEDUCT`` takes a fixed number of points off, not below 0. Parameters the mode does not
  use are ignored.
* Sales front line: the financial score is the weighted mean of the financial lines'
  scores; the BSC total counts every financial line at the full score (100) whatever its
  score, and every other line at its score. Both figures are returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
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
from enum import StrEnum
from functools import wraps
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from indicators.scoring import NotApplicablePolicy, ScoringError, weighted_total

__all__ = [
    "ALLOWED_TYPES",
    "Card",
    "CardError",
    "CardLine",
    "DEFAULT_MAX_LINES",
    "FINANCIAL",
    "FrontLineResult",
    "INDICATOR_TYPES",
    "Level",
    "NON_FIELD",
    "Problem",
    "VetoMode",
    "WeightConvention",
    "apply_veto",
    "apply_weighting_result",
    "check_card",
    "effective_weights",
    "front_line_totals",
    "method_needs_target",
    "unrounded_effective_weights",
]


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (no Django in this module)."""
    return message


PRECISION = 34
_CONTEXT = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
NON_FIELD = "__all__"  # Django's NON_FIELD_ERRORS
DEFAULT_MAX_LINES = 20
FINANCIAL = "financial"  # the financial perspective's code (strategy.Perspective)
NNI = "NNI"
INDICATOR_TYPES = (
    "KPI",
    "PRI",
    "PCI",
    "WAI",
    "NNI",
)  # indicators.models.IndicatorType, in order


class Level(StrEnum):
    COMPANY = "company"
    DEPARTMENT = "department"  # a department, or a team / group inside one
    TEAM = "team"
    POST = "post"


# Seed 003: which indicator types a scorecard of each level may hold.
ALLOWED_TYPES: Mapping[Level, frozenset[str]] = MappingProxyType(
    {
        Level.COMPANY: frozenset({"KPI", "NNI"}),
        Level.DEPARTMENT: frozenset({"KPI", "PRI", "NNI"}),
        Level.TEAM: frozenset({"KPI", "PRI", "NNI"}),
        Level.POST: frozenset({"KPI", "PRI", "PCI", "WAI", "NNI"}),
    }
)


class WeightConvention(StrEnum):
    OF_TOTAL = "of_total"  # a line's weight is a percentage of the card
    WITHIN_PERSPECTIVE = "within_perspective"  # a percentage of its perspective


class VetoMode(StrEnum):
    ZERO = "zero"  # the total is set to 0
    CAP = (
        "cap"  # the total is capped at a ceiling (e.g. the lowest grade's upper bound)
    )
    DEDUCT = "deduct"  # a fixed deduction, not below 0


# Methods of indicators.scoring.Method, and whether a line scored by them needs a target.
_NEEDS_TARGET = {
    "percentage": True,
    "zero_one": True,
    "interval": True,  # on the achievement; on the actual value it needs none
    "deduction": False,
    "description": False,
}


class CardError(ValueError):
    """Input that cannot be worked with.

    ``field`` names what is wrong (``"weight"``, ``"result"``, ``"ceiling"``, ...) or
    ``NON_FIELD``. ``message`` is the English text; ``template`` and ``params`` let the
    caller translate it. Templates always go through ``%`` (a percent sign is ``%%``).
    """

    def __init__(
        self, field: str, template: str, params: Mapping[str, Any] | None = None
    ):
        self.field = field
        self.template = template
        self.params = dict(params or {})
        self.message = template % self.params
        super().__init__(field, self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a card, to show next to its field.

    ``field`` is a line field (``"weight"``, ``"indicator"``, ``"target"``, ``"method"``,
    ``"perspective"``) when ``line_key`` names a line, else a card field
    (``"perspective_weights"``, ``"lines"``). ``perspective`` names the perspective the
    problem is about, if any (so the editor can show it at that group's total).
    """

    field: str
    line_key: str | None
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)
    perspective: str | None = None
    # True for what a draft may still lack (weights not yet adding up, a missing target, a
    # line not yet weighted): a draft is saved with these and cannot be submitted.
    # False for what is never saved (a wrong type for the level, a duplicate, ...).
    incomplete: bool = False

    @property
    def message(self) -> str:
        return self.template % dict(self.params)


# ---------------------------------------------------------------------------------------
# Numbers


def _in_context(function: Callable) -> Callable:
    """Run a public function in the module's Decimal context."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with localcontext(_CONTEXT):
            return function(*args, **kwargs)

    return wrapper


def _number(value: object, field: str) -> Decimal:
    """Decimal or int; float and anything else raise TypeError, NaN and infinities CardError."""
    if isinstance(value, float):
        raise TypeError(
            f"{field} must be a Decimal or an int, not a float; build Decimals from strings."
        )
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(
            f"{field} must be a Decimal or an int, not {type(value).__name__}."
        )
    number = Decimal(value)
    if not number.is_finite():
        raise CardError(field, gettext_noop("Enter a finite number."))
    return number


def _optional_number(value: object, field: str) -> Decimal | None:
    return None if value is None else _number(value, field)


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str, not {type(value).__name__}.")
    return value


def _fmt(value: Decimal) -> str:
    """A number for a message: 80, 80.5, 0.001 (no exponent, no trailing zeros)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _finish(x: Decimal) -> Decimal:
    """Round ROUND_HALF_UP to two places (the one rounding of a score); never -0.00."""
    rounded = x.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _round_to_total(
    values: Sequence[Decimal], total: Decimal = HUNDRED
) -> list[Decimal]:
    """Round non-negative shares adding up to ``total`` to 0.01, keeping the total.

    Largest remainder: round every value down to 0.01, then give the missing hundredths,
    one each, to the values that lost the most; on a tie the earlier value wins.
    """
    floors = [value.quantize(CENT, rounding=ROUND_FLOOR) for value in values]
    remainders = [value - floor for value, floor in zip(values, floors, strict=True)]
    missing = int((total - sum(floors, ZERO)) / CENT)
    order = sorted(range(len(values)), key=lambda index: (-remainders[index], index))
    for index in order[:missing]:
        floors[index] += CENT
    return floors


# ---------------------------------------------------------------------------------------
# The card


def method_needs_target(method: str, basis: str | None = None) -> bool:
    """Whether a line scored by ``method`` needs a target.

    Percentage and 0-1 do; deduction and description do not; interval does unless its
    bands are laid on the actual value (``basis="actual"``). An unknown method raises
    ``CardError``.
    """
    if method not in _NEEDS_TARGET:
        raise CardError(
            "method",
            gettext_noop("Unknown scoring method “%(method)s”."),
            {"method": method},
        )
    if method == "interval" and basis is not None:
        return str(basis) != "actual"
    return _NEEDS_TARGET[method]


@dataclass(frozen=True)
class CardLine:
    """A line of a card: an indicator, its perspective, weight, annual target and method.

    ``weight`` is in the card's convention. ``needs_target`` may be given by a caller that
    knows the method's parameters (``method_needs_target(method, params.basis)``); when it
    is ``None`` it is derived from the method alone.
    """

    key: str
    indicator_code: str
    indicator_type: str
    perspective: str
    weight: Decimal
    target: Decimal | None
    method: str
    needs_target: bool | None = None

    def __post_init__(self) -> None:
        for name in (
            "key",
            "indicator_code",
            "indicator_type",
            "perspective",
            "method",
        ):
            _text(getattr(self, name), name)
        object.__setattr__(self, "weight", _number(self.weight, "weight"))
        object.__setattr__(self, "target", _optional_number(self.target, "target"))
        if self.needs_target is not None and not isinstance(self.needs_target, bool):
            raise TypeError(
                f"needs_target must be a bool or None, not {type(self.needs_target).__name__}."
            )

    @property
    def is_veto(self) -> bool:
        return self.indicator_type == NNI


@dataclass(frozen=True)
class Card:
    """A scorecard: its level, weight convention, perspective weights (code -> percent) and
    lines. Line keys must be unique (``CardError`` otherwise)."""

    level: Level
    convention: WeightConvention
    perspective_weights: Mapping[str, Decimal]
    lines: Sequence[CardLine]
    max_lines: int = DEFAULT_MAX_LINES

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", Level(self.level))
        object.__setattr__(self, "convention", WeightConvention(self.convention))
        if not isinstance(self.perspective_weights, Mapping):
            raise TypeError(
                "perspective_weights must be a mapping of perspective code to weight."
            )
        weights = {
            _text(code, "perspective"): _number(weight, "perspective_weights")
            for code, weight in self.perspective_weights.items()
        }
        object.__setattr__(self, "perspective_weights", MappingProxyType(weights))
        lines = tuple(self.lines)
        for line in lines:
            if not isinstance(line, CardLine):
                raise TypeError(
                    f"lines must hold CardLine objects, not {type(line).__name__}."
                )
        seen: set[str] = set()
        for line in lines:
            if line.key in seen:
                raise CardError(
                    "lines",
                    gettext_noop("Two lines have the key “%(key)s”."),
                    {"key": line.key},
                )
            seen.add(line.key)
        object.__setattr__(self, "lines", lines)
        if isinstance(self.max_lines, bool) or not isinstance(self.max_lines, int):
            raise TypeError(
                f"max_lines must be an int, not {type(self.max_lines).__name__}."
            )
        if self.max_lines < 1:
            raise CardError(
                "max_lines", gettext_noop("A scorecard must allow at least one line.")
            )

    def weighted_lines(self) -> tuple[CardLine, ...]:
        """The lines that carry weight (all but the NNI veto lines)."""
        return tuple(line for line in self.lines if not line.is_veto)


# ---------------------------------------------------------------------------------------
# Effective weights


@_in_context
def unrounded_effective_weights(card: Card) -> dict[str, Decimal]:
    """Each line's weight in the total, unrounded (the editor's live figures).

    Veto lines weigh 0; a line of an unknown perspective counts its weight as 0 under
    ``WITHIN_PERSPECTIVE``. No check is made: see ``check_card``.
    """
    result = {}
    for line in card.lines:
        if line.is_veto:
            result[line.key] = ZERO
        elif card.convention is WeightConvention.OF_TOTAL:
            result[line.key] = +line.weight
        else:
            result[line.key] = (
                card.perspective_weights.get(line.perspective, ZERO)
                * line.weight
                / HUNDRED
            )
    return result


@_in_context
def effective_weights(card: Card) -> dict[str, Decimal]:
    """Each line's weight in the total (line key -> percent), rounded to 0.01 so that the
    figures add up to exactly 100.00 (largest remainder). The unrounded weights must add up
    to exactly 100 and none may be negative, or ``CardError`` is raised."""
    raw = unrounded_effective_weights(card)
    if any(weight < 0 for weight in raw.values()):
        raise CardError("weight", gettext_noop("A weight cannot be negative."))
    total = sum(raw.values(), ZERO)
    if total != HUNDRED:
        raise CardError(
            "lines",
            gettext_noop("The effective weights add up to %(sum)s%%, not 100%%."),
            {"sum": _fmt(total)},
        )
    return dict(zip(raw, _round_to_total(list(raw.values())), strict=True))


# ---------------------------------------------------------------------------------------
# Validation


def _perspective_problems(card: Card) -> list[Problem]:
    problems = []
    for code, weight in card.perspective_weights.items():
        if weight < 0:
            problems.append(
                Problem(
                    "perspective_weights",
                    None,
                    gettext_noop("The weight of %(perspective)s cannot be negative."),
                    {"perspective": code},
                    perspective=code,
                )
            )
        elif weight > HUNDRED:
            problems.append(
                Problem(
                    "perspective_weights",
                    None,
                    gettext_noop(
                        "The weight of %(perspective)s cannot be above 100%%."
                    ),
                    {"perspective": code},
                    perspective=code,
                )
            )
    total = sum(card.perspective_weights.values(), ZERO)
    if total != HUNDRED:
        problems.append(
            Problem(
                "perspective_weights",
                None,
                gettext_noop("The perspective weights add up to %(sum)s%%, not 100%%."),
                {"sum": _fmt(total)},
                incomplete=True,
            )
        )
    return problems


def _line_problems(
    card: Card, line: CardLine, seen_indicators: set[str]
) -> list[Problem]:
    problems = []
    key = line.key
    allowed = ALLOWED_TYPES[card.level]
    if line.indicator_type not in INDICATOR_TYPES:
        problems.append(
            Problem(
                "indicator",
                key,
                gettext_noop("Unknown indicator type “%(type)s”."),
                {"type": line.indicator_type},
            )
        )
    elif line.indicator_type not in allowed:
        problems.append(
            Problem(
                "indicator",
                key,
                gettext_noop(
                    "A %(type)s indicator cannot be used on a %(level)s scorecard; allowed types: %(allowed)s."
                ),
                {
                    "type": line.indicator_type,
                    "level": card.level.value,
                    "allowed": ", ".join(
                        kind for kind in INDICATOR_TYPES if kind in allowed
                    ),
                },
            )
        )
    if line.indicator_code in seen_indicators:
        problems.append(
            Problem(
                "indicator",
                key,
                gettext_noop("The indicator %(code)s is already on this scorecard."),
                {"code": line.indicator_code},
            )
        )
    seen_indicators.add(line.indicator_code)
    if line.perspective not in card.perspective_weights:
        problems.append(
            Problem(
                "perspective",
                key,
                gettext_noop("Unknown perspective “%(perspective)s”."),
                {"perspective": line.perspective},
            )
        )
    if line.is_veto:
        if line.weight != 0:
            problems.append(
                Problem(
                    "weight",
                    key,
                    gettext_noop(
                        "A veto (NNI) line carries no weight; it acts through the veto policy. Set its weight to 0."
                    ),
                )
            )
    elif line.weight <= 0:
        problems.append(
            Problem("weight", key, gettext_noop("The weight must be above 0."), incomplete=True)
        )
    elif line.weight > HUNDRED:
        problems.append(
            Problem("weight", key, gettext_noop("The weight cannot be above 100%%."))
        )
    try:
        needs_target = (
            method_needs_target(line.method)
            if line.needs_target is None
            else line.needs_target
        )
    except CardError as error:
        problems.append(Problem("method", key, error.template, error.params))
    else:
        if needs_target and line.target is None:
            problems.append(
                Problem(
                    "target",
                    key,
                    gettext_noop("A target is required by the %(method)s method."),
                    {"method": line.method},
                    incomplete=True,
                )
            )
    return problems


def _sum_problems(card: Card) -> list[Problem]:
    """Each perspective's lines against its weight (or 100), then the effective total."""
    problems = []
    within = card.convention is WeightConvention.WITHIN_PERSPECTIVE
    for code, perspective_weight in card.perspective_weights.items():
        weighted = [line for line in card.weighted_lines() if line.perspective == code]
        total = sum((line.weight for line in weighted), ZERO)
        params = {
            "perspective": code,
            "sum": _fmt(total),
            "weight": _fmt(perspective_weight),
        }
        if perspective_weight == 0:
            if weighted:
                problems.append(
                    Problem(
                        "lines",
                        None,
                        gettext_noop(
                            "%(perspective)s has a weight of 0, so its lines would weigh nothing; "
                            "give it a weight or remove its weighted lines."
                        ),
                        params,
                        perspective=code,
                        incomplete=True,
                    )
                )
            continue
        expected = HUNDRED if within else perspective_weight
        if total == expected:
            continue
        params["diff"] = _fmt(abs(total - expected))
        if within:
            template = gettext_noop(
                "The lines of %(perspective)s add up to %(sum)s%%, not 100%% (off by %(diff)s)."
            )
        elif total > expected:
            template = gettext_noop(
                "The lines of %(perspective)s add up to %(sum)s%%, %(diff)s above its weight of %(weight)s%%."
            )
        else:
            template = gettext_noop(
                "The lines of %(perspective)s add up to %(sum)s%%, %(diff)s below its weight of %(weight)s%%."
            )
        problems.append(Problem("lines", None, template, params, perspective=code, incomplete=True))
    total = sum(unrounded_effective_weights(card).values(), ZERO)
    if total != HUNDRED:
        if within:
            template = gettext_noop(
                "The effective weights add up to %(sum)s%%, not 100%%."
            )
        else:
            template = gettext_noop("The line weights add up to %(sum)s%%, not 100%%.")
        problems.append(Problem("lines", None, template, {"sum": _fmt(total)}, incomplete=True))
    return problems


@_in_context
def check_card(card: Card) -> list[Problem]:
    """Every problem of the card, in a stable order: perspective weights, the number of
    lines, each line (type, duplicate, perspective, weight, method and target), then the
    weight sums. An empty list means the card is valid."""
    problems = _perspective_problems(card)
    if len(card.lines) > card.max_lines:
        problems.append(
            Problem(
                "lines",
                None,
                gettext_noop(
                    "A scorecard can have at most %(max)s lines; this one has %(count)s."
                ),
                {"max": card.max_lines, "count": len(card.lines)},
            )
        )
    seen: set[str] = set()
    for line in card.lines:
        problems.extend(_line_problems(card, line, seen))
    problems.extend(_sum_problems(card))
    return problems


# ---------------------------------------------------------------------------------------
# Expert weighting


def _check_result_keys(
    result: Mapping[str, Any], expected: Iterable[str], refused: Iterable[str] = ()
) -> None:
    expected = list(expected)
    refused = set(refused)
    for key in result:
        if key in refused:
            raise CardError(
                "result",
                gettext_noop(
                    "“%(key)s” is a veto (NNI) line, which carries no weight."
                ),
                {"key": key},
            )
        if key not in expected:
            raise CardError(
                "result",
                gettext_noop("“%(key)s” is not on this scorecard."),
                {"key": key},
            )
    missing = [key for key in expected if key not in result]
    if missing:
        raise CardError(
            "result",
            gettext_noop("The result has no weight for %(keys)s."),
            {"keys": ", ".join(missing)},
        )


def _weight(value: object) -> Decimal:
    weight = _number(value, "result")
    if weight < 0:
        raise CardError("result", gettext_noop("A weight cannot be negative."))
    return weight


@_in_context
def apply_weighting_result(
    card: Card,
    result: Mapping[str, Decimal],
    target: Literal["perspectives", "lines"],
    *,
    perspective: str | None = None,
) -> Card:
    """A new card whose weights come from a closed expert round's result.

    ``target="perspectives"``: ``result`` maps every perspective code of the card to its
    weight. ``target="lines"``: it maps every weighted (non-NNI) line key to its weight in
    the card's convention; with ``perspective`` given, only that perspective's weighted
    lines (a round over one perspective's lines, e.g. under ``WITHIN_PERSPECTIVE``). An
    unknown, missing or veto key, a negative or a float weight is refused; the sums are
    left to ``check_card``.
    """
    if not isinstance(result, Mapping):
        raise TypeError("result must be a mapping of key to weight.")
    if target == "perspectives":
        _check_result_keys(result, card.perspective_weights)
        weights = {code: _weight(result[code]) for code in card.perspective_weights}
        return replace(card, perspective_weights=weights)
    if target != "lines":
        raise CardError(
            "target", gettext_noop("Apply a result to “perspectives” or “lines”.")
        )
    if perspective is not None and perspective not in card.perspective_weights:
        raise CardError(
            "perspective",
            gettext_noop("Unknown perspective “%(perspective)s”."),
            {"perspective": perspective},
        )
    chosen = [
        line.key
        for line in card.weighted_lines()
        if perspective is None or line.perspective == perspective
    ]
    _check_result_keys(
        result, chosen, refused=[line.key for line in card.lines if line.is_veto]
    )
    new = {key: _weight(result[key]) for key in chosen}
    lines = [
        replace(line, weight=new[line.key]) if line.key in new else line
        for line in card.lines
    ]
    return replace(card, lines=lines)


# ---------------------------------------------------------------------------------------
# Policies


@_in_context
def apply_veto(
    total: Decimal,
    vetoed: bool,
    mode: VetoMode | str,
    *,
    ceiling: Decimal | None = None,
    deduction: Decimal | None = None,
) -> Decimal:
    """The total after the NNI veto policy, rounded ROUND_HALF_UP to two places.

    Not vetoed: the total unchanged. ``ZERO``: 0. ``CAP``: the lower of the total and
    ``ceiling`` (a cap never raises a total). ``DEDUCT``: the total less ``deduction``, not
    below 0. The mode's parameter is required and not negative; the other is ignored.
    """
    if not isinstance(vetoed, bool):
        raise TypeError(f"vetoed must be a bool, not {type(vetoed).__name__}.")
    try:
        mode = VetoMode(mode)
    except ValueError:
        raise CardError(
            "mode", gettext_noop("Unknown veto mode “%(mode)s”."), {"mode": mode}
        ) from None
    total = _number(total, "total")
    if total < 0:
        raise CardError("total", gettext_noop("A total cannot be negative."))
    ceiling = _optional_number(ceiling, "ceiling")
    deduction = _optional_number(deduction, "deduction")
    if mode is VetoMode.CAP:
        if ceiling is None:
            raise CardError(
                "ceiling", gettext_noop("A ceiling is required to cap the total.")
            )
        if ceiling < 0:
            raise CardError("ceiling", gettext_noop("The ceiling cannot be negative."))
    if mode is VetoMode.DEDUCT:
        if deduction is None:
            raise CardError("deduction", gettext_noop("A deduction is required."))
        if deduction < 0:
            raise CardError(
                "deduction", gettext_noop("The deduction cannot be negative.")
            )
    if not vetoed:
        return _finish(total)
    if mode is VetoMode.ZERO:
        return _finish(ZERO)
    if mode is VetoMode.CAP:
        return _finish(min(total, ceiling))
    return _finish(max(ZERO, total - deduction))


class FrontLineResult(NamedTuple):
    """Both figures of the sales front-line rule. ``financial_score`` is ``None`` when the
    card has no weighted financial line to score (none, or all not applicable)."""

    financial_score: Decimal | None
    bsc_total: Decimal


@_in_context
def front_line_totals(
    line_scores: Mapping[str, Decimal | None],
    effective_weights: Mapping[str, Decimal],
    perspective_of: Mapping[str, str],
    full_score: Decimal = HUNDRED,
    *,
    policy: NotApplicablePolicy | str | None = None,
    financial: str = FINANCIAL,
) -> FrontLineResult:
    """The sales front-line rule (seed 000): the financial score is worked out separately,
    then the BSC total is worked out with the financial part counted at full marks.

    ``financial_score`` is the weighted mean of the financial lines' scores (their
    effective weights, renormalised within the perspective). ``bsc_total`` is the card's
    weighted total with every financial line scored ``full_score``. A score of ``None`` is
    a not-applicable line and then ``policy`` (a ``NotApplicablePolicy``) is required.
    ``line_scores`` and ``effective_weights`` must have the same keys and
    ``perspective_of`` must name each one's perspective (``CardError`` otherwise); a
    negative score raises ``indicators.scoring.ScoringError``.
    """
    full_score = _number(full_score, "full_score")
    if full_score <= 0:
        raise CardError("full_score", gettext_noop("The full score must be above 0."))
    _check_result_keys(line_scores, effective_weights)
    for key in effective_weights:
        if key not in perspective_of:
            raise CardError(
                "perspective",
                gettext_noop("The perspective of line “%(key)s” is missing."),
                {"key": key},
            )
    if policy is None:
        if any(points is None for points in line_scores.values()):
            raise CardError(
                "policy",
                gettext_noop(
                    "A line is not applicable: choose how not-applicable lines are counted."
                ),
            )
        policy = (
            NotApplicablePolicy.ZERO
        )  # nothing is not applicable, so it does not matter
    financial_keys = [
        key for key in effective_weights if perspective_of[key] == financial
    ]
    financial_lines = [
        (effective_weights[key], line_scores[key]) for key in financial_keys
    ]
    financial_score = None
    if sum((_number(weight, "weight") for weight, _ in financial_lines), ZERO) > 0:
        try:
            financial_score = weighted_total(financial_lines, policy)
        except ScoringError as error:
            if (
                error.field != "__all__"
            ):  # every financial line not applicable: no score
                raise
    bsc_lines = [
        (weight, full_score if key in financial_keys else line_scores[key])
        for key, weight in effective_weights.items()
    ]
    return FrontLineResult(
        financial_score=financial_score, bsc_total=weighted_total(bsc_lines, policy)
    )


# ---------------------------------------------------------------------------------------
# Rater weights of rated (PCI / WAI) lines
# ---------------------------------------------------------------------------------------

# Who rates by rating mode, and the usual weights (percent, adding up to 100). "superior"
# lines are rated on the form by the superior alone; 180 adds the person's own rating,
# 360 peers and subordinates too.
RATER_RELATIONS = {"180": ("superior", "self"), "360": ("superior", "peer", "subordinate", "self")}
DEFAULT_RATER_WEIGHTS = {
    "180": {"superior": Decimal(70), "self": Decimal(30)},
    "360": {"superior": Decimal(50), "peer": Decimal(30), "subordinate": Decimal(20), "self": Decimal(0)},
}


def rater_weights_for(mode: str, weights: Mapping[str, Any] | None) -> dict[str, Decimal]:
    """The line's weights by relation: those stored, else the mode's usual ones."""
    if mode not in RATER_RELATIONS:
        return {}
    if not weights:
        return dict(DEFAULT_RATER_WEIGHTS[mode])
    return {relation: Decimal(str(weights.get(relation, 0))) for relation in RATER_RELATIONS[mode]}


def rater_weight_problems(mode: str, weights: Mapping[str, Any]) -> list[str]:
    """English messages (gettext_noop) for weights that do not fit the rating mode."""
    if mode not in RATER_RELATIONS:
        return [gettext_noop("Only 180° and 360° lines have rater weights.")] if weights else []
    if not weights:
        return []  # the mode's usual weights
    problems = []
    unknown = set(weights) - set(RATER_RELATIONS[mode])
    if unknown:
        problems.append(gettext_noop("This rating mode has no such raters."))
    total = Decimal(0)
    for relation in RATER_RELATIONS[mode]:
        try:
            value = Decimal(str(weights.get(relation, 0)))
        except (InvalidOperation, ValueError):
            return problems + [gettext_noop("Rater weights are numbers from 0 to 100.")]
        if not value.is_finite() or not 0 <= value <= 100:
            return problems + [gettext_noop("Rater weights are numbers from 0 to 100.")]
        total += value
    if total != 100:
        problems.append(gettext_noop("Rater weights must add up to 100."))
    return problems
