"""The forms that make referrals: the contents (CA 6.1; domain.md §5), consent (§8), the
children of a concern, and the children, call and incident of a telephone referral or police
notification. Pages that make referrals combine several of them inside one <form>."""

from typing import Any, cast

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html

from hsb_portal import access
from hsb_portal.accounts.models import Agency, LocalAuthority, Membership
from hsb_portal.forms import (
    GovDateField,
    VersionedForm,
    helper,
    moment_from,
    text_field,
    time_field,
    yes_no_field,
)
from hsb_portal.http import AuthenticatedRequest
from hsb_portal.submissions.tokens import OneTimeForm
from referrals import selectors, services
from referrals.models import (
    ParentsNotTold,
    RiskLevel,
    SharingAgreedBy,
    part_words,
    sharing_rule_for_age,
)
from triage.models import REFERRED_PARTS, Colour, Concern, ConcernChild, Sex
from triage.models import YesNoUnknown as YNU
from triage.models.children import is_whole_name

# The mandatory contents (CA 6.1; domain.md §5)


class ContentsForm(forms.Form):
    """What every referral must say. Filled once for the children referred together."""

    incident_details = text_field(
        "What happened?",
        "Enter what happened",
        help_text="The incident details: what was seen or said, when and where. Record facts, "
        "and say whose opinion any opinion is.",
    )
    victim_vulnerability = text_field(
        "What makes the child harmed particularly vulnerable?",
        "Enter what makes the child harmed particularly vulnerable, or that nothing is known",
        help_text="For example their age, a disability, or their relationship to the child "
        "who has harmed.",
    )
    coercion_or_duress = text_field(
        "Is there any evidence of coercion or duress by the child who has harmed?",
        "Enter any evidence of coercion or duress, or that there is none",
    )
    referrer_risk_level = forms.ChoiceField(
        label="What is your agency's assessment of the risk?",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your agency's assessment of the risk"},
    )
    referrer_risk_details = text_field("Why? (optional)", max_length=5000)
    other_children_at_risk = forms.ChoiceField(
        label="May other children be at risk?",
        choices=YNU.choices,
        widget=forms.RadioSelect,
        help_text="For example brothers or sisters, other children in the household, or at school.",
        error_messages={"required": "Select whether other children may be at risk"},
    )
    other_children_details = text_field(
        "If yes, which children, and why? (needed if yes)", max_length=5000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.textarea("incident_details", label_size=Size.SMALL, rows=6),
            Field.textarea("victim_vulnerability", label_size=Size.SMALL, rows=4),
            Field.textarea("coercion_or_duress", label_size=Size.SMALL, rows=4),
            Field.radios("referrer_risk_level", legend_size=Size.SMALL, inline=True),
            Field.textarea("referrer_risk_details", rows=3),
            Field.radios("other_children_at_risk", legend_size=Size.SMALL, inline=True),
            Field.textarea("other_children_details", rows=3),
            form_tag=False,
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if (
            cleaned.get("other_children_at_risk") == YNU.YES
            and not cleaned.get("other_children_details", "").strip()
        ):
            self.add_error(
                "other_children_details", "Say which other children may be at risk, and why"
            )
        return cleaned

    def contents(self) -> services.Contents:
        return services.Contents(**self.cleaned_data)


class ConsentForm(forms.Form):
    """Were the parents told, and who agreed to sharing, for one child (CA 13; §8)."""

    parents_informed = yes_no_field(
        "Have the parents or carers been told about the referral?",
        "Select whether the parents or carers have been told",
    )
    parents_not_told_because = forms.ChoiceField(
        label="If not, why not? (needed if not)",
        choices=ParentsNotTold.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Parents are told unless telling them would do one of these (CA 13).",
    )
    sharing_agreed_by = forms.ChoiceField(
        label="Who agreed to the information being shared?",
        choices=SharingAgreedBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who agreed to the information being shared"},
    )
    sharing_note = text_field("Anything to add about consent (optional)", max_length=2000)

    def __init__(self, *args: Any, name: str, part: str, age: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name = name
        self.part = part
        self.age = age
        for field in self.fields.values():
            # Labels say which child they are about (several children, one page).
            field.label = format_html(
                '{} <span class="govuk-visually-hidden">({})</span>', field.label, name
            )
        # The age rule of CA 13 is shown beside "who agreed" (domain.md §8).
        self.fields["sharing_agreed_by"].help_text = (
            f"{name} is {age}. {sharing_rule_for_age(age)}"
            if age is not None
            else " ".join(sharing_rule_for_age(a) for a in (11, 12, 16))
        )
        self.fields["parents_informed"].error_messages["required"] = (
            f"Select whether the parents or carers of {name} have been told"
        )
        self.fields["sharing_agreed_by"].error_messages["required"] = (
            f"Select who agreed to the information about {name} being shared"
        )
        self.helper = helper(
            Fieldset(
                Field.radios("parents_informed", legend_size=Size.SMALL, inline=True),
                Field.radios("parents_not_told_because", legend_size=Size.SMALL),
                Field.radios("sharing_agreed_by", legend_size=Size.SMALL),
                Field.textarea("sharing_note", rows=2),
                legend=f"Consent and information sharing: {name}",
                legend_size=Size.MEDIUM,
            ),
            form_tag=False,
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("parents_informed") is False and not cleaned.get("parents_not_told_because"):
            self.add_error(
                "parents_not_told_because",
                f"Select why the parents or carers of {self.name} have not been told",
            )
        return cleaned

    def consent(self) -> services.Consent:
        return services.Consent(**self.cleaned_data)


# Referring the children of a concern


class ReferConcernForm(VersionedForm):
    """Which children the DSL refers. The version is the concern's."""

    children = forms.MultipleChoiceField(
        label="Which children are you referring?",
        help_text="One referral is made for each child. Refer the child harmed and the child "
        "who has harmed together (CA 6.1).",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the children you are referring"},
    )
    unpaired_reason = text_field(
        "If you are not referring both a child harmed and a child who has harmed, say why",
        max_length=5000,
    )

    def __init__(self, *args: Any, involvements: list[ConcernChild], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.involvements = {str(i.public_id): i for i in involvements}
        cast(forms.ChoiceField, self.fields["children"]).choices = [
            (key, f"{i.child.full_name}, {i.get_part_display().lower()}, aged {i.age_on_date}")
            for key, i in self.involvements.items()
        ]
        self.helper = helper(
            Field("version"),
            Field.checkboxes("children", legend_size=Size.MEDIUM),
            Field.textarea("unpaired_reason", label_size=Size.SMALL, rows=3),
            form_tag=False,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = self.chosen()
        unpaired = bool(chosen) and not services.is_paired(i.part for i in chosen)
        if unpaired and not cleaned.get("unpaired_reason", "").strip():
            self.add_error("unpaired_reason", services.UNPAIRED_MESSAGE)
        return cleaned

    def chosen(self) -> list[ConcernChild]:
        keys = self.cleaned_data.get("children") or []
        return [self.involvements[key] for key in keys if key in self.involvements]


def concern_contents_initial(concern: Concern) -> dict[str, str]:
    """What the concern already says, offered as the start of the referral's contents."""
    answers: dict[str, list[str]] = {}
    for involvement in concern.involvements.all():
        rating = involvement.rating_or_none
        for answer in rating.context_answers.all() if rating else ():
            text = " ".join(p for p in (answer.get_value_display(), answer.evidence) if p)
            answers.setdefault(answer.code, []).append(text)
    return {
        "incident_details": concern.what_happened,
        "victim_vulnerability": "\n".join(answers.get("victim_vulnerability", [])),
        "coercion_or_duress": "\n".join(answers.get("aggression_force_coercion_bribery", [])),
    }


# Naming the children on a telephone referral or police notification


NEW_CHILD = "new"


class ChildForm(forms.Form):
    """One child of a telephone referral or police notification: found on record, or a new
    record. Left blank, the child is not referred."""

    given_name = forms.CharField(label="First name", max_length=100, required=False)
    family_name = forms.CharField(label="Last name", max_length=100, required=False)
    date_of_birth = GovDateField(
        what="the child's date of birth", label="Date of birth", required=False
    )
    sex = forms.ChoiceField(
        label="Sex", choices=Sex.choices, widget=forms.RadioSelect, required=False
    )
    authority = forms.ModelChoiceField(
        label="Which local authority do they live in?",
        queryset=LocalAuthority.objects.order_by("name"),
        widget=forms.RadioSelect,
        empty_label=None,
        required=False,
    )
    match = forms.ChoiceField(label="Is it one of these children?", widget=forms.RadioSelect)

    def __init__(self, *args: Any, part: str, request: AuthenticatedRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.part = part
        self.request = request
        self.words = part_words(part)
        self.matches: dict[str, access.LikelyMatch] = {}
        for name in ("given_name", "family_name", "date_of_birth", "sex", "authority"):
            field = self.fields[name]
            field.label = format_html(
                '{} <span class="govuk-visually-hidden">of the {}</span>', field.label, self.words
            )
        if self.is_bound and not self._blank():
            self._find_matches()
        if not self.matches:
            del self.fields["match"]
        else:
            cast(forms.ChoiceField, self.fields["match"]).choices = [
                (key, match.describe()) for key, match in self.matches.items()
            ] + [(NEW_CHILD, "No, it is a different child: make a new record")]
            self.fields["match"].label = f"Is the {self.words} one of these children?"
            self.fields["match"].error_messages["required"] = (
                f"A child with this date of birth and a similar name is already recorded: "
                f"select whether the {self.words} is one of them"
            )
        layout: list[Any] = [
            Field.text("given_name", field_width=20),
            Field.text("family_name", field_width=20),
            Field("date_of_birth", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.radios("sex", legend_size=Size.SMALL, inline=True),
            Field.radios("authority", legend_size=Size.SMALL),
        ]
        if self.matches:
            layout.append(Field.radios("match", legend_size=Size.SMALL))
        self.helper = helper(
            Fieldset(
                *layout,
                legend=f"The {self.words}",
                legend_size=Size.MEDIUM,
            ),
            form_tag=False,
        )

    def _raw(self, name: str) -> str:
        return str(self.data.get(self.add_prefix(name), "")).strip()

    def _blank(self) -> bool:
        names = ("given_name", "family_name", "date_of_birth_0", "date_of_birth_1")
        return not any(self._raw(name) for name in (*names, "date_of_birth_2"))

    def _find_matches(self) -> None:
        try:
            born = self.fields["date_of_birth"].clean(
                self.fields["date_of_birth"].widget.value_from_datadict(
                    self.data, self.files, self.add_prefix("date_of_birth")
                )
            )
            authority = self.fields["authority"].clean(self._raw("authority"))
        except ValidationError:
            return
        given, family = self._raw("given_name"), self._raw("family_name")
        if (
            born is None
            or authority is None
            or not (is_whole_name(given) and is_whole_name(family))
        ):
            return
        found = access.likely_matches(
            self.request,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            authority_ids=[authority.pk],
        )
        self.matches = {str(match.child.public_id): match for match in found}

    @property
    def is_blank(self) -> bool:
        return self._blank()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self._blank():
            return cleaned
        needed = {
            "given_name": f"Enter the first name of the {self.words}",
            "family_name": f"Enter the last name of the {self.words}",
            "date_of_birth": f"Enter the date of birth of the {self.words}",
            "sex": f"Select the sex of the {self.words}, or not known",
            "authority": f"Select the local authority the {self.words} lives in",
        }
        for name, message in needed.items():
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        for name, what in (("given_name", "first"), ("family_name", "last")):
            if cleaned.get(name) and not is_whole_name(cleaned[name]):
                self.add_error(
                    name, f"Enter the full {what} name of the {self.words}, not an initial"
                )
        born = cleaned.get("date_of_birth")
        if born and born > timezone.localdate():
            self.add_error("date_of_birth", "Date of birth must be today or in the past")
        return cleaned

    def child_to_refer(self, consent: services.Consent) -> services.ChildToRefer:
        data = self.cleaned_data
        chosen = self.matches.get(data.get("match", ""))
        if chosen is not None:
            return services.ChildToRefer(part=self.part, consent=consent, child=chosen.child)
        details = {
            name: data[name]
            for name in ("given_name", "family_name", "date_of_birth", "sex", "authority")
        }
        details["given_name"] = details["given_name"].strip()
        details["family_name"] = details["family_name"].strip()
        return services.ChildToRefer(part=self.part, consent=consent, new_child=details)


class IncidentForm(forms.Form):
    """When and where it happened, the colour if known, and who was consulted."""

    incident_on = GovDateField(
        what="the date the behaviour happened", label="When did the behaviour happen?"
    )
    happened_in = forms.ModelChoiceField(
        label="Which local authority area did it happen in?",
        queryset=LocalAuthority.objects.order_by("name"),
        empty_label=None,
        error_messages={"required": "Select the local authority area where it happened"},
    )
    brook_colour = forms.ChoiceField(
        label="Has the behaviour been rated with the traffic light tool?",
        choices=[*Colour.choices, ("", "Not rated")],
        widget=forms.RadioSelect,
        required=False,
    )
    dsl_consulted = forms.ChoiceField(
        label="Was a designated safeguarding lead consulted?",
        choices=YNU.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether a designated safeguarding lead was consulted"},
    )
    dsl_name = forms.CharField(label="Their name (optional)", max_length=150, required=False)
    unpaired_reason = text_field(
        "If only one child is named, say why the other is not referred",
        max_length=5000,
    )

    def __init__(self, *args: Any, dsl_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if dsl_label:
            self.fields["dsl_consulted"].label = dsl_label
        self.helper = helper(
            Field("incident_on", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field("happened_in", context={"label_size": "govuk-label--s"}),
            Field.radios("brook_colour", legend_size=Size.SMALL, inline=True),
            Field.radios("dsl_consulted", legend_size=Size.SMALL, inline=True),
            Field.text("dsl_name", field_width=20),
            Field.textarea("unpaired_reason", label_size=Size.SMALL, rows=3),
            form_tag=False,
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        day = cleaned.get("incident_on")
        if day and day > timezone.localdate():
            self.add_error("incident_on", "The date the behaviour happened must be in the past")
        return cleaned


class CallerForm(OneTimeForm):
    """Who phoned, and when (CA 6.1)."""

    caller_name = forms.CharField(
        label="Who phoned?",
        max_length=150,
        error_messages={"required": "Enter the name of the person who phoned"},
    )
    caller_role = forms.CharField(
        label="Their job, or their relationship to the child",
        max_length=150,
        error_messages={"required": "Enter the caller's job or relationship to the child"},
    )
    caller_is_professional = yes_no_field(
        "Is the caller a professional?",
        "Select whether the caller is a professional",
        help_text="A referrer who is not a professional is told only that the referral was "
        "received and acted on (ST).",
    )
    caller_agency = forms.ModelChoiceField(
        label="Which agency do they work for? (optional)",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Not listed, or not a professional",
        help_text="The agency then sees the referral and its outcome.",
    )
    phoned_on = GovDateField(what="the date of the call", label="When did they phone?")
    phoned_time = time_field("Time of the call", "the call")

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = selectors.referring_agencies_for(membership)
        cast("forms.ModelChoiceField[Agency]", self.fields["caller_agency"]).queryset = agencies
        self.helper = helper(
            Field("submission"),
            Field.text("caller_name", field_width=20),
            Field.text("caller_role", field_width=20),
            Field.radios("caller_is_professional", legend_size=Size.SMALL, inline=True),
            Field("caller_agency"),
            Field("phoned_on", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.text("phoned_time", field_width=5),
            form_tag=False,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["phoned_at"] = moment_from(self, "phoned_on", "phoned_time")
        if cleaned.get("caller_is_professional") is False and cleaned.get("caller_agency"):
            self.add_error(
                "caller_agency", "Leave the agency empty: the caller is not a professional"
            )
        return cleaned

    def referrer(self) -> services.Referrer:
        data = self.cleaned_data
        return services.Referrer(
            name=data["caller_name"].strip(),
            role=data["caller_role"].strip(),
            agency=data.get("caller_agency"),
            is_professional=data["caller_is_professional"],
        )


class PoliceForm(OneTimeForm):
    police_reference = forms.CharField(
        label="Police reference",
        help_text="For example the MERLIN number.",
        max_length=50,
        error_messages={"required": "Enter the police reference, for example the MERLIN number"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field("submission"), Field.text("police_reference", field_width=20), form_tag=False
        )


def referable_involvements(concern: Concern) -> list[ConcernChild]:
    """The children of a concern a referral is made for (one each; domain.md §2)."""
    return [i for i in concern.involvements_in_order() if i.part in REFERRED_PARTS]
