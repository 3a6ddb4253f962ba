"""Builders for children whose cases reached each record class, at chosen dates."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.retention.models import RetentionRule
from hsb_portal.retention.schedule import seed_default_schedule
from referrals.models import ReferralStatus
from strategy.meetings import services as meetings
from strategy.models import StrategyMeeting
from tests.factories import (
    ChildFactory,
    ConcernChildFactory,
    ConcernFactory,
    MembershipFactory,
    ReferralFactory,
    ReferralGroupFactory,
    ScreeningDecisionFactory,
    UserFactory,
)
from triage.models import Child, ConcernStatus, NextStep, Part

# What each kind of case the builder makes reaches, in the words of the schedule.
CASE_KINDS = ("child_protection", "child_in_need", "early_help", "concern_not_referred")
REFERRAL_STATUS = {
    "child_protection": ReferralStatus.STRATEGY_MEETING,
    "child_in_need": ReferralStatus.CIN_ASSESSMENT,
    "early_help": ReferralStatus.EARLY_HELP,
}


def noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def schedule(authority: LocalAuthority) -> list[RetentionRule]:
    return seed_default_schedule(authority)


def closed_case(
    authority: LocalAuthority,
    *,
    kind: str,
    born: date,
    closed_on: date,
    looked_after: bool = False,
    given_name: str = "",
) -> Child:
    """A child whose case of ``kind`` was closed (decided) on ``closed_on``, with every other
    date on the record no later than that, so closure and last contact are ``closed_on``."""
    at = noon(closed_on)
    names = {"given_name": given_name} if given_name else {}
    child = ChildFactory(
        authority=authority,
        date_of_birth=born,
        is_looked_after=looked_after,
        created_at=at,
        **names,
    )
    agency = Agency.objects.filter(authorities=authority, kind=AgencyKind.SCHOOL).first()
    concern = ConcernFactory(
        reporting_agency=agency or _school(authority),
        occurred_on=closed_on,
        reported_on=closed_on,
        status=ConcernStatus.REFERRED
        if kind in REFERRAL_STATUS
        else ConcernStatus.HANDLED_IN_SETTING,
        decision=NextStep.REFER if kind in REFERRAL_STATUS else NextStep.HANDLE_IN_SETTING,
        decided_at=at,
        created_at=at,
    )
    ConcernChildFactory(concern=concern, child=child, added_at=at)
    if kind in REFERRAL_STATUS:
        referral = ReferralFactory(
            concern=concern,
            child=child,
            status=REFERRAL_STATUS[kind],
            claimed_by=UserFactory(),
            received_at=at,
            created_at=at,
        )
        ScreeningDecisionFactory(referral=referral, decision=REFERRAL_STATUS[kind], decided_at=at)
    return child


def _school(authority: LocalAuthority) -> Agency:
    from tests.factories import AgencyFactory

    return AgencyFactory(kind=AgencyKind.SCHOOL, authorities=[authority])


@pytest.fixture
def administrators(member: Callable[..., Membership]) -> tuple[Membership, Membership]:
    """Two administrators of the home authority: one proposes, the other decides."""
    return member(Role.ADMINISTRATOR), member(Role.ADMINISTRATOR)


def approved_meeting_about(
    authority: LocalAuthority,
    agency_for: Callable[..., Agency],
    *,
    harmer: Child,
    harmed: Child,
) -> StrategyMeeting:
    """A strategy meeting about two children named in one concern, held, with an action about
    each child, one about both, and approved minutes: made with the services, as in use."""
    csc = agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE)
    chair = MembershipFactory(role=Role.SW_MANAGER, agency=csc)
    school = agency_for(AgencyKind.SCHOOL)
    concern = ConcernFactory(
        reporting_agency=school, status=ConcernStatus.REFERRED, decided_at=timezone.now()
    )
    group = ReferralGroupFactory()
    referrals = []
    for child, part in ((harmer, Part.CHILD_WHO_HARMED), (harmed, Part.CHILD_HARMED)):
        ConcernChildFactory(concern=concern, child=child, part=part)
        referral = ReferralFactory(
            group=group,
            concern=concern,
            child=child,
            part=part,
            status=ReferralStatus.STRATEGY_MEETING,
            claimed_by=UserFactory(),
        )
        ScreeningDecisionFactory(referral=referral)
        referrals.append(referral)
    actor: dict[str, Any] = {"by": chair.user, "membership": chair}
    meeting = meetings.convene_strategy_meeting(
        starting=referrals[0],
        referrals=referrals,
        chair=chair,
        scheduled_for=timezone.now() - timedelta(days=1),
        meeting_format="in_person",
        location="Civic Centre",
        late_reason="",
        agencies=[agency_for(AgencyKind.POLICE)],
        **actor,
    )
    minutes = meetings.record_meeting_held(
        meeting=meeting, held_on=timezone.localdate(), version=meeting.version, **actor
    )
    places = list(meeting.meeting_children.order_by("position"))
    today = timezone.localdate()
    for description, concerned in (
        ("Visit the family of Child A.", places[:1]),
        ("Offer Child B counselling.", places[1:]),
        ("Agree a school safety plan for both.", places),
    ):
        meetings.add_action(
            minutes=minutes,
            action=meetings.ActionInput(description, chair, today, concerned),
            version=minutes.version,
            **actor,
        )
    for place in places:
        meetings.record_child_minutes(
            minutes=minutes,
            place=place,
            answers=meetings.ChildMinutesInput(decision="cin_plan", risks="Seen in the park."),
            agency_information={school: f"The school shared what it knows of {place.pseudonym}."},
            version=minutes.version,
            **actor,
        )
    meetings.approve_minutes(minutes=minutes, version=minutes.version, **actor)
    return meeting
