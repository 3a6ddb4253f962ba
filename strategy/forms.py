"""The AIM assessment forms. They check input and say, in GOV.UK words, how to put it right;
the views pass what they clean to a service."""

from typing import Any, cast

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Size
from django import forms
from django.db.models import QuerySet
from django.utils.html import escape, format_html

from hsb_portal.accounts.models import Membership
from hsb_portal.forms import GovDateField, VersionedForm, check_not_in_future, helper
from hsb_portal.layout import Submit
from hsb_portal.submissions.tokens import OneTimeForm
from strategy.aim_catalogue import (
    MODEL_VERSIONS,
    Domain,
    Factor,
    ModelVersion,
    Reading,
    SupervisionLevel,
)
from strategy.services import FactorAnswer


class AimVersionedForm(VersionedForm):
    """A form that changes an assessment carries the version it was opened at."""

    back_to = "the assessment"


# Generic only in django-stubs: subscripting it fails at run time without django-stubs-ext.
class CoWorkerField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Membership) -> str:
        # Choice labels are escaped by the template; field labels and hints are not.
        return f"{obj.user.full_name}, {obj.described}"


class StartAssessmentForm(OneTimeForm):
    """Start an assessment, or a review of an earlier one (no choice of model then)."""

    model_version = forms.ChoiceField(
        label="Which AIM model will you use?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the AIM model you will use"},
    )
    started_on = GovDateField(
        what="the date the assessment started",
        label="When did the assessment start?",
        help_text="For example, 27 3 2026.",
    )
    co_workers = CoWorkerField(
        label="Who will work on the assessment with you? (optional)",
        help_text="Co-workers add information and rate factors. They do not need AIM "
        "certification; only the lead assessor does.",
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        co_workers: QuerySet[Membership],
        choose_model: bool = True,
        submit_label: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Membership]", self.fields["co_workers"]).queryset = co_workers
        layout: list[Any] = [Field("submission")]
        if choose_model:
            cast(forms.ChoiceField, self.fields["model_version"]).choices = [
                Choice(model.code, model.label, hint=_model_hint(model))
                for model in MODEL_VERSIONS.values()
            ]
            layout.append(Field.radios("model_version", legend_size=Size.MEDIUM))
        else:
            del self.fields["model_version"]
        layout += [
            Field("started_on", context={"legend_size": "govuk-fieldset__legend--m"}),
            Field.checkboxes("co_workers", legend_size=Size.MEDIUM, small=True),
            Submit("submit", submit_label),
        ]
        self.helper = helper(*layout)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_not_in_future(self, "started_on", "The date the assessment started")
        return cleaned


def _model_hint(model: ModelVersion) -> str:
    return f"{model.edition}, {model.ages}. {model.scoring_note}"


def factor_field(code: str, suffix: str) -> str:
    return f"{code.replace('.', '_').lower()}_{suffix}"


class DomainRatingForm(AimVersionedForm):
    """The scores and evidence for one domain's factors: GOV.UK radios for the scores the
    model allows, and what each score is based on."""

    def __init__(self, *args: Any, model: ModelVersion, domain: Domain, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domain = domain
        choices = [(str(score.value), f"{score.value}: {score.label}") for score in model.scores]
        layout: list[Any] = [Field("version")]
        for factor in domain.factors:
            score, evidence = (
                factor_field(factor.code, "value"),
                factor_field(factor.code, "evidence"),
            )
            self.fields[score] = forms.TypedChoiceField(
                label=escape(factor.label),
                help_text=escape(_describe(factor)),
                choices=choices,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": f"Select a score for {factor.label}"},
            )
            self.fields[evidence] = forms.CharField(
                label=format_html(
                    'What is the score based on? <span class="govuk-visually-hidden">'
                    "{}</span> (optional)",
                    factor.label,
                ),
                widget=forms.Textarea,
                max_length=5000,
                required=False,
            )
            layout += [
                Field.radios(score, legend_size=Size.MEDIUM, inline=True),
                Field.textarea(evidence, rows=3),
            ]
        layout.append(Submit("submit", "Save and continue"))
        self.helper = helper(*layout)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for factor in self.domain.factors:
            score, evidence = (
                factor_field(factor.code, "value"),
                factor_field(factor.code, "evidence"),
            )
            if (
                cleaned.get(evidence, "").strip()
                and cleaned.get(score) is None
                and score not in self.errors
            ):
                self.add_error(
                    score, f"Select a score for {factor.label}, or remove what it is based on"
                )
        return cleaned

    def answers(self) -> dict[str, FactorAnswer]:
        return {
            factor.code: FactorAnswer(
                value=self.cleaned_data.get(factor_field(factor.code, "value")),
                evidence=self.cleaned_data.get(factor_field(factor.code, "evidence"), ""),
            )
            for factor in self.domain.factors
        }


def _describe(factor: Factor) -> str:
    """The factor's code and how it reads, e.g. "AIM2.HB.5: dynamic, a strength"."""
    parts = [str(factor.kind)] if factor.kind else []
    if factor.reading == Reading.STRENGTH:
        parts.append("a strength")
    return f"{factor.code}: {', '.join(parts)}" if parts else factor.code


def rating_initial(domain: Domain, ratings: dict[str, Any], version: int) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": version}
    for factor in domain.factors:
        rating = ratings.get(factor.code)
        if rating is not None:
            initial[factor_field(factor.code, "value")] = str(rating.value)
            initial[factor_field(factor.code, "evidence")] = rating.evidence
    return initial


class CompleteAssessmentForm(AimVersionedForm):
    completed_on = GovDateField(
        what="the date the assessment was completed",
        label="When was the assessment completed?",
        help_text="For example, 27 3 2026. You must have been certified by the AIM Project by "
        "this date.",
    )
    supervision_level = forms.ChoiceField(
        label="What level of supervision does the child need?",
        help_text="From your formulation of the profile.",
        choices=SupervisionLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the level of supervision the child needs"},
    )
    recommendations = forms.CharField(
        label="What do you recommend?",
        help_text="The safety plan, the supervision needed and the work to be done, and by whom.",
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": "Enter your recommendations"},
    )

    def __init__(self, *args: Any, model: ModelVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        layout: list[Any] = [
            Field("version"),
            Field("completed_on", context={"legend_size": "govuk-fieldset__legend--m"}),
        ]
        if model.gives_supervision_level:
            # AIM2's outcome matrix gives the supervision level.
            del self.fields["supervision_level"]
        else:
            layout.append(Field.radios("supervision_level", legend_size=Size.MEDIUM, inline=True))
        layout += [
            Field.textarea("recommendations", label_size=Size.MEDIUM, rows=8),
            Submit("submit", "Complete the assessment"),
        ]
        self.helper = helper(*layout)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_not_in_future(self, "completed_on", "The date the assessment was completed")
        return cleaned
