"""The traffic light rating, its colour, and the assessment considerations (domain.md §4)."""

from typing import Any

from crispy_forms_gds.layout import (
    Field,
    Fieldset,
    Size,
    Submit,
)
from django import forms
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from hsb_portal.forms import VersionedForm, helper
from triage.models import (
    BrookBand,
    BrookBehaviour,
    BrookEdition,
    Colour,
    ConcernChild,
    ContextAnswer,
    ContextKind,
    ContextQuestion,
    ContextSection,
    HarmfulSign,
    questions_in,
)
from triage.services import Answer


def hidden_suffix(text: str, question: str) -> SafeString:
    """A label that says which question it belongs to, to screen readers only."""
    return format_html('{} <span class="govuk-visually-hidden">for: {}</span>', text, question)


def context_fields(
    form: forms.Form, questions: list[ContextQuestion], *, required: bool
) -> list[Any]:
    """Add the fields for these assessment considerations to ``form``; return their layout,
    grouped by section, each section a GOV.UK fieldset."""
    layout: list[Any] = []
    by_section: dict[ContextSection, list[Any]] = {}
    for question in questions:
        items = by_section.setdefault(question.section, [])
        if question.kind != ContextKind.TEXT:
            form.fields[f"{question.code}_value"] = forms.ChoiceField(
                label=question.question,
                help_text=question.hint,
                choices=[(value.value, value.label) for value in question.values],
                widget=forms.RadioSelect,
                required=required,
                error_messages={
                    "required": f"Select an answer to the question: {question.question}"
                },
            )
            items.append(
                Field.radios(
                    f"{question.code}_value",
                    legend_size=Size.SMALL,
                    inline=len(question.values) <= 4,
                    small=True,
                )
            )
            evidence_label = hidden_suffix(
                "What is your answer based on? (optional)", question.question
            )
        else:
            evidence_label = format_html("{} (optional)", question.question)
        form.fields[f"{question.code}_evidence"] = forms.CharField(
            label=evidence_label,
            help_text=question.hint if question.kind == ContextKind.TEXT else "",
            widget=forms.Textarea,
            max_length=5000,
            required=False,
        )
        form.fields[f"{question.code}_source"] = forms.CharField(
            label=hidden_suffix(
                "Where did the information come from? (optional)", question.question
            ),
            max_length=200,
            required=False,
        )
        items += [
            Field.textarea(f"{question.code}_evidence", rows=2),
            Field.text(f"{question.code}_source"),
        ]
    for section, items in by_section.items():
        layout.append(
            Fieldset(*items, legend=f"{section.value}. {section.label}", legend_size=Size.MEDIUM)
        )
    return layout


def context_initial(
    questions: list[ContextQuestion], answers: list[ContextAnswer]
) -> dict[str, Any]:
    found = {answer.code: answer for answer in answers}
    initial: dict[str, str] = {}
    for question in questions:
        answer = found.get(question.code)
        if answer is not None:
            initial[f"{question.code}_value"] = answer.value
            initial[f"{question.code}_evidence"] = answer.evidence
            initial[f"{question.code}_source"] = answer.source
    return initial


def context_answers(form: forms.Form, questions: list[ContextQuestion]) -> dict[str, Answer]:
    data = form.cleaned_data
    return {
        question.code: Answer(
            value=data.get(f"{question.code}_value", ""),
            evidence=data.get(f"{question.code}_evidence", ""),
            source=data.get(f"{question.code}_source", ""),
        )
        for question in questions
    }


def behaviours_field_name(band: BrookBand, colour: str) -> str:
    return f"behaviours_{band.code.replace('-', '_')}_{colour}"


class RatingForm(VersionedForm):
    """The traffic light rating: the band, the behaviours ticked, anything not listed, the
    signs of harm, and the immediate safety questions."""

    behaviour_not_listed = forms.CharField(
        label="Describe any behaviour that is not on the list (optional)",
        help_text="Use this if what happened is not one of the behaviours listed.",
        widget=forms.Textarea,
        max_length=5000,
        required=False,
    )
    signs = forms.MultipleChoiceField(
        label="Which of these signs of harmful behaviour are there? (optional)",
        help_text="Signs that make sexual behaviour harmful (Camden protocol, section 4, after "
        "Chaffin and others, 2002). Select all that apply.",
        choices=HarmfulSign.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        involvement: ConcernChild,
        edition: BrookEdition,
        bands: list[BrookBand],
        behaviours: list[BrookBehaviour],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.bands = {band.code: band for band in bands}
        self.behaviours = {str(behaviour.pk): behaviour for behaviour in behaviours}
        child = involvement.child
        band_choices = [(band.code, band.label) for band in bands]
        if len(bands) > 1:
            self.fields["band"] = forms.ChoiceField(
                label="Which age band of the traffic light tool will you use?",
                # Labels, hints and legends are rendered unescaped by crispy-forms-gds, so
                # anything a person typed (a child's name) is escaped here.
                help_text=format_html(
                    "The tool offers more than one band for {}. Choose the one that fits their "
                    "development, then tick the behaviours in that band.",
                    child.full_name,
                ),
                choices=band_choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select the age band you will use",
                    "invalid_choice": "Select an age band offered for the child's age",
                },
            )
        else:
            self.fields["band"] = forms.ChoiceField(
                choices=band_choices,
                widget=forms.HiddenInput,
                initial=bands[0].code,
                error_messages={"invalid_choice": "Select an age band offered for the child's age"},
            )
        checklists: dict[str, list[Any]] = {}
        for band in bands:
            for colour in Colour:
                name = behaviours_field_name(band, colour)
                self.fields[name] = forms.MultipleChoiceField(
                    label=f"{colour.label} behaviours, {band.label}",
                    help_text=escape(edition.description(colour)),
                    choices=[
                        (str(b.pk), b.text)
                        for b in behaviours
                        if b.band_id == band.pk and b.colour == colour
                    ],
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                )
                checklists.setdefault(band.code, []).append(
                    Field.checkboxes(name, legend_size=Size.SMALL, small=True)
                )
        self.safety_questions = questions_in(ContextSection.A)
        safety = context_fields(self, self.safety_questions, required=True)
        if len(bands) > 1:
            # Each band's list is shown in full, not revealed under its radio: GOV.UK's
            # conditional reveal puts aria-expanded on radios, which axe reports (WCAG 4.1.2).
            band_layout: list[Any] = [
                Field.radios("band", legend_size=Size.MEDIUM),
                *(
                    Fieldset(
                        *checklists[band.code],
                        legend=f"Behaviours in the {band.label} band",
                        legend_size=Size.MEDIUM,
                    )
                    for band in bands
                ),
            ]
        else:
            band_layout = [
                Field("band"),
                Fieldset(
                    *checklists[bands[0].code],
                    legend=format_html(
                        "Which behaviours did {} show? Tick all that apply.", child.full_name
                    ),
                    legend_size=Size.MEDIUM,
                ),
            ]
        self.helper = helper(
            Field("version"),
            *band_layout,
            Field.textarea("behaviour_not_listed", label_size=Size.SMALL, rows=3),
            Field.checkboxes("signs", legend_size=Size.MEDIUM),
            *safety,
            Submit("submit", "Save and continue"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        code = cleaned.get("band")
        ticked: dict[str, list[BrookBehaviour]] = {}
        for band_code, band in self.bands.items():
            ticked[band_code] = [
                self.behaviours[pk]
                for colour in Colour
                for pk in cleaned.get(behaviours_field_name(band, colour), [])
            ]
        if code:
            elsewhere = [
                self.bands[other].label for other in ticked if other != code and ticked[other]
            ]
            if elsewhere:
                self.add_error(
                    "band",
                    f"You ticked behaviours in the {', '.join(elsewhere)} band: tick "
                    f"behaviours only in the band you chose, {self.bands[code].label}",
                )
            chosen = ticked[code]
            if not chosen and not cleaned.get("behaviour_not_listed", "").strip():
                self.add_error(
                    "behaviour_not_listed",
                    "Select the behaviours the child showed, or describe a behaviour that is "
                    "not on the list",
                )
            cleaned["band_object"] = self.bands[code]
            cleaned["behaviours"] = chosen
        cleaned["answers"] = context_answers(self, self.safety_questions)
        return cleaned


class ColourForm(VersionedForm):
    final_colour = forms.ChoiceField(
        label="What colour do you give the behaviour?",
        choices=Colour.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the colour you give the behaviour"},
    )
    colour_reason = forms.CharField(
        label="If you chose a colour other than the suggested one, say why",
        widget=forms.Textarea,
        max_length=5000,
        required=False,
    )

    def __init__(self, *args: Any, suggested: str, edition: BrookEdition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggested = suggested
        if suggested:
            self.fields["final_colour"].help_text = (
                f"The suggested colour is {Colour(suggested).label.lower()}: the most serious "
                "behaviour ticked. Your professional judgement decides."
            )
        else:
            self.fields["final_colour"].help_text = (
                "No listed behaviour was ticked, so there is no suggested colour. Choose the "
                "colour that fits the behaviour you described."
            )
        self.helper = helper(
            Field("version"),
            Field.radios("final_colour", legend_size=Size.MEDIUM),
            Field.textarea("colour_reason", label_size=Size.SMALL, rows=4),
            Submit("submit", "Save colour"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        final = cleaned.get("final_colour")
        if (
            final
            and self.suggested
            and final != self.suggested
            and not cleaned.get("colour_reason", "").strip()
        ):
            self.add_error(
                "colour_reason",
                "Explain why you chose a different colour from the suggested colour",
            )
        return cleaned


OPTIONAL_SECTIONS = (ContextSection.B, ContextSection.C, ContextSection.D, ContextSection.E)


class ContextForm(VersionedForm):
    """The assessment considerations B to E (domain.md §4); all optional."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions_in(*OPTIONAL_SECTIONS)
        layout = context_fields(self, self.questions, required=False)
        self.helper = helper(
            Field("version"), *layout, Submit("submit", "Save context considerations")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["answers"] = context_answers(self, self.questions)
        return cleaned
