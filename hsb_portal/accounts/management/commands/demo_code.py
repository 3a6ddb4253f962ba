from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hsb_portal.accounts import demo
from hsb_portal.accounts.models import User


class Command(BaseCommand):
    help = (
        "Print the security code a demo person's authenticator would show now "
        "(demo people on a DEBUG server only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "email", help=f"a demo person, such as manager@{demo.DEMO_EMAIL_DOMAIN}"
        )

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"There is nobody with the e-mail address {email}")
        try:
            self.stdout.write(demo.current_code(user))
        except demo.NotADemoPerson:
            raise CommandError(
                "Codes are printed only for demo people, and only when DEBUG is on"
            ) from None
