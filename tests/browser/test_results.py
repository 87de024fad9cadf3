"""The general manager meets the forced-distribution guidance, records a reason and
approves; HR sees grades, ranks and pay. Screenshots in English and Chinese."""

from importlib import import_module

import pytest
from playwright.sync_api import expect

from appraisal.models import Form, FormKind
from strategy.models import Perspective
from tests.organisation.factories import EmployeeFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("translations")]

PERSPECTIVES = import_module("strategy.migrations.0002_perspectives").PERSPECTIVES
GRADES = import_module("results.migrations.0002_default_grades")


def test_the_gm_records_a_reason_and_hr_sees_the_results(page, log_in, screenshot, world):
    from django.apps import apps

    from appraisal import services
    from results.models import PayBase
    from tests.appraisal.factories import all_values, approved_cards

    GRADES.add(apps, None)
    for code, en, zh, order in PERSPECTIVES:
        Perspective.objects.update_or_create(code=code, defaults={"name_en": en, "name_zh": zh, "sort_order": order})
    for _ in range(4):
        EmployeeFactory(department=world.dept_a, post=world.post_a, line_manager=world.head_a)
    approved_cards(world)
    PayBase.objects.create(post=world.post_a, amount="3000")
    period = services.open_period(by=world.hr.user, year=2026, month=3)
    people = Form.objects.filter(period=period, kind=FormKind.EMPLOYEE, department=world.dept_a).exclude(employee=world.head_a).order_by("employee__employee_number")
    for form, actual in zip(people, ["8.33", "8.33", "7.2", "6.3", "5.4", "4.0"], strict=True):
        services.save_values(by=world.hr.user, form=form, values=all_values(form, actual))
        services.take_step(by=form.employee.user, form=form, action="sign_as_employee")
        services.take_step(by=world.head_a.user, form=Form.objects.get(pk=form.pk), action="sign_as_head")
        services.take_step(by=world.hr.user, form=Form.objects.get(pk=form.pk), action="calculate")

    log_in(page, "gm")
    page.goto("/appraisal/approvals/")
    page.get_by_label("Select every form of this department").check()
    page.get_by_role("button", name="Approve the scores I have reviewed").click()
    expect(page.locator(".messages")).to_contain_text("break the distribution guidance")
    page.goto(f"/results/periods/{period.pk}/")
    expect(page.locator("main")).to_contain_text("Grade A: 2 people, the rule allows 1")
    screenshot(page, "guidance-en")
    for _group in range(2):  # the company and department A
        page.locator("textarea[name=reason]").first.fill("Both closed the Wuhan contract")
        page.get_by_role("button", name="Record the reason").first.click()
        expect(page.locator(".messages")).to_contain_text("Reason recorded")
    page.goto("/appraisal/approvals/")
    page.get_by_label("Select every form of this department").check()
    page.get_by_role("button", name="Approve the scores I have reviewed").click()
    expect(page.locator(".messages")).to_contain_text("6 forms done")

    page.context.clear_cookies()
    log_in(page, "hr")
    for form in people:
        services.take_step(by=world.hr.user, form=Form.objects.get(pk=form.pk), action="publish")
    page.goto(f"/results/periods/{period.pk}/")
    page.locator("form.lang").get_by_role("button", name="中文", exact=True).click()
    expect(page.locator("main")).to_contain_text("3600.00 CNY")
    expect(page.locator("main")).to_contain_text("已说明理由批准")
    screenshot(page, "results-zh-hans")


def test_after_publication_interview_appeal_and_plan(page, log_in, screenshot, world):
    from django.apps import apps

    from appraisal import services
    from tests.appraisal.factories import all_values, approved_cards

    GRADES.add(apps, None)
    for code, en, zh, order in PERSPECTIVES:
        Perspective.objects.update_or_create(code=code, defaults={"name_en": en, "name_zh": zh, "sort_order": order})
    approved_cards(world)
    period = services.open_period(by=world.hr.user, year=2026, month=3)
    form = Form.objects.get(period=period, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    services.save_values(by=world.hr.user, form=form, values=all_values(form, "4"))
    for user, action in ((world.emp_a.user, "sign_as_employee"), (world.head_a.user, "sign_as_head"), (world.hr.user, "calculate"),
                         (world.gm.user, "approve"), (world.hr.user, "publish")):
        services.take_step(by=user, form=Form.objects.get(pk=form.pk), action=action)

    # The head holds the interview and makes an improvement plan from the low lines.
    log_in(page, "head_a")
    page.goto(f"/results/forms/{form.pk}/interview/")
    page.get_by_label("The result of each objective discussed").fill("All four lines at 48%: orders slipped in March")
    page.get_by_label("What must improve next period").fill("Follow up every quote within a day")
    page.get_by_label("Agreed actions").fill("Weekly pipeline review with the head")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Interview saved")
    page.get_by_role("button", name="Sign the interview").click()
    expect(page.locator(".messages")).to_contain_text("Signed")
    page.goto(f"/results/forms/{form.pk}/plan/")
    page.get_by_label("problem 0").fill("Quotes answered late")
    page.get_by_label("action 0").fill("Answer within a day")
    page.get_by_label("due 0").fill("2026-05-31")
    page.get_by_role("button", name="Make the plan").click()
    expect(page.locator(".messages")).to_contain_text("Improvement plan made")
    screenshot(page, "plans-en")

    # The employee signs the interview and appeals; the committee rejects with a reason.
    page.context.clear_cookies()
    log_in(page, "emp_a")
    page.goto(f"/results/forms/{form.pk}/interview/")
    page.get_by_role("button", name="Sign the interview").click()
    expect(page.locator(".status")).to_have_text("Signed by both")
    page.goto(f"/appraisal/forms/{form.pk}/")
    page.locator("form.lang").get_by_role("button", name="中文", exact=True).click()
    page.get_by_role("link", name="申诉").first.click()
    page.get_by_label("申诉理由").fill("三月订单在四月入账")
    page.get_by_role("button", name="提交申诉").click()
    expect(page.locator(".messages")).to_contain_text("申诉已提交")
    screenshot(page, "appeal-zh-hans")
    page.context.clear_cookies()
    log_in(page, "committee")
    page.goto("/results/appeals/")
    page.get_by_role("link", name=world.emp_a.display_name).click()
    page.get_by_label("Question, comment or the reason of the decision").fill("Booked in the right month; the target stands")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reject").click()
    expect(page.locator(".messages")).to_contain_text("Appeal rejected")
    screenshot(page, "appeal-decided-en")
