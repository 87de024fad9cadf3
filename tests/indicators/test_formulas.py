"""indicators/formulas.py: safe Decimal arithmetic on named inputs."""

from decimal import Decimal, localcontext

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from indicators.formulas import (
    MAX_LENGTH,
    DivisionByZeroError,
    Formula,
    FormulaError,
    FormulaSyntaxError,
    InvalidInputError,
    MissingInputError,
    NumberTooLargeError,
    UnknownFunctionError,
    UnknownNameError,
    UnsupportedOperatorError,
    evaluate,
    parse,
    validate,
)

D = Decimal

NOT_ALLOWED = " is not allowed in a formula: use numbers, input names, + - * / ( ) and min, max, abs, round."

numbers = st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=D("-1000000000"), max_value=D("1000000000"))


def error_of(kind, call, *args):
    with pytest.raises(kind) as caught:
        call(*args)
    assert isinstance(caught.value, FormulaError)
    assert str(caught.value) == caught.value.message
    return caught.value


# --- evaluating ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "inputs", "expected"),
    [
        ("planned_cost / actual_cost * 100", {"planned_cost": "45", "actual_cost": "60"}, "75"),
        ("实际费用 / 计划费用 * 100", {"实际费用": "50", "计划费用": "40"}, "125"),
        ("(a + b) * c", {"a": "1", "b": "2", "c": "3"}, "9"),
        ("a + b * c", {"a": "1", "b": "2", "c": "3"}, "7"),
        ("-a + 5", {"a": "2"}, "3"),
        ("+a", {"a": "2"}, "2"),
        ("a - -b", {"a": "2", "b": "3"}, "5"),
        ("min(a, b, 7)", {"a": "9", "b": "8"}, "7"),
        ("max(a, b)", {"a": "9", "b": "8"}, "9"),
        ("abs(a - b)", {"a": "2", "b": "8"}, "6"),
        ("round(a / b, 2)", {"a": "2", "b": "3"}, "0.67"),
        ("round(2.675, 2)", {}, "2.68"),  # half up (a float would give 2.67)
        ("round(2.5)", {}, "3"),  # half up, not to even
        ("round(-2.5)", {}, "-3"),
        ("a ** 2", {"a": "1.5"}, "2.25"),
        ("(1 + r) ** 3", {"r": "0.1"}, "1.331"),
        ("1_000 + 1", {}, "1001"),
        ("1e3 * 2", {}, "2000"),
        ("a", {"a": "42.50"}, "42.50"),
    ],
)
def test_formulas_compute_hand_checked_values(text, inputs, expected):
    result = evaluate(text, {name: D(value) for name, value in inputs.items()})
    assert isinstance(result, Decimal)
    assert result == D(expected)


def test_decimal_literals_add_up_exactly():
    assert evaluate("0.1 + 0.2", {}) == D("0.3")


def test_literals_keep_all_their_digits():
    assert evaluate("0.12345678901234567890123 + 0", {}) == D("0.12345678901234567890123")


def test_a_product_keeps_its_decimal_places():
    assert str(evaluate("1.10 * 3", {})) == "3.30"


def test_a_formula_object_and_its_text_evaluate_alike():
    formula = parse("a / b * 100")
    assert evaluate(formula, {"a": D("1"), "b": D("8")}) == evaluate("a / b * 100", {"a": D("1"), "b": D("8")}) == D("12.5")


def test_int_inputs_are_accepted_and_divided_as_decimals():
    assert evaluate("a / b", {"a": 1, "b": 4}) == D("0.25")


def test_extra_inputs_are_ignored():
    assert evaluate("a", {"a": D("1"), "unused": D("2")}) == D("1")


def test_full_width_punctuation_from_a_chinese_keyboard_is_read_as_ascii():
    assert evaluate("（实际＋１）×２÷４", {"实际": D("3")}) == D("2")


def test_full_width_letters_in_names_match_their_ascii_inputs():
    formula = parse("ａ + 1")
    assert formula.names == frozenset({"a"})
    assert evaluate(formula, {"a": D("1")}) == D("2")


def test_a_formula_may_span_lines():
    assert evaluate("(a\n + b)", {"a": D("1"), "b": D("2")}) == D("3")


def test_results_do_not_depend_on_the_callers_decimal_context():
    with localcontext() as context:
        context.prec = 3
        result = evaluate("a / b", {"a": D("1"), "b": D("3")})
    assert result == D("0.3333333333333333333333333333333333")


@given(a=numbers, b=numbers)
def test_a_ratio_formula_equals_decimal_arithmetic(a, b):
    assume(b != 0)
    with localcontext() as context:
        context.prec = 34
        expected = a / b * 100
    assert evaluate("a / b * 100", {"a": a, "b": b}) == expected


@given(a=numbers, b=numbers, c=numbers)
def test_sums_and_products_equal_decimal_arithmetic(a, b, c):
    with localcontext() as context:
        context.prec = 34
        expected = (a + b) * c - a
    assert evaluate("(a + b) * c - a", {"a": a, "b": b, "c": c}) == expected


@given(value=numbers)
def test_a_literal_evaluates_to_itself(value):
    assert evaluate(str(value), {}) == value


@given(a=numbers, b=numbers)
def test_min_and_max_pick_the_smaller_and_larger_input(a, b):
    assert evaluate("min(a, b)", {"a": a, "b": b}) == min(a, b)
    assert evaluate("max(a, b)", {"a": a, "b": b}) == max(a, b)


@given(text=st.text(max_size=80))
def test_parsing_any_text_either_succeeds_or_raises_a_formula_error(text):
    try:
        formula = parse(text)
    except FormulaError:
        return
    assert isinstance(formula, Formula)


@given(text=st.text(alphabet="ab01.+-*/(),% <", max_size=30), a=numbers, b=numbers)
def test_evaluating_any_arithmetic_either_gives_a_decimal_or_a_formula_error(text, a, b):
    try:
        result = evaluate(text, {"a": a, "b": b})
    except FormulaError:
        return
    assert isinstance(result, Decimal)


# --- parsing and validating ------------------------------------------------------------


def test_parse_returns_the_text_and_the_names_used():
    assert parse("planned_cost / actual_cost * 100") == Formula(
        text="planned_cost / actual_cost * 100", names=frozenset({"planned_cost", "actual_cost"})
    )


def test_parse_finds_chinese_names():
    assert parse("实际费用 / 计划费用 * 100").names == frozenset({"实际费用", "计划费用"})


def test_function_names_are_not_inputs():
    assert parse("round(max(a, b), 1)").names == frozenset({"a", "b"})


def test_validate_accepts_a_formula_using_only_allowed_names():
    assert validate("a / b", {"a", "b", "c"}).names == frozenset({"a", "b"})


def test_validate_accepts_chinese_names():
    formula = validate("实际费用 / 计划费用 * 100", ["实际费用", "计划费用"])
    assert formula.names == frozenset({"实际费用", "计划费用"})


def test_validate_refuses_unknown_names_and_lists_the_inputs():
    error = error_of(UnknownNameError, validate, "a + b + c", {"a"})
    assert error.names == ("b", "c")
    assert error.message == "Unknown input: b, c. The inputs are: a."


def test_validate_refuses_any_name_when_there_are_no_inputs():
    error = error_of(UnknownNameError, validate, "a + 1", set())
    assert error.message == "Unknown input: a. No inputs are defined."


def test_validate_without_allowed_names_checks_only_the_syntax():
    assert validate("anything * 2").names == frozenset({"anything"})


def test_validate_checks_the_syntax_before_the_names():
    error_of(FormulaSyntaxError, validate, "a +", {"a"})


# --- errors ----------------------------------------------------------------------------


def test_percent_sign_is_refused_with_advice_to_multiply_by_100():
    error = error_of(UnsupportedOperatorError, parse, "a % b")
    assert error.message == "“%” is not supported: write percentages as “* 100”, e.g. a / b * 100."
    assert error.operator == "%"
    assert error.position == 3


def test_full_width_percent_sign_is_refused_too():
    error = error_of(UnsupportedOperatorError, parse, "实际费用 ％ 计划费用")
    assert error.operator == "%"
    assert error.position == 6


@pytest.mark.parametrize(
    ("text", "operator", "message"),
    [
        ("a // b", "//", "“//” is not supported: use “/” and round() if needed."),
        ("a ** b", "**", "“**” needs a whole-number exponent from 1 to 10, e.g. x ** 2."),
        ("a ** 11", "**", "“**” needs a whole-number exponent from 1 to 10, e.g. x ** 2."),
        ("a ** 0", "**", "“**” needs a whole-number exponent from 1 to 10, e.g. x ** 2."),
        ("a ** 2.5", "**", "“**” needs a whole-number exponent from 1 to 10, e.g. x ** 2."),
        ("a ** -1", "**", "“**” needs a whole-number exponent from 1 to 10, e.g. x ** 2."),
        ("9 ** 9 ** 9", "**", "“**” needs a whole-number exponent from 1 to 10, e.g. x ** 2."),
        ("a < b", "<", "Comparisons (“<”) are not supported: a formula computes a number."),
        ("a == b", "==", "Comparisons (“==”) are not supported: a formula computes a number."),
        ("a and b", "and", "“and” is not supported: a formula computes a number."),
        ("a or b", "or", "“or” is not supported: a formula computes a number."),
        ("not a", "not", "“not” is not supported: a formula computes a number."),
        ("a | b", "|", "“|” is not supported; use + - * / and parentheses."),
        ("a << 2", "<<", "“<<” is not supported; use + - * / and parentheses."),
        ("~a", "~", "“~” is not supported; use + - * / and parentheses."),
    ],
)
def test_operators_other_than_arithmetic_are_refused(text, operator, message):
    error = error_of(UnsupportedOperatorError, parse, text)
    assert error.operator == operator
    assert error.message == message


def test_an_operator_error_points_at_the_operator():
    assert error_of(UnsupportedOperatorError, parse, "a + b // c").position == 7


def test_attribute_access_is_refused():
    error = error_of(FormulaSyntaxError, parse, "a.__class__")
    assert error.message == "“.__class__”: attribute access is not allowed in a formula."


def test_calling_a_method_is_refused():
    error = error_of(FormulaSyntaxError, parse, "__import__('os').system('ls')")
    assert "attribute access is not allowed" in error.message


def test_dunder_import_is_an_unknown_function():
    error = error_of(UnknownFunctionError, parse, "__import__('os')")
    assert error.name == "__import__"
    assert error.message == "Unknown function “__import__”; the functions are min, max, abs, round."
    assert error.position == 1


def test_an_unknown_function_is_named():
    error = error_of(UnknownFunctionError, parse, "a + sqrt(b)")
    assert error.message == "Unknown function “sqrt”; the functions are min, max, abs, round."
    assert error.position == 5


def test_builtins_are_not_functions_of_a_formula():
    for text in ("eval('1')", "open('x')", "pow(a, 2)", "int(a)"):
        error_of(UnknownFunctionError, parse, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lambda: 1", "“lambda”" + NOT_ALLOWED),
        ("(lambda x: x)(1)", "“lambda”" + NOT_ALLOWED),
        ("[x for x in a]", "“list comprehension”" + NOT_ALLOWED),
        ("a if b else c", "“if ... else”" + NOT_ALLOWED),
        ("{'a': 1}", "“{...} (dict)”" + NOT_ALLOWED),
        ("a, b", "“a, b (tuple)”" + NOT_ALLOWED),
        ("a[0]", "“[ ]”: subscripts are not allowed in a formula."),
        ("'text'", "Text is not allowed in a formula; use numbers and input names."),
        ("f'{a}'", "Text is not allowed in a formula; use numbers and input names."),
        ("True", "“True” is not a number."),
        ("None", "“None” is not a number."),
        ("2j", "Imaginary numbers are not supported."),
        ("min", "“min” is a function: call it, e.g. min(a, b)."),
        ("min(a)", "min() needs at least two values."),
        ("abs(a, b)", "abs() takes one value."),
        ("round()", "round() takes a value and, optionally, a number of decimal places."),
        ("round(a, b)", "round()'s decimal places must be a whole number from 0 to 10."),
        ("round(a, 11)", "round()'s decimal places must be a whole number from 0 to 10."),
        ("max(a, b, key=c)", "Named arguments are not supported in max()."),
        ("max(*a)", "“*” is not supported in max()."),
        ("1e200", "The number 1e200 is too large."),
        ("1e999", "The number 1e999 is too large."),  # a float literal would be infinite
    ],
)
def test_constructs_beyond_arithmetic_are_refused(text, message):
    assert error_of(FormulaSyntaxError, parse, text).message == message


@pytest.mark.parametrize("text", ["a = 1", "a := 1", "import os", "a; b", "def f(): pass", "a +* b"])
def test_statements_and_broken_syntax_are_syntax_errors(text):
    error_of(FormulaSyntaxError, parse, text)


def test_a_syntax_error_gives_the_position():
    error = error_of(FormulaSyntaxError, parse, "a b")
    assert error.position == 3
    assert error.message == "The formula is not valid at character 3."


def test_a_syntax_error_position_counts_chinese_characters_as_one():
    error = error_of(FormulaSyntaxError, parse, "实际费用 / / 计划")
    assert error.position == 8


def test_positions_count_leading_blanks():
    assert error_of(UnsupportedOperatorError, parse, "  a % b").position == 5


def test_an_unclosed_parenthesis_is_reported():
    error = error_of(FormulaSyntaxError, parse, "(a + b")
    assert error.position == 1
    assert error.message == "The parenthesis at character 1 is never closed."


def test_an_unmatched_closing_parenthesis_is_reported():
    error = error_of(FormulaSyntaxError, parse, "a + b)")
    assert error.position == 6
    assert error.message == "The parenthesis at character 6 closes nothing."


def test_an_incomplete_formula_is_reported():
    assert error_of(FormulaSyntaxError, parse, "a +").message == "The formula is incomplete."


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_formula_is_refused(text):
    assert error_of(FormulaSyntaxError, parse, text).message == "The formula is empty."


def test_a_control_character_is_refused():
    error = error_of(FormulaSyntaxError, parse, "a\x00+ b")
    assert error.message == "The formula has an invalid character at character 2."
    assert error.position == 2


def test_a_formula_of_the_maximum_length_is_accepted():
    text = "a" * MAX_LENGTH
    assert parse(text).names == frozenset({text})


def test_a_formula_over_the_maximum_length_is_refused():
    error = error_of(FormulaSyntaxError, parse, "a" * (MAX_LENGTH + 1))
    assert error.message == "The formula is too long (501 characters; at most 500)."


def test_a_deeply_nested_formula_is_refused():
    assert error_of(FormulaSyntaxError, parse, "-" * 100 + "a").message == "The formula is nested too deeply."


def test_too_many_parentheses_are_refused():
    error_of(FormulaSyntaxError, parse, "(" * 240 + "a" + ")" * 240)


def test_a_missing_input_is_named():
    error = error_of(MissingInputError, evaluate, "a + b + c", {"a": D("1")})
    assert error.names == ("b", "c")
    assert error.message == "Missing input: b, c."


def test_a_missing_chinese_input_is_named():
    error = error_of(MissingInputError, evaluate, "实际费用 / 计划费用", {"实际费用": D("1")})
    assert error.message == "Missing input: 计划费用."


def test_division_by_zero_names_the_formula_and_the_divisor():
    error = error_of(DivisionByZeroError, evaluate, "a / b * 100", {"a": D("1"), "b": D("0")})
    assert error.message == "Division by zero in “a / b * 100”: “b” is 0."
    assert error.divisor == "b"
    assert error.formula == "a / b * 100"
    assert error.position == 5


def test_division_by_a_zero_expression_names_the_expression():
    error = error_of(DivisionByZeroError, evaluate, "a / (b - c)", {"a": D("1"), "b": D("2"), "c": D("2")})
    assert error.message == "Division by zero in “a / (b - c)”: “b - c” is 0."


def test_zero_divided_by_zero_is_a_division_by_zero():
    error_of(DivisionByZeroError, evaluate, "0 / 0", {})


def test_a_huge_result_is_refused():
    error = error_of(NumberTooLargeError, evaluate, "((a ** 10) ** 10) ** 10", {"a": D("1000")})
    assert error.message == "The result of “((a ** 10) ** 10) ** 10” is too large."


def test_rounding_a_huge_number_is_refused():
    error_of(NumberTooLargeError, evaluate, "round(a, 10)", {"a": D("1e60")})


def test_a_float_input_is_refused():
    with pytest.raises(TypeError, match="float"):
        evaluate("a * 2", {"a": 0.1})


def test_a_float_input_is_refused_even_if_unused():
    with pytest.raises(TypeError):
        evaluate("a * 2", {"a": D("1"), "b": 0.5})


@pytest.mark.parametrize("value", ["1", True, None])
def test_inputs_that_are_not_numbers_are_refused(value):
    with pytest.raises(TypeError):
        evaluate("a * 2", {"a": value})


def test_a_non_finite_input_is_refused():
    error = error_of(InvalidInputError, evaluate, "a * 2", {"a": D("NaN")})
    assert error.message == "The input a is not a finite number."


def test_a_formula_must_be_text():
    with pytest.raises(TypeError):
        parse(42)


def test_errors_keep_a_template_and_params_for_translation():
    error = error_of(MissingInputError, evaluate, "a + b", {})
    assert error.template == "Missing input: %(names)s."
    assert error.template % error.params == error.message
    assert isinstance(error, ValueError)
