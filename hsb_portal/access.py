"""The one access policy: may this person, acting in this role, do this to this record?

Every view is wrapped in ``guard`` (who may reach the page at all) and every record is fetched
through ``get_or_deny`` (may they see it, and do this to it). Lists use ``visible`` so that a
list shows exactly the rows the detail pages would allow. Refusals are audited.

Refusals: **404** when the person has no relationship to the record, so its existence is not
revealed; **403** when they may see it but not do this, or when their role may not use the page.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

from hsb_portal import sharing
from hsb_portal.accounts.models import Agency, LocalAuthority, Membership, Role
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action
from triage.models import Child, Concern, ConcernChild, ConcernStatus

ALL_ROLES = frozenset(Role)
# Read-only roles never reach a state-changing request.
READ_ONLY_ROLES = frozenset({Role.AUDITOR})

M = TypeVar("M", bound=models.Model)
View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Policy:
    """The rows a membership may see, and what it may do to a row it can see."""

    visible: Callable[[Membership], models.Q]
    allows: Callable[[Membership, Action, Any], bool]
    children: Callable[[Any], Iterable[UUID]]


def _child_visible(membership: Membership) -> models.Q:
    # The authority's front door, its managers and its auditors see the children who live
    # there. A practitioner or DSL sees the children named in the concerns they may see.
    # Anyone sees a child record shared with their agency.
    shared = sharing.shared_with(membership, Child)
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
    # concern until it is referred (issue 4 adds referral visibility).
    if membership.role == Role.PRACTITIONER:
        return models.Q(reported_by=membership.user_id, reporting_agency=membership.agency_id)
    if membership.role == Role.DSL:
        return models.Q(reporting_agency=membership.agency_id)
    if membership.role == Role.AUDITOR:
        serving = Agency.objects.filter(authorities__in=membership.authority_ids)
        return models.Q(reporting_agency__in=serving.values("pk"))
    return models.Q(pk__in=[])


def _concern_allows(membership: Membership, action: Action, concern: Concern) -> bool:
    # A draft is its author's; once sent, it is the DSL's to add to and decide; once decided,
    # it is closed to changes here.
    if action == Action.VIEW:
        return True
    if concern.status == ConcernStatus.DRAFT:
        return membership.role in CONCERN_AUTHORS and concern.reported_by_id == membership.user_id
    if concern.status == ConcernStatus.AWAITING_REVIEW:
        return membership.role == Role.DSL
    return False


def _concern_children(concern: Concern) -> list[UUID]:
    return [involvement.child.public_id for involvement in concern.involvements.all()]


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
}


def guard(
    *, roles: Iterable[Role] = ALL_ROLES, public: bool = False, needs_role: bool = True
) -> Callable[[View], View]:
    """Let a request reach the view only if the person's current role may use this page.

    ``needs_role=False`` lets a signed-in person with no active role reach the page (only
    "My work", which tells them to ask for one).

    The roles are kept on the view (``view.access_roles``) so that the access matrix test can
    walk the URL conf and fail on any view that is not guarded.
    """
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if public:
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None and not needs_role:
                return view(request, *args, **kwargs)
            refused = (
                membership is None
                or membership.role not in allowed
                or (request.method not in SAFE_METHODS and membership.role in READ_ONLY_ROLES)
            )
            if refused:
                record(request.user, Action.REFUSED, membership=membership, detail="role")
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_roles = frozenset() if public else allowed  # type: ignore[attr-defined]
        wrapped.access_public = public  # type: ignore[attr-defined]
        return wrapped

    return decorator


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
