import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string

from hsb_portal.accounts import sessions
from hsb_portal.accounts.models import Membership, User
from hsb_portal.audit.context import RequestContext, current
from hsb_portal.http import MembershipRequest

ACTIVE_MEMBERSHIP_KEY = "active_membership"
# The database cannot be reached, or (SQLite) stayed locked past the busy timeout.
DATABASE_DOWN = (OperationalError, InterfaceError)


class RequestIdMiddleware:
    """Give each request an id for the audit log, and record where it came from.

    Only the socket address is trusted: a client can write any X-Forwarded-For it likes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: MembershipRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id
        token = current.set(
            RequestContext(
                request_id=request_id,
                ip_address=request.META.get("REMOTE_ADDR") or None,
                path=request.path,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response["X-Request-ID"] = request_id
        return response


def memberships_of(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, is_active=True, agency__isnull=False)
        .select_related("agency")
        .prefetch_related("agency__authorities")
        .order_by("pk")
    )


class ActiveMembershipMiddleware:
    """Attach the role the person is acting in (``request.membership``).

    Like a smartcard role, a person with several roles acts in one at a time, so what they see
    and what the audit log says they were is never a union of everything they could be.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: MembershipRequest) -> HttpResponse:
        request.membership = None
        request.memberships = []
        request.form_opened_as = None
        request.chosen_role_ended = None
        if request.user.is_authenticated:
            memberships = memberships_of(request.user)
            chosen = request.session.get(ACTIVE_MEMBERSHIP_KEY)
            active = next((m for m in memberships if str(m.public_id) == chosen), None)
            if chosen is not None and active is None and memberships:
                # The role chosen has ended: access.guard says so, and which role applies now.
                request.chosen_role_ended = chosen
            request.memberships = memberships
            request.membership = active or (memberships[0] if memberships else None)
        return self.get_response(request)


class KnownMethodsMiddleware:
    """Answer 405 to every method the portal has no use for (TRACE, PUT, DELETE, OPTIONS…),
    before any view sees it (V13.4.2)."""

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(self.ALLOWED)
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages about children must not be kept in a shared or back-button cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response


SESSION_STARTED_KEY = "session_started_at"


class SessionLifetimeMiddleware:
    """End a session 12 hours after sign-in, however active it has been; the 30-minute idle
    limit is the session cookie's own age."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED_KEY, time.time())
            if time.time() - started > settings.SESSION_ABSOLUTE_LIFETIME:
                sessions.note_timed_out(request)
                logout(request)
                return redirect_to_login(request.get_full_path())
            # The register's "last seen", written at most once a minute (no query otherwise).
            sessions.note_activity(request)
        return self.get_response(request)


def unavailable() -> HttpResponse:
    """The styled 503 page, so a person knows to try again rather than report a fault. It
    touches neither the session nor the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """Answer a database that is down or locked with the 503 page, whether DEBUG is on (as
    `make run` serves the embedded database) or off; ``views.server_error`` does the same for
    what fails outside a view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return unavailable() if isinstance(exception, DATABASE_DOWN) else None
