"""indicators/scoring.py: the five scoring methods, their parameters and the weighted total."""

from decimal import Decimal, localcontext

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from indicators.scoring import (
    NON_FIELD,
    SEVEN_LEVEL_SCALE,
    Band,
    Basis,
    DeductionParams,
    DescriptionParams,
    Direction,
    IntervalParams,
    Level,
    Method,
    NotApplicablePolicy,
    PercentageParams,
    Rating,
    Result,
    ScoringError,
    ZeroOneParams,
    achievement,
    check_direction,
    default_params,
    finish,
    params_from_dict,
    score,
    score_deduction,
    score_description,
    score_interval,
    score_percentage,
    score_zero_one,
    validate_params,
    weighted_total,
)

D = Decimal
HIGHER = Direction.HIGHER_BETTER
LOWER = Direction.LOWER_BETTER
RANGE = Direction.TARGET_RANGE
QUALITATIVE = Direction.QUALITATIVE
EXCLUDE = NotApplicablePolicy.EXCLUDE
ZERO = NotApplicablePolicy.ZERO

# Bands on the actual value: fewer errors score more.
ERROR_BANDS = IntervalParams(
    bands=(Band(D("0"), D("3"), D("100")), Band(D("3"), D("6"), D("80")), Band(D("6"), D("10"), D("50"))),
    basis=Basis.ACTUAL,
)

amounts = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=D("0"), max_value=D("1000000"))
signed_amounts = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=D("-1000000"), max_value=D("1000000"))
targets = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=D("0.01"), max_value=D("1000000"))
scores = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=D("0"), max_value=D("120"))
weights = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=D("0"), max_value=D("100"))


def raises_scoring_error(field, message, call, *args, **kwargs):
    with pytest.raises(ScoringError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field
    assert caught.value.message == message
    assert str(caught.value) == message
    return caught.value


@st.composite
def percentage_params(draw):
    floor = draw(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=D("0"), max_value=D("100")))
    cap = draw(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=floor + D("0.01"), max_value=D("1000")))
    zero_below = draw(
        st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=D("0"), max_value=cap)
    )
    return PercentageParams(cap=cap, floor=floor, zero_below=zero_below)


@st.composite
def interval_params(draw, basis=Basis.ACTUAL):
    edges = sorted(draw(st.sets(signed_amounts, min_size=2, max_size=6)))
    count = len(edges) - 1
    bands = [Band(low, high, draw(scores)) for low, high in zip(edges, edges[1:], strict=False)]
    if draw(st.booleans()):
        bands[0] = Band(None, bands[0].upper, bands[0].score)
    if draw(st.booleans()):
        bands[count - 1] = Band(bands[count - 1].lower, None, bands[count - 1].score)
    return IntervalParams(bands=tuple(bands), basis=basis)


# --- finish --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.675", "2.68"),
        ("2.665", "2.67"),  # half up, not to even (2.66)
        ("12.345", "12.35"),
        ("-2.675", "-2.68"),
        ("99.994999", "99.99"),
        ("100", "100.00"),
    ],
)
def test_finish_rounds_half_up_to_two_places(value, expected):
    assert str(finish(D(value))) == expected


def test_finish_never_returns_negative_zero():
    assert str(finish(D("-0.001"))) == "0.00"


def test_finish_refuses_a_float():
    with pytest.raises(TypeError):
        finish(2.675)


def test_results_do_not_depend_on_the_callers_decimal_context():
    with localcontext() as context:
        context.prec = 3
        result = score(Method.PERCENTAGE, direction=LOWER, actual=D("110"), target=D("100"))
    assert result.score == D("90.91")


# --- percentage ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "direction", "inputs", "expected"),
    [
        (PercentageParams(), HIGHER, {"actual": "95", "target": "100"}, "95.00"),
        (PercentageParams(), HIGHER, {"actual": "150", "target": "100"}, "120.00"),
        (PercentageParams(), HIGHER, {"actual": "2", "target": "3"}, "66.67"),
        (PercentageParams(), HIGHER, {"actual": "12.345", "target": "100"}, "12.35"),
        (PercentageParams(), LOWER, {"actual": "110", "target": "100"}, "90.91"),
        (PercentageParams(), LOWER, {"actual": "80", "target": "100"}, "120.00"),
        (PercentageParams(cap=D("200")), LOWER, {"actual": "80", "target": "100"}, "125.00"),
        (PercentageParams(cap=D("100")), HIGHER, {"actual": "105", "target": "100"}, "100.00"),
        (PercentageParams(floor=D("50")), HIGHER, {"actual": "30", "target": "100"}, "50.00"),
        (PercentageParams(zero_below=D("60")), HIGHER, {"actual": "59.99", "target": "100"}, "0.00"),
        (PercentageParams(zero_below=D("60")), HIGHER, {"actual": "60", "target": "100"}, "60.00"),
        (PercentageParams(floor=D("50"), zero_below=D("60")), HIGHER, {"actual": "55", "target": "100"}, "0.00"),
        (PercentageParams(), RANGE, {"actual": "100", "target_low": "90", "target_high": "110"}, "100.00"),
        (PercentageParams(), RANGE, {"actual": "90", "target_low": "90", "target_high": "110"}, "100.00"),
        (PercentageParams(), RANGE, {"actual": "110", "target_low": "90", "target_high": "110"}, "100.00"),
        (PercentageParams(), RANGE, {"actual": "81", "target_low": "90", "target_high": "110"}, "90.00"),
        (PercentageParams(), RANGE, {"actual": "121", "target_low": "90", "target_high": "110"}, "90.91"),
    ],
)
def test_percentage_scores_match_hand_computed_values(params, direction, inputs, expected):
    result = score_percentage(params, direction=direction, **{k: D(v) for k, v in inputs.items()})
    assert result.score == D(expected)
    assert str(result.score) == expected


def test_percentage_result_carries_the_actual_and_the_rounded_achievement():
    result = score(Method.PERCENTAGE, direction=LOWER, actual=D("110"), target=D("100"))
    assert result == Result(actual=D("110"), achievement=D("90.91"), score=D("90.91"))


def test_percentage_achievement_is_not_capped():
    result = score(Method.PERCENTAGE, direction=HIGHER, actual=D("150"), target=D("100"))
    assert result.achievement == D("150.00")
    assert result.score == D("120.00")


def test_percentage_lower_better_actual_of_zero_scores_the_cap():
    result = score(Method.PERCENTAGE, {"cap": "110"}, direction=LOWER, actual=D("0"), target=D("100"))
    assert result.score == D("110.00")
    assert result.achievement is None


def test_percentage_higher_better_negative_actual_scores_the_floor():
    result = score(Method.PERCENTAGE, {"floor": "10"}, direction=HIGHER, actual=D("-50"), target=D("100"))
    assert result.score == D("10.00")
    assert result.achievement == D("-50.00")


def test_percentage_accepts_int_inputs():
    assert score(Method.PERCENTAGE, direction=HIGHER, actual=95, target=100).score == D("95.00")


def test_percentage_refuses_a_target_of_zero():
    raises_scoring_error(
        "target",
        "The target must be above 0 to compute an achievement; for a target of 0 use the 0-1 or deduction method.",
        score, Method.PERCENTAGE, direction=HIGHER, actual=D("5"), target=D("0"),
    )


def test_percentage_refuses_a_negative_target():
    with pytest.raises(ScoringError) as caught:
        score(Method.PERCENTAGE, direction=LOWER, actual=D("5"), target=D("-1"))
    assert caught.value.field == "target"


def test_percentage_refuses_a_negative_lower_better_actual():
    raises_scoring_error(
        "actual", "A lower-is-better actual cannot be negative.",
        score, Method.PERCENTAGE, direction=LOWER, actual=D("-1"), target=D("100"),
    )


def test_percentage_needs_an_actual():
    raises_scoring_error("actual", "An actual value is required.", score, Method.PERCENTAGE, direction=HIGHER, target=D("100"))


def test_percentage_needs_a_target():
    raises_scoring_error("target", "A target is required.", score, Method.PERCENTAGE, direction=HIGHER, actual=D("1"))


def test_percentage_target_range_needs_a_lower_target():
    raises_scoring_error(
        "target_low", "A lower target is required.",
        score, Method.PERCENTAGE, direction=RANGE, actual=D("1"), target_high=D("5"),
    )


def test_percentage_target_range_needs_an_upper_target():
    raises_scoring_error(
        "target_high", "An upper target is required.",
        score, Method.PERCENTAGE, direction=RANGE, actual=D("1"), target_low=D("5"),
    )


def test_percentage_target_range_refuses_an_upper_target_below_the_lower():
    raises_scoring_error(
        "target_high", "The upper target cannot be below the lower target.",
        score, Method.PERCENTAGE, direction=RANGE, actual=D("1"), target_low=D("5"), target_high=D("4"),
    )


def test_percentage_target_range_refuses_a_lower_target_of_zero():
    raises_scoring_error(
        "target_low", "The lower target must be above 0.",
        score, Method.PERCENTAGE, direction=RANGE, actual=D("1"), target_low=D("0"), target_high=D("4"),
    )


def test_percentage_refuses_a_qualitative_indicator():
    raises_scoring_error(
        "direction",
        "The percentage method needs a measured value; rate a qualitative indicator by description.",
        score, Method.PERCENTAGE, direction=QUALITATIVE, actual=D("1"), target=D("1"),
    )


def test_percentage_refuses_a_float_actual():
    with pytest.raises(TypeError):
        score(Method.PERCENTAGE, direction=HIGHER, actual=95.0, target=D("100"))


def test_percentage_refuses_a_float_target():
    with pytest.raises(TypeError):
        score(Method.PERCENTAGE, direction=HIGHER, actual=D("95"), target=100.0)


def test_percentage_refuses_a_string_actual():
    with pytest.raises(TypeError):
        score(Method.PERCENTAGE, direction=HIGHER, actual="95", target=D("100"))


def test_scoring_refuses_a_non_finite_actual():
    raises_scoring_error(
        "actual", "Enter a finite number.", score, Method.PERCENTAGE, direction=HIGHER, actual=D("NaN"), target=D("1")
    )


def test_scoring_refuses_an_absurdly_large_actual():
    raises_scoring_error(
        "actual", "This number is too large.", score, Method.PERCENTAGE, direction=HIGHER, actual=D("1E15"), target=D("1")
    )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (PercentageParams(floor=D("-1")), "floor", "The floor cannot be negative."),
        (PercentageParams(cap=D("1000.01")), "cap", "The cap cannot be above 1000."),
        (PercentageParams(cap=D("50"), floor=D("50")), "floor", "The floor must be below the cap."),
        (PercentageParams(zero_below=D("121")), "zero_below", "The zero-below threshold must be between 0 and the cap."),
        (PercentageParams(zero_below=D("-1")), "zero_below", "The zero-below threshold must be between 0 and the cap."),
    ],
)
def test_percentage_params_are_validated(params, field, message):
    raises_scoring_error(field, message, params.validate)


def test_percentage_params_accept_the_widest_settings():
    assert PercentageParams(cap=D("1000"), floor=D("0"), zero_below=D("1000")).validate()


def test_percentage_params_refuse_a_float():
    with pytest.raises(TypeError):
        PercentageParams(cap=120.0)


def test_percentage_params_turn_ints_into_decimals():
    assert PercentageParams(cap=110).cap == D("110")
    assert isinstance(PercentageParams(cap=110).cap, Decimal)


def test_achievement_is_unrounded():
    assert achievement(LOWER, actual=D("3"), target=D("1")) == D("33.33333333333333333333333333333333")


def test_achievement_is_none_when_unbounded():
    assert achievement(LOWER, actual=D("0"), target=D("1")) is None


@given(params=percentage_params(), actual=signed_amounts, target=targets, direction=st.sampled_from([HIGHER, LOWER]))
def test_percentage_score_stays_within_floor_and_cap(params, actual, target, direction):
    if direction is LOWER:
        actual = abs(actual)
    result = score_percentage(params, direction=direction, actual=actual, target=target)
    assert result.score <= params.cap
    if params.zero_below is None:
        assert result.score >= params.floor
    else:  # below the threshold the score is 0, whatever the floor
        assert result.score == 0 or result.score >= params.floor


@given(params=percentage_params(), first=signed_amounts, second=signed_amounts, target=targets)
def test_percentage_higher_better_never_lowers_the_score_for_a_higher_actual(params, first, second, target):
    low, high = sorted([first, second])
    worse = score_percentage(params, direction=HIGHER, actual=low, target=target)
    better = score_percentage(params, direction=HIGHER, actual=high, target=target)
    assert worse.score <= better.score


@given(params=percentage_params(), first=amounts, second=amounts, target=targets)
def test_percentage_lower_better_never_lowers_the_score_for_a_lower_actual(params, first, second, target):
    low, high = sorted([first, second])
    better = score_percentage(params, direction=LOWER, actual=low, target=target)
    worse = score_percentage(params, direction=LOWER, actual=high, target=target)
    assert worse.score <= better.score


@given(params=percentage_params(), first=signed_amounts, second=signed_amounts, low=targets, spread=amounts)
def test_percentage_target_range_never_lowers_the_score_nearer_the_range(params, first, second, low, spread):
    high = low + spread
    a, b = sorted([first, second])
    kwargs = {"direction": RANGE, "target_low": low, "target_high": high}
    if b <= low:  # below the range: the higher actual is nearer
        assert score_percentage(params, actual=a, **kwargs).score <= score_percentage(params, actual=b, **kwargs).score
    if a >= high:  # above the range: the lower actual is nearer
        assert score_percentage(params, actual=b, **kwargs).score <= score_percentage(params, actual=a, **kwargs).score


@given(params=percentage_params(), low=targets, spread=amounts, position=st.fractions(min_value=0, max_value=1))
def test_percentage_target_range_scores_100_inside_the_range_within_floor_and_cap(params, low, spread, position):
    high = low + spread
    actual = low + spread * D(position.numerator) / D(position.denominator)
    result = score_percentage(params, direction=RANGE, actual=actual, target_low=low, target_high=high)
    expected = D("0") if params.zero_below is not None and params.zero_below > 100 else min(max(D("100"), params.floor), params.cap)
    assert result.score == finish(expected)


@given(params=percentage_params(), target=targets, extra=amounts)
def test_percentage_hits_the_cap_at_or_above_the_capped_achievement(params, target, extra):
    actual = target * params.cap / 100 + extra
    assume(abs(actual) < D("1E14"))
    assert score_percentage(params, direction=HIGHER, actual=actual, target=target).score == params.cap


@given(params=percentage_params(), target=targets, short=amounts)
def test_percentage_hits_the_floor_at_or_below_the_floor_achievement(params, target, short):
    params = PercentageParams(cap=params.cap, floor=params.floor)
    actual = target * params.floor / 100 - short
    assume(abs(actual) < D("1E14"))
    assert score_percentage(params, direction=HIGHER, actual=actual, target=target).score == params.floor


@given(actual=amounts, target=targets)
def test_percentage_between_floor_and_cap_is_the_rounded_achievement(actual, target):
    params = PercentageParams(cap=D("1000"), floor=D("0"))
    assume(actual * 100 / target <= 1000)
    result = score_percentage(params, direction=HIGHER, actual=actual, target=target)
    assert result.score == finish(actual * 100 / target)


# --- interval --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [("0", "0.00"), ("59.99", "0.00"), ("60", "60.00"), ("79.99", "60.00"), ("80", "80.00"), ("100", "100.00"), ("150", "100.00")],
)
def test_interval_default_bands_score_the_achievement(actual, expected):
    result = score(Method.INTERVAL, {}, direction=HIGHER, actual=D(actual), target=D("100"))
    assert result.score == D(expected)
    assert result.achievement == finish(D(actual))


def test_interval_on_achievement_follows_the_direction():
    # lower is better: 100 / 125 = 80 %
    assert score(Method.INTERVAL, {}, direction=LOWER, actual=D("125"), target=D("100")).score == D("80.00")


def test_interval_on_achievement_with_a_target_range():
    # 81 below a range of 90-110: 90 %
    result = score(Method.INTERVAL, {}, direction=RANGE, actual=D("81"), target_low=D("90"), target_high=D("110"))
    assert result.score == D("80.00")


@pytest.mark.parametrize(("actual", "expected"), [("0", "100.00"), ("2.99", "100.00"), ("3", "80.00"), ("6", "50.00"), ("9.99", "50.00")])
def test_interval_bands_on_the_actual_value(actual, expected):
    result = score_interval(ERROR_BANDS, direction=LOWER, actual=D(actual))
    assert result.score == D(expected)
    assert result.achievement is None


def test_interval_refuses_a_value_at_the_closed_upper_end():
    raises_scoring_error(
        "actual", "The actual 10 is outside every band [0, 10).", score_interval, ERROR_BANDS, direction=LOWER, actual=D("10")
    )


def test_interval_refuses_a_value_below_the_closed_lower_end():
    raises_scoring_error(
        "actual", "The actual -1 is outside every band [0, 10).", score_interval, ERROR_BANDS, direction=LOWER, actual=D("-1")
    )


def test_interval_unbounded_achievement_falls_in_an_open_top_band():
    result = score(Method.INTERVAL, {}, direction=LOWER, actual=D("0"), target=D("5"))
    assert result.score == D("100.00")
    assert result.achievement is None


def test_interval_unbounded_achievement_is_outside_a_closed_top_band():
    params = IntervalParams(bands=(Band(None, D("100"), D("50")), Band(D("100"), D("200"), D("100"))))
    raises_scoring_error(
        "actual",
        "The achievement is unbounded (lower is better and the actual is 0): it is above every band (-∞, 200).",
        score_interval, params, direction=LOWER, actual=D("0"), target=D("5"),
    )


def test_interval_refuses_an_achievement_outside_every_band():
    params = IntervalParams(bands=(Band(D("50"), D("100"), D("60")), Band(D("100"), D("150"), D("100"))))
    raises_scoring_error(
        "actual", "The achievement 40 is outside every band [50, 150).",
        score_interval, params, direction=HIGHER, actual=D("40"), target=D("100"),
    )


def test_interval_on_achievement_refuses_a_qualitative_indicator():
    raises_scoring_error(
        "direction",
        "A qualitative indicator has no achievement; lay the bands on the actual value.",
        score, Method.INTERVAL, {}, direction=QUALITATIVE, actual=D("5"), target=D("5"),
    )


def test_interval_on_the_actual_scores_a_qualitative_indicator():
    assert score_interval(ERROR_BANDS, direction=QUALITATIVE, actual=D("4")).score == D("80.00")


def test_interval_on_achievement_needs_a_target():
    raises_scoring_error("target", "A target is required.", score, Method.INTERVAL, {}, direction=HIGHER, actual=D("5"))


def test_interval_single_open_band_scores_every_value():
    params = IntervalParams(bands=(Band(None, None, D("70")),), basis=Basis.ACTUAL)
    assert score_interval(params, direction=HIGHER, actual=D("-999")).score == D("70.00")


def _bands(*triples, basis=Basis.ACTUAL):
    return IntervalParams(
        bands=tuple(Band(None if lo is None else D(lo), None if hi is None else D(hi), D(s)) for lo, hi, s in triples),
        basis=basis,
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (_bands(), "Add at least one band."),
        (
            _bands((None, "60", "0"), ("70", None, "100")),
            "There is a gap between band 1 (-∞, 60) and band 2 [70, +∞).",
        ),
        (
            _bands((None, "60", "0"), ("50", "80", "60"), ("80", None, "100")),
            "Bands 1 (-∞, 60) and 2 [50, 80) overlap.",
        ),
        (
            _bands(("60", "80", "60"), ("0", "60", "0")),
            "Bands 1 [60, 80) and 2 [0, 60) are not in ascending order.",
        ),
        (_bands(("80", "60", "60"),), "Band 1 [80, 60): the lower bound must be below the upper bound."),
        (_bands(("60", "60", "60"),), "Band 1 [60, 60): the lower bound must be below the upper bound."),
        (_bands((None, "60", "121")), "Band 1 (-∞, 60): the score must be between 0 and 120."),
        (_bands((None, "60", "-1")), "Band 1 (-∞, 60): the score must be between 0 and 120."),
        (_bands(("0", "60", "0"), (None, "80", "50")), "Band 2: only the first band can be open below."),
        (_bands(("0", None, "0"), ("60", "80", "50")), "Band 1: only the last band can be open above."),
    ],
)
def test_interval_params_reject_bad_bands_with_a_message_naming_them(params, message):
    raises_scoring_error("bands", message, params.validate)


def test_interval_params_accept_contiguous_bands():
    assert _bands((None, "60", "0"), ("60", "80.5", "60"), ("80.5", None, "100")).validate()


def test_interval_params_read_and_write_json():
    data = {
        "bands": [{"lower": None, "upper": "3", "score": "100"}, {"lower": "3", "upper": None, "score": "50"}],
        "basis": "actual",
    }
    params = params_from_dict(Method.INTERVAL, data)
    assert params == _bands((None, "3", "100"), ("3", None, "50"))
    assert params.to_dict() == data


def test_interval_params_refuse_an_unknown_basis():
    raises_scoring_error("basis", "Choose “actual” or “achievement”.", params_from_dict, Method.INTERVAL, {"basis": "rank"})


def test_interval_params_refuse_bands_that_are_not_a_list():
    raises_scoring_error("bands", "The bands must be a list.", params_from_dict, Method.INTERVAL, {"bands": "0-60"})


def test_interval_params_refuse_a_band_without_a_score():
    raises_scoring_error("bands", "Every band needs a score.", params_from_dict, Method.INTERVAL, {"bands": [{"lower": "0"}]})


def test_interval_params_refuse_a_band_that_is_not_a_band():
    with pytest.raises(TypeError):
        IntervalParams(bands=((0, 60, 0),))


@given(params=interval_params())
def test_interval_generated_contiguous_bands_are_valid(params):
    assert params.validate() is params


@given(params=interval_params(), data=st.data())
def test_interval_removing_a_middle_band_leaves_a_gap(params, data):
    assume(len(params.bands) >= 3)
    index = data.draw(st.integers(min_value=1, max_value=len(params.bands) - 2))
    broken = IntervalParams(bands=params.bands[:index] + params.bands[index + 1 :], basis=params.basis)
    with pytest.raises(ScoringError, match="There is a gap between band"):
        broken.validate()


@given(params=interval_params())
def test_interval_a_value_at_a_bands_lower_bound_gets_that_bands_score(params):
    for band in params.bands:
        if band.lower is not None:
            assert score_interval(params, direction=HIGHER, actual=band.lower).score == finish(band.score)


@given(params=interval_params(), actual=signed_amounts)
def test_interval_score_is_one_of_the_band_scores(params, actual):
    first, last = params.bands[0], params.bands[-1]
    inside = (first.lower is None or actual >= first.lower) and (last.upper is None or actual < last.upper)
    if inside:
        result = score_interval(params, direction=HIGHER, actual=actual)
        assert result.score in {finish(band.score) for band in params.bands}
        assert min(b.score for b in params.bands) <= result.score <= max(b.score for b in params.bands)
    else:
        with pytest.raises(ScoringError, match="outside every band"):
            score_interval(params, direction=HIGHER, actual=actual)


@given(first=amounts, second=amounts, target=targets, direction=st.sampled_from([HIGHER, LOWER]))
def test_interval_with_rising_band_scores_never_lowers_the_score_for_a_better_actual(first, second, target, direction):
    low, high = sorted([first, second])
    better, worse = (high, low) if direction is HIGHER else (low, high)
    params = default_params(Method.INTERVAL)
    assert (
        score_interval(params, direction=direction, actual=worse, target=target).score
        <= score_interval(params, direction=direction, actual=better, target=target).score
    )


# --- 0-1 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "inputs", "expected"),
    [
        (HIGHER, {"actual": "100", "target": "100"}, "100.00"),
        (HIGHER, {"actual": "99.99", "target": "100"}, "0.00"),
        (HIGHER, {"actual": "0", "target": "0"}, "100.00"),
        (LOWER, {"actual": "5", "target": "5"}, "100.00"),
        (LOWER, {"actual": "5.01", "target": "5"}, "0.00"),
        (RANGE, {"actual": "90", "target_low": "90", "target_high": "110"}, "100.00"),
        (RANGE, {"actual": "110", "target_low": "90", "target_high": "110"}, "100.00"),
        (RANGE, {"actual": "89.99", "target_low": "90", "target_high": "110"}, "0.00"),
        (RANGE, {"actual": "110.01", "target_low": "90", "target_high": "110"}, "0.00"),
        (QUALITATIVE, {"actual": "1"}, "100.00"),
        (QUALITATIVE, {"actual": "0"}, "0.00"),
    ],
)
def test_zero_one_scores_full_when_met_and_zero_otherwise(direction, inputs, expected):
    result = score(Method.ZERO_ONE, direction=direction, **{k: D(v) for k, v in inputs.items()})
    assert result.score == D(expected)
    assert result.achievement is None


def test_zero_one_uses_the_full_score_parameter():
    assert score(Method.ZERO_ONE, {"full": "80"}, direction=HIGHER, actual=D("1"), target=D("1")).score == D("80.00")


def test_zero_one_qualitative_takes_only_one_or_zero():
    raises_scoring_error(
        "actual", "Enter 1 if the target was met, 0 if not.", score, Method.ZERO_ONE, direction=QUALITATIVE, actual=D("2")
    )


def test_zero_one_needs_a_target():
    raises_scoring_error("target", "A target is required.", score, Method.ZERO_ONE, direction=HIGHER, actual=D("2"))


def test_zero_one_target_range_refuses_an_upper_target_below_the_lower():
    raises_scoring_error(
        "target_high", "The upper target cannot be below the lower target.",
        score, Method.ZERO_ONE, direction=RANGE, actual=D("2"), target_low=D("3"), target_high=D("1"),
    )


@pytest.mark.parametrize("full", ["0", "120.01", "-5"])
def test_zero_one_params_refuse_a_full_score_outside_0_to_120(full):
    raises_scoring_error("full", "The full score must be above 0 and at most 120.", ZeroOneParams(full=D(full)).validate)


@given(first=signed_amounts, second=signed_amounts, target=signed_amounts, full=scores.filter(lambda s: s > 0))
def test_zero_one_never_lowers_the_score_for_a_better_actual(first, second, target, full):
    params = ZeroOneParams(full=full)
    low, high = sorted([first, second])
    higher = [score_zero_one(params, direction=HIGHER, actual=a, target=target).score for a in (low, high)]
    lower = [score_zero_one(params, direction=LOWER, actual=a, target=target).score for a in (high, low)]
    for worse, better in (higher, lower):
        assert worse <= better
        assert {worse, better} <= {D("0.00"), finish(full)}


# --- deduction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "occurrences", "expected"),
    [
        (DeductionParams(), "0", "100.00"),
        (DeductionParams(), "3", "97.00"),
        (DeductionParams(), "5.00", "95.00"),
        (DeductionParams(points_per_occurrence=D("2")), "10", "80.00"),
        (DeductionParams(points_per_occurrence=D("0.5")), "3", "98.50"),
        (DeductionParams(points_per_occurrence=D("5")), "200", "0.00"),
        (DeductionParams(points_per_occurrence=D("5"), floor=D("40")), "20", "40.00"),
        (DeductionParams(full=D("20")), "4", "16.00"),
    ],
)
def test_deduction_takes_points_off_per_occurrence(params, occurrences, expected):
    result = score_deduction(params, direction=LOWER, actual=D(occurrences))
    assert result.score == D(expected)
    assert result.achievement is None


def test_deduction_scores_a_qualitative_indicator():
    assert score(Method.DEDUCTION, direction=QUALITATIVE, actual=D("2")).score == D("98.00")


@pytest.mark.parametrize("occurrences", ["2.5", "-1"])
def test_deduction_refuses_occurrences_that_are_not_a_whole_count(occurrences):
    raises_scoring_error(
        "actual", "The number of occurrences must be a whole number, 0 or more.",
        score, Method.DEDUCTION, direction=LOWER, actual=D(occurrences),
    )


def test_deduction_needs_the_number_of_occurrences():
    raises_scoring_error("actual", "The number of occurrences is required.", score, Method.DEDUCTION, direction=LOWER)


@pytest.mark.parametrize("direction", [HIGHER, RANGE])
def test_deduction_refuses_a_higher_better_or_target_range_indicator(direction):
    raises_scoring_error(
        "direction",
        "The deduction method takes points off per occurrence: use it for lower-is-better or qualitative indicators.",
        score, Method.DEDUCTION, direction=direction, actual=D("1"),
    )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (DeductionParams(points_per_occurrence=D("0")), "points_per_occurrence", "The points per occurrence must be above 0."),
        (DeductionParams(full=D("121")), "full", "The full score must be above 0 and at most 120."),
        (DeductionParams(floor=D("-1")), "floor", "The floor cannot be negative."),
        (DeductionParams(floor=D("100")), "floor", "The floor must be below the full score."),
    ],
)
def test_deduction_params_are_validated(params, field, message):
    raises_scoring_error(field, message, params.validate)


@st.composite
def deduction_params(draw):
    full = draw(scores.filter(lambda s: s > 0))
    floor = draw(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=D("0"), max_value=full - D("0.01")))
    points = draw(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=D("0.01"), max_value=D("50")))
    return DeductionParams(points_per_occurrence=points, full=full, floor=floor)


@given(params=deduction_params(), occurrences=st.integers(min_value=0, max_value=10_000))
def test_deduction_never_goes_below_the_floor_nor_above_full(params, occurrences):
    result = score_deduction(params, direction=LOWER, actual=occurrences)
    assert finish(params.floor) <= result.score <= finish(params.full)
    assert result.score == finish(max(params.floor, params.full - params.points_per_occurrence * occurrences))


@given(params=deduction_params(), first=st.integers(min_value=0, max_value=10_000), second=st.integers(min_value=0, max_value=10_000))
def test_deduction_never_raises_the_score_for_more_occurrences(params, first, second):
    fewer, more = sorted([first, second])
    assert (
        score_deduction(params, direction=LOWER, actual=more).score
        <= score_deduction(params, direction=LOWER, actual=fewer).score
    )


# --- description -----------------------------------------------------------------------


def test_seven_level_scale_follows_seed_001():
    assert [(level.value, level.label_en, level.label_zh) for level in SEVEN_LEVEL_SCALE] == [
        (7, "very good", "很好"),
        (6, "good", "好"),
        (5, "fairly good", "较好"),
        (4, "average", "一般"),
        (3, "fairly poor", "较差"),
        (2, "poor", "差"),
        (1, "very poor", "很差"),
    ]


@pytest.mark.parametrize(
    ("level", "expected"),
    [(7, "100.00"), (6, "85.71"), (5, "71.43"), (4, "57.14"), (3, "42.86"), (2, "28.57"), (1, "14.29")],
)
def test_one_rating_scores_its_level_scaled_to_100(level, expected):
    assert str(score(Method.DESCRIPTION, direction=QUALITATIVE, ratings=[Rating(level)]).score) == expected


def test_description_averages_unrounded_level_scores():
    # (100 + 71.428571...) / 2 = 85.714..., not (100 + 71.43) / 2 = 85.715 -> 85.72
    result = score(Method.DESCRIPTION, direction=QUALITATIVE, ratings=[(7, 1), (5, 1)])
    assert result.score == D("85.71")
    assert result.actual == D("6")


def test_description_weights_the_ratings():
    # (3 x 100 + 1 x 14.2857...) / 4 = 78.571...
    ratings = [Rating(7, D("3")), Rating(1, D("1"))]
    assert score_description(DescriptionParams(), direction=QUALITATIVE, ratings=ratings).score == D("78.57")


def test_description_accepts_bare_levels_as_ratings_of_weight_one():
    assert score(Method.DESCRIPTION, direction=QUALITATIVE, ratings=[7, 5]).score == D("85.71")


def test_description_accepts_level_and_weight_pairs_as_an_api_sends_them():
    ratings = [[D("7"), D("1")], [D("5.0"), D("1")]]
    assert score(Method.DESCRIPTION, direction=QUALITATIVE, ratings=ratings).score == D("85.71")


def test_description_refuses_a_rated_level_between_levels():
    raises_scoring_error(
        "ratings", "Choose one of the levels.", score, Method.DESCRIPTION, direction=QUALITATIVE, ratings=[(D("6.5"), 1)]
    )


def test_description_takes_a_whole_actual_as_one_rating():
    assert score(Method.DESCRIPTION, direction=QUALITATIVE, actual=D("4")).score == D("57.14")


def test_description_refuses_an_actual_between_levels():
    raises_scoring_error("actual", "Choose one of the levels.", score, Method.DESCRIPTION, direction=QUALITATIVE, actual=D("4.5"))


def test_description_refuses_an_unknown_level():
    raises_scoring_error(
        "ratings", "Unknown level 8; the levels are 7, 6, 5, 4, 3, 2, 1.",
        score, Method.DESCRIPTION, direction=QUALITATIVE, ratings=[Rating(8)],
    )


def test_description_refuses_ratings_whose_weights_add_up_to_zero():
    raises_scoring_error(
        "ratings", "The ratings' weights add up to 0.",
        score, Method.DESCRIPTION, direction=QUALITATIVE, ratings=[Rating(7, D("0")), Rating(5, D("0"))],
    )


def test_description_refuses_a_negative_weight():
    raises_scoring_error(
        "ratings", "A rating's weight cannot be negative.",
        score, Method.DESCRIPTION, direction=QUALITATIVE, ratings=[Rating(7, D("2")), Rating(5, D("-1"))],
    )


def test_description_needs_a_rating():
    raises_scoring_error("ratings", "At least one rating is required.", score, Method.DESCRIPTION, direction=QUALITATIVE)
    raises_scoring_error("ratings", "At least one rating is required.", score, Method.DESCRIPTION, direction=QUALITATIVE, ratings=[])


def test_rating_refuses_a_float_weight():
    with pytest.raises(TypeError):
        Rating(7, 0.5)


def test_description_uses_custom_levels():
    params = params_from_dict(
        Method.DESCRIPTION,
        {"levels": [
            {"value": 3, "label_en": "met", "label_zh": "达标", "score": "100"},
            {"value": 2, "label_en": "partly", "label_zh": "部分", "score": "60"},
            {"value": 1, "label_en": "not met", "label_zh": "未达标", "score": "0"},
        ]},
    )
    assert score(Method.DESCRIPTION, params, direction=QUALITATIVE, ratings=[3, 2, 2]).score == D("73.33")


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ((), "Add at least one level."),
        ((Level(1, "a", "甲", D("10")), Level(1, "b", "乙", D("20"))), "Level 1 appears more than once."),
        ((Level(1, "a", "甲", D("100.01")),), "Level 1: the score must be between 0 and 100."),
        ((Level(1, "a", "甲", D("-1")),), "Level 1: the score must be between 0 and 100."),
    ],
)
def test_description_params_are_validated(levels, message):
    raises_scoring_error("levels", message, DescriptionParams(levels=levels).validate)


def test_description_params_refuse_a_level_value_that_is_not_whole():
    raises_scoring_error(
        "levels", "Enter a whole number.",
        params_from_dict, Method.DESCRIPTION, {"levels": [{"value": "1.5", "score": "10"}]},
    )


def test_description_params_keep_the_seven_level_scale_exact_through_json():
    params = default_params(Method.DESCRIPTION)
    assert params_from_dict(Method.DESCRIPTION, params.to_dict()) == params


@given(
    ratings=st.lists(
        st.tuples(st.integers(min_value=1, max_value=7), weights.filter(lambda w: w > 0)), min_size=1, max_size=12
    )
)
def test_description_average_lies_between_the_lowest_and_highest_rater(ratings):
    result = score(Method.DESCRIPTION, direction=QUALITATIVE, ratings=ratings)
    by_value = {level.value: level.score for level in SEVEN_LEVEL_SCALE}
    chosen = [by_value[level] for level, _ in ratings]
    assert finish(min(chosen)) <= result.score <= finish(max(chosen))
    assert min(level for level, _ in ratings) <= result.actual <= max(level for level, _ in ratings)


@given(
    ratings=st.lists(st.tuples(st.integers(min_value=1, max_value=7), weights.filter(lambda w: w > 0)), min_size=1, max_size=8),
    factor=st.integers(min_value=1, max_value=1000),
)
def test_description_score_does_not_change_when_every_weight_is_multiplied(ratings, factor):
    scaled = [(level, weight * factor) for level, weight in ratings]
    assert (
        score(Method.DESCRIPTION, direction=QUALITATIVE, ratings=ratings).score
        == score(Method.DESCRIPTION, direction=QUALITATIVE, ratings=scaled).score
    )


@given(first=st.integers(min_value=1, max_value=7), second=st.integers(min_value=1, max_value=7))
def test_description_never_lowers_the_score_for_a_better_level(first, second):
    low, high = sorted([first, second])
    assert (
        score(Method.DESCRIPTION, direction=QUALITATIVE, ratings=[low]).score
        <= score(Method.DESCRIPTION, direction=QUALITATIVE, ratings=[high]).score
    )


# --- the dispatcher and stored parameters ------------------------------------------------


@pytest.mark.parametrize("method", list(Method))
def test_default_params_of_every_method_are_valid(method):
    params = default_params(method)
    assert params.validate() is params


@pytest.mark.parametrize("method", list(Method))
def test_an_empty_stored_dict_means_the_default_params(method):
    assert params_from_dict(method, {}) == default_params(method)
    assert params_from_dict(method, None) == default_params(method)


@pytest.mark.parametrize(
    ("method", "params"),
    [
        (Method.PERCENTAGE, PercentageParams(cap=D("110.5"), floor=D("10"), zero_below=D("60"))),
        (Method.INTERVAL, ERROR_BANDS),
        (Method.ZERO_ONE, ZeroOneParams(full=D("90"))),
        (Method.DEDUCTION, DeductionParams(points_per_occurrence=D("2.5"), full=D("100"), floor=D("20"))),
        (Method.DESCRIPTION, DescriptionParams(levels=(Level(2, "yes", "是", D("100")), Level(1, "no", "否", D("0"))))),
    ],
)
def test_params_survive_a_round_trip_through_json(method, params):
    data = params.to_dict()
    assert all(not isinstance(value, float) for value in data.values())
    assert params_from_dict(method, data) == params


def test_stored_numbers_are_strings():
    assert PercentageParams().to_dict() == {"cap": "120", "floor": "0", "zero_below": None}


def test_stored_params_fill_missing_keys_with_defaults():
    assert params_from_dict(Method.PERCENTAGE, {"cap": "150"}) == PercentageParams(cap=D("150"))


def test_stored_params_refuse_an_unknown_key():
    raises_scoring_error(NON_FIELD, "Unknown scoring parameter “ceiling”.", params_from_dict, Method.PERCENTAGE, {"ceiling": "1"})


def test_stored_params_refuse_a_value_that_is_not_a_number():
    raises_scoring_error("cap", "Enter a number.", params_from_dict, Method.PERCENTAGE, {"cap": "lots"})


def test_stored_params_refuse_a_float():
    raises_scoring_error(
        "cap", 'Write the number as text, e.g. "120", not as a floating-point number.',
        params_from_dict, Method.PERCENTAGE, {"cap": 120.0},
    )


def test_stored_params_must_be_a_mapping():
    raises_scoring_error(
        NON_FIELD, "The scoring parameters must be a set of named values.", params_from_dict, Method.ZERO_ONE, ["100"]
    )


def test_validate_params_returns_the_parsed_params():
    assert validate_params(Method.ZERO_ONE, {"full": "90"}) == ZeroOneParams(full=D("90"))


def test_validate_params_reports_the_field_in_error():
    raises_scoring_error("floor", "The floor must be below the cap.", validate_params, Method.PERCENTAGE, {"cap": "50", "floor": "60"})


def test_validate_params_checks_the_fit_with_the_direction():
    with pytest.raises(ScoringError) as caught:
        validate_params(Method.PERCENTAGE, {}, direction=QUALITATIVE)
    assert caught.value.field == "direction"


def test_check_direction_accepts_description_for_any_direction():
    for direction in Direction:
        check_direction(Method.DESCRIPTION, direction)


def test_score_refuses_an_unknown_method():
    raises_scoring_error("method", "Unknown scoring method “ranking”.", score, "ranking", direction=HIGHER, actual=D("1"))


def test_score_refuses_an_unknown_direction():
    raises_scoring_error(
        "direction", "Unknown direction “sideways”.", score, Method.PERCENTAGE, direction="sideways", actual=D("1"), target=D("1")
    )


def test_score_accepts_plain_strings_for_method_and_direction():
    assert score("percentage", direction="higher_better", actual=D("95"), target=D("100")).score == D("95.00")


def test_score_refuses_params_of_another_method():
    with pytest.raises(TypeError):
        score(Method.PERCENTAGE, ZeroOneParams(), direction=HIGHER, actual=D("1"), target=D("1"))


def test_score_validates_the_params_it_is_given():
    raises_scoring_error(
        "floor", "The floor must be below the cap.",
        score, Method.PERCENTAGE, PercentageParams(cap=D("10"), floor=D("20")), direction=HIGHER, actual=D("1"), target=D("1"),
    )


def test_scoring_error_keeps_a_template_and_params_for_translation():
    error = raises_scoring_error(
        "ratings", "Unknown level 9; the levels are 7, 6, 5, 4, 3, 2, 1.",
        score, Method.DESCRIPTION, direction=QUALITATIVE, ratings=[9],
    )
    assert error.template == "Unknown level %(level)s; the levels are %(levels)s."
    assert error.template % error.params == error.message
    assert isinstance(error, ValueError)


def test_scoring_enums_mirror_the_model_choices():
    from indicators import models

    assert {str(item) for item in Method} == set(models.ScoringMethod.values)
    assert {str(item) for item in Direction} == set(models.Direction.values)


# --- weighted total --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "policy", "expected"),
    [
        ([("60", "80"), ("40", "90")], EXCLUDE, "84.00"),
        ([("50", "80"), ("30", None), ("20", "90")], EXCLUDE, "82.86"),  # (4000 + 1800) / 70
        ([("50", "80"), ("30", None), ("20", "90")], ZERO, "58.00"),  # (4000 + 1800) / 100
        ([("1", "80"), ("1", "90")], EXCLUDE, "85.00"),  # weights need not add up to 100
        ([("1", "100"), ("2", "0")], EXCLUDE, "33.33"),
        ([("50", "120"), ("50", "100")], EXCLUDE, "110.00"),
        ([("60", None), ("40", None)], ZERO, "0.00"),
    ],
)
def test_weighted_total_matches_hand_computed_values(lines, policy, expected):
    parsed = [(D(weight), None if points is None else D(points)) for weight, points in lines]
    assert str(weighted_total(parsed, policy)) == expected


def test_weighted_total_refuses_when_every_line_is_not_applicable_and_excluded():
    raises_scoring_error(
        NON_FIELD, "Every weighted line is not applicable; there is nothing to score.",
        weighted_total, [(D("60"), None), (D("40"), None)], EXCLUDE,
    )


def test_weighted_total_refuses_when_the_only_applicable_lines_weigh_nothing():
    with pytest.raises(ScoringError):
        weighted_total([(D("0"), D("50")), (D("100"), None)], EXCLUDE)


def test_weighted_total_refuses_a_negative_weight():
    raises_scoring_error("weight", "A weight cannot be negative.", weighted_total, [(D("-1"), D("50")), (D("2"), D("50"))], ZERO)


def test_weighted_total_refuses_a_negative_score():
    raises_scoring_error("score", "A score cannot be negative.", weighted_total, [(D("1"), D("-50"))], ZERO)


def test_weighted_total_refuses_weights_adding_up_to_zero():
    raises_scoring_error("weight", "The weights add up to 0.", weighted_total, [(D("0"), D("50"))], ZERO)


def test_weighted_total_refuses_no_lines():
    raises_scoring_error(NON_FIELD, "There are no lines to add up.", weighted_total, [], ZERO)


def test_weighted_total_refuses_an_unknown_policy():
    raises_scoring_error("policy", "Unknown not-applicable policy “ignore”.", weighted_total, [(D("1"), D("1"))], "ignore")


def test_weighted_total_refuses_a_float_weight():
    with pytest.raises(TypeError):
        weighted_total([(0.5, D("50"))], ZERO)


lines = st.lists(st.tuples(weights, st.none() | scores), min_size=1, max_size=10)


@given(lines=lines, policy=st.sampled_from(list(NotApplicablePolicy)))
def test_weighted_total_stays_between_zero_and_the_highest_score(lines, policy):
    counted = [(w, s) for w, s in lines if s is not None and w > 0]
    assume(sum(w for w, _ in lines) > 0)
    assume(policy is ZERO or counted)
    total = weighted_total(lines, policy)
    highest = max((s for _, s in counted), default=D("0"))
    assert D("0") <= total <= finish(highest)


@given(lines=lines)
def test_weighted_total_excluding_equals_the_weighted_mean_of_applicable_lines(lines):
    counted = [(w, s) for w, s in lines if s is not None]
    assume(sum(w for w, _ in counted) > 0)
    with localcontext() as context:
        context.prec = 34
        expected = finish(sum(w * s for w, s in counted) / sum(w for w, _ in counted))
    assert weighted_total(lines, EXCLUDE) == expected


@given(lines=lines)
def test_weighted_total_scoring_not_applicable_as_zero_never_exceeds_excluding_it(lines):
    assume(sum(w for w, s in lines if s is not None) > 0)
    assert weighted_total(lines, ZERO) <= weighted_total(lines, EXCLUDE)


@given(lines=st.lists(st.tuples(weights, scores), min_size=1, max_size=10))
def test_weighted_total_policies_agree_when_every_line_applies(lines):
    assume(sum(w for w, _ in lines) > 0)
    assert weighted_total(lines, ZERO) == weighted_total(lines, EXCLUDE)
