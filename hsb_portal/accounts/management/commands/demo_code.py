"""Print the current security code of a demo person, for trying the demo without a phone.

Refuses unless DEBUG is on and the person is one of seed_demo's: never a way round the second
factor of a real account.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp

from hsb_portal.accounts import two_factor
from hsb_portal.accounts.management.commands.seed_demo import DEMO_EMAIL_DOMAIN
from hsb_portal.accounts.models import User


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo person (DEBUG only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_code works only on a development machine (DEBUG on)")
        if not email.lower().endswith(f"@{DEMO_EMAIL_DOMAIN}"):
            raise CommandError(f"Only demo people (@{DEMO_EMAIL_DOMAIN}) have printable codes")
        user = User.objects.filter(email__iexact=email).first()
        device = two_factor.authenticator_of(user) if user else None
        if device is None:
            raise CommandError(f"{email} has no authenticator: run seed_demo first")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:06d}")
