"""One way to make a create form safe to send twice (security.md §5, double submit).

The form carries a one-time token (:class:`OneTimeForm`); the service that creates the record
wraps its work in :func:`once`, which stores the token with what was created in the service's
own transaction. A second send of the same token creates nothing and raises
:class:`AlreadySubmitted`, and the view sends its author to what the first send created.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, QueryDict

from hsb_portal.accounts.models import User
from hsb_portal.form_roles import RoleBoundForm
from hsb_portal.submissions.models import SubmittedForm

EXPIRED = "This form has expired, try again"
SENT_BY_SOMEONE_ELSE = "This form has already been sent by someone else. Try again"
ALREADY_SENT = "You had already sent this form, so nothing new was saved. This is what it saved."


class AlreadySubmitted(Exception):
    """The token was used before: ``earlier`` says by whom and what it created."""

    def __init__(self, earlier: SubmittedForm) -> None:
        super().__init__(earlier.form)
        self.earlier = earlier

    @property
    def object_id(self) -> UUID:
        return self.earlier.object_id


class Submission:
    """One send of a create form, inside the service that creates the record."""

    def __init__(self, token: UUID, *, form: str, by: User) -> None:
        self.token, self.form, self.by = token, form, by
        self.is_recorded = False

    def created(self, record: models.Model) -> None:
        """Store the token with the record it created. The insert runs in a savepoint so that,
        when a simultaneous send committed the same token first (PostgreSQL makes this insert
        wait for it), the unique constraint's refusal becomes :class:`AlreadySubmitted` and
        the service's transaction rolls back everything it did."""
        try:
            with transaction.atomic():
                SubmittedForm.objects.create(
                    token=self.token,
                    form=self.form,
                    object_kind=record._meta.label_lower,
                    object_id=record.public_id,  # type: ignore[attr-defined]
                    submitted_by=self.by,
                )
        except IntegrityError:
            raise AlreadySubmitted(SubmittedForm.objects.get(token=self.token)) from None
        self.is_recorded = True


@contextmanager
def once(token: UUID, *, form: str, by: User) -> Iterator[Submission]:
    """Run a create service's work once per token; call ``created(record)`` inside.

    Must run inside the service's transaction, so the token is stored, or not, with the record.
    The early look-up answers the common case (a second click after the first finished) before
    any work is done; the unique constraint answers the simultaneous one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("once() must run inside the service's transaction")
    earlier = SubmittedForm.objects.filter(token=token).first()
    if earlier is not None:
        raise AlreadySubmitted(earlier)
    submission = Submission(token, form=form, by=by)
    yield submission
    if not submission.is_recorded:
        raise RuntimeError(f"The {form} form's service did not say what it created")


class OneTimeForm(RoleBoundForm):
    """A form that creates a record: it carries a fresh one-time token, kept when the page is
    shown again with errors, so that sending it twice creates one record."""

    submission = forms.UUIDField(
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages={"required": EXPIRED, "invalid": EXPIRED},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if "submission" in self.errors:
            self._show_with_a_fresh_token(*self.errors["submission"])
        return cleaned

    def refuse_submission(self, message: str) -> None:
        """Refuse the token (someone else's): say so, and let the next send go ahead."""
        self.add_error("submission", message)
        self._show_with_a_fresh_token(message)

    def _show_with_a_fresh_token(self, *errors: str) -> None:
        # The error summary lists visible fields only, so the hidden field's error is also
        # shown at the top of the page; and the page shown again gets a token that will work.
        for message in errors:
            if message not in self.non_field_errors():
                self.add_error(None, message)
        # A bound form holds the POST QueryDict (the stubs say only Mapping).
        data = cast(QueryDict, self.data).copy()
        data[self.add_prefix("submission")] = str(uuid.uuid4())
        self.data = data


def earlier_send(request: HttpRequest, form: OneTimeForm) -> SubmittedForm | None:
    """The person's earlier send of this very form, looked up before the form is validated:
    for a page whose checks depend on what the first send created (the children it put on
    record), so that the second send still leads to it rather than to those checks."""
    try:
        token = uuid.UUID(str(form.data.get(form.add_prefix("submission"), "")))
    except ValueError:
        return None
    earlier = SubmittedForm.objects.filter(token=token, submitted_by=request.user.pk).first()
    if earlier is not None:
        messages.info(request, ALREADY_SENT)
    return earlier


def is_own_resend(sent: AlreadySubmitted, *, request: HttpRequest, form: OneTimeForm) -> bool:
    """Whether the person sent this form before: then the view redirects them to what it
    created. A token first sent by someone else is refused on the form."""
    if sent.earlier.submitted_by_id == request.user.pk:
        messages.info(request, ALREADY_SENT)
        return True
    form.refuse_submission(SENT_BY_SOMEONE_ELSE)
    return False
