"""The one access policy: may this person, acting in this role, do this to this record?

Every view is wrapped in ``guard`` (who may reach the page at all) and every record is fetched
through ``get_or_deny`` (may they see it, and do this to it). Lists use ``visible`` so that a
list shows exactly the rows the detail pages would allow. Refusals are audited.

Refusals: **404** when the person has no relationship to the record, so its existence is not
revealed; **403** when they may see it but not do this, or when their role may not use the page.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any, NoReturn, TypeVar
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import info
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.html import escape

from hsb_portal import form_roles, limits, sharing
from hsb_portal.accounts import two_factor
from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action
from hsb_portal.middleware import ACTIVE_MEMBERSHIP_KEY
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
from triage.models.children import is_whole_name

ALL_ROLES = frozenset(Role)
# Read-only roles never reach a state-changing request.
READ_ONLY_ROLES = frozenset({Role.AUDITOR})

M = TypeVar("M", bound=models.Model)
# Base class: class-based views (as_view) and file downloads return other responses.
View = Callable[..., HttpResponseBase]


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
    if membership.role in {Role.MASH_SCREENER, Role.SW_MANAGER, Role.AUDITOR}:
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
    return membership.role in {Role.MASH_SCREENER, Role.SW_MANAGER}


# The roles that file concerns and add children to them (domain.md §1: schools and other
# agencies raise concerns; the DSL is consulted first).
CONCERN_AUTHORS = frozenset({Role.PRACTITIONER, Role.DSL})
CHILD_CREATORS = CONCERN_AUTHORS | {Role.MASH_SCREENER, Role.SW_MANAGER}


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
    if role in {Role.SW_MANAGER, Role.AUDITOR}:
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
    if membership.role in {Role.MASH_SCREENER, Role.SW_MANAGER}:
        return referral.authority_id in membership.authority_ids
    return False


def _consultation_visible(membership: Membership) -> models.Q:
    # 'No names' advice is the MASH's record; the agency that asked may read it back.
    if membership.role in {Role.MASH_SCREENER, Role.AUDITOR}:
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
    if membership.role in {Role.SW_MANAGER, Role.AUDITOR}:
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
    if membership.role in {Role.SW_MANAGER, Role.AUDITOR}:
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
    if membership.role in {Role.SW_MANAGER, Role.AUDITOR}:
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


def get_child_minutes_or_deny(
    request: HttpRequest,
    *,
    meeting: UUID,
    meeting_child: UUID,
    minutes: UUID,
    action: Action = Action.VIEW,
) -> tuple[MeetingChild, MinutesVersion]:
    """One child's minutes in one version, or 404. Those who see everything about the child
    read every version, drafts too; anyone else reads an approved version the chair sent to
    them, in this role. A view is audited here, naming only that child; an export is audited
    by the export.
    """
    membership: Membership | None = getattr(request, "membership", None)
    places = MeetingChild.objects.filter(meeting__public_id=meeting).select_related(
        "child",
        "referral",
        "meeting__authority",
        "meeting__chair__user",
        "meeting__chair__agency",
    )
    place = visible(membership, places).filter(public_id=meeting_child).first()
    version = None
    if place is not None and membership is not None:
        versions = MinutesVersion.objects.filter(meeting=place.meeting_id, public_id=minutes)
        whole = places.filter(pk=place.pk).filter(whole_meeting_children(membership)).exists()
        if not whole:
            shared = _distributions_to(membership).filter(meeting_child=place)
            versions = versions.filter(pk__in=shared.values("minutes_id"))
        version = versions.select_related("approved_by").first()
    if place is None or version is None:
        hidden = place or places.filter(public_id=meeting_child).first()
        record(
            request.user,
            Action.REFUSED,
            hidden,
            membership=membership,
            children=[hidden.child.public_id] if hidden is not None else (),
            detail=f"{action} of minutes not visible",
        )
        raise Http404
    if action == Action.VIEW:
        record(
            request.user,
            Action.VIEW,
            place,
            membership=membership,
            children=[place.child.public_id],
            detail=f"minutes of {place.pseudonym}, version {version.number}",
        )
    return place, version


# Retention (issue 6; domain.md §9): records management is for the authority's administrators,
# and its auditors read it. Nothing here is case work, so nobody else sees it.
RECORDS_MANAGEMENT = frozenset({Role.ADMINISTRATOR, Role.AUDITOR})


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


def guard(
    *,
    roles: Iterable[Role] = ALL_ROLES,
    public: bool = False,
    needs_role: bool = True,
    agency_kinds: Iterable[AgencyKind] | None = None,
    second_factor_step: bool = False,
    fresh_second_factor: bool = False,
    own_account: bool = False,
    rate_limit: limits.Limit | None = None,
) -> Callable[[View], View]:
    """Let a request reach the view only if the person's current role may use this page.

    ``needs_role=False`` lets a signed-in person with no active role reach the page (only
    "My work", which tells them to ask for one). ``agency_kinds`` narrows a page to roles in
    some kinds of agency (only the police send police notifications).
    ``second_factor_step=True`` marks the pages between the password and the second factor:
    a signed-in person reaches them before any role applies. Every other page needs both
    factors (V6.3.3). ``fresh_second_factor=True`` marks an export: it needs a code entered in
    the last few minutes, so a session left open is not enough to take data away (V7.5.3).
    ``own_account=True`` marks a page about the person's own account, not any record (their
    sessions): a read-only role may still post to it, as it may sign out (V7.5.2).
    ``rate_limit`` caps how often one person may use the page (``limits.EXPORTS`` on every
    download, ``limits.SEARCHES`` on searches); above it they get 429 (V2.4.1).

    The roles are kept on the view (``view.access_roles``) so that the access matrix test can
    walk the URL conf and fail on any view that is not guarded.
    """
    allowed = frozenset(roles)
    kinds = frozenset(agency_kinds) if agency_kinds is not None else None

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if public:
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if second_factor_step:
                return view(request, *args, **kwargs)
            if not request.user.is_verified():
                return redirect_to_login(request.get_full_path(), login_url="two-factor")
            if fresh_second_factor and not two_factor.recently_verified(
                request.session, within_seconds=FRESH_SECOND_FACTOR_SECONDS
            ):
                info(request, "Enter a new security code to confirm it is you before exporting")
                return redirect_to_login(request.get_full_path(), login_url="two-factor")
            membership = getattr(request, "membership", None)
            opened_as = None if own_account else _opened_in_another_role(request, membership)
            _keep_the_role_chosen(request, membership, say_so=opened_as is None)
            if membership is None and not needs_role and opened_as is None:
                return view(request, *args, **kwargs)
            refused = (
                membership is None
                or membership.role not in allowed
                or (kinds is not None and membership.agency.kind not in kinds)
                or (
                    request.method not in SAFE_METHODS
                    and membership.role in READ_ONLY_ROLES
                    and not own_account
                )
            )
            if opened_as is not None:
                return _refuse_form_of_another_role(
                    request, view, args, kwargs, opened_as=opened_as, may_use_page=not refused
                )
            if refused:
                audit_refusal(request, kwargs, detail=ROLE_REFUSED)
                raise PermissionDenied
            refuse_records_out_of_place(request, kwargs)
            try:
                if rate_limit is not None:
                    limits.count(request, rate_limit)
                return view(request, *args, **kwargs)
            except limits.RateLimited as over:
                # Over the page's own limit, or a search a form makes (a likely-match look-up).
                return limits.too_many_requests(request, over.limit, over.retry_after)

        wrapped.access_roles = frozenset() if public else allowed  # type: ignore[attr-defined]
        wrapped.access_public = public  # type: ignore[attr-defined]
        wrapped.access_fresh_second_factor = fresh_second_factor  # type: ignore[attr-defined]
        wrapped.access_rate_limit = rate_limit  # type: ignore[attr-defined]
        return wrapped

    return decorator


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How recent the second factor must be for an export (security.md V7.5.1: 5 minutes).
FRESH_SECOND_FACTOR_SECONDS = 5 * 60


# A form belongs to the role it was opened in (issue 10, item 5; hsb_portal/form_roles.py).


def _opened_in_another_role(request: HttpRequest, membership: Membership | None) -> str | None:
    """The role a POST form says it was opened in, when that is not the role the person acts
    in now. A post without it (from no page of ours) is taken as sent in the current role."""
    if request.method != "POST":
        return None
    opened = request.POST.get(form_roles.FIELD)
    current = str(membership.public_id) if membership is not None else ""
    return opened if opened is not None and opened != current else None


def _own_membership(request: HttpRequest, public_id: str) -> Membership | None:
    try:
        wanted = UUID(public_id)
    except ValueError:
        return None
    memberships = Membership.objects.filter(user=request.user.pk, public_id=wanted)
    return memberships.select_related("agency").first()


def _keep_the_role_chosen(
    request: HttpRequest, membership: Membership | None, *, say_so: bool
) -> None:
    """When the role the person chose has ended, they act in another: never silently."""
    ended = getattr(request, "chosen_role_ended", None)
    if ended is None or membership is None:
        return
    request.session[ACTIVE_MEMBERSHIP_KEY] = str(membership.public_id)
    if say_so:
        then = form_roles.describe(_own_membership(request, ended))
        now = form_roles.describe(membership)
        info(request, f"Your role as {then} has ended. You are now acting as {now}.")


def _refuse_form_of_another_role(
    request: HttpRequest,
    view: View,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    opened_as: str,
    may_use_page: bool,
) -> HttpResponseBase:
    """Refuse a form opened in another role, audited, saving nothing; show it again with what
    was typed (the view runs with every form refused), or, when this role may not see that
    page, our own page with what was typed and the form to send again."""
    membership: Membership | None = getattr(request, "membership", None)
    opened = _own_membership(request, opened_as)
    then = form_roles.describe(opened) if opened is not None else "another role"
    now = form_roles.describe(membership)
    audit_refusal(request, kwargs, detail=f"form opened as {then}, sent as {now}: nothing saved")
    message = form_roles.message_for(opened, membership)
    # The form shown again still belongs to the role it was opened in, while that role lasts.
    still = opened if opened is not None and opened.is_active else None
    request.form_opened_as = still  # type: ignore[attr-defined]
    if not may_use_page:
        return form_roles.refused_page(request, message)
    refuse_records_out_of_place(request, kwargs)
    try:
        with form_roles.refusing(message):
            response = view(request, *args, **kwargs)
    except (Http404, PermissionDenied, form_roles.FormRoleChanged, limits.RateLimited):
        return form_roles.refused_page(request, message)
    shown = (
        isinstance(response, HttpResponse)
        and response.status_code == 200
        and escape(message) in response.content.decode()
    )
    if not shown:
        return form_roles.refused_page(request, message)
    response.status_code = form_roles.CONFLICT
    return response


# The records a URL names (issue 10, item 9). Every refusal is audited against the record it
# concerned and the children of every record the URL names, so that the child's case history
# shows it: the guard refusing the role, the CSRF check refusing the form, and a URL that puts
# one case's record under another's. The guard looks the records up only to write the refusal
# (a refusal for the role is 403 whether or not they exist), so nothing is revealed.


@dataclass(frozen=True)
class UrlRecord:
    model: type[models.Model]
    # A record that lies within another the URL names before it: that keyword, and the lookup
    # from this record to that one's opaque id.
    within: tuple[str, str] | None = None


URL_RECORDS: dict[str, UrlRecord] = {
    "child": UrlRecord(Child),
    "concern": UrlRecord(Concern),
    "involvement": UrlRecord(ConcernChild, within=("concern", "concern__public_id")),
    "referral": UrlRecord(Referral),
    "consultation": UrlRecord(NoNamesConsultation),
    "assessment": UrlRecord(AimAssessment),
    "meeting": UrlRecord(StrategyMeeting),
    "invitation": UrlRecord(Invitation, within=("meeting", "meeting__public_id")),
    "action": UrlRecord(MeetingAction, within=("meeting", "minutes__meeting__public_id")),
    "meeting_child": UrlRecord(MeetingChild, within=("meeting", "meeting__public_id")),
    "minutes": UrlRecord(MinutesVersion, within=("meeting", "meeting__public_id")),
    "rule": UrlRecord(RetentionRule),
    "change": UrlRecord(RetentionRuleChange),
    "hold": UrlRecord(LegalHold),
    "review": UrlRecord(DisposalReview),
}
ROLE_REFUSED = "page refused to this role"
OUT_OF_PLACE = "the address puts a record under another it is not part of"
CSRF_REFUSED = "form refused: its security token was missing or out of date"


def _children_of(obj: models.Model) -> Iterable[UUID]:
    if isinstance(obj, ConcernChild):
        return [obj.child.public_id]
    return policy_for(type(obj)).children(obj)


def records_named(kwargs: dict[str, Any]) -> list[models.Model]:
    """The records a URL's keywords name that exist, outermost first."""
    found = []
    for keyword, public_id in kwargs.items():
        spec = URL_RECORDS.get(keyword)
        if spec is not None:
            obj = spec.model._default_manager.filter(public_id=public_id).first()
            if obj is not None:
                found.append(obj)
    return found


def audit_refusal(request: HttpRequest, kwargs: dict[str, Any], *, detail: str) -> None:
    """Audit a refusal of the page these URL keywords lead to, against the innermost record
    they name and the children of every one of them."""
    records = records_named(kwargs)
    record(
        request.user,
        Action.REFUSED,
        records[-1] if records else None,
        membership=getattr(request, "membership", None),
        children=[child for obj in records for child in _children_of(obj)],
        detail=detail,
    )


def refuse_records_out_of_place(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """404 for a URL that puts a record under another it is not part of (one case's action
    under another case's meeting), audited against both, before the view writes anything."""
    for keyword, public_id in kwargs.items():
        spec = URL_RECORDS.get(keyword)
        if spec is None or spec.within is None or spec.within[0] not in kwargs:
            continue
        outer, lookup = spec.within
        rows = spec.model._default_manager.filter(public_id=public_id)
        if not rows.filter(**{lookup: kwargs[outer]}).exists():
            named = list(kwargs)
            up_to_here = {key: kwargs[key] for key in named[: named.index(keyword) + 1]}
            audit_refusal(request, up_to_here, detail=OUT_OF_PLACE)
            raise Http404


def policy_for(model: type[models.Model]) -> Policy:
    try:
        return POLICIES[model]
    except KeyError:
        # Fail closed: a model without a policy is seen by nobody.
        raise PermissionDenied from None


def visible(membership: Membership | None, queryset: "models.QuerySet[M]") -> "models.QuerySet[M]":
    """The rows of ``queryset`` this membership may see."""
    if membership is None:
        return queryset.none()
    return queryset.filter(policy_for(queryset.model).visible(membership))


def may(membership: Membership | None, action: Action, obj: models.Model) -> bool:
    """May this membership do ``action`` to ``obj``? The question every check comes down to."""
    if membership is None:
        return False
    policy = policy_for(type(obj))
    is_visible = visible(membership, type(obj)._default_manager.filter(pk=obj.pk)).exists()
    return is_visible and may_act(membership, action, obj, policy)


def get_or_deny(
    request: HttpRequest,
    queryset: "models.QuerySet[M]",
    public_id: UUID,
    action: Action = Action.VIEW,
) -> M:
    """Fetch a record by its opaque id for ``action``, or refuse: 404 when the person may not
    see it, 403 when they may see it but not do this. A view is audited here, so no page that
    shows a child's details can forget to; so is every refusal."""
    membership: Membership | None = getattr(request, "membership", None)
    policy = policy_for(queryset.model)
    obj = visible(membership, queryset).filter(public_id=public_id).first()
    if obj is None:
        hidden = queryset.model._default_manager.filter(public_id=public_id).first()
        record(
            request.user,
            Action.REFUSED,
            hidden,
            membership=membership,
            children=policy.children(hidden) if hidden is not None else (),
            detail=f"{action} not visible",
        )
        raise Http404
    children = list(policy.children(obj))
    if not may_act(membership, action, obj, policy):
        record(
            request.user,
            Action.REFUSED,
            obj,
            membership=membership,
            children=children,
            detail=f"{action} not allowed",
        )
        raise PermissionDenied
    if action == Action.VIEW or request.method in SAFE_METHODS:
        # A form page shows the record too, so opening it is a view; the change it leads
        # to is audited by the service that makes it.
        record(request.user, Action.VIEW, obj, membership=membership, children=children)
    return obj


def record_view(request: HttpRequest, obj: models.Model) -> None:
    """Audit a page that shows ``obj`` again after a refused or invalid change (a POST that
    re-renders the form), which ``get_or_deny`` did not count as a view."""
    membership: Membership | None = getattr(request, "membership", None)
    children = policy_for(type(obj)).children(obj)
    record(request.user, Action.VIEW, obj, membership=membership, children=children)


def refuse(request: HttpRequest, obj: models.Model, *, detail: str) -> NoReturn:
    """Refuse, with 403, a change to a record the person may see, for a reason the record's
    own rules give (not the policy's); audited like every refusal."""
    membership: Membership | None = getattr(request, "membership", None)
    children = policy_for(type(obj)).children(obj)
    record(
        request.user,
        Action.REFUSED,
        obj,
        membership=membership,
        children=children,
        detail=detail,
    )
    raise PermissionDenied


def allows(membership: Membership | None, action: Action, obj: models.Model) -> bool:
    """For a record already fetched through ``get_or_deny``: may this membership also do
    ``action`` to it? For showing or hiding a button, never instead of ``get_or_deny``."""
    return may_act(membership, action, obj, policy_for(type(obj)))


def may_act(membership: Membership | None, action: Action, obj: Any, policy: Policy) -> bool:
    """For a record already known to be visible: may this membership do ``action`` to it?"""
    if membership is None:
        return False
    if action != Action.VIEW and membership.role in READ_ONLY_ROLES:
        return False
    return policy.allows(membership, action, obj)


def audit_list_view(request: HttpRequest, rows: Iterable[Any], *, kind: str) -> None:
    """A list that names children is a view of each of them: one event naming them all."""
    rows = list(rows)
    if not rows:
        return
    policy = policy_for(type(rows[0]))
    children = [child_id for row in rows for child_id in policy.children(row)]
    record(
        request.user,
        Action.VIEW,
        membership=getattr(request, "membership", None),
        children=children,
        detail=f"list of {kind}",
    )


# Finding a child already on record (issue 10). The duplicate check of every form that adds a
# child is a search like any other: whole names and a date of birth, the children the person
# may see, audited, and counted against the search limit. The MASH and the police must also
# find a child of the authorities they serve whom they may not yet see, so that a referral does
# not start a second record; they are shown only what is needed to choose.


@dataclass(frozen=True)
class LikelyMatch:
    child: Child
    # The person may see the child's record, so may read more than is needed to choose.
    may_see: bool

    def describe(self) -> str:
        child = self.child
        if not self.may_see:
            return (
                f"{child.full_name}, born in {child.date_of_birth:%Y}, living in {child.authority}"
            )
        estimated = " (estimated)" if child.date_of_birth_is_estimated else ""
        school = f", {child.school_or_setting}" if child.school_or_setting else ""
        return (
            f"{child.full_name}, born {child.date_of_birth:%-d %B %Y}{estimated}{school}, "
            f"living in {child.authority}"
        )


def finds_children_it_may_not_see(membership: Membership) -> bool:
    """The MASH and the police, in the authorities they serve."""
    return membership.role == Role.MASH_SCREENER or membership.agency.kind == AgencyKind.POLICE


def likely_matches(
    request: HttpRequest,
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    authority_ids: Iterable[int] | None = None,
) -> list[LikelyMatch]:
    """The children already recorded who may be the one being added: born that day, with a
    similar name (``Child.resembles``), in these authorities if given, and within what this
    person may find. One query; one audit event naming every child shown.

    Callers check the names first (``is_whole_name``): this answers nothing to an initial."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None or not (is_whole_name(given_name) and is_whole_name(family_name)):
        return []
    limits.count(request, limits.SEARCHES)
    may_see = _child_visible(membership)
    findable = may_see
    if finds_children_it_may_not_see(membership):
        findable |= models.Q(authority__in=membership.authority_ids)
    candidates = Child.objects.filter(findable, date_of_birth=date_of_birth)
    if authority_ids is not None:
        candidates = candidates.filter(authority__in=list(authority_ids))
    candidates = candidates.annotate(
        may_see=models.Case(
            models.When(may_see, then=models.Value(True)), default=models.Value(False)
        )
    ).select_related("authority")
    matches = [
        LikelyMatch(child, may_see=child.may_see)
        for child in candidates.order_by("family_name", "given_name", "pk")
        if child.resembles(given_name=given_name, family_name=family_name)
    ]
    record(
        request.user,
        Action.VIEW,
        membership=membership,
        children=[match.child.public_id for match in matches],
        detail=f"search: likely matches for a child being added, {len(matches)} shown",
    )
    return matches


def acting(request: HttpRequest) -> dict[str, Any]:
    """Who is acting, as every service takes it: the person and the role they act in."""
    return {"by": request.user, "membership": getattr(request, "membership", None)}


def posted(request: HttpRequest) -> Any:
    """The posted data for a form, or None on a GET (an empty POST must still bind)."""
    return request.POST if request.method == "POST" else None


def render_form_page(
    request: HttpRequest, template: str, shown: models.Model, context: dict[str, Any]
) -> HttpResponse:
    """Render a record's form page. A POST that comes back with errors shows the record
    again, so it is audited as a view (``get_or_deny`` audits only the GET)."""
    if request.method == "POST":
        record_view(request, shown)
    return render(request, template, context)
