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
