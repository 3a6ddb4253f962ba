"""The service navigation. Each entry names the page it leads to; who sees it is the guard of
that page's view (``access.may_reach``), so that navigation never offers a page the guard
refuses, nor hides one a role may open. Each later feature adds its own entry here."""

from dataclasses import dataclass

from django.urls import reverse

from hsb_portal import access
from hsb_portal.http import MembershipRequest


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str


ENTRIES = (
    NavEntry("My work", "home"),
    NavEntry("Children", "triage:child-list"),
    NavEntry("Concerns", "triage:concern-list"),
    NavEntry("Screening queue", "referrals:screening-queue"),
    NavEntry("Referrals", "referrals:referral-list"),
    NavEntry("Strategy meetings", "meetings:meeting-list"),
    NavEntry("Retention", "retention:report"),
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    is_current: bool


def nav_items(request: MembershipRequest) -> list[NavItem]:
    membership = request.membership
    if membership is None:
        return []
    items = []
    for entry in ENTRIES:
        if access.may_reach(membership, entry.url_name):
            url = reverse(entry.url_name)
            current = request.path == url if url == "/" else request.path.startswith(url)
            items.append(NavItem(entry.label, url, current))
    return items
