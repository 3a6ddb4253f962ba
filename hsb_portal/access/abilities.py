"""What a page may offer: each button or link shown only when the page or the action behind it
would be allowed, answered here from the guards and the policy, never again in a view or a
template (issue 11)."""

import functools
from collections.abc import Callable
from typing import Any

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from hsb_portal.access.guard import may_use
from hsb_portal.access.lookups import allows, may
from hsb_portal.accounts.models import Membership, Role
from hsb_portal.accounts.roles import ALLOCATORS, CONCERN_AUTHORS
from hsb_portal.audit.models import Action
from referrals.models import Referral, ReferralStatus
from strategy.models import AimAssessment
from triage.models import Child, Concern


@functools.cache
def _views_by_name(resolver: URLResolver) -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                found.setdefault(f"{namespace}{pattern.name}", pattern.callback)

    walk(resolver.url_patterns, "")
    return found


def may_reach(membership: Membership | None, url_name: str) -> bool:
    """May this membership open the page named ``url_name``, by the guard of its view?"""
    return may_use(membership, _views_by_name(get_resolver())[url_name])


def _child(membership: Membership, child: Child) -> dict[str, bool]:
    return {
        "can_list_children": may_reach(membership, "triage:child-list"),
        # Auditors read the child's whole case history (issue 6).
        "can_read_case_history": may_reach(membership, "audit:child-history"),
    }


def _concern(membership: Membership, concern: Concern) -> dict[str, bool]:
    return {
        "can_change": allows(membership, Action.CHANGE, concern),
        "can_refer": concern.is_to_be_referred and allows(membership, Action.CREATE, concern),
    }


def _referral(membership: Membership, referral: Referral) -> dict[str, bool]:
    can_change = allows(membership, Action.CHANGE, referral)
    is_referrer = membership.role in CONCERN_AUTHORS
    return {
        "can_change": can_change,
        # A MASH sent a copy because the behaviour happened in its area reads, never screens.
        "is_copy": membership.role == Role.MASH_SCREENER and not can_change,
        # The referring agency sees what it sent and the outcome, not the screening record.
        "is_referrer": is_referrer,
        "show_reasons": not is_referrer,
        "can_screen": can_change and membership.role == Role.MASH_SCREENER,
        "can_allocate": can_change and membership.role in ALLOCATORS,
        # The convening authority's managers start the meeting here; once it is convened,
        # the same link leads to it (strategy.meetings.views.meeting_convene).
        "can_convene": can_change
        and membership.role == Role.SW_MANAGER
        and referral.status == ReferralStatus.STRATEGY_MEETING,
        "can_open_concern": referral.concern is not None
        and may(membership, Action.VIEW, referral.concern),
    }


def _assessment(membership: Membership, assessment: AimAssessment) -> dict[str, bool]:
    earlier = assessment.review_of
    return {
        "can_change": allows(membership, Action.CHANGE, assessment),
        "can_complete": assessment.is_draft and assessment.is_led_by(membership),
        "can_review": assessment.is_completed
        and may_reach(membership, "strategy:aim-assessment-review"),
        "can_open_earlier": earlier is not None and may(membership, Action.VIEW, earlier),
    }


ABILITIES: dict[type[models.Model], Callable[[Membership, Any], dict[str, bool]]] = {
    Child: _child,
    Concern: _concern,
    Referral: _referral,
    AimAssessment: _assessment,
}


def abilities(membership: Membership, record: models.Model) -> dict[str, bool]:
    """What the page about ``record`` may offer this membership, by name (``can_screen``,
    ``is_copy``...), for the page's context. For a record already fetched through
    ``get_or_deny``: it shows or hides, never instead of the check."""
    return ABILITIES[type(record)](membership, record)
