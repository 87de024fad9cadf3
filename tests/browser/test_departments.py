"""HR works with the department tree: Alpha (A) with Alpha one (A1) below it, Beta,
Human resources and the GM office, from tests/organisation/world.py."""

import re

import pytest
from playwright.sync_api import expect

from organisation.models import Department, Post

pytestmark = pytest.mark.django_db(transaction=True)


def tree_row(page, name):
    return page.locator("table.tree tbody tr", has=page.get_by_role("link", name=name, exact=True))


def open_tree(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Departments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Departments")


def test_hr_sees_sub_departments_indented_under_their_parent(page, log_in, screenshot, world):
    log_in(page, "hr")

    open_tree(page)

    names = page.locator("table.tree tbody tr td:first-child a").all_inner_texts()
    assert sorted(names) == ["Alpha", "Alpha one", "Beta", "GM office", "Human resources"]
    assert names[names.index("Alpha") + 1] == "Alpha one"
    alpha, alpha_one = tree_row(page, "Alpha"), tree_row(page, "Alpha one")
    expect(alpha).to_have_class(re.compile(r"\bdepth-0\b"))
    expect(alpha_one).to_have_class(re.compile(r"\bdepth-1\b"))
    expect(alpha_one.locator(".branch")).to_be_visible()
    # Drawn further right than its parent, not only marked up as deeper.
    alpha_x = alpha.get_by_role("link").bounding_box()["x"]
    alpha_one_x = alpha_one.get_by_role("link").bounding_box()["x"]
    assert alpha_one_x > alpha_x + 10
    beta_x = tree_row(page, "Beta").get_by_role("link").bounding_box()["x"]
    assert beta_x == alpha_x
    # Code, head and number of active employees.
    expect(alpha.locator("td")).to_have_text(["Alpha", "A", world.head_a.name_en, "3"])
    expect(alpha_one.locator("td")).to_have_text([re.compile("Alpha one"), "A1", "—", "1"])
    screenshot(page)


def test_the_department_tree_lists_siblings_by_order_then_code(page, log_in, screenshot, world):
    # Department.Meta.ordering is (sort_order, code); Beta is moved to the end.
    world.dept_b.sort_order = 1
    world.dept_b.save()
    log_in(page, "hr")

    open_tree(page)

    screenshot(page)
    expect(page.locator("table.tree tbody tr td:first-child a")).to_have_text(
        ["Alpha", "Alpha one", "GM office", "Human resources", "Beta"]
    )


def test_the_post_list_is_ordered_by_department_then_code(page, log_in, screenshot, world):
    # Post.Meta.ordering is (department sort order, code).
    log_in(page, "hr")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Posts").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Posts")
    screenshot(page)
    codes = sorted(Post.objects.values_list("code", flat=True))
    expect(page.locator("tbody tr td:first-child")).to_have_text(codes)


def test_hr_opens_a_department_and_sees_its_posts_teams_and_employees(page, log_in, screenshot, world):
    log_in(page, "hr")
    open_tree(page)

    page.get_by_role("link", name="Alpha", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Alpha\s+A$"))
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(world.head_a.name_en)
    expect(facts.get_by_role("link", name="Alpha one")).to_be_visible()
    teams = page.locator("section", has=page.get_by_role("heading", name="Teams and groups"))
    expect(teams.locator("li")).to_have_text([re.compile(rf"^{world.team_a.name_en} TA")])
    posts = page.locator("section", has=page.get_by_role("heading", name="Posts"))
    expect(posts.locator("li")).to_have_text([f"{world.post_a.name_en} {world.post_a.code}"])
    employees = page.locator("section", has=page.get_by_role("heading", name="Employees"))
    # Alpha's own people; Alpha one's employee is on Alpha one's page.
    expect(employees.locator("tbody tr td:first-child")).to_have_text(
        sorted(e.employee_number for e in (world.head_a, world.emp_a, world.emp_a2))
    )
    expect(employees).not_to_contain_text(world.emp_a1.name_en)
    expect(page.get_by_role("link", name="New sub-department")).to_be_visible()
    screenshot(page)

    facts.get_by_role("link", name="Alpha one").click()
    expect(page.locator(".crumbs")).to_have_text("Departments › Alpha")
    expect(page.locator("section", has=page.get_by_role("heading", name="Employees"))).to_contain_text(world.emp_a1.name_en)


def test_hr_creates_a_department_below_a_parent(page, log_in, screenshot, world):
    log_in(page, "hr")
    open_tree(page)
    page.get_by_role("link", name="New department").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New department")

    page.get_by_label("Code").fill("A2")
    page.get_by_label("Name (Chinese)").fill("阿尔法二部")
    page.get_by_label("Name (English)").fill("Alpha two")
    page.get_by_label("Parent department").select_option(label="Alpha")
    screenshot(page, "form")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_have_text("Department created.")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Alpha two\s+A2$"))
    expect(page.locator(".crumbs")).to_have_text("Departments › Alpha")
    created = Department.objects.get(code="A2")
    assert created.parent == world.dept_a
    assert created.name_zh == "阿尔法二部"
    screenshot(page)

    open_tree(page)
    expect(tree_row(page, "Alpha two")).to_have_class(re.compile(r"\bdepth-1\b"))
    names = page.locator("table.tree tbody tr td:first-child a").all_inner_texts()
    start = names.index("Alpha")
    assert names[start : start + 3] == ["Alpha", "Alpha one", "Alpha two"]


def test_a_duplicate_department_code_is_shown_at_the_field_and_nothing_is_saved(page, log_in, screenshot, world):
    log_in(page, "hr")
    page.goto("/org/departments/new/")

    page.get_by_label("Code").fill("B")
    page.get_by_label("Name (English)").fill("Second Beta")
    page.get_by_label("Parent department").select_option(label="Alpha")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("New department")
    code_field = page.locator(".field", has=page.get_by_label("Code"))
    expect(code_field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(code_field.locator(".error")).to_have_text(re.compile("already exists"))
    # Only the code is wrong; what was typed is kept.
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.get_by_label("Name (English)")).to_have_value("Second Beta")
    expect(page.get_by_label("Parent department")).to_have_value(str(world.dept_a.pk))
    expect(page.locator(".messages")).to_have_count(0)
    screenshot(page)
    assert not Department.objects.filter(name_en="Second Beta").exists()
    assert Department.objects.count() == 5
