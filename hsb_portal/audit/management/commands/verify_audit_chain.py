from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hsb_portal.audit.log import verify_chain


class Command(BaseCommand):
    help = "Check that no audit event was changed, removed or inserted out of order."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, first_break = verify_chain()
        if first_break is not None:
            raise CommandError(
                f"The audit chain breaks at event {first_break.event_id}: {first_break.reason}. "
                f"{checked} events before it are intact."
            )
        self.stdout.write(f"The audit chain is intact: {checked} events checked.")
