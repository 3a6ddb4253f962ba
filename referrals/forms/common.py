"""What the referral forms share: GOV.UK building blocks and the version a change was opened at."""

import re
from datetime import datetime, time
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout
from django import forms
from django.utils import timezone

from hsb_portal.calendar import LONDON
from triage.forms import VersionedForm

YES_NO = [("yes", "Yes"), ("no", "No")]
OUT_OF_DATE = "This page is out of date. Go back to the referral and open it again"


def helper(*layout: Any, form_tag: bool = True) -> FormHelper:
    form_helper = FormHelper()
    form_helper.layout = Layout(*layout)
    # Pages made of several forms render them inside one <form> of their own.
    form_helper.form_tag = form_tag
    form_helper.disable_csrf = not form_tag
    return form_helper


def yes_no_field(label: str, error: str, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": error},
        **kwargs,
    )


def text_field(label: str, error: str = "", *, max_length: int = 10000, **kwargs: Any) -> Any:
    return forms.CharField(
        label=label,
        widget=forms.Textarea,
        max_length=max_length,
        required=bool(error),
        error_messages={"required": error} if error else {},
        **kwargs,
    )


class ReferralVersionedForm(VersionedForm):
    """A form that changes a referral carries the version it was opened at (security.md §5)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
    )


def time_field(label: str, what: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text="Use the 24-hour clock, for example 14:30.",
        max_length=5,
        error_messages={"required": f"Enter the time of {what}"},
    )


TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")


def moment_from(form: forms.Form, day_field: str, time_field: str) -> datetime | None:
    """The London date and time two fields give, or None (with an error on the field)."""
    day, text = form.cleaned_data.get(day_field), form.cleaned_data.get(time_field, "")
    if not text:
        return None
    found = TIME.match(text.strip())
    if found is None:
        form.add_error(time_field, "Enter a real time, like 14:30")
        return None
    if day is None:
        return None
    moment = datetime.combine(day, time(int(found[1]), int(found[2])), tzinfo=LONDON)
    if moment > timezone.now():
        form.add_error(time_field, "The time must be now or in the past")
        return None
    return moment
