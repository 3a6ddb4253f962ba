"""The chair's check before approving (issue 10, point 3): the approval page shows each child's
minutes exactly as that child's readers will see them, with whatever still resembles another
child's details marked; the chair keeps or redacts each, every answer is audited against that
child's minutes, and a redaction reaches that child's page and PDF from then on. Approval waits
until every marked piece is answered. Children named elsewhere in the case (a witness, a
sibling) are redacted in every child's minutes."""

import io
import re
from datetime import date

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from hsb_portal.audit.models import Action, AuditEvent, AuditEventChild
from strategy.meetings import services
from strategy.meetings.forms import check_field_name
from strategy.models import MinutesStatus, MinutesVersion, RedactionDecision, ThresholdDecision
from tests.factories import ChildFactory, ConcernChildFactory
from tests.strategy.meetings.conftest import (
    approve,
    convene,
    draft_of,
    fresh,
    hold,
    place_of,
    record,
)
from triage.models import Part

pytestmark = pytest.mark.django_db


def approval_url(meeting) -> str:
    return reverse("meetings:minutes-approve", args=[meeting.public_id])


def minutes_url(meeting, name: str, minutes) -> str:
    place = place_of(meeting, name)
    return reverse(
        "meetings:child-minutes", args=[meeting.public_id, place.public_id, minutes.public_id]
    )


def pdf_text(client: Client, meeting, name: str, minutes) -> str:
    response = client.get(minutes_url(meeting, name, minutes) + "pdf/")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def section(html: str, letter: str) -> str:
    """One child's part of the approval page: their minutes and the questions about them."""
    start = html.index(f'id="minutes-{letter}"')
    following = html.find('id="minutes-', start + 1)
    return html[start : following if following > 0 else len(html)]


@pytest.fixture
def checked(incident, manager, agencies):
    """A held meeting whose minutes still hold text that resembles the other child."""
    meeting = convene(incident, manager, agencies=list(agencies.values()))
    hold(meeting, manager)
    record(
        meeting,
        manager,
        "Riley",
        services.ChildMinutesInput(
            risks="Riley pushed Sami by the Marina Way gate. Sam Pellingford cried.",
            decision=ThresholdDecision.CIN_PLAN,
            decision_reasons="Needs support with boundaries.",
        ),
    )
    record(
        meeting,
        manager,
        "Sam",
        services.ChildMinutesInput(
            risks="Sam is scared of Rilo.",
            decision=ThresholdDecision.S47_THRESHOLD_MET,
            decision_reasons="Reasonable cause to suspect significant harm.",
        ),
    )
    return fresh(meeting)


def answers(meeting, **chosen: str) -> dict[str, object]:
    """The approval form's fields: each marked text (by what it says) kept or redacted."""
    data: dict[str, object] = {"version": draft_of(meeting).version}
    for check in services.checks_of(draft_of(meeting)):
        for item in check.items:
            data[check_field_name(check.place, item.key)] = chosen.get(item.text, "keep")
    return data


def test_the_approval_page_shows_each_childs_minutes_as_their_readers_will_with_resemblances_marked(
    checked, manager_client: Client
) -> None:
    html = manager_client.get(approval_url(checked)).text

    riley, sam = section(html, "A"), section(html, "B")
    assert "Riley pushed <mark>Sami" in riley
    assert "<mark>Marina Way" in riley
    assert "Child B cried." in riley and "Pellingford" not in riley
    assert "Sam is scared of <mark>Rilo" in sam and "Riley" not in sam.split("Keep or redact")[0]
    assert riley.count("<mark>") == 2 and "(check 2)</span></mark>" in riley
    assert "Check 1: \u201cSami\u201d" in riley
    assert "Starts like Child B&#x27;s name. In risks." in riley
    assert "Redact it: show \u201cChild B\u201d instead" in riley
    assert "Looks like a street or school name" in riley
    assert 'type="radio"' in sam and "Check 1: \u201cRilo\u201d" in sam


def test_approval_is_refused_until_every_marked_piece_is_kept_or_redacted(
    checked, manager_client: Client
) -> None:
    data = answers(checked)
    sami = next(name for name, value in data.items() if name.startswith("check-A-"))
    del data[sami]

    response = manager_client.post(approval_url(checked), data)

    assert response.status_code == 200
    assert "Select keep or redact for check 1 in the minutes for Riley Ashcombe" in response.text
    link = re.search(r'href="#(id_check-A-[0-9a-f]+[^"]*)"', response.text)
    assert link is not None and f'id="{link[1]}"' in response.text
    assert draft_of(checked).status == MinutesStatus.DRAFT
    assert not RedactionDecision.objects.exists()


def test_each_answer_is_audited_against_that_childs_minutes_and_a_redaction_reaches_page_and_pdf(
    checked, manager, manager_client: Client
) -> None:
    response = manager_client.post(
        approval_url(checked), answers(checked, Sami="redact"), follow=True
    )

    assert "Minutes version 1 approved" in response.text
    minutes = MinutesVersion.objects.get(meeting=checked)
    riley, sam = place_of(checked, "Riley"), place_of(checked, "Sam")
    decisions = {
        (d.meeting_child_id, d.text): d.decision for d in minutes.redaction_decisions.all()
    }
    assert decisions == {
        (riley.pk, "Sami"): "redact",
        (riley.pk, "Marina Way"): "keep",
        (sam.pk, "Rilo"): "keep",
    }
    events = AuditEvent.objects.filter(object_kind="strategy.redactiondecision")
    assert events.count() == 3
    for event in events:
        decision = RedactionDecision.objects.get(public_id=event.object_id)
        named = AuditEventChild.objects.filter(event=event).values_list("child_id", flat=True)
        assert {str(child_id) for child_id in named} == {
            str(decision.meeting_child.child.public_id)
        }
        assert event.action == Action.CREATE and event.actor == manager.user
    page = manager_client.get(minutes_url(checked, "Riley", minutes)).text
    assert "Riley pushed Child B by the Marina Way gate. Child B cried." in page
    assert "Sami" not in page
    text = pdf_text(manager_client, checked, "Riley", minutes)
    assert "Riley pushed Child B by the Marina Way gate." in text and "Sami" not in text
    assert "Sam is scared of Rilo." in manager_client.get(minutes_url(checked, "Sam", minutes)).text


def test_an_amendment_keeps_the_chairs_answers(checked, manager, manager_client: Client) -> None:
    manager_client.post(approval_url(checked), answers(checked, Sami="redact"))
    meeting = fresh(checked)
    services.amend_minutes(
        meeting=meeting, reason="Typing corrected.", version=meeting.version, **acting(manager)
    )
    draft = draft_of(meeting)

    page = manager_client.get(minutes_url(meeting, "Riley", draft)).text
    html = manager_client.get(approval_url(meeting)).text

    assert "Riley pushed Child B by" in page and "Sami" not in page
    assert "Riley pushed Child B by the <mark>Marina Way" in section(html, "A")
    marina = check_field_name(place_of(meeting, "Riley"), "marina way")
    assert re.search(rf'<input[^>]*name="{marina}"[^>]*value="keep"[^>]*checked', html)
    assert draft.redaction_decisions.count() == 3


def test_a_witness_and_a_sibling_are_another_child_in_every_childs_minutes(
    incident, manager, manager_client: Client
) -> None:
    sam = incident.sam.child
    witness = ChildFactory(
        given_name="Tomasz",
        family_name="Wójcik",
        date_of_birth=date(2016, 7, 14),
        authority=sam.authority,
    )
    ConcernChildFactory(concern=incident.riley.concern, child=witness, part=Part.WITNESS)
    sister = ChildFactory(given_name="Lily", family_name="Pellingford", authority=sam.authority)
    sam.household.add(sister)
    meeting = convene(incident, manager)
    hold(meeting, manager)
    record(
        meeting,
        manager,
        "Riley",
        services.ChildMinutesInput(
            risks="Tomasz Wojcik (DOB 14-Jul-2016) saw it; Lily told her mum.",
            decision=ThresholdDecision.CIN_PLAN,
        ),
    )
    record(
        meeting,
        manager,
        "Sam",
        services.ChildMinutesInput(
            other_children_in_household="Lily Pellingford, 6.",
            risks="TOMASZ was there.",
            decision=ThresholdDecision.S47_THRESHOLD_MET,
        ),
    )
    minutes = approve(meeting, manager)

    riley = manager_client.get(minutes_url(meeting, "Riley", minutes)).text
    sam_page = manager_client.get(minutes_url(meeting, "Sam", minutes)).text

    assert "another child (DOB [redacted]) saw it; another child told her mum." in riley
    assert "Other children in the household" in sam_page and "another child, 6." in sam_page
    assert "another child was there." in sam_page
    for page in (riley, sam_page):
        assert "Tomasz" not in page and "TOMASZ" not in page and "Lily" not in page


def test_what_was_typed_is_escaped_around_the_marks(
    incident, manager, manager_client: Client
) -> None:
    meeting = convene(incident, manager)
    hold(meeting, manager)
    record(
        meeting,
        manager,
        "Riley",
        services.ChildMinutesInput(risks="<b>Sami</b> & <i>co</i>", decision="cin_plan"),
    )
    record(meeting, manager, "Sam")

    html = manager_client.get(approval_url(meeting)).text

    assert "&lt;b&gt;<mark>Sami" in html and "&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;" in html
    assert "<b>Sami" not in html


@pytest.mark.postgresql
def test_postgresql_refuses_any_change_to_the_chairs_answers_once_approved(
    checked, manager_client: Client
) -> None:
    manager_client.post(approval_url(checked), answers(checked, Sami="redact"))

    with (
        pytest.raises((IntegrityError, InternalError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE strategy_redactiondecision SET decision = 'keep'")


def acting(membership) -> dict[str, object]:
    return {"by": membership.user, "membership": membership}
