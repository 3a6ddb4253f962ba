"""Each child's minutes as a PDF (issue 5, item 5): that child's minutes only, every other child
only as "Child A/B/C", in text, tables and actions alike, read back from the PDF; every download
audited; a failed render says so and leaves nothing behind."""

import io
import re
from datetime import date

import pytest
import weasyprint
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from hsb_portal.accounts.models import AgencyKind, Role
from hsb_portal.audit.models import Action, AuditEvent, AuditEventChild
from strategy.meetings import services
from strategy.models import MinutesVersion, ThresholdDecision
from tests.conftest import signed_in
from tests.factories import ChildFactory
from tests.strategy.meetings.conftest import (
    add_action,
    approve,
    approved_meeting,
    convene,
    hold,
    make_incident,
    place_of,
    record,
)
from triage.models import Child, Part

pytestmark = pytest.mark.django_db

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def address_terms(address: str, postcode: str) -> list[str]:
    """The whole address, each line but the town, each street without its number, and the
    postcode: what must not reach another child's minutes."""
    lines = [line.strip() for line in re.split(r"[,\n]", address) if line.strip()]
    terms = [" ".join(address.replace(",", " , ").split()).replace(" ,", ",")]
    for line in lines[:-1]:
        terms += [line, re.sub(r"^\d+[a-zA-Z]?\s+", "", line)]
    return [term for term in [*terms, postcode] if term.strip()]


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def identifiers(child: Child) -> list[str]:
    """Everything that identifies ``child``: names, date of birth as people write it, address
    and school."""
    born = child.date_of_birth
    found = [
        child.given_name,
        child.family_name,
        child.full_name,
        f"{born:%d/%m/%Y}",
        f"{born.day} {born:%B %Y}",
        f"{born:%Y-%m-%d}",
        child.school_or_setting,
        *address_terms(child.address, child.postcode),
    ]
    if child.known_as:
        found.append(child.known_as)
    return found


def assert_absent(text: str, child: Child) -> None:
    for identifier in identifiers(child):
        pattern = r"(?<!\w)" + r"\s*".join(re.escape(w) for w in identifier.split()) + r"(?!\w)"
        assert not re.search(pattern, text, re.IGNORECASE), f"{identifier!r} of {child} found"


@pytest.fixture
def three_children(camden, agency_for, manager, agencies, police):
    """A meeting about three children whose records name each other everywhere: Riley (who
    has harmed), Sam and Casey (both harmed)."""
    casey = ChildFactory(
        given_name="Casey",
        family_name="Morrowdale",
        known_as="Cas",
        date_of_birth=date(2015, 6, 30),
        authority=camden,
        address="2 Beacon Walk\nHarbourside",
        postcode="HB2 7QT",
        school_or_setting="Lighthouse Junior School",
    )
    incident = make_incident(
        harmer_lives=camden,
        harmed_lives=camden,
        happened_in=camden,
        agency_for=agency_for,
        extra=[(casey, Part.CHILD_HARMED)],
    )
    sam = incident.sam.child
    sam.known_as = "Sammy"
    sam.postcode = "HB1 4XY"
    sam.save(update_fields=["known_as", "postcode"])
    police_agency = agencies[AgencyKind.POLICE]
    school = agencies[AgencyKind.SCHOOL]
    meeting = convene(incident, manager, agencies=[police_agency, school])
    # The meeting is held at Sam's school: the location names it.
    type(meeting).objects.filter(pk=meeting.pk).update(location="Anchorage Primary, the library")
    hold(meeting, manager)
    record(
        meeting,
        manager,
        "Riley",
        services.ChildMinutesInput(
            risks="Riley touched SAM PELLINGFORD (born 20/01/2017, of 17 Capstan Close) and "
            "messaged Sammy and Cas Morrowdale, born 30 June 2015, of Beacon Walk, HB2 7QT.",
            other_children_in_household="None; Sam's home is at 17 Capstan Close, Harbourside.",
            should_leave_home="no",
            school_safety_plan="yes",
            school_safety_plan_detail="Riley is kept apart from Sam at Anchorage Primary and "
            "from Casey at Lighthouse Junior School events.",
            decision=ThresholdDecision.CIN_PLAN,
            decision_reasons="Riley needs help with boundaries; risk to Casey (2015-06-30) noted.",
            aim_needed="yes",
            aim_lead_agency=agencies[AgencyKind.YOUTH_JUSTICE],
            aim_due_on=date(2026, 12, 18),
        ),
        information={
            police_agency: "Police spoke to Sam Pellingford's mother and to Casey Morrowdale.",
            school: "Riley's teacher saw him follow sammy and casey in the playground.",
        },
    )
    record(
        meeting,
        manager,
        "Sam",
        services.ChildMinutesInput(
            risks="Sam is afraid of Riley Ashcombe (14/03/2014) of 4 Lanyard Row.",
            decision=ThresholdDecision.S47_THRESHOLD_MET,
            decision_reasons="Sam was harmed by Riley at Quayside Academy.",
        ),
        information={police_agency: "Riley Ashcombe is known to police; Casey was a witness."},
    )
    record(
        meeting,
        manager,
        "Casey",
        services.ChildMinutesInput(
            risks="Casey saw Riley and Sam together on 19 November.",
            decision=ThresholdDecision.NO_FURTHER_ACTION,
            decision_reasons="Cas is safe; Riley Ashcombe no longer attends Lighthouse Junior "
            "School clubs.",
        ),
    )
    add_action(
        meeting,
        manager,
        owner=police,
        description="Interview Riley about what happened to Sam Pellingford and Casey.",
        children=["Riley", "Sam", "Casey"],
    )
    add_action(
        meeting,
        manager,
        owner=police,
        description="Offer Sam Pellingford counselling away from Riley Ashcombe.",
        children=["Sam"],
    )
    add_action(
        meeting,
        manager,
        owner=police,
        description="Agree Riley's timetable so he never meets Cas at 2 Beacon Walk.",
        children=["Riley", "Casey"],
        due_on=date(2026, 12, 11),
    )
    minutes = approve(meeting, manager)
    return meeting, minutes


def download(client: Client, meeting, place, minutes):
    return client.get(
        reverse(
            "meetings:child-minutes-pdf",
            args=[meeting.public_id, place.public_id, minutes.public_id],
        )
    )


@pytest.mark.parametrize("name", ["Riley", "Sam", "Casey"])
def test_a_childs_pdf_names_no_other_child_of_the_meeting(
    name, three_children, manager_client: Client
) -> None:
    meeting, minutes = three_children
    place = place_of(meeting, name)

    response = download(manager_client, meeting, place, minutes)

    assert response.status_code == 200
    text = pdf_text(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    for other in meeting.meeting_children.exclude(pk=place.pk).select_related("child"):
        assert_absent(text, other.child)
        assert other.pseudonym in text
    assert place.child.full_name in text


def test_riley_s_pdf_has_his_own_decision_and_actions_with_the_others_as_letters(
    three_children, manager_client: Client
) -> None:
    meeting, minutes = three_children

    text = pdf_text(download(manager_client, meeting, place_of(meeting, "Riley"), minutes).content)

    assert "Child in need plan (section 17)" in text
    assert "Riley needs help with boundaries; risk to Child C ([redacted]) noted." in text
    assert (
        "Riley touched Child B (born [redacted], of [redacted]) and messaged Child B and Child C"
        in text
    )
    assert "Interview Riley about what happened to Child B and Child C." in text
    assert "Riley Ashcombe and Child B and Child C" in text
    assert "Agree Riley's timetable so he never meets Child C at [redacted]." in text
    assert "counselling" not in text  # Sam's own action
    assert "AIM assessment" in text and "18 December 2026" in text
    assert "[redacted], the library" in text  # the meeting was at Sam's school


def test_sam_s_pdf_has_her_decision_and_conference_date(
    three_children, manager_client: Client
) -> None:
    meeting, minutes = three_children

    text = pdf_text(download(manager_client, meeting, place_of(meeting, "Sam"), minutes).content)

    assert "Threshold for a section 47 enquiry met" in text
    assert "Initial child protection conference due by 14 December 2026" in text
    assert "Offer Sam Pellingford counselling away from Child A." in text
    assert "Sam is afraid of Child A ([redacted]) of [redacted]." in text
    assert "Agree Riley" not in text and "Agree Child A" not in text  # not Sam's action


def test_every_page_is_marked_numbered_and_says_who_generated_it(
    three_children, manager_client: Client
) -> None:
    meeting, minutes = three_children

    data = download(manager_client, meeting, place_of(meeting, "Riley"), minutes).content

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(pages)}" in page
        assert "Generated by Mo Manager on" in page


def test_the_download_is_an_attachment_never_cached_and_audited_naming_only_that_child(
    three_children, manager_client: Client
) -> None:
    meeting, minutes = three_children
    place = place_of(meeting, "Sam")

    response = download(manager_client, meeting, place, minutes)

    assert re.fullmatch(
        f'attachment; filename="minutes-{UUID}.pdf"', response["Content-Disposition"]
    )
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.object_id == str(place.public_id)
    assert event.detail == "minutes of Child B, version 1 (PDF)"
    named = AuditEventChild.objects.filter(event=event).values_list("child_id", flat=True)
    assert [str(child_id) for child_id in named] == [str(place.child.public_id)]


def test_a_failed_render_says_so_and_sends_no_file(
    three_children, manager_client: Client, monkeypatch
) -> None:
    meeting, minutes = three_children

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("font cache is corrupt")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    response = download(manager_client, meeting, place_of(meeting, "Riley"), minutes)
    page = manager_client.get(response["Location"])

    assert response.status_code == 302
    assert "The minutes could not be created. Try again." in page.text
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.detail.startswith("export_failed")


def test_a_draft_is_not_downloaded(incident, manager, manager_client: Client) -> None:
    meeting = convene(incident, manager)
    draft = hold(meeting, manager)
    place = place_of(meeting, "Sam")

    response = manager_client.get(
        reverse(
            "meetings:child-minutes-pdf", args=[meeting.public_id, place.public_id, draft.public_id]
        ),
        follow=True,
    )

    assert "Minutes can be downloaded once the chair approves them" in response.text
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


# Who reads a child's minutes (the chair sending them to named people: test_distribution.py).


def test_the_allocated_social_worker_reads_their_own_childs_minutes_only(incident, manager) -> None:
    meeting = approved_meeting(incident, manager)
    minutes = MinutesVersion.objects.get(meeting=meeting)
    sols = signed_in(Client(), incident.workers[0])  # Riley's social worker

    own = download(sols, meeting, place_of(meeting, "Riley"), minutes)
    other = download(sols, meeting, place_of(meeting, "Sam"), minutes)

    assert own.status_code == 200
    assert other.status_code == 404


def test_an_auditor_downloads_any_childs_minutes(incident, manager, member) -> None:
    meeting = approved_meeting(incident, manager)
    minutes = MinutesVersion.objects.get(meeting=meeting)
    auditor = signed_in(Client(), member(Role.AUDITOR))

    response = download(auditor, meeting, place_of(meeting, "Sam"), minutes)

    assert response.status_code == 200


# One child's minutes as a PDF: 1 the session, 2 the person, 3 their authenticator (a fresh
# security code), 4 the role they act in, 5 its agency's authorities, 6-7 the child's place and
# the version are of this meeting (the guard refuses an address that mixes two meetings), 8 the
# child's place in the meeting (child, referral, meeting, authority and chair joined), 9 whether
# this person sees the whole record, 10 the version, 11 the meeting's children, 12 the
# attendance, 13 the child's record, 14 whether a later version supersedes this one, 15 the
# actions about the child, 16 the children they concern, 17 which are done, 18 what each agency
# shared, 19 the other children named in the case, 20 the chair's redactions, 21-24 the audit
# event of the export, 25-27 the session saved.
PDF_QUERIES = 27


@pytest.mark.parametrize("count", [1, 5])
def test_a_childs_pdf_costs_the_same_whatever_the_number_of_rows(
    count, incident, manager, manager_client: Client, police, agencies, django_assert_num_queries
) -> None:
    meeting = convene(incident, manager, agencies=list(agencies.values())[:count])
    hold(meeting, manager)
    information = dict.fromkeys(list(agencies.values())[:count], "What the agency knows.")
    record(meeting, manager, "Riley", information=information)
    record(meeting, manager, "Sam")
    for n in range(count):
        add_action(
            meeting, manager, owner=police, description=f"Action {n}.", children=["Riley", "Sam"]
        )
    minutes = approve(meeting, manager)
    riley = place_of(meeting, "Riley")
    manager_client.get(reverse("home"))

    with django_assert_num_queries(PDF_QUERIES):
        response = download(manager_client, meeting, riley, minutes)

    text = pdf_text(response.content)
    assert text.count("What the agency knows.") == count
    assert text.count("Riley Ashcombe and Child B") == count
