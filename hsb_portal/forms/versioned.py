"""Forms that change a record carry the version it was opened at (security.md §5)."""

from typing import Any, ClassVar, cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout
from django import forms
from django.http import QueryDict

from hsb_portal.conflicts import StaleRecord
from hsb_portal.form_roles import RoleBoundForm


def helper(*layout: Any, action: str = "", form_tag: bool = True) -> FormHelper:
    """The crispy-forms helper of a GOV.UK form laid out as ``layout``. ``action`` sends it to
    another page; ``form_tag=False`` renders its fields inside a ``<form>`` the page writes
    itself, for a page made of several forms."""
    form_helper = FormHelper()
    form_helper.layout = Layout(*layout)
    if action:
        form_helper.form_action = action
    form_helper.form_tag = form_tag
    form_helper.disable_csrf = not form_tag
    return form_helper


def out_of_date(back_to: str) -> str:
    """What a page sent from an older copy of itself says: go back to ``back_to``."""
    where = f" to {back_to}" if back_to else ""
    return f"This page is out of date. Go back{where} and open it again"


class VersionedForm(RoleBoundForm):
    """A form that changes a record: it carries the version the record was at when the page
    was opened, and shows a stale save's refusal with everything the person typed."""

    # Where the person opens the page again from, in the out-of-date message.
    back_to: ClassVar[str] = "the concern"

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stale = out_of_date(self.back_to)
        self.fields["version"].error_messages.update({"required": stale, "invalid": stale})

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # The error summary lists visible fields only, so a hidden field's error (a page out
        # of date, or a value changed by hand) is shown at the top of the page instead.
        for name, field in self.fields.items():
            if field.widget.is_hidden and name in self.errors:
                for message in self.errors[name]:
                    if message not in self.non_field_errors():
                        self.add_error(None, message)
        return cleaned

    def refuse_as_stale(self, stale: StaleRecord) -> None:
        """Say the save was refused, and let the next save go ahead from the record's current
        version, keeping everything the person typed."""
        self.add_error(None, stale.message)
        record = stale.record
        current = type(record)._default_manager.values_list("version", flat=True).get(pk=record.pk)
        # A bound form holds the POST QueryDict (the stubs say only Mapping).
        data = cast(QueryDict, self.data).copy()
        data[self.add_prefix("version")] = str(current)
        self.data = data
