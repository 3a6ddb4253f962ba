from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hsb_portal import access
from hsb_portal.accounts.models import Role
from triage.models import Child
from triage.selectors import children_for

PAGE_SIZE = 25
CHILD_READERS = {Role.MASH_SCREENER, Role.SW_MANAGER, Role.AUDITOR}


@require_GET
@access.guard(roles=CHILD_READERS)
def child_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(children_for(request.membership), PAGE_SIZE).get_page(  # type: ignore[attr-defined]
        request.GET.get("page")
    )
    access.audit_list_view(request, page.object_list, kind="children")
    return render(request, "triage/child_list.html", {"page": page})


@require_GET
@access.guard(roles=CHILD_READERS)
def child_detail(request: HttpRequest, child: UUID) -> HttpResponse:
    record = access.get_or_deny(
        request, Child.objects.select_related("authority").prefetch_related("household"), child
    )
    return render(request, "triage/child_detail.html", {"child": record})
