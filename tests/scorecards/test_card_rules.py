"""scorecards/card_rules.py: validation, effective weights, expert weighting and policies."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.scoring import NotApplicablePolicy
from scorecards.card_rules import (
    ALLOWED_TYPES,
    Card,
    CardError,
    CardLine,
    FrontLineResult,
    Level,
    Problem,
    VetoMode,
    WeightConvention,
    apply_veto,
    apply_weighting_result,
    check_card,
    effective_weights,
    front_line_totals,
    method_needs_target,
    unrounded_effective_weights,
)

D = Decimal
PERSPECTIVES = {
    "financial": D(40),
    "customer": D(30),
    "internal_process": D(20),
    "learning_growth": D(10),
}


def line(
    key,
    perspective="financial",
    weight="50",
    *,
    code=None,
    type="KPI",
    target="100",
    method="percentage",
    **extra,
):
    return CardLine(
        key=key,
        indicator_code=code or f"I-{key}",
        indicator_type=type,
        perspective=perspective,
        weight=D(weight),
        target=None if target is None else D(target),
        method=method,
        **extra,
    )


def within_card(
    *extra_lines, level=Level.POST, perspectives=PERSPECTIVES, max_lines=20
):
    """Perspectives 40/30/20/10, two lines of 50% in each perspective."""
    lines = [line(f"{code}-{n}", code, "50") for code in perspectives for n in (1, 2)]
    return Card(
        level,
        WeightConvention.WITHIN_PERSPECTIVE,
        perspectives,
        [*lines, *extra_lines],
        max_lines,
    )


def total_card(*extra_lines, level=Level.POST):
    """Perspectives 40/30/20/10, two lines per perspective, weights of the card."""
    lines = [
        line(f"{code}-{n}", code, str(weight / 2))
        for code, weight in PERSPECTIVES.items()
        for n in (1, 2)
    ]
    return Card(level, WeightConvention.OF_TOTAL, PERSPECTIVES, [*lines, *extra_lines])


def only(problems):
    assert len(problems) == 1, [problem.message for problem in problems]
    return problems[0]


# ---------------------------------------------------------------------------------------
# A valid card


def test_a_valid_within_perspective_card_has_no_problems():
    assert check_card(within_card()) == []


def test_a_valid_of_total_card_has_no_problems():
    assert check_card(total_card()) == []


def test_a_veto_line_with_no_weight_is_valid():
    assert (
        check_card(
            within_card(
                line(
                    "nni",
                    "internal_process",
                    "0",
                    type="NNI",
                    method="zero_one",
                    target="0",
                )
            )
        )
        == []
    )


# ---------------------------------------------------------------------------------------
# Perspective weights


def test_perspective_weights_must_add_up_to_exactly_100():
    weights = {**PERSPECTIVES, "learning_growth": D("10.01")}
    problems = check_card(within_card(perspectives=weights))
    problem = problems[0]
    assert problem.field == "perspective_weights"
    assert problem.line_key is None
    assert problem.message == "The perspective weights add up to 100.01%, not 100%."


def test_a_negative_perspective_weight_is_a_problem_naming_the_perspective():
    weights = {
        "financial": D(110),
        "customer": D(-10),
        "internal_process": D(0),
        "learning_growth": D(0),
    }
    card = Card(
        Level.POST, WeightConvention.OF_TOTAL, weights, [line("a", "financial", "100")]
    )
    problems = [p for p in check_card(card) if p.field == "perspective_weights"]
    messages = [p.message for p in problems]
    assert "The weight of customer cannot be negative." in messages
    assert "The weight of financial cannot be above 100%." in messages
    assert (
        problems[0].perspective == "customer" or problems[1].perspective == "customer"
    )


# ---------------------------------------------------------------------------------------
# Line sums


def test_within_perspective_lines_must_add_up_to_100_in_each_perspective():
    card = within_card(line("extra", "customer", "10"))
    problems = check_card(card)
    first = problems[0]
    assert first.field == "lines"
    assert first.perspective == "customer"
    assert (
        first.message == "The lines of customer add up to 110%, not 100% (off by 10)."
    )
    assert problems[1].message == "The effective weights add up to 103%, not 100%."
    assert len(problems) == 2


def test_a_perspective_of_weight_0_without_lines_is_fine():
    weights = {
        "financial": D(60),
        "customer": D(40),
        "internal_process": D(0),
        "learning_growth": D(0),
    }
    card = Card(
        Level.POST,
        WeightConvention.WITHIN_PERSPECTIVE,
        weights,
        [line("f", "financial", "100"), line("c", "customer", "100")],
    )
    assert check_card(card) == []


def test_weighted_lines_in_a_perspective_of_weight_0_are_a_problem():
    weights = {"financial": D(100), "customer": D(0)}
    card = Card(
        Level.POST,
        WeightConvention.WITHIN_PERSPECTIVE,
        weights,
        [line("f", "financial", "100"), line("c", "customer", "100")],
    )
    problem = only(check_card(card))
    assert problem.perspective == "customer"
    assert problem.message.startswith("customer has a weight of 0")


def test_a_perspective_with_weight_but_no_lines_is_a_problem():
    weights = {"financial": D(60), "customer": D(40)}
    card = Card(
        Level.POST,
        WeightConvention.WITHIN_PERSPECTIVE,
        weights,
        [line("f", "financial", "100")],
    )
    problems = check_card(card)
    assert (
        problems[0].message
        == "The lines of customer add up to 0%, not 100% (off by 100)."
    )
    assert problems[1].message == "The effective weights add up to 60%, not 100%."


def test_of_total_says_which_perspective_is_above_its_weight_and_by_how_much():
    card = total_card(line("extra", "customer", "5"))
    problems = check_card(card)
    assert problems[0].perspective == "customer"
    assert (
        problems[0].message
        == "The lines of customer add up to 35%, 5 above its weight of 30%."
    )
    assert problems[1].message == "The line weights add up to 105%, not 100%."


def test_of_total_says_which_perspectives_are_off_when_lines_are_moved_between_them():
    lines = [
        line("f", "financial", "35"),
        line("c", "customer", "35"),
        line("i", "internal_process", "20"),
        line("l", "learning_growth", "10"),
    ]
    card = Card(Level.POST, WeightConvention.OF_TOTAL, PERSPECTIVES, lines)
    messages = [p.message for p in check_card(card)]
    assert messages == [
        "The lines of financial add up to 35%, 5 below its weight of 40%.",
        "The lines of customer add up to 35%, 5 above its weight of 30%.",
    ]


# ---------------------------------------------------------------------------------------
# Lines


def test_a_weight_of_0_is_refused_on_a_weighted_line():
    card = within_card(line("zero", "customer", "0"))
    problem = [p for p in check_card(card) if p.line_key == "zero"]
    assert [(p.field, p.message) for p in problem] == [
        ("weight", "The weight must be above 0.")
    ]


def test_a_negative_weight_is_refused():
    card = within_card(line("neg", "customer", "-5"))
    assert [p.message for p in check_card(card) if p.line_key == "neg"] == [
        "The weight must be above 0."
    ]


def test_a_weight_above_100_is_refused():
    card = within_card(line("big", "customer", "100.5"))
    assert [p.message for p in check_card(card) if p.line_key == "big"] == [
        "The weight cannot be above 100%."
    ]


def test_a_veto_line_with_a_weight_is_refused():
    card = within_card(
        line("nni", "internal_process", "10", type="NNI", method="zero_one", target="0")
    )
    problem = [p for p in check_card(card) if p.line_key == "nni"][0]
    assert problem.field == "weight"
    assert "veto (NNI) line carries no weight" in problem.message


def test_a_pci_indicator_is_refused_on_a_department_card_with_the_allowed_types():
    card = within_card(
        line("pci", "learning_growth", "0", type="PCI"), level=Level.DEPARTMENT
    )
    problem = [
        p for p in check_card(card) if p.line_key == "pci" and p.field == "indicator"
    ][0]
    assert (
        problem.message
        == "A PCI indicator cannot be used on a department scorecard; allowed types: KPI, PRI, NNI."
    )
    assert problem.params == {
        "type": "PCI",
        "level": "department",
        "allowed": "KPI, PRI, NNI",
    }


@pytest.mark.parametrize(
    ("level", "allowed"),
    [
        (Level.COMPANY, {"KPI", "NNI"}),
        (Level.DEPARTMENT, {"KPI", "PRI", "NNI"}),
        (Level.TEAM, {"KPI", "PRI", "NNI"}),
        (Level.POST, {"KPI", "PRI", "PCI", "WAI", "NNI"}),
    ],
)
def test_the_types_allowed_at_each_level_follow_seed_003(level, allowed):
    assert ALLOWED_TYPES[level] == allowed
    for kind in ("KPI", "PRI", "PCI", "WAI", "NNI"):
        weight = "0" if kind == "NNI" else "50"
        card = Card(
            level,
            WeightConvention.OF_TOTAL,
            {"financial": D(100)},
            [line("a", "financial", "50"), line("b", "financial", weight, type=kind)],
        )
        type_problems = [p for p in check_card(card) if p.field == "indicator"]
        assert (type_problems == []) == (kind in allowed)


def test_a_wai_indicator_is_refused_on_a_company_card():
    card = Card(
        Level.COMPANY,
        WeightConvention.OF_TOTAL,
        {"financial": D(100)},
        [line("w", "financial", "100", type="WAI")],
    )
    assert (
        only(check_card(card)).message
        == "A WAI indicator cannot be used on a company scorecard; allowed types: KPI, NNI."
    )


def test_an_unknown_indicator_type_is_refused():
    card = Card(
        Level.POST,
        WeightConvention.OF_TOTAL,
        {"financial": D(100)},
        [line("x", "financial", "100", type="XYZ")],
    )
    problem = only(check_card(card))
    assert (problem.field, problem.line_key, problem.message) == (
        "indicator",
        "x",
        "Unknown indicator type “XYZ”.",
    )


def test_the_same_indicator_twice_is_refused_on_the_second_line():
    lines = [
        line("a", "financial", "50", code="SALES"),
        line("b", "financial", "50", code="SALES"),
    ]
    card = Card(Level.POST, WeightConvention.OF_TOTAL, {"financial": D(100)}, lines)
    problem = only(check_card(card))
    assert (problem.field, problem.line_key) == ("indicator", "b")
    assert problem.message == "The indicator SALES is already on this scorecard."


def test_a_line_in_an_unknown_perspective_is_refused():
    card = within_card(line("odd", "marketing", "100"))
    problem = [p for p in check_card(card) if p.line_key == "odd"][0]
    assert (problem.field, problem.message) == (
        "perspective",
        "Unknown perspective “marketing”.",
    )


@pytest.mark.parametrize("method", ["percentage", "zero_one", "interval"])
def test_a_method_needing_a_target_without_one_is_refused(method):
    lines = [line("a", "financial", "100", target=None, method=method)]
    card = Card(Level.POST, WeightConvention.OF_TOTAL, {"financial": D(100)}, lines)
    problem = only(check_card(card))
    assert (problem.field, problem.line_key) == ("target", "a")
    assert problem.message == f"A target is required by the {method} method."


@pytest.mark.parametrize("method", ["description", "deduction"])
def test_a_method_needing_no_target_may_have_none(method):
    card = Card(
        Level.POST,
        WeightConvention.OF_TOTAL,
        {"financial": D(100)},
        [line("a", "financial", "100", target=None, method=method)],
    )
    assert check_card(card) == []


def test_an_interval_on_the_actual_value_needs_no_target():
    needs = method_needs_target("interval", "actual")
    card = Card(
        Level.POST,
        WeightConvention.OF_TOTAL,
        {"financial": D(100)},
        [
            line(
                "a",
                "financial",
                "100",
                target=None,
                method="interval",
                needs_target=needs,
            )
        ],
    )
    assert needs is False
    assert check_card(card) == []


def test_method_needs_target_follows_the_method_and_the_interval_basis():
    assert method_needs_target("percentage") is True
    assert method_needs_target("zero_one") is True
    assert method_needs_target("interval") is True
    assert method_needs_target("interval", "achievement") is True
    assert method_needs_target("interval", "actual") is False
    assert method_needs_target("deduction") is False
    assert method_needs_target("description") is False


def test_an_unknown_method_is_a_problem_on_the_method_field():
    card = Card(
        Level.POST,
        WeightConvention.OF_TOTAL,
        {"financial": D(100)},
        [line("a", "financial", "100", method="guess")],
    )
    problem = only(check_card(card))
    assert (problem.field, problem.line_key, problem.message) == (
        "method",
        "a",
        "Unknown scoring method “guess”.",
    )


def test_more_lines_than_allowed_is_refused():
    lines = [line(str(n), "financial", "25") for n in range(4)]
    card = Card(
        Level.POST, WeightConvention.OF_TOTAL, {"financial": D(100)}, lines, max_lines=3
    )
    problem = only(check_card(card))
    assert (problem.field, problem.line_key) == ("lines", None)
    assert problem.message == "A scorecard can have at most 3 lines; this one has 4."


def test_the_default_line_limit_is_20():
    lines = [line(str(n), "financial", "4.76") for n in range(21)]
    card = Card(Level.POST, WeightConvention.OF_TOTAL, {"financial": D(100)}, lines)
    assert card.max_lines == 20
    assert "at most 20 lines" in check_card(card)[0].message


def test_every_problem_is_reported_not_just_the_first():
    lines = [
        line("a", "financial", "60", code="X", type="PCI"),
        line("b", "financial", "60", code="X", target=None),
    ]
    card = Card(
        Level.COMPANY,
        WeightConvention.OF_TOTAL,
        {"financial": D(90)},
        lines,
        max_lines=1,
    )
    fields = [(p.field, p.line_key) for p in check_card(card)]
    assert fields == [
        ("perspective_weights", None),
        ("lines", None),  # too many lines
        ("indicator", "a"),  # PCI on a company card
        ("indicator", "b"),  # duplicate
        ("target", "b"),
        ("lines", None),  # financial lines 120 against 90
        ("lines", None),  # line weights 120
    ]


def test_problems_carry_a_template_and_params_for_translation():
    card = within_card(line("extra", "customer", "10"))
    problem = check_card(card)[0]
    assert (
        problem.template
        == "The lines of %(perspective)s add up to %(sum)s%%, not 100%% (off by %(diff)s)."
    )
    assert problem.params["perspective"] == "customer"
    assert isinstance(problem, Problem)


# ---------------------------------------------------------------------------------------
# Construction


def test_a_float_weight_raises_type_error():
    with pytest.raises(TypeError):
        CardLine("a", "I", "KPI", "financial", 50.0, D(1), "percentage")


def test_a_float_target_raises_type_error():
    with pytest.raises(TypeError):
        CardLine("a", "I", "KPI", "financial", D(50), 1.5, "percentage")


def test_a_float_perspective_weight_raises_type_error():
    with pytest.raises(TypeError):
        Card(Level.POST, WeightConvention.OF_TOTAL, {"financial": 100.0}, [])


def test_int_weights_are_taken_as_decimals():
    card = Card(
        "post",
        "of_total",
        {"financial": 100},
        [CardLine("a", "I", "KPI", "financial", 100, 5, "percentage")],
    )
    assert card.level is Level.POST
    assert card.perspective_weights["financial"] == D(100)
    assert isinstance(card.lines[0].weight, Decimal)
    assert check_card(card) == []


def test_two_lines_with_the_same_key_are_refused():
    with pytest.raises(CardError) as caught:
        Card(
            Level.POST,
            WeightConvention.OF_TOTAL,
            {"financial": D(100)},
            [line("a"), line("a", code="other")],
        )
    assert caught.value.field == "lines"


def test_a_card_is_immutable():
    card = within_card()
    with pytest.raises(AttributeError):
        card.max_lines = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        card.perspective_weights["financial"] = D(1)  # type: ignore[index]


# ---------------------------------------------------------------------------------------
# Effective weights


def test_within_perspective_effective_weight_is_perspective_weight_times_line_weight():
    weights = effective_weights(within_card())
    assert weights["financial-1"] == D("20.00")
    assert weights["financial-2"] == D("20.00")
    assert weights["customer-1"] == D("15.00")
    assert weights["internal_process-1"] == D("10.00")
    assert weights["learning_growth-2"] == D("5.00")
    assert sum(weights.values()) == D("100.00")


def test_of_total_effective_weights_are_the_line_weights():
    weights = effective_weights(total_card())
    assert weights == {
        "financial-1": D("20.00"),
        "financial-2": D("20.00"),
        "customer-1": D("15.00"),
        "customer-2": D("15.00"),
        "internal_process-1": D("10.00"),
        "internal_process-2": D("10.00"),
        "learning_growth-1": D("5.00"),
        "learning_growth-2": D("5.00"),
    }


def test_a_veto_line_has_an_effective_weight_of_0():
    card = within_card(
        line("nni", "internal_process", "0", type="NNI", target="0", method="zero_one")
    )
    assert effective_weights(card)["nni"] == D("0.00")


def test_effective_weights_are_rounded_by_largest_remainder_to_add_up_to_100():
    # Three perspectives of 100/3 % each are not possible in 2 places, but thirds of a line are:
    # 70 x 33.33/100 = 23.331, 70 x 33.33/100 = 23.331, 70 x 33.34/100 = 23.338; 30 x 100/100 = 30.
    lines = [
        line("a", "financial", "33.33"),
        line("b", "financial", "33.33"),
        line("c", "financial", "33.34"),
        line("d", "customer", "100"),
    ]
    card = Card(
        Level.POST,
        WeightConvention.WITHIN_PERSPECTIVE,
        {"financial": D(70), "customer": D(30)},
        lines,
    )
    raw = unrounded_effective_weights(card)
    assert raw == {"a": D("23.331"), "b": D("23.331"), "c": D("23.338"), "d": D(30)}
    assert effective_weights(card) == {
        "a": D("23.33"),
        "b": D("23.33"),
        "c": D("23.34"),
        "d": D("30.00"),
    }


def test_largest_remainder_gives_the_missing_hundredth_to_the_biggest_remainder():
    # 10 x 33.35 / 100 = 3.335 three times (0.005 each lost) and 90 x 100/100; floors 3.33 x 3 + ...
    lines = [
        line("a", "financial", "33.35"),
        line("b", "financial", "33.35"),
        line("c", "financial", "33.30"),
        line("d", "customer", "100"),
    ]
    card = Card(
        Level.POST,
        WeightConvention.WITHIN_PERSPECTIVE,
        {"financial": D(10), "customer": D(90)},
        lines,
    )
    weights = effective_weights(card)
    assert weights == {"a": D("3.34"), "b": D("3.33"), "c": D("3.33"), "d": D("90.00")}
    assert sum(weights.values()) == D("100.00")


def test_effective_weights_refuse_a_card_not_adding_up_to_100():
    with pytest.raises(CardError) as caught:
        effective_weights(within_card(line("extra", "customer", "10")))
    assert caught.value.message == "The effective weights add up to 103%, not 100%."


@st.composite
def random_within_cards(draw):
    count = draw(st.integers(1, 4))
    cuts = sorted(
        draw(
            st.lists(
                st.integers(1, 9999),
                min_size=count - 1,
                max_size=count - 1,
                unique=True,
            )
        )
    )
    bounds = [0, *cuts, 10000]
    perspective_weights = {
        f"p{n}": D(bounds[n + 1] - bounds[n]) / 100 for n in range(count)
    }
    lines = []
    for code in perspective_weights:
        parts = draw(st.integers(1, 5))
        line_cuts = sorted(
            draw(
                st.lists(
                    st.integers(1, 9999),
                    min_size=parts - 1,
                    max_size=parts - 1,
                    unique=True,
                )
            )
        )
        line_bounds = [0, *line_cuts, 10000]
        for n in range(parts):
            lines.append(
                line(
                    f"{code}-{n}",
                    code,
                    str(D(line_bounds[n + 1] - line_bounds[n]) / 100),
                )
            )
    return Card(
        Level.POST, WeightConvention.WITHIN_PERSPECTIVE, perspective_weights, lines
    )


@given(random_within_cards())
def test_effective_weights_always_add_up_to_exactly_100(card):
    assert check_card(card) == []
    weights = effective_weights(card)
    assert sum(weights.values()) == D("100.00")
    raw = unrounded_effective_weights(card)
    for key, weight in weights.items():
        assert weight.as_tuple().exponent == -2
        assert abs(weight - raw[key]) < D("0.01")


# ---------------------------------------------------------------------------------------
# Expert weighting


def test_a_round_result_replaces_the_perspective_weights():
    result = {
        "financial": D(25),
        "customer": D(25),
        "internal_process": D(25),
        "learning_growth": D(25),
    }
    card = apply_weighting_result(within_card(), result, "perspectives")
    assert dict(card.perspective_weights) == result
    assert effective_weights(card)["financial-1"] == D("12.50")
    assert check_card(card) == []


def test_a_round_result_replaces_the_line_weights_and_leaves_the_original_alone():
    original = total_card()
    result = {line.key: D("12.5") for line in original.lines}
    card = apply_weighting_result(original, result, "lines")
    assert [line.weight for line in card.lines] == [D("12.5")] * 8
    assert original.lines[0].weight == D(20)
    assert [p.perspective for p in check_card(card) if p.perspective] == list(
        PERSPECTIVES
    )


def test_a_round_over_one_perspective_replaces_only_its_lines():
    card = apply_weighting_result(
        within_card(),
        {"customer-1": D(70), "customer-2": D(30)},
        "lines",
        perspective="customer",
    )
    weights = {line.key: line.weight for line in card.lines}
    assert weights["customer-1"] == D(70)
    assert weights["customer-2"] == D(30)
    assert weights["financial-1"] == D(50)
    assert effective_weights(card)["customer-1"] == D("21.00")


def test_a_round_result_with_an_unknown_key_is_refused():
    result = {**PERSPECTIVES, "marketing": D(0)}
    with pytest.raises(CardError) as caught:
        apply_weighting_result(within_card(), result, "perspectives")
    assert caught.value.message == "“marketing” is not on this scorecard."


def test_a_round_result_with_a_missing_key_is_refused():
    result = {"financial-1": D(50)}
    with pytest.raises(CardError) as caught:
        apply_weighting_result(within_card(), result, "lines", perspective="financial")
    assert caught.value.message == "The result has no weight for financial-2."


def test_a_round_result_cannot_weigh_a_veto_line():
    card = within_card(
        line("nni", "internal_process", "0", type="NNI", method="zero_one", target="0")
    )
    result = {"internal_process-1": D(50), "internal_process-2": D(50), "nni": D(0)}
    with pytest.raises(CardError) as caught:
        apply_weighting_result(card, result, "lines", perspective="internal_process")
    assert "veto (NNI) line" in caught.value.message


def test_a_round_result_refuses_a_negative_or_float_weight():
    result = {**PERSPECTIVES, "financial": D(-1)}
    with pytest.raises(CardError):
        apply_weighting_result(within_card(), result, "perspectives")
    with pytest.raises(TypeError):
        apply_weighting_result(
            within_card(), {**PERSPECTIVES, "financial": 40.0}, "perspectives"
        )


def test_a_round_result_for_an_unknown_target_is_refused():
    with pytest.raises(CardError):
        apply_weighting_result(within_card(), PERSPECTIVES, "objectives")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Veto


def test_no_veto_leaves_the_total_unchanged():
    assert apply_veto(D("87.456"), False, VetoMode.ZERO) == D("87.46")


def test_a_zero_veto_sets_the_total_to_0():
    assert apply_veto(D("92.5"), True, VetoMode.ZERO) == D("0.00")


def test_a_cap_veto_lowers_the_total_to_the_ceiling():
    assert apply_veto(D("92.5"), True, VetoMode.CAP, ceiling=D(60)) == D("60.00")


def test_a_cap_veto_never_raises_a_total():
    assert apply_veto(D("45"), True, VetoMode.CAP, ceiling=D(60)) == D("45.00")


def test_a_deduct_veto_takes_off_a_fixed_number_of_points():
    assert apply_veto(D("92.5"), True, VetoMode.DEDUCT, deduction=D(20)) == D("72.50")


def test_a_deduct_veto_never_goes_below_0():
    assert apply_veto(D("12"), True, "deduct", deduction=D(20)) == D("0.00")


def test_a_cap_veto_needs_a_ceiling():
    with pytest.raises(CardError) as caught:
        apply_veto(D(90), True, VetoMode.CAP)
    assert caught.value.field == "ceiling"


def test_a_deduct_veto_needs_a_deduction():
    with pytest.raises(CardError) as caught:
        apply_veto(D(90), True, VetoMode.DEDUCT)
    assert caught.value.field == "deduction"


def test_veto_refuses_floats_and_unknown_modes():
    with pytest.raises(TypeError):
        apply_veto(90.0, True, VetoMode.ZERO)
    with pytest.raises(CardError) as caught:
        apply_veto(D(90), True, "halve")
    assert caught.value.field == "mode"


totals = st.decimals(min_value=0, max_value=150, places=2)


@given(totals, st.sampled_from(list(VetoMode)), totals, totals)
def test_a_veto_never_raises_the_total_nor_goes_below_0(
    total, mode, ceiling, deduction
):
    vetoed = apply_veto(total, True, mode, ceiling=ceiling, deduction=deduction)
    assert D(0) <= vetoed <= total


# ---------------------------------------------------------------------------------------
# Sales front line


def front_line_card():
    weights = {"f1": D(20), "f2": D(20), "c": D(30), "i": D(20), "l": D(10)}
    perspectives = {
        "f1": "financial",
        "f2": "financial",
        "c": "customer",
        "i": "internal_process",
        "l": "learning_growth",
    }
    return weights, perspectives


def test_front_line_financial_score_is_the_weighted_mean_of_the_financial_lines():
    weights, perspectives = front_line_card()
    scores = {"f1": D(80), "f2": D(60), "c": D(90), "i": D(70), "l": D(50)}
    result = front_line_totals(scores, weights, perspectives)
    assert result.financial_score == D("70.00")


def test_front_line_bsc_total_counts_the_financial_lines_at_full_marks():
    weights, perspectives = front_line_card()
    scores = {"f1": D(80), "f2": D(60), "c": D(90), "i": D(70), "l": D(50)}
    result = front_line_totals(scores, weights, perspectives)
    # (20 x 100 + 20 x 100 + 30 x 90 + 20 x 70 + 10 x 50) / 100 = (4000 + 2700 + 1400 + 500) / 100
    assert result == FrontLineResult(financial_score=D("70.00"), bsc_total=D("86.00"))


def test_front_line_financial_weights_are_renormalised_within_the_perspective():
    weights = {"f1": D(30), "f2": D(10), "c": D(60)}
    perspectives = {"f1": "financial", "f2": "financial", "c": "customer"}
    result = front_line_totals(
        {"f1": D(80), "f2": D(40), "c": D(50)}, weights, perspectives
    )
    # (30 x 80 + 10 x 40) / 40 = 70; (30 x 100 + 10 x 100 + 60 x 50) / 100 = 70
    assert result == FrontLineResult(D("70.00"), D("70.00"))


def test_front_line_with_a_custom_full_score():
    weights, perspectives = front_line_card()
    scores = {"f1": D(80), "f2": D(60), "c": D(90), "i": D(70), "l": D(50)}
    assert front_line_totals(scores, weights, perspectives, D(120)).bsc_total == D(
        "94.00"
    )


def test_front_line_without_financial_lines_has_no_financial_score():
    result = front_line_totals({"c": D(90)}, {"c": D(100)}, {"c": "customer"})
    assert result == FrontLineResult(None, D("90.00"))


def test_front_line_not_applicable_lines_need_an_explicit_policy():
    weights, perspectives = front_line_card()
    scores = {"f1": D(80), "f2": None, "c": D(90), "i": D(70), "l": None}
    with pytest.raises(CardError) as caught:
        front_line_totals(scores, weights, perspectives)
    assert caught.value.field == "policy"
    excluded = front_line_totals(
        scores, weights, perspectives, policy=NotApplicablePolicy.EXCLUDE
    )
    # financial: only f1 counts -> 80; total: (20 x 100 + 20 x 100 + 30 x 90 + 20 x 70) / 90 = 8100 / 90
    assert excluded == FrontLineResult(D("80.00"), D("90.00"))
    zero = front_line_totals(
        scores, weights, perspectives, policy=NotApplicablePolicy.ZERO
    )
    # financial: (20 x 80 + 20 x 0) / 40 = 40; total: 8100 / 100
    assert zero == FrontLineResult(D("40.00"), D("81.00"))


def test_front_line_refuses_mismatched_keys():
    weights, perspectives = front_line_card()
    with pytest.raises(CardError):
        front_line_totals({"f1": D(80)}, weights, perspectives)
    with pytest.raises(CardError):
        front_line_totals({"c": D(80)}, {"c": D(100)}, {})


def test_front_line_refuses_float_scores():
    with pytest.raises(TypeError):
        front_line_totals({"c": 80.0}, {"c": D(100)}, {"c": "customer"})
