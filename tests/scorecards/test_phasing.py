from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecards.phasing import (
    Aggregation,
    PhasingError,
    PhasingMethod,
    phase,
    quarters,
    reconcile,
    validate_profile,
)

D = Decimal
SUM, AVERAGE, LAST = Aggregation.SUM, Aggregation.AVERAGE, Aggregation.LAST
EVEN, PROFILE, MANUAL = PhasingMethod.EVEN, PhasingMethod.PROFILE, PhasingMethod.MANUAL
# The sales department's seasonality: slow winter, a year-end peak. Cumulative shares:
# 5, 10, 17, 25, 33, 42, 51, 59, 67, 76, 86, 100.
SALES = tuple(D(share) for share in (5, 5, 7, 8, 8, 9, 9, 8, 8, 9, 10, 14))


def ds(*values):
    return tuple(D(str(value)) for value in values)


def refusal(call, *args, **kwargs):
    with pytest.raises(PhasingError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- choices ---------------------------------------------------------------------------


def test_aggregation_and_method_values_are_the_stored_strings():
    assert [a.value for a in Aggregation] == ["sum", "average", "last"]
    assert [m.value for m in PhasingMethod] == ["even", "profile", "manual"]


def test_phase_accepts_the_stored_strings_of_the_choices():
    assert phase(D(1200), "sum", "even") == phase(D(1200), SUM, EVEN)


def test_an_unknown_aggregation_is_refused():
    error = refusal(phase, D(1200), "median", EVEN)
    assert error.field == "aggregation"
    assert error.message == "Unknown choice “median”."


# --- SUM -------------------------------------------------------------------------------


def test_sum_even_splits_a_round_annual_target_exactly():
    assert phase(D(1200), SUM, EVEN) == ds(*[100] * 12)


def test_sum_even_gives_the_missing_cents_to_the_last_months():
    # 1000 / 12 = 83.333...: twelve 83.33 make 999.96; the 4 missing cents go, on a tie, to
    # the later months.
    assert phase(D(1000), SUM, EVEN) == ds(*["83.33"] * 8, *["83.34"] * 4)


def test_sum_even_splits_a_planned_loss():
    assert phase(D(-1000), SUM, EVEN) == ds(*["-83.33"] * 8, *["-83.34"] * 4)


def test_sum_profile_follows_the_seasonality():
    assert phase(D(1200000), SUM, PROFILE, profile=SALES) == ds(
        60000,
        60000,
        84000,
        96000,
        96000,
        108000,
        108000,
        96000,
        96000,
        108000,
        120000,
        168000,
    )


def test_sum_profile_gives_the_missing_cents_to_the_months_that_lost_the_most():
    # 333.33 x share: 5% 16.6665, 7% 23.3331, 8% 26.6664, 9% 29.9997, 10% 33.333, 14% 46.6662.
    # Rounded down they make 333.25; the 8 missing cents go to the 9% months (0.0097 lost:
    # Jun, Jul, Oct), the 5% months (0.0065: Jan, Feb) and three of the four 8% months
    # (0.0064; on the tie the later ones: Sep, Aug, May), so April stays at 26.66.
    assert phase(D("333.33"), SUM, PROFILE, profile=SALES) == ds(
        "16.67",
        "16.67",
        "23.33",
        "26.66",
        "26.67",
        "30.00",
        "30.00",
        "26.67",
        "26.67",
        "30.00",
        "33.33",
        "46.66",
    )


def test_sum_profile_never_turns_a_tiny_share_negative():
    # 10 x 9.09% = 0.909 eleven times and 10 x 0.01% = 0.001. Rounded down they make 9.90;
    # the 10 missing cents go to ten of the eleven tied months (the later ones), and December
    # stays at 0.00 (absorbing the difference in December would give -0.01).
    profile = ds(*["9.09"] * 11, "0.01")
    assert phase(D(10), SUM, PROFILE, profile=profile) == ds("0.90", *["0.91"] * 10, 0)


def test_sum_profile_leaves_months_with_a_zero_share_at_zero():
    # 100.01 x 10% = 10.001 -> 10.00; the missing cent goes to October, the last month that
    # lost 0.001 (November and December lost nothing).
    profile = ds(*[10] * 10, 0, 0)
    assert phase(D("100.01"), SUM, PROFILE, profile=profile) == ds(
        *[10] * 9, "10.01", 0, 0
    )


def test_sum_months_are_rounded_to_two_places():
    assert all(month.as_tuple().exponent == -2 for month in phase(D(1000), SUM, EVEN))


# --- AVERAGE ---------------------------------------------------------------------------


def test_average_even_repeats_the_annual_rate_every_month():
    assert phase(D(95), AVERAGE, EVEN) == ds(*[95] * 12)


def test_average_even_repeats_a_rate_with_decimals():
    assert phase(D("97.5"), AVERAGE, EVEN) == ds(*["97.50"] * 12)


def test_average_profile_scales_the_rate_by_twelve_times_the_share():
    # 90 x share x 12 / 100 = 10.8 x share.
    assert phase(D(90), AVERAGE, PROFILE, profile=SALES) == ds(
        "54.0",
        "54.0",
        "75.6",
        "86.4",
        "86.4",
        "97.2",
        "97.2",
        "86.4",
        "86.4",
        "97.2",
        "108.0",
        "151.2",
    )


def test_average_profile_rounds_so_that_the_mean_is_the_annual_rate():
    # 95.5 x 8.33 x 0.12 = 95.4618 eleven times and 95.5 x 8.37 x 0.12 = 95.9202; rounded down
    # they make 1145.98, 2 cents short of 12 x 95.5 = 1146: October and November (the later
    # of the months that lost 0.0018) get them.
    profile = ds(*["8.33"] * 11, "8.37")
    assert phase(D("95.5"), AVERAGE, PROFILE, profile=profile) == ds(
        *["95.46"] * 9, "95.47", "95.47", "95.92"
    )


def test_average_refuses_a_starting_level():
    error = refusal(phase, D(95), AVERAGE, EVEN, start=D(90))
    assert error.field == "start"
    assert (
        error.message
        == "A starting level applies only to year-end (last value) targets."
    )


# --- LAST ------------------------------------------------------------------------------


def test_last_even_is_a_straight_path_from_the_start_to_the_year_end_target():
    assert phase(D(160), LAST, EVEN, start=D(100)) == ds(
        105, 110, 115, 120, 125, 130, 135, 140, 145, 150, 155, 160
    )


def test_last_even_rounds_the_path_and_ends_on_the_target():
    assert phase(D(100), LAST, EVEN, start=D(0)) == ds(
        "8.33",
        "16.67",
        "25.00",
        "33.33",
        "41.67",
        "50.00",
        "58.33",
        "66.67",
        "75.00",
        "83.33",
        "91.67",
        "100.00",
    )


def test_last_even_goes_down_to_a_lower_target():
    assert phase(D(8), LAST, EVEN, start=D(20)) == ds(
        19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8
    )


def test_last_even_starting_at_the_target_holds_the_target_every_month():
    assert phase(D(250), LAST, EVEN, start=D(250)) == ds(*[250] * 12)


def test_last_profile_follows_the_cumulative_shares():
    assert phase(D(200), LAST, PROFILE, profile=SALES, start=D(100)) == ds(
        105, 110, 117, 125, 133, 142, 151, 159, 167, 176, 186, 200
    )


def test_last_needs_the_level_at_the_beginning_of_the_year():
    error = refusal(phase, D(160), LAST, EVEN)
    assert error.field == "start"
    assert (
        error.message
        == "Enter the level at the beginning of the year to phase a year-end target."
    )


def test_last_refuses_a_start_with_more_than_two_decimal_places():
    assert refusal(phase, D(160), LAST, EVEN, start=D("100.001")).field == "start"


# --- method and input checks -----------------------------------------------------------


def test_manual_targets_are_not_computed():
    error = refusal(phase, D(1000), SUM, MANUAL)
    assert error.field == "method"
    assert error.message == "Manual targets are entered month by month, not computed."


def test_profile_phasing_needs_a_profile():
    assert refusal(phase, D(1000), SUM, PROFILE).field == "profile"


def test_even_phasing_refuses_a_profile():
    error = refusal(phase, D(1000), SUM, EVEN, profile=SALES)
    assert error.field == "profile"
    assert error.message == "An even phasing does not use a profile."


def test_phase_refuses_an_annual_target_with_more_than_two_decimal_places():
    error = refusal(phase, D("1000.005"), SUM, EVEN)
    assert error.field == "annual"
    assert error.message == "Enter a number with at most two decimal places."


def test_phase_refuses_a_float_annual_target():
    with pytest.raises(TypeError):
        phase(1000.0, SUM, EVEN)


def test_phase_refuses_an_infinite_annual_target():
    assert refusal(phase, D("Infinity"), SUM, EVEN).message == "Enter a finite number."


def test_phase_refuses_a_huge_annual_target():
    assert refusal(phase, D("1E15"), SUM, EVEN).message == "This number is too large."


def test_phase_accepts_an_int_annual_target():
    assert phase(1200, SUM, EVEN) == ds(*[100] * 12)


def test_phase_works_whatever_the_callers_decimal_context():
    with localcontext() as context:
        context.prec = 3
        assert phase(D("1000"), SUM, EVEN) == ds(*["83.33"] * 8, *["83.34"] * 4)


# --- profile validation ----------------------------------------------------------------


def test_a_profile_adding_up_to_100_is_valid():
    assert validate_profile(SALES) is None


def test_a_profile_with_decimal_shares_adding_up_to_100_is_valid():
    assert validate_profile(ds(*["8.33"] * 11, "8.37")) is None


def test_a_profile_needs_twelve_shares():
    error = refusal(validate_profile, SALES[:11])
    assert error.field == "profile"
    assert error.message == "A profile has 12 monthly shares; this one has 11."


def test_a_profile_share_cannot_be_negative():
    error = refusal(validate_profile, ds(-5, 15, *SALES[2:]))
    assert error.message == "The share of month 1 cannot be negative."
    assert error.month == 1


def test_a_profile_must_add_up_to_exactly_100():
    error = refusal(validate_profile, ds(*[8] * 12))
    assert error.message == "The monthly shares must add up to 100; they add up to 96."
    assert (
        error.template
        == "The monthly shares must add up to 100; they add up to %(total)s."
    )
    assert error.params == {"total": "96"}


def test_a_profile_of_repeating_thirds_does_not_add_up_to_100():
    error = refusal(validate_profile, ds(*["8.333"] * 12))
    assert (
        error.message == "The monthly shares must add up to 100; they add up to 99.996."
    )


def test_a_profile_refuses_float_shares():
    with pytest.raises(TypeError):
        validate_profile([100 / 12] * 12)


def test_a_profile_refuses_a_string():
    with pytest.raises(TypeError):
        validate_profile("5,5,7,8,8,9,9,8,8,9,10,14")


def test_phase_checks_the_profile():
    assert (
        refusal(phase, D(1000), SUM, PROFILE, profile=ds(*[8] * 12)).field == "profile"
    )


# --- quarters --------------------------------------------------------------------------


def test_sum_quarters_add_their_three_months():
    months = phase(D(1200000), SUM, PROFILE, profile=SALES)
    assert quarters(months, SUM) == ds(204000, 300000, 300000, 396000)


def test_average_quarters_take_the_mean_of_their_three_months():
    months = phase(D(90), AVERAGE, PROFILE, profile=SALES)
    assert quarters(months, AVERAGE) == ds("61.2", 90, 90, "118.8")


def test_average_quarters_are_rounded_to_two_places():
    assert quarters(ds(1, 1, 2, 1, 2, 2, 0, 0, 0, 0, 0, 0), AVERAGE) == ds(
        "1.33", "1.67", 0, 0
    )


def test_last_quarters_take_the_last_month_of_the_quarter():
    months = phase(D(200), LAST, PROFILE, profile=SALES, start=D(100))
    assert quarters(months, LAST) == ds(117, 142, 167, 200)


def test_quarters_need_twelve_months():
    error = refusal(quarters, ds(*[1] * 11), SUM)
    assert error.field == "months"
    assert error.message == "Give 12 monthly values; there are 11."


# --- reconcile -------------------------------------------------------------------------


def test_reconcile_is_zero_for_phased_sum_months():
    assert reconcile(D(1000), phase(D(1000), SUM, EVEN), SUM) == 0


def test_reconcile_gives_the_shortfall_of_manual_sum_months():
    assert reconcile(D(1000), ds(*[80] * 12), SUM) == D(-40)


def test_reconcile_gives_the_excess_of_manual_sum_months():
    assert reconcile(D(1000), ds(*[80] * 11, "160.50"), SUM) == D("40.50")


def test_reconcile_gives_the_difference_of_the_mean_for_average_months():
    assert reconcile(D(95), ds(*[94] * 6, *[97] * 6), AVERAGE) == D("0.5")


def test_reconcile_does_not_round_away_a_small_difference_of_the_mean():
    difference = reconcile(D(95), ds(*[95] * 11, "95.01"), AVERAGE)
    assert difference != 0
    assert difference.quantize(D("0.000001")) == D("0.000833")


def test_reconcile_compares_december_for_last_months():
    assert reconcile(D(160), ds(*[150] * 12), LAST) == D(-10)


def test_reconcile_ignores_the_path_before_december_for_last_months():
    assert reconcile(D(160), ds(*[0] * 11, 160), LAST) == 0


def test_reconcile_needs_twelve_months():
    assert refusal(reconcile, D(1000), ds(*[1] * 13), SUM).field == "months"


def test_reconcile_marks_the_month_of_an_infinite_value():
    error = refusal(reconcile, D(1000), ds(*[1] * 4, "NaN", *[1] * 7), SUM)
    assert error.month == 5


def test_reconcile_refuses_float_months():
    with pytest.raises(TypeError):
        reconcile(D(1000), [83.33] * 12, SUM)


# --- properties ------------------------------------------------------------------------

annuals = st.decimals(
    min_value=D("-1E9"),
    max_value=D("1E9"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@st.composite
def profiles(draw):
    """12 non-negative shares in hundredths of a percent adding up to exactly 100."""
    cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=11, max_size=11)))
    bounds = [0, *cuts, 10000]
    return tuple(D(bounds[i + 1] - bounds[i]) / 100 for i in range(12))


@given(annuals, st.one_of(st.none(), profiles()))
def test_sum_months_always_add_up_exactly_to_the_annual(annual, profile):
    method = EVEN if profile is None else PROFILE
    assert sum(phase(annual, SUM, method, profile=profile)) == annual


@given(annuals, st.sampled_from([SUM, AVERAGE]), profiles())
def test_profile_months_are_always_within_a_cent_of_their_exact_share(
    annual, aggregation, profile
):
    factor = 1 if aggregation is SUM else 12
    months = phase(annual, aggregation, PROFILE, profile=profile)
    assert all(
        abs(month - annual * share * factor / 100) < D("0.01")
        for month, share in zip(months, profile)
    )


@given(annuals, st.one_of(st.none(), profiles()))
def test_average_months_always_have_the_annual_as_their_mean(annual, profile):
    method = EVEN if profile is None else PROFILE
    assert sum(phase(annual, AVERAGE, method, profile=profile)) == annual * 12


@given(annuals, annuals, st.one_of(st.none(), profiles()))
def test_last_december_always_equals_the_annual(annual, start, profile):
    method = EVEN if profile is None else PROFILE
    assert phase(annual, LAST, method, profile=profile, start=start)[-1] == annual


@given(annuals, annuals, st.one_of(st.none(), profiles()))
def test_last_path_always_stays_between_the_start_and_the_target(
    annual, start, profile
):
    method = EVEN if profile is None else PROFILE
    low, high = min(annual, start), max(annual, start)
    assert all(
        low <= month <= high
        for month in phase(annual, LAST, method, profile=profile, start=start)
    )


@given(
    annuals,
    annuals,
    st.sampled_from(list(Aggregation)),
    st.one_of(st.none(), profiles()),
)
def test_phased_months_always_reconcile(annual, start, aggregation, profile):
    method = EVEN if profile is None else PROFILE
    months = phase(
        annual,
        aggregation,
        method,
        profile=profile,
        start=start if aggregation is LAST else None,
    )
    assert len(months) == 12
    assert all(month == month.quantize(D("0.01")) for month in months)
    assert reconcile(annual, months, aggregation) == 0


@given(
    st.decimals(min_value=0, max_value=D("1E9"), places=2),
    st.sampled_from([SUM, AVERAGE]),
    profiles(),
)
def test_profile_months_are_never_negative_for_a_non_negative_annual(
    annual, aggregation, profile
):
    months = phase(annual, aggregation, PROFILE, profile=profile)
    assert all(month >= 0 for month in months)
    assert all(month == 0 for month, share in zip(months, profile) if share == 0)


@given(annuals, st.one_of(st.none(), profiles()))
def test_sum_quarters_always_add_up_to_the_annual(annual, profile):
    method = EVEN if profile is None else PROFILE
    assert sum(quarters(phase(annual, SUM, method, profile=profile), SUM)) == annual
