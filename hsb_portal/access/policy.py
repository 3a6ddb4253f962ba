"""The policy, record kind by record kind: which rows a membership sees (``visible``), what it
may do to a row it sees (``allows``), and which children a row names (for the audit log)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import models

from hsb_portal import sharing
from hsb_portal.accounts.models import Agency, LocalAuthority, Membership, Role
from hsb_portal.accounts.roles import (
    ALLOCATORS,
    AUDITORS,
    AUTHORITY_WIDE,
    CHILD_CREATORS,
    CHILD_READERS,
    CONCERN_AUTHORS,
    RECORDS_MANAGEMENT,
    SCREENERS,
)
from hsb_portal.audit.models import Action
from hsb_portal.retention.models import (
    DisposalReview,
    LegalHold,
    RetainedChild,
    RetentionRule,
    RetentionRuleChange,
)
from referrals.models import Allocation, NoNamesConsultation, Referral
from strategy.models import (
    ActionChild,
    AimAssessment,
    Distribution,
    Invitation,
    MeetingAction,
    MeetingChild,
    MinutesVersion,
    StrategyMeeting,
)
from triage.models import Child, Concern, ConcernChild, ConcernStatus

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Policy:
    """The rows a membership may see, and what it may do to a row it can see."""

    visible: Callable[[Membership], models.Q]
    allows: Callable[[Membership, Action, Any], bool]
    children: Callable[[Any], Iterable[UUID]]


def _child_visible(membership: Membership) -> models.Q:
    # The authority's front door, its managers and its auditors see the children who live
    # there. A practitioner or DSL sees the children named in the concerns they may see.
    # Anyone sees a child record shared with their agency, and the child of a referral they
    # may see (a social worker the children allocated to them, issue 4).
    shared = sharing.shared_with(membership, Child)
    referred = Referral.objects.filter(_referral_visible(membership)).values("child_id")
    shared |= models.Q(pk__in=referred)
    if membership.role in CHILD_READERS:
        return models.Q(authority__in=membership.authority_ids) | shared
    if membership.role in CONCERN_AUTHORS:
        named = ConcernChild.objects.filter(
            concern__in=Concern.objects.filter(_concern_visible(membership))
        )
        return models.Q(pk__in=named.values("child_id")) | shared
    return shared


def _child_allows(membership: Membership, action: Action, child: Child) -> bool:
    if action == Action.VIEW:
        return True
    return membership.role in ALLOCATORS


def child_authorities(membership: Membership | None) -> "models.QuerySet[LocalAuthority]":
    """The authorities this membership may add a child record in: only those its agency
    serves, so that the duplicate check covers the children of the same authorities."""
    if membership is None or membership.role not in CHILD_CREATORS:
        return LocalAuthority.objects.none()
    return LocalAuthority.objects.filter(pk__in=membership.authority_ids)


def _concern_visible(membership: Membership) -> models.Q:
    # A practitioner sees the concerns they filed in this agency; a DSL every concern filed in
    # their agency; an auditor those of agencies serving their authorities. Nobody else sees a
    # concern until it is referred; then the MASH it is referred to sees it too (issue 4).
    if membership.role == Role.PRACTITIONER:
        return models.Q(reported_by=membership.user_id, reporting_agency=membership.agency_id)
    if membership.role == Role.DSL:
        return models.Q(reporting_agency=membership.agency_id)
    if membership.role == Role.AUDITOR:
        serving = Agency.objects.filter(authorities__in=membership.authority_ids)
        return models.Q(reporting_agency__in=serving.values("pk"))
    if membership.role == Role.MASH_SCREENER:
        referred = Referral.objects.filter(
            authority__in=membership.authority_ids, concern__isnull=False
        )
        return models.Q(pk__in=referred.values("concern_id"))
    return models.Q(pk__in=[])


def _concern_allows(membership: Membership, action: Action, concern: Concern) -> bool:
    # A draft is its author's; once sent, it is the DSL's to add to and decide; once decided,
    # it is closed to changes here. Making the referrals the DSL decided on creates records
    # from it, which is the DSL's too (CA 6.1); a second try finds them already made.
    if action == Action.VIEW:
        return True
    if action == Action.CREATE:
        referable = {ConcernStatus.TO_BE_REFERRED, ConcernStatus.REFERRED}
        return membership.role == Role.DSL and concern.status in referable
    if concern.status == ConcernStatus.DRAFT:
        return membership.role in CONCERN_AUTHORS and concern.reported_by_id == membership.user_id
    if concern.status == ConcernStatus.AWAITING_REVIEW:
        return membership.role == Role.DSL
    return False


def _concern_children(concern: Concern) -> list[UUID]:
    return [involvement.child.public_id for involvement in concern.involvements.all()]


def _referral_visible(membership: Membership) -> models.Q:
    # The MASH of the authority a referral is routed to (where the child lives) sees all of
    # them, and a MASH sent a read-only copy (the behaviour happened in its area) sees that
    # copy; the authority's social work managers and auditors see its referrals; a social
    # worker the referrals of the children allocated to them; the referring agency its own:
    # a practitioner the ones they made or that came from their concerns, its DSL them all.
    role = membership.role
    if role == Role.MASH_SCREENER:
        return models.Q(authority__in=membership.authority_ids) | sharing.shared_with(
            membership, Referral
        )
    if role in AUTHORITY_WIDE:
        return models.Q(authority__in=membership.authority_ids)
    if role == Role.SOCIAL_WORKER:
        allocated = Allocation.objects.filter(social_worker=membership.pk, ended_at__isnull=True)
        return models.Q(pk__in=allocated.values("referral_id"))
    if role == Role.PRACTITIONER:
        own = models.Q(recorded_by=membership.user_id) | models.Q(
            concern__reported_by=membership.user_id
        )
        return models.Q(referring_agency=membership.agency_id) & own
    if role == Role.DSL:
        return models.Q(referring_agency=membership.agency_id)
    return models.Q(pk__in=[])


def _referral_allows(membership: Membership, action: Action, referral: Referral) -> bool:
    # Only the authority it is routed to screens it and allocates its social workers: the
    # copy a notified authority sees is read only.
    if action == Action.VIEW:
        return True
    if membership.role in ALLOCATORS:
        return referral.authority_id in membership.authority_ids
    return False


def _consultation_visible(membership: Membership) -> models.Q:
    # 'No names' advice is the MASH's record; the agency that asked may read it back.
    if membership.role in SCREENERS | AUDITORS:
        return models.Q(authority__in=membership.authority_ids)
    if membership.role in CONCERN_AUTHORS:
        return models.Q(asked_by_agency=membership.agency_id)
    return models.Q(pk__in=[])


def _aim_visible(membership: Membership) -> models.Q:
    # The lead assessor acting for the lead agency, and each co-worker in the role they were
    # named in; the social work managers of the child's authority; its auditors, read only
    # (domain.md §7); and the social workers allocated to the child, who see everything
    # about their children (issue 5).
    named = AimAssessment.co_workers.through.objects.filter(membership=membership.pk)
    leads = models.Q(lead_assessor=membership.user_id, lead_agency=membership.agency_id)
    own = leads | models.Q(pk__in=named.values("aimassessment_id"))
    if membership.role in AUTHORITY_WIDE:
        return own | models.Q(child__authority__in=membership.authority_ids)
    if membership.role == Role.SOCIAL_WORKER:
        allocated = _allocated_referrals(membership).values("referral__child_id")
        return own | models.Q(child__in=allocated)
    return own


def _aim_allows(membership: Membership, action: Action, assessment: AimAssessment) -> bool:
    # Those working on a draft change it; a completed assessment is never changed, as a
    # review is a new assessment (domain.md §7). Who may lead or complete one (AIM
    # certification) is the assessment's own rule: strategy.models.certification_problem.
    if action == Action.VIEW:
        return True
    return assessment.is_draft and assessment.is_worked_on_by(membership)


# Strategy meetings (issue 5; domain.md §6). Everything about a child in a meeting is for the
# convening authority's social work managers and auditors, the chair, and the child's allocated
# social worker. An invitee (a named person, or anyone acting for an agency invited as a whole)
# sees the meeting's logistics and answers their own invitation; an action's owner sees the
# logistics and their own actions. A person reads a child's approved minutes only once the
# chair has sent that version of that child's minutes to them by name, and only acting in the
# role it was sent to (CA 14; issue 10): never their colleagues, nor they in another role.
# Every word of a meeting a person reads names only the children they may know
# (``known_meeting_children``); the others are "Child B", as in the per-child minutes.


def _allocated_referrals(membership: Membership) -> "models.QuerySet[Allocation]":
    return Allocation.objects.filter(social_worker=membership.pk, ended_at__isnull=True)


def invitations_of(membership: Membership) -> "models.QuerySet[Invitation]":
    """The invitations this membership answers: its own, and its agency's as a whole."""
    return Invitation.objects.filter(
        models.Q(person=membership.user_id)
        | models.Q(agency=membership.agency_id, person__isnull=True)
    )


def whole_meeting_children(membership: Membership) -> models.Q:
    """The meeting children (``MeetingChild``) whose whole record this membership sees, drafts
    too: not only the minutes sent to it."""
    whole = models.Q(meeting__chair=membership.pk)
    if membership.role in AUTHORITY_WIDE:
        whole |= models.Q(meeting__authority__in=membership.authority_ids)
    if membership.role == Role.SOCIAL_WORKER:
        whole |= models.Q(referral__in=_allocated_referrals(membership).values("referral_id"))
    return whole


def _distributions_to(membership: Membership) -> "models.QuerySet[Distribution]":
    # To this membership by name: not to its agency, nor to the person's other roles.
    return Distribution.objects.filter(recipient=membership.pk)


def known_meeting_children(membership: Membership) -> models.Q:
    """The meeting children (``MeetingChild``) this membership may know by name, date of birth,
    address and school: those whose whole record it sees, those whose minutes were sent to
    it, and those whose own record it may see. On every page of a meeting each other child is
    only their letter, in every word typed there (issue 10, item 2)."""
    distributed = _distributions_to(membership).values("meeting_child_id")
    children = Child.objects.filter(_child_visible(membership)).values("pk")
    return (
        whole_meeting_children(membership)
        | models.Q(pk__in=distributed)
        | models.Q(child__in=children)
    )


def _meeting_visible(membership: Membership) -> models.Q:
    whole = MeetingChild.objects.filter(whole_meeting_children(membership)).values("meeting_id")
    invited = invitations_of(membership).values("meeting_id")
    distributed = _distributions_to(membership).values("meeting_child__meeting_id")
    # The owner of an action agreed at the meeting sees the meeting and their own actions.
    owned = MeetingAction.objects.filter(owner=membership.user_id).values("minutes__meeting_id")
    return (
        models.Q(pk__in=whole)
        | models.Q(pk__in=invited)
        | models.Q(pk__in=distributed)
        | models.Q(pk__in=owned)
    )


def _meeting_allows(membership: Membership, action: Action, meeting: StrategyMeeting) -> bool:
    # The convening authority's social work managers arrange and record it; only the chair
    # approves, amends and distributes the minutes (MinutesVersion below).
    if action == Action.VIEW:
        return True
    return membership.role == Role.SW_MANAGER and meeting.authority_id in membership.authority_ids


def _meeting_children(meeting: StrategyMeeting) -> list[UUID]:
    return [place.child.public_id for place in meeting.meeting_children.all()]


def _meeting_child_visible(membership: Membership) -> models.Q:
    distributed = _distributions_to(membership).values("meeting_child_id")
    return whole_meeting_children(membership) | models.Q(pk__in=distributed)


def _meeting_child_allows(membership: Membership, action: Action, place: MeetingChild) -> bool:
    if action in (Action.VIEW, Action.EXPORT):
        return True
    return _meeting_allows(membership, action, place.meeting)


def _minutes_visible(membership: Membership) -> models.Q:
    whole = MeetingChild.objects.filter(whole_meeting_children(membership)).values("meeting_id")
    distributed = _distributions_to(membership).values("minutes_id")
    return models.Q(meeting__in=whole) | models.Q(pk__in=distributed)


def _minutes_allows(membership: Membership, action: Action, minutes: MinutesVersion) -> bool:
    # "The chair approves the minutes" (issue 5), and amends and distributes them.
    if action == Action.VIEW:
        return True
    return membership.role == Role.SW_MANAGER and minutes.meeting.chair_id == membership.pk


def _invitation_visible(membership: Membership) -> models.Q:
    seen = models.Q(pk__in=invitations_of(membership).values("pk"))
    seen |= models.Q(meeting__chair=membership.pk)
    if membership.role in AUTHORITY_WIDE:
        seen |= models.Q(meeting__authority__in=membership.authority_ids)
    return seen


def _invitation_allows(membership: Membership, action: Action, invitation: Invitation) -> bool:
    # Only the invitee answers: the named person, or anyone acting for an agency invited.
    if action == Action.VIEW:
        return True
    if invitation.person_id is not None:
        return invitation.person_id == membership.user_id
    return invitation.agency_id == membership.agency_id


def _action_visible(membership: Membership) -> models.Q:
    whole = MeetingChild.objects.filter(whole_meeting_children(membership)).values("pk")
    concerning = ActionChild.objects.filter(meeting_child__in=whole).values("action_id")
    return models.Q(owner=membership.user_id) | models.Q(pk__in=concerning)


def _action_allows(membership: Membership, action: Action, meeting_action: MeetingAction) -> bool:
    # Its owner marks it done, or a social work manager of the convening authority.
    if action == Action.VIEW:
        return True
    meeting = meeting_action.minutes.meeting
    return meeting_action.owner_id == membership.user_id or _meeting_allows(
        membership, action, meeting
    )


# Retention (issue 6; domain.md §9): records management is for the authority's administrators,
# and its auditors read it. Nothing here is case work, so nobody else sees it.


def _records_management_visible(authority_path: str) -> Callable[[Membership], models.Q]:
    def visible(membership: Membership) -> models.Q:
        if membership.role in RECORDS_MANAGEMENT:
            return models.Q(**{f"{authority_path}__in": membership.authority_ids})
        return models.Q(pk__in=[])

    return visible


def _records_management_allows(membership: Membership, action: Action, obj: Any) -> bool:
    return action == Action.VIEW or membership.role == Role.ADMINISTRATOR


POLICIES: dict[type[models.Model], Policy] = {
    Child: Policy(
        visible=_child_visible,
        allows=_child_allows,
        children=lambda child: [child.public_id],
    ),
    Concern: Policy(
        visible=_concern_visible,
        allows=_concern_allows,
        children=_concern_children,
    ),
    Referral: Policy(
        visible=_referral_visible,
        allows=_referral_allows,
        children=lambda referral: [referral.child.public_id],
    ),
    AimAssessment: Policy(
        visible=_aim_visible,
        allows=_aim_allows,
        children=lambda assessment: [assessment.child.public_id],
    ),
    StrategyMeeting: Policy(
        visible=_meeting_visible,
        allows=_meeting_allows,
        children=_meeting_children,
    ),
    MeetingChild: Policy(
        visible=_meeting_child_visible,
        allows=_meeting_child_allows,
        children=lambda place: [place.child.public_id],
    ),
    MinutesVersion: Policy(
        visible=_minutes_visible,
        allows=_minutes_allows,
        children=lambda minutes: _meeting_children(minutes.meeting),
    ),
    Invitation: Policy(
        visible=_invitation_visible,
        allows=_invitation_allows,
        children=lambda invitation: _meeting_children(invitation.meeting),
    ),
    MeetingAction: Policy(
        visible=_action_visible,
        allows=_action_allows,
        children=lambda action: [place.child.public_id for place in action.children.all()],
    ),
    RetentionRule: Policy(
        visible=_records_management_visible("authority"),
        allows=_records_management_allows,
        children=lambda rule: [],
    ),
    RetentionRuleChange: Policy(
        visible=_records_management_visible("rule__authority"),
        allows=_records_management_allows,
        children=lambda change: [],
    ),
    RetainedChild: Policy(
        visible=_records_management_visible("authority"),
        allows=_records_management_allows,
        children=lambda child: [child.public_id],
    ),
    LegalHold: Policy(
        visible=_records_management_visible("child__authority"),
        allows=_records_management_allows,
        children=lambda hold: [hold.child.public_id],
    ),
    DisposalReview: Policy(
        visible=_records_management_visible("authority"),
        allows=_records_management_allows,
        children=lambda review: [entry.child_public_id for entry in review.entries.all()],
    ),
    # It names no child, by design; once recorded it is not changed.
    NoNamesConsultation: Policy(
        visible=_consultation_visible,
        allows=lambda membership, action, consultation: action == Action.VIEW,
        children=lambda consultation: [],
    ),
}


def policy_for(model: type[models.Model]) -> Policy:
    try:
        return POLICIES[model]
    except KeyError:
        # Fail closed: a model without a policy is seen by nobody.
        raise PermissionDenied from None
