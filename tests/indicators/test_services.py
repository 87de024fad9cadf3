"""indicators/services.py: saving an indicator (formula and scoring parameters checked,
HR only, with history) and evaluating one on given data."""

from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from indicators.models import Indicator
from indicators.services import evaluate_indicator, save_indicator
from tests.strategy.factories import perspective

from .factories import IndicatorFactory

pytestmark = pytest.mark.django_db

D = Decimal


def fields(**overrides):
    base = {"code": "F-900", "name_en": "Expense budget achievement", "name_zh": "费用预算达成率", "perspective": perspective("financial")}
    return {**base, **overrides}


def refused(call, *args, **kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.error_dict


def param_error(by, **overrides):
    """The one scoring_params error of a refused save: (its code, its message)."""
    errors = refused(save_indicator, by=by, **fields(**overrides))
    assert list(errors) == ["scoring_params"]
    [error] = errors["scoring_params"]
    return error.code, error.message


# --- formula ---------------------------------------------------------------------------


def test_a_valid_formula_is_saved(world):
    indicator = save_indicator(by=world.hr.user, **fields(formula="  planned_cost / actual_cost * 100 "))
    assert Indicator.objects.get(pk=indicator.pk).formula == "planned_cost / actual_cost * 100"


def test_a_formula_with_an_unknown_function_is_refused_on_the_formula_field(world):
    errors = refused(save_indicator, by=world.hr.user, **fields(formula="sqrt(a) * 100"))
    assert list(errors) == ["formula"]
    assert "Unknown function “sqrt”" in errors["formula"][0].message
    assert not Indicator.objects.exists()


def test_a_formula_with_a_percent_sign_is_refused(world):
    errors = refused(save_indicator, by=world.hr.user, **fields(formula="actual_cost / planned_cost * 100%"))
    assert list(errors) == ["formula"]


def test_a_formula_with_a_modulo_operator_is_refused(world):
    errors = refused(save_indicator, by=world.hr.user, **fields(formula="a % b"))
    assert list(errors) == ["formula"]


def test_a_formula_with_bad_syntax_is_refused(world):
    errors = refused(save_indicator, by=world.hr.user, **fields(formula="(a + b"))
    assert list(errors) == ["formula"]
    assert errors["formula"][0].message


def test_a_formula_that_calls_python_is_refused(world):
    errors = refused(save_indicator, by=world.hr.user, **fields(formula="__import__('os').system('true')"))
    assert list(errors) == ["formula"]


# --- scoring parameters per method -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "direction", "params", "code"),
    [
        ("percentage", "higher_better", {"cap": "5000"}, "cap"),
        ("percentage", "higher_better", {"floor": "-1"}, "floor"),
        ("percentage", "higher_better", {"cap": "100", "floor": "100"}, "floor"),
        ("percentage", "higher_better", {"zero_below": "200"}, "zero_below"),
        ("percentage", "higher_better", {"cap": "abc"}, "cap"),
        ("percentage", "higher_better", {"cap": 120.5}, "cap"),  # a float is refused: numbers travel as text
        ("interval", "higher_better", {"bands": []}, "bands"),
        ("interval", "higher_better", {"bands": [{"lower": None, "upper": "60", "score": "0"}, {"lower": "70", "upper": None, "score": "100"}]}, "bands"),
        ("interval", "higher_better", {"bands": [{"lower": None, "upper": "80", "score": "0"}, {"lower": "60", "upper": None, "score": "100"}]}, "bands"),
        ("interval", "higher_better", {"bands": [{"lower": None, "upper": None, "score": "500"}]}, "bands"),
        ("interval", "higher_better", {"basis": "median"}, "basis"),
        ("zero_one", "higher_better", {"full": "0"}, "full"),
        ("zero_one", "higher_better", {"full": "121"}, "full"),
        ("deduction", "lower_better", {"points_per_occurrence": "0"}, "points_per_occurrence"),
        ("deduction", "lower_better", {"full": "200"}, "full"),
        ("deduction", "lower_better", {"floor": "100"}, "floor"),
        ("description", "qualitative", {"levels": []}, "levels"),
        ("description", "qualitative", {"levels": [{"value": 1, "score": "10"}, {"value": 1, "score": "20"}]}, "levels"),
        ("description", "qualitative", {"levels": [{"value": 1, "score": "101"}]}, "levels"),
        ("description", "qualitative", {"levels": [{"value": "1.5", "score": "10"}]}, "levels"),
    ],
)
def test_a_bad_scoring_parameter_is_a_field_error_coded_with_the_parameter_name(world, method, direction, params, code):
    error_code, message = param_error(world.hr.user, scoring_method=method, direction=direction, scoring_params=params)
    assert error_code == code
    assert message
    assert not Indicator.objects.exists()


def test_an_unknown_scoring_parameter_is_a_non_field_parameter_error(world):
    error_code, message = param_error(world.hr.user, scoring_method="zero_one", scoring_params={"cap": "120"})
    assert error_code == NON_FIELD_ERRORS
    assert "“cap”" in message


def test_a_gap_between_bands_says_which_bands(world):
    bands = [{"lower": None, "upper": "60", "score": "0"}, {"lower": "70", "upper": None, "score": "100"}]
    _code, message = param_error(world.hr.user, scoring_method="interval", scoring_params={"bands": bands})
    assert "gap between band 1" in message and "band 2" in message


@pytest.mark.parametrize(
    ("method", "direction", "params"),
    [
        ("percentage", "qualitative", {}),
        ("deduction", "higher_better", {}),
        ("deduction", "target_range", {}),
        ("interval", "qualitative", {"basis": "achievement"}),
    ],
)
def test_a_method_that_does_not_fit_the_direction_is_an_error_on_the_direction(world, method, direction, params):
    errors = refused(save_indicator, by=world.hr.user, **fields(scoring_method=method, direction=direction, scoring_params=params))
    assert list(errors) == ["direction"]


@pytest.mark.parametrize(
    ("method", "direction", "params"),
    [
        ("percentage", "lower_better", {"cap": "150", "zero_below": "60"}),
        ("percentage", "target_range", {}),
        ("interval", "qualitative", {"basis": "actual"}),
        ("zero_one", "qualitative", {}),
        ("deduction", "lower_better", {"points_per_occurrence": "5"}),
        ("deduction", "qualitative", {}),
        ("description", "qualitative", {}),
        ("description", "higher_better", {}),
    ],
)
def test_a_method_that_fits_the_direction_is_saved(world, method, direction, params):
    indicator = save_indicator(by=world.hr.user, **fields(scoring_method=method, direction=direction, scoring_params=params))
    assert indicator.pk is not None


def test_percentage_parameters_are_stored_in_canonical_form_with_defaults_filled_in(world):
    indicator = save_indicator(by=world.hr.user, **fields(scoring_params={"cap": " 150 ", "zero_below": 60}))
    indicator.refresh_from_db()
    assert indicator.scoring_params == {"cap": "150", "floor": "0", "zero_below": "60"}


def test_empty_parameters_are_stored_as_the_methods_defaults(world):
    indicator = save_indicator(by=world.hr.user, **fields(scoring_method="deduction", direction="lower_better", scoring_params={}))
    indicator.refresh_from_db()
    assert indicator.scoring_params == {"points_per_occurrence": "1", "full": "100", "floor": "0"}


def test_interval_bands_are_stored_in_canonical_form(world):
    bands = [{"lower": "", "upper": "60", "score": "0"}, {"lower": "60", "upper": "", "score": "100"}]
    indicator = save_indicator(by=world.hr.user, **fields(scoring_method="interval", scoring_params={"bands": bands, "basis": "actual"}))
    indicator.refresh_from_db()
    assert indicator.scoring_params == {
        "bands": [{"lower": None, "upper": "60", "score": "0"}, {"lower": "60", "upper": None, "score": "100"}],
        "basis": "actual",
    }


def test_description_defaults_to_the_seven_level_scale(world):
    indicator = save_indicator(by=world.hr.user, **fields(scoring_method="description", direction="qualitative"))
    levels = Indicator.objects.get(pk=indicator.pk).scoring_params["levels"]
    assert [lv["value"] for lv in levels] == [7, 6, 5, 4, 3, 2, 1]
    assert (levels[0]["label_zh"], levels[0]["label_en"], D(levels[0]["score"])) == ("很好", "very good", D(100))


# --- who may save ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_and_administrators_may_save_an_indicator(world, role):
    person = getattr(world, role)
    user = getattr(person, "user", person)
    assert save_indicator(by=user, **fields()).pk is not None


@pytest.mark.parametrize("role", ["gm", "emp_a", "head_a", "committee", "integrator"])
def test_other_roles_may_not_save_an_indicator(world, role):
    person = getattr(world, role)
    user = getattr(person, "user", person)
    with pytest.raises(PermissionDenied):
        save_indicator(by=user, **fields())
    assert not Indicator.objects.exists()


def test_other_roles_may_not_change_an_existing_indicator(world):
    indicator = IndicatorFactory(name_en="Before")
    with pytest.raises(PermissionDenied):
        save_indicator(by=world.emp_a.user, indicator=indicator, name_en="After")
    indicator.refresh_from_db()
    assert indicator.name_en == "Before"


# --- history, owner, code -------------------------------------------------------------


def test_creating_and_updating_leave_history_with_a_reason(world):
    indicator = save_indicator(by=world.hr.user, **fields())
    save_indicator(by=world.hr.user, indicator=indicator, name_en="Expense ratio")
    reasons = [h.history_change_reason for h in indicator.history.order_by("history_id")]
    assert reasons == ["create indicator", "update indicator"]
    assert indicator.history.order_by("history_id").last().name_en == "Expense ratio"


def test_an_update_changes_only_the_given_fields(world):
    indicator = save_indicator(by=world.hr.user, **fields(unit="%", formula="a / b * 100"))
    save_indicator(by=world.hr.user, indicator=indicator, name_en="Renamed")
    indicator.refresh_from_db()
    assert (indicator.name_en, indicator.unit, indicator.formula, indicator.code) == ("Renamed", "%", "a / b * 100", "F-900")


def test_an_indicator_is_owned_by_a_department_or_a_post_not_both(world):
    errors = refused(save_indicator, by=world.hr.user, **fields(owner_department=world.dept_a, owner_post=world.post_a))
    assert NON_FIELD_ERRORS in errors
    assert not Indicator.objects.exists()


def test_the_database_refuses_an_indicator_with_two_owners(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(owner_department=world.dept_a, owner_post=world.post_a)


@pytest.mark.parametrize("owner", ["owner_department", "owner_post"])
def test_one_owner_is_accepted(world, owner):
    value = world.dept_a if owner == "owner_department" else world.post_a
    indicator = save_indicator(by=world.hr.user, **fields(**{owner: value}))
    assert getattr(indicator, owner) == value


def test_the_code_is_unique(world):
    IndicatorFactory(code="F-900")
    errors = refused(save_indicator, by=world.hr.user, **fields(code="F-900"))
    assert list(errors) == ["code"]


def test_a_name_in_one_language_is_required(world):
    errors = refused(save_indicator, by=world.hr.user, **fields(name_en=" ", name_zh=""))
    assert "name_zh" in errors


def test_measures_are_linked_when_given(world):
    from tests.strategy.factories import MeasureFactory

    measure = MeasureFactory()
    indicator = save_indicator(by=world.hr.user, measures=[measure], **fields())
    assert list(indicator.measures.all()) == [measure]


# --- evaluating -----------------------------------------------------------------------


def cost_indicator(**overrides):
    return IndicatorFactory(formula="planned_cost / actual_cost * 100", direction="higher_better", **overrides)


def test_evaluating_with_inputs_computes_the_actual_by_the_formula():
    result = evaluate_indicator(cost_indicator(), inputs={"planned_cost": D("90"), "actual_cost": D("100")}, target=D("100"))
    assert (result.actual, result.achievement, result.score) == (D("90"), D("90.00"), D("90.00"))
    assert result.inputs == {"planned_cost": D("90"), "actual_cost": D("100")}


def test_evaluating_with_an_actual_needs_no_formula():
    result = evaluate_indicator(IndicatorFactory(), actual=D("130"), target=D("100"))
    assert (result.actual, result.achievement, result.score) == (D("130"), D("130.00"), D("120.00"))


def test_evaluating_a_lower_is_better_indicator_inverts_the_achievement():
    result = evaluate_indicator(IndicatorFactory(direction="lower_better"), actual=D("80"), target=D("100"))
    assert (result.achievement, result.score) == (D("125.00"), D("120.00"))


def test_a_missing_input_is_an_error_on_inputs():
    errors = refused(evaluate_indicator, cost_indicator(), inputs={"planned_cost": D("90")}, target=D("100"))
    assert list(errors) == ["inputs"]
    assert "actual_cost" in errors["inputs"][0].message


def test_division_by_zero_is_an_error_on_inputs_naming_the_divisor():
    errors = refused(evaluate_indicator, cost_indicator(), inputs={"planned_cost": D("90"), "actual_cost": D("0")}, target=D("100"))
    assert list(errors) == ["inputs"]
    assert "actual_cost" in errors["inputs"][0].message


def test_inputs_for_an_indicator_without_a_formula_are_an_error_on_inputs():
    errors = refused(evaluate_indicator, IndicatorFactory(formula=""), inputs={"a": D("1")}, target=D("100"))
    assert list(errors) == ["inputs"]


def test_a_missing_target_is_an_error_on_the_target():
    errors = refused(evaluate_indicator, IndicatorFactory(), actual=D("90"))
    assert list(errors) == ["target"]


def test_a_missing_actual_is_an_error_on_the_actual():
    errors = refused(evaluate_indicator, IndicatorFactory(), target=D("90"))
    assert list(errors) == ["actual"]


def test_a_target_of_zero_is_an_error_on_the_target():
    errors = refused(evaluate_indicator, IndicatorFactory(), actual=D("5"), target=D("0"))
    assert list(errors) == ["target"]


def test_a_target_range_scores_full_inside_and_less_outside():
    indicator = IndicatorFactory(direction="target_range")
    inside = evaluate_indicator(indicator, actual=D("95"), target_low=D("90"), target_high=D("110"))
    above = evaluate_indicator(indicator, actual=D("125"), target_low=D("90"), target_high=D("110"))
    assert (inside.achievement, inside.score) == (D("100.00"), D("100.00"))
    assert (above.achievement, above.score) == (D("88.00"), D("88.00"))


def test_a_target_range_without_its_upper_end_is_an_error_on_target_high():
    errors = refused(evaluate_indicator, IndicatorFactory(direction="target_range"), actual=D("95"), target_low=D("90"))
    assert list(errors) == ["target_high"]


def test_description_ratings_are_averaged_on_the_seven_level_scale():
    indicator = IndicatorFactory(direction="qualitative", scoring_method="description")
    result = evaluate_indicator(indicator, ratings=[7, 5])
    # levels 7 and 5 -> 100 and 71.43 -> mean level 6 -> 6/7 x 100
    assert (result.actual, result.achievement, result.score) == (D("6"), None, D("85.71"))


def test_an_unknown_rating_level_is_an_error_on_ratings():
    indicator = IndicatorFactory(direction="qualitative", scoring_method="description")
    errors = refused(evaluate_indicator, indicator, ratings=[9])
    assert list(errors) == ["ratings"]


def test_a_deduction_indicator_takes_points_off_per_occurrence():
    indicator = IndicatorFactory(direction="lower_better", scoring_method="deduction", scoring_params={"points_per_occurrence": "5"})
    assert evaluate_indicator(indicator, actual=D("3")).score == D("85.00")


def test_evaluating_saves_nothing():
    indicator = cost_indicator()
    before = indicator.history.count()
    evaluate_indicator(indicator, inputs={"planned_cost": D("90"), "actual_cost": D("100")}, target=D("100"))
    assert indicator.history.count() == before
    assert Indicator.objects.get(pk=indicator.pk).formula == "planned_cost / actual_cost * 100"


def test_a_misspelt_input_is_caught_against_the_declared_inputs(world):
    from tests.indicators.factories import IndicatorFactory

    indicator = IndicatorFactory()
    with pytest.raises(ValidationError) as error:
        save_indicator(
            by=world.hr.user, indicator=indicator, formula_inputs="planned_cost, actual_cost", formula="planed_cost / actual_cost * 100"
        )
    assert "formula" in error.value.message_dict and "planed_cost" in error.value.message_dict["formula"][0]


def test_without_declared_inputs_the_formula_names_become_the_inputs(world):
    from tests.indicators.factories import IndicatorFactory

    saved = save_indicator(by=world.hr.user, indicator=IndicatorFactory(), formula="b / a * 100")
    assert saved.formula_inputs == "a, b"


def test_input_names_must_be_names(world):
    from tests.indicators.factories import IndicatorFactory

    with pytest.raises(ValidationError) as error:
        save_indicator(by=world.hr.user, indicator=IndicatorFactory(), formula_inputs="cost-plan, 2x", formula="")
    assert "formula_inputs" in error.value.message_dict
