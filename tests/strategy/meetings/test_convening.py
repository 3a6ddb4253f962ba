"""Convening a strategy meeting from a screening decision (issue 5, item 1): when it is due under
each authority's profile, which authority convenes across a border, who chairs, who is invited,
and the form's answers when something is wrong."""

from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import AgencyKind, Membership, Role
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, DERBY_LIKE, apply_profile
from hsb_portal.audit.models import Action, AuditEvent
from strategy.meetings import services
from strategy.models import Invitation, InviteeRole, MeetingChild, StrategyMeeting
from tests.conftest import signed_in
from tests.factories import MembershipFactory
from tests.strategy.meetings.conftest import (
    RECEIVED,
    convene,
    london,
    make_incident,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("profile", "due"),
    [
        # Camden 2023, 8.3: within 3 days (read as calendar days): Monday 23 November, 10:00.
        (CAMDEN_LIKE, london(2026, 11, 23, 10, 0)),
        # Derby and Derbyshire, 4: within 5 days: Wednesday 25 November, 10:00.
        (DERBY_LIKE, london(2026, 11, 25, 10, 0)),
    ],
    ids=["camden-like", "derby-like"],
)
def test_the_meeting_is_due_by_the_convening_authoritys_profile(
    profile, due, authority, agency_for
) -> None:
    apply_profile(authority, profile)
    incident = make_incident(
        harmer_lives=authority, harmed_lives=authority, happened_in=authority, agency_for=agency_for
    )
    manager = MembershipFactory(
        role=Role.SW_MANAGER, agency=agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE)
    )

    meeting = convene(incident, manager, scheduled_for=london(2026, 11, 23, 9, 0))

    assert meeting.clock_started_at == RECEIVED  # Friday 20 November 2026, 10:00
    assert meeting.due_by == due
    assert "unit not stated; read as calendar days" in meeting.due_rule


def test_the_manager_sees_when_the_meeting_is_due_before_convening(
    incident, manager_client: Client
) -> None:
    response = manager_client.get(
        reverse("meetings:meeting-convene", args=[incident.riley.public_id])
    )

    assert response.status_code == 200
    assert "Monday 23 November 2026, 10:00" in response.text
    assert "Camden 2023, 8.3" in response.text
    assert "Riley Ashcombe, child who has harmed" in response.text
    assert "Sam Pellingford, child harmed" in response.text


def convene_post(incident, manager: Membership, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "referrals": [str(r.public_id) for r in incident.referrals],
        "chair": manager.pk,
        "scheduled_on_0": "23",
        "scheduled_on_1": "11",
        "scheduled_on_2": "2026",
        "scheduled_time": "09:30",
        "meeting_format": "in_person",
        "location": "Harbourside Civic Centre, room 4",
        "late_reason": "",
        "agencies": [],
    }
    data.update(overrides)
    return data


def test_the_manager_convenes_a_meeting_for_both_children(
    incident, manager, manager_client: Client, agencies
) -> None:
    police = agencies[AgencyKind.POLICE]

    response = manager_client.post(
        reverse("meetings:meeting-convene", args=[incident.riley.public_id]),
        convene_post(incident, manager, agencies=[police.pk]),
        follow=True,
    )

    meeting = StrategyMeeting.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "meetings:meeting-detail", args=[meeting.public_id]
    )
    assert f"Strategy meeting {meeting.reference} convened" in response.text
    assert meeting.chair == manager
    assert meeting.scheduled_for == london(2026, 11, 23, 9, 30)
    # One meeting, everything per child; letters fixed at convening, the child who has harmed
    # first.
    assert [(p.child.given_name, p.letter) for p in MeetingChild.objects.order_by("position")] == [
        ("Riley", "A"),
        ("Sam", "B"),
    ]
    invited = {
        (i.agency.name, i.person.full_name if i.person else "", i.role_in_meeting)
        for i in Invitation.objects.all()
    }
    assert (police.name, "", InviteeRole.POLICE) in invited
    # The allocated social workers are invited by name (DD 4).
    assert {name for _, name, role in invited if role == InviteeRole.SOCIAL_WORKER} == {
        "Sol Worker",
        "Jo Fieldworker",
    }
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_id=str(meeting.public_id)
    ).exists()


def test_a_meeting_later_than_its_due_date_needs_a_reason(
    incident, manager, manager_client: Client
) -> None:
    url = reverse("meetings:meeting-convene", args=[incident.riley.public_id])

    response = manager_client.post(url, convene_post(incident, manager, scheduled_on_0="27"))

    assert response.status_code == 200
    assert (
        "The meeting is after the date it is due by (23 November 2026, 10:00): say why"
        in response.text
    )
    assert 'value="Harbourside Civic Centre, room 4"' in response.text  # input kept
    assert not StrategyMeeting.objects.exists()

    response = manager_client.post(
        url,
        convene_post(
            incident, manager, scheduled_on_0="27", late_reason="Police unavailable until Friday."
        ),
    )

    meeting = StrategyMeeting.objects.get()
    assert meeting.is_late
    assert meeting.late_reason == "Police unavailable until Friday."


def test_bad_input_shows_each_field_error_and_keeps_what_was_typed(
    incident, manager, manager_client: Client
) -> None:
    response = manager_client.post(
        reverse("meetings:meeting-convene", args=[incident.riley.public_id]),
        convene_post(
            incident,
            manager,
            referrals=[],
            scheduled_on_1="13",
            scheduled_time="25:00",
            meeting_format="",
            location="Room 4 at the civic centre",
        ),
    )

    assert response.status_code == 200
    text = response.text
    assert "There is a problem" in text
    assert "Select the children the meeting is about" in text
    assert "The date of the meeting must be a real date" in text
    assert "Enter a real time, like 14:30" in text
    assert "Select how people will attend" in text
    assert 'value="Room 4 at the civic centre"' in text
    assert not StrategyMeeting.objects.exists()


def test_a_child_is_convened_only_once(incident, manager, manager_client: Client) -> None:
    meeting = convene(incident, manager)

    response = manager_client.get(
        reverse("meetings:meeting-convene", args=[incident.sam.public_id])
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:meeting-detail", args=[meeting.public_id])
    with pytest.raises(services.CannotConvene, match="already been convened"):
        convene(incident, manager)


def test_a_cancelled_meetings_children_can_be_convened_again(incident, manager) -> None:
    meeting = convene(incident, manager)
    services.cancel_strategy_meeting(
        meeting=meeting,
        reason="Convened in error.",
        version=meeting.version,
        by=manager.user,
        membership=manager,
    )

    again = convene(incident, manager)

    assert again.pk != meeting.pk


def test_a_referral_not_screened_for_a_strategy_meeting_cannot_be_convened(
    incident, manager, manager_client: Client
) -> None:
    type(incident.riley).objects.filter(pk=incident.riley.pk).update(status="cin_assessment")

    response = manager_client.get(
        reverse("meetings:meeting-convene", args=[incident.riley.public_id])
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "referrals:referral-detail", args=[incident.riley.public_id]
    )


# Across a border (domain.md §6: CA 8.3, the authority where the child harmed lives; ST, where
# the behaviour occurred). The other authority is always invited (CA 8.3).


def test_camden_like_the_authority_where_the_child_harmed_lives_convenes(
    camden, derby, agency_for
) -> None:
    # Riley lives in Derby-like Elsewhere; Sam, harmed, in Camden-like Home; it happened in
    # Elsewhere. Convened from Home's referral of Sam: Home's rule applies.
    incident = make_incident(
        harmer_lives=derby, harmed_lives=camden, happened_in=derby, agency_for=agency_for
    )
    elsewhere_csc = agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE, derby)
    manager = MembershipFactory(
        role=Role.SW_MANAGER, agency=agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE, camden)
    )

    meeting = services.convene_strategy_meeting(
        starting=incident.sam,
        referrals=incident.referrals,
        chair=manager,
        scheduled_for=london(2026, 11, 23, 9, 0),
        meeting_format="video",
        location="Video call",
        late_reason="",
        agencies=[],
        by=manager.user,
        membership=manager,
    )

    assert meeting.authority == camden
    assert "where the child harmed lives convenes" in meeting.convening_reason
    assert meeting.due_by == london(2026, 11, 23, 10, 0)  # Home's 3 days
    assert Invitation.objects.filter(
        meeting=meeting, agency=elsewhere_csc, role_in_meeting=InviteeRole.OTHER_AUTHORITY
    ).exists()


def test_derby_like_the_authority_where_the_behaviour_occurred_convenes(
    camden, derby, agency_for, client: Client
) -> None:
    # Riley lives in Camden-like Home, Sam in Derby-like Elsewhere, and it happened in Home.
    # Convened from Elsewhere's referral of Sam: Elsewhere's rule names Home, where it happened.
    incident = make_incident(
        harmer_lives=camden, harmed_lives=derby, happened_in=camden, agency_for=agency_for
    )
    elsewhere_manager = MembershipFactory(
        role=Role.SW_MANAGER, agency=agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE, derby)
    )

    assert services.convenor_for(incident.referrals, starting=incident.sam).authority == camden
    page = signed_in(client, elsewhere_manager).get(
        reverse("meetings:meeting-convene", args=[incident.sam.public_id])
    )
    assert "Home Borough Council convenes this strategy meeting" in page.text
    assert "where the behaviour occurred convenes" in page.text
    assert "Convene the meeting" not in page.text
    with pytest.raises(services.CannotConvene, match="Home Borough Council convenes"):
        services.convene_strategy_meeting(
            starting=incident.sam,
            referrals=incident.referrals,
            chair=elsewhere_manager,
            scheduled_for=london(2026, 11, 23, 9, 0),
            meeting_format="video",
            location="Video call",
            late_reason="",
            agencies=[],
            by=elsewhere_manager.user,
            membership=elsewhere_manager,
        )


def test_derby_like_profile_names_the_authority_where_it_happened_even_for_the_child_harmed(
    camden, derby, agency_for
) -> None:
    # The same children, convened from Elsewhere when it happened there.
    incident = make_incident(
        harmer_lives=camden, harmed_lives=derby, happened_in=derby, agency_for=agency_for
    )
    manager = MembershipFactory(
        role=Role.SW_MANAGER, agency=agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE, derby)
    )

    meeting = services.convene_strategy_meeting(
        starting=incident.sam,
        referrals=incident.referrals,
        chair=manager,
        scheduled_for=london(2026, 11, 24, 9, 0),
        meeting_format="in_person",
        location="Eastmoor House",
        late_reason="",
        agencies=[],
        by=manager.user,
        membership=manager,
    )

    assert meeting.authority == derby
    assert meeting.due_by == london(2026, 11, 25, 10, 0)  # Elsewhere's 5 days
    home_csc = agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE, camden)
    assert Invitation.objects.filter(meeting=meeting, agency=home_csc).exists()


def test_the_chair_must_be_a_social_work_manager_of_the_convening_authority(
    incident, manager, agency_for, other_authority
) -> None:
    outsider = MembershipFactory(
        role=Role.SW_MANAGER, agency=agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE, other_authority)
    )

    with pytest.raises(services.CannotConvene, match="as chair"):
        services.convene_strategy_meeting(
            starting=incident.riley,
            referrals=incident.referrals,
            chair=outsider,
            scheduled_for=london(2026, 11, 23, 9, 0),
            meeting_format="in_person",
            location="Room 4",
            late_reason="",
            agencies=[],
            by=manager.user,
            membership=manager,
        )


def test_the_meeting_is_overdue_once_its_due_time_passes_unheld(incident, manager) -> None:
    meeting = convene(incident, manager)

    assert not meeting.is_overdue(now=london(2026, 11, 23, 9, 59))
    assert meeting.is_overdue(now=london(2026, 11, 23, 10, 1))


def test_the_due_date_is_a_datetime_in_london(incident, manager) -> None:
    meeting = convene(incident, manager)

    assert isinstance(meeting.due_by, datetime)
    assert meeting.meeting_day == date(2026, 11, 23)


def test_the_referral_page_offers_its_manager_the_way_to_convene_and_then_to_the_meeting(
    incident, manager, manager_client: Client
) -> None:
    referral_page = reverse("referrals:referral-detail", args=[incident.riley.public_id])
    convene_url = reverse("meetings:meeting-convene", args=[incident.riley.public_id])

    before = manager_client.get(referral_page)
    meeting = convene(incident, manager)
    after = manager_client.get(convene_url)

    assert f'href="{convene_url}"' in before.text
    assert "Convene the strategy meeting" in before.text
    assert after.status_code == 302
    assert after["Location"] == reverse("meetings:meeting-detail", args=[meeting.public_id])


def test_only_a_manager_of_the_authority_is_offered_convening(incident, camden, agency_for) -> None:
    referral_page = reverse("referrals:referral-detail", args=[incident.riley.public_id])
    screener = MembershipFactory(
        role=Role.MASH_SCREENER, agency=agency_for(AgencyKind.MASH, camden)
    )

    page = signed_in(Client(), screener).get(referral_page)

    assert page.status_code == 200
    assert "Convene the strategy meeting" not in page.text
