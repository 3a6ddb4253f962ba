from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from hsb_portal import access
from hsb_portal.accounts import two_factor
from hsb_portal.accounts.forms import SecondFactorForm, SetUpAuthenticatorForm

RECOVERY_CODES_KEY = "recovery_codes_to_show"


def _next_page(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else "/"


@require_http_methods(["GET", "POST"])
@access.guard(second_factor_step=True)
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not two_factor.has_second_factor(request.user):  # type: ignore[arg-type]
        return redirect("two-factor-setup")
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if two_factor.verify(request, form.cleaned_data["code"]):
            return redirect(_next_page(request))
        form.add_error("code", "The security code is not right, or it has been used already")
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_page(request)}
    )


@require_http_methods(["GET", "POST"])
@access.guard(second_factor_step=True)
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if two_factor.has_second_factor(request.user):  # type: ignore[arg-type]
        # Changing the authenticator is an administrator's reset, not a self-service step.
        return redirect("two-factor")
    device = two_factor.pending_authenticator(request.user)  # type: ignore[arg-type]
    form = SetUpAuthenticatorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        codes = two_factor.confirm_authenticator(request, device, form.cleaned_data["code"].strip())
        if codes is not None:
            request.session[RECOVERY_CODES_KEY] = codes
            return redirect("two-factor-recovery-codes")
        form.add_error("code", "The code is not right. Check the time on your phone and try again")
    context = {
        "form": form,
        "qr_code": two_factor.qr_code_data_uri(device),
        "secret": two_factor.secret_for_typing(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@require_http_methods(["GET"])
@access.guard(needs_role=False)
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    if not codes:
        messages.info(request, "Recovery codes are shown once, when they are made")
        return redirect("home")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})
