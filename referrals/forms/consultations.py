"""The 'no names' consultation form (CA 6.1, 15)."""

import re
from typing import Any, cast

from crispy_forms_gds.layout import HTML, Field, Size, Submit
from django import forms

from hsb_portal.accounts.models import Agency, Membership
from hsb_portal.forms import GovDateField, helper, moment_from, text_field, time_field
from hsb_portal.submissions.tokens import OneTimeForm
from referrals import selectors

# 'No names' consultations

# Things that identify a child and have no place in a 'no names' record.
POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.IGNORECASE)
DATE = re.compile(r"\b[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}\b")


class ConsultationForm(OneTimeForm):
    asked_by = forms.CharField(
        label="Who asked?",
        help_text="Their name, job and agency. Not the child's.",
        max_length=200,
        error_messages={"required": "Enter who asked for advice"},
    )
    asked_by_agency = forms.ModelChoiceField(
        label="Which agency? (optional)",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Not listed",
        help_text="The agency can then read the advice back.",
    )
    asked_on = GovDateField(what="the date they asked", label="When did they ask?")
    asked_time = time_field("Time", "the call")
    question = text_field(
        "What did they ask?",
        "Enter what they asked",
        help_text="Do not record the child's name, date of birth, address, school or anything "
        "else that could identify them.",
    )
    advice = text_field("What advice did you give?", "Enter the advice you gave")

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = selectors.referring_agencies_for(membership)
        cast("forms.ModelChoiceField[Agency]", self.fields["asked_by_agency"]).queryset = agencies
        self.helper = helper(
            Field("submission"),
            Field.text("asked_by"),
            Field("asked_by_agency"),
            Field("asked_on", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.text("asked_time", field_width=5),
            Field.textarea("question", label_size=Size.SMALL, rows=5),
            Field.textarea("advice", label_size=Size.SMALL, rows=5),
            HTML.p(
                "This record names no child. If the situation needs a referral, make one "
                "separately."
            ),
            Submit("submit", "Save the advice"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["asked_at"] = moment_from(self, "asked_on", "asked_time")
        for name in ("question", "advice"):
            text = cleaned.get(name, "")
            if POSTCODE.search(text) or DATE.search(text):
                self.add_error(
                    name,
                    "Remove the postcode or date: a 'no names' record must not identify the child",
                )
        return cleaned
