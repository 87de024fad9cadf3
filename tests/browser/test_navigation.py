"""The main menu shows each role what it may use, and the employee list only whom
the role may see. Uses the organisation of tests/organisation/world.py."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def employee_numbers(page):
    return page.locator("table tbody tr td:first-child")


def test_hr_sees_employees_import_and_company_settings(page, log_in, screenshot, world):
    log_in(page, "hr")
    nav = main_nav(page)

    expect(nav.get_by_role("link")).to_have_text(
        ["Home", "My profile", "Employees", "Strategy", "KPI library", "Weighting", "Scorecards", "Appraisal", "Results", "Departments", "Posts", "Company settings"]
    )
    expect(nav.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {world.hr.name_en}")
    expect(page.locator("p.muted .tag")).to_have_text(["Employee", "HR (daily management group)"])
    # HR sees every active employee of the company.
    expect(page.locator(".card", has_text="People").locator(".big")).to_have_text("9")
    screenshot(page)


def test_a_plain_employee_sees_my_profile_but_no_employee_list(page, log_in, screenshot, world):
    log_in(page, "emp_a")
    nav = main_nav(page)

    expect(nav.get_by_role("link")).to_have_text(["Home", "My profile", "Strategy", "KPI library", "Weighting", "Scorecards", "Appraisal", "Departments", "Posts"])
    expect(nav.get_by_role("link", name="Employees", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="Import employees")).to_have_count(0)
    expect(page.locator("p.muted .tag")).to_have_text(["Employee"])
    my_record = page.locator(".card", has_text="My record")
    expect(my_record).to_contain_text(world.dept_a.name_en)
    expect(my_record).to_contain_text(world.head_a.display_name)
    screenshot(page)

    nav.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.emp_a.name_en)
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.emp_a.employee_number)


def test_a_department_head_sees_only_their_departments_people(page, log_in, screenshot, world):
    log_in(page, "head_a")
    nav = main_nav(page)
    expect(nav.get_by_role("link")).to_have_text(
        ["Home", "My profile", "Employees", "Strategy", "KPI library", "Weighting", "Scorecards", "Appraisal", "Results", "Departments", "Posts"]
    )
    expect(page.locator("p.muted .tag")).to_have_text(["Department head", "Employee"])
    expect(page.locator(".card", has_text="Departments I head")).to_contain_text(world.dept_a.name_en)
    screenshot(page)

    nav.get_by_role("link", name="Employees", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Employees")
    # Alpha and its sub-department Alpha one; nobody from Beta, HR or the GM office.
    expected = sorted(e.employee_number for e in (world.head_a, world.emp_a, world.emp_a2, world.emp_a1))
    expect(employee_numbers(page)).to_have_text(expected)
    table = page.locator("table")
    for outsider in (world.emp_b, world.head_b, world.hr, world.gm):
        expect(table).not_to_contain_text(outsider.employee_number)
    expect(page.get_by_text("4 employees")).to_be_visible()
    screenshot(page, "employees")


def test_the_general_manager_sees_employees_but_cannot_import(page, log_in, screenshot, world):
    log_in(page, "gm")
    nav = main_nav(page)

    expect(nav.get_by_role("link")).to_have_text(
        ["Home", "My profile", "Employees", "Strategy", "KPI library", "Weighting", "Scorecards", "Appraisal", "Results", "Departments", "Posts"]
    )
    expect(nav.get_by_role("link", name="Import employees")).to_have_count(0)
    expect(nav.get_by_role("link", name="Company settings")).to_have_count(0)
    expect(page.locator("p.muted .tag")).to_have_text(["Department head", "Employee", "General manager"])
    # No organisation management card on the home page either.
    expect(page.get_by_role("link", name="Import employees from Excel")).to_have_count(0)
    screenshot(page)

    nav.get_by_role("link", name="Employees", exact=True).click()
    # The GM sees the whole company, but may not change it.
    expect(employee_numbers(page)).to_have_count(9)
    expect(page.get_by_role("link", name="Import from Excel")).to_have_count(0)
    expect(page.get_by_role("link", name="New employee")).to_have_count(0)
