"""The month in the browser: HR opens it, the data is entered on the form, the employee
signs, the head signs, HR calculates, the GM approves and HR publishes; the employee then
sees the result. Screenshots in English and Chinese."""

from importlib import import_module

import pytest
from playwright.sync_api import expect

from appraisal.models import Form, FormKind, FormStatus
from strategy.models import Perspective
from tests.appraisal.factories import approved_cards

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("translations")]

PERSPECTIVES = import_module("strategy.migrations.0002_perspectives").PERSPECTIVES


@pytest.fixture
def cards(world):
    for code, en, zh, order in PERSPECTIVES:
        Perspective.objects.update_or_create(code=code, defaults={"name_en": en, "name_zh": zh, "sort_order": order})
    return approved_cards(world)


def switch_to_chinese(page):
    page.locator("form.lang").get_by_role("button", name="中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def take(page, label):
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Done")


def test_a_month_from_opening_to_publication(page, log_in, screenshot, world, cards):
    log_in(page, "hr")
    page.goto("/appraisal/")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Month").select_option("3")
    page.get_by_role("button", name="Open the month").click()
    expect(page.locator(".messages")).to_contain_text("Month opened")
    screenshot(page, "month")

    form = Form.objects.get(employee=world.emp_a, kind=FormKind.EMPLOYEE)
    page.goto(f"/appraisal/forms/{form.pk}/")
    for key in form.snapshot["lines"]:
        page.get_by_label(f"actual {key}").fill("8.33")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Saved.")

    page.context.clear_cookies()
    log_in(page, "emp_a")
    page.goto(f"/appraisal/forms/{form.pk}/")
    first = next(iter(form.snapshot["lines"]))
    page.get_by_label(f"self-assessment {first}").fill("Ahead of plan this month")
    page.get_by_role("button", name="Save", exact=True).click()
    take(page, "Sign")
    expect(page.locator(".status").first).to_have_text("Signed by the employee")
    screenshot(page, "signed-en")
    switch_to_chinese(page)
    expect(page.locator(".status").first).to_have_text("员工已签字")
    screenshot(page, "signed-zh-hans")

    for user, label in (("head_a", "Sign as department head"), ("hr", "Calculate"), ("gm", "Approve"), ("hr", "Publish")):
        page.context.clear_cookies()
        log_in(page, user)
        page.goto(f"/appraisal/forms/{form.pk}/")
        take(page, label)

    form.refresh_from_db()
    assert form.status == FormStatus.PUBLISHED
    page.context.clear_cookies()
    log_in(page, "emp_a")
    page.goto(f"/appraisal/forms/{form.pk}/")
    expect(page.locator(".big")).to_have_text("100.00")
    screenshot(page, "published")


def test_hr_records_a_daily_inspection_and_sees_the_count(page, log_in, screenshot, world, cards):
    log_in(page, "hr")
    page.goto("/appraisal/inspections/?month=2026-03")
    page.get_by_label("Department").select_option(str(world.dept_a.pk))
    page.get_by_label("Date").fill("2026-03-05")
    page.get_by_role("button", name="Open the record").click()
    page.get_by_label(f"on the record {world.emp_a.employee_number}").select_option("ok")
    page.get_by_label(f"on the record {world.emp_a2.employee_number}").select_option("violation")
    page.get_by_label(f"violations {world.emp_a2.employee_number}").fill("Helmet off in the workshop")
    screenshot(page, "record")
    page.get_by_role("button", name="Save the inspection").click()
    expect(page.locator(".messages")).to_contain_text("Inspection recorded.")
    row = page.locator("tr", has_text="2026-03-05")
    expect(row.locator(".danger-text")).to_have_text("1")  # the head was left off the record
    switch_to_chinese(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("日常检查")
    screenshot(page, "list-zh-hans")


def test_the_head_and_the_gm_work_through_their_queues(page, log_in, screenshot, world, cards):
    from appraisal import services
    from tests.appraisal.factories import all_values

    period = services.open_period(by=world.hr.user, year=2026, month=3)
    forms = []
    for employee, actual in ((world.emp_a, "8.33"), (world.emp_a2, "6")):
        form = Form.objects.get(period=period, employee=employee, kind=FormKind.EMPLOYEE)
        services.save_values(by=world.hr.user, form=form, values=all_values(form, actual))
        forms.append(services.take_step(by=employee.user, form=form, action="sign_as_employee"))

    log_in(page, "head_a")
    page.goto("/appraisal/to-sign/")
    for employee in (world.emp_a, world.emp_a2):
        page.get_by_label(f"reviewed {employee.employee_number}").check()
    screenshot(page, "to-sign")
    page.get_by_role("button", name="Sign the forms I have reviewed").click()
    expect(page.locator(".messages")).to_contain_text("2 forms done")
    for form in forms:
        services.take_step(by=world.hr.user, form=Form.objects.get(pk=form.pk), action="calculate")

    page.context.clear_cookies()
    log_in(page, "gm")
    page.goto("/appraisal/approvals/")
    expect(page.locator("main")).to_contain_text("2 forms · lowest 72.03")
    screenshot(page, "approvals-en")
    switch_to_chinese(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("待审批得分")
    page.get_by_label(f"已审阅 {world.emp_a.employee_number}").check()
    page.get_by_role("button", name="批准我已审阅的得分").click()
    expect(page.locator(".messages")).to_contain_text("已完成 1 份")
    screenshot(page, "approvals-zh-hans")
