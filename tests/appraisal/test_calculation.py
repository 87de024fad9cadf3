"""appraisal/calculation.py: the monthly calculation of a form, worked by hand.

No database. Most tests use the card below (effective weights of the total, summing to 100)
and write the arithmetic next to the expected figure.

    F1 financial        KPI percentage                 25%  target 200, actual 180 -> 90
    F2 financial        KPI interval (default bands)   15%  target 100, actual 85 -> 85% -> [80, 100) -> 80
    C1 customer         KPI 0-1                        20%  target 95, actual 96 -> met -> 100
    P1 internal_process PRI deduction 5 per occurrence 20%  3 occurrences -> 100 - 15 = 85
    L1 learning_growth  PCI description (7 levels)     20%  ratings 7 and 5 -> (100 + 71.428571...) / 2 = 85.71

    total = (25 x 90 + 15 x 80 + 20 x 100 + 20 x 85 + 20 x 85.71) / 100
          = (2250 + 1200 + 2000 + 1700 + 1714.2) / 100 = 88.642 -> 88.64
"""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraisal.calculation import (
    ENGINE_VERSION,
    Breakdown,
    CalculationError,
    FormSnapshot,
    FrontLine,
    Inspection,
    InspectionItem,
    LineValue,
    Problem,
    SnapshotLine,
    calculate,
    full_marks,
    snapshot_from_dict,
    snapshot_to_dict,
)
from indicators.scoring import NotApplicablePolicy, Rating, weighted_total
from scorecards.card_rules import front_line_totals

D = Decimal
EXCLUDE = NotApplicablePolicy.EXCLUDE
ZERO = NotApplicablePolicy.ZERO


def line(key, perspective, weight, method, *, type="KPI", **extra):
    return SnapshotLine(
        key=key,
        indicator_code=f"I-{key}",
        indicator_type=type,
        perspective=perspective,
        effective_weight=D(weight),
        method=method,
        **extra,
    )


F1 = line("F1", "financial", "25", "percentage", target=D(200), label="Sales revenue")
F2 = line("F2", "financial", "15", "interval", target=D(100), label="Collection rate")
C1 = line("C1", "customer", "20", "zero_one", target=D(95), label="Customer satisfaction")
P1 = line(
    "P1",
    "internal_process",
    "20",
    "deduction",
    type="PRI",
    params={"points_per_occurrence": "5"},
    direction="lower_better",
    label="Process errors",
)
L1 = line("L1", "learning_growth", "20", "description", type="PCI", direction="qualitative", label="Teamwork")
# A veto line: no major safety accident (1 = none, 0 = one happened).
N1 = line("N1", "internal_process", "0", "zero_one", type="NNI", direction="qualitative", label="Safety")

VALUES = {
    "F1": LineValue(actual=D(180)),
    "F2": LineValue(actual=D(85)),
    "C1": LineValue(actual=D(96)),
    "P1": LineValue(actual=D(3)),
    "L1": LineValue(ratings=(7, 5)),
}


def card(*extra_lines, base=(F1, F2, C1, P1, L1), **options):
    return FormSnapshot(lines=(*base, *extra_lines), **options)


def values(**changes):
    result = dict(VALUES)
    result.update(changes)
    return result


def one_line(snapshot_line, value, **options):
    """A card of one line weighing 100%: the total is the line's score."""
    return calculate(FormSnapshot(lines=(snapshot_line,)), {snapshot_line.key: value}, **options)


def problems_of(caught):
    return [(problem.line_key, problem.field) for problem in caught.value.problems]


# ---------------------------------------------------------------------------------------
# Each scoring method on a line


def test_a_percentage_line_scores_its_achievement():
    result = calculate(card(), VALUES).line("F1")
    # 180 / 200 x 100 = 90
    assert (result.actual, result.achievement, result.score) == (D(180), D("90.00"), D("90.00"))


def test_a_lower_is_better_percentage_line_is_capped():
    cost = line("K", "financial", "100", "percentage", direction="lower_better", target=D(100))
    breakdown = one_line(cost, LineValue(actual=D(80)))
    # 100 / 80 x 100 = 125, capped at 120
    assert (breakdown.line("K").achievement, breakdown.line("K").score) == (D("125.00"), D("120.00"))
    assert breakdown.total == D("120.00")


def test_a_target_range_line_scores_full_inside_the_range():
    stock = line(
        "K", "internal_process", "100", "percentage", direction="target_range", target_low=D(40), target_high=D(60)
    )
    assert one_line(stock, LineValue(actual=D(50))).total == D("100.00")
    # above the range: 60 / 75 x 100 = 80
    assert one_line(stock, LineValue(actual=D(75))).total == D("80.00")


def test_an_interval_line_scores_the_band_of_its_achievement():
    result = calculate(card(), VALUES).line("F2")
    # 85 / 100 x 100 = 85%, in the default band [80, 100) -> 80
    assert (result.achievement, result.score) == (D("85.00"), D("80.00"))


def test_a_zero_one_line_scores_full_when_met_and_zero_when_not():
    assert calculate(card(), VALUES).line("C1").score == D("100.00")  # 96 >= 95
    assert calculate(card(), values(C1=LineValue(actual=D(94)))).line("C1").score == D("0.00")


def test_a_deduction_line_takes_points_off_per_occurrence():
    result = calculate(card(), VALUES).line("P1")
    # 100 - 5 x 3 = 85
    assert (result.actual, result.achievement, result.score) == (D(3), None, D("85.00"))


def test_a_description_line_averages_the_levels_and_reports_the_mean_level():
    result = calculate(card(), VALUES).line("L1")
    # (7/7 x 100 + 5/7 x 100) / 2 = (100 + 71.428571...) / 2 = 85.714285... -> 85.71; mean level 6
    assert (result.actual, result.score) == (D("6.00"), D("85.71"))


def test_a_description_line_takes_weighted_ratings():
    ratings = (Rating(7, D(3)), (4, D(1)))
    result = calculate(card(), values(L1=LineValue(ratings=ratings))).line("L1")
    # (3 x 100 + 1 x 57.142857...) / 4 = 357.142857... / 4 = 89.285714... -> 89.29; level (21 + 4) / 4 = 6.25
    assert (result.actual, result.score) == (D("6.25"), D("89.29"))


# ---------------------------------------------------------------------------------------
# The card


def test_the_total_is_the_weighted_sum_of_the_line_scores():
    breakdown = calculate(card(), VALUES)
    # (2250 + 1200 + 2000 + 1700 + 1714.2) / 100 = 88.642
    assert breakdown.subtotal == D("88.64")
    assert breakdown.total == D("88.64")
    assert (breakdown.inspection, breakdown.veto, breakdown.front_line) == (None, None, None)
    assert breakdown.engine_version == ENGINE_VERSION
    assert breakdown.policy == "exclude"


def test_each_line_contributes_score_times_weight_points():
    breakdown = calculate(card(), VALUES)
    contributions = {result.key: result.contribution for result in breakdown.lines}
    # 25 x 90 / 100, 15 x 80 / 100, 20 x 100 / 100, 20 x 85 / 100, 20 x 85.71 / 100 = 17.142
    assert contributions == {
        "F1": D("22.50"),
        "F2": D("12.00"),
        "C1": D("20.00"),
        "P1": D("17.00"),
        "L1": D("17.14"),
    }
    assert [result.weight for result in breakdown.lines] == [D(25), D(15), D(20), D(20), D(20)]


def test_each_perspective_adds_up_its_lines():
    breakdown = calculate(card(), VALUES)
    figures = [(item.code, item.weight, item.subtotal, item.subtotal_after) for item in breakdown.perspectives]
    assert figures == [
        ("financial", D(40), D("34.50"), D("34.50")),  # 22.5 + 12
        ("customer", D(20), D("20.00"), D("20.00")),
        ("internal_process", D(20), D("17.00"), D("17.00")),
        ("learning_growth", D(20), D("17.14"), D("17.14")),  # 17.142
    ]


def test_perspectives_come_in_the_order_of_the_card_whatever_the_line_order():
    breakdown = calculate(card(base=(L1, P1, C1, F2, F1)), VALUES)
    assert [item.code for item in breakdown.perspectives] == [
        "financial",
        "customer",
        "internal_process",
        "learning_growth",
    ]
    assert [item.key for item in breakdown.lines] == ["L1", "P1", "C1", "F2", "F1"]


def test_weights_that_do_not_add_up_to_100_are_renormalised():
    snapshot = FormSnapshot(
        lines=(
            line("A", "financial", "30", "zero_one", target=D(1)),
            line("B", "customer", "10", "zero_one", target=D(1)),
        )
    )
    breakdown = calculate(snapshot, {"A": LineValue(actual=D(1)), "B": LineValue(actual=D(0))})
    # (30 x 100 + 10 x 0) / 40 = 75; A counts for 30 / 40 = 75%
    assert breakdown.total == D("75.00")
    assert (breakdown.line("A").weight, breakdown.line("A").contribution) == (D("75.00"), D("75.00"))


# ---------------------------------------------------------------------------------------
# Not applicable


def test_exclude_drops_a_not_applicable_line_and_renormalises_the_others():
    breakdown = calculate(card(), values(C1=LineValue(not_applicable=True)), policy=EXCLUDE)
    # counted weight 80: (2250 + 1200 + 1700 + 1714.2) / 80 = 6864.2 / 80 = 85.8025 -> 85.80
    assert breakdown.total == D("85.80")
    c1 = breakdown.line("C1")
    assert (c1.not_applicable, c1.score, c1.weight, c1.contribution) == (True, None, D(0), D(0))
    # F1: 25 / 80 = 31.25%, 2250 / 80 = 28.125 -> 28.13 (half up); L1: 1714.2 / 80 = 21.4275 -> 21.43
    assert (breakdown.line("F1").weight, breakdown.line("F1").contribution) == (D("31.25"), D("28.13"))
    assert breakdown.line("L1").contribution == D("21.43")
    assert breakdown.perspective("customer").weight == D(0)
    assert breakdown.perspective("financial").weight == D(50)  # (25 + 15) / 80


def test_the_total_comes_from_unrounded_contributions():
    breakdown = calculate(card(), values(C1=LineValue(not_applicable=True)))
    # reported contributions: 28.13 + 15 + 21.25 + 21.43 = 85.81; the total is 85.8025 -> 85.80
    assert sum(result.contribution for result in breakdown.lines) == D("85.81")
    assert breakdown.total == D("85.80")


def test_zero_scores_a_not_applicable_line_zero():
    breakdown = calculate(card(), values(C1=LineValue(not_applicable=True)), policy=ZERO)
    # (2250 + 1200 + 0 + 1700 + 1714.2) / 100 = 68.642 -> 68.64
    assert breakdown.total == D("68.64")
    c1 = breakdown.line("C1")
    assert (c1.score, c1.weight, c1.contribution) == (D(0), D(20), D(0))
    assert breakdown.policy == "zero"


def test_a_not_applicable_line_needs_no_value():
    result = calculate(card(), values(F1=LineValue(not_applicable=True, actual=None)))
    assert result.line("F1").actual is None


def test_every_weighted_line_not_applicable_is_a_problem():
    snapshot = FormSnapshot(lines=(F1,))
    with pytest.raises(CalculationError) as caught:
        calculate(snapshot, {"F1": LineValue(not_applicable=True)})
    assert problems_of(caught) == [(None, "__all__")]


# ---------------------------------------------------------------------------------------
# Formulas


COLLECTION = line(
    "K", "financial", "100", "percentage", target=D(95), formula="回款额 / 应收额 * 100", label="Collection rate"
)


def test_a_formula_computes_the_actual_from_its_inputs():
    breakdown = one_line(COLLECTION, LineValue(inputs={"回款额": D(88), "应收额": D(100)}))
    # actual 88 / 100 x 100 = 88; achievement 88 / 95 x 100 = 92.631578... -> 92.63
    assert breakdown.line("K").actual == D("88.00")
    assert breakdown.total == D("92.63")


def test_a_computed_actual_is_scored_unrounded():
    ratio = line("K", "customer", "100", "percentage", target=D("0.5"), formula="repeat / total")
    breakdown = one_line(ratio, LineValue(inputs={"repeat": D(1), "total": D(3)}))
    # actual 1 / 3 = 0.333..., reported 0.33; scored unrounded: 0.333... / 0.5 x 100 = 66.666... -> 66.67
    # (from the reported 0.33 it would be 66.00)
    assert breakdown.line("K").actual == D("0.33")
    assert breakdown.line("K").score == D("66.67")


def test_an_actual_given_wins_over_the_inputs():
    breakdown = one_line(COLLECTION, LineValue(actual=D(95), inputs={"回款额": D(0), "应收额": D(100)}))
    assert breakdown.total == D("100.00")


def test_a_formula_error_is_a_problem_of_the_line():
    with pytest.raises(CalculationError) as caught:
        one_line(COLLECTION, LineValue(inputs={"回款额": D(88), "应收额": D(0)}))
    assert problems_of(caught) == [("K", "inputs")]
    assert "Division by zero" in caught.value.problems[0].message


# ---------------------------------------------------------------------------------------
# Problems


def test_every_problem_of_the_form_is_listed_at_once():
    formula_line = line("G", "customer", "0", "percentage", target=D(95), formula="a / b * 100")
    other_formula = line("H", "customer", "0", "percentage", target=D(95), formula="x / y * 100")
    snapshot = card(formula_line, other_formula)
    entered = {
        "F1": LineValue(),  # nothing entered
        # C1: no entry at all
        "P1": LineValue(actual=D(-1)),  # a negative count: refused by the deduction method
        "L1": LineValue(),  # no level chosen
        "G": LineValue(inputs={"a": D(1)}),  # b is missing
        # H: neither its inputs nor an actual
        "F2": LineValue(actual=D(85)),
        "ZZ": LineValue(actual=D(1)),  # not a line of this form
    }
    with pytest.raises(CalculationError) as caught:
        calculate(snapshot, entered)
    assert problems_of(caught) == [
        ("F1", "actual"),
        ("C1", "actual"),
        ("P1", "actual"),
        ("L1", "ratings"),
        ("G", "inputs"),
        ("H", "inputs"),
        ("ZZ", "__all__"),
    ]
    problems = {problem.line_key: problem for problem in caught.value.problems}
    assert problems["G"].message == "Missing input: b."
    assert problems["H"].message == "Missing input: x, y."
    assert problems["ZZ"].message == "“ZZ” is not on this scorecard."
    assert problems["P1"].label == "Process errors"
    assert problems["F1"] == Problem("F1", "actual", "An actual value is required.", {}, "Sales revenue")
    assert "Sales revenue: An actual value is required." in str(caught.value)


def test_a_missing_target_is_a_problem():
    no_target = line("K", "financial", "100", "percentage")
    with pytest.raises(CalculationError) as caught:
        one_line(no_target, LineValue(actual=D(1)))
    assert problems_of(caught) == [("K", "target")]


def test_inputs_for_a_line_without_a_formula_are_a_problem():
    with pytest.raises(CalculationError) as caught:
        calculate(card(), values(F1=LineValue(inputs={"a": D(1)})))
    assert problems_of(caught) == [("F1", "actual")]


def test_snapshot_lines_with_bad_data_are_problems():
    weighted_veto = line("N", "internal_process", "5", "zero_one", type="NNI", direction="qualitative")
    odd = line("X", "marketing", "10", "zero_one", type="KPX", target=D(1))
    with pytest.raises(CalculationError) as caught:
        calculate(
            card(weighted_veto, odd, F1, veto_mode="zero"),
            values(N=LineValue(actual=D(1)), X=LineValue(actual=D(1))),
        )
    assert problems_of(caught) == [
        ("N", "effective_weight"),
        ("X", "indicator_type"),
        ("X", "perspective"),
        ("F1", "key"),
    ]


# ---------------------------------------------------------------------------------------
# Daily inspections (a department head's form)


WEEK = (
    Inspection("2025-03-03", 0),
    Inspection("2025-03-10", 2),
    Inspection("2025-03-17", 1),
    Inspection("2025-03-24", 0),
)


def test_inspections_take_a_point_per_missing_person_off_internal_process():
    breakdown = calculate(card(inspection_deduction=True), VALUES, inspections=WEEK)
    # 1 x (0 + 2 + 1 + 0) = 3 points; internal process 17 -> 14; total 88.642 - 3 = 85.642
    assert (breakdown.inspection.requested, breakdown.inspection.applied) == (D("3.00"), D("3.00"))
    process = breakdown.perspective("internal_process")
    assert (process.subtotal, process.deduction, process.subtotal_after) == (D("17.00"), D("3.00"), D("14.00"))
    assert breakdown.subtotal == D("88.64")
    assert breakdown.total == D("85.64")


def test_the_inspection_deduction_lists_the_inspections_it_came_from():
    breakdown = calculate(card(inspection_deduction=True), VALUES, inspections=WEEK, points_per_missing=D(2))
    assert breakdown.inspection.items == (
        InspectionItem("2025-03-03", 0, D("0.00")),
        InspectionItem("2025-03-10", 2, D("4.00")),
        InspectionItem("2025-03-17", 1, D("2.00")),
        InspectionItem("2025-03-24", 0, D("0.00")),
    )
    # 2 x 3 = 6 points: 17 -> 11; 88.642 - 6 = 82.642
    assert breakdown.inspection.points_per_missing == D("2.00")
    assert breakdown.perspective("internal_process").subtotal_after == D("11.00")
    assert breakdown.total == D("82.64")


def test_the_inspection_deduction_stops_at_the_internal_process_contribution():
    many = (Inspection("2025-03-03", 10), Inspection("2025-03-10", 15))
    breakdown = calculate(card(inspection_deduction=True), VALUES, inspections=many)
    # 25 points asked, but internal process only contributes 17: 17 applied, 88.642 - 17 = 71.642
    assert (breakdown.inspection.requested, breakdown.inspection.applied) == (D("25.00"), D("17.00"))
    assert breakdown.perspective("internal_process").subtotal_after == D("0.00")
    assert breakdown.perspective("financial").subtotal_after == D("34.50")
    assert breakdown.total == D("71.64")


def test_the_cap_is_the_unrounded_internal_process_contribution():
    # Without C1 (excluded): internal process contributes 1700 / 80 = 21.25; learning 21.4275.
    # A three-point-per-person deduction of 10 people asks 30: capped at 21.25 exactly.
    breakdown = calculate(
        card(inspection_deduction=True),
        values(C1=LineValue(not_applicable=True)),
        inspections=(Inspection("2025-03-03", 10),),
        points_per_missing=D(3),
    )
    # 85.8025 - 21.25 = 64.5525 -> 64.55
    assert breakdown.inspection.applied == D("21.25")
    assert breakdown.total == D("64.55")


def test_inspections_do_not_count_when_the_form_has_no_inspection_deduction():
    breakdown = calculate(card(), VALUES, inspections=WEEK)
    assert breakdown.inspection is None
    assert breakdown.perspective("internal_process").deduction == D(0)
    assert breakdown.total == D("88.64")


def test_a_department_head_without_inspections_loses_nothing():
    breakdown = calculate(card(inspection_deduction=True), VALUES)
    assert (breakdown.inspection.requested, breakdown.inspection.applied, breakdown.inspection.items) == (
        D(0),
        D(0),
        (),
    )
    assert breakdown.total == D("88.64")


def test_a_negative_number_missing_is_a_problem():
    with pytest.raises(CalculationError) as caught:
        calculate(card(inspection_deduction=True), VALUES, inspections=(Inspection("2025-03-03", -1),))
    assert problems_of(caught) == [(None, "inspections")]
    assert caught.value.problems[0].message == (
        "Inspection 2025-03-03: the number of people missing cannot be negative."
    )


# ---------------------------------------------------------------------------------------
# NNI veto


def vetoed_card(**options):
    return card(N1, **options)


FAILED = values(N1=LineValue(actual=D(0)))
PASSED = values(N1=LineValue(actual=D(1)))


def test_a_veto_line_adds_no_points():
    breakdown = calculate(vetoed_card(veto_mode="zero"), PASSED)
    n1 = breakdown.line("N1")
    assert (n1.weight, n1.contribution, n1.score, n1.failed) == (D(0), D(0), D("100.00"), False)
    assert breakdown.line("F1").failed is None
    assert breakdown.total == D("88.64")


def test_a_veto_not_failed_leaves_the_total_unchanged():
    breakdown = calculate(vetoed_card(veto_mode="zero"), PASSED)
    assert breakdown.veto.failed == ()
    assert not breakdown.veto.vetoed
    assert (breakdown.veto.total_before, breakdown.veto.total_after) == (D("88.64"), D("88.64"))


def test_a_failed_veto_in_zero_mode_sets_the_total_to_zero():
    breakdown = calculate(vetoed_card(veto_mode="zero"), FAILED)
    assert breakdown.veto.failed == ("N1",)
    assert breakdown.line("N1").failed is True
    assert (breakdown.veto.total_before, breakdown.total) == (D("88.64"), D("0.00"))
    assert breakdown.subtotal == D("88.64")


def test_a_failed_veto_in_cap_mode_caps_the_total():
    breakdown = calculate(vetoed_card(veto_mode="cap", veto_ceiling=D(60)), FAILED)
    assert breakdown.total == D("60.00")  # min(88.642, 60)
    assert (breakdown.veto.mode, breakdown.veto.ceiling) == ("cap", D(60))


def test_a_cap_never_raises_the_total():
    breakdown = calculate(vetoed_card(veto_mode="cap", veto_ceiling=D(95)), FAILED)
    assert breakdown.total == D("88.64")  # min(88.642, 95)


def test_a_failed_veto_in_deduct_mode_takes_points_off():
    breakdown = calculate(vetoed_card(veto_mode="deduct", veto_deduction=D(30)), FAILED)
    assert breakdown.total == D("58.64")  # 88.642 - 30 = 58.642


def test_a_deduction_veto_line_fails_on_a_single_occurrence():
    complaints = line("N2", "customer", "0", "deduction", type="NNI", direction="lower_better")
    snapshot = card(complaints, veto_mode="zero")
    assert calculate(snapshot, values(N2=LineValue(actual=D(0)))).total == D("88.64")
    # 100 - 1 = 99, below the full 100: failed
    breakdown = calculate(snapshot, values(N2=LineValue(actual=D(1))))
    assert (breakdown.line("N2").score, breakdown.veto.failed, breakdown.total) == (D("99.00"), ("N2",), D("0.00"))


def test_a_not_applicable_veto_line_is_not_failed():
    breakdown = calculate(vetoed_card(veto_mode="zero"), values(N1=LineValue(not_applicable=True)))
    assert breakdown.line("N1").failed is False
    assert breakdown.total == D("88.64")


def test_a_veto_line_needs_a_value():
    with pytest.raises(CalculationError) as caught:
        calculate(vetoed_card(veto_mode="zero"), VALUES)
    assert problems_of(caught) == [("N1", "actual")]


def test_a_veto_line_needs_a_veto_mode_and_its_parameter():
    with pytest.raises(CalculationError) as caught:
        calculate(vetoed_card(), PASSED)
    assert problems_of(caught) == [(None, "veto_mode")]
    with pytest.raises(CalculationError) as caught:
        calculate(vetoed_card(veto_mode="cap"), PASSED)
    assert problems_of(caught) == [(None, "veto_ceiling")]
    with pytest.raises(CalculationError) as caught:
        calculate(vetoed_card(veto_mode="deduct", veto_deduction=D(-5)), PASSED)
    assert problems_of(caught) == [(None, "veto_deduction")]


def test_full_marks_per_method():
    assert full_marks("percentage", {}) == D(100)
    assert full_marks("percentage", {"cap": "90"}) == D(90)
    assert full_marks("interval", {}) == D(100)
    assert full_marks("zero_one", {"full": "110"}) == D(110)
    assert full_marks("deduction", {}) == D(100)
    assert full_marks("description", {}) == D(100)


# ---------------------------------------------------------------------------------------
# Sales front line


def test_the_front_line_reports_the_financial_score_apart():
    breakdown = calculate(card(front_line=True), VALUES)
    # (25 x 90 + 15 x 80) / 40 = 3450 / 40 = 86.25
    assert breakdown.front_line.financial_score == D("86.25")


def test_the_front_line_counts_the_financial_lines_at_full_marks():
    breakdown = calculate(card(front_line=True), VALUES)
    # (25 x 100 + 15 x 100 + 2000 + 1700 + 1714.2) / 100 = 94.142
    assert breakdown.front_line == FrontLine(financial_score=D("86.25"), bsc_total=D("94.14"))
    assert breakdown.total == D("94.14")
    f1 = breakdown.line("F1")
    assert (f1.score, f1.contribution) == (D("90.00"), D("25.00"))  # its own score, full points
    assert breakdown.perspective("financial").subtotal == D("40.00")


def test_the_front_line_figures_agree_with_the_card_rules():
    scores = {"F1": D(90), "F2": D(80), "C1": D(100), "P1": D(85), "L1": D("85.71")}
    weights = {"F1": D(25), "F2": D(15), "C1": D(20), "P1": D(20), "L1": D(20)}
    perspectives = {key.key: key.perspective for key in (F1, F2, C1, P1, L1)}
    expected = front_line_totals(scores, weights, perspectives)
    figures = calculate(card(front_line=True), VALUES).front_line
    assert (figures.financial_score, figures.bsc_total) == tuple(expected)


def test_a_not_applicable_financial_line_still_counts_at_full_marks_on_the_front_line():
    breakdown = calculate(card(front_line=True), values(F2=LineValue(not_applicable=True)))
    # financial score: F1 alone, 90; BSC total unchanged: 94.142
    assert breakdown.front_line == FrontLine(D("90.00"), D("94.14"))
    assert breakdown.line("F2").contribution == D("15.00")


def test_the_front_line_rule_is_off_by_default():
    assert calculate(card(), VALUES).front_line is None


# ---------------------------------------------------------------------------------------
# Everything at once


def test_front_line_inspections_and_veto_combine_in_order():
    snapshot = vetoed_card(front_line=True, inspection_deduction=True, veto_mode="deduct", veto_deduction=D(30))
    breakdown = calculate(snapshot, FAILED, inspections=WEEK)
    # BSC total 94.142 (financial at full) -> less 3 inspection points = 91.142 -> veto less 30 = 61.142
    assert breakdown.front_line == FrontLine(D("86.25"), D("94.14"))
    assert breakdown.subtotal == D("94.14")
    assert breakdown.inspection.applied == D("3.00")
    assert (breakdown.veto.total_before, breakdown.veto.total_after) == (D("91.14"), D("61.14"))
    assert breakdown.total == D("61.14")


def test_the_veto_caps_the_total_after_the_inspection_deduction():
    snapshot = vetoed_card(front_line=True, inspection_deduction=True, veto_mode="cap", veto_ceiling=D(92))
    breakdown = calculate(snapshot, FAILED, inspections=WEEK)
    # 94.142 - 3 = 91.142, under the ceiling of 92: unchanged
    assert breakdown.total == D("91.14")


# ---------------------------------------------------------------------------------------
# Storage


def test_a_breakdown_survives_a_round_trip_through_json():
    snapshot = vetoed_card(front_line=True, inspection_deduction=True, veto_mode="deduct", veto_deduction=D(30))
    breakdown = calculate(snapshot, FAILED, inspections=WEEK)
    stored = json.loads(json.dumps(breakdown.to_dict()))
    assert Breakdown.from_dict(stored) == breakdown


def test_a_stored_breakdown_holds_numbers_as_strings():
    stored = calculate(card(), values(C1=LineValue(not_applicable=True))).to_dict()
    assert stored["total"] == "85.80"
    assert stored["lines"][0]["contribution"] == "28.13"
    assert stored["lines"][2]["score"] is None
    assert stored["engine_version"] == ENGINE_VERSION
    assert not any(isinstance(value, float) for value in _leaves(stored))


def test_a_stored_breakdown_keeps_its_engine_version():
    stored = calculate(card(), VALUES).to_dict()
    stored["engine_version"] = "0"
    assert Breakdown.from_dict(stored).engine_version == "0"


def test_a_snapshot_survives_a_round_trip_through_json():
    snapshot = vetoed_card(front_line=True, veto_mode="cap", veto_ceiling=D("59.99"), inspection_deduction=True)
    stored = json.loads(json.dumps(snapshot_to_dict(snapshot)))
    assert stored["lines"][0]["target"] == "200"
    assert snapshot_from_dict(stored) == snapshot
    assert calculate(snapshot_from_dict(stored), FAILED) == calculate(snapshot, FAILED)


def _leaves(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from _leaves(value)
    elif isinstance(data, list):
        for value in data:
            yield from _leaves(value)
    else:
        yield data


# ---------------------------------------------------------------------------------------
# Floats


def test_floats_are_refused():
    with pytest.raises(TypeError):
        LineValue(actual=0.5)
    with pytest.raises(TypeError):
        LineValue(inputs={"a": 0.5})
    with pytest.raises(TypeError):
        LineValue(ratings=((7, 0.5),))
    with pytest.raises(TypeError):
        line("K", "financial", "100", "percentage", target=95.0)
    with pytest.raises(TypeError):
        SnapshotLine("K", "I-K", "KPI", "financial", 100.0, "percentage")
    with pytest.raises(TypeError):
        FormSnapshot(lines=(F1,), veto_ceiling=60.0)
    with pytest.raises(TypeError):
        calculate(card(inspection_deduction=True), VALUES, points_per_missing=1.0)
    with pytest.raises(TypeError):
        Inspection("2025-03-03", 1.0)


def test_a_stored_float_is_refused():
    stored = calculate(card(), VALUES).to_dict()
    stored["total"] = 88.64
    with pytest.raises(TypeError):
        Breakdown.from_dict(stored)


def test_the_callers_decimal_context_does_not_matter():
    from decimal import localcontext

    with localcontext() as context:
        context.prec = 3
        assert calculate(card(), VALUES).total == D("88.64")


# ---------------------------------------------------------------------------------------
# Properties

PERSPECTIVE_CODES = ("financial", "customer", "internal_process", "learning_growth")


@st.composite
def forms(draw):
    """A card of percentage lines (target 100, so the score is the actual, capped at 120),
    some not applicable, and the form's options."""
    count = draw(st.integers(min_value=1, max_value=6))
    lines, entered = [], {}
    for index in range(count):
        key = f"K{index}"
        weight = draw(st.decimals(min_value=1 if index == 0 else 0, max_value=50, places=2))
        perspective = draw(st.sampled_from(PERSPECTIVE_CODES))
        lines.append(line(key, perspective, str(weight), "percentage", target=D(100)))
        actual = draw(st.decimals(min_value=0, max_value=150, places=2))
        # the first line always counts, so there is something to score
        not_applicable = index > 0 and draw(st.booleans())
        entered[key] = LineValue(actual=None if not_applicable else actual, not_applicable=not_applicable)
    vetoed = draw(st.booleans())
    if vetoed:
        lines.append(N1)
        entered["N1"] = LineValue(actual=D(draw(st.sampled_from([0, 1]))))
    snapshot = FormSnapshot(
        lines=tuple(lines),
        veto_mode=draw(st.sampled_from(["zero", "cap", "deduct"])) if vetoed else None,
        veto_ceiling=D(60),
        veto_deduction=D(30),
        front_line=draw(st.booleans()),
        inspection_deduction=draw(st.booleans()),
    )
    inspections = tuple(Inspection(f"day {n}", draw(st.integers(0, 20))) for n in range(draw(st.integers(0, 5))))
    return snapshot, entered, inspections, draw(st.sampled_from([EXCLUDE, ZERO]))


@given(forms())
def test_contributions_add_up_to_the_total_before_deductions(form):
    snapshot, entered, inspections, policy = form
    breakdown = calculate(snapshot, entered, inspections=inspections, policy=policy)
    # each reported figure is rounded once: off by at most half a cent each
    slack = D("0.005") * (len(breakdown.lines) + 1)
    assert abs(sum(result.contribution for result in breakdown.lines) - breakdown.subtotal) <= slack
    slack = D("0.005") * (len(breakdown.perspectives) + 1)
    assert abs(sum(item.subtotal for item in breakdown.perspectives) - breakdown.subtotal) <= slack


@given(forms())
def test_the_total_stays_between_zero_and_the_best_score(form):
    snapshot, entered, inspections, policy = form
    breakdown = calculate(snapshot, entered, inspections=inspections, policy=policy)
    best = max(
        [D(100)] * snapshot.front_line + [result.score or D(0) for result in breakdown.lines if result.failed is None]
    )
    assert D(0) <= breakdown.total <= breakdown.subtotal <= best
    for item in breakdown.perspectives:
        assert item.subtotal_after >= 0


@given(forms())
def test_the_total_before_deductions_is_the_weighted_total_of_the_scores(form):
    snapshot, entered, inspections, policy = form
    breakdown = calculate(snapshot, entered, inspections=inspections, policy=policy)
    weighted = [item for item in snapshot.lines if item.indicator_type != "NNI"]
    scores = {
        item.key: breakdown.line(item.key).score if not entered[item.key].not_applicable else None for item in weighted
    }
    weights = {item.key: item.effective_weight for item in weighted}
    if snapshot.front_line:
        expected = front_line_totals(scores, weights, {item.key: item.perspective for item in weighted}, policy=policy)
        assert breakdown.subtotal == expected.bsc_total
        assert breakdown.front_line.financial_score == expected.financial_score
    else:
        assert breakdown.subtotal == weighted_total([(weights[key], scores[key]) for key in weights], policy)
