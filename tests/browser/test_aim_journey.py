"""Issue 5's AIM journey: the demo social worker, certified by the AIM Project, starts an AIM3
assessment of Casey Morrowdale (14), who has harmed, scores every factor domain by domain,
and completes it with a supervision level and recommendations."""

import pytest
from playwright.sync_api import Page, expect

from hsb_portal import sharing
from hsb_portal.accounts.models import Agency, AgencyKind, Membership
from strategy.aim_catalogue import AIM3
from tests.browser.conftest import sign_in
from tests.factories import ConcernChildFactory, ConcernFactory
from triage.models import Child, ConcernStatus, Part

pytestmark = pytest.mark.django_db(transaction=True)


def casey_shared_with_childrens_social_care() -> Child:
    """Casey is the child who has harmed in a concern the school's DSL has; the MASH has
    shared Casey's record with children's social care."""
    casey = Child.objects.get(given_name="Casey", family_name="Morrowdale")
    school = Agency.objects.get(kind=AgencyKind.SCHOOL, name="Harbourside Academy")
    dsl = Membership.objects.get(user__email="dsl@harbourside.example")
    concern = ConcernFactory(
        reported_by=dsl.user,
        reporting_agency=school,
        authority=casey.authority,
        status=ConcernStatus.AWAITING_REVIEW,
    )
    ConcernChildFactory(concern=concern, child=casey, part=Part.CHILD_WHO_HARMED, added_by=dsl.user)
    screener = Membership.objects.get(user__email="screener@harbourside.example")
    social_care = Membership.objects.get(user__email="socialworker@harbourside.example").agency
    sharing.share_with_agency(
        obj=casey,
        agency=social_care,
        by=screener.user,
        membership=screener,
        children=[casey.public_id],
    )
    return casey


def fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_a_certified_social_worker_completes_an_aim3_assessment(
    page: Page, demo_data: None, assert_accessible
) -> None:
    casey = casey_shared_with_childrens_social_care()
    sign_in(page, "socialworker@harbourside.example")

    page.goto(f"/children/{casey.public_id}/aim-assessments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("AIM assessments")
    assert_accessible(page)
    page.get_by_role("button", name="Start an AIM assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start an AIM assessment")
    assert_accessible(page)
    page.get_by_label("AIM3", exact=True).check()
    fill_date(page, "When did the assessment start?", "10", "11", "2026")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator("main")).to_contain_text("AIM3 assessment started")
    assert_accessible(page)

    page.get_by_role("link", name="Rate factors in Sexual behaviours").click()
    for domain in AIM3.domains:
        expect(page.get_by_role("heading", level=1)).to_have_text(domain.label)
        assert_accessible(page)
        for factor in domain.factors:
            group = page.get_by_role("group", name=factor.label)
            group.get_by_label("1: Some concern").check()
        page.get_by_label(f"What is the score based on? {domain.factors[0].label}").fill(
            "Discussed with Casey's carers and the school."
        )
        page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("main")).to_contain_text("Self-regulation saved")
    expect(page.locator("main")).to_contain_text("4 of 4 rated")

    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Complete the assessment")
    expect(page.locator("main")).to_contain_text("3 of 6")
    assert_accessible(page)
    fill_date(page, "When was the assessment completed?", "20", "11", "2026")
    page.get_by_role("group", name="What level of supervision does the child need?").get_by_label(
        "Medium"
    ).check()
    page.get_by_label("What do you recommend?").fill(
        "A safety plan at home and school; weekly sessions with the youth justice worker."
    )
    page.get_by_role("button", name="Complete the assessment").click()

    expect(page.locator("main")).to_contain_text("AIM3 assessment completed")
    expect(page.locator("main")).to_contain_text("Supervision level")
    expect(page.get_by_role("button", name="Start a review")).to_be_visible()
    assert_accessible(page)
