"""Issue 4's journey. It starts where issue 3's ends (the DSL decided to refer Riley Ashcombe,
12, who has harmed, and Sam Pellingford, 9, harmed, after a red rating): the DSL makes the
referrals, the MASH screener opens the queue, screens both, decides on a strategy meeting and
allocates two different social workers, and the DSL then sees the outcome."""

import re
from datetime import date
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from hsb_portal.accounts.models import LocalAuthority, Membership
from tests.browser.conftest import sign_in
from triage import services as triage
from triage.guidance import guidance_for
from triage.models import (
    BrookBand,
    BrookBehaviour,
    Child,
    Concern,
    Location,
    NextStep,
    Part,
    YesNoUnknown,
)
from triage.selectors import concern_for_page

pytestmark = pytest.mark.django_db(transaction=True)


def concern_the_dsl_decided_to_refer() -> Concern:
    """The state issue 3's browser journey leaves, made through the triage services."""
    practitioner = Membership.objects.get(user__email="practitioner@harbourside.example")
    dsl = Membership.objects.get(user__email="dsl@harbourside.example")
    as_practitioner = {"by": practitioner.user, "membership": practitioner}
    concern = triage.raise_concern(
        submission=uuid4(),
        occurred_on=date(2026, 11, 20),
        reported_on=date(2026, 11, 21),
        location=Location.SCHOOL_OR_COLLEGE,
        authority=LocalAuthority.objects.get(code="harbourside"),
        what_happened="In the playground one pupil made sexual comments to a younger pupil "
        "and touched them.",
        technology_assisted=YesNoUnknown.NO,
        crime_suspected=YesNoUnknown.UNKNOWN,
        police_aware=YesNoUnknown.NO,
        **as_practitioner,
    )

    def version() -> int:
        return Concern.objects.values_list("version", flat=True).get(pk=concern.pk)

    riley = triage.add_child_to_concern(
        concern=concern,
        child=Child.objects.get(given_name="Riley", family_name="Ashcombe"),
        part=Part.CHILD_WHO_HARMED,
        developmental_age=None,
        version=version(),
        **as_practitioner,
    )
    triage.add_child_to_concern(
        concern=concern,
        child=Child.objects.get(given_name="Sam", family_name="Pellingford"),
        part=Part.CHILD_HARMED,
        developmental_age=None,
        version=version(),
        **as_practitioner,
    )
    band = BrookBand.objects.get(edition__is_current=True, code="9-13")
    rating = triage.rate_behaviour(
        involvement=riley,
        band=band,
        behaviours=BrookBehaviour.objects.filter(band=band, text="sexual harassment"),
        behaviour_not_listed="",
        signs=[],
        answers={
            "all_children_protected": triage.Answer("yes"),
            "carer_response_and_capacity": triage.Answer("yes"),
        },
        version=version(),
        **as_practitioner,
    )
    triage.choose_colour(
        rating=rating, final_colour="red", colour_reason="", version=version(), **as_practitioner
    )
    concern = concern_for_page().get(pk=concern.pk)
    triage.submit_concern(
        concern=concern,
        guidance=guidance_for(concern),
        chosen_next_step=NextStep.REFER,
        reason="",
        version=concern.version,
        **as_practitioner,
    )
    triage.review_concern(
        concern=concern,
        decision=NextStep.REFER,
        reason="A child harmed is under 13 and the behaviour is red.",
        note="",
        version=concern.version,
        by=dsl.user,
        membership=dsl,
    )
    return concern


def consent(page: Page, name: str) -> None:
    section = page.get_by_role("group", name=f"Consent and information sharing: {name}")
    section.get_by_role(
        "group", name=re.compile("Have the parents or carers been told")
    ).get_by_label("Yes", exact=True).check()
    section.get_by_label("A parent or carer").check()


def screen_and_allocate(page: Page, assert_accessible, name: str, first_worker: str) -> None:
    page.get_by_role("link", name="Screening queue", exact=True).click()
    page.get_by_role("link", name=re.compile(f"REF-.*{name}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral of {name}")
    assert_accessible(page)
    page.get_by_role("button", name="Take this referral to screen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the screening decision")
    assert_accessible(page)
    page.get_by_role("group", name="What is your RAG rating?").get_by_label("Red").check()
    page.get_by_label("Strategy meeting (section 47)").check()
    page.get_by_label("Why?").fill(
        "Checks made: no earlier referrals. Reasonable cause to suspect significant harm."
    )
    page.get_by_role("button", name="Save the screening decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocate a social worker")
    assert_accessible(page)
    page.get_by_label(re.compile(f"{first_worker}, Harbourside")).check()
    page.get_by_role("button", name="Allocate").click()


def test_the_mash_screens_both_referrals_and_allocates_two_social_workers(
    page: Page, demo_data: None, assert_accessible
) -> None:
    concern_the_dsl_decided_to_refer()

    # The DSL makes the referrals the concern's decision called for.
    sign_in(page, "dsl@harbourside.example")
    main = page.locator("main")
    expect(main).to_contain_text("Concerns to refer")
    main.get_by_role("link", name=re.compile("HSB-")).first.click()
    page.get_by_role("button", name="Make the referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make the referrals")
    expect(main).to_contain_text("Sam Pellingford is 9. Under 12: generally the parents")
    assert_accessible(page)
    page.get_by_label("What makes the child harmed particularly vulnerable?").fill(
        "Sam is 9, three years younger, and new to the school."
    )
    page.get_by_label("Is there any evidence of coercion or duress").fill(
        "Riley told Sam not to tell anyone."
    )
    page.get_by_role("group", name="What is your agency's assessment of the risk?").get_by_label(
        "High"
    ).check()
    page.get_by_role("group", name="May other children be at risk?").get_by_label(
        "No", exact=True
    ).check()
    consent(page, "Riley Ashcombe")
    consent(page, "Sam Pellingford")
    page.get_by_role("button", name="Make the referrals").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Referrals made for Riley Ashcombe, Sam Pellingford"
    )
    expect(main).to_contain_text("Referred to the MASH")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The MASH screener screens both referrals and allocates a social worker to each child.
    sign_in(page, "screener@harbourside.example")
    page.get_by_role("link", name="Screening queue", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening queue")
    expect(main).to_contain_text("2 referrals")
    assert_accessible(page)
    screen_and_allocate(page, assert_accessible, "Riley Ashcombe", "Sol Worker")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Sol Worker allocated to Riley Ashcombe"
    )
    assert_accessible(page)

    # The child harmed cannot have the same social worker without a recorded reason.
    screen_and_allocate(page, assert_accessible, "Sam Pellingford", "Sol Worker")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Sol Worker is already allocated to Riley Ashcombe (child who has harmed)"
    )
    assert_accessible(page)
    page.get_by_label(re.compile("Jo Fieldworker, Harbourside")).check()
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Jo Fieldworker allocated to Sam Pellingford"
    )
    expect(main).to_contain_text("Strategy meeting (section 47)")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The referrer sees the outcome.
    sign_in(page, "dsl@harbourside.example")
    expect(main).to_contain_text("Referrals from your agency and their outcomes")
    main.get_by_role("link", name=re.compile("REF-")).first.click()
    expect(page.get_by_role("heading", level=2, name="Outcome")).to_be_visible()
    expect(main).to_contain_text("Strategy meeting (section 47), decided on")
    expect(main).to_contain_text(re.compile("Sol Worker|Jo Fieldworker"))
    assert_accessible(page)
