"""Minutes go to people, not to whole agencies (issue 10, item 10; CA 14). The chair sends each
child's approved minutes to named people of the agencies invited, each in one of their roles;
only they read them, and only in that role: not their colleagues, not them in another role, and
not another child's minutes. The form groups the people by agency and ticks the invitees."""

import re
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import AgencyKind, Membership, Role
from hsb_portal.audit.models import Action, AuditEvent, AuditEventChild
from strategy.meetings import services
from strategy.models import Distribution, MeetingChild, MinutesVersion, StrategyMeeting
from tests.conftest import signed_in
from tests.factories import MembershipFactory
from tests.strategy.meetings.conftest import (
    approve,
    approved_meeting,
    convene,
    fresh,
    hold,
    place_of,
    record,
)

pytestmark = pytest.mark.django_db


def minutes_url(meeting: StrategyMeeting, place: MeetingChild, minutes: MinutesVersion) -> str:
    return reverse(
        "meetings:child-minutes", args=[meeting.public_id, place.public_id, minutes.public_id]
    )


def distribute_url(meeting: StrategyMeeting) -> str:
    return reverse("meetings:minutes-distribute", args=[meeting.public_id])


def group(place: MeetingChild, person: Membership) -> str:
    """The form's name for the checkboxes of ``person``'s agency under ``place``'s minutes."""
    return f"{place.letter}-{person.agency.public_id}"


def send(
    meeting: StrategyMeeting, manager: Membership, choices: dict[MeetingChild, list[Membership]]
) -> list[Distribution]:
    minutes = MinutesVersion.objects.get(meeting=meeting, status="approved")
    return services.distribute_minutes(
        minutes=minutes, choices=choices, by=manager.user, membership=manager
    )


def test_the_person_the_chair_sends_a_childs_minutes_to_reads_them_and_no_other_childs(
    incident, manager, police, agencies, manager_client: Client
) -> None:
    meeting = approved_meeting(incident, manager, agencies=[agencies[AgencyKind.POLICE]])
    minutes = MinutesVersion.objects.get(meeting=meeting)
    sam, riley = place_of(meeting, "Sam"), place_of(meeting, "Riley")
    police_client = signed_in(Client(), police)
    before = police_client.get(minutes_url(meeting, sam, minutes))

    sent = manager_client.post(
        distribute_url(meeting), {group(sam, police): [str(police.public_id)]}, follow=True
    )

    assert before.status_code == 404
    assert "Minutes sent: 1 new" in sent.text
    after = police_client.get(minutes_url(meeting, sam, minutes))
    assert after.status_code == 200
    assert "Minutes for Sam Pellingford" in after.text and "Riley" not in after.text
    assert police_client.get(minutes_url(meeting, riley, minutes)).status_code == 404
    my_work = police_client.get(reverse("home")).text
    assert "Strategy meeting minutes sent to you" in my_work
    assert "Child B, version 1" in my_work
    assert "Sam" not in my_work


def test_a_colleague_in_the_same_agency_and_role_does_not_read_minutes_sent_to_someone_else(
    incident, manager, police, agencies
) -> None:
    meeting = approved_meeting(incident, manager, agencies=[agencies[AgencyKind.POLICE]])
    sam = place_of(meeting, "Sam")
    send(meeting, manager, {sam: [police]})
    colleague = MembershipFactory(role=Role.PRACTITIONER, agency=agencies[AgencyKind.POLICE])
    client = signed_in(Client(), colleague)

    response = client.get(minutes_url(meeting, sam, MinutesVersion.objects.get(meeting=meeting)))

    assert response.status_code == 404
    refused = AuditEvent.objects.get(action=Action.REFUSED, actor=colleague.user)
    named = AuditEventChild.objects.filter(event=refused).values_list("child_id", flat=True)
    assert list(named) == [sam.child.public_id]
    assert "minutes sent to you" not in client.get(reverse("home")).text


def test_minutes_sent_to_a_person_in_one_role_are_not_theirs_in_another(
    incident, manager, police, agencies
) -> None:
    meeting = approved_meeting(incident, manager, agencies=[agencies[AgencyKind.POLICE]])
    sam = place_of(meeting, "Sam")
    as_lead = MembershipFactory(user=police.user, role=Role.DSL, agency=police.agency)
    send(meeting, manager, {sam: [as_lead]})
    url = minutes_url(meeting, sam, MinutesVersion.objects.get(meeting=meeting))

    in_that_role = signed_in(Client(), as_lead).get(url)
    in_another = signed_in(Client(), police).get(url)

    assert in_that_role.status_code == 200
    assert in_another.status_code == 404


def test_only_people_of_the_agencies_invited_can_be_sent_minutes(
    incident, manager, agencies
) -> None:
    meeting = approved_meeting(incident, manager, agencies=[agencies[AgencyKind.POLICE]])
    therapist = MembershipFactory(role=Role.PRACTITIONER, agency=agencies[AgencyKind.CAMHS])
    auditor = MembershipFactory(role=Role.AUDITOR, agency=agencies[AgencyKind.POLICE])

    for outsider in (therapist, auditor):
        with pytest.raises(ValueError, match="agencies invited"):
            send(meeting, manager, {place_of(meeting, "Sam"): [outsider]})

    assert not Distribution.objects.exists()


def test_the_form_groups_people_by_agency_and_ticks_the_invitees(
    incident, manager, police, agencies, manager_client: Client
) -> None:
    school, health = agencies[AgencyKind.SCHOOL], agencies[AgencyKind.HEALTH]
    meeting = convene(incident, manager, agencies=[police.agency, health])
    teacher = MembershipFactory(role=Role.DSL, agency=school, user__full_name="Tam Teacher")
    services.invite_to_meeting(
        meeting=meeting,
        agency=None,
        person=teacher,
        role_in_meeting="education",
        submission=uuid4(),
        by=manager.user,
        membership=manager,
    )
    invitation = meeting.invitations.get(agency=police.agency)
    services.answer_invitation(
        invitation=invitation,
        response="attending",
        contribution="",
        risk_view="",
        version=invitation.version,
        by=police.user,
        membership=police,
    )
    not_invited = {
        "police colleague": MembershipFactory(role=Role.PRACTITIONER, agency=police.agency),
        "class teacher": MembershipFactory(role=Role.PRACTITIONER, agency=school),
        "health practitioner": MembershipFactory(role=Role.PRACTITIONER, agency=health),
    }
    # Nobody answered for health, invited as a whole: its designated safeguarding lead.
    health_lead = MembershipFactory(role=Role.DSL, agency=health)
    hidden = MembershipFactory(role=Role.AUDITOR, agency=police.agency)  # as the chair is
    hold(meeting, manager)
    record(meeting, manager, "Riley")
    record(meeting, manager, "Sam")
    approve(meeting, manager)
    sam = place_of(meeting, "Sam")

    page = manager_client.get(distribute_url(fresh(meeting))).text
    # The chair's own role is on the page only as the role the form was opened in.
    page = page.replace(f'name="acting_as" value="{manager.public_id}"', "")

    ticked = set(re.findall(r'value="([0-9a-f-]{36})"\s*checked="checked"', page))
    for invitee in (police, teacher, health_lead):
        assert str(invitee.public_id) in ticked
    # The children's social workers, invited too, each read their own child's record whole.
    for person in (*not_invited.values(), *incident.workers[:2]):
        assert str(person.public_id) in page and str(person.public_id) not in ticked
    assert str(hidden.public_id) not in page and str(manager.public_id) not in page
    assert f'name="{group(sam, teacher)}"' in page
    assert "Sam Pellingford&#x27;s minutes (Child B)" in page
    assert f"Sam Pellingford&#x27;s minutes (Child B): </span>{school.name}" in page
    assert "Designated safeguarding lead; invited" in page


def test_sending_nobody_is_refused_with_an_error_and_sends_nothing(
    incident, manager, agencies, manager_client: Client
) -> None:
    meeting = approved_meeting(incident, manager, agencies=[agencies[AgencyKind.POLICE]])

    response = manager_client.post(distribute_url(meeting), {})

    assert response.status_code == 200
    assert "Select at least one person to send the minutes to" in response.text
    assert 'class="govuk-error-summary"' in response.text
    assert not Distribution.objects.exists()


def test_sending_is_audited_naming_each_recipient_and_only_that_childs_record(
    incident, manager, police, agencies
) -> None:
    meeting = approved_meeting(incident, manager, agencies=[agencies[AgencyKind.POLICE]])
    sam = place_of(meeting, "Sam")

    made = send(meeting, manager, {sam: [police], place_of(meeting, "Riley"): []})
    again = send(meeting, manager, {sam: [police]})

    assert len(made) == 1 and again == []
    event = AuditEvent.objects.get(detail__startswith="minutes version 1 distributed")
    assert f"Child B to Pat Constable (Practitioner, {police.agency.name})" in event.detail
    named = AuditEventChild.objects.filter(event=event).values_list("child_id", flat=True)
    assert list(named) == [sam.child.public_id]
