"""Print an authority's children past retention as CSV, as the report page lists them."""

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action
from hsb_portal.retention import selectors

# A spreadsheet runs a cell starting with one of these as a formula (security.md V1.2.10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = [
    "child",
    "name",
    "record classes",
    "rule",
    "source",
    "retained until",
    "legal hold",
    "disposal review",
]


def escape_cell(value: object) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class Command(BaseCommand):
    help = "Print the children of an authority past their retention date, as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--authority", required=True, help="The authority's code.")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = selectors.authority_named(options["authority"])
        if authority is None:
            raise CommandError(f"No local authority has the code {options['authority']!r}")
        children = list(selectors.children_past_retention([authority.pk]))
        rows = selectors.report_rows(children, selectors.rules_by_authority([authority.pk]))
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            child, retention = row.child, row.retention
            writer.writerow(
                escape_cell(cell)
                for cell in (
                    child.public_id,
                    child.full_name,
                    retention.class_labels,
                    retention.rule.describe(),
                    retention.rule.source,
                    f"{retention.retained_until:%Y-%m-%d}",
                    "yes" if child.is_held else "no",
                    child.open_review or "",
                )
            )
        # Names left the application: an export, audited like any other.
        with transaction.atomic():
            record(
                None,
                Action.EXPORT,
                authority,
                children=[row.child.public_id for row in rows],
                detail=f"retention report as CSV, {len(rows)} children",
                actor_email="manage.py retention_report",
            )
