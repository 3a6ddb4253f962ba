"""Issue 5's journey. It starts where issue 4's ends (Riley Ashcombe, 12, who has harmed, and Sam
Pellingford, 9, harmed, screened for a strategy meeting, each with their own social worker): the
social work manager convenes one meeting for both children, records it took place, records a
decision for each child and an action that concerns both, approves the minutes, and downloads
each child's PDF, in which the other child is only "Child A" or "Child B". Then the chair sends
Riley's minutes to the police officer by name, who reads them, and the meeting page, with Sam
only as "Child B"."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from hsb_portal.accounts.models import Membership
from referrals import services as referrals
from referrals.models import Referral, ReferralStatus
from tests.browser.conftest import sign_in
from tests.browser.test_referral_journey import concern_the_dsl_decided_to_refer
from triage.selectors import concern_for_page

pytestmark = pytest.mark.django_db(transaction=True)


def referrals_screened_for_a_strategy_meeting() -> list[Referral]:
    """The state issue 4's browser journey leaves, made through the services."""
    concern = concern_for_page().get(pk=concern_the_dsl_decided_to_refer().pk)
    dsl = Membership.objects.get(user__email="dsl@harbourside.example")
    screener = Membership.objects.get(user__email="screener@harbourside.example")
    involvements = list(concern.involvements_in_order())
    consent = referrals.Consent(parents_informed=True, sharing_agreed_by="parent")
    made = referrals.make_referrals_from_concern(
        concern=concern,
        involvements=involvements,
        contents=referrals.Contents(
            incident_details="In the playground Riley made sexual comments to Sam and touched "
            "them.",
            victim_vulnerability="Sam is 9, three years younger, and new to the school.",
            coercion_or_duress="Riley told Sam not to tell anyone.",
            referrer_risk_level="high",
            other_children_at_risk="no",
        ),
        consents={i.pk: consent for i in involvements},
        unpaired_reason="",
        version=concern.version,
        by=dsl.user,
        membership=dsl,
    )
    as_screener = {"by": screener.user, "membership": screener}
    for referral, worker in zip(
        made, ("socialworker@harbourside.example", "socialworker2@harbourside.example"), strict=True
    ):
        referrals.take_referral(referral=referral, **as_screener)
        referrals.record_screening_decision(
            referral=referral,
            rag="red",
            decision=ReferralStatus.STRATEGY_MEETING,
            rationale="Reasonable cause to suspect significant harm.",
            version=referral.version,
            **as_screener,
        )
        referrals.allocate_social_worker(
            referral=referral,
            social_worker=Membership.objects.get(user__email=worker),
            same_worker_reason="",
            version=referral.version,
            **as_screener,
        )
    return made


def fill_date(page: Page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def download(page: Page, name: str) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name=f"Download the PDF of version 1 for {name}").click()
    saved = info.value
    assert re.fullmatch(r"minutes-[0-9a-f-]{36}\.pdf", saved.suggested_filename)
    with open(saved.path(), "rb") as stored:
        return pdf_text(stored.read())


def record_child(page: Page, assert_accessible, name: str, decision: str, risks: str) -> None:
    page.get_by_role("link", name=f"Record the minutes for {name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Minutes for {name}")
    assert_accessible(page)
    page.get_by_label("What are the risks?").fill(risks)
    page.get_by_label(decision).check()
    if name == "Riley Ashcombe":
        page.get_by_role("group", name="Is an AIM assessment needed?").get_by_label(
            "No", exact=True
        ).check()
    page.get_by_role("button", name=f"Save the minutes for {name}").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Minutes saved for {name}")


def test_the_manager_convenes_records_approves_and_downloads_each_childs_minutes(
    page: Page, demo_data: None, assert_accessible
) -> None:
    riley, sam = referrals_screened_for_a_strategy_meeting()
    today = timezone.localdate()
    main = page.locator("main")

    # My work lists both referrals to convene, with when the meeting is due.
    sign_in(page, "manager@harbourside.example")
    expect(main).to_contain_text("Strategy meetings to convene")
    expect(main).to_contain_text("Meeting due by")
    expect(main).to_contain_text(f"Convene for {sam.reference}")
    assert_accessible(page)
    page.get_by_role("link", name=f"Convene for {riley.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Convene a strategy meeting")
    expect(main).to_contain_text("Camden 2023, 8.3")
    assert_accessible(page)
    fill_date(page, "What date is the meeting?", today)
    page.get_by_label("What time does it start?").fill("09:00")
    page.get_by_label("In person", exact=True).check()
    page.get_by_label("Where is it, or how do people join?").fill("Harbourside Civic Centre")
    page.get_by_role("button", name="Convene the meeting").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("convened")
    expect(main).to_contain_text("Riley Ashcombe (Child A)")
    expect(main).to_contain_text("Sam Pellingford (Child B)")
    expect(main).to_contain_text("Sol Worker, Harbourside Children's Social Care")
    expect(main).to_contain_text("Jo Fieldworker, Harbourside Children's Social Care")
    assert_accessible(page)

    # The meeting takes place; its minutes start as a draft.
    page.get_by_role("button", name="Record that the meeting took place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record that the meeting took place")
    assert_accessible(page)
    page.get_by_role("button", name="Start the minutes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The minutes have been started"
    )
    assert_accessible(page)

    # A decision for each child, kept apart.
    record_child(
        page,
        assert_accessible,
        "Riley Ashcombe",
        "Child in need plan (section 17)",
        "Riley may approach Sam Pellingford again at break times.",
    )
    record_child(
        page,
        assert_accessible,
        "Sam Pellingford",
        "Threshold for a section 47 enquiry met: initial child protection conference",
        "Sam is frightened of Riley Ashcombe.",
    )

    # An action that concerns both children.
    page.get_by_role("button", name="Add an action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action")
    assert_accessible(page)
    page.get_by_label("What is the action?").fill(
        "Agree separate break times for Riley and Sam with the school."
    )
    page.get_by_label("Who owns it?").select_option(
        label="Pat Constable, practitioner, Harbourside Police Safeguarding Unit"
    )
    fill_date(page, "By when?", today + timedelta(days=7))
    page.get_by_label(re.compile(r"Riley Ashcombe \(Child A")).check()
    page.get_by_label(re.compile(r"Sam Pellingford \(Child B")).check()
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action added")
    expect(main).to_contain_text("Riley Ashcombe and Sam Pellingford")
    assert_accessible(page)

    # The chair approves; approved minutes never change.
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve the minutes")
    assert_accessible(page)
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Minutes version 1 approved")
    expect(main).to_contain_text("Minutes approved")
    assert_accessible(page)

    # Each child's PDF: their own decision and the action; the other child only as a letter.
    rileys = download(page, "Riley Ashcombe")
    sams = download(page, "Sam Pellingford")
    assert "Child in need plan (section 17)" in rileys
    assert "Riley may approach Child B again at break times." in rileys
    assert "Agree separate break times for Riley and Child B with the school." in rileys
    assert not re.search(r"\bSam\b|Pellingford", rileys)
    assert "Threshold for a section 47 enquiry met" in sams
    assert "Sam is frightened of Child A." in sams
    assert "Agree separate break times for Child A and Sam with the school." in sams
    assert not re.search(r"\bRiley\b|Ashcombe", sams)
    for text in (rileys, sams):
        assert "OFFICIAL-SENSITIVE" in text and "Generated by Mo Manager" in text

    # Sam's minutes on screen, as the chair reads them.
    page.get_by_role("link", name="Read version 1 of Sam Pellingford's minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Minutes for Sam Pellingford")
    expect(main).not_to_contain_text("Riley")
    assert_accessible(page)

    # The chair sends Riley's minutes to the police officer who owns the action, by name.
    page.get_by_role("link", name="Back to the meeting").click()
    page.get_by_role("button", name="Send the minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send the minutes")
    assert_accessible(page)
    for box in page.locator("input.govuk-checkboxes__input").all():
        box.uncheck()
    rileys_police = page.get_by_role(
        "group", name="Riley Ashcombe's minutes (Child A): Harbourside Police Safeguarding Unit"
    )
    rileys_police.get_by_label("Pat Constable").check()
    page.get_by_role("button", name="Send the minutes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Minutes sent: 1 new")
    page.get_by_role("button", name="Sign out").click()

    # Only Pat reads them, and only Riley's: on the meeting page Sam is "Child B" everywhere.
    sign_in(page, "police@harbourside.example")
    expect(main).to_contain_text("Strategy meeting minutes sent to you")
    page.get_by_role("link", name=re.compile(r"Minutes of SM-.*, Child A, version 1")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Minutes for Riley Ashcombe")
    expect(main).to_contain_text("Agree separate break times for Riley and Child B")
    assert_accessible(page)
    page.get_by_role("link", name="Back to the meeting").click()
    expect(main).to_contain_text("Agree separate break times for Riley and Child B")
    expect(main).not_to_contain_text("Sam")
    assert_accessible(page)
