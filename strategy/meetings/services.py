"""The strategy meeting use-cases, one per step of the procedure (domain.md §6).

Each runs in one transaction and writes its audit event in the same transaction as the change.
A change to a meeting takes the meeting's next version first, and a change to the minutes takes
the draft's next version (a conditional UPDATE that only a draft can pass), so of two people
saving from the same page only one succeeds, and nothing changes approved minutes.

The referrals themselves are not moved: their life ends at the screening decision (referrals'
``TRANSITIONS`` has no step after "strategy meeting"). A referral is "convened" while a meeting
that is not cancelled covers its child.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from hsb_portal.accounts.models import (
    Agency,
    AgencyKind,
    CrossBorderConvenor,
    LocalAuthority,
    Membership,
    Role,
    TimescaleRule,
    User,
)
from hsb_portal.audit import log as audit
from hsb_portal.audit.models import Action
from hsb_portal.conflicts import StaleRecord, claim_version
from hsb_portal.submissions.tokens import once
from referrals.models import Referral, ReferralStatus
from strategy.meetings.minutes import MinutesCheck, minutes_to_check
from strategy.models import (
    ActionChild,
    ActionCompletion,
    AgencyInformation,
    AimNeeded,
    Attendance,
    AttendanceStatus,
    ChildRecord,
    Distribution,
    Invitation,
    InvitationResponse,
    InviteeRole,
    MeetingAction,
    MeetingChild,
    MeetingStatus,
    MinutesStatus,
    MinutesVersion,
    RedactionChoice,
    RedactionDecision,
    StrategyMeeting,
    ThresholdDecision,
    YesNoNotApplicable,
    is_later_than_due,
)
from triage.models import Part, YesNoUnknown

APPROVED_MESSAGE = (
    "These minutes have been approved, so they cannot change. To correct them, amend the "
    "minutes: that makes a new version and keeps this one."
)

# The invitee's role, from the kind of agency invited (ST; DD 4: police, health, education,
# youth justice and CAMHS attend).
ROLE_FOR_KIND = {
    AgencyKind.POLICE: InviteeRole.POLICE,
    AgencyKind.HEALTH: InviteeRole.HEALTH,
    AgencyKind.SCHOOL: InviteeRole.EDUCATION,
    AgencyKind.YOUTH_JUSTICE: InviteeRole.YOUTH_JUSTICE,
    AgencyKind.CAMHS: InviteeRole.CAMHS,
}
# Letters for the children of a meeting, in a stable order; a meeting covers a few children.
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


class MinutesApproved(Exception):
    """Approved minutes do not change."""


class InvalidTransition(Exception):
    """The meeting is not at the step this change belongs to."""


class CannotConvene(Exception):
    """The meeting cannot be convened from here; the message says why, in GOV.UK words."""


class AlreadyInvited(Exception):
    """That agency or person is already invited."""


class IncompleteMinutes(Exception):
    """The draft cannot be approved yet; ``problems`` says what is missing."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _children_of(meeting: StrategyMeeting) -> list[Any]:
    return [place.child.public_id for place in meeting.meeting_children.all()]


def _record(
    by: User,
    action: Action,
    obj: Any,
    membership: Membership,
    *,
    children: Iterable[Any],
    detail: str = "",
    also_changed: Iterable[Any] = (),
) -> None:
    audit.record(
        by,
        action,
        obj,
        membership=membership,
        children=children,
        detail=detail,
        also_changed=also_changed,
    )


def _claim_meeting(meeting: StrategyMeeting, version: int) -> None:
    """Take the meeting's next version, or refuse with ``StaleRecord``."""
    claim_version(meeting, version, what="this meeting")


def _claim_draft(minutes: MinutesVersion, version: int) -> None:
    """Take the draft's next version. Only a draft passes: approved minutes do not change."""
    try:
        claim_version(minutes, version, what="these minutes", status=MinutesStatus.DRAFT)
    except StaleRecord:
        if MinutesVersion.objects.filter(pk=minutes.pk, status=MinutesStatus.APPROVED).exists():
            raise MinutesApproved from None
        raise


# Convening


@dataclass(frozen=True)
class Convenor:
    """The authority that convenes, and why, in words a manager can check."""

    authority: LocalAuthority
    reason: str = ""


def convenor_for(referrals: Sequence[Referral], *, starting: Referral) -> Convenor:
    """Which authority convenes a meeting about these children.

    Where they all live in one authority, that one. Where they live in different authorities,
    the procedure of the authority the meeting is convened from (the one that screened
    ``starting``) decides: Camden, where the child harmed lives (CA 8.3); Stoke and
    Staffordshire, where the behaviour occurred (ST). domain.md §6 makes it a per-authority
    setting.
    """
    homes = {referral.authority_id for referral in referrals}
    if len(homes) <= 1:
        return Convenor(referrals[0].authority if referrals else starting.authority)
    profile = starting.authority
    if profile.cross_border_convenor == CrossBorderConvenor.WHERE_CHILD_HARMED_LIVES:
        harmed = next((r for r in referrals if r.part == Part.CHILD_HARMED), None)
        if harmed is not None:
            return Convenor(
                harmed.authority,
                f"The children live in different local authorities. {profile.name}'s "
                "procedure: the authority where the child harmed lives convenes.",
            )
    return Convenor(
        starting.happened_in,
        f"The children live in different local authorities. {profile.name}'s procedure: "
        "the authority where the behaviour occurred convenes.",
    )


def meeting_due(
    authority: LocalAuthority, clock_started_at: datetime
) -> tuple[datetime | None, str]:
    """When the strategy meeting is due under the authority's profile, and the rule's words
    (CA 8.3: 3 days; DD 4: 5 days; domain.md §2)."""
    timescale = authority.timescale(TimescaleRule.STRATEGY_MEETING)
    if timescale is None:
        return None, f"{authority.name}'s procedure profile sets no time for the strategy meeting."
    due = timescale.apply(clock_started_at, closures=authority.closure_days())
    words = f"Within {timescale.describe()}. {timescale.source_text}"
    return (due if isinstance(due, datetime) else None), words


def live_meeting_children() -> Any:
    """The children of meetings that are not cancelled: their referrals are convened."""
    return MeetingChild.objects.exclude(meeting__status=MeetingStatus.CANCELLED)


def convening_problem(
    referrals: Sequence[Referral], *, starting: Referral, membership: Membership
) -> str:
    """Why these referrals cannot be convened by this manager, in GOV.UK words; or ''."""
    for referral in referrals:
        if referral.group_id != starting.group_id:
            return "Choose only the referrals made together with this one"
        if referral.status != ReferralStatus.STRATEGY_MEETING:
            return (
                f"{referral.child.full_name}'s referral was not screened for a strategy meeting: "
                "choose only referrals screened for a strategy meeting"
            )
    convened = live_meeting_children().filter(referral__in=[r.pk for r in referrals])
    if convened.exists():
        return "A strategy meeting has already been convened for one of these children"
    convenor = convenor_for(referrals, starting=starting)
    if convenor.authority.pk not in membership.authority_ids:
        return f"{convenor.authority.name} convenes this strategy meeting. {convenor.reason}"
    return ""


def chairs_for(authority: LocalAuthority) -> Any:
    """Who may chair: the social work managers of the authority's children's social care
    (ST: children's services chair; DD 4: the child protection or team manager)."""
    return (
        Membership.objects.filter(
            role=Role.SW_MANAGER,
            is_active=True,
            user__is_active=True,
            agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
            agency__authorities=authority,
        )
        .select_related("user", "agency")
        .order_by("user__full_name", "pk")
        .distinct()
    )


def chairs_for_any(authority_ids: Iterable[int]) -> Any:
    """The social work managers who may chair a meeting of any of these authorities."""
    return (
        Membership.objects.filter(
            role=Role.SW_MANAGER,
            is_active=True,
            user__is_active=True,
            agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
            agency__authorities__in=sorted(authority_ids),
        )
        .select_related("user", "agency")
        .order_by("user__full_name", "pk")
        .distinct()
    )


def _in_order(referrals: Sequence[Referral]) -> list[Referral]:
    """A stable order for the letters: children who have harmed first, then children harmed,
    each in the order they were referred."""
    first: dict[str, int] = {Part.CHILD_WHO_HARMED: 0, Part.CHILD_HARMED: 1}
    return sorted(referrals, key=lambda r: (first.get(r.part, 2), r.pk))


def other_authorities(
    meeting_authority: LocalAuthority, referrals: Sequence[Referral]
) -> list[LocalAuthority]:
    """The children's other authorities, and where the behaviour occurred (CA 8.3: a child's
    home authority is represented)."""
    found: dict[int, LocalAuthority] = {}
    for referral in referrals:
        for authority in (referral.authority, referral.happened_in):
            if authority.pk != meeting_authority.pk:
                found[authority.pk] = authority
    return list(found.values())


@transaction.atomic(durable=True)
def convene_strategy_meeting(
    *,
    starting: Referral,
    referrals: Sequence[Referral],
    chair: Membership,
    scheduled_for: datetime,
    meeting_format: str,
    location: str,
    late_reason: str,
    agencies: Sequence[Agency],
    by: User,
    membership: Membership,
) -> StrategyMeeting:
    """The social work manager convenes the strategy meeting about the children of one incident,
    chaired by a social work manager, and invites the agencies, the children's allocated social
    workers and, across a border, the other authority (ST; DD 4; CA 8.3)."""
    locked = list(
        Referral.objects.select_for_update()
        .filter(pk__in=[r.pk for r in referrals])
        .select_related("child", "authority", "happened_in")
        .order_by("pk")
    )
    if not locked:
        raise CannotConvene("Select the children the meeting is about")
    if problem := convening_problem(locked, starting=starting, membership=membership):
        raise CannotConvene(problem)
    convenor = convenor_for(locked, starting=starting)
    if not chairs_for(convenor.authority).filter(pk=chair.pk).exists():
        raise CannotConvene("Select a social work manager of the convening authority as chair")
    clock_started_at = min(r.received_at for r in locked)
    due_by, due_rule = meeting_due(convenor.authority, clock_started_at)
    late = is_later_than_due(scheduled_for, due_by)
    if late and not late_reason.strip():
        raise CannotConvene("Say why the meeting is later than the date it is due by")
    meeting = StrategyMeeting.objects.create(
        authority=convenor.authority,
        convening_reason=convenor.reason,
        chair=chair,
        convened_by=by,
        convened_by_role=membership.described,
        clock_started_at=clock_started_at,
        due_by=due_by,
        due_rule=due_rule,
        scheduled_for=scheduled_for,
        meeting_format=meeting_format,
        location=location.strip(),
        late_reason=late_reason.strip() if late else "",
    )
    ordered = _in_order(locked)
    MeetingChild.objects.bulk_create(
        MeetingChild(
            meeting=meeting,
            child=referral.child,
            referral=referral,
            part=referral.part,
            letter=LETTERS[position],
            position=position,
        )
        for position, referral in enumerate(ordered)
    )
    _invite_everyone(meeting, ordered, agencies, by=by)
    _record(
        by,
        Action.CREATE,
        meeting,
        membership,
        children=[r.child.public_id for r in ordered],
        detail="strategy meeting convened",
    )
    return meeting


def _invite_everyone(
    meeting: StrategyMeeting, referrals: Sequence[Referral], agencies: Sequence[Agency], *, by: User
) -> None:
    invitations: list[Invitation] = []
    invited_agencies: set[int] = set()
    for agency in agencies:
        if agency.pk in invited_agencies:
            continue
        invited_agencies.add(agency.pk)
        role = ROLE_FOR_KIND.get(AgencyKind(agency.kind), InviteeRole.OTHER)
        if agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE:
            role = InviteeRole.OTHER_AUTHORITY
        invitations.append(
            Invitation(meeting=meeting, agency=agency, role_in_meeting=role, invited_by=by)
        )
    # Across a border, the other authority's children's social care is always invited.
    for authority in other_authorities(meeting.authority, referrals):
        csc = (
            Agency.objects.filter(kind=AgencyKind.CHILDRENS_SOCIAL_CARE, authorities=authority)
            .exclude(pk__in=invited_agencies)
            .order_by("pk")
            .first()
        )
        if csc is not None:
            invited_agencies.add(csc.pk)
            invitations.append(
                Invitation(
                    meeting=meeting,
                    agency=csc,
                    role_in_meeting=InviteeRole.OTHER_AUTHORITY,
                    invited_by=by,
                )
            )
    # DD 4: "all key agencies must attend", the allocated social workers among them.
    people: set[int] = set()
    for referral in referrals:
        allocation = (
            referral.allocations.filter(ended_at__isnull=True)
            .select_related("social_worker__agency")
            .first()
        )
        if allocation is None or allocation.social_worker.user_id in people:
            continue
        people.add(allocation.social_worker.user_id)
        invitations.append(
            Invitation(
                meeting=meeting,
                agency=allocation.social_worker.agency,
                person_id=allocation.social_worker.user_id,
                role_in_meeting=InviteeRole.SOCIAL_WORKER,
                invited_by=by,
            )
        )
    Invitation.objects.bulk_create(invitations)


@transaction.atomic(durable=True)
def change_meeting_arrangements(
    *,
    meeting: StrategyMeeting,
    chair: Membership,
    scheduled_for: datetime,
    meeting_format: str,
    location: str,
    late_reason: str,
    version: int,
    by: User,
    membership: Membership,
) -> StrategyMeeting:
    """Move the meeting, change where it is held, or hand the chair to another manager."""
    _claim_meeting(meeting, version)
    if not meeting.is_convened:
        raise InvalidTransition("Only a meeting not yet held can be rearranged")
    if not chairs_for(meeting.authority).filter(pk=chair.pk).exists():
        raise CannotConvene("Select a social work manager of the convening authority as chair")
    late = is_later_than_due(scheduled_for, meeting.due_by)
    if late and not late_reason.strip():
        raise CannotConvene("Say why the meeting is later than the date it is due by")
    meeting.chair = chair
    meeting.scheduled_for = scheduled_for
    meeting.meeting_format = meeting_format
    meeting.location = location.strip()
    meeting.late_reason = late_reason.strip() if late else ""
    meeting.save(
        update_fields=[
            "chair",
            "scheduled_for",
            "meeting_format",
            "location",
            "late_reason",
            "version",
        ]
    )
    _record(
        by, Action.CHANGE, meeting, membership, children=_children_of(meeting), detail="rearranged"
    )
    return meeting


@transaction.atomic(durable=True)
def cancel_strategy_meeting(
    *, meeting: StrategyMeeting, reason: str, version: int, by: User, membership: Membership
) -> StrategyMeeting:
    """Cancel a meeting not yet held; its children can then be convened again."""
    _claim_meeting(meeting, version)
    if not meeting.is_convened:
        raise InvalidTransition("Only a meeting not yet held can be cancelled")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_reason = reason.strip()
    meeting.cancelled_at = timezone.now()
    meeting.save(update_fields=["status", "cancelled_reason", "cancelled_at", "version"])
    _record(
        by, Action.CHANGE, meeting, membership, children=_children_of(meeting), detail="cancelled"
    )
    return meeting


# Invitations and contributions


def invitable_agencies(
    meeting_authority: LocalAuthority, authorities: Iterable[LocalAuthority]
) -> Any:
    """The agencies serving the convening authority and the children's authorities, less
    the convening children's social care (it chairs; its social workers are invited by name)
    and the MASH."""
    return (
        Agency.objects.filter(authorities__in=[a.pk for a in authorities])
        .exclude(kind=AgencyKind.MASH)
        .exclude(kind=AgencyKind.CHILDRENS_SOCIAL_CARE, authorities=meeting_authority)
        .distinct()
        .order_by("name", "pk")
    )


def invitable_people(authorities: Iterable[LocalAuthority]) -> QuerySet[Membership]:
    """People who may be invited by name: anyone with an active role in an agency serving the
    meeting's authorities, except auditors and administrators."""
    return (
        Membership.objects.filter(
            is_active=True,
            user__is_active=True,
            agency__authorities__in=[a.pk for a in authorities],
        )
        .exclude(role__in=[Role.AUDITOR, Role.ADMINISTRATOR])
        .select_related("user", "agency")
        .order_by("user__full_name", "agency__name", "pk")
        .distinct()
    )


@transaction.atomic(durable=True)
def invite_to_meeting(
    *,
    meeting: StrategyMeeting,
    agency: Agency | None,
    person: Membership | None,
    role_in_meeting: str,
    submission: UUID,
    by: User,
    membership: Membership,
) -> Invitation:
    """Invite an agency, or a named person acting for one."""
    with once(submission, form="invitation", by=by) as sent:
        invitation = _invite(meeting, agency, person, role_in_meeting, by=by)
        _record(
            by,
            Action.CHANGE,
            meeting,
            membership,
            children=_children_of(meeting),
            detail=f"invited {invitation.invitee}",
        )
        sent.created(invitation)
    return invitation


def _invite(
    meeting: StrategyMeeting,
    agency: Agency | None,
    person: Membership | None,
    role_in_meeting: str,
    *,
    by: User,
) -> Invitation:
    if not meeting.is_open:
        raise InvalidTransition("Invitations close when the minutes are approved")
    if person is not None:
        agency = person.agency
        taken = meeting.invitations.filter(person=person.user_id)
    else:
        taken = meeting.invitations.filter(agency=agency, person__isnull=True)
    if agency is None:
        raise ValueError("An invitation needs an agency or a person")
    if taken.exists():
        raise AlreadyInvited
    return Invitation.objects.create(
        meeting=meeting,
        agency=agency,
        person_id=person.user_id if person is not None else None,
        role_in_meeting=role_in_meeting,
        invited_by=by,
    )


def contribution_problem(response: str, contribution: str) -> str:
    """CA 14: an agency that cannot attend sends a written report."""
    if response == InvitationResponse.APOLOGIES and not contribution.strip():
        return (
            "Your agency cannot attend, so send your written contribution: what your agency "
            "knows about the children"
        )
    return ""


@transaction.atomic(durable=True)
def answer_invitation(
    *,
    invitation: Invitation,
    response: str,
    contribution: str,
    risk_view: str,
    version: int,
    by: User,
    membership: Membership,
) -> Invitation:
    """The invitee says whether they will attend, and sends what they know and their view of
    the risk in writing (CA 14; DD 4)."""
    claim_version(invitation, version, what="this invitation")
    meeting = invitation.meeting
    if not meeting.is_open:
        raise InvalidTransition("The minutes are approved: the meeting takes no more answers")
    if problem := contribution_problem(response, contribution):
        raise ValueError(problem)
    now = timezone.now()
    fields = ["version"]
    if meeting.is_convened and response != invitation.response:
        invitation.response = response
        invitation.responded_at = now
        invitation.responded_by = by
        fields += ["response", "responded_at", "responded_by"]
    if contribution.strip() != invitation.contribution or risk_view.strip() != invitation.risk_view:
        invitation.contribution = contribution.strip()
        invitation.risk_view = risk_view.strip()
        invitation.contributed_at = now
        invitation.contributed_by = by
        fields += ["contribution", "risk_view", "contributed_at", "contributed_by"]
    invitation.save(update_fields=fields)
    _record(
        by,
        Action.CHANGE,
        invitation,
        membership,
        children=_children_of(meeting),
        detail="invitation answered",
    )
    return invitation


# Holding the meeting and recording the minutes


def _attendance_from_invitations(
    meeting: StrategyMeeting, minutes: MinutesVersion
) -> list[Attendance]:
    chair = meeting.chair
    rows = [
        Attendance(
            minutes=minutes,
            name=chair.user.full_name,
            agency_name=chair.agency.name,
            role="Chair",
            status=AttendanceStatus.PRESENT,
            position=0,
        )
    ]
    for position, invitation in enumerate(
        meeting.invitations.select_related("agency", "person", "responded_by").order_by("pk"),
        start=1,
    ):
        if invitation.person is not None:
            name = invitation.person.full_name
        elif invitation.responded_by is not None and invitation.response:
            name = invitation.responded_by.full_name
        else:
            name = ""
        attended: dict[InvitationResponse | None, AttendanceStatus] = {
            InvitationResponse.ATTENDING: AttendanceStatus.PRESENT,
            InvitationResponse.APOLOGIES: AttendanceStatus.APOLOGIES,
        }
        status = attended.get(
            InvitationResponse(invitation.response) if invitation.response else None,
            AttendanceStatus.ABSENT,
        )
        if status == AttendanceStatus.PRESENT and not name:
            status = AttendanceStatus.ABSENT
        rows.append(
            Attendance(
                minutes=minutes,
                invitation=invitation,
                name=name,
                agency_name=invitation.agency.name,
                role=invitation.get_role_in_meeting_display(),
                status=status,
                position=position,
            )
        )
    return rows


@transaction.atomic(durable=True)
def record_meeting_held(
    *, meeting: StrategyMeeting, held_on: date, version: int, by: User, membership: Membership
) -> MinutesVersion:
    """The meeting took place: its minutes start, as a draft with a record for each child and
    the attendance the invitees' answers suggest."""
    _claim_meeting(meeting, version)
    if not meeting.is_convened:
        raise InvalidTransition("Only a convened meeting can be recorded as held")
    meeting.status = MeetingStatus.HELD
    meeting.held_on = held_on
    meeting.save(update_fields=["status", "held_on", "version"])
    minutes = MinutesVersion.objects.create(meeting=meeting, number=1, created_by=by)
    ChildRecord.objects.bulk_create(
        ChildRecord(minutes=minutes, meeting_child=place)
        for place in meeting.meeting_children.all()
    )
    Attendance.objects.bulk_create(_attendance_from_invitations(meeting, minutes))
    _record(by, Action.CHANGE, meeting, membership, children=_children_of(meeting), detail="held")
    return minutes


@dataclass(frozen=True)
class AttendanceAnswer:
    name: str
    status: str


@transaction.atomic(durable=True)
def record_attendance(
    *,
    minutes: MinutesVersion,
    answers: Mapping[int, AttendanceAnswer],
    others: Sequence[tuple[str, str, str]],
    version: int,
    by: User,
    membership: Membership,
) -> MinutesVersion:
    """Who attended and who sent apologies; ``others`` adds anyone who came uninvited
    (name, agency, role)."""
    _claim_draft(minutes, version)
    rows = {row.pk: row for row in minutes.attendance.all()}
    changed = []
    for pk, answer in answers.items():
        row = rows[pk]
        row.name = answer.name.strip()
        row.status = answer.status
        changed.append(row)
    Attendance.objects.bulk_update(changed, ["name", "status"])
    last = max((row.position for row in rows.values()), default=-1)
    Attendance.objects.bulk_create(
        Attendance(
            minutes=minutes,
            name=name.strip(),
            agency_name=agency.strip(),
            role=role.strip(),
            status=AttendanceStatus.PRESENT,
            position=last + n,
        )
        for n, (name, agency, role) in enumerate(others, start=1)
    )
    _record(
        by,
        Action.CHANGE,
        minutes.meeting,
        membership,
        children=_children_of(minutes.meeting),
        detail=f"attendance recorded (minutes version {minutes.number})",
    )
    return minutes


@dataclass(frozen=True)
class ChildMinutesInput:
    """What the meeting recorded about one child (domain.md §6; issue 5, item 3)."""

    risks: str = ""
    other_children_in_household: str = ""
    should_leave_home: str = ""
    leave_home_detail: str = ""
    school_safety_plan: str = ""
    school_safety_plan_detail: str = ""
    medical_checks: str = ""
    medical_checks_detail: str = ""
    at_risk_of_significant_harm: str = ""
    decision: str = ""
    decision_reasons: str = ""
    conference_on: date | None = None
    aim_needed: str = ""
    aim_lead_person: User | None = None
    aim_lead_agency: Agency | None = None
    aim_due_on: date | None = None


def child_minutes_problems(
    place: MeetingChild, answers: ChildMinutesInput, meeting_day: date
) -> dict[str, str]:
    """What is wrong with a child's record, by field, in GOV.UK words (the form shows them;
    the service refuses them)."""
    problems: dict[str, str] = {}
    harmer = place.part == Part.CHILD_WHO_HARMED
    if (
        answers.decision == ThresholdDecision.NO_FURTHER_ACTION
        and not answers.decision_reasons.strip()
    ):
        problems["decision_reasons"] = "Enter the reasons for no further action"
    if (
        harmer
        and answers.decision == ThresholdDecision.S47_THRESHOLD_MET
        and answers.at_risk_of_significant_harm != YesNoUnknown.YES
    ):
        # DD 4, ST Outcomes: a conference for the child who has harmed only if they are
        # themselves suffering, or likely to suffer, significant harm.
        problems["decision"] = (
            "A child protection conference for the child who has harmed needs them to be "
            "suffering, or likely to suffer, significant harm themselves: answer yes to that "
            "question, or choose a child in need plan"
        )
    if (
        answers.should_leave_home == YesNoNotApplicable.YES
        and not answers.leave_home_detail.strip()
    ):
        problems["leave_home_detail"] = "Say where the child will live for now, and who agreed it"
    if (
        answers.school_safety_plan == YesNoNotApplicable.YES
        and not answers.school_safety_plan_detail.strip()
    ):
        problems["school_safety_plan_detail"] = "Say what the school safety plan is"
    if (
        answers.medical_checks == YesNoNotApplicable.YES
        and not answers.medical_checks_detail.strip()
    ):
        problems["medical_checks_detail"] = "Say which medical checks, by whom"
    if answers.aim_needed == AimNeeded.YES:
        if answers.aim_lead_person is None and answers.aim_lead_agency is None:
            problems["aim_lead_agency"] = (
                "Select who leads the AIM assessment: an agency or a person"
            )
        if answers.aim_due_on is None:
            problems["aim_due_on"] = "Enter the date the AIM assessment is due by"
        elif answers.aim_due_on < meeting_day:
            problems["aim_due_on"] = (
                "The date the AIM assessment is due by must be after the meeting"
            )
    if answers.conference_on is not None:
        if answers.decision != ThresholdDecision.S47_THRESHOLD_MET:
            problems["conference_on"] = (
                "A conference date is for a child whose threshold for a section 47 enquiry is met"
            )
        elif answers.conference_on < meeting_day:
            problems["conference_on"] = "The conference date must be after the meeting"
    return problems


@transaction.atomic(durable=True)
def record_child_minutes(
    *,
    minutes: MinutesVersion,
    place: MeetingChild,
    answers: ChildMinutesInput,
    agency_information: Mapping[Agency, str],
    version: int,
    by: User,
    membership: Membership,
) -> ChildRecord:
    """Record what the meeting said and decided about one child, in the draft minutes. The
    conference and review dates come from the child's authority's profile (WT2023: the initial
    conference within 15 working days of the strategy discussion; DD 4: first review of a child
    in need plan within 3 months)."""
    _claim_draft(minutes, version)
    meeting = minutes.meeting
    if problems := child_minutes_problems(place, answers, meeting.meeting_day):
        raise ValueError(problems)
    record = minutes.child_records.select_for_update().get(meeting_child=place)
    harmer = place.part == Part.CHILD_WHO_HARMED
    for name, value in answers.__dict__.items():
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    if not harmer:
        # Asked only about the child who has harmed (DD 4; CA 8.2, 8.3).
        record.at_risk_of_significant_harm = ""
        record.aim_needed = ""
    if record.aim_needed != AimNeeded.YES:
        record.aim_lead_person = record.aim_lead_agency = record.aim_due_on = None
    if record.should_leave_home != YesNoNotApplicable.YES and not record.leave_home_detail:
        record.leave_home_detail = ""
    authority = place.referral.authority  # the child's own authority holds their conference
    record.icpc_due_on, record.icpc_rule = _due_date(
        authority, TimescaleRule.INITIAL_CP_CONFERENCE, meeting.meeting_day, record.is_s47
    )
    record.cin_review_due_on, record.cin_review_rule = _due_date(
        authority, TimescaleRule.FIRST_CIN_REVIEW, meeting.meeting_day, record.is_cin_plan
    )
    if not record.is_s47:
        record.conference_on = None
    record.updated_at = timezone.now()
    record.save()
    _save_agency_information(minutes, place, agency_information)
    _record(
        by,
        Action.CHANGE,
        place,
        membership,
        children=[place.child.public_id],
        detail=f"minutes recorded for {place.pseudonym} (version {minutes.number})",
        also_changed=[record],
    )
    return record


def _due_date(
    authority: LocalAuthority, rule: TimescaleRule, meeting_day: date, applies: bool
) -> tuple[date | None, str]:
    if not applies:
        return None, ""
    timescale = authority.timescale(rule)
    if timescale is None:
        return None, f"{authority.name}'s procedure profile sets no time for this."
    due = timescale.apply(meeting_day, closures=authority.closure_days())
    words = f"{authority.name}: within {timescale.describe()}. {timescale.source_text}"
    return (due if isinstance(due, date) and not isinstance(due, datetime) else None), words


def _save_agency_information(
    minutes: MinutesVersion, place: MeetingChild, texts: Mapping[Agency, str]
) -> None:
    current = {row.agency_id: row for row in minutes.agency_information.filter(meeting_child=place)}
    for agency, text in texts.items():
        text = text.strip()
        row = current.get(agency.pk)
        if row is None and text:
            AgencyInformation.objects.create(
                minutes=minutes,
                meeting_child=place,
                agency=agency,
                agency_name=agency.name,
                information=text,
            )
        elif row is not None and not text:
            row.delete()
        elif row is not None and text != row.information:
            row.information = text
            row.save(update_fields=["information"])


# Actions


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: Membership
    due_on: date
    children: Sequence[MeetingChild]


def _check_action(minutes: MinutesVersion, action: ActionInput) -> None:
    if not action.children:
        raise ValueError("Select the children the action concerns")
    if any(place.meeting_id != minutes.meeting_id for place in action.children):
        raise ValueError("Select children of this meeting")


@transaction.atomic(durable=True)
def add_action(
    *,
    minutes: MinutesVersion,
    action: ActionInput,
    version: int,
    by: User,
    membership: Membership,
) -> MeetingAction:
    """An action agreed at the meeting: its owner, their agency, when it is due, and the
    children it concerns (domain.md §6)."""
    _claim_draft(minutes, version)
    _check_action(minutes, action)
    created = MeetingAction.objects.create(
        minutes=minutes,
        description=action.description.strip(),
        owner_id=action.owner.user_id,
        owner_agency_id=action.owner.agency_id,
        due_on=action.due_on,
    )
    ActionChild.objects.bulk_create(
        ActionChild(action=created, meeting_child=place) for place in action.children
    )
    _record(
        by,
        Action.CHANGE,
        minutes.meeting,
        membership,
        children=[place.child.public_id for place in action.children],
        detail=f"action added (minutes version {minutes.number})",
        also_changed=[created],
    )
    return created


@transaction.atomic(durable=True)
def change_action(
    *,
    meeting_action: MeetingAction,
    action: ActionInput,
    version: int,
    by: User,
    membership: Membership,
) -> MeetingAction:
    minutes = meeting_action.minutes
    _claim_draft(minutes, version)
    _check_action(minutes, action)
    meeting_action.description = action.description.strip()
    meeting_action.owner_id = action.owner.user_id
    meeting_action.owner_agency_id = action.owner.agency_id
    meeting_action.due_on = action.due_on
    meeting_action.save(update_fields=["description", "owner", "owner_agency", "due_on"])
    ActionChild.objects.filter(action=meeting_action).delete()
    ActionChild.objects.bulk_create(
        ActionChild(action=meeting_action, meeting_child=place) for place in action.children
    )
    _record(
        by,
        Action.CHANGE,
        minutes.meeting,
        membership,
        children=[place.child.public_id for place in action.children],
        detail=f"action changed (minutes version {minutes.number})",
        also_changed=[meeting_action],
    )
    return meeting_action


@transaction.atomic(durable=True)
def remove_action(
    *, meeting_action: MeetingAction, version: int, by: User, membership: Membership
) -> None:
    minutes = meeting_action.minutes
    _claim_draft(minutes, version)
    children = [place.child.public_id for place in meeting_action.children.select_related("child")]
    ActionChild.objects.filter(action=meeting_action).delete()
    meeting_action.delete()
    _record(
        by,
        Action.CHANGE,
        minutes.meeting,
        membership,
        children=children,
        detail=f"action removed (minutes version {minutes.number})",
    )


@transaction.atomic(durable=True)
def complete_action(
    *, meeting_action: MeetingAction, completed_on: date, by: User, membership: Membership
) -> ActionCompletion:
    """Mark an agreed action done. Only an action of approved minutes is being tracked."""
    minutes = meeting_action.minutes
    if not minutes.is_approved:
        raise InvalidTransition("An action can be marked done once the minutes are approved")
    completion, _ = ActionCompletion.objects.get_or_create(
        key=meeting_action.key,
        defaults={
            "meeting": minutes.meeting,
            "completed_on": completed_on,
            "completed_by": by,
            "completed_by_role": membership.described,
        },
    )
    _record(
        by,
        Action.CHANGE,
        meeting_action,
        membership,
        children=[
            place.child.public_id for place in meeting_action.children.select_related("child")
        ],
        detail="action done",
    )
    return completion


# Approval, amendment and distribution


def checks_of(minutes: MinutesVersion) -> list[MinutesCheck]:
    """Each child's minutes in ``minutes`` as their readers will see them, with what still
    resembles another child marked for the chair."""
    places = minutes.meeting.meeting_children.select_related(
        "child", "referral", "meeting__authority", "meeting__chair__user", "meeting__chair__agency"
    ).order_by("position")
    return [minutes_to_check(place, minutes) for place in places]


def approval_problems(
    minutes: MinutesVersion,
    checks: Sequence[MinutesCheck] | None = None,
    decided: Mapping[tuple[int, str], str] | None = None,
) -> list[str]:
    """What must be recorded before the chair approves the draft: each child's decision, who
    attended, and a decision on every resemblance marked in each child's minutes (``decided``:
    the chair's answers not yet saved, by meeting child and text)."""
    problems = []
    for record in minutes.child_records.select_related("meeting_child__child").order_by(
        "meeting_child__position"
    ):
        if not record.decision:
            problems.append(
                f"Record the decision for {record.meeting_child.child.full_name} "
                f"({record.meeting_child.pseudonym})"
            )
    if not minutes.attendance.filter(status=AttendanceStatus.PRESENT).exists():
        problems.append("Record who attended")
    decided = decided or {}
    for check in checks if checks is not None else checks_of(minutes):
        left = [i for i in check.undecided if (check.place.pk, i.key) not in decided]
        if left:
            problems.append(
                f"Keep or redact each marked piece of the minutes for "
                f"{check.place.child.full_name} ({check.place.pseudonym}): {len(left)} left"
            )
    return problems


@transaction.atomic(durable=True)
def approve_minutes(
    *,
    minutes: MinutesVersion,
    version: int,
    by: User,
    membership: Membership,
    decided: Mapping[tuple[int, str], str] | None = None,
) -> MinutesVersion:
    """The chair approves the draft: from now on it never changes (issue 5, item 4). An
    approved amendment supersedes the version before it, which stays readable.

    ``decided`` are the chair's answers, keep or redact, on what still resembles another child
    in each child's minutes (by meeting child and text): every marked piece needs one. Each is
    kept on the version and audited against that child's minutes, before the approval."""
    _claim_draft(minutes, version)
    checks = checks_of(minutes)
    if problems := approval_problems(minutes, checks, decided):
        raise IncompleteMinutes(problems)
    _save_redaction_decisions(minutes, checks, decided or {}, by, membership)
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_by = by
    minutes.approved_by_role = membership.described
    minutes.approved_at = timezone.now()
    minutes.save(update_fields=["status", "approved_by", "approved_by_role", "approved_at"])
    meeting = minutes.meeting
    if meeting.status != MeetingStatus.MINUTES_APPROVED:
        meeting.status = MeetingStatus.MINUTES_APPROVED
        meeting.version += 1
        meeting.save(update_fields=["status", "version"])
    _record(
        by,
        Action.CHANGE,
        minutes,
        membership,
        children=_children_of(meeting),
        detail=f"minutes version {minutes.number} approved",
    )
    return minutes


def _save_redaction_decisions(
    minutes: MinutesVersion,
    checks: Sequence[MinutesCheck],
    decided: Mapping[tuple[int, str], str],
    by: User,
    membership: Membership,
) -> None:
    saved = {(row.meeting_child_id, row.key): row for row in minutes.redaction_decisions.all()}
    for check in checks:
        place = check.place
        for item in check.items:
            choice = decided.get((place.pk, item.key))
            if choice is None:
                continue  # decided before (an amendment keeps the chair's earlier decisions)
            row = saved.get((place.pk, item.key))
            if row is None:
                row = RedactionDecision.objects.create(
                    minutes=minutes,
                    meeting_child=place,
                    key=item.key,
                    text=item.text[:300],
                    reason=item.reason[:200],
                    replacement=item.replacement,
                    decision=choice,
                    decided_by=by,
                    decided_by_role=membership.described,
                )
                action = Action.CREATE
            else:
                row.decision, row.decided_by = choice, by
                row.decided_by_role, row.decided_at = membership.described, timezone.now()
                row.save(update_fields=["decision", "decided_by", "decided_by_role", "decided_at"])
                action = Action.CHANGE
            _record(
                by,
                action,
                row,
                membership,
                children=[place.child.public_id],
                detail=(
                    f"check {item.number} of the minutes of {place.pseudonym} (version "
                    f"{minutes.number}): {RedactionChoice(choice).label.split(':')[0].lower()}"
                ),
            )


def latest_approved(meeting: StrategyMeeting) -> MinutesVersion | None:
    return meeting.minutes.filter(status=MinutesStatus.APPROVED).order_by("-number").first()


@transaction.atomic(durable=True)
def amend_minutes(
    *, meeting: StrategyMeeting, reason: str, version: int, by: User, membership: Membership
) -> MinutesVersion:
    """Start an amendment: a new draft, copied from the approved minutes, with its reason.
    The approved version is not touched."""
    _claim_meeting(meeting, version)
    if meeting.minutes.filter(status=MinutesStatus.DRAFT).exists():
        raise InvalidTransition("An amendment is already being drafted")
    source = latest_approved(meeting)
    if source is None:
        raise InvalidTransition("Only approved minutes are amended")
    number = (meeting.minutes.aggregate(Max("number"))["number__max"] or 0) + 1
    draft = MinutesVersion.objects.create(
        meeting=meeting, number=number, created_by=by, amendment_reason=reason.strip()
    )
    _copy_minutes(source, draft)
    _record(
        by,
        Action.CHANGE,
        draft,
        membership,
        children=_children_of(meeting),
        detail=f"amendment started (minutes version {number})",
    )
    return draft


def _copy_minutes(source: MinutesVersion, draft: MinutesVersion) -> None:
    """Copy every row of ``source`` into ``draft`` (new rows; the source is only read)."""
    Attendance.objects.bulk_create(
        Attendance(
            minutes=draft,
            invitation_id=row.invitation_id,
            name=row.name,
            agency_name=row.agency_name,
            role=row.role,
            status=row.status,
            position=row.position,
        )
        for row in source.attendance.all()
    )
    copied = [
        field.name
        for field in ChildRecord._meta.concrete_fields
        if field.name not in ("id", "public_id", "minutes")
    ]
    ChildRecord.objects.bulk_create(
        ChildRecord(minutes=draft, **{name: getattr(row, name) for name in copied})
        for row in source.child_records.all()
    )
    AgencyInformation.objects.bulk_create(
        AgencyInformation(
            minutes=draft,
            meeting_child_id=row.meeting_child_id,
            agency_id=row.agency_id,
            agency_name=row.agency_name,
            information=row.information,
        )
        for row in source.agency_information.all()
    )
    RedactionDecision.objects.bulk_create(
        RedactionDecision(
            minutes=draft,
            **{
                name: getattr(row, name)
                for name in (
                    "meeting_child_id",
                    "key",
                    "text",
                    "reason",
                    "replacement",
                    "decision",
                    "decided_by_id",
                    "decided_by_role",
                    "decided_at",
                )
            },
        )
        for row in source.redaction_decisions.all()
    )
    for action in source.actions.prefetch_related("children"):
        copy = MeetingAction.objects.create(
            minutes=draft,
            key=action.key,
            description=action.description,
            owner_id=action.owner_id,
            owner_agency_id=action.owner_agency_id,
            due_on=action.due_on,
        )
        ActionChild.objects.bulk_create(
            ActionChild(action=copy, meeting_child=place) for place in action.children.all()
        )


def information_agencies(meeting: StrategyMeeting) -> list[Agency]:
    """The agencies whose information the minutes record: the chair's children's social care
    first, then every agency invited, once each."""
    agencies = {meeting.chair.agency_id: meeting.chair.agency}
    for invitation in meeting.invitations.all():
        agencies.setdefault(invitation.agency_id, invitation.agency)
    return list(agencies.values())


def distributed(minutes: MinutesVersion) -> set[tuple[int, int]]:
    """Whose minutes went to whom: (meeting child, recipient membership) pairs."""
    return set(minutes.distributions.values_list("meeting_child_id", "recipient_id"))


def distribution_people(meeting: StrategyMeeting) -> QuerySet[Membership]:
    """The people the chair may send a child's minutes to (CA 14; issue 10): anyone with an
    active role in an agency invited to the meeting, in that role, but the chair (who reads
    them all), auditors and administrators (who read no minutes this way). By agency, then
    name."""
    agencies = meeting.invitations.values("agency_id")
    return (
        Membership.objects.filter(agency__in=agencies, is_active=True, user__is_active=True)
        .exclude(pk=meeting.chair_id)
        .exclude(role__in=[Role.AUDITOR, Role.ADMINISTRATOR])
        .select_related("user", "agency")
        .order_by("agency__name", "agency__pk", "user__full_name", "pk")
    )


def invitees_among(meeting: StrategyMeeting, people: Iterable[Membership]) -> set[int]:
    """Of ``people`` (memberships), those invited: invited by name, or who answered for an
    agency invited as a whole; for such an agency that nobody answered for, its designated
    safeguarding leads. The distribution form ticks them to start with. Not the children's
    allocated social workers: each already reads their own child's record whole, and needs
    no other child's minutes."""
    named: set[tuple[int, int]] = set()
    answered_agencies: set[int] = set()
    silent_agencies: set[int] = set()
    for invitation in meeting.invitations.all():
        if invitation.role_in_meeting == InviteeRole.SOCIAL_WORKER:
            continue
        if invitation.person_id is not None:
            named.add((invitation.agency_id, invitation.person_id))
            continue
        answered_by = {
            user_id
            for user_id in (invitation.responded_by_id, invitation.contributed_by_id)
            if user_id is not None
        }
        named |= {(invitation.agency_id, user_id) for user_id in answered_by}
        (answered_agencies if answered_by else silent_agencies).add(invitation.agency_id)
    silent_agencies -= answered_agencies
    return {
        person.pk
        for person in people
        if (person.agency_id, person.user_id) in named
        or (person.agency_id in silent_agencies and person.role == Role.DSL)
    }


@transaction.atomic(durable=True)
def distribute_minutes(
    *,
    minutes: MinutesVersion,
    choices: Mapping[MeetingChild, Sequence[Membership]],
    by: User,
    membership: Membership,
) -> list[Distribution]:
    """The chair sends each child's approved minutes to the people involved with that child,
    by name: each reads them in the role they were sent to, and nobody else in their agency
    does (issue 10). Only the latest approved version is sent; sending again changes nothing."""
    meeting = minutes.meeting
    if not minutes.is_approved or latest_approved(meeting) != minutes:
        raise InvalidTransition("Only the latest approved minutes are distributed")
    allowed = set(distribution_people(meeting).values_list("pk", flat=True))
    made = []
    for place, people in choices.items():
        if place.meeting_id != meeting.pk:
            raise ValueError("Select children of this meeting")
        for person in people:
            if person.pk not in allowed:
                raise ValueError("Select people of the agencies invited to the meeting")
            distribution, created = Distribution.objects.get_or_create(
                meeting_child=place,
                minutes=minutes,
                recipient=person,
                defaults={"distributed_by": by},
            )
            if created:
                made.append(distribution)
    if made:
        sent = "; ".join(
            f"{d.meeting_child.pseudonym} to {d.recipient.user.full_name} ({d.recipient.described})"
            for d in made
        )
        _record(
            by,
            Action.CHANGE,
            minutes,
            membership,
            children=list(dict.fromkeys(d.meeting_child.child.public_id for d in made)),
            detail=f"minutes version {minutes.number} distributed: {sent}",
        )
    return made


def actions_done(keys: Iterable[Any]) -> dict[Any, ActionCompletion]:
    return {c.key: c for c in ActionCompletion.objects.filter(key__in=list(keys))}


def is_not_superseded() -> Q:
    """For ChildRecord or MeetingAction rows: of the meeting's latest approved minutes."""
    later = MinutesVersion.objects.filter(
        meeting=OuterRef("minutes__meeting"),
        status=MinutesStatus.APPROVED,
        number__gt=OuterRef("minutes__number"),
    )
    return Q(minutes__status=MinutesStatus.APPROVED) & ~Q(Exists(later))
