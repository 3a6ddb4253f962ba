"""What later stages show on triage's pages: a child's referrals on the child's page, the
referrals made from a concern on the concern's page.

Triage is the first stage and imports none after it (the layers in README.md); a later app
adds its part here when it starts (``referrals/apps.py``), as the style guide allows to join
apps that must not know each other."""

from collections.abc import Callable
from typing import Any

from hsb_portal.accounts.models import Membership
from triage.models import Child, Concern

ChildPart = Callable[[Child, Membership], dict[str, Any]]
ConcernPart = Callable[[Concern, Membership], dict[str, Any]]

CHILD_PAGE: list[ChildPart] = []
CONCERN_PAGE: list[ConcernPart] = []


def on_child_page(child: Child, membership: Membership) -> dict[str, Any]:
    """The context the later stages add to a child's page."""
    return {key: value for part in CHILD_PAGE for key, value in part(child, membership).items()}


def on_concern_page(concern: Concern, membership: Membership) -> dict[str, Any]:
    """The context the later stages add to a concern's page."""
    return {key: value for part in CONCERN_PAGE for key, value in part(concern, membership).items()}
