"""The auditor's case history of a child: on screen, and as CSV or PDF (issue 6, item 1).

Each view: method guard, role guard (auditors only), the child through the access policy (which
audits the view, or the refusal), the filters, then the chronology selector.
"""

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from hsb_portal import access, limits
from hsb_portal.accounts import roles
from hsb_portal.audit import chronology, exports
from hsb_portal.audit.forms import HistoryFilterForm
from hsb_portal.audit.models import Action
from hsb_portal.db_router import replica_reads
from hsb_portal.documents import EXPORT_FAILED_MESSAGE, DocumentFailed, pdf_response
from hsb_portal.http import AuthenticatedRequest
from triage.models import Child

PAGE_SIZE = 50


def _child(request: AuthenticatedRequest, child: UUID) -> Child:
    return access.get_or_deny(
        request, Child.objects.select_related("authority"), child, Action.VIEW
    )


def _filter_query(request: AuthenticatedRequest) -> str:
    pairs = [(key, value) for key, values in request.GET.lists() for value in values]
    return urlencode([(key, value) for key, value in pairs if key != "page"])


def _to_page(request: AuthenticatedRequest, record: Child) -> HttpResponse:
    response = redirect("audit:child-history", child=record.public_id)
    query = _filter_query(request)
    response["Location"] += f"?{query}" if query else ""
    return response


@require_GET
@access.guard(roles=roles.AUDITORS)
def child_history(request: AuthenticatedRequest, child: UUID) -> HttpResponse:
    record = _child(request, child)
    form = HistoryFilterForm(request.GET)
    page = None
    if form.is_valid():
        events = chronology.events_for_child(record.public_id, form.filters())
        paginator = Paginator(chronology.with_versions(events), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    context = {
        "child": record,
        "form": form,
        "page": page,
        "entries": chronology.entries(page.object_list) if page is not None else [],
        "query": _filter_query(request),
    }
    return render(request, "audit/child_history.html", context)


def _export_entries(
    request: AuthenticatedRequest, child: UUID
) -> tuple[Child, HistoryFilterForm, list[chronology.Entry]]:
    record = _child(request, child)
    form = HistoryFilterForm(request.GET)
    if not form.is_valid():
        return record, form, []
    # The access decision above reads the primary; the history itself is a report.
    with replica_reads():
        events = chronology.events_for_child(record.public_id, form.filters())
        return record, form, chronology.entries(chronology.with_versions(events))


@require_GET
@access.guard(roles=roles.AUDITORS, fresh_second_factor=True, rate_limit=limits.EXPORTS)
def child_history_csv(request: AuthenticatedRequest, child: UUID) -> HttpResponse:
    record, form, entries = _export_entries(request, child)
    if form.errors:
        # Back to the page, which shows what to put right; nothing was exported.
        return _to_page(request, record)
    return exports.case_history_csv(
        child=record,
        entries=entries,
        filters=form.filters(),
        by=request.user,
        membership=request.membership,
    )


@require_GET
@access.guard(roles=roles.AUDITORS, fresh_second_factor=True, rate_limit=limits.EXPORTS)
def child_history_pdf(request: AuthenticatedRequest, child: UUID) -> HttpResponse:
    record, form, entries = _export_entries(request, child)
    if form.errors:
        return _to_page(request, record)
    try:
        data = exports.case_history_pdf(
            child=record,
            entries=entries,
            filters=form.filters(),
            by=request.user,
            membership=request.membership,
        )
    except DocumentFailed:
        messages.error(request, EXPORT_FAILED_MESSAGE)
        return _to_page(request, record)
    return pdf_response(data, filename_prefix=exports.FILENAME_PREFIX)
