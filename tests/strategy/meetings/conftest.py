"""Fixtures for the strategy meeting tests: the state issue 4's journey ends in (Riley Ashcombe,
12, who has harmed, and Sam Pellingford, 9, harmed, both screened for a strategy meeting, each
with their own social worker), the manager who convenes, and helpers that take a meeting
through its life with the services."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client

from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, DERBY_LIKE, apply_profile
from hsb_portal.calendar import LONDON
from referrals.models import Referral, ReferralGroup, ReferralStatus
from strategy.meetings import services
from strategy.meetings.selectors import meeting_for_page
from strategy.models import MeetingChild, MinutesVersion, StrategyMeeting, ThresholdDecision
from tests.conftest import signed_in
from tests.factories import (
    AllocationFactory,
    ChildFactory,
    ConcernFactory,
    MembershipFactory,
    ReferralFactory,
    UserFactory,
)
from triage.models import Child, Part


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


# Friday 20 November 2026, 10:00: the referrals arrive.
RECEIVED = london(2026, 11, 20, 10, 0)


@dataclass
class Incident:
    """The referrals of one incident, screened for a strategy meeting."""

    referrals: list[Referral]
    workers: list[Membership]

    @property
    def riley(self) -> Referral:
        return self.referrals[0]

    @property
    def sam(self) -> Referral:
        return self.referrals[1]


def screened_referral(
    group: ReferralGroup,
    child: Child,
    part: str,
    *,
    happened_in: LocalAuthority,
    received_at: datetime = RECEIVED,
    status: str = ReferralStatus.STRATEGY_MEETING,
) -> Referral:
    concern = ConcernFactory(
        authority=happened_in,
        status="referred",
        occurred_on=date(2026, 11, 19),
        reported_on=date(2026, 11, 20),
    )
    return ReferralFactory(
        group=group,
        concern=concern,
        child=child,
        part=part,
        authority=child.authority,
        happened_in=happened_in,
        received_at=received_at,
        status=status,
        claimed_by=UserFactory(),
    )


def make_incident(
    *,
    harmer_lives: LocalAuthority,
    harmed_lives: LocalAuthority,
    happened_in: LocalAuthority,
    agency_for: Callable[..., Agency],
    extra: Sequence[tuple[Child, str]] = (),
    received_at: datetime = RECEIVED,
) -> Incident:
    group = ReferralGroup.objects.create()
    riley = ChildFactory(
        given_name="Riley",
        family_name="Ashcombe",
        date_of_birth=date(2014, 3, 14),
        authority=harmer_lives,
        address="4 Lanyard Row, Harbourside",
        school_or_setting="Quayside Academy",
    )
    sam = ChildFactory(
        given_name="Sam",
        family_name="Pellingford",
        date_of_birth=date(2017, 1, 20),
        authority=harmed_lives,
        address="17 Capstan Close, Harbourside",
        school_or_setting="Anchorage Primary",
    )
    children = [(riley, Part.CHILD_WHO_HARMED), (sam, Part.CHILD_HARMED), *extra]
    referrals = [
        screened_referral(group, child, part, happened_in=happened_in, received_at=received_at)
        for child, part in children
    ]
    workers = []
    for referral, name in zip(
        referrals, ("Sol Worker", "Jo Fieldworker", "Kit Caseworker"), strict=False
    ):
        worker = MembershipFactory(
            role=Role.SOCIAL_WORKER,
            agency=agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE, referral.authority),
            user__full_name=name,
        )
        AllocationFactory(referral=referral, social_worker=worker)
        workers.append(worker)
    return Incident(referrals, workers)


@pytest.fixture
def camden(authority: LocalAuthority) -> LocalAuthority:
    """The home authority, with the Camden-like profile (strategy meeting within 3 days)."""
    apply_profile(authority, CAMDEN_LIKE)
    return authority


@pytest.fixture
def derby(other_authority: LocalAuthority) -> LocalAuthority:
    """The other authority, with the Derby-like profile (strategy meeting within 5 days)."""
    apply_profile(other_authority, DERBY_LIKE)
    return other_authority


@pytest.fixture
def incident(camden: LocalAuthority, agency_for: Callable[..., Agency]) -> Incident:
    return make_incident(
        harmer_lives=camden, harmed_lives=camden, happened_in=camden, agency_for=agency_for
    )


@pytest.fixture
def agencies(agency_for: Callable[..., Agency], camden: LocalAuthority) -> dict[str, Agency]:
    return {
        kind: agency_for(kind, camden)
        for kind in (
            AgencyKind.POLICE,
            AgencyKind.HEALTH,
            AgencyKind.SCHOOL,
            AgencyKind.YOUTH_JUSTICE,
            AgencyKind.CAMHS,
        )
    }


@pytest.fixture
def manager(agency_for: Callable[..., Agency], camden: LocalAuthority) -> Membership:
    return MembershipFactory(
        role=Role.SW_MANAGER,
        agency=agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE, camden),
        user__full_name="Mo Manager",
    )


@pytest.fixture
def manager_client(manager: Membership) -> Client:
    return signed_in(Client(), manager)


@pytest.fixture
def police(agencies: dict[str, Agency]) -> Membership:
    return MembershipFactory(
        role=Role.PRACTITIONER, agency=agencies[AgencyKind.POLICE], user__full_name="Pat Constable"
    )


def convene(
    incident: Incident,
    manager: Membership,
    *,
    agencies: Sequence[Agency] = (),
    scheduled_for: datetime | None = None,
    referrals: Sequence[Referral] | None = None,
    late_reason: str = "",
) -> StrategyMeeting:
    return services.convene_strategy_meeting(
        starting=incident.riley,
        referrals=list(referrals if referrals is not None else incident.referrals),
        chair=manager,
        scheduled_for=scheduled_for or london(2026, 11, 23, 9, 30),
        meeting_format="in_person",
        location="Harbourside Civic Centre, room 4",
        late_reason=late_reason,
        agencies=list(agencies),
        by=manager.user,
        membership=manager,
    )


def fresh(meeting: StrategyMeeting) -> StrategyMeeting:
    return meeting_for_page().get(pk=meeting.pk)


def hold(
    meeting: StrategyMeeting, manager: Membership, held_on: date = date(2026, 11, 23)
) -> MinutesVersion:
    meeting = fresh(meeting)
    return services.record_meeting_held(
        meeting=meeting,
        held_on=held_on,
        version=meeting.version,
        by=manager.user,
        membership=manager,
    )


def draft_of(meeting: StrategyMeeting) -> MinutesVersion:
    return MinutesVersion.objects.select_related("meeting").get(meeting=meeting, status="draft")


def place_of(meeting: StrategyMeeting, child_name: str) -> MeetingChild:
    return MeetingChild.objects.select_related("child", "referral__authority", "meeting").get(
        meeting=meeting, child__given_name=child_name
    )


DECIDED = {
    "Riley": services.ChildMinutesInput(
        risks="Risk to younger children at school.",
        decision=ThresholdDecision.CIN_PLAN,
        decision_reasons="Needs support with boundaries.",
        aim_needed="no",
    ),
    "Sam": services.ChildMinutesInput(
        risks="Distressed since the incident.",
        decision=ThresholdDecision.S47_THRESHOLD_MET,
        decision_reasons="Reasonable cause to suspect significant harm.",
    ),
}


def record(
    meeting: StrategyMeeting,
    manager: Membership,
    child_name: str,
    answers: services.ChildMinutesInput | None = None,
    information: dict[Agency, str] | None = None,
) -> None:
    draft = draft_of(meeting)
    services.record_child_minutes(
        minutes=draft,
        place=place_of(meeting, child_name),
        answers=answers or DECIDED.get(child_name, DECIDED["Sam"]),
        agency_information=information or {},
        version=draft.version,
        by=manager.user,
        membership=manager,
    )


def add_action(
    meeting: StrategyMeeting,
    manager: Membership,
    *,
    owner: Membership,
    description: str,
    children: Sequence[str],
    due_on: date = date(2026, 12, 4),
) -> None:
    draft = draft_of(meeting)
    services.add_action(
        minutes=draft,
        action=services.ActionInput(
            description=description,
            owner=owner,
            due_on=due_on,
            children=[place_of(meeting, name) for name in children],
        ),
        version=draft.version,
        by=manager.user,
        membership=manager,
    )


def chair_keeps_everything(minutes: MinutesVersion) -> dict[tuple[int, str], str]:
    """The chair's answers on the approval page when they keep every marked piece of text."""
    return {
        (check.place.pk, item.key): "keep"
        for check in services.checks_of(minutes)
        for item in check.items
    }


def approve(meeting: StrategyMeeting, manager: Membership) -> MinutesVersion:
    """The chair approves, keeping whatever the approval page marked: what reaches each child's
    minutes is what the redaction itself removed."""
    draft = draft_of(meeting)
    return services.approve_minutes(
        minutes=draft,
        version=draft.version,
        by=manager.user,
        membership=manager,
        decided=chair_keeps_everything(draft),
    )


def approved_meeting(incident: Incident, manager: Membership, **kwargs: Any) -> StrategyMeeting:
    """A meeting about Riley and Sam, held, recorded and approved."""
    meeting = convene(incident, manager, **kwargs)
    hold(meeting, manager)
    record(meeting, manager, "Riley")
    record(meeting, manager, "Sam")
    approve(meeting, manager)
    return fresh(meeting)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The count of the property-based redaction test (issue 10, point 3), printed as the other
    walks print theirs (tests/conftest.py)."""
    reports = [
        report
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "") == "call" and "test_redaction_property.py" in report.nodeid
    ]
    if not reports:
        return
    found = {key: value for report in reports for key, value in report.user_properties}
    terminalreporter.write_line(
        f"Redaction: {found.get('redaction_variants', 0)} variants in "
        f"{found.get('redaction_fields', 0)} fields, {found.get('redaction_survived', 0)} "
        f"survived ({found.get('redaction_checks', 0)} checks on every child's page and PDF, "
        f"{found.get('redaction_seconds', 0)} s)"
    )
