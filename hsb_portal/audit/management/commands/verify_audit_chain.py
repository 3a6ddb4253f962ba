from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hsb_portal.audit.log import verify_chain


class Command(BaseCommand):
    help = (
        "Check that no audit event was changed, removed or inserted out of order, and that the "
        "newest events are all there."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checked, first_break = verify_chain()
        if first_break is None:
            self.stdout.write(f"The audit chain is intact: {checked} events checked.")
            return
        if not first_break.is_missing_tail:
            where = f"at event {first_break.event_id}"
        elif first_break.event_id is None:
            where = "before its first event: no event is left"
        else:
            where = f"after event {first_break.event_id}"
        raise CommandError(
            f"The audit chain breaks {where}: {first_break.reason}. "
            f"{checked} events before it are intact."
        )
