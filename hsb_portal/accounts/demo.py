"""The demo people's second factor. Every demo person has an authenticator whose key is made
from their e-mail address, so a newcomer can sign in to the demo without a phone:
``manage.py demo_code <email>`` prints the code an authenticator app would show.

Nothing here works outside the demo: seed_demo marks its people (``User.is_demo``), and
neither a marked person nor an authenticator with a demo key signs in unless DEBUG is on.
"""

import hashlib
import time

from django.conf import settings
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts import two_factor
from hsb_portal.accounts.models import User

DEMO_EMAIL_DOMAIN = "harbourside.example"


class NotADemoPerson(Exception):
    pass


def may_sign_in(user: User) -> bool:
    """A demo person signs in only to a DEBUG server (``make run``), never to a real one."""
    return bool(settings.DEBUG) or not user.is_demo


def authenticator_allowed(device: TOTPDevice, *, of: User) -> bool:
    """An authenticator with the key this file derives (which anyone can work out) is valid
    only on a DEBUG server, whoever holds it."""
    return bool(settings.DEBUG) or device.key != _demo_key(of.email)


def give_authenticator(user: User) -> TOTPDevice:
    """A confirmed authenticator with the demo key; an existing one is left as it is."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user,
        confirmed=True,
        defaults={"name": two_factor.AUTHENTICATOR, "key": _demo_key(user.email)},
    )
    return device


def current_code(user: User) -> str:
    """The code the demo person's authenticator shows now, or the next one when this one has
    been used (a code is accepted only once, and one step ahead is within the drift allowed)."""
    if not settings.DEBUG or not user.is_demo:
        raise NotADemoPerson(user.email)
    return next_code(TOTPDevice.objects.get(user=user, confirmed=True))


def next_code(device: TOTPDevice) -> str:
    """What an authenticator app shows now, or the next code if this one has been used."""
    # A TOTP code is the HOTP code of the current time step.
    step = max(int(time.time() - device.t0) // device.step, device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def _demo_key(email: str) -> str:
    # 20 bytes, as django-otp makes them, in hex; known to anyone who reads this file, which
    # is why only the demo domain on a DEBUG server ever gets one.
    return hashlib.sha256(f"hsb-portal-demo:{email}".encode()).hexdigest()[:40]
