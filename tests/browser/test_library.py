"""HR works with the indicator library: filters, the formula tester and the edit form
whose parameter fields follow the scoring method."""

import re
from importlib import import_module

import pytest
from playwright.sync_api import expect

from indicators import scoring
from indicators.models import Indicator
from strategy.models import Perspective
from tests.indicators.factories import IndicatorFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("translations")]

# (code, English, Chinese, order): the rows the migration ships.
PERSPECTIVES = import_module("strategy.migrations.0002_perspectives").PERSPECTIVES
METHODS = ["percentage", "interval", "zero_one", "deduction", "description"]
FORMULA = "planned_cost / actual_cost * 100"


@pytest.fixture
def library(world):
    """Five indicators over the four perspectives; the cost one computes its actual."""
    # Transactional tests flush the migration's rows; put them back with both names.
    perspectives = {
        code: Perspective.objects.update_or_create(code=code, defaults={"name_en": en, "name_zh": zh, "sort_order": order})[0]
        for code, en, zh, order in PERSPECTIVES
    }
    rows = [  # code, perspective, English, Chinese, extra
        ("FIN-01", "financial", "Revenue growth rate", "销售收入增长率", {"unit": "%"}),
        ("FIN-02", "financial", "Cost control rate", "成本控制率", {"unit": "%", "formula": FORMULA, "definition_zh": "计划成本与实际成本之比"}),
        ("CUS-01", "customer", "Customer satisfaction", "客户满意度", {"unit": "%"}),
        ("CUS-02", "customer", "Customer complaints", "客户投诉次数", {"direction": "lower_better", "unit": "次"}),
        ("LRN-01", "learning_growth", "Training hours per employee", "人均培训时数", {"unit": "h"}),
    ]
    # Stored as the service stores them: the full parameters, not {}.
    params = scoring.default_params("percentage").to_dict()
    return {
        code: IndicatorFactory(code=code, perspective=perspectives[band], name_en=en, name_zh=zh, scoring_params=params, **extra)
        for code, band, en, zh, extra in rows
    }


def switch_to_chinese(page):
    page.locator("form.lang").get_by_role("button", name="中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def listed_codes(page):
    return page.locator("tbody tr td:first-child")


def test_hr_filters_the_library_by_perspective_and_by_chinese_text(page, log_in, screenshot, library):
    log_in(page, "hr")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="KPI library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("KPI library")
    expect(listed_codes(page)).to_have_text(sorted(library))

    page.get_by_label("Perspective").select_option(label="Customer")
    page.get_by_role("button", name="Filter").click()

    expect(listed_codes(page)).to_have_text(["CUS-01", "CUS-02"])
    expect(page.get_by_text("2 indicators")).to_be_visible()

    page.get_by_label("Perspective").select_option(label="---------")
    page.get_by_label("Search").fill("成本")
    page.get_by_role("button", name="Filter").click()

    expect(listed_codes(page)).to_have_text(["FIN-02"])
    expect(page.get_by_label("Search")).to_have_value("成本")
    screenshot(page, "en")

    switch_to_chinese(page)
    # The filter survives the switch; names follow the language.
    expect(listed_codes(page)).to_have_text(["FIN-02"])
    expect(page.locator("tbody tr").first).to_contain_text("成本控制率")
    expect(page.locator("tbody tr").first).not_to_contain_text("Cost control rate")
    screenshot(page, "zh-hans")


def open_cost_indicator(page, library):
    page.goto("/library/?q=成本")
    page.get_by_role("link", name="Cost control rate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("FIN-02 Cost control rate")
    return page.locator("section.tester")


def calculate(tester, *, planned_cost, actual_cost, target):
    """Fill the tester by field id: the labels change with the language."""
    tester.locator("#id_input_planned_cost").fill(planned_cost)
    tester.locator("#id_input_actual_cost").fill(actual_cost)
    tester.locator("#id_target").fill(target)
    tester.locator("button[type=submit]").click()


def test_the_formula_tester_computes_the_actual_from_the_inputs_and_scores_it(page, log_in, screenshot, library):
    log_in(page, "hr")
    tester = open_cost_indicator(page, library)
    expect(tester).to_contain_text(FORMULA)
    expect(page.locator("dl.facts").first).to_contain_text("cap 120, floor 0")
    # One field per name in the formula, in alphabetical order.
    expect(tester.locator("input[name^=input_]")).to_have_count(2)
    expect(tester.locator("label[for^=id_input_]")).to_have_text([re.compile("^actual_cost$", re.I), re.compile("^planned_cost$", re.I)])
    expect(tester.get_by_label("Target", exact=True)).to_be_visible()
    expect(tester.get_by_role("button", name="Calculate")).to_be_visible()

    calculate(tester, planned_cost="90", actual_cost="100", target="80")

    tester = page.locator("section.tester")
    expect(tester.get_by_test_id("actual")).to_have_text(re.compile(r"^90(\.0+)?$"))
    expect(tester.get_by_test_id("achievement")).to_have_text("112.50 %")
    expect(tester.get_by_test_id("score")).to_have_text("112.50")
    # What was typed is kept, so the next try starts from it.
    expect(tester.get_by_label("planned_cost")).to_have_value("90")
    screenshot(page, "en")

    switch_to_chinese(page)
    calculate(page.locator("section.tester"), planned_cost="90", actual_cost="100", target="80")
    expect(page.get_by_test_id("score")).to_have_text("112.50")
    expect(page.get_by_role("heading", level=1)).to_have_text("FIN-02 成本控制率")
    screenshot(page, "zh-hans")


def test_the_formula_tester_reports_a_division_by_zero(page, log_in, screenshot, library):
    log_in(page, "hr")
    tester = open_cost_indicator(page, library)

    calculate(tester, planned_cost="90", actual_cost="0", target="80")

    tester = page.locator("section.tester")
    expect(tester.get_by_role("alert")).to_have_text(re.compile(r"Division by zero .*actual_cost.* is 0"))
    expect(tester.get_by_test_id("score")).to_have_count(0)
    screenshot(page)


def method_groups(page):
    return {method: page.locator(f'.method-params[data-method="{method}"]') for method in METHODS}


def expect_only_visible(page, method):
    for name, group in method_groups(page).items():
        if name == method:
            expect(group).to_be_visible()
        else:
            expect(group).to_be_hidden()


def test_the_edit_form_shows_only_the_parameters_of_the_chosen_scoring_method(page, log_in, screenshot, library):
    log_in(page, "hr")
    page.goto(f"/library/{library['CUS-01'].pk}/")
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit CUS-01 Customer satisfaction")
    expect_only_visible(page, "percentage")
    expect(page.get_by_label("Cap", exact=True)).to_be_visible()

    for method in ["interval", "zero_one", "deduction", "description", "percentage"]:
        page.get_by_label("Scoring method").select_option(method)
        expect_only_visible(page, method)

    page.get_by_label("Scoring method").select_option("interval")
    expect(page.get_by_label("Bands", exact=True)).to_be_visible()
    screenshot(page, "en")

    switch_to_chinese(page)
    expect_only_visible(page, "percentage")
    screenshot(page, "zh-hans")


def test_interval_bands_with_a_gap_are_refused_at_the_bands_field(page, log_in, screenshot, library):
    indicator = library["CUS-01"]
    log_in(page, "hr")
    page.goto(f"/library/{indicator.pk}/edit/")

    page.get_by_label("Scoring method").select_option("interval")
    page.get_by_label("Bands", exact=True).fill("| 60 | 0\n70 | | 100")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Edit CUS-01 Customer satisfaction")
    bands_field = page.locator(".field", has=page.get_by_label("Bands", exact=True))
    expect(bands_field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(bands_field.locator(".error")).to_have_text(re.compile(r"gap between band 1 .* and band 2"))
    expect(page.locator(".field.has-error")).to_have_count(1)
    # The chosen method and what was typed are kept, and still shown.
    expect_only_visible(page, "interval")
    expect(page.get_by_label("Bands", exact=True)).to_have_value("| 60 | 0\n70 | | 100")
    expect(page.locator(".messages")).to_have_count(0)
    screenshot(page)
    assert Indicator.objects.get(pk=indicator.pk).scoring_method == "percentage"
