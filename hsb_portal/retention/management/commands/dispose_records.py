"""The scheduled disposal job: carry out the approved disposal reviews."""

from typing import Any

from django.core.management.base import BaseCommand

from hsb_portal.retention.disposal import dispose_records


class Command(BaseCommand):
    help = (
        "Erase the children of approved disposal reviews who are still past retention and not "
        "held, one transaction each, and log each erasure as metadata only."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = dispose_records()
        # Opaque ids only: never a child's name in a log or a scheduler's mail.
        for child_id in run.erased:
            self.stdout.write(f"erased {child_id}")
        for child_id, outcome in run.kept:
            self.stdout.write(f"kept {child_id}: {outcome}")
        for month, events in run.audit_months:
            self.stdout.write(f"audit log month {month:%Y-%m} dropped: {events} events")
        self.stdout.write(
            f"{len(run.erased)} erased, {len(run.kept)} kept, {len(run.reviews)} reviews done"
        )
