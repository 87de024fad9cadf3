import re

import pytest
from playwright.sync_api import expect

from organisation.models import Role
from tests.organisation.factories import PASSWORD, EmployeeFactory, UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN_PATH = re.compile(r"/accounts/login/(\?.*)?$")


@pytest.fixture
def hr_person():
    employee = EmployeeFactory(name_en="Li Na", user=UserFactory(username="lina"))
    grant(employee.user, Role.HR)
    return employee


def test_a_user_logs_in_and_sees_their_name_and_roles(page, log_in, screenshot, hr_person):
    log_in(page, "lina")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Li Na")
    roles = page.locator("p.muted .tag")
    expect(roles).to_have_text(["Employee", "HR (daily management group)"])
    expect(page.locator(".topbar .who")).to_have_text("lina")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(page)


def test_a_wrong_password_shows_the_error_and_stays_on_the_log_in_page(page, log_in, screenshot, hr_person):
    log_in(page, "lina", "not-the-password")

    expect(page).to_have_url(LOGIN_PATH)
    expect(page.locator(".form-errors")).to_contain_text("Please enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value("lina")
    # The password is never sent back to the browser.
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    screenshot(page)


def test_five_wrong_passwords_lock_the_account(page, log_in, screenshot, hr_person):
    for attempt in range(4):
        log_in(page, "lina", f"wrong-{attempt}")
        expect(page.locator(".form-errors")).to_contain_text("Please enter a correct username and password")

    log_in(page, "lina", "wrong-4")

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed log-ins")
    expect(page.locator("main")).to_contain_text("locked for 15 minutes")
    screenshot(page)
    # Even the right password is refused while the lock lasts.
    log_in(page, "lina")
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed log-ins")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_log_out_returns_to_the_log_in_page(page, log_in, screenshot, hr_person):
    log_in(page, "lina")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Li Na")

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(LOGIN_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator(".topbar .who")).to_have_count(0)
    screenshot(page)
    # The session is gone: the home page asks to log in again.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_log_in_returns_to_the_page_that_asked_for_it(page, screenshot, hr_person):
    page.goto("/org/departments/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/org/departments/$"))

    page.get_by_label("Username").fill("lina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/org/departments/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Departments")
    screenshot(page)
