"""Weights by expert scoring: point allocation and AHP pairwise comparison.

Pure functions, no database and no Django: Decimal in, Decimal out. Numbers must be
``Decimal`` or ``int``; a ``float`` raises ``TypeError`` (build Decimals from strings).
Work is done in a local Decimal context of ``PRECISION`` digits, whatever the caller's
context is, and every public result is rounded ROUND_HALF_UP to two places only at the
end.

Percentages that must add up to 100 (the mean of a point allocation, AHP weights) are
rounded with the largest-remainder method (see ``_round_to_total``), so the rounded
figures always add up to exactly 100.00.

Errors in the experts' input raise ``WeightingError`` with a field and a message; the
messages are English and marked with ``gettext_noop`` so ``makemessages`` collects them.
The caller translates: ``gettext(error.template) % error.params``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from typing import Any, NamedTuple

__all__ = [
    "AhpResult",
    "CONSISTENCY_LIMIT",
    "INDUSTRY_LABELS",
    "ItemSummary",
    "MAX_PAIRWISE_ITEMS",
    "NON_FIELD",
    "Outlier",
    "PERSPECTIVE_CODES",
    "RANDOM_INDEX",
    "RECIPROCAL_TOLERANCE",
    "SUGGESTED_PERSPECTIVE_WEIGHTS",
    "WeightingError",
    "ahp",
    "combine_ahp",
    "combine_allocations",
    "outliers",
    "pairwise_from_upper",
    "validate_allocation",
    "validate_pairwise",
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

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
NON_FIELD = "__all__"  # Django's NON_FIELD_ERRORS

# Saaty's scale runs from 1/9 to 9. Reciprocals such as 1/3 cannot be exact in Decimal, so
# reciprocity and the ends of the scale are checked within this relative tolerance.
RECIPROCAL_TOLERANCE = Decimal("1e-6")
SCALE_MAX = Decimal(9)
MAX_PAIRWISE_ITEMS = 15
CONSISTENCY_LIMIT = Decimal("0.10")

# Saaty's random index: the mean consistency index of random reciprocal matrices of size n.
RANDOM_INDEX: dict[int, Decimal] = {
    1: Decimal("0"),
    2: Decimal("0"),
    3: Decimal("0.58"),
    4: Decimal("0.90"),
    5: Decimal("1.12"),
    6: Decimal("1.24"),
    7: Decimal("1.32"),
    8: Decimal("1.41"),
    9: Decimal("1.45"),
    10: Decimal("1.49"),
    11: Decimal("1.51"),
    12: Decimal("1.48"),
    13: Decimal("1.56"),
    14: Decimal("1.57"),
    15: Decimal("1.59"),
}


class WeightingError(ValueError):
    """An expert's input cannot be used.

    ``field`` names what is wrong: an item code for a point allocation, ``"i,j"`` (0-based,
    as the keys of ``pairwise_from_upper``) for a cell of a comparison matrix, or
    ``NON_FIELD`` for the input as a whole. Messages speak of rows and columns 1-based, as a
    person reads the grid. ``expert`` is set by the combining functions: the expert's key
    (point allocation) or position (AHP) whose input is wrong.
    """

    def __init__(self, field: str, template: str, params: Mapping[str, Any] | None = None, *, expert: Any = None):
        self.field = field
        self.template = template
        self.params = dict(params or {})
        self.message = template % self.params if self.params else template
        self.expert = expert
        super().__init__(field, self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """The experts' points for one item: the mean is the item's weight in percent."""

    mean: Decimal
    minimum: Decimal
    maximum: Decimal
    stdev: Decimal  # population standard deviation
    spread: Decimal  # maximum - minimum


class Outlier(NamedTuple):
    expert: Any
    item: str
    deviation: Decimal  # signed, in standard deviations from the item's mean


@dataclass(frozen=True, slots=True)
class AhpResult:
    weights: tuple[Decimal, ...]  # percent, in the order of the matrix rows; sum 100.00
    lambda_max: Decimal
    consistency_index: Decimal
    consistency_ratio: Decimal
    consistent: bool


# --- helpers ---------------------------------------------------------------------------


def _check_number(value: object, what: str) -> Decimal:
    """Decimal or int only; float is refused because it cannot hold 0.1 exactly."""
    if isinstance(value, float):
        raise TypeError(f"{what} must be a Decimal or an int, not a float; build Decimals from strings.")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what} must be a Decimal or an int, not {type(value).__name__}.")
    return Decimal(value)


def _round(value: Decimal) -> Decimal:
    """ROUND_HALF_UP to two places, never showing -0.00."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _round_to_total(values: Sequence[Decimal], total: Decimal = HUNDRED) -> tuple[Decimal, ...]:
    """Round non-negative shares to 0.01 so that they add up to exactly ``total``.

    Largest-remainder (Hamilton) method: round every value down to 0.01, then give the
    missing hundredths, one each, to the values that lost the most; on a tie the earlier
    value wins. When plain ROUND_HALF_UP already adds up to the total this gives the same
    figures; otherwise it moves the fewest values by 0.01 each. ``values`` must add up to
    ``total`` (up to the working precision).
    """
    floors = [value.quantize(CENT, rounding=ROUND_FLOOR) for value in values]
    remainders = [value - floor for value, floor in zip(values, floors, strict=True)]
    missing = int((total - sum(floors, Decimal(0))) / CENT)  # exact: both are multiples of 0.01
    if not 0 <= missing <= len(values):
        raise ArithmeticError(f"The shares add up to {sum(values, Decimal(0))}, not {total}.")
    for index in sorted(range(len(values)), key=lambda i: (-remainders[i], i))[:missing]:
        floors[index] += CENT
    return tuple(floors)


def _geometric_mean(values: Sequence[Decimal]) -> Decimal:
    return (sum((value.ln() for value in values), Decimal(0)) / len(values)).exp()


# --- point allocation ------------------------------------------------------------------


def _check_items(items: Sequence[str]) -> None:
    if isinstance(items, str):
        raise TypeError("items must be a sequence of item codes, not a string.")
    if len(set(items)) != len(items):
        raise ValueError("items must not repeat.")
    if not items:
        raise WeightingError(NON_FIELD, gettext_noop("There is nothing to weigh."))


def _check_allocation(points: Mapping[str, Decimal], items: Sequence[str]) -> dict[str, Decimal]:
    values = {key: _check_number(value, f"Points for {key!r}") for key, value in points.items()}
    for item in items:
        if item not in values:
            raise WeightingError(item, gettext_noop("Give points to every item: %(item)s is missing."), {"item": item})
    known = set(items)
    for key in values:
        if key not in known:
            raise WeightingError(
                str(key), gettext_noop("%(item)s is not one of the items being weighed."), {"item": key}
            )
    for item in items:
        if not values[item].is_finite():
            raise WeightingError(item, gettext_noop("Points must be a number."))
        if values[item] < 0:
            raise WeightingError(item, gettext_noop("Points cannot be negative."))
    total = sum((values[item] for item in items), Decimal(0))
    if total != HUNDRED:
        raise WeightingError(
            NON_FIELD, gettext_noop("The points must add up to 100; they add up to %(total)s."), {"total": total}
        )
    return {item: values[item] for item in items}


def validate_allocation(points: Mapping[str, Decimal], items: Sequence[str]) -> None:
    """Check one expert's allocation of 100 points over ``items``.

    Every item needs points (0 is allowed), no other keys, none negative, and the total must
    be exactly 100. Raises ``WeightingError`` for the first problem found, ``TypeError`` for a
    float or a non-number.
    """
    _check_items(items)
    with localcontext(_CONTEXT):
        _check_allocation(points, items)


def _checked_allocations(
    allocations: Mapping[Any, Mapping[str, Decimal]], items: Sequence[str]
) -> dict[Any, dict[str, Decimal]]:
    _check_items(items)
    if not allocations:
        raise WeightingError(NON_FIELD, gettext_noop("At least one expert must allocate points."))
    checked = {}
    for expert, points in allocations.items():
        try:
            checked[expert] = _check_allocation(points, items)
        except WeightingError as error:
            error.expert = expert
            raise
    return checked


def _mean_and_stdev(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    mean = sum(values, Decimal(0)) / len(values)
    variance = sum(((value - mean) ** 2 for value in values), Decimal(0)) / len(values)
    return mean, variance.sqrt()


def combine_allocations(
    allocations: Mapping[Any, Mapping[str, Decimal]], items: Sequence[str]
) -> dict[str, ItemSummary]:
    """Combine the experts' allocations (expert -> item -> points) into one weight per item.

    The weight is the mean of the experts' points, shown with their minimum, maximum,
    population standard deviation and spread (maximum - minimum). The means are rounded by
    the largest-remainder method so that they add up to exactly 100.00; a single expert's
    allocation given to 0.01 comes back unchanged. Every allocation is validated first
    (``WeightingError.expert`` says whose is wrong). Keys follow the order of ``items``.
    """
    with localcontext(_CONTEXT):
        checked = _checked_allocations(allocations, items)
        stats = {}
        for item in items:
            values = [points[item] for points in checked.values()]
            stats[item] = (*_mean_and_stdev(values), min(values), max(values))
        means = _round_to_total([stats[item][0] for item in items])
        return {
            item: ItemSummary(
                mean=mean,
                minimum=_round(minimum),
                maximum=_round(maximum),
                stdev=_round(stdev),
                spread=_round(maximum - minimum),
            )
            for item, mean, (_, stdev, minimum, maximum) in zip(
                items, means, (stats[item] for item in items), strict=True
            )
        }


def outliers(
    allocations: Mapping[Any, Mapping[str, Decimal]],
    items: Sequence[str],
    threshold: Decimal = Decimal("2"),
) -> list[Outlier]:
    """The (expert, item, deviation) triples where an expert's points lie more than
    ``threshold`` population standard deviations from the item's mean.

    ``deviation`` is signed (above the mean is positive), rounded to 0.01; the comparison
    uses the unrounded value. An item on which all experts agree has no outliers. Note that
    with k experts no one can be more than sqrt(k - 1) standard deviations away, so the
    default threshold of 2 needs at least six experts to flag anyone. Ordered by item, then
    by expert as given.
    """
    threshold = _check_number(threshold, "threshold")
    if not threshold.is_finite() or threshold <= 0:
        raise ValueError("threshold must be a positive number.")
    found = []
    with localcontext(_CONTEXT):
        checked = _checked_allocations(allocations, items)
        for item in items:
            mean, stdev = _mean_and_stdev([points[item] for points in checked.values()])
            if stdev.is_zero():
                continue
            for expert, points in checked.items():
                deviation = (points[item] - mean) / stdev
                if abs(deviation) > threshold:
                    found.append(Outlier(expert, item, _round(deviation)))
    return found


# --- AHP pairwise comparison -----------------------------------------------------------


def _cell(i: int, j: int) -> str:
    return f"{i},{j}"


def _cell_params(i: int, j: int, **more: Any) -> dict[str, Any]:
    return {"row": i + 1, "column": j + 1, **more}


def _check_size(n: int) -> None:
    if n < 1:
        raise WeightingError(NON_FIELD, gettext_noop("There is nothing to compare."))
    if n > MAX_PAIRWISE_ITEMS:
        raise WeightingError(
            NON_FIELD,
            gettext_noop("At most %(limit)s items can be compared pairwise."),
            {"limit": MAX_PAIRWISE_ITEMS},
        )


def _check_pairwise(matrix: Sequence[Sequence[Decimal]]) -> list[list[Decimal]]:
    if isinstance(matrix, (str, bytes)) or not isinstance(matrix, Sequence):
        raise TypeError("The comparison matrix must be a sequence of rows.")
    n = len(matrix)
    _check_size(n)
    for i, row in enumerate(matrix):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise TypeError("Each row of the comparison matrix must be a sequence.")
        if len(row) != n:
            raise WeightingError(
                NON_FIELD,
                gettext_noop("The comparison matrix must be square: row %(row)s has %(length)s entries, not %(size)s."),
                {"row": i + 1, "length": len(row), "size": n},
            )
    values = [
        [_check_number(value, f"Row {i + 1}, column {j + 1}") for j, value in enumerate(row)]
        for i, row in enumerate(matrix)
    ]
    low = (1 - RECIPROCAL_TOLERANCE) / SCALE_MAX
    high = SCALE_MAX * (1 + RECIPROCAL_TOLERANCE)
    for i in range(n):
        for j in range(n):
            value = values[i][j]
            if not value.is_finite():
                raise WeightingError(
                    _cell(i, j),
                    gettext_noop("Row %(row)s, column %(column)s: a judgement must be a number."),
                    _cell_params(i, j),
                )
            if i == j and value != 1:
                raise WeightingError(
                    _cell(i, j),
                    gettext_noop(
                        "Row %(row)s, column %(column)s: an item compared with itself must be 1, not %(value)s."
                    ),
                    _cell_params(i, j, value=value),
                )
            if not low <= value <= high:
                raise WeightingError(
                    _cell(i, j),
                    gettext_noop(
                        "Row %(row)s, column %(column)s: a judgement must lie between 1/9 and 9, not %(value)s."
                    ),
                    _cell_params(i, j, value=value),
                )
    for i in range(n):
        for j in range(i + 1, n):
            if abs(values[i][j] * values[j][i] - 1) > RECIPROCAL_TOLERANCE:
                raise WeightingError(
                    _cell(j, i),
                    gettext_noop(
                        "Row %(row)s, column %(column)s must be 1/%(value)s, "
                        "the reciprocal of row %(column)s, column %(row)s."
                    ),
                    _cell_params(j, i, value=values[i][j]),
                )
    return values


def validate_pairwise(matrix: Sequence[Sequence[Decimal]]) -> None:
    """Check a pairwise comparison matrix: square n x n with 1 <= n <= 15, ones on the
    diagonal, every entry within Saaty's scale [1/9, 9], and reciprocal: a_ji = 1/a_ij.

    Reciprocity and the ends of the scale allow a relative tolerance of 1e-6
    (``RECIPROCAL_TOLERANCE``), since 1/3 cannot be exact in Decimal; the diagonal must be
    exactly 1. Raises ``WeightingError`` for the first problem (the shape, then each cell row
    by row, then reciprocity), ``TypeError`` for a float or a non-number.
    """
    with localcontext(_CONTEXT):
        _check_pairwise(matrix)


def pairwise_from_upper(upper: Mapping[tuple[int, int], Decimal], n: int) -> tuple[tuple[Decimal, ...], ...]:
    """Build the full reciprocal matrix from the judgements above the diagonal.

    ``upper`` maps every (i, j) with 0 <= i < j < n to a_ij, "how much more important item i
    is than item j" on Saaty's scale (a value below 1 means j is the more important). This is
    what a form asks for: n(n-1)/2 judgements. The diagonal is 1 and a_ji = 1/a_ij (to the
    working precision). The result is validated as ``validate_pairwise`` does.
    """
    _check_size(n)
    with localcontext(_CONTEXT):
        for key in upper:
            if not (
                isinstance(key, tuple)
                and len(key) == 2
                and all(isinstance(k, int) and not isinstance(k, bool) for k in key)
                and 0 <= key[0] < key[1] < n
            ):
                raise WeightingError(
                    str(key),
                    gettext_noop("%(key)s is not a comparison above the diagonal of a %(size)s x %(size)s matrix."),
                    {"key": key, "size": n},
                )
        rows = [[Decimal(1)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                if (i, j) not in upper:
                    raise WeightingError(
                        _cell(i, j),
                        gettext_noop("The comparison of item %(row)s with item %(column)s is missing."),
                        _cell_params(i, j),
                    )
                value = _check_number(upper[(i, j)], f"Row {i + 1}, column {j + 1}")
                rows[i][j] = value
                rows[j][i] = 1 / value if value.is_finite() and not value.is_zero() else value
        _check_pairwise(rows)
    return tuple(tuple(row) for row in rows)


def ahp(matrix: Sequence[Sequence[Decimal]]) -> AhpResult:
    """Priority weights and consistency of one expert's pairwise comparison matrix.

    - Priority vector: the normalised geometric mean of each row (row geometric mean
      method), given in percent and rounded by largest remainder to add up to 100.00.
    - lambda_max = mean over i of (A w)_i / w_i; CI = (lambda_max - n) / (n - 1);
      CR = CI / RI[n] with Saaty's random index. For n <= 2 every reciprocal matrix is
      consistent: CR = 0.
    - ``consistent`` is CR < 0.10 on the rounded CR that is shown, so a displayed 0.10 is
      never accepted; otherwise the expert is asked to revise.

    lambda_max, CI and CR are rounded ROUND_HALF_UP to two places.
    """
    with localcontext(_CONTEXT):
        values = _check_pairwise(matrix)
        n = len(values)
        means = [_geometric_mean(row) for row in values]
        total = sum(means, Decimal(0))
        priorities = [mean / total for mean in means]
        products = [sum((a * w for a, w in zip(row, priorities, strict=True)), Decimal(0)) for row in values]
        lambda_max = sum((p / w for p, w in zip(products, priorities, strict=True)), Decimal(0)) / n
        consistency_index = (lambda_max - n) / (n - 1) if n > 1 else Decimal(0)
        if n <= 2:
            consistency_ratio = Decimal("0.00")
        else:
            consistency_ratio = _round(consistency_index / RANDOM_INDEX[n])
        return AhpResult(
            weights=_round_to_total([w * HUNDRED for w in priorities]),
            lambda_max=_round(lambda_max),
            consistency_index=_round(consistency_index),
            consistency_ratio=consistency_ratio,
            consistent=consistency_ratio < CONSISTENCY_LIMIT,
        )


def combine_ahp(results: Sequence[AhpResult]) -> tuple[Decimal, ...]:
    """Aggregate several experts' AHP results into one set of weights (percent, sum 100.00).

    Aggregation of individual priorities (AIP): the normalised geometric mean of the
    experts' weights, item by item. The geometric mean is the usual choice because it keeps
    the reciprocal nature of the judgements (Forman and Peniwati, 1998); each expert counts
    equally. Only consistent results are combined: an inconsistent one raises
    ``WeightingError`` with ``expert`` set to its position, and that expert must revise.
    The experts' weights are the rounded percentages of ``AhpResult``, so the aggregate can
    differ from one computed on unrounded priorities in the last place.
    """
    if not results:
        raise WeightingError(NON_FIELD, gettext_noop("At least one expert's comparison is needed."))
    size = len(results[0].weights)
    with localcontext(_CONTEXT):
        vectors = []
        for position, result in enumerate(results):
            if len(result.weights) != size:
                raise WeightingError(
                    NON_FIELD,
                    gettext_noop("Every expert must compare the same %(size)s items."),
                    {"size": size},
                    expert=position,
                )
            if not result.consistent:
                raise WeightingError(
                    NON_FIELD,
                    gettext_noop(
                        "The comparisons are inconsistent (consistency ratio %(ratio)s, at least 0.10); "
                        "the expert must revise them."
                    ),
                    {"ratio": result.consistency_ratio},
                    expert=position,
                )
            weights = [_check_number(weight, "A weight") for weight in result.weights]
            if not all(weight.is_finite() and weight > 0 for weight in weights):
                raise WeightingError(NON_FIELD, gettext_noop("Every weight must be positive."), expert=position)
            vectors.append(weights)
        means = [_geometric_mean(column) for column in zip(*vectors, strict=True)]
        total = sum(means, Decimal(0))
        return _round_to_total([mean / total * HUNDRED for mean in means])


# --- suggested perspective weights by industry -----------------------------------------

PERSPECTIVE_CODES = ("financial", "customer", "internal_process", "learning_growth")

# Starting suggestions for a new company's perspective weights (percent), after DOMAIN.md
# "Scores": high-tech leans on learning & growth, large manufacturers on internal process,
# banks and insurers on financial. They are offered in the UI for HR or the expert panel to
# change; they are not seed data and nothing is created from them.
SUGGESTED_PERSPECTIVE_WEIGHTS: dict[str, dict[str, Decimal]] = {
    "general": {
        "financial": Decimal("30"),
        "customer": Decimal("25"),
        "internal_process": Decimal("25"),
        "learning_growth": Decimal("20"),
    },
    "high_tech": {
        "financial": Decimal("20"),
        "customer": Decimal("25"),
        "internal_process": Decimal("20"),
        "learning_growth": Decimal("35"),
    },
    "manufacturing": {
        "financial": Decimal("25"),
        "customer": Decimal("20"),
        "internal_process": Decimal("35"),
        "learning_growth": Decimal("20"),
    },
    "financial_services": {
        "financial": Decimal("40"),
        "customer": Decimal("25"),
        "internal_process": Decimal("20"),
        "learning_growth": Decimal("15"),
    },
    "retail": {
        "financial": Decimal("30"),
        "customer": Decimal("35"),
        "internal_process": Decimal("20"),
        "learning_growth": Decimal("15"),
    },
    "public_service": {
        "financial": Decimal("15"),
        "customer": Decimal("40"),
        "internal_process": Decimal("25"),
        "learning_growth": Decimal("20"),
    },
}

INDUSTRY_LABELS: dict[str, str] = {
    "general": gettext_noop("General"),
    "high_tech": gettext_noop("High technology"),
    "manufacturing": gettext_noop("Manufacturing"),
    "financial_services": gettext_noop("Banking and insurance"),
    "retail": gettext_noop("Retail and distribution"),
    "public_service": gettext_noop("Public service and non-profit"),
}
