"""How a group's scores are spread, for the general manager's approval queue: the usual
figures and the outliers by Tukey's fences (below Q1 - 1.5 IQR or above Q3 + 1.5 IQR).

Pure: Decimal scores in, figures out. Quartiles are the medians of the lower and upper
halves (the middle score left out when the count is odd), rounded half-up to 2 places.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Spread:
    count: int
    mean: Decimal
    median: Decimal
    low: Decimal
    high: Decimal
    q1: Decimal
    q3: Decimal
    fences: tuple[Decimal, Decimal]

    def is_outlier(self, score: Decimal) -> bool:
        return score < self.fences[0] or score > self.fences[1]


def _round(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def spread(scores: list[Decimal]) -> Spread | None:
    """The spread of the scores; None for none. Floats are refused (TypeError)."""
    if any(isinstance(score, float) or not isinstance(score, (Decimal, int)) for score in scores):
        raise TypeError("Scores must be Decimals or ints.")
    values = sorted(Decimal(score) for score in scores)
    if not values:
        return None
    half = len(values) // 2
    lower, upper = values[:half] or values, values[-half:] if half else values
    q1, q3 = _round(median(lower)), _round(median(upper))
    reach = (q3 - q1) * Decimal("1.5")
    return Spread(
        count=len(values), mean=_round(sum(values) / len(values)), median=_round(median(values)), low=values[0],
        high=values[-1], q1=q1, q3=q3, fences=(q1 - reach, q3 + reach),
    )
