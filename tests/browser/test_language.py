"""The 中文 and English buttons switch the interface language.

The Chinese wording is still being written, so these tests check what a switch must
change whatever the wording: the <html lang>, the menu's text, which button is
pressed, and names shown in the active language.
"""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("translations")]


def nav_text(page):
    return page.get_by_role("navigation").first.inner_text()


def language_button(page, label):
    return page.locator("form.lang").get_by_role("button", name=label, exact=True)


def expect_current_language(page, pressed, other):
    expect(language_button(page, pressed)).to_have_attribute("aria-pressed", "true")
    expect(language_button(page, pressed)).to_have_class("current")
    expect(language_button(page, other)).not_to_have_attribute("aria-pressed", "true")


def test_the_chinese_button_switches_to_simplified_chinese_and_english_switches_back(page, log_in, screenshot, world):
    log_in(page, "hr")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect_current_language(page, "English", "中文")
    english_nav = nav_text(page)
    screenshot(page, "home-en")

    language_button(page, "中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect_current_language(page, "中文", "English")
    chinese_nav = nav_text(page)
    assert chinese_nav != english_nav, "the menu is still in English after choosing 中文"
    # Still on the home page, still signed in.
    expect(page.locator(".topbar .who")).to_have_text("hr")
    screenshot(page, "home-zh-hans")

    # The choice sticks while moving around; names follow the language too.
    page.goto("/org/employees/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("table")).to_contain_text(world.emp_b.name_zh)
    expect(page.locator("table")).not_to_contain_text(world.emp_b.name_en)
    screenshot(page, "employees-zh-hans")

    language_button(page, "English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect_current_language(page, "English", "中文")
    assert nav_text(page) == english_nav
    # The switch returns to the page it was made on.
    expect(page.get_by_role("heading", level=1)).to_have_text("Employees")
    expect(page.locator("table")).to_contain_text(world.emp_b.name_en)
    screenshot(page, "employees-en")


@pytest.mark.browser_context_args(locale="zh-CN")
def test_a_browser_asking_for_chinese_gets_the_chinese_log_in_page(page, screenshot):
    page.goto("/accounts/login/")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect_current_language(page, "中文", "English")
    screenshot(page, "zh-hans")


def test_the_change_history_speaks_chinese_too(page, log_in, screenshot, world):
    log_in(page, "hr")
    language_button(page, "中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"/org/employees/{world.emp_a.pk}/move/")
    page.locator("#id_department").select_option(str(world.dept_b.pk))
    page.locator("#id_post").select_option(str(world.post_b.pk))
    page.locator("#id_effective_date").fill("2024-03-01")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".messages li")).to_have_count(1)

    history = page.locator("table.history tbody tr")
    screenshot(page, "zh-hans")
    # Rows: the move (newest), then the creation. The action is stored by the
    # service ("move employee") and must be shown in the reader's language.
    expect(history).to_have_count(2)
    expect(history.first.locator("td").nth(2)).not_to_have_text("move employee")
