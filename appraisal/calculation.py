"""The monthly appraisal calculation, as one pure function: ``calculate``.

A period's appraisal form freezes what it needs from the approved scorecard version in a
``FormSnapshot`` (its lines with their effective weights, methods, this month's targets and
formulas, and the card's policies). ``calculate`` takes that snapshot, the values entered for
each line (``LineValue``) and, for a department head's form, the month's daily inspections,
and returns a ``Breakdown``: every line's actual, achievement, score and contribution, each
perspective's subtotal, the inspection deduction, the NNI veto, the sales front-line figures
and the total. A breakdown is stored with the form (``to_dict`` / ``from_dict``), so a
recalculation can be compared with what was published; ``ENGINE_VERSION`` says which rules
produced it.

No database and no Django: frozen dataclasses in and out, Decimal only. Numbers must be
``Decimal`` or ``int``; a ``float`` raises ``TypeError`` (build Decimals from strings). The work
is done in a local Decimal context, whatever the caller's context is. The lines are scored
by ``indicators.scoring.score``, formulas evaluated by ``indicators.formulas.evaluate``, and
the policies are those of ``scorecards.card_rules`` (``apply_veto``, ``front_line_totals``).

Problems with the form's data (a missing value, a bad input, a value a method cannot
score, a policy without its parameter) are collected for the whole form and raised at once
as ``CalculationError(problems)``; each ``Problem`` has the line key (or ``None``), a field,
an English template marked with ``gettext_noop`` and its params. The caller translates:
``gettext(problem.template) % problem.params``.

The rules, decided once here:

* **Lines.** A weighted line (KPI, PRI, PCI, WAI) is scored from its actual: the ``actual``
  given or, failing that, its formula evaluated on the ``inputs``; a description line may
  give ``ratings`` instead. A given actual wins over the inputs (HR's correction). A line
  that is not marked not applicable and has no value is a problem; so is an NNI line, whose
  result must be known to decide the veto.
* **Contributions.** A counted line's contribution is score x weight / (sum of the counted
  weights): the points it adds to the total, so the contributions add up to the total
  before deductions. Weights are the snapshot's effective weights (percent of the total),
  renormalised by their sum. Not-applicable lines follow ``policy``: ``EXCLUDE`` leaves them
  out and scales the others up; ``ZERO`` counts them with a score of 0.
* **Perspectives.** A perspective's subtotal is the sum of its lines' contributions, and its
  weight the share of the total its counted lines carry (after renormalising).
* **Sales front line** (``front_line``, seed 000). The financial score is reported apart:
  the weighted mean of the financial lines' scores (``card_rules.front_line_totals``). The
  BSC total counts every financial line at ``full_score`` (the same rule as
  ``front_line_totals``: a not-applicable financial line too), and the form's total is the
  BSC total, less the deductions below.
* **Daily inspections** (``inspection_deduction``, a department head's form). Each
  inspection costs ``points_per_missing`` x the people missing from its record; the points
  come off what the internal-process perspective contributes, never below 0 for that
  perspective. The points asked for and the points applied are both reported.
* **NNI veto.** An NNI line weighs nothing and adds no points. It is failed when its score is
  below its method's full marks: percentage min(cap, 100), interval the best band's score,
  0-1 and deduction their ``full``, description the best level's score. If any NNI line is
  failed, ``card_rules.apply_veto`` applies the snapshot's mode (zero, cap, deduct) to the
  total after the inspection deduction. A not-applicable NNI line is not failed.
* **Rounding.** Line scores and achievements are the scoring methods' (rounded to two
  places: a line's score is the published figure). Everything else is computed from
  unrounded values and rounded ROUND_HALF_UP to two places only where it is reported, so a
  reported figure may differ by a cent from the sum of its reported parts. An actual is
  reported as given, or rounded to two places when it was computed (formula, mean level).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from functools import wraps
from typing import Any

from indicators import formulas
from indicators.scoring import (
    DeductionParams,
    DescriptionParams,
    IntervalParams,
    Method,
    NotApplicablePolicy,
    PercentageParams,
    Rating,
    ScoringError,
    ZeroOneParams,
    finish,
    params_from_dict,
    score,
)
from scorecards.card_rules import (
    FINANCIAL,
    INDICATOR_TYPES,
    CardError,
    VetoMode,
    apply_veto,
    front_line_totals,
)

__all__ = [
    "Breakdown",
    "CalculationError",
    "ENGINE_VERSION",
    "FormSnapshot",
    "FrontLine",
    "INTERNAL_PROCESS",
    "Inspection",
    "InspectionItem",
    "InspectionResult",
    "LineResult",
    "LineValue",
    "NON_FIELD",
    "PERSPECTIVES",
    "PerspectiveResult",
    "Problem",
    "SnapshotLine",
    "VetoResult",
    "calculate",
    "full_marks",
    "snapshot_from_dict",
    "snapshot_to_dict",
]


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (no Django in this module)."""
    return message


# Bump when a rule changes what a form would total, so stored breakdowns can be told apart.
ENGINE_VERSION = "1"

_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])

ZERO = Decimal(0)
HUNDRED = Decimal(100)
NON_FIELD = "__all__"  # Django's NON_FIELD_ERRORS
NNI = "NNI"
INTERNAL_PROCESS = "internal_process"
# strategy.Perspective codes, in the order of the card (and of the breakdown).
PERSPECTIVES = (FINANCIAL, "customer", INTERNAL_PROCESS, "learning_growth")


def _in_context(function: Callable) -> Callable:
    """Run a public function in the module's Decimal context."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with localcontext(_CONTEXT):
            return function(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------------------
# Numbers and stored values


def _number(value: object, name: str) -> Decimal:
    """Decimal or int; float and anything else raise TypeError, NaN and infinities ValueError."""
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal or an int, not a float; build Decimals from strings.")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal or an int, not {type(value).__name__}.")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number.")
    return number


def _optional_number(value: object, name: str) -> Decimal | None:
    return None if value is None else _number(value, name)


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}.")
    return value


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}.")
    return value


def _dump(value: Decimal | None) -> str | None:
    """A Decimal for JSON: a string (never a float), or None."""
    return None if value is None else str(value)


def _load(value: object, name: str) -> Decimal | None:
    """A stored number: a string (or an int) back to a Decimal; floats are refused."""
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError(f"{name} is stored as a float; numbers are stored as strings.")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"{name} must be stored as a string, not {type(value).__name__}.")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{name} is not a number: {value!r}.") from None


def _load_required(value: object, name: str) -> Decimal:
    number = _load(value, name)
    if number is None:
        raise ValueError(f"{name} is missing.")
    return number


def _json_safe(value: Any) -> Any:
    """Scoring parameters as JSON: Decimals become strings (they should be already)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        raise TypeError("Scoring parameters must not hold floats; write numbers as strings.")
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


def _reported(value: Decimal | None) -> Decimal | None:
    return None if value is None else finish(value)


# ---------------------------------------------------------------------------------------
# What goes in


@dataclass(frozen=True)
class SnapshotLine:
    """A line of the form, frozen from the approved scorecard version.

    ``effective_weight`` is the line's percentage of the total (NNI lines weigh 0);
    ``method``, ``params`` (the stored dict) and ``direction`` are the indicator's; ``target``
    (or ``target_low`` / ``target_high``) is this month's; ``formula`` computes the actual from
    named inputs ("" for none); ``label`` names the line in messages.
    """

    key: str
    indicator_code: str
    indicator_type: str  # KPI, PRI, PCI, WAI or NNI
    perspective: str  # a strategy.Perspective code
    effective_weight: Decimal
    method: str  # an indicators.scoring.Method value
    params: Mapping[str, Any] = field(default_factory=dict)
    direction: str = "higher_better"  # an indicators.scoring.Direction value
    target: Decimal | None = None
    target_low: Decimal | None = None
    target_high: Decimal | None = None
    formula: str = ""
    label: str = ""

    def __post_init__(self) -> None:
        for name in ("key", "indicator_code", "indicator_type", "perspective", "method", "direction", "label"):
            object.__setattr__(self, name, str(_text(getattr(self, name), name)))
        object.__setattr__(self, "formula", "" if self.formula is None else _text(self.formula, "formula"))
        object.__setattr__(self, "effective_weight", _number(self.effective_weight, "effective_weight"))
        for name in ("target", "target_low", "target_high"):
            object.__setattr__(self, name, _optional_number(getattr(self, name), name))
        if self.params is None:
            object.__setattr__(self, "params", {})
        elif not isinstance(self.params, Mapping):
            raise TypeError(f"params must be a mapping, not {type(self.params).__name__}.")
        else:
            object.__setattr__(self, "params", _json_safe(self.params))

    @property
    def is_veto(self) -> bool:
        return self.indicator_type == NNI

    @property
    def name(self) -> str:
        """What messages call the line: its label, or its indicator code."""
        return self.label or self.indicator_code

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "indicator_code": self.indicator_code,
            "indicator_type": self.indicator_type,
            "perspective": self.perspective,
            "effective_weight": _dump(self.effective_weight),
            "method": self.method,
            "params": _json_safe(self.params),
            "direction": self.direction,
            "target": _dump(self.target),
            "target_low": _dump(self.target_low),
            "target_high": _dump(self.target_high),
            "formula": self.formula,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SnapshotLine:
        return cls(
            key=data["key"],
            indicator_code=data["indicator_code"],
            indicator_type=data["indicator_type"],
            perspective=data["perspective"],
            effective_weight=_load_required(data["effective_weight"], "effective_weight"),
            method=data["method"],
            params=data.get("params") or {},
            direction=data.get("direction", "higher_better"),
            target=_load(data.get("target"), "target"),
            target_low=_load(data.get("target_low"), "target_low"),
            target_high=_load(data.get("target_high"), "target_high"),
            formula=data.get("formula") or "",
            label=data.get("label", ""),
        )


@dataclass(frozen=True)
class FormSnapshot:
    """What a period's form froze from the approved scorecard version.

    ``veto_mode`` is a ``card_rules.VetoMode`` value (required when the form has an NNI
    line), with ``veto_ceiling`` for ``cap`` and ``veto_deduction`` for ``deduct``.
    ``front_line`` turns on the sales front-line rule; ``inspection_deduction`` the daily
    inspection deduction (a department head's form). ``full_score`` is what a financial
    line counts for under the front-line rule.
    """

    lines: tuple[SnapshotLine, ...]
    veto_mode: str | None = None
    veto_ceiling: Decimal | None = None
    veto_deduction: Decimal | None = None
    front_line: bool = False
    inspection_deduction: bool = False
    full_score: Decimal = HUNDRED

    def __post_init__(self) -> None:
        lines = tuple(self.lines)
        for line in lines:
            if not isinstance(line, SnapshotLine):
                raise TypeError(f"lines must hold SnapshotLine objects, not {type(line).__name__}.")
        object.__setattr__(self, "lines", lines)
        if self.veto_mode is not None:
            object.__setattr__(self, "veto_mode", str(_text(self.veto_mode, "veto_mode")))
        object.__setattr__(self, "veto_ceiling", _optional_number(self.veto_ceiling, "veto_ceiling"))
        object.__setattr__(self, "veto_deduction", _optional_number(self.veto_deduction, "veto_deduction"))
        _flag(self.front_line, "front_line")
        _flag(self.inspection_deduction, "inspection_deduction")
        object.__setattr__(self, "full_score", _number(self.full_score, "full_score"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "lines": [line.to_dict() for line in self.lines],
            "veto_mode": self.veto_mode,
            "veto_ceiling": _dump(self.veto_ceiling),
            "veto_deduction": _dump(self.veto_deduction),
            "front_line": self.front_line,
            "inspection_deduction": self.inspection_deduction,
            "full_score": _dump(self.full_score),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FormSnapshot:
        full_score = _load(data.get("full_score"), "full_score")
        return cls(
            lines=tuple(SnapshotLine.from_dict(item) for item in data["lines"]),
            veto_mode=data.get("veto_mode"),
            veto_ceiling=_load(data.get("veto_ceiling"), "veto_ceiling"),
            veto_deduction=_load(data.get("veto_deduction"), "veto_deduction"),
            front_line=data.get("front_line", False),
            inspection_deduction=data.get("inspection_deduction", False),
            full_score=HUNDRED if full_score is None else full_score,
        )


def snapshot_to_dict(snapshot: FormSnapshot) -> dict[str, Any]:
    """The snapshot as JSON-safe data (numbers as strings), to store with the form."""
    return snapshot.to_dict()


def snapshot_from_dict(data: Mapping[str, Any]) -> FormSnapshot:
    """A stored snapshot read back."""
    return FormSnapshot.from_dict(data)


def _check_rating(item: object) -> object:
    if isinstance(item, float) or (isinstance(item, (tuple, list)) and any(isinstance(part, float) for part in item)):
        raise TypeError("ratings must not hold floats; build Decimals from strings.")
    return tuple(item) if isinstance(item, list) else item


@dataclass(frozen=True)
class LineValue:
    """What was entered for a line this month.

    ``actual`` is the measured value (for 0-1 on a qualitative indicator 1 or 0, for
    deduction the number of occurrences, for description a level). Without it, a line with a
    formula is computed from ``inputs`` (name -> number). ``ratings`` are the chosen levels
    of a description line: levels, ``(level, weight)`` pairs or ``scoring.Rating`` objects.
    ``not_applicable`` marks a line that does not apply this month.
    """

    actual: Decimal | None = None
    inputs: Mapping[str, Decimal] = field(default_factory=dict)
    ratings: tuple[Rating | tuple[int, Decimal] | int, ...] = ()
    not_applicable: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "actual", _optional_number(self.actual, "actual"))
        inputs = {} if self.inputs is None else self.inputs
        if not isinstance(inputs, Mapping):
            raise TypeError(f"inputs must be a mapping of names to numbers, not {type(inputs).__name__}.")
        for name, value in inputs.items():
            if isinstance(value, float):
                raise TypeError(f"Input {name!r} is a float; build Decimals from strings.")
            if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
                raise TypeError(f"Input {name!r} must be a Decimal or an int, not {type(value).__name__}.")
        object.__setattr__(self, "inputs", dict(inputs))
        ratings = () if self.ratings is None else self.ratings
        if isinstance(ratings, (str, bytes, Mapping)) or not isinstance(ratings, Iterable):
            raise TypeError("ratings must be a sequence of levels, (level, weight) pairs or Rating objects.")
        object.__setattr__(self, "ratings", tuple(_check_rating(item) for item in ratings))
        _flag(self.not_applicable, "not_applicable")


@dataclass(frozen=True)
class Inspection:
    """One daily inspection of the department: its label (e.g. the date) and how many
    people were missing from that day's record."""

    label: str
    missing: int

    def __post_init__(self) -> None:
        _text(self.label, "label")
        if isinstance(self.missing, bool) or not isinstance(self.missing, int):
            raise TypeError(f"missing must be an int, not {type(self.missing).__name__}.")


# ---------------------------------------------------------------------------------------
# What comes out


@dataclass(frozen=True)
class Problem:
    """One thing that stops the calculation: ``line_key`` (``None`` for the form itself),
    the ``field`` at fault (``"actual"``, ``"inputs"``, ``"ratings"``, ``"target"``,
    ``"veto_ceiling"``, ``"inspections"``, ...), the English template, its params and the
    line's label (to list problems away from their line)."""

    line_key: str | None
    field: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def message(self) -> str:
        return self.template % dict(self.params) if self.params else self.template


class CalculationError(ValueError):
    """The form cannot be calculated; ``problems`` lists every reason, in form order."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(_describe(problem) for problem in self.problems))


def _describe(problem: Problem) -> str:
    where = problem.label or problem.line_key
    return f"{where}: {problem.message}" if where else problem.message


@dataclass(frozen=True)
class LineResult:
    """A line of the breakdown. ``weight`` is the share of the total the line counted for
    (renormalised; 0 for NNI lines and excluded lines); ``score`` is ``None`` for a line not
    scored (not applicable under EXCLUDE, or under ZERO it is 0); ``contribution`` is the
    points it adds to the total; ``failed`` is set for NNI lines only."""

    key: str
    indicator_code: str
    indicator_type: str
    perspective: str
    weight: Decimal
    actual: Decimal | None
    achievement: Decimal | None
    score: Decimal | None
    contribution: Decimal
    not_applicable: bool = False
    failed: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "indicator_code": self.indicator_code,
            "indicator_type": self.indicator_type,
            "perspective": self.perspective,
            "weight": _dump(self.weight),
            "actual": _dump(self.actual),
            "achievement": _dump(self.achievement),
            "score": _dump(self.score),
            "contribution": _dump(self.contribution),
            "not_applicable": self.not_applicable,
            "failed": self.failed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LineResult:
        return cls(
            key=data["key"],
            indicator_code=data["indicator_code"],
            indicator_type=data["indicator_type"],
            perspective=data["perspective"],
            weight=_load_required(data["weight"], "weight"),
            actual=_load(data.get("actual"), "actual"),
            achievement=_load(data.get("achievement"), "achievement"),
            score=_load(data.get("score"), "score"),
            contribution=_load_required(data["contribution"], "contribution"),
            not_applicable=data.get("not_applicable", False),
            failed=data.get("failed"),
        )


@dataclass(frozen=True)
class PerspectiveResult:
    """A perspective's share of the total (``weight``, percent), what its lines contribute
    (``subtotal``) and what is left after the inspection deduction (``subtotal_after``)."""

    code: str
    weight: Decimal
    subtotal: Decimal
    deduction: Decimal
    subtotal_after: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "weight": _dump(self.weight),
            "subtotal": _dump(self.subtotal),
            "deduction": _dump(self.deduction),
            "subtotal_after": _dump(self.subtotal_after),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PerspectiveResult:
        return cls(
            code=data["code"],
            weight=_load_required(data["weight"], "weight"),
            subtotal=_load_required(data["subtotal"], "subtotal"),
            deduction=_load_required(data["deduction"], "deduction"),
            subtotal_after=_load_required(data["subtotal_after"], "subtotal_after"),
        )


@dataclass(frozen=True)
class InspectionItem:
    """One inspection behind the deduction: its label, the people missing, the points asked."""

    label: str
    missing: int
    points: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "missing": self.missing, "points": _dump(self.points)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InspectionItem:
        return cls(label=data["label"], missing=data["missing"], points=_load_required(data["points"], "points"))


@dataclass(frozen=True)
class InspectionResult:
    """The daily inspection deduction: ``requested`` points (the sum of the items) and the
    points ``applied`` (no more than the internal-process perspective contributed)."""

    points_per_missing: Decimal
    requested: Decimal
    applied: Decimal
    items: tuple[InspectionItem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "points_per_missing": _dump(self.points_per_missing),
            "requested": _dump(self.requested),
            "applied": _dump(self.applied),
            "items": [item.to_dict() for item in self.items],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InspectionResult:
        return cls(
            points_per_missing=_load_required(data["points_per_missing"], "points_per_missing"),
            requested=_load_required(data["requested"], "requested"),
            applied=_load_required(data["applied"], "applied"),
            items=tuple(InspectionItem.from_dict(item) for item in data["items"]),
        )


@dataclass(frozen=True)
class VetoResult:
    """The NNI veto: the failed NNI line keys (empty: the total is unchanged), the mode and
    its parameters, and the total before and after."""

    failed: tuple[str, ...]
    mode: str
    ceiling: Decimal | None
    deduction: Decimal | None
    total_before: Decimal
    total_after: Decimal

    @property
    def vetoed(self) -> bool:
        return bool(self.failed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "failed": list(self.failed),
            "mode": self.mode,
            "ceiling": _dump(self.ceiling),
            "deduction": _dump(self.deduction),
            "total_before": _dump(self.total_before),
            "total_after": _dump(self.total_after),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VetoResult:
        return cls(
            failed=tuple(data["failed"]),
            mode=data["mode"],
            ceiling=_load(data.get("ceiling"), "ceiling"),
            deduction=_load(data.get("deduction"), "deduction"),
            total_before=_load_required(data["total_before"], "total_before"),
            total_after=_load_required(data["total_after"], "total_after"),
        )


@dataclass(frozen=True)
class FrontLine:
    """Both figures of the sales front-line rule: the financial score worked out apart
    (``None`` when no financial line could be scored) and the BSC total with the financial
    part at full marks (before the inspection deduction and the veto)."""

    financial_score: Decimal | None
    bsc_total: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"financial_score": _dump(self.financial_score), "bsc_total": _dump(self.bsc_total)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FrontLine:
        return cls(
            financial_score=_load(data.get("financial_score"), "financial_score"),
            bsc_total=_load_required(data["bsc_total"], "bsc_total"),
        )


@dataclass(frozen=True)
class Breakdown:
    """The calculated form, every figure rounded to two places.

    ``subtotal`` is the weighted total before deductions (the sum of the contributions; the
    BSC total under the front-line rule); ``total`` is the form's score after the inspection
    deduction and the veto. ``inspection`` is ``None`` when the form has no inspection
    deduction, ``veto`` when it has no NNI line, ``front_line`` when the rule is off.
    """

    lines: tuple[LineResult, ...]
    perspectives: tuple[PerspectiveResult, ...]
    subtotal: Decimal
    inspection: InspectionResult | None
    veto: VetoResult | None
    front_line: FrontLine | None
    total: Decimal
    policy: str = NotApplicablePolicy.EXCLUDE.value
    engine_version: str = ENGINE_VERSION

    def line(self, key: str) -> LineResult:
        return next(line for line in self.lines if line.key == key)

    def perspective(self, code: str) -> PerspectiveResult:
        return next(perspective for perspective in self.perspectives if perspective.code == code)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: Decimals as strings, tuples as lists."""
        return {
            "engine_version": self.engine_version,
            "policy": self.policy,
            "lines": [line.to_dict() for line in self.lines],
            "perspectives": [perspective.to_dict() for perspective in self.perspectives],
            "subtotal": _dump(self.subtotal),
            "inspection": None if self.inspection is None else self.inspection.to_dict(),
            "veto": None if self.veto is None else self.veto.to_dict(),
            "front_line": None if self.front_line is None else self.front_line.to_dict(),
            "total": _dump(self.total),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Breakdown:
        """A stored breakdown read back (its ``engine_version`` kept as stored)."""
        inspection, veto, front_line = data.get("inspection"), data.get("veto"), data.get("front_line")
        return cls(
            lines=tuple(LineResult.from_dict(item) for item in data["lines"]),
            perspectives=tuple(PerspectiveResult.from_dict(item) for item in data["perspectives"]),
            subtotal=_load_required(data["subtotal"], "subtotal"),
            inspection=None if inspection is None else InspectionResult.from_dict(inspection),
            veto=None if veto is None else VetoResult.from_dict(veto),
            front_line=None if front_line is None else FrontLine.from_dict(front_line),
            total=_load_required(data["total"], "total"),
            policy=data.get("policy", NotApplicablePolicy.EXCLUDE.value),
            engine_version=data["engine_version"],
        )


# ---------------------------------------------------------------------------------------
# The calculation


@dataclass(frozen=True)
class _Scored:
    actual: Decimal | None  # as reported
    achievement: Decimal | None
    score: Decimal | None  # None: not applicable
    not_applicable: bool
    failed: bool | None = None


def full_marks(method: Method | str, params: Mapping[str, Any] | None) -> Decimal:
    """The best score a line scored by ``method`` can get without exceeding its target:
    percentage min(cap, 100), interval the best band's score, 0-1 and deduction their full
    score, description the best level's score. An NNI line scoring less is failed."""
    parsed = params_from_dict(method, params or {})
    if isinstance(parsed, PercentageParams):
        best = min(parsed.cap, HUNDRED)
    elif isinstance(parsed, IntervalParams):
        best = max(band.score for band in parsed.bands)
    elif isinstance(parsed, (ZeroOneParams, DeductionParams)):
        best = parsed.full
    else:
        assert isinstance(parsed, DescriptionParams)
        best = max(level.score for level in parsed.levels)
    return finish(best)


def _problem(line: SnapshotLine, field_name: str, template: str, params: Mapping[str, Any] | None = None) -> Problem:
    return Problem(line.key, field_name, template, dict(params or {}), line.name)


def _actual(line: SnapshotLine, value: LineValue) -> tuple[Decimal | None, Problem | None]:
    """The actual to score (``None`` for ratings), or the problem that stops it."""
    if value.actual is not None:
        return value.actual, None
    if line.method == Method.DESCRIPTION and value.ratings:
        return None, None
    if value.inputs:
        if not line.formula.strip():
            return None, _problem(
                line,
                "actual",
                gettext_noop("This indicator has no formula; send the actual instead."),
            )
        try:
            return formulas.evaluate(line.formula, value.inputs), None
        except formulas.FormulaError as error:
            return None, _problem(line, "inputs", error.template, error.params)
    if line.method == Method.DESCRIPTION:
        return None, _problem(line, "ratings", gettext_noop("Choose a level."))
    if line.formula.strip():
        try:
            names = ", ".join(sorted(formulas.parse(line.formula).names))
        except formulas.FormulaError as error:
            return None, _problem(line, "inputs", error.template, error.params)
        if names:
            return None, _problem(
                line,
                "inputs",
                gettext_noop("Missing input: %(names)s."),  # as formulas.MissingInputError says it
                {"names": names},
            )
    return None, _problem(line, "actual", gettext_noop("An actual value is required."))


def _score_line(line: SnapshotLine, value: LineValue) -> tuple[_Scored | None, Problem | None]:
    if value.not_applicable:
        return _Scored(actual=None, achievement=None, score=None, not_applicable=True), None
    actual, problem = _actual(line, value)
    if problem is not None:
        return None, problem
    try:
        result = score(
            line.method,
            line.params,
            direction=line.direction,
            actual=actual,
            target=line.target,
            target_low=line.target_low,
            target_high=line.target_high,
            ratings=value.ratings or None,
        )
        failed = result.score < full_marks(line.method, line.params) if line.is_veto else None
    except ScoringError as error:
        return None, _problem(line, error.field, error.template, error.params)
    # As given, or computed (a formula's value, the ratings' mean level): rounded.
    shown = value.actual if value.actual is not None else _reported(result.actual)
    return _Scored(shown, result.achievement, result.score, False, failed), None


def _line_problems(line: SnapshotLine, seen: set[str]) -> list[Problem]:
    """What is wrong with a snapshot line itself."""
    problems = []
    if line.key in seen:
        problems.append(_problem(line, "key", gettext_noop("Two lines have the key “%(key)s”."), {"key": line.key}))
    seen.add(line.key)
    if line.indicator_type not in INDICATOR_TYPES:
        problems.append(
            _problem(
                line,
                "indicator_type",
                gettext_noop("Unknown indicator type “%(type)s”."),
                {"type": line.indicator_type},
            )
        )
    if line.perspective not in PERSPECTIVES:
        problems.append(
            _problem(
                line,
                "perspective",
                gettext_noop("Unknown perspective “%(perspective)s”."),
                {"perspective": line.perspective},
            )
        )
    if line.effective_weight < 0:
        problems.append(_problem(line, "effective_weight", gettext_noop("A weight cannot be negative.")))
    elif line.is_veto and line.effective_weight != 0:
        problems.append(
            _problem(
                line,
                "effective_weight",
                gettext_noop(
                    "A veto (NNI) line carries no weight; it acts through the veto policy. Set its weight to 0."
                ),
            )
        )
    return problems


def _veto_problems(snapshot: FormSnapshot) -> list[Problem]:
    if snapshot.veto_mode is None:
        return [
            Problem(
                None,
                "veto_mode",
                gettext_noop("The form has a veto (NNI) line: choose what failing it does to the total."),
            )
        ]
    try:  # apply_veto checks the mode and its parameter even when nothing is vetoed
        apply_veto(ZERO, False, snapshot.veto_mode, ceiling=snapshot.veto_ceiling, deduction=snapshot.veto_deduction)
    except CardError as error:
        return [Problem(None, f"veto_{error.field}", error.template, error.params)]
    return []


def _inspection_problems(inspections: Sequence[Inspection], points_per_missing: Decimal) -> list[Problem]:
    problems = []
    if points_per_missing < 0:
        problems.append(Problem(None, "points_per_missing", gettext_noop("Points cannot be negative.")))
    for inspection in inspections:
        if inspection.missing < 0:
            problems.append(
                Problem(
                    None,
                    "inspections",
                    gettext_noop("Inspection %(label)s: the number of people missing cannot be negative."),
                    {"label": inspection.label},
                )
            )
    return problems


@_in_context
def calculate(
    snapshot: FormSnapshot,
    values: Mapping[str, LineValue],
    *,
    inspections: Sequence[Inspection] = (),
    points_per_missing: Decimal = Decimal(1),
    policy: NotApplicablePolicy | str = NotApplicablePolicy.EXCLUDE,
) -> Breakdown:
    """The form's breakdown and total (see the module's docstring for the rules).

    ``values`` maps line keys to what was entered (a line without an entry has no value);
    ``inspections`` count only when ``snapshot.inspection_deduction`` is on. Raises
    ``CalculationError`` listing every problem of the form.
    """
    if not isinstance(snapshot, FormSnapshot):
        raise TypeError(f"snapshot must be a FormSnapshot, not {type(snapshot).__name__}.")
    if not isinstance(values, Mapping):
        raise TypeError(f"values must be a mapping of line key to LineValue, not {type(values).__name__}.")
    for value in values.values():
        if not isinstance(value, LineValue):
            raise TypeError(f"values must hold LineValue objects, not {type(value).__name__}.")
    inspections = tuple(inspections)
    for inspection in inspections:
        if not isinstance(inspection, Inspection):
            raise TypeError(f"inspections must hold Inspection objects, not {type(inspection).__name__}.")
    points_per_missing = _number(points_per_missing, "points_per_missing")

    problems: list[Problem] = []
    try:
        policy = NotApplicablePolicy(policy)
    except ValueError:
        problems.append(
            Problem(None, "policy", gettext_noop("Unknown not-applicable policy “%(policy)s”."), {"policy": policy})
        )
        policy = NotApplicablePolicy.EXCLUDE
    if snapshot.full_score <= 0:
        problems.append(Problem(None, "full_score", gettext_noop("The full score must be above 0.")))

    seen: set[str] = set()
    scored: dict[str, _Scored] = {}
    for line in snapshot.lines:
        problems.extend(_line_problems(line, seen))
        result, problem = _score_line(line, values.get(line.key, LineValue()))
        if problem is not None:
            problems.append(problem)
        else:
            scored[line.key] = result
    for key in values:
        if key not in seen:
            problems.append(Problem(key, NON_FIELD, gettext_noop("“%(key)s” is not on this scorecard."), {"key": key}))

    front_line = snapshot.front_line

    def is_held_at_full(line: SnapshotLine) -> bool:
        return front_line and line.perspective == FINANCIAL

    weighted = [line for line in snapshot.lines if not line.is_veto]
    vetoes = [line for line in snapshot.lines if line.is_veto]
    na = {line.key for line in snapshot.lines if values.get(line.key, LineValue()).not_applicable}
    counted = [
        line for line in weighted if policy is NotApplicablePolicy.ZERO or line.key not in na or is_held_at_full(line)
    ]
    counted_weight = sum((line.effective_weight for line in counted), ZERO)
    if not weighted:
        problems.append(Problem(None, NON_FIELD, gettext_noop("There are no lines to add up.")))
    elif counted_weight <= 0:
        if all(line.key in na for line in weighted):
            template = gettext_noop("Every weighted line is not applicable; there is nothing to score.")
        else:
            template = gettext_noop("The weights add up to 0.")
        problems.append(Problem(None, NON_FIELD, template))
    if vetoes:
        problems.extend(_veto_problems(snapshot))
    if snapshot.inspection_deduction:
        problems.extend(_inspection_problems(inspections, points_per_missing))
    if problems:
        raise CalculationError(problems)

    # Points: weight x score per counted line, divided once by the counted weight.
    def points_used(line: SnapshotLine) -> Decimal:
        if is_held_at_full(line):
            return snapshot.full_score
        points = scored[line.key].score
        return ZERO if points is None else points

    numerators = {line.key: line.effective_weight * points_used(line) for line in counted}
    counted_keys = set(numerators)
    subtotal = sum(numerators.values()) / counted_weight

    present = {line.perspective for line in snapshot.lines}
    perspective_figures = {}
    for code in (code for code in PERSPECTIVES if code in present):
        lines = [line for line in counted if line.perspective == code]
        perspective_figures[code] = (
            sum((line.effective_weight for line in lines), ZERO) * HUNDRED / counted_weight,
            sum((numerators[line.key] for line in lines), ZERO) / counted_weight,
        )

    # Daily inspections: off the internal-process contribution, not below 0.
    applied = ZERO
    inspection = None
    if snapshot.inspection_deduction:
        items = tuple(
            InspectionItem(item.label, item.missing, finish(points_per_missing * item.missing)) for item in inspections
        )
        requested = points_per_missing * sum(item.missing for item in inspections)
        available = perspective_figures.get(INTERNAL_PROCESS, (ZERO, ZERO))[1]
        applied = min(requested, available)
        inspection = InspectionResult(finish(points_per_missing), finish(requested), finish(applied), items)
    after_inspection = max(ZERO, subtotal - applied)  # applied <= the internal-process part: never below 0

    # NNI veto, on the total after the inspection deduction.
    veto = None
    if vetoes:
        failed = tuple(line.key for line in vetoes if scored[line.key].failed)
        total = apply_veto(
            after_inspection,
            bool(failed),
            snapshot.veto_mode,
            ceiling=snapshot.veto_ceiling,
            deduction=snapshot.veto_deduction,
        )
        veto = VetoResult(
            failed=failed,
            mode=VetoMode(snapshot.veto_mode).value,
            ceiling=snapshot.veto_ceiling,
            deduction=snapshot.veto_deduction,
            total_before=finish(after_inspection),
            total_after=total,
        )
    else:
        total = finish(after_inspection)

    # Sales front line: the financial score apart, the BSC total with finance at full marks.
    front = None
    if front_line:
        figures = front_line_totals(
            {line.key: scored[line.key].score if line.key not in na else None for line in weighted},
            {line.key: line.effective_weight for line in weighted},
            {line.key: line.perspective for line in weighted},
            snapshot.full_score,
            policy=policy,
        )
        front = FrontLine(financial_score=figures.financial_score, bsc_total=finish(subtotal))

    line_results = []
    for line in snapshot.lines:
        result = scored[line.key]
        counts = line.key in counted_keys
        points = result.score
        if result.not_applicable and not line.is_veto and policy is NotApplicablePolicy.ZERO:
            points = ZERO  # the ZERO policy scores a not-applicable line 0
        line_results.append(
            LineResult(
                key=line.key,
                indicator_code=line.indicator_code,
                indicator_type=line.indicator_type,
                perspective=line.perspective,
                weight=finish(line.effective_weight * HUNDRED / counted_weight) if counts else finish(ZERO),
                actual=result.actual,
                achievement=result.achievement,
                score=points,
                contribution=finish(numerators[line.key] / counted_weight) if counts else finish(ZERO),
                not_applicable=result.not_applicable,
                failed=bool(result.failed) if line.is_veto else None,
            )
        )

    perspectives = []
    for code, (weight, contributed) in perspective_figures.items():
        deduction = applied if code == INTERNAL_PROCESS else ZERO
        perspectives.append(
            PerspectiveResult(
                code=code,
                weight=finish(weight),
                subtotal=finish(contributed),
                deduction=finish(deduction),
                subtotal_after=finish(contributed - deduction),
            )
        )

    return Breakdown(
        lines=tuple(line_results),
        perspectives=tuple(perspectives),
        subtotal=finish(subtotal),
        inspection=inspection,
        veto=veto,
        front_line=front,
        total=total,
        policy=policy.value,
    )
