"""Playwright journeys against pytest-django's live server.

One system Chromium per session (Playwright cannot download its own browsers here),
one fresh context per test, so every test starts logged out and in English.
"""

import os

# Playwright's sync API runs an event loop in the test thread; without this Django
# refuses ORM calls made from it (microsoft/playwright-pytest#29).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

from tests.organisation.factories import PASSWORD  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # the machine has no network
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("The browser tests need the system Chromium (apt-get install chromium).")
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": VIEWPORT,
        # The Accept-Language header picks the first language; pin it so a host
        # configured in Chinese does not change what the tests see.
        "locale": "en-US",
        "timezone_id": "Asia/Shanghai",
    }


@pytest.fixture
def page(page: Page, live_server) -> Page:
    page.set_default_timeout(10_000)
    return page


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Every factory user hashes a password; the default hasher costs ~0.3 s each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def log_in():
    """Sign in through the real log-in page, as a person would."""

    def sign_in(page: Page, username: str, password: str = PASSWORD) -> Page:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return page

    return sign_in


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot as test-artifacts/screenshots/<test>[-<suffix>].png."""

    def take(page: Page, suffix: str = "") -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        name = request.node.originalname + (f"-{suffix}" if suffix else "")
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def _locale_dir(tmp_path_factory):
    """Where the compiled catalogues are: None for the project's own when
    compilemessages is up to date (CI runs it), else a temporary copy compiled from
    the .po files, one folder per LOCALE_PATHS entry."""
    from django.conf import settings

    roots = [Path(root) for root in settings.LOCALE_PATHS]
    catalogues = [(i, root, po) for i, root in enumerate(roots) for po in sorted(root.rglob("*.po"))]

    def stale(po):
        mo = po.with_suffix(".mo")
        return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime

    if not any(stale(po) for _i, _root, po in catalogues):
        return None
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("Translations are not compiled and msgfmt is missing: run `manage.py compilemessages`.")
    out = tmp_path_factory.mktemp("locale")
    for i, root, po in catalogues:
        target = out / str(i) / po.relative_to(root).with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        # The command compilemessages runs.
        subprocess.run([msgfmt, "--check-format", "-o", str(target), str(po)], check=True)
    return [str(out / str(i)) for i in range(len(roots))]


@pytest.fixture
def translations(settings, _locale_dir):
    """Chinese pages need compiled catalogues; use fresh ones when the checked-out
    .mo files are missing or older than the .po files."""
    if _locale_dir is not None:
        settings.LOCALE_PATHS = _locale_dir
