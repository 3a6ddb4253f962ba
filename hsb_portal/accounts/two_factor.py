"""The second factor: a time-based code from an authenticator app, or a one-off recovery code.

Every role signs in with both (security.md, V6.3.3). django-otp keeps the devices; this module
holds the steps of the procedure so that views stay thin.
"""

import base64
import secrets
import time
from typing import cast

import segno
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts import demo, sessions
from hsb_portal.accounts.models import SessionEndReason, User
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action

VERIFIED_AT_KEY = "otp_verified_at"
RECOVERY_CODES = 10
AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"
ISSUER = "HSB Portal"


def authenticator_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator the person is setting up: the same one until they confirm it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for an app that cannot scan the QR code."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, inline, so nothing leaves our own host."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5)


@transaction.atomic
def confirm_authenticator(request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a new authenticator with a code from it. Returns the recovery codes (shown once)
    or None when the code is wrong."""
    if not demo.may_sign_in(device.user) or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(device.user)
    _mark_verified(request, device)
    record(device.user, Action.CHANGE, detail="second factor set up")
    return codes


def verify(request: HttpRequest, code: str) -> bool:
    """Check a code from the authenticator, or a recovery code, and mark the session verified.

    django-otp refuses a code already used (replay) and slows down repeated failures."""
    # The second-factor page is guarded: only a person signed in with a password reaches it.
    user = cast(User, request.user)
    cleaned = code.replace(" ", "").strip()
    with transaction.atomic():
        # No demo person, and no authenticator with a demo key, passes on a real server.
        if demo.may_sign_in(user):
            device = (
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
            if (
                device is not None
                and demo.authenticator_allowed(device, of=user)
                and cleaned.isdigit()
                and device.verify_token(cleaned)
            ):
                _mark_verified(request, device)
                return True
            recovery = (
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
            if recovery is not None and recovery.verify_token(cleaned.lower()):
                _mark_verified(request, recovery)
                record(user, Action.LOG_IN, detail="signed in with a recovery code")
                return True
    record(None, Action.LOG_IN_FAILED, actor_email=user.email, detail="wrong second-factor code")
    return False


@transaction.atomic
def reset(user: User, *, by: User) -> None:
    """An administrator's reset after a lost phone: the person's authenticator and recovery
    codes go, and they set up a new authenticator at next sign-in. Every session of theirs
    ends (V7.4.3): whoever holds the lost phone may hold a signed-in browser too."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(by, Action.CHANGE, detail=f"two-factor sign-in reset for user {user.pk}")
    sessions.end_sessions_of(user, by=by, reason=SessionEndReason.SECOND_FACTOR_RESET)


def recently_verified(session: SessionBase, *, within_seconds: int) -> bool:
    verified_at = session.get(VERIFIED_AT_KEY)
    return verified_at is not None and time.time() - verified_at <= within_seconds


def _mark_verified(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    # A new session key at each step up in trust, so a key seen earlier is worth nothing.
    old_key = request.session.session_key
    request.session.cycle_key()
    sessions.follow_new_key(old_key=old_key, new_key=request.session.session_key)
    otp_login(request, device)
    request.session[VERIFIED_AT_KEY] = time.time()


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


__all__ = [
    "DEVICE_ID_SESSION_KEY",
    "VERIFIED_AT_KEY",
    "authenticator_of",
    "confirm_authenticator",
    "has_second_factor",
    "pending_authenticator",
    "qr_code_data_uri",
    "recently_verified",
    "reset",
    "secret_for_typing",
    "verify",
]
