"""Every demo role signs in through the browser and lands on its own "My work" page."""

import pytest
from playwright.sync_api import Page, expect

from hsb_portal.accounts.management.commands.seed_demo import PEOPLE
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("local_part", "role_label"), [(person[0], person[3].label) for person in PEOPLE]
)
def test_each_demo_role_signs_in_to_my_work(
    page: Page, demo_data: None, assert_accessible, local_part: str, role_label: str
) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to HSB Portal")
    assert_accessible(page)

    sign_in(page, f"{local_part}@harbourside.example")

    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.locator("header")).to_contain_text("Harbourside Borough Council")
    expect(page.locator("main")).to_contain_text(role_label)
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to HSB Portal")


def test_a_screener_finds_a_child_and_reads_their_record(
    page: Page, demo_data: None, assert_accessible
) -> None:
    sign_in(page, "screener@harbourside.example")

    page.get_by_role("link", name="Children").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Children")
    assert_accessible(page)
    page.get_by_role("link", name="Riley Ashcombe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Ashcombe")
    expect(page.locator("main")).to_contain_text("Jordan Ashcombe")  # same household
    assert_accessible(page)


def test_a_wrong_password_is_reported_in_the_error_summary(
    page: Page, demo_data: None, assert_accessible
) -> None:
    page.goto("/")
    page.get_by_label("Email address").fill("screener@harbourside.example")
    page.get_by_label("Password", exact=True).fill("not-the-demo-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct email address and password"
    )
    assert_accessible(page)


def test_sign_in_works_without_javascript(browser, live_server, demo_data: None) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()

    sign_in(page, "manager@harbourside.example")

    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    context.close()
