from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from hsb_portal import access
from hsb_portal.forms import RoleSwitchForm
from hsb_portal.middleware import ACTIVE_MEMBERSHIP_KEY
from hsb_portal.my_work import sections_for


@require_GET
@access.guard(needs_role=False)
def home(request: HttpRequest) -> HttpResponse:
    sections = sections_for(request.membership)  # type: ignore[attr-defined]
    return render(request, "home/my_work.html", {"sections": sections})


@require_http_methods(["GET", "POST"])
@access.guard()
def role_switch(request: HttpRequest) -> HttpResponse:
    memberships = request.memberships  # type: ignore[attr-defined]
    form = RoleSwitchForm(
        request.POST if request.method == "POST" else None,
        memberships=memberships,
        initial={"membership": str(request.membership.public_id)},  # type: ignore[attr-defined]
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
