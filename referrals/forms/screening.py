"""The screening forms: the queue's filters, the screening record, allocation, follow-up."""

from typing import Any, cast

from crispy_forms_gds.layout import Field, Size, Submit
from django import forms
from django.core.exceptions import ValidationError

from hsb_portal.accounts.models import Agency, Membership
from hsb_portal.forms import helper, text_field
from referrals import selectors, services
from referrals.forms.common import ReferralVersionedForm
from referrals.models import (
    DECISIONS,
    NfaReason,
    Rag,
    Referral,
    ReferralStatus,
    ScreeningDecision,
)
from triage.models import Colour
from triage.models import YesNoUnknown as YNU

# Screening


class QueueFilterForm(forms.Form):
    """The screening queue's filters, sent as GET parameters."""

    status = forms.ChoiceField(
        label="Status",
        choices=[
            (selectors.STATUS_WAITING, "Waiting for a decision"),
            *ReferralStatus.choices,
            (selectors.STATUS_ALL, "All"),
        ],
        required=False,
    )
    colour = forms.ChoiceField(
        label="Traffic light colour", choices=[("", "Any"), *Colour.choices], required=False
    )
    age_band = forms.ChoiceField(
        label="Age",
        choices=[("", "Any"), *selectors.AGE_BAND_LABELS.items()],
        required=False,
    )
    referring_agency = forms.ModelChoiceField(
        label="Referring agency", queryset=Agency.objects.none(), required=False, empty_label="Any"
    )
    overdue = forms.BooleanField(label="Only overdue referrals", required=False)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = selectors.referring_agencies_for(membership)
        cast("forms.ModelChoiceField[Agency]", self.fields["referring_agency"]).queryset = agencies
        self.helper = helper(
            Field.select("status"),
            Field.select("colour"),
            Field.select("age_band"),
            Field.select("referring_agency"),
            Field.checkbox("overdue", small=True),
            Submit("filter", "Apply filters", css_class="govuk-button--secondary"),
        )
        self.helper.form_method = "get"

    def filters(self) -> selectors.QueueFilters:
        if not self.is_valid():
            return selectors.QueueFilters()
        data = self.cleaned_data
        return selectors.QueueFilters(
            status=data["status"] or selectors.STATUS_WAITING,
            colour=data["colour"],
            age_band=data["age_band"],
            referring_agency=data["referring_agency"],
            overdue=data["overdue"],
        )


class HandBackForm(ReferralVersionedForm):
    why = forms.CharField(
        label="Why are you handing it back?",
        max_length=2000,
        error_messages={"required": "Enter why you are handing the referral back"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field("version"),
            Field.text("why"),
            Submit("hand-back", "Hand back to the queue", css_class="govuk-button--secondary"),
        )


class ScreeningForm(ReferralVersionedForm):
    rag = forms.ChoiceField(
        label="What is your RAG rating?",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the RAG rating"},
    )
    decision = forms.ChoiceField(
        label="What is your decision?",
        choices=[(status.value, status.label) for status in DECISIONS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select your decision"},
    )
    rationale = text_field(
        "Why?",
        "Enter the reasons for your decision",
        max_length=10000,
        help_text="The checks you made and what they showed.",
    )
    nfa_reasons = forms.MultipleChoiceField(
        label="For no further action: the reasons",
        choices=NfaReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    support_needed = forms.ChoiceField(
        label="For no further action: does either child need further assessment or support?",
        choices=YNU.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    support_details = text_field("If yes, what support, and for which child?", max_length=5000)
    signposted_to = forms.CharField(
        label="Advice, signposting or specialist service: which service? (optional)",
        help_text="For example the NSPCC HSB service or CAMHS.",
        max_length=200,
        required=False,
    )

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referral = referral
        if referral.is_child_harmed_under_13:
            self.fields["decision"].help_text = (
                "The child harmed was under 13 on the date of the behaviour: no further action "
                "or Early Help alone cannot be chosen."
            )
        self.helper = helper(
            Field("version"),
            Field.radios("rag", legend_size=Size.MEDIUM, inline=True),
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.textarea("rationale", label_size=Size.SMALL, rows=5),
            Field.checkboxes("nfa_reasons", legend_size=Size.SMALL, small=True),
            Field.radios("support_needed", legend_size=Size.SMALL, inline=True),
            Field.textarea("support_details", rows=3),
            Field.text("signposted_to"),
            Submit("submit", "Save the screening decision"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The model states the rules (the under-13 rule among them); the form shows them.
        decision = ScreeningDecision(
            referral=self.referral,
            rag=cleaned["rag"],
            decision=cleaned["decision"],
            rationale=cleaned["rationale"],
            nfa_reasons=cleaned.get("nfa_reasons") or [],
            support_needed=cleaned.get("support_needed", ""),
            support_details=cleaned.get("support_details", ""),
        )
        try:
            decision.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned


class AllocationForm(ReferralVersionedForm):
    social_worker = forms.ModelChoiceField(
        label="Which social worker?",
        queryset=Membership.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the social worker"},
    )
    same_worker_reason = text_field(
        "If the same social worker has the other child, say why",
        max_length=5000,
        help_text="The child harmed and the child who has harmed have different social "
        "workers unless there is a recorded reason (DD 4).",
    )

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referral = referral
        workers = services.social_workers_for(referral.authority)
        social_worker = cast("forms.ModelChoiceField[Membership]", self.fields["social_worker"])
        social_worker.queryset = workers
        # Relabels this field's choices only; mypy cannot type a method set on an instance.
        social_worker.label_from_instance = lambda m: f"{m.user.full_name}, {m.agency.name}"  # type: ignore[method-assign,assignment]
        layout: list[Any] = [
            Field("version"),
            Field.radios("social_worker", legend_size=Size.MEDIUM),
        ]
        if referral.authority.allows_same_social_worker_with_reason:
            layout.append(Field.textarea("same_worker_reason", label_size=Size.SMALL, rows=3))
        else:
            del self.fields["same_worker_reason"]
        layout.append(Submit("submit", "Allocate"))
        self.helper = helper(*layout)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        worker = cleaned.get("social_worker")
        reason = cleaned.get("same_worker_reason", "")
        if worker is not None:
            problem = services.same_worker_problem(self.referral, worker, reason)
            if problem:
                field = "same_worker_reason" if "same_worker_reason" in self.fields else None
                self.add_error(field if field and not reason.strip() else "social_worker", problem)
        return cleaned


class FollowUpForm(ReferralVersionedForm):
    note = text_field(
        "How did it arrive? (optional)",
        max_length=2000,
        help_text="For example: e-CAF received by secure e-mail.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field("version"),
            Field.textarea("note", label_size=Size.SMALL, rows=2),
            Submit("follow-up", "Record the written follow-up"),
        )
