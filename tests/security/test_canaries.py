"""security.md V8.2.3 (issue 6, "need to know"): field-level canaries.

One whole case is built through the real services, with a distinct canary string written into
each restricted field: the children's family names, the MASH's screening reasons, the police's
and health's information given to the strategy meeting, and health's written contribution.
Then each person of the matrix GETs every page of the URL conf about this case's records (the
URL conf is walked, not listed by hand), downloads every export they may (PDFs read back with
pypdf, CSVs as text), and the canaries they read are compared with the entitlement table below.
No canary may appear in any log line at all.
"""

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from pypdf import PdfReader

from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, apply_profile
from referrals.models import Referral
from strategy import services as aim
from strategy.meetings import services as meetings
from strategy.models import AimAssessment, MeetingAction, StrategyMeeting, ThresholdDecision
from tests import cases
from tests.conftest import signed_in
from tests.factories import ConcernFactory, MembershipFactory
from tests.security.routes import ACCOUNT_ROUTES, post_forms, route_names
from triage.models import (
    Concern,
    ConcernStatus,
    NextStep,
    Part,
)

pytestmark = pytest.mark.django_db

# The canaries, one per restricted field. Family names are words the redaction of the per-child
# minutes must recognise as names (it matches whole words, hyphens included).
VICTIM_NAME = "Canaryvictim-7f3a"  # the child harmed's family name
HARMER_NAME = "Canaryharmer-2c9d"  # the child who has harmed's family name
SCREENING_HARMER = "CANARY-SCREENING-REASON-HARMER-7f3a"
SCREENING_VICTIM = "CANARY-SCREENING-REASON-VICTIM-b41e"
POLICE_INTEL = "CANARY-POLICE-INTEL-91d0"  # the police's information on the child who harmed
HEALTH_INFO = "CANARY-HEALTH-INFO-5e27"  # health's information on the child harmed
HEALTH_CONTRIBUTION = "CANARY-HEALTH-CONTRIBUTION-c3aa"  # health's written contribution

# The people of the matrix, by what they are to the case.
PRACTITIONER = "practitioner of the referring school (filed the concern)"
DSL = "DSL of the referring school"
POLICE = "police practitioner (invited; the harmer's minutes sent to police)"
HEALTH = "health practitioner (invited; the harmed child's minutes sent to health)"
SCREENER = "MASH screener of the children's authority"
SW_HARMER = "social worker allocated to the child who has harmed"
SW_VICTIM = "social worker allocated to the child harmed"
OTHER_SCREENER = "MASH screener of another authority"
MANAGER = "social work manager (chair)"
AUDITOR = "auditor of the authority"
PEOPLE = [
    PRACTITIONER,
    DSL,
    POLICE,
    HEALTH,
    SCREENER,
    SW_HARMER,
    SW_VICTIM,
    OTHER_SCREENER,
    MANAGER,
    AUDITOR,
]

# Who may read each canary, and the rule of hsb_portal/access.py (or of the pages) that grants it.
# Everyone not listed must read it on 0 pages and 0 downloads.
ENTITLED: dict[str, set[str]] = {
    # The child harmed is named in the concern the school filed (_concern_visible: its author
    # and the agency's DSL); the authority's MASH, managers and auditors see the children who
    # live there (_child_visible); the child's own social worker sees their referral. Health
    # got only that child's minutes. The harmer's social worker and the police read only the
    # harmer's minutes, where the child harmed is "Child B" (strategy/meetings/redaction/).
    VICTIM_NAME: {PRACTITIONER, DSL, HEALTH, SCREENER, SW_VICTIM, MANAGER, AUDITOR},
    # The same, the other way round: police got the harmer's minutes only.
    HARMER_NAME: {PRACTITIONER, DSL, POLICE, SCREENER, SW_HARMER, MANAGER, AUDITOR},
    # The MASH's reasons are for those who see the referral and are not its referrer
    # (selectors.shows_screening_reasons, outcomes.outcome_for_referrer): the referring school
    # sees the outcome only. A social worker sees the referrals of the children allocated to
    # them (_referral_visible), so each sees their own child's reasons only.
    SCREENING_HARMER: {SCREENER, SW_HARMER, MANAGER, AUDITOR},
    SCREENING_VICTIM: {SCREENER, SW_VICTIM, MANAGER, AUDITOR},
    # Information given to the meeting is in one child's minutes: the convening authority's
    # managers and auditors and the child's allocated social worker see them whole
    # (whole_meeting_children); an agency reads them once the chair distributed that child's
    # minutes to it (_distributions_to).
    POLICE_INTEL: {POLICE, SW_HARMER, MANAGER, AUDITOR},
    HEALTH_INFO: {HEALTH, SW_VICTIM, MANAGER, AUDITOR},
    # A written contribution is for the authority's auditors (_invitation_visible; the
    # child's history shows every change). The invitee (invitation_answer) and the chair
    # (child_record) read it only until the minutes are approved, as they are here; after
    # that it reaches others only as the chair wrote it into a child's minutes.
    HEALTH_CONTRIBUTION: {AUDITOR},
}
CANARIES = list(ENTITLED)


@dataclass
class Case:
    harmer: object
    victim: object
    concern: object
    referrals: dict[str, Referral]
    meeting: StrategyMeeting
    action: MeetingAction
    assessment: AimAssessment
    people: dict[str, Membership]


def _meeting(
    made: dict[str, Referral],
    manager: Membership,
    police: Membership,
    health: Membership,
    owner: Membership,
) -> tuple[StrategyMeeting, MeetingAction]:
    acting = {"by": manager.user, "membership": manager}
    meeting = meetings.convene_strategy_meeting(
        starting=made[Part.CHILD_WHO_HARMED],
        referrals=list(made.values()),
        chair=manager,
        scheduled_for=timezone.now() + timedelta(hours=2),
        meeting_format="in_person",
        location="Harbourside Civic Centre, room 4",
        late_reason="",
        agencies=[police.agency, health.agency],
        **acting,
    )
    health_invitation = meeting.invitations.get(agency=health.agency, person__isnull=True)
    meetings.answer_invitation(
        invitation=health_invitation,
        response="apologies",
        contribution=f"Sam is known to the school nurse. {HEALTH_CONTRIBUTION}",
        risk_view="",
        version=health_invitation.version,
        by=health.user,
        membership=health,
    )
    meeting.refresh_from_db()
    minutes = meetings.record_meeting_held(
        meeting=meeting, held_on=timezone.localdate(), version=meeting.version, **acting
    )
    # What each agency told the meeting, in the minutes of the child it is about.
    shared = {
        Part.CHILD_WHO_HARMED: {police.agency: f"Known to police. {POLICE_INTEL}"},
        Part.CHILD_HARMED: {health.agency: f"Seen by the school nurse. {HEALTH_INFO}"},
    }
    places = list(meeting.meeting_children.select_related("child", "referral__authority"))
    for place in places:
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
            agency_information=shared[place.part],
            version=minutes.version,
            **acting,
        )
    minutes.refresh_from_db()
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
    minutes.refresh_from_db()
    # Each child's minutes go only to the agency involved with that child.
    by_part = {place.part: place for place in places}
    meetings.distribute_minutes(
        minutes=minutes,
        choices={
            by_part[Part.CHILD_WHO_HARMED]: [police.agency],
            by_part[Part.CHILD_HARMED]: [health.agency],
        },
        **acting,
    )
    return meeting, action


@pytest.fixture
def case(
    authority: LocalAuthority,
    other_authority: LocalAuthority,
    member: Callable[..., Membership],
    agency_for: Callable[..., Agency],
) -> Case:
    call_command("loaddata", "brook_traffic_light", verbosity=0)
    apply_profile(authority, CAMDEN_LIKE)
    csc = agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE)
    people = {
        PRACTITIONER: member(Role.PRACTITIONER),
        DSL: member(Role.DSL),
        POLICE: member(Role.PRACTITIONER, agency=agency_for(AgencyKind.POLICE)),
        HEALTH: member(Role.PRACTITIONER, agency=agency_for(AgencyKind.HEALTH)),
        SCREENER: member(Role.MASH_SCREENER),
        SW_HARMER: MembershipFactory(
            role=Role.SOCIAL_WORKER, agency=csc, user__full_name="Sol Worker"
        ),
        SW_VICTIM: MembershipFactory(
            role=Role.SOCIAL_WORKER, agency=csc, user__full_name="Jo Fieldworker"
        ),
        OTHER_SCREENER: member(
            Role.MASH_SCREENER, agency=agency_for(AgencyKind.MASH, other_authority)
        ),
        MANAGER: member(Role.SW_MANAGER),
        AUDITOR: member(Role.AUDITOR),
    }
    concern = cases.raise_and_rate(
        authority,
        people[PRACTITIONER],
        people[DSL],
        harmer_family_name=HARMER_NAME,
        harmed_family_name=VICTIM_NAME,
    )
    workers = {Part.CHILD_WHO_HARMED: people[SW_HARMER], Part.CHILD_HARMED: people[SW_VICTIM]}
    made = cases.refer_screen_allocate(
        concern,
        people[DSL],
        people[SCREENER],
        workers,
        screening_notes={
            Part.CHILD_WHO_HARMED: SCREENING_HARMER,
            Part.CHILD_HARMED: SCREENING_VICTIM,
        },
    )
    meeting, action = _meeting(
        made, people[MANAGER], people[POLICE], people[HEALTH], owner=people[SW_HARMER]
    )
    lead = people[SW_HARMER]
    lead.user.aim_certified_on = date(2024, 9, 12)
    lead.user.save(update_fields=["aim_certified_on"])
    harmer = made[Part.CHILD_WHO_HARMED].child
    assessment = aim.start_aim_assessment(
        child=harmer,
        model_version="AIM2",
        started_on=timezone.localdate(),
        co_workers=[],
        submission=uuid4(),
        by=lead.user,
        membership=lead,
    )
    return Case(
        harmer=harmer,
        victim=made[Part.CHILD_HARMED].child,
        concern=concern,
        referrals=made,
        meeting=meeting,
        action=MeetingAction.objects.get(key=action.key, minutes__status="approved"),
        assessment=assessment,
        people=people,
    )


def case_urls(case: Case) -> Iterator[tuple[str, str]]:
    """(URL name, URL) for every GET route of the URL conf, with this case's records as its
    arguments: each route is tried with each set of the case's ids and keeps those it takes."""
    meeting = case.meeting
    minutes = meeting.minutes.order_by("-number").first()
    places = list(meeting.meeting_children.all())
    involvements = list(case.concern.involvements.all())
    domain = case.assessment.model.domains[0].code
    argument_sets = [{}]
    argument_sets += [{"child": c.public_id} for c in (case.harmer, case.victim)]
    argument_sets += [{"concern": case.concern.public_id}]
    argument_sets += [
        {"concern": case.concern.public_id, "involvement": i.public_id} for i in involvements
    ]
    argument_sets += [{"referral": r.public_id} for r in case.referrals.values()]
    argument_sets += [{"meeting": meeting.public_id}]
    argument_sets += [
        {"meeting": meeting.public_id, "invitation": i.public_id} for i in meeting.invitations.all()
    ]
    argument_sets += [{"meeting": meeting.public_id, "action": case.action.public_id}]
    argument_sets += [
        {"meeting": meeting.public_id, "meeting_child": p.public_id, **extra}
        for p in places
        for extra in ({}, {"minutes": minutes.public_id})
    ]
    argument_sets += [{"assessment": case.assessment.public_id}]
    argument_sets += [{"assessment": case.assessment.public_id, "domain": domain}]
    for name in route_names():
        if name in ACCOUNT_ROUTES:
            continue
        for arguments in argument_sets:
            try:
                yield name, reverse(name, kwargs=arguments)
            except NoReverseMatch:
                continue


def readable(response: HttpResponse) -> str:
    """What a person reads in the response: the page, the CSV, or the PDF's text."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8", errors="replace")


def found(canary: str, text: str) -> bool:
    # PDF text may break a line anywhere; compare without white space, ignoring case.
    squeeze = "".join(text.split()).casefold()
    return canary.casefold() in squeeze


@pytest.mark.parametrize("person", PEOPLE)
def test_v8_2_3_each_person_reads_exactly_the_canaries_they_are_entitled_to(
    person: str,
    case: Case,
    caplog: pytest.LogCaptureFixture,
    record_property: Callable[[str, object], None],
) -> None:
    caplog.set_level(logging.INFO)
    client = signed_in(Client(), case.people[person])
    seen: dict[str, list[str]] = {canary: [] for canary in CANARIES}
    pages = 0
    for name, url in case_urls(case):
        response = client.get(url)
        pages += 1
        assert response.status_code != 500, f"{person}: {name} {url} gave a server error"
        text = readable(response)
        for canary in CANARIES:
            if found(canary, text):
                seen[canary].append(f"{name} {response.status_code}")
    in_logs = [c for c in CANARIES if any(found(c, r.getMessage()) for r in caplog.records)]

    leaks = {c: where for c, where in seen.items() if where and person not in ENTITLED[c]}
    missing = [c for c, where in seen.items() if not where and person in ENTITLED[c]]
    record_property("canaries", len(CANARIES))
    record_property("canary_pages", pages)
    record_property("canary_leaks", sum(len(where) for where in leaks.values()) + len(in_logs))
    assert leaks == {}, f"{person} read canaries they are not entitled to: {leaks}"
    assert in_logs == [], f"canaries in log lines: {in_logs}"
    # The walk reaches the pages that show them, so a leak could not hide behind a dead walk.
    assert missing == [], f"{person} never read canaries they are entitled to: {missing}"


# The fields a practitioner may not set on their draft concern: the DSL's decision and its
# reasons, and the MASH's screening decision and reasons. (status, agency and the owners are
# posted to every form by test_hostile_input.py; these are not.)
RESTRICTED_POSTED = {
    "decision": NextStep.REFER,
    "decision_reason": "CANARY-POSTED-DECISION-REASON-0d4f",
    "rationale": "CANARY-POSTED-SCREENING-REASON-6a1b",
    "screening_reasons": "CANARY-POSTED-SCREENING-REASON-6a1b",
    "rag": "red",
    "status": "referred",
}


def test_v8_2_3_restricted_fields_posted_by_a_practitioner_are_ignored(
    member: Callable[..., Membership],
) -> None:
    practitioner = member(Role.PRACTITIONER)
    concern = ConcernFactory(reported_by=practitioner.user, reporting_agency=practitioner.agency)
    client = signed_in(Client(), practitioner)
    url = reverse("triage:concern-edit", args=[concern.public_id])
    (form,) = post_forms(url, client.get(url).content.decode())
    data = {name: item.rendered[0] for name, item in form.fields.items() if item.rendered}
    data["what_happened"] = "At lunch break one pupil pushed another against the wall."

    response = client.post(form.action, {**data, **RESTRICTED_POSTED})

    assert response.status_code == 302  # the edit itself was saved
    concern = Concern.objects.get(pk=concern.pk)
    assert concern.what_happened == data["what_happened"]
    assert concern.status == ConcernStatus.DRAFT
    assert concern.decision == "" and concern.decision_reason == ""
    assert not Referral.objects.filter(concern=concern).exists()
