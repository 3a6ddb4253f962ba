"""One whole case, driven through the real services, for the auditor's case history: a concern
about Riley Ashcombe (12, who has harmed) and Sam Pellingford (9, harmed), a red Brook rating,
referrals, screening, allocation, a strategy meeting with approved minutes and an action, an
AIM assessment, and the action marked done. All names are fictional."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from hsb_portal.accounts.models import AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, apply_profile
from referrals.models import Referral
from strategy import services as aim
from strategy.meetings import services as meetings
from strategy.models import MeetingAction, StrategyMeeting, ThresholdDecision
from tests import cases
from tests.conftest import signed_in
from tests.factories import MembershipFactory
from triage.models import (
    Child,
    Concern,
    Part,
)


@dataclass
class Case:
    riley: Child
    sam: Child
    concern: Concern
    referrals: list[Referral]
    meeting: StrategyMeeting
    practitioner: Membership
    screener: Membership


def _meeting_with_approved_minutes(
    made: list[Referral], manager: Membership, owner: Membership
) -> tuple[StrategyMeeting, MeetingAction]:
    acting = {"by": manager.user, "membership": manager}
    meeting = meetings.convene_strategy_meeting(
        starting=made[0],
        referrals=made,
        chair=manager,
        scheduled_for=timezone.now() + timedelta(hours=2),
        meeting_format="in_person",
        location="Harbourside Civic Centre, room 4",
        late_reason="",
        agencies=[],
        **acting,
    )
    meeting.refresh_from_db()
    minutes = meetings.record_meeting_held(
        meeting=meeting, held_on=timezone.localdate(), version=meeting.version, **acting
    )
    for place in meeting.meeting_children.select_related("child", "referral__authority"):
        minutes.refresh_from_db()
        meetings.record_child_minutes(
            minutes=minutes,
            place=place,
            answers=meetings.ChildMinutesInput(
                risks="Risk to younger children at school.",
                decision=ThresholdDecision.CIN_PLAN,
                decision_reasons="Needs support with boundaries.",
                aim_needed="no",
            ),
            agency_information={},
            version=minutes.version,
            **acting,
        )
    minutes.refresh_from_db()
    places = list(meeting.meeting_children.select_related("child"))
    action = meetings.add_action(
        minutes=minutes,
        action=meetings.ActionInput(
            description="Visit both families.",
            owner=owner,
            due_on=timezone.localdate() + timedelta(days=7),
            children=places,
        ),
        version=minutes.version,
        **acting,
    )
    minutes.refresh_from_db()
    meetings.approve_minutes(minutes=minutes, version=minutes.version, **acting)
    return meeting, action


@pytest.fixture
def brook(db: None) -> None:
    call_command("loaddata", "brook_traffic_light", verbosity=0)


@pytest.fixture
def case(
    brook: None,
    authority: LocalAuthority,
    member: Callable[..., Membership],
    agency_for: Callable[..., object],
) -> Case:
    apply_profile(authority, CAMDEN_LIKE)
    practitioner, dsl = member(Role.PRACTITIONER), member(Role.DSL)
    screener, manager = member(Role.MASH_SCREENER), member(Role.SW_MANAGER)
    csc = agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE)
    workers = [
        MembershipFactory(role=Role.SOCIAL_WORKER, agency=csc, user__full_name=name)
        for name in ("Sol Worker", "Jo Fieldworker")
    ]
    concern = cases.raise_and_rate(authority, practitioner, dsl)
    by_part = {Part.CHILD_WHO_HARMED: workers[0], Part.CHILD_HARMED: workers[1]}
    made = list(cases.refer_screen_allocate(concern, dsl, screener, by_part).values())
    meeting, action = _meeting_with_approved_minutes(made, manager, owner=workers[0])
    lead = workers[0]
    lead.user.aim_certified_on = date(2024, 9, 12)
    lead.user.save(update_fields=["aim_certified_on"])
    riley = made[0].child if made[0].part == Part.CHILD_WHO_HARMED else made[1].child
    aim.start_aim_assessment(
        child=riley,
        model_version="AIM2",
        started_on=timezone.localdate(),
        co_workers=[],
        submission=uuid4(),
        by=lead.user,
        membership=lead,
    )
    action = MeetingAction.objects.select_related("minutes__meeting").get(pk=action.pk)
    meetings.complete_action(
        meeting_action=action, completed_on=timezone.localdate(), by=lead.user, membership=lead
    )
    sam = made[0].child if riley != made[0].child else made[1].child
    return Case(riley, sam, concern, made, meeting, practitioner, screener)


@pytest.fixture
def auditor(member: Callable[..., Membership]) -> Membership:
    return member(Role.AUDITOR)


@pytest.fixture
def auditor_client(auditor: Membership) -> Client:
    return signed_in(Client(), auditor)
