from typing import Any, cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from hsb_portal.accounts.models import Membership


class RoleSwitchForm(forms.Form):
    membership = forms.ChoiceField(
        label="Which role are you working in?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the role you are working in"},
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["membership"]).choices = [
            (str(m.public_id), m.described) for m in memberships
        ]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("membership", legend_size=Size.MEDIUM, legend_tag="h1"),
            Submit("submit", "Continue"),
        )
