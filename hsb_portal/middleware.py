import ipaddress
import re
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


# What nginx's $request_id looks like: 32 hexadecimal digits.
PROXY_REQUEST_ID = re.compile(r"[0-9a-f]{32}")
# Headers only the proxy may set; dropped from any other sender.
PROXY_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_REAL_IP", "HTTP_X_REQUEST_ID")


class TrustedProxyMiddleware:
    """Believe what nginx says about the browser only when nginx is the one saying it.

    Behind the proxy (``BEHIND_PROXY``), a request whose socket address is one of
    ``TRUSTED_PROXY_ADDRESSES`` carries the browser's scheme (X-Forwarded-Proto), address
    (X-Real-IP) and nginx's request id (X-Request-ID), each set by nginx over whatever the browser
    sent. From any other address, or with no proxy configured, those headers are dropped, so
    the socket address is the one the audit log and the sign-in lockout see, and the scheme is
    the connection's own. X-Forwarded-For is never read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = (
            frozenset(settings.TRUSTED_PROXY_ADDRESSES) if settings.BEHIND_PROXY else frozenset()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get("REMOTE_ADDR") in self.trusted:
            browser = request.META.pop("HTTP_X_REAL_IP", "")
            if browser and _is_address(browser):
                request.META["REMOTE_ADDR"] = browser
        else:
            for header in PROXY_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class RequestIdMiddleware:
    """Give each request an id for the audit log and the logs, and record where it came from.

    The id is nginx's when nginx sent one (TrustedProxyMiddleware lets it through only from the
    proxy), so its access log and ours name a request alike. Only the socket address, or the
    address the trusted proxy saw, is believed: a client can write any X-Forwarded-For it likes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: MembershipRequest) -> HttpResponse:
        from_proxy = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = from_proxy if PROXY_REQUEST_ID.fullmatch(from_proxy) else uuid.uuid4().hex
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
