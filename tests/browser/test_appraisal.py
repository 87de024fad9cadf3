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
    assert page.title().startswith("Daily inspection")
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


def test_sent_back_forms_the_head_form_and_hrs_dashboard_and_grid(page, log_in, screenshot, world, cards):
    from appraisal import services
    from tests.appraisal.factories import all_values

    period = services.open_period(by=world.hr.user, year=2026, month=3)
    form = Form.objects.get(period=period, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")

    # The head sends the form back with a comment; the employee sees it at the top.
    log_in(page, "head_a")
    page.goto(f"/appraisal/forms/{form.pk}/")
    page.get_by_label("comment").fill("The March figure is the February one")
    page.get_by_role("button", name="Send back to draft").click()
    expect(page.locator(".messages")).to_contain_text("Done")
    page.context.clear_cookies()
    log_in(page, "emp_a")
    page.goto(f"/appraisal/forms/{form.pk}/")
    expect(page.locator(".banner")).to_contain_text("The March figure is the February one")
    switch_to_chinese(page)
    expect(page.locator(".banner")).to_contain_text("退回")
    screenshot(page, "returned-zh-hans")

    # The head's own form: their lines first, then "Submit to HR".
    page.context.clear_cookies()
    log_in(page, "head_a")
    head_form = Form.objects.get(period=period, employee=world.head_a, kind=FormKind.HEAD)
    page.goto(f"/appraisal/forms/{head_form.pk}/")
    page.get_by_role("button", name="Submit to HR").click()
    expect(page.locator(".messages")).to_contain_text("Values are missing")
    first, second = list(head_form.snapshot["lines"])[:2]
    page.get_by_label(f"actual {first}").fill("97,5")
    page.get_by_label(f"actual {second}").fill("8.33")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Nothing was saved")
    expect(page.get_by_label(f"actual {second}")).to_have_value("8.33")  # the typing is kept
    expect(page.locator("tr.has-error")).to_contain_text("Use a point for decimals")
    screenshot(page, "head-form-error")

    # HR's dashboard narrows to what is missing; the grid names the indicator.
    page.context.clear_cookies()
    log_in(page, "hr")
    page.goto(f"/appraisal/periods/{period.pk}/")
    switch_to_chinese(page)
    page.locator(f'a[href="?department={world.dept_a.pk}&missing=1#forms"]').click()
    expect(page.locator("#forms")).to_contain_text("显示")
    screenshot(page, "dashboard-zh-hans")
    page.goto(f"/appraisal/periods/{period.pk}/grid/?indicator={first}")
    expect(page.locator("main p strong")).to_contain_text(first)
    screenshot(page, "grid")


def test_360_raters_answer_and_the_form_shows_groups(page, log_in, screenshot, world):
    from appraisal import ratings, services
    from tests.appraisal.factories import rated_cards
    from tests.organisation.factories import EmployeeFactory

    for code, en, zh, order in PERSPECTIVES:
        Perspective.objects.update_or_create(code=code, defaults={"name_en": en, "name_zh": zh, "sort_order": order})
    for _ in range(3):
        EmployeeFactory(department=world.dept_a, post=world.post_a, line_manager=world.head_a)
    rated_cards(world)
    period = services.open_period(by=world.hr.user, year=2026, month=3)

    log_in(page, "hr")
    page.goto(f"/appraisal/periods/{period.pk}/raters/")
    page.get_by_role("button", name="Assign the usual raters").click()
    expect(page.locator(".messages")).to_contain_text("usual raters are assigned")
    screenshot(page, "raters-en")

    page.context.clear_cookies()
    log_in(page, "emp_a2")
    page.goto("/appraisal/ratings/")
    switch_to_chinese(page)
    form = Form.objects.get(period=period, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    key = next(key for key, info in form.snapshot["lines"].items() if info["type"] == "PCI")
    page.get_by_label(f"等级 {world.emp_a.employee_number} {key}").select_option("6")
    screenshot(page, "my-ratings-zh-hans")
    page.get_by_role("button", name="保存我的评价").click()
    expect(page.locator(".messages")).to_contain_text("已保存")

    # The other raters answer; HR closes; the head sees groups, never names.
    from appraisal.models import RatingRequest

    for request in RatingRequest.objects.filter(form=form, level__isnull=True).select_related("rater__user"):
        ratings.answer(by=request.rater.user, request=request, level=5)
    ratings.close_ratings(by=world.hr.user, period=period)
    page.context.clear_cookies()
    log_in(page, "head_a")
    page.goto(f"/appraisal/forms/{form.pk}/")
    expect(page.locator("main")).to_contain_text("Peer (4)")
    expect(page.locator("main")).not_to_contain_text(world.emp_a2.display_name)
    switch_to_chinese(page)
    expect(page.locator("main")).to_contain_text("同事 (4)")
    screenshot(page, "groups-zh-hans")
