"""The case history's filters, sent as GET parameters so a filtered view can be bookmarked and
exported as it is."""

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from hsb_portal.audit.chronology import EVENT_KINDS, RECORD_KINDS, Filters
from hsb_portal.forms import GovDateField

TO_BEFORE_FROM = (
    "The date to show events to must be the same as or after the date to show events from"
)


class HistoryFilterForm(forms.Form):
    event_kinds = forms.MultipleChoiceField(
        label="Kind of event",
        choices=[(key, label) for key, (label, _) in EVENT_KINDS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select kinds of event from the list"},
    )
    record_kinds = forms.MultipleChoiceField(
        label="Kind of record",
        choices=[(key, label) for key, (label, _) in RECORD_KINDS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select kinds of record from the list"},
    )
    date_from = GovDateField(
        what="the date to show events from",
        label="From",
        help_text="For example, 27 3 2026",
        required=False,
    )
    date_to = GovDateField(
        what="the date to show events to",
        label="To",
        help_text="For example, 31 3 2026",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.checkboxes("event_kinds", legend_size=Size.SMALL, small=True),
            Field.checkboxes("record_kinds", legend_size=Size.SMALL, small=True),
            Field("date_from", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field("date_to", context={"legend_size": "govuk-fieldset__legend--s"}),
            Submit("filter", "Apply filters", css_class="govuk-button--secondary"),
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", TO_BEFORE_FROM)
        return cleaned

    def filters(self) -> Filters:
        """The filters asked for; call only once the form is valid."""
        data = self.cleaned_data
        return Filters(
            event_kinds=frozenset(data["event_kinds"]),
            record_kinds=frozenset(data["record_kinds"]),
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
