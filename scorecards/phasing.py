"""Phasing an annual target into months and quarters (seed 004: annual -> quarterly -> monthly).

Pure functions, no database and no Django: Decimal in, Decimal out. Numbers must be
``Decimal`` or ``int``; a ``float`` raises ``TypeError`` (build Decimals from strings).
Work is done in a local Decimal context of ``PRECISION`` digits, whatever the caller's
context is, and month targets are rounded ROUND_HALF_UP to two places only at the end.

The indicator's ``Aggregation`` rule decides what phasing means and how months give the
year back:

* ``SUM`` (revenue, output, costs): the months add up to the year.
* ``AVERAGE`` (ratios and percentages): the year is the mean of the months; an even phasing
  repeats the annual rate every month.
* ``LAST`` (a year-end level: headcount, a balance): the year is December's value; the months
  follow a path from ``start`` (the level at the beginning of the year) to the annual target.
  A flat path (every month at the year-end target) is ``start=annual``.

The ``PhasingMethod`` decides the shape:

* ``EVEN``: SUM gives annual / 12 a month; AVERAGE gives the annual rate every month; LAST
  gives a straight path, month i = start + (annual - start) x i / 12.
* ``PROFILE``: 12 monthly shares in percent adding up to exactly 100 (e.g. the sales
  department's seasonality). SUM gives annual x share / 100; AVERAGE gives
  annual x share x 12 / 100 (an even profile of 8.33... would repeat the rate; the mean is
  the annual); LAST follows the cumulative shares, month i = start + (annual - start) x
  (share_1 + ... + share_i) / 100.
* ``MANUAL``: the user types the months; ``phase`` refuses it, and ``reconcile`` shows how far
  the typed months are from the annual target.

Rounding, decided once here: SUM and AVERAGE months are rounded to 0.01 with the
largest-remainder (Hamilton) method, as ``indicators.weighting`` rounds weights: every month
is rounded towards zero, then the missing cents go, one each, to the months that lost the
most; on a tie the later month wins (the cents land at the end of the year). So the months
give back exactly the annual target (SUM 1000 even gives 83.33 x 8 then 83.34 x 4,
September to December), every month is within 0.01 of its exact share, a month never
changes sign, and a month with a zero share stays exactly 0. ("December absorbs the
difference" was rejected: with a tiny December share it can turn December negative, e.g. 10
over 9.09% x 11 and 0.01% gives -0.01.) LAST needs no adjustment: each month is rounded
ROUND_HALF_UP and December's cumulative share is 100, so December is the annual target.

Inputs, decided once here:

* The annual target and ``start`` must have at most two decimal places (the months have two;
  a target of 1000.005 could not be given back exactly). Negative values are allowed under
  every rule: a planned loss (SUM), a negative margin (AVERAGE) or an overdraft (LAST) are
  real targets, and the arithmetic is the same.
* ``start`` is required for LAST and refused for SUM and AVERAGE; ``profile`` is required for
  PROFILE and refused for EVEN.
* ``quarters`` and ``reconcile`` take any 12 month values (manual months may have more places).

Bad user input raises ``PhasingError`` with a field and a message; the messages are English
and marked with ``gettext_noop`` so ``makemessages`` collects them. The caller translates:
``gettext(error.template) % error.params``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import (
    ROUND_DOWN,
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
from typing import Any

__all__ = [
    "Aggregation",
    "MAX_MAGNITUDE",
    "MONTHS",
    "NON_FIELD",
    "PhasingError",
    "PhasingMethod",
    "phase",
    "quarters",
    "reconcile",
    "validate_profile",
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

MONTHS = 12
ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MAX_MAGNITUDE = Decimal("1E15")  # targets and shares must be smaller than this
NON_FIELD = "__all__"  # Django's NON_FIELD_ERRORS


class Aggregation(StrEnum):
    """How an indicator's months give back its year."""

    SUM = "sum"  # the months add up to the year (revenue)
    AVERAGE = "average"  # the year is the mean of the months (ratios, percentages)
    LAST = "last"  # the year is the year-end level (headcount, a balance)


class PhasingMethod(StrEnum):
    EVEN = "even"
    PROFILE = "profile"  # 12 monthly shares in percent, e.g. sales seasonality
    MANUAL = "manual"  # typed by the user month by month


class PhasingError(ValueError):
    """An annual target, profile or option that cannot be phased.

    ``field`` names what is wrong (``"annual"``, ``"start"``, ``"profile"``, ``"months"``,
    ``"aggregation"``, ``"method"``) or ``NON_FIELD``. ``month`` is the 1-based month of a
    wrong share or month value, when there is one, so an editor can mark the cell.
    ``message`` is the English text; ``template`` and ``params`` let the caller translate it.
    """

    def __init__(
        self,
        field: str,
        template: str,
        params: Mapping[str, Any] | None = None,
        *,
        month: int | None = None,
    ):
        self.field = field
        self.template = template
        self.params = dict(params or {})
        self.message = template % self.params if self.params else template
        self.month = month
        super().__init__(field, self.message)

    def __str__(self) -> str:
        return self.message


# --- helpers ---------------------------------------------------------------------------


def _in_context(function: Callable) -> Callable:
    """Run a public function in the module's Decimal context."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with localcontext(_CONTEXT):
            return function(*args, **kwargs)

    return wrapper


def _fmt(value: Decimal) -> str:
    """A number for a message: 80, 80.5, 0.001 (no exponent, no trailing zeros)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value: object, field: str, *, month: int | None = None) -> Decimal:
    """Decimal or int only; a float (or anything else) is a TypeError, a huge or infinite value a PhasingError."""
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
        raise PhasingError(field, gettext_noop("Enter a finite number."), month=month)
    if abs(number) >= MAX_MAGNITUDE:
        raise PhasingError(
            field, gettext_noop("This number is too large."), month=month
        )
    return number


def _target(value: object, field: str) -> Decimal:
    """An annual target or starting level: at most two decimal places."""
    number = _number(value, field)
    if number != number.quantize(CENT):
        raise PhasingError(
            field, gettext_noop("Enter a number with at most two decimal places.")
        )
    return number


def _sequence(values: object, field: str) -> list[object]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(
            f"{field} must be a sequence of numbers, not {type(values).__name__}."
        )
    return list(values)


def _months(months: object) -> list[Decimal]:
    values = _sequence(months, "months")
    if len(values) != MONTHS:
        raise PhasingError(
            "months",
            gettext_noop("Give 12 monthly values; there are %(count)s."),
            {"count": len(values)},
        )
    return [
        _number(value, "months", month=index + 1) for index, value in enumerate(values)
    ]


def _choice(enum: type[StrEnum], value: object, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise PhasingError(
            field, gettext_noop("Unknown choice “%(value)s”."), {"value": value}
        ) from None


def _round(value: Decimal) -> Decimal:
    """ROUND_HALF_UP to two places, never showing -0.00."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _check_profile(shares: object) -> list[Decimal]:
    values = _sequence(shares, "profile")
    if len(values) != MONTHS:
        raise PhasingError(
            "profile",
            gettext_noop("A profile has 12 monthly shares; this one has %(count)s."),
            {"count": len(values)},
        )
    checked = [
        _number(value, "profile", month=index + 1) for index, value in enumerate(values)
    ]
    for index, share in enumerate(checked):
        if share < 0:
            raise PhasingError(
                "profile",
                gettext_noop("The share of month %(month)s cannot be negative."),
                {"month": index + 1},
                month=index + 1,
            )
    total = sum(checked, ZERO)
    if total != HUNDRED:
        raise PhasingError(
            "profile",
            gettext_noop(
                "The monthly shares must add up to 100; they add up to %(total)s."
            ),
            {"total": _fmt(total)},
        )
    return checked


def _round_to_total(exact: Sequence[Decimal], total: Decimal) -> tuple[Decimal, ...]:
    """Round values of one sign to 0.01 so that they add up to exactly ``total`` (two places).

    Largest remainder on the magnitudes: round each towards zero, then give the missing
    cents, one each, to the values that lost the most; on a tie the later value wins.
    ``exact`` must add up to ``total`` (up to the working precision).
    """
    sign = -1 if total < 0 else 1
    magnitudes = [abs(value) for value in exact]
    floors = [value.quantize(CENT, rounding=ROUND_DOWN) for value in magnitudes]
    remainders = [
        value - floor for value, floor in zip(magnitudes, floors, strict=True)
    ]
    missing = int(((abs(total) - sum(floors, ZERO)) / CENT).to_integral_value())
    if not 0 <= missing <= len(exact):
        raise ArithmeticError(f"The values add up to {sum(exact, ZERO)}, not {total}.")
    for index in sorted(range(len(exact)), key=lambda i: (-remainders[i], -i))[
        :missing
    ]:
        floors[index] += CENT
    return tuple(_round(sign * floor) for floor in floors)


# --- public API ------------------------------------------------------------------------


@_in_context
def validate_profile(shares: Sequence[Decimal]) -> None:
    """Check a seasonal profile: exactly 12 shares, none negative, adding up to exactly 100.

    Raises ``PhasingError`` (field ``"profile"``, ``month`` set for a bad share) for the first
    problem found, ``TypeError`` for a float or a non-number.
    """
    _check_profile(shares)


@_in_context
def phase(
    annual: Decimal,
    aggregation: Aggregation | str,
    method: PhasingMethod | str,
    *,
    profile: Sequence[Decimal] | None = None,
    start: Decimal | None = None,
) -> tuple[Decimal, ...]:
    """The 12 monthly targets of ``annual`` under ``aggregation``, shaped by ``method``.

    Every month is rounded to two places and the months reconcile exactly with ``annual``
    (``reconcile`` gives 0): see the module docstring for the rules.
    """
    aggregation = _choice(Aggregation, aggregation, "aggregation")
    method = _choice(PhasingMethod, method, "method")
    annual = _target(annual, "annual")
    if method is PhasingMethod.MANUAL:
        raise PhasingError(
            "method",
            gettext_noop("Manual targets are entered month by month, not computed."),
        )
    if method is PhasingMethod.PROFILE:
        if profile is None:
            raise PhasingError("profile", gettext_noop("Choose a profile to phase by."))
        shares = _check_profile(profile)
    else:
        if profile is not None:
            raise PhasingError(
                "profile", gettext_noop("An even phasing does not use a profile.")
            )
        shares = []  # even: not used
    if aggregation is Aggregation.LAST:
        if start is None:
            raise PhasingError(
                "start",
                gettext_noop(
                    "Enter the level at the beginning of the year to phase a year-end target."
                ),
            )
        start = _target(start, "start")
    elif start is not None:
        raise PhasingError(
            "start",
            gettext_noop(
                "A starting level applies only to year-end (last value) targets."
            ),
        )

    if aggregation is Aggregation.SUM:
        if method is PhasingMethod.EVEN:
            exact = [annual / MONTHS] * MONTHS
        else:
            exact = [annual * share / HUNDRED for share in shares]
        return _round_to_total(exact, annual)

    if aggregation is Aggregation.AVERAGE:
        if method is PhasingMethod.EVEN:
            return tuple(_round(annual) for _ in range(MONTHS))
        exact = [annual * share * MONTHS / HUNDRED for share in shares]
        return _round_to_total(exact, annual * MONTHS)

    # LAST: a path from start to the year-end target along the cumulative shares.
    change = annual - start
    months = []
    cumulative = ZERO
    for index in range(MONTHS):
        if method is PhasingMethod.EVEN:
            months.append(_round(start + change * (index + 1) / MONTHS))
        else:
            cumulative += shares[index]
            months.append(_round(start + change * cumulative / HUNDRED))
    months[-1] = _round(
        annual
    )  # already equal: the cumulative share of December is 100
    return tuple(months)


@_in_context
def quarters(
    months: Sequence[Decimal], aggregation: Aggregation | str
) -> tuple[Decimal, ...]:
    """The 4 quarterly targets of 12 months: SUM adds the quarter's three months, AVERAGE
    takes their mean, LAST takes the quarter's last month; each rounded to two places."""
    aggregation = _choice(Aggregation, aggregation, "aggregation")
    values = _months(months)
    result = []
    for first in range(0, MONTHS, 3):
        quarter = values[first : first + 3]
        if aggregation is Aggregation.SUM:
            value = sum(quarter, ZERO)
        elif aggregation is Aggregation.AVERAGE:
            value = sum(quarter, ZERO) / 3
        else:
            value = quarter[-1]
        result.append(_round(value))
    return tuple(result)


@_in_context
def reconcile(
    annual: Decimal, months: Sequence[Decimal], aggregation: Aggregation | str
) -> Decimal:
    """How far 12 months are from the annual target under the rule; 0 when they reconcile.

    SUM: sum of the months - annual; AVERAGE: mean of the months - annual; LAST: December -
    annual. Positive means the months ask for more than the year. The difference is not
    rounded (a mean 1/1200 above the annual would round to 0.00 and hide the mismatch): it
    is 0 exactly when the months reconcile; the caller formats it for display.
    """
    aggregation = _choice(Aggregation, aggregation, "aggregation")
    annual = _number(annual, "annual")
    values = _months(months)
    if aggregation is Aggregation.SUM:
        given = sum(values, ZERO)
    elif aggregation is Aggregation.AVERAGE:
        given = sum(values, ZERO) / MONTHS
    else:
        given = values[-1]
    difference = given - annual
    return difference.copy_abs() if difference.is_zero() else difference
