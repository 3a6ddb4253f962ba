"""A child's case history as CSV and PDF. Every export is audited, naming only that child, with
the format and the filters; so is a PDF that failed (security.md, "When PDF generation fails").
"""

import csv
import io
import uuid

from django.http import HttpResponse

from hsb_portal.accounts.models import Membership, User
from hsb_portal.audit import log as audit
from hsb_portal.audit.chronology import Entry, Filters
from hsb_portal.audit.models import Action
from hsb_portal.documents import DocumentFailed, render_pdf
from triage.models import Child

FILENAME_PREFIX = "case-history"
PDF_TEMPLATE = "audit/case_history_pdf.html"
CSV_HEADER = ["When", "Who", "Role", "Agency", "Action", "Record", "Detail", "Field", "From", "To"]
# A spreadsheet runs a cell starting with one of these as a formula (security.md V1.2.10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """The value, with a leading quote if a spreadsheet would read it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _rows(entries: list[Entry]) -> list[list[str]]:
    # One row per entry; an entry that changed several fields has one row per field.
    rows = []
    for entry in entries:
        common = [
            entry.when.isoformat(timespec="seconds"),
            entry.actor_email,
            entry.role,
            entry.agency,
            entry.action,
            entry.record,
            entry.detail,
        ]
        changes = [[c.field, c.before, c.after] for c in entry.changes] or [["", "", ""]]
        rows += [common + change for change in changes]
    return rows


def _audit_export(
    child: Child, *, by: User, membership: Membership | None, what: str, filters: Filters
) -> None:
    audit.record(
        by,
        Action.EXPORT,
        child,
        membership=membership,
        children=[child.public_id],
        detail=f"{what}; {filters.describe()}",
    )


def case_history_csv(
    *,
    child: Child,
    entries: list[Entry],
    filters: Filters,
    by: User,
    membership: Membership | None,
) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows([csv_cell(cell) for cell in row] for row in _rows(entries))
    _audit_export(child, by=by, membership=membership, what="case history (CSV)", filters=filters)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{FILENAME_PREFIX}-{uuid.uuid4()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def case_history_pdf(
    *,
    child: Child,
    entries: list[Entry],
    filters: Filters,
    by: User,
    membership: Membership | None,
) -> bytes:
    """The PDF bytes; the export is audited, and so is a failure (then ``DocumentFailed``)."""
    try:
        data = render_pdf(
            template_name=PDF_TEMPLATE,
            context={"child": child, "entries": entries, "filters": filters.describe()},
            generated_by=by,
            title=f"Case history of {child.full_name}",
        )
    except DocumentFailed:
        _audit_export(
            child,
            by=by,
            membership=membership,
            what="export_failed: case history (PDF)",
            filters=filters,
        )
        raise
    _audit_export(child, by=by, membership=membership, what="case history (PDF)", filters=filters)
    return data
