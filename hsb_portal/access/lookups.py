"""Fetching and listing records through the policy: ``get_or_deny``, ``visible``, ``allows``,
the audited refusals and views, and the likely-match search for a child already on record."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn, TypeVar
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import render

from hsb_portal import limits
from hsb_portal.access.guard import SAFE_METHODS
from hsb_portal.access.policy import (
    Policy,
    _child_visible,
    _distributions_to,
    policy_for,
    whole_meeting_children,
)
from hsb_portal.accounts.models import AgencyKind, Membership, Role
from hsb_portal.accounts.roles import (
    READ_ONLY,
)
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action
from hsb_portal.http import MembershipRequest
from strategy.models import (
    MeetingChild,
    MinutesVersion,
)
from triage.models import Child
from triage.models.children import is_whole_name

M = TypeVar("M", bound=models.Model)


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
    request: MembershipRequest,
    queryset: "models.QuerySet[M]",
    public_id: UUID,
    action: Action = Action.VIEW,
) -> M:
    """Fetch a record by its opaque id for ``action``, or refuse: 404 when the person may not
    see it, 403 when they may see it but not do this. A view is audited here, so no page that
    shows a child's details can forget to; so is every refusal."""
    membership = request.membership
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


def record_view(request: MembershipRequest, obj: models.Model) -> None:
    """Audit a page that shows ``obj`` again after a refused or invalid change (a POST that
    re-renders the form), which ``get_or_deny`` did not count as a view."""
    membership = request.membership
    children = policy_for(type(obj)).children(obj)
    record(request.user, Action.VIEW, obj, membership=membership, children=children)


def refuse(request: MembershipRequest, obj: models.Model, *, detail: str) -> NoReturn:
    """Refuse, with 403, a change to a record the person may see, for a reason the record's
    own rules give (not the policy's); audited like every refusal."""
    membership = request.membership
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
    if action != Action.VIEW and membership.role in READ_ONLY:
        return False
    return policy.allows(membership, action, obj)


def audit_list_view(request: MembershipRequest, rows: Iterable[Any], *, kind: str) -> None:
    """A list that names children is a view of each of them: one event naming them all."""
    rows = list(rows)
    if not rows:
        return
    policy = policy_for(type(rows[0]))
    children = [child_id for row in rows for child_id in policy.children(row)]
    record(
        request.user,
        Action.VIEW,
        membership=request.membership,
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
    request: MembershipRequest,
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
    membership = request.membership
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


def get_child_minutes_or_deny(
    request: MembershipRequest,
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
    membership = request.membership
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


def render_form_page(
    request: MembershipRequest, template: str, shown: models.Model, context: dict[str, Any]
) -> HttpResponse:
    """Render a record's form page. A POST that comes back with errors shows the record
    again, so it is audited as a view (``get_or_deny`` audits only the GET)."""
    if request.method == "POST":
        record_view(request, shown)
    return render(request, template, context)
