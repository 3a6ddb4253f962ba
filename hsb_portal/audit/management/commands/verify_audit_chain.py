from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hsb_portal.audit.log import verify_chain


class Command(BaseCommand):
    help = (
        "Check that no audit event was changed, removed or inserted out of order, and that the "
        "newest events are all there. Checks from the last verified point unless --full."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="check every event, not only those after the last verified point",
        )

    def handle(self, *args: Any, full: bool = False, **options: Any) -> None:
        checked, first_break = verify_chain(full=full)
        if first_break is None:
            since = "from the start of the log" if full else "since the last verified point"
            self.stdout.write(
                f"The audit chain is intact: {checked} events checked. "
                f"Checked {since}; --full checks every event."
            )
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
