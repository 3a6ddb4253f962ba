"""The forms that name the children involved, finding a child already on record first."""

from typing import Any, cast

from crispy_forms_gds.layout import (
    Field,
    Size,
    Submit,
)
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from hsb_portal import access
from hsb_portal.accounts.models import LocalAuthority
from hsb_portal.forms import YES_NO, GovDateField, VersionedForm, helper
from hsb_portal.http import AuthenticatedRequest
from hsb_portal.submissions.tokens import OneTimeForm
from triage.forms.common import OLDEST_DEVELOPMENTAL_AGE, whole_name, yes_no_unknown
from triage.models import (
    Child,
    Concern,
    ConcernChild,
    Part,
    Sex,
    part_problem,
)

PART_FIELD_ERRORS = {"required": "Select the child's part in what happened"}


def part_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="What was the child's part in what happened?",
        choices=Part.choices,
        widget=forms.RadioSelect,
        error_messages=PART_FIELD_ERRORS,
    )


def developmental_age_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Developmental age, if different from their age (optional)",
        help_text="In years. For example, a child of 12 whose development is like that of a "
        "child of 9. The traffic light tool then offers the bands for both ages.",
        min_value=0,
        max_value=OLDEST_DEVELOPMENTAL_AGE,
        required=False,
        error_messages={
            "invalid": "Developmental age must be a number of years, like 9",
            "min_value": "Developmental age must be 0 or more",
            "max_value": f"Developmental age must be {OLDEST_DEVELOPMENTAL_AGE} or less",
        },
    )


def check_birth_and_part(form: forms.Form, concern: Concern) -> None:
    """A date of birth in the future or after the behaviour is impossible; a part must fit
    the person's age (an adult harmed is 18 or over)."""
    born = form.cleaned_data.get("date_of_birth")
    if born is None or "date_of_birth" in form.errors:
        return
    if born > timezone.localdate():
        form.add_error("date_of_birth", "Date of birth must be today or in the past")
        return
    if born > concern.occurred_on:
        form.add_error(
            "date_of_birth",
            "Date of birth must be before the date the behaviour happened "
            f"({concern.occurred_on:%-d %B %Y})",
        )
        return
    part = form.cleaned_data.get("part")
    if part and (problem := part_problem(part, born, concern.occurred_on)):
        form.add_error("part", problem)


def given_name_field(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label="First name",
        max_length=100,
        validators=[whole_name("Enter the full first name, not an initial")],
        error_messages={"required": "Enter a first name"},
        **kwargs,
    )


def family_name_field(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label="Last name",
        max_length=100,
        validators=[whole_name("Enter the full last name, not an initial")],
        error_messages={"required": "Enter a last name"},
        **kwargs,
    )


class FindChildForm(VersionedForm):
    """Who the child is, so that a child already on record is found before a new one is made."""

    given_name = given_name_field()
    family_name = family_name_field()
    date_of_birth = GovDateField(
        what="the child's date of birth",
        label="What is their date of birth?",
        help_text="For example, 14 3 2014. If you do not know it, give your best estimate.",
    )
    part = part_field()
    developmental_age = developmental_age_field()

    def __init__(self, *args: Any, concern: Concern, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.concern = concern
        self.helper = helper(
            Field("version"),
            Field.text("given_name", field_width=20),
            Field.text("family_name", field_width=20),
            Field("date_of_birth", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.radios("part", legend_size=Size.SMALL),
            Field.text("developmental_age", field_width=3),
            Submit("submit", "Continue"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_birth_and_part(self, self.concern)
        return cleaned


NEW_CHILD = "new"


class ChooseChildForm(VersionedForm):
    """Is the child one already on record? The search travels in hidden fields, so that no
    name or date of birth is ever put in a URL."""

    given_name = given_name_field(widget=forms.HiddenInput)
    family_name = family_name_field(widget=forms.HiddenInput)
    date_of_birth = forms.DateField(widget=forms.HiddenInput)
    part = forms.ChoiceField(choices=Part.choices, widget=forms.HiddenInput)
    developmental_age = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=OLDEST_DEVELOPMENTAL_AGE
    )
    match = forms.ChoiceField(
        label="Is it one of these children?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the child, or that it is a different child"},
    )

    def __init__(
        self,
        *args: Any,
        request: AuthenticatedRequest,
        action: str,
        matches: list[access.LikelyMatch] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if matches is None:
            matches = self.search_again(request)
        self.matches = {str(match.child.public_id): match for match in matches}
        cast(forms.ChoiceField, self.fields["match"]).choices = [
            (key, match.describe()) for key, match in self.matches.items()
        ] + [(NEW_CHILD, "No, it is a different child")]
        self.helper = helper(
            *(Field(name) for name in ("version", "given_name", "family_name")),
            *(Field(name) for name in ("date_of_birth", "part", "developmental_age")),
            Field.radios("match", legend_size=Size.MEDIUM),
            Submit("submit", "Continue"),
            action=action,
        )

    def search_again(self, request: AuthenticatedRequest) -> list[access.LikelyMatch]:
        """The matches for the search in the hidden fields, found again on the server: the
        choice is checked against them, not against anything the browser sent."""
        try:
            born = forms.DateField().clean(self.data.get(self.add_prefix("date_of_birth")))
        except ValidationError:
            return []
        return access.likely_matches(
            request,
            given_name=self.data.get(self.add_prefix("given_name"), ""),
            family_name=self.data.get(self.add_prefix("family_name"), ""),
            date_of_birth=born,
        )

    @property
    def chosen_child(self) -> Child | None:
        match = self.matches.get(self.cleaned_data["match"])
        return match.child if match is not None else None


class NewChildForm(OneTimeForm, VersionedForm):
    given_name = given_name_field()
    family_name = family_name_field()
    known_as = forms.CharField(label="Also known as (optional)", max_length=100, required=False)
    date_of_birth = GovDateField(
        what="the child's date of birth", label="What is their date of birth?"
    )
    date_of_birth_is_estimated = forms.BooleanField(
        label="The date of birth is an estimate", required=False
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the child's sex, or not known"},
    )
    gender = forms.CharField(
        label="Gender (optional)",
        help_text="How the child describes their gender, if you know.",
        max_length=100,
        required=False,
    )
    ethnicity = forms.CharField(label="Ethnicity (optional)", max_length=100, required=False)
    address = forms.CharField(
        label="Address (optional)", widget=forms.Textarea, max_length=500, required=False
    )
    postcode = forms.CharField(label="Postcode (optional)", max_length=10, required=False)
    authority = forms.ModelChoiceField(
        label="Which local authority do they live in?",
        queryset=LocalAuthority.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the local authority the child lives in"},
    )
    school_or_setting = forms.CharField(
        label="School or setting (optional)", max_length=200, required=False
    )
    has_send = yes_no_unknown(
        "Do they have special educational needs or a learning disability?",
        "the child has special educational needs or a learning disability",
    )
    send_details = forms.CharField(
        label="Details of special educational needs or learning disability (optional)",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )
    is_looked_after = forms.TypedChoiceField(
        label="Are they looked after by a local authority?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the child is looked after"},
    )
    known_to_childrens_social_care = yes_no_unknown(
        "Are they already known to children's social care?",
        "the child is already known to children's social care",
    )
    household = forms.ModelMultipleChoiceField(
        label="Do any of the other children on this concern live in the same household? (optional)",
        queryset=Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    part = part_field()
    developmental_age = developmental_age_field()
    # The name and date of birth the duplicate check last ran for (see clean).
    matches_checked_for = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        concern: Concern,
        request: AuthenticatedRequest,
        action: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.concern = concern
        self.request = request
        membership = request.membership
        authority = cast("forms.ModelChoiceField[LocalAuthority]", self.fields["authority"])
        authority.queryset = access.child_authorities(membership).order_by("name")
        household = Child.objects.filter(involvements__concern=concern).order_by(
            "family_name", "given_name"
        )
        cast("forms.ModelChoiceField[Child]", self.fields["household"]).queryset = household
        if not household.exists():
            del self.fields["household"]
        layout = [
            Field("version"),
            Field("submission"),
            Field("matches_checked_for"),
            Field.text("given_name", field_width=20),
            Field.text("family_name", field_width=20),
            Field.text("known_as", field_width=20),
            Field("date_of_birth", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.checkbox("date_of_birth_is_estimated", small=True),
            Field.radios("sex", legend_size=Size.SMALL, inline=True),
            Field.text("gender", field_width=20),
            Field.text("ethnicity", field_width=20),
            Field.textarea("address", rows=3),
            Field.text("postcode", field_width=10),
            Field.radios("authority", legend_size=Size.SMALL),
            Field.text("school_or_setting"),
            Field.radios("has_send", legend_size=Size.SMALL, inline=True),
            Field.textarea("send_details", rows=3),
            Field.radios("is_looked_after", legend_size=Size.SMALL, inline=True),
            Field.radios("known_to_childrens_social_care", legend_size=Size.SMALL, inline=True),
        ]
        if "household" in self.fields:
            layout.append(Field.checkboxes("household", legend_size=Size.SMALL))
        layout += [
            Field.radios("part", legend_size=Size.SMALL),
            Field.text("developmental_age", field_width=3),
            Submit("submit", "Add child"),
        ]
        self.helper = helper(*layout, action=action)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_birth_and_part(self, self.concern)
        given, family = cleaned.get("given_name"), cleaned.get("family_name")
        born = cleaned.get("date_of_birth")
        if given and family and born and not self.errors:
            searched = f"{given.strip().casefold()}|{family.strip().casefold()}|{born}"
            if cleaned.get("matches_checked_for") != searched:
                matches = access.likely_matches(
                    self.request, given_name=given, family_name=family, date_of_birth=born
                )
                # A bound form holds the POST QueryDict (the stubs say only Mapping).
                data = cast(QueryDict, self.data).copy()
                data[self.add_prefix("matches_checked_for")] = searched
                self.data = data
                if matches:
                    # No child's details in an error message: going back shows the choice.
                    raise ValidationError(
                        "A child with this date of birth and a similar name is already "
                        "recorded. If it is the same child, go back and choose them. "
                        "If not, select Add child again."
                    )
        return cleaned

    def child_details(self) -> dict[str, Any]:
        names = [
            "given_name",
            "family_name",
            "known_as",
            "date_of_birth",
            "date_of_birth_is_estimated",
            "sex",
            "gender",
            "ethnicity",
            "address",
            "postcode",
            "authority",
            "school_or_setting",
            "has_send",
            "send_details",
            "is_looked_after",
            "known_to_childrens_social_care",
        ]
        return {name: self.cleaned_data[name] for name in names}


class InvolvementForm(VersionedForm):
    part = part_field()
    developmental_age = developmental_age_field()

    def __init__(self, *args: Any, involvement: ConcernChild, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.involvement = involvement
        self.helper = helper(
            Field("version"),
            Field.radios("part", legend_size=Size.MEDIUM),
            Field.text("developmental_age", field_width=3),
            Submit("submit", "Save changes"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        part = cleaned.get("part")
        child, concern = self.involvement.child, self.involvement.concern
        if part and (problem := part_problem(part, child.date_of_birth, concern.occurred_on)):
            self.add_error("part", problem)
        return cleaned
