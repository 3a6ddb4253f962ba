"""A form belongs to the role it was opened in (issue 10, item 5).

Every POST form carries the opaque id of the membership it was shown to, beside its CSRF token:
``{% csrf_token %}`` renders both (``hsb_portal.template_filters``), so no form can leave it
out. ``access.guard`` compares it with the role the person acts in now. A form opened in another
role (changed in another tab, or ended by an administrator) is refused and audited, nothing is
saved, and the person sees the form again with what they typed and an error that says which
role it was opened in. Nobody's role is ever changed for them.

While such a form is shown again, every :class:`RoleBoundForm` is invalid with that error, and
the audit log refuses to record a creation or change (:class:`FormRoleChanged`), so that no
service can file anything under either role.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

if TYPE_CHECKING:
    from hsb_portal.accounts.models import Membership

# The name of the hidden field every POST form carries.
FIELD = "acting_as"
# Fields that say nothing a person typed, left out of "what you typed".
NOT_TYPED = frozenset(
    {"csrfmiddlewaretoken", FIELD, "version", "submission", "matches_checked_for", "next"}
)
CONFLICT = 409


class FormRoleChanged(Exception):
    """A creation or change was tried while a form sent in another role was shown again."""


@dataclass
class Refusal:
    message: str
    shown: bool = False


_refusal: ContextVar[Refusal | None] = ContextVar("form_role_refusal", default=None)


def is_refusing() -> bool:
    return _refusal.get() is not None


@contextmanager
def refusing(message: str) -> Iterator[Refusal]:
    """Show the page again with every form refused for ``message``, saving nothing."""
    refusal = Refusal(message)
    token = _refusal.set(refusal)
    try:
        yield refusal
    finally:
        _refusal.reset(token)


class RoleBoundForm(forms.Form):
    """A form that is invalid while it is shown again after being sent in another role; the
    first form of the page to be checked carries the error, so the summary says it once."""

    def full_clean(self) -> None:
        super().full_clean()
        refusal = _refusal.get()
        if refusal is not None and self.is_bound and not refusal.shown:
            self.add_error(None, refusal.message)
            refusal.shown = True


def describe(membership: "Membership | None") -> str:
    if membership is None:
        return "no role"
    agency = membership.agency.name if membership.agency is not None else "no agency"
    return f"{membership.get_role_display()} at {agency}"


def message_for(opened: "Membership | None", now: "Membership | None") -> str:
    """What the person is told: which role the form was opened in, that nothing was saved, and
    how to send it in the role they choose."""
    if opened is None:
        return (
            "This form was not opened in the role you are acting in now, so nothing was saved. "
            f"You are acting as {describe(now)}. Check the form, then send it again."
        )
    if not opened.is_active:
        then = f"You opened this form as {describe(opened)}, a role that has since ended"
        if now is None:
            return f"{then}, so nothing was saved. Ask your administrator for a role."
        return (
            f"{then}, so nothing was saved. You are now acting as {describe(now)}: check the "
            "form, then send it again to save it in this role."
        )
    return (
        f"You opened this form as {describe(opened)}, but you are now acting as "
        f"{describe(now)}, so nothing was saved. To save it as {describe(opened)}, change role "
        "back, then send it again."
    )


def refused_page(request: HttpRequest, message: str) -> HttpResponse:
    """The page for a form that cannot be shown again in the role the person acts in now: the
    reason, what they typed, and the form to send it again (in the role it belongs to)."""
    typed = [
        (name.replace("-", " ").replace("_", " ").capitalize(), value)
        for name, values in request.POST.lists()
        if name not in NOT_TYPED
        for value in values
        if value.strip()
    ]
    sent = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", FIELD}
        for value in values
    ]
    context = {
        "message": message,
        "typed": typed,
        "sent": sent,
        "action": request.get_full_path(),
        "role_switch_url": reverse("role-switch"),
    }
    return render(request, "form_role_refused.html", context, status=CONFLICT)
