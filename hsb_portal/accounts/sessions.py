"""The register of signed-in sessions: each person sees theirs and ends any of them, and an
administrator ends anyone's (security.md V7.4.2, V7.4.3, V7.5.2).

Django's database session is the session itself. Ending one deletes that row, so the browser
holding its cookie is sent to sign in on its next request; the register row stays, marked
ended, as the record of it. The session key is kept only here and in Django's own table:
never in the audit log (``hsb_portal.audit.versions`` leaves it out of snapshots).
"""

import re
import time
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from hsb_portal.accounts.models import SessionEndReason, SignedInSession, User
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

# When "last seen" was last written, kept in the session itself, so that noting activity
# costs a query at most once a minute and never on an ordinary request.
SEEN_AT_KEY = "session_seen_at"
SEEN_EVERY_SECONDS = 60

# Order matters: Edge and Opera also say "Chrome", and Chrome also says "Safari".
BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("CriOS/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str) -> str:
    """A short description a person recognises ("Chrome on Windows"), never the raw string."""
    browser = next((name for marker, name in BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "Unknown browser")


def _address(request: HttpRequest) -> str | None:
    # Only the socket address is trusted, as in the audit log (RequestIdMiddleware).
    address = request.META.get("REMOTE_ADDR") or ""
    return address if re.fullmatch(r"[0-9a-fA-F:.]{2,45}", address) else None


@receiver(user_logged_in)
def register_sign_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Every sign-in starts a register row under the session's key."""
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        # login() flushed a previous person's session: give this one its key now.
        request.session.save()
    SignedInSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip_address": _address(request),
            "browser": describe_browser(request.META.get("HTTP_USER_AGENT", ""))[:60],
        },
    )
    request.session[SEEN_AT_KEY] = time.time()


@receiver(user_logged_out)
def register_sign_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is None or request is None or request.session.session_key is None:
        return
    _mark_ended(
        SignedInSession.objects.filter(session_key=request.session.session_key),
        by=user,
        reason=SessionEndReason.SIGNED_OUT,
    )


def follow_new_key(*, old_key: str | None, new_key: str | None) -> None:
    """The session key changed (a step up in trust, V7.2.4): the register row follows it."""
    if old_key and new_key and old_key != new_key:
        SignedInSession.objects.filter(session_key=old_key, ended_at__isnull=True).update(
            session_key=new_key
        )


def note_activity(request: HttpRequest) -> None:
    """Move "last seen" on, at most once a minute."""
    now = time.time()
    seen_at = request.session.get(SEEN_AT_KEY)
    if seen_at is not None and now - seen_at < SEEN_EVERY_SECONDS:
        return
    request.session[SEEN_AT_KEY] = now
    SignedInSession.objects.filter(
        session_key=request.session.session_key, ended_at__isnull=True
    ).update(last_seen_at=timezone.now())


def note_timed_out(request: HttpRequest) -> None:
    """The 12-hour limit ended the session (V7.3.2): say so, rather than "signed out"."""
    _mark_ended(
        SignedInSession.objects.filter(session_key=request.session.session_key),
        by=None,
        reason=SessionEndReason.TIMED_OUT,
    )


def live_sessions_of(user: User, *, current_key: str | None = None) -> "models.QuerySet[Any]":
    """The person's sessions that could still be used: not ended, their Django session not
    expired or deleted, and within the 12-hour limit; ``is_current`` marks this browser's."""
    now = timezone.now()
    alive = Session.objects.filter(expire_date__gt=now).values("session_key")
    oldest = now - timedelta(seconds=settings.SESSION_ABSOLUTE_LIFETIME)
    return (
        SignedInSession.objects.filter(
            user=user, ended_at__isnull=True, started_at__gt=oldest, session_key__in=alive
        )
        .annotate(
            is_current=models.ExpressionWrapper(
                models.Q(session_key=current_key or ""), output_field=models.BooleanField()
            )
        )
        .order_by("-is_current", "-last_seen_at")
    )


@transaction.atomic
def end_session(session: SignedInSession, *, by: User, reason: SessionEndReason) -> None:
    """End one session: its browser is sent to sign in on its next request. Audited."""
    _end([session], by=by, reason=reason)


@transaction.atomic
def end_sessions_of(
    user: User, *, by: User, reason: SessionEndReason, keep_key: str | None = None
) -> int:
    """End every session of ``user`` but the one under ``keep_key`` (the browser asking, when
    it is theirs). Returns how many were ended."""
    sessions = list(
        SignedInSession.objects.select_for_update()
        .filter(user=user, ended_at__isnull=True)
        .exclude(session_key=keep_key or "")
    )
    _end(sessions, by=by, reason=reason)
    return len(sessions)


def _end(sessions: list[SignedInSession], *, by: User, reason: SessionEndReason) -> None:
    for session in sessions:
        SessionStore(session_key=session.session_key).delete()
    _mark_ended(
        SignedInSession.objects.filter(pk__in=[session.pk for session in sessions]),
        by=by,
        reason=reason,
    )
    for session in sessions:
        # The row's public id names the session; its key is never written to the log.
        record(
            by,
            Action.CHANGE,
            session,
            detail=f"session ended: {reason.label} (user {session.user_id})",
        )


def _mark_ended(
    sessions: "models.QuerySet[SignedInSession]", *, by: User | None, reason: SessionEndReason
) -> None:
    sessions.filter(ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_by=by, end_reason=reason
    )
