"""The request as our code sees it, and the helpers every view applies to it.

``ActiveMembershipMiddleware`` puts on every request the role the person acts in
(``membership``, None when signed out or with no role) and all their roles. ``access.guard``
lets a request reach a view only once the person is signed in and acting in a role the page
allows, so a guarded view types its request as ``AuthenticatedRequest`` and reads
``request.membership`` as it is, as healthchecks' ``hc/accounts/http.py`` does. The few pages a
person reaches before any role applies (My work with no role, the second-factor steps) take a
``SignedInRequest``; code that may see any request (the policy's refusals, the page chrome)
takes a ``MembershipRequest``.
"""

from typing import TypedDict

from django.http import HttpRequest, QueryDict

from hsb_portal.accounts.models import Membership, User


class MembershipRequest(HttpRequest):
    """Any request once ``ActiveMembershipMiddleware`` has run."""

    membership: Membership | None
    memberships: list[Membership]
    # The role a form sent back was opened in, while the guard shows it again (form_roles.py).
    form_opened_as: Membership | None
    # The role the person had chosen, when it has ended since (the guard says so).
    chosen_role_ended: str | None
    request_id: str


class SignedInRequest(MembershipRequest):
    """A signed-in person, who may act in no role yet."""

    user: User


class AuthenticatedRequest(SignedInRequest):
    """A signed-in person acting in a role the page allows: every guarded view's request."""

    membership: Membership


class Acting(TypedDict):
    by: User
    membership: Membership


def acting(request: AuthenticatedRequest) -> Acting:
    """Who is acting, as every service takes it: the person and the role they act in."""
    return {"by": request.user, "membership": request.membership}


def posted(request: HttpRequest) -> QueryDict | None:
    """The posted data for a form, or None on a GET (an empty POST must still bind)."""
    return request.POST if request.method == "POST" else None
