"""The audit log's months (PostgreSQL): make the next ones ahead and list them."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hsb_portal.audit import partitions


class Command(BaseCommand):
    help = (
        "Make the audit log's partitions for this month and the next months (PostgreSQL), and "
        "list the months it has. The retention job (dispose_records) does the same each night."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ahead", type=int, default=partitions.MONTHS_AHEAD)

    def handle(self, *args: Any, ahead: int = partitions.MONTHS_AHEAD, **options: Any) -> None:
        if not partitions.is_partitioned():
            self.stdout.write("The audit log is one table on this database: nothing to do.")
            return
        for month in partitions.create_ahead(ahead=ahead):
            self.stdout.write(f"made {month.suffix}")
        months = partitions.months()
        self.stdout.write(
            f"{len(months)} months, {months[0].suffix} to {months[-1].suffix}, and a default "
            "partition"
            if months
            else "no months yet, only the default partition"
        )
