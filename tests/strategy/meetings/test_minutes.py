"""Recording the minutes for each child, approving them, and amending them (issue 5, items 3
and 4): decisions are kept per child, approved minutes never change, and an amendment is a new
version that leaves the approved one readable."""

from datetime import date

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import AgencyKind, Role
from hsb_portal.accounts.procedure_profiles import DERBY_LIKE, apply_profile
from hsb_portal.audit.models import Action, AuditEvent
from strategy.meetings import services
from strategy.models import (
    ChildRecord,
    MeetingAction,
    MeetingStatus,
    MinutesStatus,
    MinutesVersion,
    ThresholdDecision,
)
from tests.conftest import signed_in
from tests.factories import MembershipFactory
from tests.strategy.meetings.conftest import (
    add_action,
    approve,
    approved_meeting,
    convene,
    draft_of,
    fresh,
    hold,
    london,
    place_of,
    record,
)
from triage.models import YesNoUnknown

pytestmark = pytest.mark.django_db


def record_url(meeting, name: str) -> str:
    place = place_of(meeting, name)
    return reverse("meetings:child-record", args=[meeting.public_id, place.public_id])


def record_post(meeting, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": draft_of(meeting).version,
        "risks": "",
        "other_children_in_household": "",
        "should_leave_home": "",
        "leave_home_detail": "",
        "school_safety_plan": "",
        "school_safety_plan_detail": "",
        "medical_checks": "",
        "medical_checks_detail": "",
        "at_risk_of_significant_harm": "",
        "decision": "",
        "decision_reasons": "",
        "conference_on_0": "",
        "conference_on_1": "",
        "conference_on_2": "",
        "aim_needed": "",
        "aim_lead_agency": "",
        "aim_lead_person": "",
        "aim_due_on_0": "",
        "aim_due_on_1": "",
        "aim_due_on_2": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def held(incident, manager, agencies):
    meeting = convene(incident, manager, agencies=list(agencies.values()))
    hold(meeting, manager)
    return fresh(meeting)


def test_each_child_has_their_own_decision_and_dates(held, manager) -> None:
    record(held, manager, "Riley")
    record(held, manager, "Sam")

    riley = ChildRecord.objects.get(meeting_child__child__given_name="Riley")
    sam = ChildRecord.objects.get(meeting_child__child__given_name="Sam")
    assert riley.decision == ThresholdDecision.CIN_PLAN
    assert sam.decision == ThresholdDecision.S47_THRESHOLD_MET
    # WT2023: the conference within 15 working days of Monday 23 November 2026.
    assert sam.icpc_due_on == date(2026, 12, 14)
    assert sam.cin_review_due_on is None
    # The first review of a child in need plan within 3 months (DD 4).
    assert riley.cin_review_due_on == date(2027, 2, 23)
    assert riley.icpc_due_on is None
    assert riley.risks != sam.risks


@pytest.mark.parametrize(
    ("derby_like", "due"),
    [
        # 15 working days from Tuesday 22 December 2026: 23, 24, (Christmas Friday 25, weekend,
        # Boxing Day substitute Monday 28) 29, 30, 31, (New Year's Day Friday 1 January,
        # weekend) 4, 5, 6, 7, 8, 11, 12, 13, 14, 15 January 2027.
        (False, date(2027, 1, 15)),
        # Derby and Derbyshire, 4: "within 15 days", read as calendar days.
        (True, date(2027, 1, 6)),
    ],
    ids=["camden-like-working-days", "derby-like-calendar-days"],
)
def test_the_conference_is_due_by_the_childs_authoritys_profile(
    derby_like, due, incident, manager
) -> None:
    if derby_like:
        apply_profile(incident.sam.authority, DERBY_LIKE)
    meeting = convene(
        incident, manager, scheduled_for=london(2026, 12, 22, 10, 0), late_reason="Holiday."
    )
    hold(meeting, manager, held_on=date(2026, 12, 22))

    record(meeting, manager, "Sam")

    sam = ChildRecord.objects.get(meeting_child__child__given_name="Sam")
    assert sam.icpc_due_on == due
    assert "15" in sam.icpc_rule


def test_the_chair_records_a_childs_minutes_through_the_form(
    held, manager, manager_client: Client, agencies
) -> None:
    police = agencies[AgencyKind.POLICE]
    response = manager_client.post(
        record_url(held, "Sam"),
        record_post(
            held,
            **{
                f"info-{police.public_id}": "No previous police contact with the family.",
                "risks": "Sam is frightened of going to school.",
                "school_safety_plan": "yes",
                "school_safety_plan_detail": "Separate play times; a named adult at lunch.",
                "medical_checks": "no",
                "decision": ThresholdDecision.S47_THRESHOLD_MET,
                "decision_reasons": "Reasonable cause to suspect significant harm.",
            },
        ),
        follow=True,
    )

    assert "Minutes saved for Sam Pellingford" in response.text
    sam = ChildRecord.objects.get(meeting_child__child__given_name="Sam")
    assert sam.school_safety_plan_detail == "Separate play times; a named adult at lunch."
    assert sam.minutes.agency_information.get().information == (
        "No previous police contact with the family."
    )
    assert "Conference due by 14 December 2026" in response.text


def test_no_further_action_needs_reasons_and_the_answers_are_kept(
    held, manager_client: Client
) -> None:
    response = manager_client.post(
        record_url(held, "Riley"),
        record_post(held, decision=ThresholdDecision.NO_FURTHER_ACTION, risks="Low, say school."),
    )

    assert response.status_code == 200
    assert "Enter the reasons for no further action" in response.text
    assert "Low, say school." in response.text
    assert ChildRecord.objects.get(meeting_child__child__given_name="Riley").decision == ""


def test_a_conference_for_the_child_who_has_harmed_needs_them_at_risk_themselves(
    held, manager_client: Client
) -> None:
    url = record_url(held, "Riley")

    refused = manager_client.post(
        url,
        record_post(
            held, decision=ThresholdDecision.S47_THRESHOLD_MET, at_risk_of_significant_harm="no"
        ),
    )
    accepted = manager_client.post(
        url,
        record_post(
            held, decision=ThresholdDecision.S47_THRESHOLD_MET, at_risk_of_significant_harm="yes"
        ),
        follow=True,
    )

    assert (
        "needs them to be suffering, or likely to suffer, significant harm themselves"
        in refused.text
    )
    assert "Minutes saved for Riley Ashcombe" in accepted.text
    assert "Separate meeting needed" in accepted.text
    assert ChildRecord.objects.get(meeting_child__child__given_name="Riley").needs_separate_meeting


def test_an_aim_assessment_needs_a_lead_and_a_date(
    held, manager, manager_client: Client, agencies
) -> None:
    url = record_url(held, "Riley")
    yjs = agencies[AgencyKind.YOUTH_JUSTICE]

    refused = manager_client.post(url, record_post(held, aim_needed="yes"))
    accepted = manager_client.post(
        url,
        record_post(
            held,
            aim_needed="yes",
            aim_lead_agency=yjs.pk,
            aim_due_on_0="18",
            aim_due_on_1="12",
            aim_due_on_2="2026",
            decision=ThresholdDecision.CIN_PLAN,
        ),
    )

    assert "Select who leads the AIM assessment: an agency or a person" in refused.text
    assert "Enter the date the AIM assessment is due by" in refused.text
    assert accepted.status_code == 302
    riley = ChildRecord.objects.get(meeting_child__child__given_name="Riley")
    assert (riley.aim_needed, riley.aim_lead_agency, riley.aim_due_on) == (
        "yes",
        yjs,
        date(2026, 12, 18),
    )


def test_the_aim_question_is_asked_only_about_the_child_who_has_harmed(
    held, manager_client: Client
) -> None:
    riley = manager_client.get(record_url(held, "Riley"))
    sam = manager_client.get(record_url(held, "Sam"))

    assert "Is an AIM assessment needed?" in riley.text
    assert "Is an AIM assessment needed?" not in sam.text
    assert "Should the child who has harmed leave the home" in riley.text
    assert "Should the child who has harmed leave the home" not in sam.text


def test_two_editors_from_the_same_version_the_second_is_told_and_keeps_their_input(
    held, manager, manager_client: Client, agency_for
) -> None:
    colleague = MembershipFactory(role=Role.SW_MANAGER, agency=manager.agency)
    second = signed_in(Client(), colleague)
    url = record_url(held, "Sam")
    opened = record_post(held)

    first = manager_client.post(url, {**opened, "risks": "First editor's risks."})
    stale = second.post(url, {**opened, "risks": "Second editor's risks."})

    assert first.status_code == 302
    assert stale.status_code == 200
    assert "Someone else changed these minutes after you opened this page" in stale.text
    assert "Second editor&#x27;s risks." in stale.text
    assert (
        ChildRecord.objects.get(meeting_child__child__given_name="Sam").risks
        == "First editor's risks."
    )


def test_minutes_cannot_be_approved_until_every_child_has_a_decision(
    held, manager, manager_client: Client
) -> None:
    record(held, manager, "Riley")

    response = manager_client.post(
        reverse("meetings:minutes-approve", args=[held.public_id]),
        {"version": draft_of(held).version},
    )

    assert response.status_code == 200
    assert "Record the decision for Sam Pellingford (Child B)" in response.text
    assert draft_of(held).status == MinutesStatus.DRAFT


def test_only_the_chair_approves(held, manager, agency_for) -> None:
    record(held, manager, "Riley")
    record(held, manager, "Sam")
    colleague = signed_in(Client(), MembershipFactory(role=Role.SW_MANAGER, agency=manager.agency))

    response = colleague.post(
        reverse("meetings:minutes-approve", args=[held.public_id]),
        {"version": draft_of(held).version},
    )

    assert response.status_code == 403
    assert draft_of(held).status == MinutesStatus.DRAFT


def test_the_chair_approves_and_the_meeting_is_done(held, manager, manager_client: Client) -> None:
    record(held, manager, "Riley")
    record(held, manager, "Sam")

    response = manager_client.post(
        reverse("meetings:minutes-approve", args=[held.public_id]),
        {"version": draft_of(held).version},
        follow=True,
    )

    assert "Minutes version 1 approved" in response.text
    minutes = MinutesVersion.objects.get(meeting=held)
    assert minutes.status == MinutesStatus.APPROVED
    assert minutes.approved_by == manager.user
    assert fresh(held).status == MeetingStatus.MINUTES_APPROVED


# Approved minutes do not change.


def test_approved_minutes_refuse_every_change(incident, manager, police) -> None:
    meeting = approved_meeting(incident, manager)
    minutes = MinutesVersion.objects.get(meeting=meeting)
    place = place_of(meeting, "Sam")

    with pytest.raises(services.MinutesApproved):
        services.record_child_minutes(
            minutes=minutes,
            place=place,
            answers=services.ChildMinutesInput(
                decision=ThresholdDecision.NO_FURTHER_ACTION, decision_reasons="x"
            ),
            agency_information={},
            version=minutes.version,
            by=manager.user,
            membership=manager,
        )
    with pytest.raises(services.MinutesApproved):
        services.add_action(
            minutes=minutes,
            action=services.ActionInput("Visit.", police, date(2026, 12, 1), [place]),
            version=minutes.version,
            by=manager.user,
            membership=manager,
        )
    with pytest.raises(services.MinutesApproved):
        services.approve_minutes(
            minutes=minutes, version=minutes.version, by=manager.user, membership=manager
        )
    assert ChildRecord.objects.get(minutes=minutes, meeting_child=place).decision == (
        ThresholdDecision.S47_THRESHOLD_MET
    )


def test_the_record_page_of_approved_minutes_sends_the_chair_to_amend(
    incident, manager, manager_client: Client
) -> None:
    meeting = approved_meeting(incident, manager)

    response = manager_client.get(record_url(meeting, "Sam"), follow=True)

    assert "These minutes have been approved, so they cannot change" in response.text
    assert "Amend the minutes" in response.text


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE strategy_childrecord SET risks = 'changed'",
        "DELETE FROM strategy_agencyinformation",
        "UPDATE strategy_meetingaction SET description = 'changed'",
        "DELETE FROM strategy_actionchild",
        "UPDATE strategy_attendance SET name = 'changed'",
        "UPDATE strategy_minutesversion SET amendment_reason = 'changed'",
        "DELETE FROM strategy_minutesversion",
    ],
)
def test_postgresql_refuses_any_change_to_approved_minutes(
    statement, incident, manager, police, agencies
) -> None:
    meeting = convene(incident, manager)
    hold(meeting, manager)
    record(meeting, manager, "Riley", information={agencies[AgencyKind.POLICE]: "Known to police."})
    record(meeting, manager, "Sam")
    add_action(meeting, manager, owner=police, description="Visit.", children=["Riley", "Sam"])
    approve(meeting, manager)
    from django.db import connection

    with (
        pytest.raises((IntegrityError, InternalError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


@pytest.mark.postgresql
def test_postgresql_refuses_a_row_added_to_approved_minutes(incident, manager) -> None:
    meeting = approved_meeting(incident, manager)
    minutes = MinutesVersion.objects.get(meeting=meeting)

    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        ChildRecord.objects.create(minutes=minutes, meeting_child=place_of(meeting, "Sam"))


# Amendments: a new version, with its reason; every version stays readable.


def test_an_amendment_is_a_new_draft_copied_from_the_approved_minutes(
    incident, manager, police, manager_client: Client
) -> None:
    meeting = convene(incident, manager)
    hold(meeting, manager)
    record(meeting, manager, "Riley")
    record(meeting, manager, "Sam")
    add_action(
        meeting, manager, owner=police, description="Check the family's records.", children=["Sam"]
    )
    approve(meeting, manager)

    response = manager_client.post(
        reverse("meetings:minutes-amend", args=[meeting.public_id]),
        {"version": fresh(meeting).version, "reason": "The school's safety plan was left out."},
        follow=True,
    )

    assert "Amendment started: version 2. Version 1 stays as approved" in response.text
    first, second = MinutesVersion.objects.filter(meeting=meeting).order_by("number")
    assert (first.status, second.status) == (MinutesStatus.APPROVED, MinutesStatus.DRAFT)
    assert second.amendment_reason == "The school's safety plan was left out."
    assert second.child_records.count() == 2
    copy = MeetingAction.objects.get(minutes=second)
    original = MeetingAction.objects.get(minutes=first)
    assert copy.key == original.key and copy.pk != original.pk
    assert [p.child.given_name for p in copy.children.all()] == ["Sam"]


def test_an_amendment_needs_a_reason(incident, manager, manager_client: Client) -> None:
    meeting = approved_meeting(incident, manager)

    response = manager_client.post(
        reverse("meetings:minutes-amend", args=[meeting.public_id]),
        {"version": meeting.version, "reason": "  "},
    )

    assert "Enter why the minutes are amended" in response.text
    assert MinutesVersion.objects.filter(meeting=meeting).count() == 1


def test_approving_an_amendment_supersedes_the_earlier_version_which_stays_readable(
    incident, manager, manager_client: Client
) -> None:
    meeting = approved_meeting(incident, manager)
    services.amend_minutes(
        meeting=meeting,
        reason="Decision for Riley corrected.",
        version=meeting.version,
        by=manager.user,
        membership=manager,
    )
    record(
        meeting,
        manager,
        "Riley",
        services.ChildMinutesInput(
            decision=ThresholdDecision.NO_FURTHER_ACTION,
            decision_reasons="Behaviour assessed as exploratory; support through school.",
        ),
    )
    approve(meeting, manager)
    first, second = MinutesVersion.objects.filter(meeting=meeting).order_by("number")
    riley = place_of(meeting, "Riley")

    old = manager_client.get(
        reverse(
            "meetings:child-minutes", args=[meeting.public_id, riley.public_id, first.public_id]
        )
    )
    new = manager_client.get(
        reverse(
            "meetings:child-minutes", args=[meeting.public_id, riley.public_id, second.public_id]
        )
    )

    assert "Child in need plan (section 17)" in old.text
    assert "A later version of these minutes has been approved" in old.text
    assert "No further action" in new.text
    assert "Behaviour assessed as exploratory" in new.text
    assert "Amended because: Decision for Riley corrected." in new.text
    assert (
        ChildRecord.objects.get(minutes=first, meeting_child=riley).decision
        == ThresholdDecision.CIN_PLAN
    )
    page = manager_client.get(reverse("meetings:meeting-detail", args=[meeting.public_id]))
    assert (
        "Read version 1" in page.text
        and "(superseded)" in page.text
        and "Read version 2" in page.text
    )


# Actions


def test_an_action_shows_only_in_the_minutes_of_the_children_it_concerns(
    incident, manager, police, manager_client: Client
) -> None:
    meeting = convene(incident, manager)
    hold(meeting, manager)
    record(meeting, manager, "Riley")
    record(meeting, manager, "Sam")
    add_action(
        meeting,
        manager,
        owner=police,
        description="Arrange a joint visit.",
        children=["Riley", "Sam"],
    )
    add_action(
        meeting,
        manager,
        owner=police,
        description="Refer Child B for counselling.",
        children=["Sam"],
    )
    minutes = approve(meeting, manager)

    def page(name: str) -> str:
        place = place_of(meeting, name)
        return manager_client.get(
            reverse(
                "meetings:child-minutes",
                args=[meeting.public_id, place.public_id, minutes.public_id],
            )
        ).text

    riley, sam = page("Riley"), page("Sam")
    assert "Arrange a joint visit." in riley and "Arrange a joint visit." in sam
    assert "Riley Ashcombe and Child B" in riley
    assert "Child A and Sam Pellingford" in sam
    assert "counselling" in sam and "counselling" not in riley


def test_the_owner_marks_their_action_done(incident, manager, police) -> None:
    meeting = convene(incident, manager)
    hold(meeting, manager)
    record(meeting, manager, "Riley")
    record(meeting, manager, "Sam")
    add_action(
        meeting, manager, owner=police, description="Share the police record.", children=["Sam"]
    )
    approve(meeting, manager)
    action = MeetingAction.objects.get()
    client = signed_in(Client(), police)
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.public_id]))
    assert "Share the police record." in page.text  # their own action, though not the minutes
    assert "Mark as done" in page.text

    response = client.post(
        reverse("meetings:action-complete", args=[meeting.public_id, action.public_id]),
        {"next": "home"},
        follow=True,
    )

    assert "Action marked as done" in response.text
    assert services.actions_done([action.key])
    assert AuditEvent.objects.filter(action=Action.CHANGE, detail="action done").exists()


def test_someone_else_cannot_mark_an_action_done(incident, manager, police, agencies) -> None:
    meeting = approved_meeting(incident, manager)
    draft_action_owner = police
    services.amend_minutes(
        meeting=meeting,
        reason="Add an action.",
        version=meeting.version,
        by=manager.user,
        membership=manager,
    )
    add_action(meeting, manager, owner=draft_action_owner, description="Visit.", children=["Sam"])
    approve(meeting, manager)
    action = MeetingAction.objects.get(minutes__number=2)
    nurse = MembershipFactory(role=Role.PRACTITIONER, agency=agencies[AgencyKind.HEALTH])

    response = signed_in(Client(), nurse).post(
        reverse("meetings:action-complete", args=[meeting.public_id, action.public_id])
    )

    assert response.status_code == 404
    assert not services.actions_done([action.key])


def test_removing_an_action_of_the_draft(incident, manager, police, manager_client: Client) -> None:
    meeting = convene(incident, manager)
    hold(meeting, manager)
    add_action(meeting, manager, owner=police, description="Visit.", children=["Sam"])
    action = MeetingAction.objects.get()

    response = manager_client.post(
        reverse("meetings:action-remove", args=[meeting.public_id, action.public_id]),
        {"version": draft_of(meeting).version},
        follow=True,
    )

    assert "Action removed" in response.text
    assert not MeetingAction.objects.exists()


def test_an_action_needs_the_children_it_concerns_and_a_date_after_the_meeting(
    incident, manager, police, manager_client: Client
) -> None:
    meeting = convene(incident, manager)
    hold(meeting, manager)

    response = manager_client.post(
        reverse("meetings:action-create", args=[meeting.public_id]),
        {
            "version": draft_of(meeting).version,
            "description": "Speak to the head teacher.",
            "owner": police.pk,
            "due_on_0": "1",
            "due_on_1": "11",
            "due_on_2": "2026",
        },
    )

    assert "Select the children the action concerns" in response.text
    assert "The date the action is due by must be after the meeting" in response.text
    assert "Speak to the head teacher." in response.text
    assert not MeetingAction.objects.exists()


# Before the meeting: answers and written contributions (CA 14; DD 4)


def test_an_agency_that_cannot_attend_sends_a_written_contribution(
    incident, manager, police, agencies, manager_client: Client
) -> None:
    meeting = convene(incident, manager, agencies=[agencies[AgencyKind.POLICE]])
    invitation = meeting.invitations.get(agency=agencies[AgencyKind.POLICE])
    client = signed_in(Client(), police)
    url = reverse("meetings:invitation-answer", args=[meeting.public_id, invitation.public_id])

    refused = client.post(
        url, {"version": invitation.version, "response": "apologies", "contribution": ""}
    )
    sent = client.post(
        url,
        {
            "version": invitation.version,
            "response": "apologies",
            "contribution": "One earlier call-out to the Ashcombe home, in 2025.",
            "risk_view": "Medium.",
        },
        follow=True,
    )

    assert "Your agency cannot attend, so send your written contribution" in refused.text
    assert "Your answer has been sent to the chair" in sent.text
    invitation.refresh_from_db()
    assert (invitation.response, invitation.responded_by) == ("apologies", police.user)
    hold(meeting, manager)
    page = manager_client.get(record_url(meeting, "Riley"))
    assert "One earlier call-out to the Ashcombe home, in 2025." in page.text
    attendance = draft_of(meeting).attendance.get(invitation=invitation)
    assert attendance.status == "apologies"


def test_an_invitee_sees_the_arrangements_but_not_the_minutes(
    incident, manager, police, agencies
) -> None:
    meeting = approved_meeting(incident, manager, agencies=[agencies[AgencyKind.POLICE]])
    client = signed_in(Client(), police)

    page = client.get(reverse("meetings:meeting-detail", args=[meeting.public_id]))

    assert page.status_code == 200
    assert "Harbourside Civic Centre, room 4" in page.text
    assert "Not shared with you" in page.text
    assert "Read version 1" not in page.text
    assert "Reasonable cause to suspect significant harm." not in page.text
    place = place_of(meeting, "Sam")
    minutes = MinutesVersion.objects.get(meeting=meeting)
    assert (
        client.get(
            reverse(
                "meetings:child-minutes",
                args=[meeting.public_id, place.public_id, minutes.public_id],
            )
        ).status_code
        == 404
    )


def test_recording_attendance(incident, manager, police, agencies, manager_client: Client) -> None:
    meeting = convene(incident, manager, agencies=[agencies[AgencyKind.POLICE]])
    hold(meeting, manager)
    rows = list(draft_of(meeting).attendance.order_by("position"))
    data = {
        "version": draft_of(meeting).version,
        "other_name": "",
        "other_agency": "",
        "other_role": "",
    }
    for row in rows:
        data[f"name-{row.position}"] = row.name
        data[f"status-{row.position}"] = "present" if row.name else "absent"
    police_row = next(r for r in rows if r.agency_name == agencies[AgencyKind.POLICE].name)
    data[f"status-{police_row.position}"] = "present"

    refused = manager_client.post(
        reverse("meetings:minutes-attendance", args=[meeting.public_id]), data
    )
    data[f"name-{police_row.position}"] = "DC Pat Constable"
    data.update(
        other_name="Ali Interpreter", other_agency="Language Line", other_role="Interpreter"
    )
    saved = manager_client.post(
        reverse("meetings:minutes-attendance", args=[meeting.public_id]), data
    )

    assert f"Enter who attended for {police_row.agency_name}" in refused.text
    assert saved.status_code == 302
    names = set(
        draft_of(meeting).attendance.filter(status="present").values_list("name", flat=True)
    )
    assert {"Mo Manager", "DC Pat Constable", "Ali Interpreter"} <= names


def test_yes_no_unknown_is_the_answer_for_significant_harm() -> None:
    assert YesNoUnknown.YES == "yes"
