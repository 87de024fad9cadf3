"""Changes to the indicator library, and scoring an indicator on given data."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import formulas, scoring
from strategy.models import PlanStatus

from .models import Indicator

INDICATOR_FIELDS = (
    "code", "name_zh", "name_en", "type", "perspective", "category", "definition_zh", "definition_en", "purpose",
    "owner_department", "owner_post", "data_source_zh", "data_source_en", "cycle", "unit", "direction", "formula_inputs", "formula",
    "scoring_method", "scoring_params", "status",
)


# What an indicator means to cards that use it. Apps above register a check saying where
# an indicator is in use in a way that freezes these fields (scorecards: a submitted or
# approved card), so past scores keep meaning what they meant.
FROZEN_WHEN_USED = ("type", "direction", "unit")
_usage_checks: list[Callable[[Indicator], str | None]] = []


def register_usage_check(check: Callable[[Indicator], str | None]) -> None:
    """``check(indicator)`` returns a description of the use (e.g. "the 2026 Sales card")
    or None."""
    if check not in _usage_checks:
        _usage_checks.append(check)


def check_frozen_fields(indicator: Indicator) -> None:
    if indicator.pk is None:
        return
    stored = Indicator.objects.filter(pk=indicator.pk).values(*FROZEN_WHEN_USED).first() or {}
    changed = [name for name in FROZEN_WHEN_USED if stored.get(name) != getattr(indicator, name)]
    if not changed:
        return
    for check in _usage_checks:
        use = check(indicator)
        if use:
            message = _(
                "%(code)s is used on %(use)s, so its type, direction and unit stay as they are. "
                "Retire it and add a new indicator instead."
            ) % {"code": indicator.code, "use": use}
            raise ValidationError({name: message for name in changed})


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def translated(exc) -> str:
    """The message of a scoring or formula error in the active language."""
    return _(exc.template) % exc.params if exc.params else _(exc.template)


def scoring_error(exc: scoring.ScoringError) -> ValidationError:
    """A broken scoring rule as a field error: on the direction, or on the parameters
    (keyed by the parameter's name, so the form can put it next to that field)."""
    if exc.field == "direction":
        return ValidationError({"direction": translated(exc)})
    return ValidationError({"scoring_params": ValidationError(translated(exc), code=exc.field)})


def formula_error(exc: formulas.FormulaError) -> ValidationError:
    return ValidationError({"formula": translated(exc)})


def check_indicator(indicator: Indicator) -> Indicator:
    """Model rules plus the formula and the scoring parameters; stores canonical params."""
    indicator.full_clean()
    names = input_names(indicator.formula_inputs)
    bad = [name for name in names if not name.isidentifier()]
    if bad:
        raise ValidationError({"formula_inputs": _("Not a valid input name: %(names)s. Use letters, digits and _.") % {"names": ", ".join(bad)}})
    if indicator.formula.strip():
        try:
            # Checked against the declared inputs, so a misspelt name is caught when
            # saving; with none declared yet, the formula's own names become the inputs.
            formula = formulas.validate(indicator.formula.strip(), names or None)
        except formulas.FormulaError as exc:
            raise formula_error(exc) from exc
        indicator.formula = formula.text
        names = names or sorted(formula.names)
    indicator.formula_inputs = ", ".join(names)
    try:
        params = scoring.validate_params(indicator.scoring_method, indicator.scoring_params or {}, direction=indicator.direction)
    except scoring.ScoringError as exc:
        raise scoring_error(exc) from exc
    indicator.scoring_params = params.to_dict()
    return indicator


def input_names(text: str) -> list[str]:
    """'planned_cost, actual_cost' (commas in either script) as a list of names."""
    return [name.strip() for name in text.replace("，", ",").split(",") if name.strip()]


@transaction.atomic
def save_indicator(*, by, indicator: Indicator | None = None, measures=None, **fields) -> Indicator:
    _require(by, "indicators.edit_library")
    indicator = Indicator() if indicator is None else Indicator.objects.select_for_update().get(pk=indicator.pk)
    reason = "create indicator" if indicator.pk is None else "update indicator"
    if "scoring_method" in fields and fields["scoring_method"] != indicator.scoring_method and "scoring_params" not in fields:
        # Another method's parameters mean nothing to the new one: start from its defaults.
        fields = {**fields, "scoring_params": {}}
    for name in INDICATOR_FIELDS:
        if name in fields:
            setattr(indicator, name, fields[name])
    check_indicator(indicator)
    check_frozen_fields(indicator)
    if measures is not None:
        _check_measure_changes(indicator, set(measures))
    indicator._change_reason = reason
    indicator.save()
    if measures is not None:
        indicator.measures.set(measures)
    return indicator


def _check_measure_changes(indicator: Indicator, wanted: set) -> None:
    """Links to measures of an approved plan are part of that plan: frozen like it."""
    current = set(indicator.measures.all()) if indicator.pk else set()
    changed = current ^ wanted
    frozen = {m.objective.plan.year for m in changed if m.objective.plan.status == PlanStatus.APPROVED}
    if frozen:
        raise ValidationError(
            {"measures": _("The %(years)s plan is approved: its measures' indicators change only after the general manager reopens it.") % {"years": ", ".join(map(str, sorted(frozen)))}}
        )


@dataclass(frozen=True)
class Evaluation:
    inputs: dict
    actual: Decimal | None
    achievement: Decimal | None
    score: Decimal


def evaluate_indicator(
    indicator: Indicator,
    *,
    inputs: dict[str, Decimal] | None = None,
    actual: Decimal | None = None,
    target: Decimal | None = None,
    target_low: Decimal | None = None,
    target_high: Decimal | None = None,
    ratings: list | None = None,
) -> Evaluation:
    """The actual (from the formula when inputs are given), its achievement and score.

    Raises ValidationError with field errors: integrators and the formula tester show them.
    """
    if inputs:
        if not indicator.formula:
            raise ValidationError({"inputs": _("This indicator has no formula; send the actual instead.")})
        try:
            actual = formulas.evaluate(indicator.formula, inputs)
        except formulas.FormulaError as exc:
            raise ValidationError({"inputs": translated(exc)}) from exc
    try:
        result = scoring.score(
            indicator.scoring_method, indicator.scoring_params or None, direction=indicator.direction,
            actual=actual, target=target, target_low=target_low, target_high=target_high, ratings=ratings,
        )
    except scoring.ScoringError as exc:
        field = exc.field if exc.field in ("actual", "target", "target_low", "target_high", "ratings") else NON_FIELD_ERRORS
        raise ValidationError({field: translated(exc)}) from exc
    return Evaluation(inputs=dict(inputs or {}), actual=result.actual, achievement=result.achievement, score=result.score)
