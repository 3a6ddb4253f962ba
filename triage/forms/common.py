"""What every triage form shares: GOV.UK dates, the version a change was opened at."""

from collections.abc import Callable
from datetime import date
from typing import Any, cast

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import (
    Layout,
)
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.http import QueryDict
from django.utils import timezone

from hsb_portal.form_roles import RoleBoundForm
from triage.models import (
    YesNoUnknown,
)
from triage.models.children import is_whole_name

YES_NO = [("yes", "Yes"), ("no", "No")]
OLDEST_DEVELOPMENTAL_AGE = 25  # Brook's 13-17 band may guide work up to 25 (domain.md §3)


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


def whole_name(message: str) -> Callable[[str], None]:
    """A name of a child looked up or recorded: a whole name, not an initial (issue 10)."""

    def validate(name: str) -> None:
        if not is_whole_name(name):
            raise ValidationError(message, code="initial")

    return validate


def yes_no_unknown(label: str, what: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        error_messages={"required": f"Select whether {what}"},
        **kwargs,
    )


def helper(*layout: Any, action: str = "") -> FormHelper:
    form_helper = FormHelper()
    form_helper.layout = Layout(*layout)
    if action:
        form_helper.form_action = action
    return form_helper


class VersionedForm(RoleBoundForm):
    """A form that changes a concern carries the version it was opened at (security.md §5)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "This page is out of date. Go back to the concern and open it again",
            "invalid": "This page is out of date. Go back to the concern and open it again",
        },
    )

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

    def refuse_as_stale(self, message: str, record: models.Model) -> None:
        """Say the save was refused, and let the next save go ahead from the record's current
        version, keeping everything the person typed."""
        self.add_error(None, message)
        current = type(record)._default_manager.values_list("version", flat=True).get(pk=record.pk)
        # A bound form holds the POST QueryDict (the stubs say only Mapping).
        data = cast(QueryDict, self.data).copy()
        data[self.add_prefix("version")] = str(current)
        self.data = data


def check_not_in_future(form: forms.Form, name: str, what: str) -> None:
    day = form.cleaned_data.get(name)
    if day is not None and day > timezone.localdate():
        form.add_error(name, f"{what} must be today or in the past")
