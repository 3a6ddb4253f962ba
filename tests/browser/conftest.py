"""Browser tests: Playwright drives Debian's chromium against a live server.

Each page a journey visits is checked with axe for WCAG 2.2 A and AA violations.
"""

import io
import os
import shutil
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect, sync_playwright

from hsb_portal.accounts import demo
from hsb_portal.accounts.management.commands.seed_demo import DEMO_PASSWORD

# Playwright's sync API runs an event loop in this thread; the test's own database work is
# still synchronous, so Django's guard against ORM calls from async code does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Browser tests need Debian's chromium: run `make browser-packages`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


class AccessibilityCheck:
    def __init__(self) -> None:
        self.axe = Axe()
        self.pages_checked: list[str] = []

    def __call__(self, page: Page) -> None:
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
        self.pages_checked.append(page.url)
        assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def assert_accessible() -> AccessibilityCheck:
    return AccessibilityCheck()


@pytest.fixture
def demo_data(transactional_db: None, settings) -> None:
    # As `make run` serves it: demo people sign in only while DEBUG is on.
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def sign_in(page: Page, email: str) -> None:
    """Sign in as a demo person and land on My work."""
    page.goto("/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    page.get_by_label("Security code").fill(demo.next_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
