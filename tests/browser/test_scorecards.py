"""Scorecards in the browser: HR builds a card in the editor (live weight totals, the
library search), the GM approves the company card, an employee reads their own card with
its phasing chart, and the cascade pages render; in English and Chinese."""

import re
from decimal import Decimal
from importlib import import_module

import pytest
from playwright.sync_api import expect

from scorecards import services
from scorecards.models import Level, VersionStatus
from strategy.models import Perspective
from tests.scorecards.factories import indicator, valid_card

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("translations")]

PERSPECTIVES = import_module("strategy.migrations.0002_perspectives").PERSPECTIVES
D = Decimal


@pytest.fixture
def perspectives():
    """Transactional tests flush the migration's rows; put them back with both names."""
    return {
        code: Perspective.objects.update_or_create(code=code, defaults={"name_en": en, "name_zh": zh, "sort_order": order})[0]
        for code, en, zh, order in PERSPECTIVES
    }


@pytest.fixture
def cards(world, perspectives):
    """An approved-ready company card and department A's card linked to it, plus the
    post card of emp_a with a seasonal profile line."""
    hr = world.hr.user
    revenue = indicator("REV", "financial", unit="万元", name_en="Sales revenue", name_zh="销售收入")
    company, company_version = valid_card(hr, indicators=[
        revenue,
        indicator("CSAT", "customer", unit="%", name_en="Customer satisfaction", name_zh="客户满意度"),
        indicator("OTD", "internal_process", unit="%", name_en="On-time delivery", name_zh="准时交货率"),
        indicator("TRN", "learning_growth", unit="%", name_en="Training completion", name_zh="培训完成率"),
    ])
    department, department_version = valid_card(hr, level=Level.DEPARTMENT, department=world.dept_a, indicators=[
        revenue,
        indicator("DCS", "customer", name_en="Complaints closed", name_zh="投诉关闭数"),
        indicator("DPR", "internal_process", name_en="Orders shipped", name_zh="发货订单数"),
        indicator("DLG", "learning_growth", name_en="Courses held", name_zh="培训课程数"),
    ])
    services.link_line(
        by=hr, line=department_version.lines.get(indicator=revenue), upper_scorecard=company, upper_indicator=revenue, feed="sum"
    )
    profile = services.save_profile(
        by=hr, code="sales", name_en="Sales seasons", name_zh="销售季节", shares=["5", "4", "6", "7", "8", "8", "8", "8", "9", "10", "12", "15"]
    )
    post, post_version = valid_card(hr, level=Level.POST, post=world.post_a)
    post_line = post_version.lines.get(perspective__code="financial")
    services.save_line(by=hr, version=post_version, line=post_line, target=D("1200"), phasing="profile", profile=profile)
    services.submit_version(by=hr, version=post_version)
    services.approve_version(by=hr, version=post_version)
    indicator("NEWL", "customer", name_en="Repeat customers", name_zh="回头客数量")
    return {"company": company, "department": department, "post": post, "post_line": post_line}


def switch_to_chinese(page):
    page.locator("form.lang").get_by_role("button", name="中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def editor_row(page, code):
    return page.locator("tr.line", has=page.get_by_role("link", name=re.compile(rf"^{code} ")))


def test_hr_balances_the_weights_with_live_totals_and_saves(page, log_in, screenshot, world, cards):
    version = cards["company"].versions.get()
    log_in(page, "hr")
    page.goto(f"/scorecards/versions/{version.pk}/edit/")
    total = page.locator("#effective-total")
    expect(total).to_have_text("100.00")

    editor_row(page, "REV").locator("input[name$='-weight']").fill("35")
    expect(total).to_have_text("110.00")  # recomputed while typing, before any save
    expect(total).to_have_class("danger-text")
    page.locator("input[name='pw-financial']").fill("35")
    page.locator("input[name='pw-customer']").fill("15")
    editor_row(page, "CSAT").locator("input[name$='-weight']").fill("15")
    expect(total).to_have_text("100.00")
    expect(page.locator("#perspective-total")).to_have_text("100.00")
    screenshot(page, "en")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Scorecard saved.")
    line = version.lines.get(indicator__code="REV")
    assert line.weight == D("35")
    expect(page.locator("#problems")).to_have_count(0)


def test_hr_sees_unfinished_weights_next_to_the_perspective_and_in_chinese(page, log_in, screenshot, world, cards):
    version = cards["company"].versions.get()
    log_in(page, "hr")
    page.goto(f"/scorecards/versions/{version.pk}/edit/")
    editor_row(page, "OTD").locator("input[name$='-weight']").fill("20")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#problems")).to_contain_text("add up to 20%, 5 below its weight of 25%")
    expect(page.get_by_role("button", name="Submit for approval")).to_be_disabled()
    switch_to_chinese(page)
    expect(page.locator("#problems")).to_contain_text("内部流程")
    screenshot(page, "zh-hans")


def test_hr_adds_a_line_found_in_the_library(page, log_in, world, cards):
    version = cards["company"].versions.get()
    log_in(page, "hr")
    page.goto(f"/scorecards/versions/{version.pk}/edit/")
    page.locator("#library-search input[name=q]").fill("Repeat")
    results = page.locator("#library-results")
    expect(results).to_contain_text("NEWL")
    questions = []
    page.on("dialog", lambda dialog: questions.append(dialog.message) or dialog.accept())
    results.get_by_role("button", name="Add").click()
    expect(page.locator(".messages")).to_contain_text("NEWL added")
    expect(editor_row(page, "NEWL")).to_have_count(1)
    assert version.lines.filter(indicator__code="NEWL").exists()
    assert questions == ["Add this line? Changes not yet saved on this page are lost."]


def test_hr_removes_a_line_only_after_confirming(page, log_in, world, cards):
    version = cards["company"].versions.get()
    log_in(page, "hr")
    page.goto(f"/scorecards/versions/{version.pk}/edit/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    editor_row(page, "TRN").get_by_role("button", name="Remove").click()
    expect(editor_row(page, "TRN")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    editor_row(page, "TRN").get_by_role("button", name="Remove").click()
    expect(page.locator(".messages")).to_contain_text("Line removed.")
    expect(editor_row(page, "TRN")).to_have_count(0)


def test_the_line_page_shows_the_phasing_fields_that_apply(page, log_in, world, cards):
    line = cards["company"].versions.get().lines.get(indicator__code="REV")
    log_in(page, "hr")
    page.goto(f"/scorecards/lines/{line.pk}/")
    expect(page.get_by_label("Seasonal profile")).to_be_hidden()
    expect(page.locator("#id_months")).to_be_hidden()
    page.get_by_label("Phasing", exact=True).select_option("manual")
    expect(page.locator("#id_months")).to_be_visible()
    page.locator("#id_months").fill("1,000 " * 11 + "7,000")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Line saved.")
    expect(page.locator("table.months")).to_contain_text("7000")
    expect(page.get_by_role("alert")).to_contain_text("away from the annual target")


def test_the_gm_approves_the_company_card(page, log_in, screenshot, world, cards):
    version = cards["company"].versions.get()
    services.submit_version(by=world.hr.user, version=version)
    log_in(page, "gm")
    page.goto(f"/scorecards/{cards['company'].pk}/")
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Approved.")
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    screenshot(page)


def test_an_employee_reads_their_post_card_and_its_phasing(page, log_in, screenshot, world, cards):
    log_in(page, "emp_a")
    page.goto(f"/scorecards/{cards['post'].pk}/")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.locator(".total-line")).to_contain_text("100.00%")
    page.get_by_role("link", name=re.compile(r"^T-2026-fin")).click()
    expect(page.locator(".month-chart rect")).to_have_count(12)
    expect(page.locator("table.months")).to_contain_text("December")
    expect(page.get_by_label("Annual target")).to_be_disabled()  # read-only for the employee
    screenshot(page, "en")
    switch_to_chinese(page)
    expect(page.locator("table.months")).to_contain_text("十二月")
    screenshot(page, "zh-hans")
    page.goto(f"/scorecards/{cards['department'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.dept_a.name_zh)  # in Chinese now


def test_the_cascade_tree_and_the_coverage_show_gaps(page, log_in, screenshot, world, cards):
    log_in(page, "hr")
    page.goto("/scorecards/tree/?year=2026")
    tree = page.locator(".tree")
    expect(tree).to_contain_text("Alpha")
    expect(tree).to_contain_text("no card")  # department B has none
    screenshot(page, "tree")
    page.goto(f"/scorecards/{cards['company'].pk}/coverage/")
    expect(page.locator(".warn")).to_contain_text("No card below contributes to Customer satisfaction.")
    expect(page.locator("main")).to_contain_text("Sales revenue")
    screenshot(page, "coverage")
    switch_to_chinese(page)
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("How the cards")
    screenshot(page, "coverage-zh-hans")


def test_seasonal_profiles_show_their_shape(page, log_in, screenshot, world, cards):
    log_in(page, "hr")
    page.goto("/scorecards/profiles/")
    expect(page.locator(".month-chart")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("Sales seasons")
    screenshot(page)
