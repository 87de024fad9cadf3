"""HR keeps an employee's record: personal data, transfers, and the list."""

import re

import pytest
from playwright.sync_api import expect

from organisation import views
from organisation.models import Employee

pytestmark = pytest.mark.django_db(transaction=True)


def facts(page):
    """The employee page's label -> value list, as a dict."""
    terms = page.locator("dl.facts dt").all_inner_texts()
    values = page.locator("dl.facts dd").all_inner_texts()
    return dict(zip(terms, values))


def open_employee(page, employee):
    page.goto("/org/employees/")
    page.get_by_role("link", name=employee.name_en, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(employee.employee_number)


def test_hr_edits_an_employees_e_mail(page, log_in, screenshot, world):
    log_in(page, "hr")
    open_employee(page, world.emp_a)

    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("E-mail")).to_have_value(world.emp_a.user.email)
    page.get_by_label("E-mail").fill("alpha.person@example.com")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_have_text("Employee saved.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.emp_a.name_en)
    assert facts(page)["E-mail"] == "alpha.person@example.com"
    world.emp_a.user.refresh_from_db()
    assert world.emp_a.user.email == "alpha.person@example.com"
    screenshot(page)


def test_hr_moves_an_employee_and_sees_the_assignment_history(page, log_in, screenshot, world):
    log_in(page, "hr")
    open_employee(page, world.emp_a)
    expect(page.locator("section", has_text="Assignments").locator("tbody tr")).to_have_count(1)

    page.get_by_role("link", name="Move", exact=True).click()
    expect(page.get_by_label("Department")).to_have_value(str(world.dept_a.pk))
    page.get_by_label("Department").select_option(label="Beta")
    page.get_by_label("Post").select_option(label=world.post_b.name_en)
    page.get_by_label("Team").select_option(label=str(world.team_b))
    page.get_by_label("Effective from").fill("2024-03-01")
    screenshot(page, "form")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_have_text("Employee moved. Earlier periods stay with the old department.")
    record = facts(page)
    assert (record["Department"], record["Post"], record["Team"]) == ("Beta", world.post_b.name_en, str(world.team_b))
    history = page.locator("section", has=page.get_by_role("heading", name="Assignments")).locator("tbody tr")
    # Newest first: Beta from the effective date, then Alpha until the day before.
    expect(history).to_have_count(2)
    expect(history.nth(0).locator("td")).to_have_text(["2024-03-01", "current", "Beta", world.post_b.name_en, str(world.team_b)])
    expect(history.nth(1).locator("td")).to_have_text(["2020-01-01", "2024-02-29", "Alpha", world.post_a.name_en, "—"])
    # HR sees who made the change.
    changes = page.locator("table.history tbody tr")
    expect(changes.first).to_contain_text("hr")
    expect(changes.first).to_contain_text("move employee")
    screenshot(page)


def test_the_change_history_names_the_departments_of_a_move(page, log_in, screenshot, world):
    log_in(page, "hr")
    page.goto(f"/org/employees/{world.emp_a.pk}/move/")
    page.get_by_label("Department").select_option(label="Beta")
    page.get_by_label("Post").select_option(label=world.post_b.name_en)
    page.get_by_label("Effective from").fill("2024-03-01")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Employee moved.")

    move = page.locator("table.history tbody tr").first
    screenshot(page)
    expect(move).to_contain_text("move employee")
    # HR reads names, not database ids.
    changes = move.locator("td").last
    expect(changes).to_contain_text("Alpha → Beta")
    expect(changes).to_contain_text(f"{world.post_a.name_en} → {world.post_b.name_en}")
    expect(changes).not_to_contain_text(f"{world.dept_a.pk} → {world.dept_b.pk}")


def test_the_change_history_shows_an_e_mail_change(page, log_in, screenshot, world):
    old_email = world.emp_a.user.email
    log_in(page, "hr")
    page.goto(f"/org/employees/{world.emp_a.pk}/edit/")
    page.get_by_label("E-mail").fill("alpha.person@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_have_text("Employee saved.")

    edit = page.locator("table.history tbody tr").first
    screenshot(page)
    expect(edit).to_contain_text("update employee")
    # The only change was the e-mail; the audit trail must say so.
    expect(edit.locator("td").last).to_contain_text(f"{old_email} → alpha.person@example.com")


def test_a_move_dated_before_the_current_assignment_is_refused(page, log_in, screenshot, world):
    log_in(page, "hr")
    page.goto(f"/org/employees/{world.emp_a.pk}/move/")

    page.get_by_label("Department").select_option(label="Beta")
    page.get_by_label("Post").select_option(label=world.post_b.name_en)
    page.get_by_label("Effective from").fill("2019-12-31")
    page.get_by_role("button", name="Save").click()

    date_field = page.locator(".field", has=page.get_by_label("Effective from"))
    expect(date_field.locator(".error")).to_contain_text("after 2020-01-01")
    screenshot(page)
    assert Employee.objects.get(pk=world.emp_a.pk).department == world.dept_a
    assert world.emp_a.assignments.count() == 1


def test_the_employee_list_filters_by_department_and_pages(page, log_in, screenshot, world, monkeypatch):
    # Three per page keeps the fixture small; the pager is the same at fifty.
    monkeypatch.setattr(views, "EMPLOYEES_PER_PAGE", 3)
    log_in(page, "hr")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Employees", exact=True).click()
    expect(page.locator(".pager")).to_contain_text("Page 1 of 3")
    expect(page.get_by_text("9 employees")).to_be_visible()
    screenshot(page, "all")

    page.get_by_label("Department").select_option(label="Beta")
    page.get_by_role("button", name="Filter").click()

    numbers = page.locator("tbody tr td:first-child")
    beta = sorted(e.employee_number for e in (world.head_b, world.emp_b, world.committee))
    expect(numbers).to_have_text(beta)
    expect(page.locator("tbody tr td:nth-child(3)")).to_have_text(["Beta"] * 3)
    expect(page.locator(".pager")).to_have_count(0)
    expect(page.get_by_label("Department")).to_have_value(str(world.dept_b.pk))

    # Alpha has three people too; with one more it spills onto a second page, and
    # the filter stays on when paging.
    monkeypatch.setattr(views, "EMPLOYEES_PER_PAGE", 2)
    page.get_by_label("Department").select_option(label="Alpha")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".pager")).to_contain_text("Page 1 of 2")
    alpha = sorted(e.employee_number for e in (world.head_a, world.emp_a, world.emp_a2))
    expect(numbers).to_have_text(alpha[:2])
    page.get_by_role("link", name=re.compile("Next")).click()
    expect(page.locator(".pager")).to_contain_text("Page 2 of 2")
    expect(numbers).to_have_text(alpha[2:])
    expect(page.get_by_label("Department")).to_have_value(str(world.dept_a.pk))
    expect(page.get_by_text("3 employees")).to_be_visible()
    screenshot(page)
