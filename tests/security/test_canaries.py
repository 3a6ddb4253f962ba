"""security.md V8.2.3 (issue 6, "need to know"; issue 10, items 2 and 10): field-level canaries.

One whole case is built through the real services, with a distinct canary string written into
each restricted field: the children's family names, dates of birth, streets, postcodes and
schools, the MASH's screening reasons, the police's and health's information given to the
strategy meeting, and health's written contribution. As people really write, every free-text
field of the strategy meeting (where it is, why it is late, the invitees' contributions and
views of the risk, attendance names, agencies and roles, each child's record, what each agency
shared, the actions, the reason for an amendment) names both children, in several forms.

Then each person of the matrix GETs every page of the URL conf about this case's records (the
URL conf is walked, not listed by hand), downloads every export they may (PDFs read back with
pypdf, CSVs as text), and the canaries they read are compared with the entitlement table below.
The walk is made twice: while the meeting is open (invitations still answered, minutes in
draft) and once its amended minutes are approved and each child's sent to one named person.
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
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, apply_profile
from referrals.models import Referral
from strategy import services as aim
from strategy.meetings import services as meetings
from strategy.models import (
    AimAssessment,
    MeetingAction,
    MeetingChild,
    MinutesVersion,
    StrategyMeeting,
    ThresholdDecision,
)
from tests import cases
from tests.conftest import signed_in
from tests.factories import ConcernFactory, MembershipFactory
from tests.security.routes import post_forms, urls_taking
from triage.models import (
    Child,
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
# The rest of each child's identity, as their record holds it (tests/cases.py gives the dates
# of birth) and as people write it into the meeting's free text.
HARMER_BORN = "the harmer's date of birth"
VICTIM_BORN = "the victim's date of birth"
HARMER_STREET = "Wrencanary Close"
VICTIM_STREET = "Larkcanary Road"
HARMER_POSTCODE = "HB9 2CH"
VICTIM_POSTCODE = "HV4 7QX"
HARMER_SCHOOL = "Ashcanary Academy"
VICTIM_SCHOOL = "Brightcanary Primary"
# Each canary is found in any of these forms (white space and case aside).
FORMS: dict[str, tuple[str, ...]] = {
    HARMER_BORN: ("14/03/2014", "14 March 2014"),
    VICTIM_BORN: ("20/01/2017", "20 January 2017"),
}
HARMER_DETAILS = {
    "address": f"9 {HARMER_STREET}\nHarbourside",
    "postcode": HARMER_POSTCODE,
    "school_or_setting": HARMER_SCHOOL,
}
VICTIM_DETAILS = {
    "address": f"3 {VICTIM_STREET}\nHarbourside",
    "postcode": VICTIM_POSTCODE,
    "school_or_setting": VICTIM_SCHOOL,
}
HARMER_IDENTITY = [HARMER_NAME, HARMER_BORN, HARMER_STREET, HARMER_POSTCODE, HARMER_SCHOOL]
VICTIM_IDENTITY = [VICTIM_NAME, VICTIM_BORN, VICTIM_STREET, VICTIM_POSTCODE, VICTIM_SCHOOL]


def naming_both(lead: str) -> str:
    """Free text as people write it: both children, by name and in other ways."""
    return (
        f"{lead} Riley {HARMER_NAME} (born 14/03/2014, 9 {HARMER_STREET}, {HARMER_POSTCODE}, "
        f"at {HARMER_SCHOOL}) and Sam {VICTIM_NAME}, born 20 January 2017, who lives at "
        f"3 {VICTIM_STREET} {VICTIM_POSTCODE} and goes to {VICTIM_SCHOOL}."
    )


# The people of the matrix, by what they are to the case.
PRACTITIONER = "practitioner of the referring school (filed the concern)"
DSL = "DSL of the referring school"
POLICE = "police practitioner (invited; the harmer's minutes sent to them)"
POLICE_COLLEAGUE = "police practitioner (their colleague; sent nothing)"
HEALTH = "health practitioner (invited; the harmed child's minutes sent to them)"
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
    POLICE_COLLEAGUE,
    HEALTH,
    SCREENER,
    SW_HARMER,
    SW_VICTIM,
    OTHER_SCREENER,
    MANAGER,
    AUDITOR,
]

# The two moments of the walk.
OPEN = "meeting open, minutes in draft"
APPROVED = "amended minutes approved and sent"
STAGES = [OPEN, APPROVED]

# Who may read each canary once the minutes are approved and sent, and the rule of
# hsb_portal/access.py (or of the pages) that grants it. Everyone not listed must read it on 0
# pages and 0 downloads.
ENTITLED: dict[str, set[str]] = {
    # The child harmed is named in the concern the school filed (_concern_visible: its author
    # and the agency's DSL); the authority's MASH, managers and auditors see the children who
    # live there (_child_visible); the child's own social worker sees their referral. Health
    # got only that child's minutes. The harmer's social worker and the police read only the
    # harmer's minutes, where the child harmed is "Child B" (strategy/meetings/redaction/),
    # and the meeting's pages show them every typed word as those minutes would
    # (selectors.reader_of). The police officer's colleague was sent nothing (issue 10).
    **{
        canary: {PRACTITIONER, DSL, HEALTH, SCREENER, SW_VICTIM, MANAGER, AUDITOR}
        for canary in VICTIM_IDENTITY
    },
    # The same, the other way round: the police officer got the harmer's minutes only.
    **{
        canary: {PRACTITIONER, DSL, POLICE, SCREENER, SW_HARMER, MANAGER, AUDITOR}
        for canary in HARMER_IDENTITY
    },
    # The MASH's reasons are for those who see the referral and are not its referrer
    # (selectors.shows_screening_reasons, outcomes.outcome_for_referrer): the referring school
    # sees the outcome only. A social worker sees the referrals of the children allocated to
    # them (_referral_visible), so each sees their own child's reasons only.
    SCREENING_HARMER: {SCREENER, SW_HARMER, MANAGER, AUDITOR},
    SCREENING_VICTIM: {SCREENER, SW_VICTIM, MANAGER, AUDITOR},
    # Information given to the meeting is in one child's minutes: the convening authority's
    # managers and auditors and the child's allocated social worker see them whole
    # (whole_meeting_children); a person reads them once the chair sent that child's minutes
    # to them by name (_distributions_to).
    POLICE_INTEL: {POLICE, SW_HARMER, MANAGER, AUDITOR},
    HEALTH_INFO: {HEALTH, SW_VICTIM, MANAGER, AUDITOR},
    # A written contribution is for the authority's auditors (_invitation_visible; the
    # child's history shows every change). The invitee (invitation_answer) and the chair
    # (child_record) read it only until the minutes are approved; after that it reaches
    # others only as the chair wrote it into a child's minutes.
    HEALTH_CONTRIBUTION: {AUDITOR},
}
# While the meeting is open nobody has been sent any minutes, so the police officer and the
# health practitioner know neither child; the draft is read only by those who see a child's
# record whole; the invitee and the chair still read the written contribution.
ENTITLED_WHILE_OPEN: dict[str, set[str]] = {
    **{canary: people - {POLICE, HEALTH} for canary, people in ENTITLED.items()},
    HEALTH_CONTRIBUTION: {HEALTH, MANAGER, AUDITOR},
}
ENTITLEMENTS = {OPEN: ENTITLED_WHILE_OPEN, APPROVED: ENTITLED}
CANARIES = list(ENTITLED)


@dataclass
class Case:
    harmer: Child
    victim: Child
    concern: Concern
    referrals: dict[str, Referral]
    meeting: StrategyMeeting
    assessment: AimAssessment
    people: dict[str, Membership]


def _child_record(place: MeetingChild) -> meetings.ChildMinutesInput:
    """Every free-text field of a child's record names both children."""
    harmer = place.part == Part.CHILD_WHO_HARMED
    return meetings.ChildMinutesInput(
        risks=naming_both("Risk between"),
        other_children_in_household=naming_both("No other children live with"),
        should_leave_home="yes" if harmer else "",
        leave_home_detail=naming_both("Stays with an aunt, away from") if harmer else "",
        school_safety_plan="yes",
        school_safety_plan_detail=naming_both("Separate break times for"),
        medical_checks="yes",
        medical_checks_detail=naming_both("The school nurse sees"),
        decision=ThresholdDecision.CIN_PLAN,
        decision_reasons=naming_both("Support with boundaries, for"),
        aim_needed="no" if harmer else "",
    )


def chair_redacts(minutes: MinutesVersion) -> dict[tuple[int, str], str]:
    """The chair's answers on the approval page when they redact every piece of text it marks
    as resembling another child, as a careful chair does with a meeting full of canaries."""
    return {
        (check.place.pk, item.key): "redact"
        for check in meetings.checks_of(minutes)
        for item in check.items
    }


def _meeting(
    made: dict[str, Referral], people: dict[str, Membership], *, stage: str
) -> StrategyMeeting:
    manager, police, health = people[MANAGER], people[POLICE], people[HEALTH]
    acting = {"by": manager.user, "membership": manager}
    meeting = meetings.convene_strategy_meeting(
        starting=made[Part.CHILD_WHO_HARMED],
        referrals=list(made.values()),
        chair=manager,
        # Later than the procedure allows, so the reason is typed too.
        scheduled_for=timezone.now() + timedelta(days=30),
        meeting_format="in_person",
        location=naming_both("Harbourside Civic Centre, room 4, about"),
        late_reason=naming_both("The family asked for a later date for"),
        agencies=[police.agency, health.agency],
        **acting,
    )
    for invitee, response, contribution in (
        (health, "apologies", naming_both(f"{HEALTH_CONTRIBUTION} The school nurse knows")),
        (police, "attending", ""),
    ):
        invitation = meeting.invitations.get(agency=invitee.agency, person__isnull=True)
        meetings.answer_invitation(
            invitation=invitation,
            response=response,
            contribution=contribution,
            risk_view=naming_both("Medium, for"),
            version=invitation.version,
            by=invitee.user,
            membership=invitee,
        )
    meeting.refresh_from_db()
    minutes = meetings.record_meeting_held(
        meeting=meeting, held_on=timezone.localdate(), version=meeting.version, **acting
    )
    meetings.record_attendance(
        minutes=minutes,
        answers={},
        others=[
            (
                f"Alex {VICTIM_NAME}",
                f"Parent at {VICTIM_SCHOOL}",
                f"Mother of Sam, {VICTIM_POSTCODE}",
            ),
            (
                f"Jo {HARMER_NAME}",
                f"Parent at {HARMER_SCHOOL}",
                f"Father of Riley, {HARMER_STREET}",
            ),
        ],
        version=minutes.version,
        **acting,
    )
    # What each agency told the meeting, in the minutes of the child it is about.
    shared = {
        Part.CHILD_WHO_HARMED: {police.agency: naming_both(f"{POLICE_INTEL} Known to police:")},
        Part.CHILD_HARMED: {health.agency: naming_both(f"{HEALTH_INFO} Seen by the nurse:")},
    }
    places = list(meeting.meeting_children.select_related("child", "referral__authority"))
    for place in places:
        minutes.refresh_from_db()
        meetings.record_child_minutes(
            minutes=minutes,
            place=place,
            answers=_child_record(place),
            agency_information=shared[place.part],
            version=minutes.version,
            **acting,
        )
    by_part = {place.part: place for place in places}
    harmer, victim = by_part[Part.CHILD_WHO_HARMED], by_part[Part.CHILD_HARMED]
    # An action about both children, and one about each that its owner, who was sent only
    # the other child's minutes (or none), reads on the meeting page.
    for owner, concerning in (
        (people[SW_HARMER], [harmer, victim]),
        (police, [victim]),
        (health, [harmer]),
    ):
        minutes.refresh_from_db()
        meetings.add_action(
            minutes=minutes,
            action=meetings.ActionInput(
                description=naming_both("Visit"),
                owner=owner,
                due_on=timezone.localdate() + timedelta(days=7),
                children=concerning,
            ),
            version=minutes.version,
            **acting,
        )
    if stage == OPEN:
        return meeting
    minutes.refresh_from_db()
    meetings.approve_minutes(
        minutes=minutes, version=minutes.version, decided=chair_redacts(minutes), **acting
    )
    meeting.refresh_from_db()
    amendment = meetings.amend_minutes(
        meeting=meeting,
        reason=naming_both("The school safety plan changed for"),
        version=meeting.version,
        **acting,
    )
    meetings.approve_minutes(
        minutes=amendment, version=amendment.version, decided=chair_redacts(amendment), **acting
    )
    amendment.refresh_from_db()
    # Each child's minutes go only to the person involved with that child.
    meetings.distribute_minutes(
        minutes=amendment,
        choices={harmer: [police], victim: [health]},
        **acting,
    )
    return meeting


@pytest.fixture
def stage() -> str:
    return APPROVED


@pytest.fixture
def case(
    stage: str,
    authority: LocalAuthority,
    other_authority: LocalAuthority,
    member: Callable[..., Membership],
    agency_for: Callable[..., Agency],
) -> Case:
    call_command("loaddata", "brook_traffic_light", verbosity=0)
    apply_profile(authority, CAMDEN_LIKE)
    csc = agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE)
    police_force = agency_for(AgencyKind.POLICE)
    people = {
        PRACTITIONER: member(Role.PRACTITIONER),
        DSL: member(Role.DSL),
        POLICE: member(Role.PRACTITIONER, agency=police_force),
        POLICE_COLLEAGUE: member(Role.PRACTITIONER, agency=police_force),
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
        harmer_details=HARMER_DETAILS,
        harmed_details=VICTIM_DETAILS,
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
    meeting = _meeting(made, people, stage=stage)
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
        assessment=assessment,
        people=people,
    )


def case_urls(case: Case) -> Iterator[tuple[str, str]]:
    """(URL name, URL) for every GET route of the URL conf, with this case's records as its
    arguments: each route is tried with each set of the case's ids and keeps those it takes."""
    meeting = case.meeting
    versions = list(meeting.minutes.order_by("number"))
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
    argument_sets += [
        {"meeting": meeting.public_id, "action": a.public_id}
        for a in MeetingAction.objects.filter(minutes__meeting=meeting)
    ]
    argument_sets += [
        {"meeting": meeting.public_id, "meeting_child": p.public_id, **extra}
        for p in places
        for extra in ({}, *({"minutes": v.public_id} for v in versions))
    ]
    argument_sets += [{"assessment": case.assessment.public_id}]
    argument_sets += [{"assessment": case.assessment.public_id, "domain": domain}]
    yield from urls_taking(argument_sets)


def readable(response: HttpResponse) -> str:
    """What a person reads in the response: the page, the CSV, or the PDF's text."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8", errors="replace")


def found(canary: str, text: str) -> bool:
    # PDF text may break a line anywhere; compare without white space, ignoring case.
    squeeze = "".join(text.split()).casefold()
    return any("".join(form.split()).casefold() in squeeze for form in FORMS.get(canary, (canary,)))


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("person", PEOPLE)
def test_v8_2_3_each_person_reads_exactly_the_canaries_they_are_entitled_to(
    person: str,
    stage: str,
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

    entitled = ENTITLEMENTS[stage]
    leaks = {c: where for c, where in seen.items() if where and person not in entitled[c]}
    missing = [c for c, where in seen.items() if not where and person in entitled[c]]
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
