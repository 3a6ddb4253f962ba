"""The GOV.UK fields every app's forms are made of: dates, times, yes or no, long text."""

import re
from datetime import date, datetime, time
from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

from hsb_portal.calendar import LONDON

YES_NO = [("yes", "Yes"), ("no", "No")]
# 24-hour clock: 9:05, 09:05 or 14.30.
TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")


class GovDateField(DateInputField):
    """A GOV.UK date input whose errors name the date, as the Design System asks."""

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)
        name = what[0].upper() + what[1:]
        self.what = name
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = f"Enter {what}"
        self.error_messages["invalid"] = f"{name} must be a real date"
        real = RegexValidator(r"^[0-9]+$", f"{name} must be a real date")
        for subfield, part in zip(self.fields, ("day", "month", "year"), strict=True):
            subfield.error_messages["incomplete"] = f"{name} must include a {part}"
            subfield.validators = [real]
        self.fields[2].validators = [RegexValidator(r"^[0-9]{4}$", "Year must include 4 numbers")]

    def compress(self, data_list: Any) -> date | None:
        try:
            return super().compress(data_list)  # type: ignore[no-any-return]
        except ValidationError:
            raise ValidationError(f"{self.what} must be a real date", code="invalid") from None


def check_not_in_future(form: forms.Form, name: str, what: str) -> None:
    day = form.cleaned_data.get(name)
    if day is not None and day > timezone.localdate():
        form.add_error(name, f"{what} must be today or in the past")


def time_field(label: str, what: str) -> forms.CharField:
    """A time typed on the 24-hour clock; ``moment_from`` reads it with its date."""
    return forms.CharField(
        label=label,
        help_text="Use the 24-hour clock, for example 14:30.",
        max_length=5,
        error_messages={"required": f"Enter the time of {what}"},
    )


def parse_time(text: str) -> time | None:
    """The time a person typed on the 24-hour clock, or None when it is not one."""
    found = TIME.match(text.strip())
    return time(int(found[1]), int(found[2])) if found else None


def moment_from(
    form: forms.Form, day_field: str, time_field: str, *, past_only: bool = True
) -> datetime | None:
    """The London date and time two fields give, or None (with an error on the time field
    when it is not a real time, or, with ``past_only``, when it is still to come)."""
    day, text = form.cleaned_data.get(day_field), form.cleaned_data.get(time_field, "")
    if not text:
        return None
    at = parse_time(text)
    if at is None:
        form.add_error(time_field, "Enter a real time, like 14:30")
        return None
    if day is None:
        return None
    moment = datetime.combine(day, at, tzinfo=LONDON)
    if past_only and moment > timezone.now():
        form.add_error(time_field, "The time must be now or in the past")
        return None
    return moment


def yes_no_field(label: str, error: str, **kwargs: Any) -> forms.TypedChoiceField:
    """Yes or no as radios, cleaned to True or False."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": error},
        **kwargs,
    )


def text_field(label: str, error: str = "", *, max_length: int = 10000, **kwargs: Any) -> Any:
    """Free text in a text area; required only when it has an ``error`` to say so."""
    return forms.CharField(
        label=label,
        widget=forms.Textarea,
        max_length=max_length,
        required=bool(error),
        error_messages={"required": error} if error else {},
        **kwargs,
    )
