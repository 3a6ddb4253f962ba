"""What the triage forms share beyond the kit (``hsb_portal.forms``): names of children and
answers of yes, no or not known."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from triage.models import YesNoUnknown
from triage.models.children import is_whole_name

OLDEST_DEVELOPMENTAL_AGE = 25  # Brook's 13-17 band may guide work up to 25 (domain.md §3)


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
