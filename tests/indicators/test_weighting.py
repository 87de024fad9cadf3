import math
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.weighting import (
    INDUSTRY_LABELS,
    NON_FIELD,
    PERSPECTIVE_CODES,
    SUGGESTED_PERSPECTIVE_WEIGHTS,
    AhpResult,
    ItemSummary,
    WeightingError,
    ahp,
    combine_ahp,
    combine_allocations,
    outliers,
    pairwise_from_upper,
    validate_allocation,
    validate_pairwise,
)

D = Decimal
ITEMS = ["financial", "customer", "internal_process", "learning_growth"]
VALID = {"financial": D(40), "customer": D(30), "internal_process": D(20), "learning_growth": D(10)}


def refusal(call, *args):
    with pytest.raises(WeightingError) as caught:
        call(*args)
    return caught.value


def matrix_from_weights(weights):
    """a_ij = w_i / w_j: a perfectly consistent matrix with these priorities."""
    n = len(weights)
    return pairwise_from_upper({(i, j): weights[i] / weights[j] for i in range(n) for j in range(i + 1, n)}, n)


def float_ahp(matrix):
    """Independent float computation: row geometric means, lambda_max, CI."""
    n = len(matrix)
    means = [math.prod(row) ** (1 / n) for row in matrix]
    weights = [mean / sum(means) for mean in means]
    products = [sum(a * w for a, w in zip(row, weights, strict=True)) for row in matrix]
    lambda_max = sum(p / w for p, w in zip(products, weights, strict=True)) / n
    return weights, lambda_max, (lambda_max - n) / (n - 1)


# --- point allocation: validation ------------------------------------------------------


def test_a_complete_allocation_of_100_points_is_valid():
    assert validate_allocation(VALID, ITEMS) is None


def test_an_item_may_get_zero_points():
    validate_allocation({**VALID, "financial": D(50), "learning_growth": D(0)}, ITEMS)


def test_fractional_points_adding_up_to_100_are_valid():
    validate_allocation({"a": D("33.34"), "b": D("33.33"), "c": D("33.33")}, ["a", "b", "c"])


def test_int_points_are_accepted():
    validate_allocation({"a": 60, "b": 40}, ["a", "b"])


def test_a_missing_item_is_refused_on_that_item():
    points = dict(VALID)
    del points["customer"]
    error = refusal(validate_allocation, points, ITEMS)
    assert error.field == "customer"
    assert error.message == "Give points to every item: customer is missing."


def test_an_unknown_item_is_refused_on_that_item():
    error = refusal(validate_allocation, {**VALID, "ethics": D(0)}, ITEMS)
    assert error.field == "ethics"
    assert error.message == "ethics is not one of the items being weighed."


def test_negative_points_are_refused_on_that_item():
    points = {**VALID, "financial": D(80), "learning_growth": D(-30)}
    error = refusal(validate_allocation, points, ITEMS)
    assert error.field == "learning_growth"
    assert error.message == "Points cannot be negative."


def test_points_that_do_not_add_up_to_100_are_refused_with_the_total():
    error = refusal(validate_allocation, {**VALID, "financial": D("39.5")}, ITEMS)
    assert error.field == NON_FIELD
    assert error.message == "The points must add up to 100; they add up to 99.5."


def test_points_adding_up_to_more_than_100_are_refused():
    error = refusal(validate_allocation, {**VALID, "financial": D(41)}, ITEMS)
    assert error.message == "The points must add up to 100; they add up to 101."


def test_points_that_are_not_a_number_are_refused():
    error = refusal(validate_allocation, {**VALID, "financial": D("NaN")}, ITEMS)
    assert error.field == "financial"
    assert error.message == "Points must be a number."


def test_an_empty_item_list_is_refused():
    error = refusal(validate_allocation, {}, [])
    assert error.field == NON_FIELD
    assert error.message == "There is nothing to weigh."


def test_float_points_raise_type_error():
    with pytest.raises(TypeError, match="float"):
        validate_allocation({**VALID, "financial": 40.0}, ITEMS)


def test_string_points_raise_type_error():
    with pytest.raises(TypeError):
        validate_allocation({**VALID, "financial": "40"}, ITEMS)


def test_repeated_items_are_a_programming_error():
    with pytest.raises(ValueError, match="repeat"):
        validate_allocation({"a": D(100)}, ["a", "a"])


def test_an_error_keeps_its_template_and_params_for_translation():
    error = refusal(validate_allocation, {**VALID, "financial": D(41)}, ITEMS)
    assert error.template == "The points must add up to 100; they add up to %(total)s."
    assert error.params == {"total": D(101)}
    assert str(error) == error.message


# --- point allocation: combining -------------------------------------------------------


def test_combining_needs_at_least_one_expert():
    error = refusal(combine_allocations, {}, ITEMS)
    assert error.field == NON_FIELD
    assert error.message == "At least one expert must allocate points."


def test_a_wrong_allocation_is_refused_naming_its_expert():
    error = refusal(combine_allocations, {"ann": VALID, "bob": {**VALID, "financial": D(10)}}, ITEMS)
    assert error.expert == "bob"
    assert error.field == NON_FIELD


def test_a_single_experts_allocation_is_returned_unchanged():
    points = {"financial": D("33.34"), "customer": D("33.33"), "internal_process": D("23.33"), "learning_growth": D(10)}
    summary = combine_allocations({"ann": points}, ITEMS)
    assert {item: s.mean for item, s in summary.items()} == points
    assert all(s.stdev == 0 and s.spread == 0 for s in summary.values())
    assert summary["customer"] == ItemSummary(D("33.33"), D("33.33"), D("33.33"), D("0.00"), D("0.00"))


def test_the_summary_follows_the_order_of_the_items():
    summary = combine_allocations({"ann": VALID}, list(reversed(ITEMS)))
    assert list(summary) == list(reversed(ITEMS))


def test_the_summary_of_three_experts_matches_a_hand_computation():
    # x: 50, 40, 30 -> mean 40, variance (100 + 0 + 100) / 3 = 66.67, stdev 8.16, spread 20
    # y: 30, 40, 30 -> mean 33.33, variance (11.11 + 44.44 + 11.11) / 3 = 22.22, stdev 4.71
    # z: 20, 20, 40 -> mean 26.67, variance (44.44 + 44.44 + 177.78) / 3 = 88.89, stdev 9.43
    allocations = {
        "ann": {"x": D(50), "y": D(30), "z": D(20)},
        "bob": {"x": D(40), "y": D(40), "z": D(20)},
        "cy": {"x": D(30), "y": D(30), "z": D(40)},
    }
    summary = combine_allocations(allocations, ["x", "y", "z"])
    assert summary["x"] == ItemSummary(D("40.00"), D("30.00"), D("50.00"), D("8.16"), D("20.00"))
    assert summary["y"] == ItemSummary(D("33.33"), D("30.00"), D("40.00"), D("4.71"), D("10.00"))
    assert summary["z"] == ItemSummary(D("26.67"), D("20.00"), D("40.00"), D("9.43"), D("20.00"))


def test_means_of_one_third_each_are_corrected_to_add_up_to_100():
    allocations = {
        "ann": {"x": D(100), "y": D(0), "z": D(0)},
        "bob": {"x": D(0), "y": D(100), "z": D(0)},
        "cy": {"x": D(0), "y": D(0), "z": D(100)},
    }
    means = [s.mean for s in combine_allocations(allocations, ["x", "y", "z"]).values()]
    # Equal remainders: the earlier item gets the missing hundredth.
    assert means == [D("33.34"), D("33.33"), D("33.33")]


def test_means_that_half_up_would_round_to_100_01_are_corrected():
    # Exact means 0.005, 50.005, 49.99: ROUND_HALF_UP gives 0.01 + 50.01 + 49.99 = 100.01.
    allocations = {
        "ann": {"a": D("0.01"), "b": D(50), "c": D("49.99")},
        "bob": {"a": D(0), "b": D("50.01"), "c": D("49.99")},
    }
    means = [s.mean for s in combine_allocations(allocations, ["a", "b", "c"]).values()]
    assert means == [D("0.01"), D("50.00"), D("49.99")]


def test_the_callers_decimal_context_does_not_change_the_result():
    allocations = {"ann": {"x": D(50), "y": D(50)}, "bob": {"x": D("33.3"), "y": D("66.7")}}
    expected = combine_allocations(allocations, ["x", "y"])
    with localcontext() as context:
        context.prec = 3
        assert combine_allocations(allocations, ["x", "y"]) == expected


@st.composite
def allocations(draw, max_experts=7, max_items=8, places=0):
    """k experts x n items, each expert's points non-negative and adding up to 100."""
    n = draw(st.integers(1, max_items))
    k = draw(st.integers(1, max_experts))
    scale = 10**places
    items = [f"item{i}" for i in range(n)]
    result = {}
    for expert in range(k):
        cuts = sorted(draw(st.lists(st.integers(0, 100 * scale), min_size=n - 1, max_size=n - 1)))
        bounds = [0, *cuts, 100 * scale]
        result[f"expert{expert}"] = {
            item: D(high - low) / scale for item, low, high in zip(items, bounds[:-1], bounds[1:], strict=True)
        }
    return result, items


@given(allocations())
def test_means_of_integer_allocations_add_up_to_exactly_100(case):
    data, items = case
    summary = combine_allocations(data, items)
    assert sum(s.mean for s in summary.values()) == D("100.00")
    assert all(s.mean.as_tuple().exponent == -2 for s in summary.values())


@given(allocations(places=1))
def test_means_of_fractional_allocations_add_up_to_exactly_100(case):
    data, items = case
    assert sum(s.mean for s in combine_allocations(data, items).values()) == D("100.00")


@given(allocations())
def test_each_mean_lies_within_the_experts_range_and_spread_is_max_minus_min(case):
    data, items = case
    for s in combine_allocations(data, items).values():
        assert s.minimum - D("0.01") <= s.mean <= s.maximum + D("0.01")
        assert s.spread == s.maximum - s.minimum
        assert s.stdev >= 0


# --- point allocation: outliers --------------------------------------------------------


def six_experts_one_dissenting():
    # x: five experts give 20, one gives 80 -> mean 30, variance (5 * 100 + 2500) / 6 = 500,
    # stdev 22.36, the dissenter is 50 / 22.36 = 2.24 stdevs above (the others -0.45).
    data = {f"e{i}": {"x": D(20), "y": D(80)} for i in range(1, 6)}
    data["e6"] = {"x": D(80), "y": D(20)}
    return data


def test_an_expert_far_from_the_others_is_an_outlier_on_every_item():
    assert outliers(six_experts_one_dissenting(), ["x", "y"]) == [("e6", "x", D("2.24")), ("e6", "y", D("-2.24"))]


def test_a_lower_threshold_flags_more_experts():
    found = outliers(six_experts_one_dissenting(), ["x", "y"], threshold=D("0.4"))
    assert len(found) == 12
    assert ("e1", "x", D("-0.45")) in found


def test_experts_who_agree_have_no_outliers():
    data = {f"e{i}": {"x": D(60), "y": D(40)} for i in range(8)}
    assert outliers(data, ["x", "y"]) == []


def test_a_float_threshold_raises_type_error():
    with pytest.raises(TypeError):
        outliers(six_experts_one_dissenting(), ["x", "y"], threshold=2.0)


def test_outliers_validate_the_allocations():
    error = refusal(outliers, {"ann": {"x": D(60), "y": D(60)}}, ["x", "y"])
    assert error.expert == "ann"


# --- AHP: validation -------------------------------------------------------------------

THIRD = D(1) / 3
SAATY_3 = pairwise_from_upper({(0, 1): D(3), (0, 2): D(5), (1, 2): D(3)}, 3)
CYCLE = pairwise_from_upper({(0, 1): D(5), (1, 2): D(5), (0, 2): D(1) / 5}, 3)


def test_a_reciprocal_matrix_is_valid():
    validate_pairwise([[D(1), D(3)], [THIRD, D(1)]])


def test_a_rounded_reciprocal_within_tolerance_is_valid():
    validate_pairwise([[D(1), D(3)], [D("0.333333"), D(1)]])


def test_one_ninth_written_to_seven_places_is_within_the_scale():
    validate_pairwise([[D(1), D(9)], [D("0.1111111"), D(1)]])


def test_a_matrix_that_is_not_reciprocal_is_refused():
    error = refusal(validate_pairwise, [[D(1), D(3)], [D("0.5"), D(1)]])
    assert error.field == "1,0"
    assert error.message == "Row 2, column 1 must be 1/3, the reciprocal of row 1, column 2."


def test_a_judgement_above_9_is_refused():
    error = refusal(validate_pairwise, [[D(1), D(10)], [D("0.1"), D(1)]])
    assert error.field == "0,1"
    assert error.message == "Row 1, column 2: a judgement must lie between 1/9 and 9, not 10."


def test_a_judgement_below_one_ninth_is_refused():
    error = refusal(validate_pairwise, [[D(1), D("0.1")], [D(10), D(1)]])
    assert error.field == "0,1"
    assert error.message == "Row 1, column 2: a judgement must lie between 1/9 and 9, not 0.1."


def test_a_zero_judgement_is_refused():
    error = refusal(validate_pairwise, [[D(1), D(0)], [D(1), D(1)]])
    assert error.field == "0,1"


def test_a_matrix_that_is_not_square_is_refused():
    error = refusal(validate_pairwise, [[D(1), D(3)], [THIRD]])
    assert error.field == NON_FIELD
    assert error.message == "The comparison matrix must be square: row 2 has 1 entries, not 2."


def test_a_diagonal_other_than_1_is_refused():
    error = refusal(validate_pairwise, [[D(1), D(3)], [THIRD, D(2)]])
    assert error.field == "1,1"
    assert error.message == "Row 2, column 2: an item compared with itself must be 1, not 2."


def test_an_empty_matrix_is_refused():
    assert refusal(validate_pairwise, []).message == "There is nothing to compare."


def test_more_than_15_items_are_refused():
    error = refusal(validate_pairwise, [[D(1)] * 16 for _ in range(16)])
    assert error.message == "At most 15 items can be compared pairwise."


def test_15_items_are_accepted():
    validate_pairwise([[D(1)] * 15 for _ in range(15)])


def test_a_float_judgement_raises_type_error():
    with pytest.raises(TypeError, match="float"):
        validate_pairwise([[D(1), 3.0], [THIRD, D(1)]])


def test_an_infinite_judgement_is_refused():
    error = refusal(validate_pairwise, [[D(1), D("Infinity")], [D(0), D(1)]])
    assert error.message == "Row 1, column 2: a judgement must be a number."


# --- AHP: building the matrix from a form ------------------------------------------------


def test_the_upper_judgements_make_a_full_reciprocal_matrix():
    matrix = pairwise_from_upper({(0, 1): D(3), (0, 2): D(5), (1, 2): D(1)}, 3)
    assert matrix[0] == (D(1), D(3), D(5))
    assert abs(matrix[1][0] - THIRD) < D("1e-27")
    assert matrix[2][0] == D("0.2") and matrix[2][1] == D(1)
    assert all(matrix[i][i] == 1 for i in range(3))


def test_a_missing_judgement_is_refused_on_its_cell():
    error = refusal(pairwise_from_upper, {(0, 1): D(3), (0, 2): D(5)}, 3)
    assert error.field == "1,2"
    assert error.message == "The comparison of item 2 with item 3 is missing."


def test_a_judgement_below_the_diagonal_is_refused():
    error = refusal(pairwise_from_upper, {(0, 1): D(3), (1, 0): D(3)}, 2)
    assert error.message == "(1, 0) is not a comparison above the diagonal of a 2 x 2 matrix."


def test_an_out_of_range_judgement_from_the_form_is_refused_on_its_cell():
    error = refusal(pairwise_from_upper, {(0, 1): D(3), (0, 2): D(12), (1, 2): D(1)}, 3)
    assert error.field == "0,2"


def test_a_single_item_needs_no_judgements():
    assert pairwise_from_upper({}, 1) == ((D(1),),)


# --- AHP: weights and consistency ------------------------------------------------------


def test_a_consistent_matrix_returns_the_weights_it_was_built_from():
    result = ahp(matrix_from_weights([D("0.5"), D("0.3"), D("0.2")]))
    assert result == AhpResult(
        weights=(D("50.00"), D("30.00"), D("20.00")),
        lambda_max=D("3.00"),
        consistency_index=D("0.00"),
        consistency_ratio=D("0.00"),
        consistent=True,
    )


def test_saatys_three_by_three_example_matches_the_known_values():
    # Priorities 0.637, 0.258, 0.105; lambda_max 3.039; CI 0.019; CR 0.019 / 0.58 = 0.033.
    result = ahp(SAATY_3)
    assert result.weights == (D("63.70"), D("25.83"), D("10.47"))
    assert (result.lambda_max, result.consistency_index, result.consistency_ratio) == (D("3.04"), D("0.02"), D("0.03"))
    assert result.consistent


def test_a_four_by_four_example_matches_an_independent_float_computation():
    upper = {(0, 1): 3, (0, 2): 7, (0, 3): 9, (1, 2): 5, (1, 3): 7, (2, 3): 3}
    floats = [[1.0] * 4 for _ in range(4)]
    for (i, j), value in upper.items():
        floats[i][j], floats[j][i] = float(value), 1 / value
    weights, lambda_max, ci = float_ahp(floats)  # 58.24, 29.03, 8.50, 4.24; 4.165; 0.055
    result = ahp(pairwise_from_upper({key: D(value) for key, value in upper.items()}, 4))
    assert all(abs(float(got) - 100 * want) <= 0.01 for got, want in zip(result.weights, weights, strict=True))
    assert abs(float(result.lambda_max) - lambda_max) <= 0.005
    assert abs(float(result.consistency_index) - ci) <= 0.005
    assert abs(float(result.consistency_ratio) - ci / 0.90) <= 0.005
    assert result.consistency_ratio == D("0.06") and result.consistent


def test_a_circular_preference_is_inconsistent():
    # 1 beats 2 strongly, 2 beats 3 strongly, 3 beats 1 strongly: lambda_max = 1 + 5 + 1/5 = 6.2,
    # CI = (6.2 - 3) / 2 = 1.6, CR = 1.6 / 0.58 = 2.76.
    result = ahp(CYCLE)
    assert (result.lambda_max, result.consistency_index, result.consistency_ratio) == (D("6.20"), D("1.60"), D("2.76"))
    assert result.consistency_ratio >= D("0.10")
    assert not result.consistent


def test_a_single_item_gets_all_the_weight():
    assert ahp([[D(1)]]) == AhpResult((D("100.00"),), D("1.00"), D("0.00"), D("0.00"), True)


def test_two_items_are_always_consistent():
    result = ahp(pairwise_from_upper({(0, 1): D(9)}, 2))
    assert result.weights == (D("90.00"), D("10.00"))
    assert result.consistency_ratio == 0 and result.consistent


def test_ahp_validates_its_matrix():
    assert refusal(ahp, [[D(1), D(3)], [D(3), D(1)]]).field == "1,0"


def test_a_rounded_reciprocal_never_shows_a_negative_zero():
    result = ahp([[D(1), D(3)], [D("0.333333"), D(1)]])
    assert str(result.consistency_index) == "0.00"


saaty_scale = st.sampled_from([D(1) / v for v in range(9, 1, -1)] + [D(v) for v in range(1, 10)])


@st.composite
def reciprocal_matrices(draw, max_size=15):
    n = draw(st.integers(1, max_size))
    upper = {(i, j): draw(saaty_scale) for i in range(n) for j in range(i + 1, n)}
    return pairwise_from_upper(upper, n)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=15))
def test_a_consistent_matrix_gives_back_its_weights_summing_to_100(raw):
    weights = [D(w) for w in raw]
    result = ahp(matrix_from_weights(weights))
    assert sum(result.weights) == D("100.00")
    total = sum(weights)
    assert all(abs(got - w / total * 100) <= D("0.01") for got, w in zip(result.weights, weights, strict=True))
    assert result.consistency_ratio == 0 and result.consistent


@settings(max_examples=60, deadline=None)
@given(reciprocal_matrices())
def test_any_valid_matrix_gives_weights_summing_to_100_and_lambda_at_least_n(matrix):
    result = ahp(matrix)
    assert sum(result.weights) == D("100.00")
    assert all(w > 0 for w in result.weights)
    assert result.lambda_max >= len(matrix) - D("0.01")
    assert result.consistent == (result.consistency_ratio < D("0.10"))


# --- AHP: combining experts ------------------------------------------------------------


def test_one_consistent_result_combines_to_its_own_weights():
    assert combine_ahp([ahp(SAATY_3)]) == (D("63.70"), D("25.83"), D("10.47"))


def test_two_experts_combine_by_normalised_geometric_mean():
    # sqrt(50 * 20) = 31.62, sqrt(30 * 30) = 30, sqrt(20 * 50) = 31.62; / 93.25 ->
    # 33.914, 32.173, 33.914 -> floors add up to 99.99; the first of the tied items gets 0.01.
    first = ahp(matrix_from_weights([D(5), D(3), D(2)]))
    second = ahp(matrix_from_weights([D(2), D(3), D(5)]))
    assert combine_ahp([first, second]) == (D("33.92"), D("32.17"), D("33.91"))


def test_combining_refuses_an_inconsistent_expert():
    error = refusal(combine_ahp, [ahp(SAATY_3), ahp(CYCLE)])
    assert error.expert == 1
    assert error.message == (
        "The comparisons are inconsistent (consistency ratio 2.76, at least 0.10); the expert must revise them."
    )


def test_combining_refuses_results_over_different_items():
    error = refusal(combine_ahp, [ahp(SAATY_3), ahp(pairwise_from_upper({(0, 1): D(2)}, 2))])
    assert error.expert == 1
    assert error.message == "Every expert must compare the same 3 items."


def test_combining_needs_at_least_one_result():
    assert refusal(combine_ahp, []).message == "At least one expert's comparison is needed."


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 10).flatmap(
        lambda n: st.lists(st.lists(st.integers(1, 9), min_size=n, max_size=n), min_size=1, max_size=6)
    )
)
def test_combined_weights_always_add_up_to_100(experts):
    results = [ahp(matrix_from_weights([D(w) for w in weights])) for weights in experts]
    assert sum(combine_ahp(results)) == D("100.00")


# --- suggested perspective weights -----------------------------------------------------


@pytest.mark.parametrize("industry", sorted(SUGGESTED_PERSPECTIVE_WEIGHTS))
def test_suggested_weights_cover_the_four_perspectives_and_add_up_to_100(industry):
    weights = SUGGESTED_PERSPECTIVE_WEIGHTS[industry]
    assert tuple(weights) == PERSPECTIVE_CODES
    assert sum(weights.values()) == 100
    assert all(isinstance(w, Decimal) and w > 0 for w in weights.values())


def test_every_industry_has_a_label():
    assert set(INDUSTRY_LABELS) == set(SUGGESTED_PERSPECTIVE_WEIGHTS)
    assert set(SUGGESTED_PERSPECTIVE_WEIGHTS) == {
        "general",
        "high_tech",
        "manufacturing",
        "financial_services",
        "retail",
        "public_service",
    }


@pytest.mark.parametrize(
    ("industry", "heaviest"),
    [("high_tech", "learning_growth"), ("manufacturing", "internal_process"), ("financial_services", "financial")],
)
def test_the_industry_leans_on_the_perspective_the_domain_names(industry, heaviest):
    weights = SUGGESTED_PERSPECTIVE_WEIGHTS[industry]
    assert max(weights, key=weights.get) == heaviest
    assert weights[heaviest] > SUGGESTED_PERSPECTIVE_WEIGHTS["general"][heaviest]
