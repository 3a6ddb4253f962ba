import json
import logging
import sys
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hsb_portal import access
from hsb_portal.forms import RoleSwitchForm
from hsb_portal.http import AuthenticatedRequest, MembershipRequest, SignedInRequest, posted
from hsb_portal.middleware import ACTIVE_MEMBERSHIP_KEY, DATABASE_DOWN, unavailable
from hsb_portal.my_work import aim_assessment_sections, sections_for

logger = logging.getLogger(__name__)


@require_GET
@access.guard(needs_role=False)
def home(request: SignedInRequest) -> HttpResponse:
    membership = request.membership
    sections = [*sections_for(membership), *aim_assessment_sections(membership)]
    return render(request, "home/my_work.html", {"sections": sections})


@require_http_methods(["GET", "POST"])
# Choosing the role to act in is about the person's own account: a form opened in one role may
# choose another (hsb_portal/form_roles.py), and an auditor may change role too.
@access.guard(own_account=True)
def role_switch(request: AuthenticatedRequest) -> HttpResponse:
    memberships = request.memberships
    form = RoleSwitchForm(
        posted(request),
        memberships=memberships,
        initial={"membership": str(request.membership.public_id)},
    )
    if form.is_valid():
        request.session[ACTIVE_MEMBERSHIP_KEY] = form.cleaned_data["membership"]
        messages.success(request, "You have changed role")
        return redirect("home")
    return render(request, "home/role_switch.html", {"form": form})


@require_GET
@access.guard(public=True)
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


@require_GET
@access.guard(public=True)
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/privacy.html")


@csrf_exempt
@require_POST
@access.guard(public=True)
def csp_report(request: HttpRequest) -> HttpResponse:
    """Browsers report what the Content-Security-Policy blocked. Only the directive and the
    blocked origin are logged, never the page's address (it may name a record)."""
    try:
        report = json.loads(request.body[:10_000]).get("csp-report", {})
    except (ValueError, AttributeError):
        report = {}
    blocked = str(report.get("blocked-uri", ""))[:100]
    directive = str(report.get("violated-directive", ""))[:100]
    logger.warning("CSP violation: %s blocked %s", directive, blocked.split("?")[0])
    return HttpResponse(status=204)


class SignOutView(LogoutView):
    """Signing out also tells the browser to drop what it kept of the portal (V14.3.1): a
    shared computer keeps no page about a child in its cache."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


def csrf_failure(request: MembershipRequest, reason: str = "") -> HttpResponse:
    """A form sent without its CSRF token, or with one out of date: refused on our own page,
    and audited against the record its address names (Django logs only the reason and path)."""
    try:
        kwargs = resolve(request.path_info).kwargs
    except Resolver404:
        kwargs = {}
    access.audit_refusal(request, kwargs, detail=access.CSRF_REFUSED)
    return render(request, "403_csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; or, when the database cannot be reached, the 503 page, so a user knows
    to try again rather than report a fault. Neither touches the database."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN):
        return unavailable()
    return HttpResponse(render_to_string("500.html"), status=500)
