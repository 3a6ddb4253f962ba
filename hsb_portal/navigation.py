"""The service navigation, by role. Each later feature adds its own entry here."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from hsb_portal.accounts.models import Role


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset[Role]


ENTRIES = (
    NavEntry("My work", "home", frozenset(Role)),
    NavEntry(
        "Children",
        "triage:child-list",
        frozenset({Role.MASH_SCREENER, Role.SW_MANAGER, Role.AUDITOR}),
    ),
    NavEntry(
        "Concerns",
        "triage:concern-list",
        frozenset({Role.PRACTITIONER, Role.DSL, Role.AUDITOR}),
    ),
    NavEntry("Screening queue", "referrals:screening-queue", frozenset({Role.MASH_SCREENER})),
    NavEntry(
        "Referrals",
        "referrals:referral-list",
        frozenset({Role.PRACTITIONER, Role.DSL, Role.SOCIAL_WORKER, Role.SW_MANAGER, Role.AUDITOR}),
    ),
    NavEntry(
        "Strategy meetings",
        "meetings:meeting-list",
        frozenset({Role.SOCIAL_WORKER, Role.SW_MANAGER, Role.AUDITOR}),
    ),
    NavEntry("Retention", "retention:report", frozenset({Role.ADMINISTRATOR, Role.AUDITOR})),
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    is_current: bool


def nav_items(request: HttpRequest) -> list[NavItem]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    items = []
    for entry in ENTRIES:
        if membership.role in entry.roles:
            url = reverse(entry.url_name)
            current = request.path == url if url == "/" else request.path.startswith(url)
            items.append(NavItem(entry.label, url, current))
    return items
