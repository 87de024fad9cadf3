"""The five scoring methods of seed 003 (计分方法), as pure functions.

Percentage (百分率法), interval (区间赋分法), 0-1 (0-1法), deduction (减分考评法) and
description (说明法) turn an indicator's actual value into a score out of 100, and
``weighted_total`` combines the lines of a scorecard.

No database and no Django: Decimal in, Decimal out. Numbers passed to the scoring
functions must be ``Decimal`` or ``int``; a ``float`` raises ``TypeError`` (build Decimals
from strings). Work is done in a local Decimal context of ``PRECISION`` digits, whatever
the caller's context is; nothing is rounded on the way (beyond those digits), and every
score is rounded ROUND_HALF_UP to two places only at the end (``finish``). Inputs must be
smaller than ``MAX_MAGNITUDE`` in size.

Parameters of a method are frozen dataclasses stored as JSON (numbers as strings):
``params_from_dict`` / ``to_dict`` convert, ``validate_params`` checks them when an
indicator is saved. A float in stored parameters is a ``ScoringError`` (it is user
data), not a ``TypeError``. Bad parameters or inputs raise ``ScoringError`` with a field and a
message; the messages are English and marked with ``gettext_noop`` so ``makemessages``
collects them. The caller translates: ``gettext(error.template) % error.params``.

Edge cases, decided once here:

* Percentage and interval-on-achievement need a target above 0 (a ratio to 0 means
  nothing; use 0-1 or deduction for "zero defects").
* Higher is better: a negative actual (a loss) is a negative achievement and scores the
  floor. Lower is better: an actual of 0 (nothing spent, no defect) is the best possible
  result and scores the cap; its achievement is unbounded and reported as ``None``. A
  negative lower-is-better actual is refused: costs, times and counts are not negative.
* Target range: 100 inside [low, high], actual / low x 100 below it, high / actual x 100
  above it.
* ``zero_below`` wins over the floor: an achievement below it scores 0, not the floor.
* Qualitative indicators have no achievement: percentage and interval-on-achievement
  refuse them; 0-1 takes an actual of 1 (met) or 0; interval on the actual, deduction and
  description work as usual.
* Deduction counts occurrences: whole numbers, not negative. More occurrences always
  cost points, so it refuses higher-is-better and target-range indicators.
* Description averages the raters' level *scores* unrounded (7 and 5 on the seven-level
  scale give (100 + 71.428571...) / 2 = 85.71, not (100 + 71.43) / 2 = 85.72).
* A not-applicable line is handled by an explicit ``NotApplicablePolicy``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import (
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
    "Band",
    "Basis",
    "DEFAULT_BANDS",
    "DeductionParams",
    "DescriptionParams",
    "Direction",
    "IntervalParams",
    "Level",
    "MAX_MAGNITUDE",
    "Method",
    "NON_FIELD",
    "NotApplicablePolicy",
    "PercentageParams",
    "Rating",
    "Result",
    "SEVEN_LEVEL_SCALE",
    "ScoringError",
    "ZeroOneParams",
    "achievement",
    "check_direction",
    "default_params",
    "finish",
    "params_from_dict",
    "score",
    "score_deduction",
    "score_description",
    "score_interval",
    "score_percentage",
    "score_zero_one",
    "validate_params",
    "weighted_total",
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
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MAX_CAP = Decimal(1000)  # highest cap of the percentage method
MAX_SCORE = Decimal(120)  # highest score of a band, a 0-1 "met" or a deduction's full score
MAX_MAGNITUDE = Decimal("1E15")  # inputs and parameters must be smaller than this
NON_FIELD = "__all__"  # Django's NON_FIELD_ERRORS
INFINITY = Decimal("Infinity")


class Method(StrEnum):
    PERCENTAGE = "percentage"
    INTERVAL = "interval"
    ZERO_ONE = "zero_one"
    DEDUCTION = "deduction"
    DESCRIPTION = "description"


class Direction(StrEnum):
    HIGHER_BETTER = "higher_better"
    LOWER_BETTER = "lower_better"
    TARGET_RANGE = "target_range"
    QUALITATIVE = "qualitative"


class Basis(StrEnum):
    """What the bands of the interval method are laid on."""

    ACTUAL = "actual"
    ACHIEVEMENT = "achievement"


class NotApplicablePolicy(StrEnum):
    EXCLUDE = "exclude"  # drop N/A lines; the others' weights are scaled up to the full sum
    ZERO = "zero"  # an N/A line scores 0


class ScoringError(ValueError):
    """Parameters or inputs that cannot be scored.

    ``field`` names the parameter (``"cap"``, ``"bands"``, ...) or input (``"actual"``,
    ``"target"``, ``"ratings"``, ...) that is wrong, or ``NON_FIELD``. ``message`` is the
    English text; ``template`` and ``params`` let the caller translate it.
    """

    def __init__(self, field: str, template: str, params: Mapping[str, Any] | None = None):
        self.field = field
        self.template = template
        self.params = dict(params or {})
        self.message = template % self.params if self.params else template
        super().__init__(field, self.message)

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------------------
# Numbers


def finish(x: Decimal) -> Decimal:
    """Round a result ROUND_HALF_UP to two places (the one rounding of a score); never -0.00."""
    if isinstance(x, bool) or not isinstance(x, (Decimal, int)):
        raise TypeError(f"finish() takes a Decimal, not {type(x).__name__}.")
    with localcontext(_CONTEXT):
        rounded = Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _fmt(value: Decimal) -> str:
    """A number for a message: 80, 80.5, 0.001 (no exponent, no trailing zeros)."""
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _interval(lower: Decimal | None, upper: Decimal | None) -> str:
    start = "(-∞" if lower is None else f"[{_fmt(lower)}"
    end = "+∞)" if upper is None else f"{_fmt(upper)})"
    return f"{start}, {end}"


def _check_size(value: Decimal, field: str) -> Decimal:
    if not value.is_finite():
        raise ScoringError(field, gettext_noop("Enter a finite number."))
    if abs(value) >= MAX_MAGNITUDE:
        raise ScoringError(field, gettext_noop("This number is too large."))
    return value


def _number(value: object, field: str) -> Decimal:
    """An input to a computation: Decimal or int; float and anything else raise TypeError."""
    if isinstance(value, float):
        raise TypeError(f"{field} must be a Decimal or an int, not a float; build Decimals from strings.")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{field} must be a Decimal or an int, not {type(value).__name__}.")
    return _check_size(Decimal(value), field)


def _optional_number(value: object, field: str) -> Decimal | None:
    return None if value is None else _number(value, field)


def _parse_number(value: object, field: str) -> Decimal:
    """A number from stored JSON or a form: a string such as "120" (or an int / Decimal).

    Stored data is user data, so a bad value is a ``ScoringError``, a float included (a
    float cannot hold 0.1 exactly; JSON should carry numbers as strings).
    """
    if isinstance(value, float):
        raise ScoringError(field, gettext_noop('Write the number as text, e.g. "120", not as a floating-point number.'))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ScoringError(field, gettext_noop("Enter a number.")) from None
    elif isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        number = Decimal(value)
    else:
        raise ScoringError(field, gettext_noop("Enter a number."))
    return _check_size(number, field)


def _parse_optional_number(value: object, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _parse_number(value, field)


def _parse_int(value: object, field: str) -> int:
    if isinstance(value, bool):
        raise ScoringError(field, gettext_noop("Enter a whole number."))
    if isinstance(value, int):
        return value
    number = _parse_number(value, field)
    if number != number.to_integral_value():
        raise ScoringError(field, gettext_noop("Enter a whole number."))
    return int(number)


def _parse_text(value: object, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScoringError(field, gettext_noop("Enter text."))
    return value.strip()


def _coerce_fields(instance: object, names: Iterable[str], *, optional: Iterable[str] = ()) -> None:
    """Make the number fields of a frozen params dataclass Decimals; floats raise TypeError."""
    optional = set(optional)
    for name in names:
        value = getattr(instance, name)
        if value is None and name in optional:
            continue
        object.__setattr__(instance, name, _number(value, name))


def _check_keys(data: object, allowed: Iterable[str]) -> Mapping[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ScoringError(NON_FIELD, gettext_noop("The scoring parameters must be a set of named values."))
    allowed = set(allowed)
    for key in data:
        if key not in allowed:
            raise ScoringError(NON_FIELD, gettext_noop("Unknown scoring parameter “%(key)s”."), {"key": key})
    return data


def _in_context(function: Callable) -> Callable:
    """Run a public function in the module's Decimal context."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with localcontext(_CONTEXT):
            return function(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True)
class PercentageParams:
    """百分率法: score = achievement (%) clamped to [floor, cap]; 0 below ``zero_below``."""

    cap: Decimal = Decimal("120")
    floor: Decimal = Decimal("0")
    zero_below: Decimal | None = None

    def __post_init__(self) -> None:
        _coerce_fields(self, ("cap", "floor", "zero_below"), optional=("zero_below",))

    def validate(self) -> PercentageParams:
        if self.floor < 0:
            raise ScoringError("floor", gettext_noop("The floor cannot be negative."))
        if self.cap > MAX_CAP:
            raise ScoringError("cap", gettext_noop("The cap cannot be above %(max)s."), {"max": _fmt(MAX_CAP)})
        if self.floor >= self.cap:
            raise ScoringError("floor", gettext_noop("The floor must be below the cap."))
        if self.zero_below is not None and not ZERO <= self.zero_below <= self.cap:
            raise ScoringError("zero_below", gettext_noop("The zero-below threshold must be between 0 and the cap."))
        return self

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PercentageParams:
        data = _check_keys(data, ("cap", "floor", "zero_below"))
        defaults = cls()
        return cls(
            cap=_parse_number(data["cap"], "cap") if "cap" in data else defaults.cap,
            floor=_parse_number(data["floor"], "floor") if "floor" in data else defaults.floor,
            zero_below=_parse_optional_number(data.get("zero_below"), "zero_below"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "cap": str(self.cap),
            "floor": str(self.floor),
            "zero_below": None if self.zero_below is None else str(self.zero_below),
        }


@dataclass(frozen=True)
class Band:
    """A half-open band [lower, upper) and its score; ``None`` leaves an end open."""

    lower: Decimal | None
    upper: Decimal | None
    score: Decimal

    def __post_init__(self) -> None:
        _coerce_fields(self, ("lower", "upper", "score"), optional=("lower", "upper"))

    def contains(self, value: Decimal) -> bool:
        return (self.lower is None or self.lower <= value) and (self.upper is None or value < self.upper)

    def describe(self) -> str:
        """Interval notation, the same in every language: [60, 80), (-∞, 60), [100, +∞)."""
        return _interval(self.lower, self.upper)

    @classmethod
    def from_dict(cls, data: object) -> Band:
        data = _check_keys(data, ("lower", "upper", "score"))
        if "score" not in data:
            raise ScoringError("bands", gettext_noop("Every band needs a score."))
        return cls(
            lower=_parse_optional_number(data.get("lower"), "bands"),
            upper=_parse_optional_number(data.get("upper"), "bands"),
            score=_parse_number(data["score"], "bands"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "lower": None if self.lower is None else str(self.lower),
            "upper": None if self.upper is None else str(self.upper),
            "score": str(self.score),
        }


DEFAULT_BANDS = (
    Band(None, Decimal("60"), Decimal("0")),
    Band(Decimal("60"), Decimal("80"), Decimal("60")),
    Band(Decimal("80"), Decimal("100"), Decimal("80")),
    Band(Decimal("100"), None, Decimal("100")),
)


@dataclass(frozen=True)
class IntervalParams:
    """区间赋分法: ordered, contiguous bands of the actual value or of the achievement (%)."""

    bands: tuple[Band, ...]
    basis: Basis = Basis.ACHIEVEMENT

    def __post_init__(self) -> None:
        for band in self.bands:
            if not isinstance(band, Band):
                raise TypeError(f"bands must hold Band objects, not {type(band).__name__}.")
        object.__setattr__(self, "bands", tuple(self.bands))
        object.__setattr__(self, "basis", Basis(self.basis))

    def validate(self) -> IntervalParams:
        bands = self.bands
        if not bands:
            raise ScoringError("bands", gettext_noop("Add at least one band."))
        last = len(bands)
        for number, band in enumerate(bands, start=1):
            where = {"n": number, "band": band.describe()}
            if not ZERO <= band.score <= MAX_SCORE:
                raise ScoringError(
                    "bands",
                    gettext_noop("Band %(n)s %(band)s: the score must be between 0 and %(max)s."),
                    {**where, "max": _fmt(MAX_SCORE)},
                )
            if band.lower is None and number != 1:
                raise ScoringError("bands", gettext_noop("Band %(n)s: only the first band can be open below."), where)
            if band.upper is None and number != last:
                raise ScoringError("bands", gettext_noop("Band %(n)s: only the last band can be open above."), where)
            if band.lower is not None and band.upper is not None and band.lower >= band.upper:
                raise ScoringError(
                    "bands", gettext_noop("Band %(n)s %(band)s: the lower bound must be below the upper bound."), where
                )
        for number, (band, following) in enumerate(zip(bands, bands[1:], strict=False), start=1):
            pair = {"n": number, "band": band.describe(), "m": number + 1, "next": following.describe()}
            # Both bounds are set here: only the first band is open below, only the last above.
            if band.lower is not None and following.lower < band.lower:
                raise ScoringError(
                    "bands", gettext_noop("Bands %(n)s %(band)s and %(m)s %(next)s are not in ascending order."), pair
                )
            if following.lower < band.upper:
                raise ScoringError("bands", gettext_noop("Bands %(n)s %(band)s and %(m)s %(next)s overlap."), pair)
            if following.lower > band.upper:
                raise ScoringError(
                    "bands", gettext_noop("There is a gap between band %(n)s %(band)s and band %(m)s %(next)s."), pair
                )
        return self

    def band_for(self, value: Decimal) -> Band | None:
        for band in self.bands:
            if band.contains(value):
                return band
        return None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> IntervalParams:
        data = _check_keys(data, ("bands", "basis"))
        if "bands" in data:
            raw = data["bands"]
            if not isinstance(raw, (list, tuple)):
                raise ScoringError("bands", gettext_noop("The bands must be a list."))
            bands = tuple(Band.from_dict(item) for item in raw)
        else:
            bands = DEFAULT_BANDS
        try:
            basis = Basis(data.get("basis", Basis.ACHIEVEMENT))
        except ValueError:
            raise ScoringError("basis", gettext_noop("Choose “actual” or “achievement”.")) from None
        return cls(bands=bands, basis=basis)

    def to_dict(self) -> dict[str, Any]:
        return {"bands": [band.to_dict() for band in self.bands], "basis": str(self.basis)}


@dataclass(frozen=True)
class ZeroOneParams:
    """0-1法: the full score if the target is met, otherwise 0."""

    full: Decimal = Decimal("100")

    def __post_init__(self) -> None:
        _coerce_fields(self, ("full",))

    def validate(self) -> ZeroOneParams:
        if not ZERO < self.full <= MAX_SCORE:
            raise ScoringError(
                "full", gettext_noop("The full score must be above 0 and at most %(max)s."), {"max": _fmt(MAX_SCORE)}
            )
        return self

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ZeroOneParams:
        data = _check_keys(data, ("full",))
        return cls(full=_parse_number(data["full"], "full")) if "full" in data else cls()

    def to_dict(self) -> dict[str, Any]:
        return {"full": str(self.full)}


@dataclass(frozen=True)
class DeductionParams:
    """减分考评法: full score minus points per occurrence, not below the floor."""

    points_per_occurrence: Decimal = Decimal("1")
    full: Decimal = Decimal("100")
    floor: Decimal = Decimal("0")

    def __post_init__(self) -> None:
        _coerce_fields(self, ("points_per_occurrence", "full", "floor"))

    def validate(self) -> DeductionParams:
        if self.points_per_occurrence <= 0:
            raise ScoringError("points_per_occurrence", gettext_noop("The points per occurrence must be above 0."))
        if not ZERO < self.full <= MAX_SCORE:
            raise ScoringError(
                "full", gettext_noop("The full score must be above 0 and at most %(max)s."), {"max": _fmt(MAX_SCORE)}
            )
        if self.floor < 0:
            raise ScoringError("floor", gettext_noop("The floor cannot be negative."))
        if self.floor >= self.full:
            raise ScoringError("floor", gettext_noop("The floor must be below the full score."))
        return self

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> DeductionParams:
        data = _check_keys(data, ("points_per_occurrence", "full", "floor"))
        defaults = cls()
        values = {
            name: _parse_number(data[name], name) if name in data else getattr(defaults, name)
            for name in ("points_per_occurrence", "full", "floor")
        }
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "points_per_occurrence": str(self.points_per_occurrence),
            "full": str(self.full),
            "floor": str(self.floor),
        }


@dataclass(frozen=True)
class Level:
    """A described level a rater can pick, and its score out of 100."""

    value: int
    label_en: str
    label_zh: str
    score: Decimal

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise TypeError(f"A level's value must be an int, not {type(self.value).__name__}.")
        _coerce_fields(self, ("score",))

    @classmethod
    def from_dict(cls, data: object) -> Level:
        data = _check_keys(data, ("value", "label_en", "label_zh", "score"))
        for key in ("value", "score"):
            if key not in data:
                raise ScoringError("levels", gettext_noop("Every level needs a value and a score."))
        return cls(
            value=_parse_int(data["value"], "levels"),
            label_en=_parse_text(data.get("label_en"), "levels"),
            label_zh=_parse_text(data.get("label_zh"), "levels"),
            score=_parse_number(data["score"], "levels"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label_en": self.label_en, "label_zh": self.label_zh, "score": str(self.score)}


def _seven_level(value: int, label_en: str, label_zh: str) -> Level:
    with localcontext(_CONTEXT):
        return Level(value, label_en, label_zh, Decimal(value) * HUNDRED / 7)


# Seed 001: qualitative data on seven levels, 很好 7 ... 很差 1, scaled to 100 (value / 7 x 100,
# kept unrounded: 4 -> 57.142857..., shown as 57.14).
SEVEN_LEVEL_SCALE = (
    _seven_level(7, "very good", "很好"),
    _seven_level(6, "good", "好"),
    _seven_level(5, "fairly good", "较好"),
    _seven_level(4, "average", "一般"),
    _seven_level(3, "fairly poor", "较差"),
    _seven_level(2, "poor", "差"),
    _seven_level(1, "very poor", "很差"),
)


@dataclass(frozen=True)
class DescriptionParams:
    """说明法: the rater picks a described level; several ratings are averaged by weight."""

    levels: tuple[Level, ...] = SEVEN_LEVEL_SCALE

    def __post_init__(self) -> None:
        for level in self.levels:
            if not isinstance(level, Level):
                raise TypeError(f"levels must hold Level objects, not {type(level).__name__}.")
        object.__setattr__(self, "levels", tuple(self.levels))

    def validate(self) -> DescriptionParams:
        if not self.levels:
            raise ScoringError("levels", gettext_noop("Add at least one level."))
        seen: set[int] = set()
        for level in self.levels:
            if level.value in seen:
                raise ScoringError("levels", gettext_noop("Level %(value)s appears more than once."), {"value": level.value})
            seen.add(level.value)
            if not ZERO <= level.score <= HUNDRED:
                raise ScoringError(
                    "levels", gettext_noop("Level %(value)s: the score must be between 0 and 100."), {"value": level.value}
                )
        return self

    def level(self, value: int) -> Level | None:
        return next((level for level in self.levels if level.value == value), None)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> DescriptionParams:
        data = _check_keys(data, ("levels",))
        if "levels" not in data:
            return cls()
        raw = data["levels"]
        if not isinstance(raw, (list, tuple)):
            raise ScoringError("levels", gettext_noop("The levels must be a list."))
        return cls(levels=tuple(Level.from_dict(item) for item in raw))

    def to_dict(self) -> dict[str, Any]:
        return {"levels": [level.to_dict() for level in self.levels]}


Params = PercentageParams | IntervalParams | ZeroOneParams | DeductionParams | DescriptionParams

PARAMS_CLASSES: dict[Method, type] = {
    Method.PERCENTAGE: PercentageParams,
    Method.INTERVAL: IntervalParams,
    Method.ZERO_ONE: ZeroOneParams,
    Method.DEDUCTION: DeductionParams,
    Method.DESCRIPTION: DescriptionParams,
}


def _method(method: object) -> Method:
    try:
        return Method(method)
    except ValueError:
        raise ScoringError("method", gettext_noop("Unknown scoring method “%(method)s”."), {"method": method}) from None


def _direction(direction: object) -> Direction:
    try:
        return Direction(direction)
    except ValueError:
        raise ScoringError("direction", gettext_noop("Unknown direction “%(direction)s”."), {"direction": direction}) from None


def default_params(method: Method | str) -> Params:
    """The parameters a new indicator starts with (also used for an empty stored dict)."""
    method = _method(method)
    if method is Method.INTERVAL:
        return IntervalParams(bands=DEFAULT_BANDS)
    return PARAMS_CLASSES[method]()


def params_from_dict(method: Method | str, data: Mapping[str, Any] | None) -> Params:
    """Read stored parameters (missing keys take their defaults); does not validate them."""
    method = _method(method)
    with localcontext(_CONTEXT):
        return PARAMS_CLASSES[method].from_dict(data)


def check_direction(method: Method | str, direction: Direction | str, params: Params | None = None) -> None:
    """Refuse a method that cannot score an indicator of this direction."""
    method, direction = _method(method), _direction(direction)
    if direction is Direction.QUALITATIVE:
        if method is Method.PERCENTAGE:
            raise ScoringError(
                "direction",
                gettext_noop("The percentage method needs a measured value; rate a qualitative indicator by description."),
            )
        if method is Method.INTERVAL and isinstance(params, IntervalParams) and params.basis is Basis.ACHIEVEMENT:
            raise ScoringError(
                "direction",
                gettext_noop("A qualitative indicator has no achievement; lay the bands on the actual value."),
            )
    if method is Method.DEDUCTION and direction in (Direction.HIGHER_BETTER, Direction.TARGET_RANGE):
        raise ScoringError(
            "direction",
            gettext_noop("The deduction method takes points off per occurrence: use it for lower-is-better or qualitative indicators."),
        )


def validate_params(
    method: Method | str, data: Mapping[str, Any] | None, *, direction: Direction | str | None = None
) -> Params:
    """Read and check stored parameters (and, if given, their fit with the direction)."""
    params = params_from_dict(method, data)
    with localcontext(_CONTEXT):
        params.validate()
    if direction is not None:
        check_direction(method, direction, params)
    return params


# ---------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True)
class Rating:
    """One rater's (or survey answer's) chosen level, with its weight."""

    level: int
    weight: Decimal = Decimal("1")

    def __post_init__(self) -> None:
        if isinstance(self.level, bool) or not isinstance(self.level, int):
            raise TypeError(f"A rating's level must be an int, not {type(self.level).__name__}.")
        object.__setattr__(self, "weight", _number(self.weight, "ratings"))


@dataclass(frozen=True)
class Result:
    """What an indicator scored: the actual it was given (unchanged; for description the
    weighted mean level), the achievement in % (rounded to 2 places; ``None`` for methods
    without one, or when unbounded) and the score (rounded to 2 places)."""

    actual: Decimal | None
    achievement: Decimal | None
    score: Decimal


def _required(value: object, field: str, template: str) -> Decimal:
    if value is None:
        raise ScoringError(field, template)
    return _number(value, field)


def _required_actual(actual: object) -> Decimal:
    return _required(actual, "actual", gettext_noop("An actual value is required."))


def _achievement(
    direction: Direction, actual: Decimal, target: object, target_low: object, target_high: object
) -> Decimal:
    """Achievement in percent, unrounded; Infinity for a lower-is-better actual of 0."""
    if direction is Direction.QUALITATIVE:
        raise ScoringError("direction", gettext_noop("A qualitative indicator has no achievement."))
    if direction is Direction.TARGET_RANGE:
        low = _required(target_low, "target_low", gettext_noop("A lower target is required."))
        high = _required(target_high, "target_high", gettext_noop("An upper target is required."))
        if low <= 0:
            raise ScoringError("target_low", gettext_noop("The lower target must be above 0."))
        if high < low:
            raise ScoringError("target_high", gettext_noop("The upper target cannot be below the lower target."))
        if actual < low:
            return actual * HUNDRED / low
        if actual > high:
            return high * HUNDRED / actual
        return HUNDRED
    target_value = _required(target, "target", gettext_noop("A target is required."))
    if target_value <= 0:
        raise ScoringError(
            "target",
            gettext_noop("The target must be above 0 to compute an achievement; for a target of 0 use the 0-1 or deduction method."),
        )
    if direction is Direction.HIGHER_BETTER:
        return actual * HUNDRED / target_value
    if actual < 0:
        raise ScoringError("actual", gettext_noop("A lower-is-better actual cannot be negative."))
    if actual == 0:
        return INFINITY
    return target_value * HUNDRED / actual


def _shown(value: Decimal) -> Decimal | None:
    return finish(value) if value.is_finite() else None


@_in_context
def achievement(
    direction: Direction | str,
    *,
    actual: Decimal | int,
    target: Decimal | int | None = None,
    target_low: Decimal | int | None = None,
    target_high: Decimal | int | None = None,
) -> Decimal | None:
    """Achievement in percent, unrounded: actual / target x 100 (higher is better),
    target / actual x 100 (lower is better), or against a target range. ``None`` when
    unbounded (lower is better with an actual of 0)."""
    value = _achievement(_direction(direction), _required_actual(actual), target, target_low, target_high)
    return value if value.is_finite() else None


@_in_context
def score_percentage(
    params: PercentageParams,
    *,
    direction: Direction | str,
    actual: Decimal | int | None = None,
    target: Decimal | int | None = None,
    target_low: Decimal | int | None = None,
    target_high: Decimal | int | None = None,
) -> Result:
    """百分率法: the achievement, clamped to [floor, cap]; 0 if below ``zero_below``.

    Higher is better: actual / target x 100 (a negative actual scores the floor). Lower is
    better: target / actual x 100; an actual of 0 (nothing spent, no delay) is the best
    possible result and scores the cap. Target range: 100 inside, actual / low x 100
    below, high / actual x 100 above. The target (or lower target) must be above 0.
    """
    params.validate()
    direction = _direction(direction)
    check_direction(Method.PERCENTAGE, direction, params)
    value = _required_actual(actual)
    ratio = _achievement(direction, value, target, target_low, target_high)
    if params.zero_below is not None and ratio < params.zero_below:
        points = ZERO
    else:
        points = min(max(ratio, params.floor), params.cap)
    return Result(actual=value, achievement=_shown(ratio), score=finish(points))


@_in_context
def score_interval(
    params: IntervalParams,
    *,
    direction: Direction | str,
    actual: Decimal | int | None = None,
    target: Decimal | int | None = None,
    target_low: Decimal | int | None = None,
    target_high: Decimal | int | None = None,
) -> Result:
    """区间赋分法: the score of the band [lower, upper) holding the actual (basis "actual")
    or the achievement in percent (basis "achievement", direction-aware as for the
    percentage method; an unbounded achievement falls in an open top band)."""
    params.validate()
    direction = _direction(direction)
    check_direction(Method.INTERVAL, direction, params)
    value = _required_actual(actual)
    if params.basis is Basis.ACHIEVEMENT:
        ratio = _achievement(direction, value, target, target_low, target_high)
        position, shown = ratio, _shown(ratio)
    else:
        position, shown = value, None
    band = params.band_for(position)
    if band is None:
        where = {"value": _fmt(position), "range": _interval(params.bands[0].lower, params.bands[-1].upper)}
        if params.basis is Basis.ACTUAL:
            template = gettext_noop("The actual %(value)s is outside every band %(range)s.")
        elif position.is_finite():
            template = gettext_noop("The achievement %(value)s is outside every band %(range)s.")
        else:
            template = gettext_noop(
                "The achievement is unbounded (lower is better and the actual is 0): it is above every band %(range)s."
            )
        raise ScoringError("actual", template, where)
    return Result(actual=value, achievement=shown, score=finish(band.score))


def _met(direction: Direction, actual: Decimal, target: object, target_low: object, target_high: object) -> bool:
    if direction is Direction.QUALITATIVE:
        if actual not in (ZERO, ONE):
            raise ScoringError("actual", gettext_noop("Enter 1 if the target was met, 0 if not."))
        return actual == ONE
    if direction is Direction.TARGET_RANGE:
        low = _required(target_low, "target_low", gettext_noop("A lower target is required."))
        high = _required(target_high, "target_high", gettext_noop("An upper target is required."))
        if high < low:
            raise ScoringError("target_high", gettext_noop("The upper target cannot be below the lower target."))
        return low <= actual <= high
    target_value = _required(target, "target", gettext_noop("A target is required."))
    if direction is Direction.HIGHER_BETTER:
        return actual >= target_value
    return actual <= target_value


@_in_context
def score_zero_one(
    params: ZeroOneParams,
    *,
    direction: Direction | str,
    actual: Decimal | int | None = None,
    target: Decimal | int | None = None,
    target_low: Decimal | int | None = None,
    target_high: Decimal | int | None = None,
) -> Result:
    """0-1法: ``full`` if met, else 0. Met: actual >= target (higher is better), actual <=
    target (lower is better), low <= actual <= high (target range), or an actual of 1
    (qualitative: 1 met, 0 not met)."""
    params.validate()
    direction = _direction(direction)
    value = _required_actual(actual)
    met = _met(direction, value, target, target_low, target_high)
    return Result(actual=value, achievement=None, score=finish(params.full if met else ZERO))


@_in_context
def score_deduction(params: DeductionParams, *, direction: Direction | str, actual: Decimal | int | None = None) -> Result:
    """减分考评法: max(floor, full - points per occurrence x occurrences). The actual is the
    number of occurrences (errors, complaints, people missing from a record): a whole
    number, not negative."""
    params.validate()
    direction = _direction(direction)
    check_direction(Method.DEDUCTION, direction, params)
    occurrences = _required(actual, "actual", gettext_noop("The number of occurrences is required."))
    if occurrences < 0 or occurrences != occurrences.to_integral_value():
        raise ScoringError("actual", gettext_noop("The number of occurrences must be a whole number, 0 or more."))
    points = max(params.floor, params.full - params.points_per_occurrence * occurrences)
    return Result(actual=occurrences, achievement=None, score=finish(points))


def _level(value: object, field: str = "ratings") -> int:
    """A chosen level: an int, or a whole Decimal (as a form or an API sends it)."""
    level = _number(value, field)
    if level != level.to_integral_value():
        raise ScoringError(field, gettext_noop("Choose one of the levels."))
    return int(level)


def _ratings(ratings: object, actual: object) -> list[Rating]:
    if ratings is None:
        if actual is None:
            raise ScoringError("ratings", gettext_noop("At least one rating is required."))
        return [Rating(_level(actual, "actual"))]
    if isinstance(ratings, (str, bytes, Mapping)) or not isinstance(ratings, Iterable):
        raise TypeError("ratings must be a list of Rating objects, (level, weight) pairs or levels.")
    result = []
    for item in ratings:
        if isinstance(item, Rating):
            result.append(item)
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            result.append(Rating(_level(item[0]), item[1]))
        else:
            result.append(Rating(_level(item)))
    if not result:
        raise ScoringError("ratings", gettext_noop("At least one rating is required."))
    return result


@_in_context
def score_description(
    params: DescriptionParams,
    *,
    direction: Direction | str,
    ratings: Iterable[Rating | tuple[int, Decimal] | int] | None = None,
    actual: Decimal | int | None = None,
) -> Result:
    """说明法: the weighted mean of the chosen levels' scores (unrounded, then finished).

    ``ratings`` holds several raters' or survey answers' levels with weights: ``Rating``
    objects, ``(level, weight)`` pairs (tuples or lists) or bare levels of weight 1; a level
    may be an int or a whole Decimal. Without ratings a whole-number ``actual`` is taken as
    one rating. The result's actual is the weighted
    mean level (e.g. 6 for a 7 and a 5).
    """
    params.validate()
    _direction(direction)
    chosen = _ratings(ratings, actual)
    total_weight = total_points = total_level = ZERO
    for rating in chosen:
        level = params.level(rating.level)
        if level is None:
            raise ScoringError(
                "ratings",
                gettext_noop("Unknown level %(level)s; the levels are %(levels)s."),
                {"level": rating.level, "levels": ", ".join(str(item.value) for item in params.levels)},
            )
        if rating.weight < 0:
            raise ScoringError("ratings", gettext_noop("A rating's weight cannot be negative."))
        total_weight += rating.weight
        total_points += rating.weight * level.score
        total_level += rating.weight * rating.level
    if total_weight == 0:
        raise ScoringError("ratings", gettext_noop("The ratings' weights add up to 0."))
    return Result(actual=total_level / total_weight, achievement=None, score=finish(total_points / total_weight))


def _params_for(method: Method, params: object) -> Params:
    if params is None:
        return default_params(method)
    if isinstance(params, Mapping):
        return params_from_dict(method, params)
    expected = PARAMS_CLASSES[method]
    if not isinstance(params, expected):
        raise TypeError(f"The {method.value} method takes {expected.__name__}, not {type(params).__name__}.")
    return params


def score(
    method: Method | str,
    params: Params | Mapping[str, Any] | None = None,
    *,
    direction: Direction | str,
    actual: Decimal | int | None = None,
    target: Decimal | int | None = None,
    target_low: Decimal | int | None = None,
    target_high: Decimal | int | None = None,
    ratings: Iterable[Rating | tuple[int, Decimal] | int] | None = None,
) -> Result:
    """Score one indicator by its method. ``params`` may be the params object, the stored
    dict, or ``None`` for the defaults. Inputs a method does not use are ignored."""
    method = _method(method)
    params = _params_for(method, params)
    if method is Method.PERCENTAGE:
        return score_percentage(
            params, direction=direction, actual=actual, target=target, target_low=target_low, target_high=target_high
        )
    if method is Method.INTERVAL:
        return score_interval(
            params, direction=direction, actual=actual, target=target, target_low=target_low, target_high=target_high
        )
    if method is Method.ZERO_ONE:
        return score_zero_one(
            params, direction=direction, actual=actual, target=target, target_low=target_low, target_high=target_high
        )
    if method is Method.DEDUCTION:
        return score_deduction(params, direction=direction, actual=actual)
    return score_description(params, direction=direction, ratings=ratings, actual=actual)


# ---------------------------------------------------------------------------------------
# Totals


@_in_context
def weighted_total(
    lines: Iterable[tuple[Decimal | int, Decimal | int | None]], policy: NotApplicablePolicy | str
) -> Decimal:
    """The weighted mean of the lines' scores: sum(weight x score) / sum(weights).

    Weights are usually percentages adding up to 100, but are not assumed to: they are
    renormalised by their sum. A score of ``None`` is a not-applicable line: EXCLUDE drops
    it and scales the other weights up to the original sum; ZERO scores it 0. Rounded to
    two places only at the end.
    """
    try:
        policy = NotApplicablePolicy(policy)
    except ValueError:
        raise ScoringError("policy", gettext_noop("Unknown not-applicable policy “%(policy)s”."), {"policy": policy}) from None
    checked = []
    for weight, points in lines:
        weight = _number(weight, "weight")
        if weight < 0:
            raise ScoringError("weight", gettext_noop("A weight cannot be negative."))
        if points is not None:
            points = _number(points, "score")
            if points < 0:
                raise ScoringError("score", gettext_noop("A score cannot be negative."))
        checked.append((weight, points))
    if not checked:
        raise ScoringError(NON_FIELD, gettext_noop("There are no lines to add up."))
    if sum(weight for weight, _ in checked) == 0:
        raise ScoringError("weight", gettext_noop("The weights add up to 0."))
    if policy is NotApplicablePolicy.EXCLUDE:
        counted = [(weight, points) for weight, points in checked if points is not None]
        if not counted or sum(weight for weight, _ in counted) == 0:
            raise ScoringError(NON_FIELD, gettext_noop("Every weighted line is not applicable; there is nothing to score."))
    else:
        counted = [(weight, ZERO if points is None else points) for weight, points in checked]
    total_weight = sum(weight for weight, _ in counted)
    return finish(sum(weight * points for weight, points in counted) / total_weight)
