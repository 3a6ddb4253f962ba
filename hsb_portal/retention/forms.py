"""The retention forms: they check input and say, in GOV.UK words, how to put it right; the
views pass what they clean to a service."""

from typing import Any, cast

from crispy_forms_gds.layout import Field, Size
from django import forms

from hsb_portal.forms import VersionedForm, helper, text_field
from hsb_portal.layout import Submit
from hsb_portal.retention.models import RetainedChild

LONGEST_PERIOD = 150


class RetentionVersionedForm(VersionedForm):
    back_to = ""


class RuleForm(RetentionVersionedForm):
    years = forms.IntegerField(
        label="How many years is the record kept?",
        help_text="A shorter period takes effect only when a second administrator approves it.",
        min_value=1,
        max_value=LONGEST_PERIOD,
        error_messages={
            "required": "Enter the number of years",
            "invalid": "The number of years must be a whole number, like 35",
            "min_value": "The number of years must be 1 or more",
            "max_value": f"The number of years must be {LONGEST_PERIOD} or fewer",
        },
    )
    reason = text_field(
        "Why is the period changing?",
        "Enter why the period is changing",
        max_length=2000,
        help_text="For example, the decision of the authority's records management board.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field("version"),
            Field.text("years", field_width=4, label_size=Size.SMALL),
            Field.textarea("reason", label_size=Size.SMALL, rows=3),
            Submit("submit", "Change the period"),
        )


class DecisionForm(RetentionVersionedForm):
    """A second administrator's decision on a proposal."""

    decision = forms.TypedChoiceField(
        label="What is your decision?",
        choices=[("approve", "Approve"), ("reject", "Reject")],
        coerce=lambda value: value == "approve",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you approve or reject it"},
    )
    reason = text_field("Why?", "Enter the reason for your decision", max_length=2000)

    def __init__(self, *args: Any, submit_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field("version"),
            Field.radios("decision", legend_size=Size.SMALL, inline=True),
            Field.textarea("reason", label_size=Size.SMALL, rows=3),
            Submit("submit", submit_label),
        )


class HoldForm(forms.Form):
    reason = text_field(
        "Why is the record held?",
        "Enter why the record is held",
        max_length=2000,
        help_text="For example, the inquiry or claim it is held for, and its reference.",
    )

    def __init__(self, *args: Any, submit_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.textarea("reason", label_size=Size.SMALL, rows=3),
            Submit("submit", submit_label),
        )


# Generic only in django-stubs: subscripting it fails at run time without django-stubs-ext.
class ChildChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: RetainedChild) -> str:
        return f"{obj.full_name} ({obj.reference})"


class ProposeDisposalForm(forms.Form):
    children = ChildChoiceField(
        label="Whose records should be disposed of?",
        help_text="Children past their retention date with no legal hold and no disposal "
        "review already waiting.",
        queryset=RetainedChild.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="public_id",
        error_messages={
            "required": "Select the children whose records should be disposed of",
            "invalid_choice": "Select only children listed past their retention date",
            "invalid_pk_value": "Select only children listed past their retention date",
        },
    )
    reason = text_field(
        "Why should they be disposed of?",
        "Enter why the records should be disposed of",
        max_length=2000,
        help_text="Say that the records were reviewed, for example for records of interest to "
        "survivors (domain.md §9).",
    )

    def __init__(self, *args: Any, children: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[RetainedChild]", self.fields["children"]).queryset = children
        self.helper = helper(
            Field.checkboxes("children", legend_size=Size.SMALL),
            Field.textarea("reason", label_size=Size.SMALL, rows=3),
            Submit("submit", "Propose disposal"),
        )
