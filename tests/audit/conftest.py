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
from referrals import services as referrals
from referrals.models import Referral, ReferralStatus
from strategy import services as aim
from strategy.meetings import services as meetings
from strategy.models import MeetingAction, StrategyMeeting, ThresholdDecision
from tests.conftest import signed_in
from tests.factories import MembershipFactory
from tests.referrals.conftest import CONTENTS
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
    Sex,
    YesNoUnknown,
)
from triage.selectors import concern_for_page


@dataclass
class Case:
    riley: Child
    sam: Child
    concern: Concern
    referrals: list[Referral]
    meeting: StrategyMeeting
    practitioner: Membership
    screener: Membership


def _concern_version(concern: Concern) -> int:
    return Concern.objects.values_list("version", flat=True).get(pk=concern.pk)


def _raise_and_rate(
    authority: LocalAuthority, practitioner: Membership, dsl: Membership
) -> Concern:
    acting = {"by": practitioner.user, "membership": practitioner}
    concern = triage.raise_concern(
        submission=uuid4(),
        occurred_on=date(2026, 11, 20),
        reported_on=date(2026, 11, 20),
        location=Location.SCHOOL_OR_COLLEGE,
        authority=authority,
        what_happened="In the playground one pupil made sexual comments to a younger pupil.",
        technology_assisted=YesNoUnknown.NO,
        crime_suspected=YesNoUnknown.UNKNOWN,
        police_aware=YesNoUnknown.NO,
        **acting,
    )
    involvements = {}
    for given, family, born, part in (
        ("Riley", "Ashcombe", date(2014, 3, 14), Part.CHILD_WHO_HARMED),
        ("Sam", "Pellingford", date(2017, 1, 20), Part.CHILD_HARMED),
    ):
        involvements[given] = triage.record_new_child(
            concern=concern,
            part=part,
            developmental_age=None,
            household=[],
            submission=uuid4(),
            version=_concern_version(concern),
            given_name=given,
            family_name=family,
            date_of_birth=born,
            sex=Sex.NOT_KNOWN,
            authority=authority,
            **acting,
        )
    band = BrookBand.objects.get(edition__is_current=True, code="9-13")
    rating = triage.rate_behaviour(
        involvement=involvements["Riley"],
        band=band,
        behaviours=BrookBehaviour.objects.filter(band=band, text="sexual harassment"),
        behaviour_not_listed="",
        signs=[],
        answers={},
        version=_concern_version(concern),
        **acting,
    )
    triage.choose_colour(
        rating=rating,
        final_colour="red",
        colour_reason="",
        version=_concern_version(concern),
        **acting,
    )
    concern = concern_for_page().get(pk=concern.pk)
    triage.submit_concern(
        concern=concern,
        guidance=guidance_for(concern),
        chosen_next_step=NextStep.REFER,
        reason="",
        version=concern.version,
        **acting,
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
    return concern_for_page().get(pk=concern.pk)


def _refer_screen_allocate(
    concern: Concern, dsl: Membership, screener: Membership, workers: list[Membership]
) -> list[Referral]:
    involvements = list(concern.involvements_in_order())
    consent = referrals.Consent(parents_informed=True, sharing_agreed_by="parent")
    made = referrals.make_referrals_from_concern(
        concern=concern,
        involvements=involvements,
        contents=referrals.Contents(**CONTENTS),
        consents={i.pk: consent for i in involvements},
        unpaired_reason="",
        version=concern.version,
        by=dsl.user,
        membership=dsl,
    )
    for referral, worker in zip(made, workers, strict=True):
        acting = {"by": screener.user, "membership": screener}
        referrals.take_referral(referral=referral, **acting)
        referrals.record_screening_decision(
            referral=referral,
            rag="red",
            decision=ReferralStatus.STRATEGY_MEETING,
            rationale="Reasonable cause to suspect significant harm.",
            version=referral.version,
            **acting,
        )
        referrals.allocate_social_worker(
            referral=referral,
            social_worker=worker,
            same_worker_reason="",
            version=referral.version,
            **acting,
        )
    return [Referral.objects.get(pk=r.pk) for r in made]


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
    concern = _raise_and_rate(authority, practitioner, dsl)
    made = _refer_screen_allocate(concern, dsl, screener, workers)
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
