"""The forms of a concern: what happened, the next step, and the DSL's decision."""

from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils.html import format_html

from hsb_portal.accounts.models import LocalAuthority
from hsb_portal.forms import GovDateField, VersionedForm, check_not_in_future, helper
from hsb_portal.layout import Submit
from hsb_portal.submissions.tokens import OneTimeForm
from triage.forms.common import yes_no_unknown
from triage.models import (
    Concern,
    Location,
    NextStep,
)


class ConcernForm(OneTimeForm, VersionedForm):
    occurred_on = GovDateField(
        what="the date the behaviour happened",
        label="When did the behaviour happen?",
        help_text="For example, 27 3 2026. If you do not know the exact date, give your best "
        "estimate and say so below.",
    )
    occurred_on_is_estimated = forms.BooleanField(label="The date is an estimate", required=False)
    reported_on = GovDateField(
        what="the date it was reported",
        label="When was it reported to you?",
    )
    location = forms.ChoiceField(
        label="Where did it happen?",
        choices=Location.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where it happened"},
    )
    location_detail = forms.CharField(
        label="Where exactly? (optional)",
        help_text="For example, the name of the app, the park or the classroom.",
        max_length=200,
        required=False,
    )
    authority = forms.ModelChoiceField(
        label="Which local authority area did it happen in?",
        help_text="If it happened online, choose where the child who has harmed was.",
        queryset=LocalAuthority.objects.order_by("name"),
        empty_label=None,
        error_messages={"required": "Select the local authority area where it happened"},
    )
    what_happened = forms.CharField(
        label="What happened?",
        help_text="Say what you saw or were told, using the words used where you can. "
        "Record facts, and say whose opinion any opinion is.",
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": "Enter what happened"},
    )
    technology_assisted = yes_no_unknown(
        "Was technology used?",
        "technology was used",
        help_text="For example a phone, social media, messages or images.",
    )
    crime_suspected = yes_no_unknown(
        "Do you think a crime may have been committed?", "a crime may have been committed"
    )
    police_aware = yes_no_unknown("Do the police know?", "the police know")

    def __init__(
        self, *args: Any, concern: Concern | None = None, submit_label: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.concern = concern
        if concern is None:
            self.fields["version"].required = False
        else:
            # Changing a concern is guarded by its version; only reporting one creates a record.
            del self.fields["submission"]
        self.helper = helper(
            Field("version"),
            *([Field("submission")] if concern is None else []),
            Field("occurred_on", context={"legend_size": "govuk-fieldset__legend--m"}),
            Field.checkbox("occurred_on_is_estimated", small=True),
            Field("reported_on", context={"legend_size": "govuk-fieldset__legend--m"}),
            Field.radios("location", legend_size=Size.MEDIUM),
            Field.text("location_detail", field_width=20),
            Field("authority", context={"label_size": "govuk-label--m"}),
            Field.textarea("what_happened", label_size=Size.MEDIUM, rows=8),
            Field.radios("technology_assisted", legend_size=Size.MEDIUM, inline=True),
            Field.radios("crime_suspected", legend_size=Size.MEDIUM, inline=True),
            Field.radios("police_aware", legend_size=Size.MEDIUM, inline=True),
            Submit("submit", submit_label),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_not_in_future(self, "occurred_on", "The date the behaviour happened")
        check_not_in_future(self, "reported_on", "The date it was reported")
        occurred, reported = cleaned.get("occurred_on"), cleaned.get("reported_on")
        if occurred and reported and reported < occurred and "reported_on" not in self.errors:
            self.add_error(
                "reported_on",
                "The date it was reported must be the same as or after the date the "
                "behaviour happened",
            )
        if occurred and self.concern is not None and "occurred_on" not in self.errors:
            for involvement in self.concern.involvements.all():
                if involvement.child.date_of_birth > occurred:
                    self.add_error(
                        "occurred_on",
                        f"The date the behaviour happened must be after "
                        f"{involvement.child.full_name}'s date of birth "
                        f"({involvement.child.date_of_birth:%-d %B %Y})",
                    )
                    break
        return cleaned


class NextStepForm(VersionedForm):
    chosen_next_step = forms.ChoiceField(
        label="What do you think should happen next?",
        choices=NextStep.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you think should happen next"},
    )
    reason = forms.CharField(
        label="If you chose a next step other than the one advised, say why",
        widget=forms.Textarea,
        max_length=5000,
        required=False,
    )

    def __init__(self, *args: Any, advised: str | None, problems: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.advised = advised
        self.problems = problems
        if advised:
            hint = format_html("The guidance advises: {}.", NextStep(advised).label)
            self.fields["chosen_next_step"].help_text = hint
        self.helper = helper(
            Field("version"),
            Field.radios("chosen_next_step", legend_size=Size.MEDIUM),
            Field.textarea("reason", label_size=Size.SMALL, rows=4),
            Submit("submit", "Send to your designated safeguarding lead"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for problem in self.problems:
            self.add_error(None, problem)
        chosen = cleaned.get("chosen_next_step")
        differs = bool(chosen and self.advised and chosen != self.advised)
        if differs and not cleaned.get("reason", "").strip():
            self.add_error(
                "reason", "Explain why you chose a different next step from the guidance"
            )
        return cleaned


class ReviewForm(VersionedForm):
    note = forms.CharField(
        label="Add information (optional)",
        help_text="What you know that the concern does not yet say, for example from "
        "your own records or a conversation with the parents or carers.",
        widget=forms.Textarea,
        max_length=10000,
        required=False,
    )
    decision = forms.ChoiceField(
        label="What is your decision on the next step?",
        choices=NextStep.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your decision on the next step"},
    )
    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Enter the reason for your decision"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field("version"),
            Field.textarea("note", label_size=Size.MEDIUM, rows=5),
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.textarea("reason", label_size=Size.SMALL, rows=4),
            Submit("submit", "Save decision"),
        )


class RemoveChildForm(VersionedForm):
    """Only the version: the button is the whole form."""
