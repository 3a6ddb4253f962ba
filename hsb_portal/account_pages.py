"""The pages of a person's own account: the second factor, their sessions, a password reset.

They sit beside the project's other pages rather than in ``accounts``, which is part of the
kernel: every page goes through ``access.guard``, and the guard knows every record kind."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hsb_portal import access
from hsb_portal.accounts import sessions, two_factor
from hsb_portal.accounts.forms import SecondFactorForm, SetUpAuthenticatorForm
from hsb_portal.accounts.models import SessionEndReason
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action
from hsb_portal.http import SignedInRequest, posted

RECOVERY_CODES_KEY = "recovery_codes_to_show"


def _next_page(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else "/"


@require_http_methods(["GET", "POST"])
@access.guard(second_factor_step=True)
def two_factor_verify(request: SignedInRequest) -> HttpResponse:
    if not two_factor.has_second_factor(request.user):
        return redirect("two-factor-setup")
    form = SecondFactorForm(posted(request))
    if form.is_valid():
        if two_factor.verify(request, form.cleaned_data["code"]):
            return redirect(_next_page(request))
        form.add_error("code", "The security code is not right, or it has been used already")
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_page(request)}
    )


@require_http_methods(["GET", "POST"])
@access.guard(second_factor_step=True)
def two_factor_setup(request: SignedInRequest) -> HttpResponse:
    if two_factor.has_second_factor(request.user):
        # Changing the authenticator is an administrator's reset, not a self-service step.
        return redirect("two-factor")
    device = two_factor.pending_authenticator(request.user)
    form = SetUpAuthenticatorForm(posted(request))
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
def two_factor_recovery_codes(request: SignedInRequest) -> HttpResponse:
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    if not codes:
        messages.info(request, "Recovery codes are shown once, when they are made")
        return redirect("home")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@require_GET
@access.guard(needs_role=False, own_account=True)
def session_list(request: SignedInRequest) -> HttpResponse:
    live = sessions.live_sessions_of(request.user, current_key=request.session.session_key)
    return render(request, "accounts/session_list.html", {"sessions": live})


@require_POST
@access.guard(needs_role=False, own_account=True)
def session_end(request: SignedInRequest, session: UUID) -> HttpResponse:
    # Only another live session of one's own: this one ends by signing out.
    live = sessions.live_sessions_of(request.user).exclude(session_key=request.session.session_key)
    ended = live.filter(public_id=session).first()
    if ended is None:
        record(request.user, Action.REFUSED, detail="end session: not one of yours")
        raise Http404
    sessions.end_session(ended, by=request.user, reason=SessionEndReason.ENDED_BY_PERSON)
    messages.success(request, f"You have signed out of {ended.browser or 'that session'}")
    return redirect("sessions")


@require_POST
@access.guard(needs_role=False, own_account=True)
def sessions_end_others(request: SignedInRequest) -> HttpResponse:
    count = sessions.end_sessions_of(
        request.user,
        by=request.user,
        reason=SessionEndReason.ENDED_BY_PERSON,
        keep_key=request.session.session_key,
    )
    messages.success(
        request, f"You have signed out of {count} other session{'' if count == 1 else 's'}"
    )
    return redirect("sessions")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password ends every session of that person (V7.4.3). Django's session
    hash already refuses them on their next request; ending them also deletes the sessions
    and closes their rows in the register, so "Your sessions" never lists them."""

    @transaction.atomic
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        sessions.end_sessions_of(form.user, by=form.user, reason=SessionEndReason.PASSWORD_CHANGED)
        return response
