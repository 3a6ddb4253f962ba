"""Who may reach a page at all: ``guard`` wraps every view, keeps a form to the role it was
opened in, and audits every refusal against the records the address names."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import info
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseBase
from django.utils.html import escape

from hsb_portal import form_roles, limits
from hsb_portal.access.policy import policy_for
from hsb_portal.accounts import two_factor
from hsb_portal.accounts.models import AgencyKind, Membership, Role
from hsb_portal.accounts.roles import (
    ALL_ROLES,
    READ_ONLY,
)
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action
from hsb_portal.http import MembershipRequest
from hsb_portal.middleware import ACTIVE_MEMBERSHIP_KEY
from hsb_portal.retention.models import (
    DisposalReview,
    LegalHold,
    RetentionRule,
    RetentionRuleChange,
)
from referrals.models import NoNamesConsultation, Referral
from strategy.models import (
    AimAssessment,
    Invitation,
    MeetingAction,
    MeetingChild,
    MinutesVersion,
    StrategyMeeting,
)
from triage.models import Child, Concern, ConcernChild

# Base class: class-based views (as_view) and file downloads return other responses.
View = Callable[..., HttpResponseBase]


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
        def wrapped(request: MembershipRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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
            membership = request.membership
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
                    and membership.role in READ_ONLY
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
        wrapped.access_agency_kinds = kinds  # type: ignore[attr-defined]
        return wrapped

    return decorator


def may_use(membership: Membership | None, view: Callable[..., Any]) -> bool:
    """Would the guard let this membership open ``view``? For offering a link to a page, so
    that what a page offers and what the page's guard allows never disagree."""
    if getattr(view, "access_public", False):
        return True
    allowed: frozenset[Role] = getattr(view, "access_roles", frozenset())
    kinds = getattr(view, "access_agency_kinds", None)
    return (
        membership is not None
        and membership.role in allowed
        and (kinds is None or membership.agency.kind in kinds)
    )


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How recent the second factor must be for an export (security.md V7.5.1: 5 minutes).
FRESH_SECOND_FACTOR_SECONDS = 5 * 60


# A form belongs to the role it was opened in (issue 10, item 5; hsb_portal/form_roles.py).


def _opened_in_another_role(
    request: MembershipRequest, membership: Membership | None
) -> str | None:
    """The role a POST form says it was opened in, when that is not the role the person acts
    in now. A post without it (from no page of ours) is taken as sent in the current role."""
    if request.method != "POST":
        return None
    opened = request.POST.get(form_roles.FIELD)
    current = str(membership.public_id) if membership is not None else ""
    return opened if opened is not None and opened != current else None


def _own_membership(request: MembershipRequest, public_id: str) -> Membership | None:
    try:
        wanted = UUID(public_id)
    except ValueError:
        return None
    memberships = Membership.objects.filter(user=request.user.pk, public_id=wanted)
    return memberships.select_related("agency").first()


def _keep_the_role_chosen(
    request: MembershipRequest, membership: Membership | None, *, say_so: bool
) -> None:
    """When the role the person chose has ended, they act in another: never silently."""
    ended = request.chosen_role_ended
    if ended is None or membership is None:
        return
    request.session[ACTIVE_MEMBERSHIP_KEY] = str(membership.public_id)
    if say_so:
        then = form_roles.describe(_own_membership(request, ended))
        now = form_roles.describe(membership)
        info(request, f"Your role as {then} has ended. You are now acting as {now}.")


def _refuse_form_of_another_role(
    request: MembershipRequest,
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
    membership = request.membership
    opened = _own_membership(request, opened_as)
    then = form_roles.describe(opened) if opened is not None else "another role"
    now = form_roles.describe(membership)
    audit_refusal(request, kwargs, detail=f"form opened as {then}, sent as {now}: nothing saved")
    message = form_roles.message_for(opened, membership)
    # The form shown again still belongs to the role it was opened in, while that role lasts.
    still = opened if opened is not None and opened.is_active else None
    request.form_opened_as = still
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


def audit_refusal(request: MembershipRequest, kwargs: dict[str, Any], *, detail: str) -> None:
    """Audit a refusal of the page these URL keywords lead to, against the innermost record
    they name and the children of every one of them."""
    records = records_named(kwargs)
    record(
        request.user,
        Action.REFUSED,
        records[-1] if records else None,
        membership=request.membership,
        children=[child for obj in records for child in _children_of(obj)],
        detail=detail,
    )


def refuse_records_out_of_place(request: MembershipRequest, kwargs: dict[str, Any]) -> None:
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
