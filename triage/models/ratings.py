"""A Brook traffic light rating of one child's behaviour, and the context around it."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from triage.models.brook import BrookBand, BrookBehaviour, Colour
from triage.models.concerns import ConcernChild


class HarmfulSign(models.TextChoices):
    """Signs that make sexual behaviour harmful (CA 4, after Chaffin et al. 2002; domain.md §3).

    Each value is the name of the rating's boolean field that records it.
    """

    MORE_OFTEN = (
        "sign_more_often_than_expected",
        "It happens more often than expected for the child's development",
    )
    INTERFERES = "sign_interferes_with_development", "It interferes with the child's development"
    COERCION = "sign_coercion_intimidation_or_force", "It involves coercion, intimidation or force"
    DISTRESS = "sign_emotional_distress", "It causes emotional distress"
    DIVERGENT = (
        "sign_divergent_ages_or_abilities",
        "It involves children of different ages or abilities",
    )
    RECURS_IN_SECRET = (
        "sign_recurs_in_secret",
        "It happens again, in secret, after carers have stepped in",
    )


class BrookRating(models.Model):
    """The traffic light rating of the behaviour of one child who has harmed, on one concern."""

    involvement = models.OneToOneField(
        ConcernChild, on_delete=models.CASCADE, related_name="rating"
    )
    band = models.ForeignKey(BrookBand, on_delete=models.PROTECT, related_name="+")
    age_on_date = models.PositiveSmallIntegerField(
        help_text="The child's age in years on the date of the behaviour."
    )
    developmental_age = models.PositiveSmallIntegerField(null=True, blank=True)
    offered_band_codes = models.CharField(
        max_length=40, help_text="The bands offered for the ages, comma-separated."
    )
    behaviours = models.ManyToManyField(BrookBehaviour, blank=True, related_name="+")
    behaviour_not_listed = models.TextField(blank=True)
    suggested_colour = models.CharField(
        max_length=5,
        choices=Colour.choices,
        blank=True,
        help_text="The most serious colour ticked; blank when only unlisted behaviour is given.",
    )
    final_colour = models.CharField(max_length=5, choices=Colour.choices, blank=True)
    colour_reason = models.TextField(blank=True)
    sign_more_often_than_expected = models.BooleanField(default=False)
    sign_interferes_with_development = models.BooleanField(default=False)
    sign_coercion_intimidation_or_force = models.BooleanField(default=False)
    sign_emotional_distress = models.BooleanField(default=False)
    sign_divergent_ages_or_abilities = models.BooleanField(default=False)
    sign_recurs_in_secret = models.BooleanField(default=False)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(suggested_colour="")
                | models.Q(final_colour="")
                | models.Q(final_colour=models.F("suggested_colour"))
                | ~models.Q(colour_reason=""),
                name="rating_changed_colour_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.band.label}: {self.get_final_colour_display() or 'not finished'}"

    @property
    def offered(self) -> tuple[str, ...]:
        return tuple(code for code in self.offered_band_codes.split(",") if code)

    @property
    def colour_differs(self) -> bool:
        return bool(self.suggested_colour) and self.final_colour != self.suggested_colour

    @property
    def signs(self) -> list[str]:
        return [sign.label for sign in HarmfulSign if getattr(self, sign.value)]

    def clean(self) -> None:
        errors = {}
        if self.band_id is not None and self.band.code not in self.offered:
            errors["band"] = "Select an age band offered for the child's age"
        if self.final_colour and self.colour_differs and not self.colour_reason.strip():
            errors["colour_reason"] = (
                "Explain why you chose a different colour from the suggested colour"
            )
        if errors:
            raise ValidationError(errors)


class ContextKind(models.TextChoices):
    YES_NO = "yes_no", "Yes, no or not known"
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledges, minimises or denies"
    MODALITY = "modality", "Verbal, physical, online or images"
    PATTERN = "pattern", "One-off or pattern"
    TEXT = "text", "Described in words"


class ContextValue(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"
    ACKNOWLEDGES = "acknowledges", "Acknowledges it"
    MINIMISES = "minimises", "Minimises it"
    DENIES = "denies", "Denies it"
    VERBAL = "verbal", "Verbal"
    PHYSICAL = "physical", "Physical"
    ONLINE = "online", "Online"
    IMAGES = "images", "Youth-produced sexual images"
    MORE_THAN_ONE = "more_than_one", "More than one of these"
    ONE_OFF = "one_off", "A one-off"
    PATTERN = "pattern", "Part of a pattern"


V = ContextValue
VALUES_FOR_KIND: dict[str, tuple[ContextValue, ...]] = {
    ContextKind.YES_NO: (V.YES, V.NO, V.NOT_KNOWN),
    ContextKind.ACKNOWLEDGEMENT: (V.ACKNOWLEDGES, V.MINIMISES, V.DENIES, V.NOT_KNOWN),
    ContextKind.MODALITY: (V.VERBAL, V.PHYSICAL, V.ONLINE, V.IMAGES, V.MORE_THAN_ONE, V.NOT_KNOWN),
    ContextKind.PATTERN: (V.ONE_OFF, V.PATTERN, V.NOT_KNOWN),
    ContextKind.TEXT: (),
}


class ContextSection(models.TextChoices):
    A = "A", "Immediate safety"
    B = "B", "The behaviour"
    C = "C", "The child who has harmed"
    D = "D", "The child harmed"
    E = "E", "Relationships and context"


@dataclass(frozen=True)
class ContextQuestion:
    code: str
    section: ContextSection
    question: str
    kind: ContextKind = ContextKind.YES_NO
    hint: str = ""

    @property
    def values(self) -> tuple[ContextValue, ...]:
        return VALUES_FOR_KIND[self.kind]


S = ContextSection
K = ContextKind
# The assessment considerations of domain.md §4, A to E (ST App. 2 and DD 3). The child's age and
# the victim's age are not asked: they come from the dates of birth and the date of the behaviour.
CONTEXT_QUESTIONS: tuple[ContextQuestion, ...] = (
    ContextQuestion(
        "all_children_protected",
        S.A,
        "Is every child involved protected now, and anyone else in contact with the child "
        "who has harmed?",
    ),
    ContextQuestion(
        "carer_response_and_capacity",
        S.A,
        "Can the parents or carers protect their own children and supervise around other children?",
        hint="Say how they responded when they were told.",
    ),
    ContextQuestion("both_agreed", S.B, "Did both children agree to what happened?"),
    ContextQuestion("age_appropriate", S.B, "Is the behaviour appropriate for their ages?"),
    ContextQuestion("frequency", S.B, "How often has the behaviour happened?", K.TEXT),
    ContextQuestion("duration", S.B, "Over what period has it happened?", K.TEXT),
    ContextQuestion("one_off_or_pattern", S.B, "Was it a one-off or part of a pattern?", K.PATTERN),
    ContextQuestion(
        "changed_over_time",
        S.B,
        "Has the behaviour become more severe or more frequent over time?",
    ),
    ContextQuestion(
        "aggression_force_coercion_bribery",
        S.B,
        "Was there aggression, force, coercion or bribery?",
    ),
    ContextQuestion("bullying", S.B, "Was there bullying?"),
    ContextQuestion("physical_aggression", S.B, "Was there physical aggression?"),
    ContextQuestion("secrecy_attempts", S.B, "Were there attempts to keep it secret?"),
    ContextQuestion("modality", S.B, "How did the behaviour happen?", K.MODALITY),
    ContextQuestion("others_involved", S.B, "Were other children or adults involved?"),
    ContextQuestion("crime_committed", S.B, "Has a crime been committed?"),
    ContextQuestion(
        "inappropriate_sexual_knowledge_or_motivation",
        S.B,
        "Does the child show sexual knowledge or motivation that is not appropriate for their age?",
    ),
    ContextQuestion(
        "evidence_records",
        S.B,
        "Which records show how often it happened, whether it escalated and how intense it was?",
        K.TEXT,
    ),
    ContextQuestion(
        "previous_hsb_or_boundary_concerns",
        S.C,
        "Have there been earlier concerns about harmful sexual behaviour or boundaries?",
    ),
    ContextQuestion(
        "acknowledgement", S.C, "Does the child acknowledge the behaviour?", K.ACKNOWLEDGEMENT
    ),
    ContextQuestion(
        "criminal_prosecution_status",
        S.C,
        "How likely is a prosecution, or how far has one gone?",
        K.TEXT,
    ),
    ContextQuestion("victim_of_abuse_themselves", S.C, "Has the child been abused themselves?"),
    ContextQuestion("developmental_stage", S.C, "What is the child's developmental stage?", K.TEXT),
    ContextQuestion(
        "capacity_to_understand_and_decide",
        S.C,
        "Can the child understand and make decisions, including about the effects of coercion?",
    ),
    ContextQuestion(
        "family_and_social_circumstances",
        S.C,
        "What are the child's family and social circumstances?",
        K.TEXT,
    ),
    ContextQuestion(
        "learning_or_emotional_difficulty_or_disability",
        S.C,
        "Does the child have a learning or emotional difficulty, or a disability?",
    ),
    ContextQuestion(
        "needs_considered_separately",
        S.C,
        "Have the child's own needs been considered separately?",
    ),
    ContextQuestion("victim_vulnerability", S.D, "Is the child harmed particularly vulnerable?"),
    ContextQuestion("victim_disability", S.D, "Does the child harmed have a disability?"),
    ContextQuestion(
        "impact_on_victim", S.D, "What has the impact been on the child harmed?", K.TEXT
    ),
    ContextQuestion(
        "victim_experience_perception_and_wishes",
        S.D,
        "How does the child harmed describe what happened, and what do they want to happen?",
        K.TEXT,
    ),
    ContextQuestion(
        "victim_needs_separately_assessed",
        S.D,
        "Are the needs of the child harmed being assessed separately?",
    ),
    ContextQuestion(
        "post_abuse_intervention_needed",
        S.D,
        "Does the child harmed need support to recover from what happened?",
    ),
    ContextQuestion(
        "chronological_age_gap", S.E, "Is there a significant difference in the children's ages?"
    ),
    ContextQuestion(
        "developmental_age_gap",
        S.E,
        "Is there a significant difference in their developmental ages?",
    ),
    ContextQuestion(
        "power_differentials",
        S.E,
        "Is there a difference in power between them?",
        hint="For example race, a physical or other vulnerability, or authority.",
    ),
    ContextQuestion(
        "risks_to_others",
        S.E,
        "Are others at risk?",
        hint="Children in the household, extended family, school or college, peer group, "
        "the wider network, or adults.",
    ),
)
QUESTIONS_BY_CODE = {question.code: question for question in CONTEXT_QUESTIONS}
# Immediate safety comes first in every procedure (ST App. 2; strategy agenda item 1 in
# domain.md §6), so it is answered with the rating itself; the rest is optional.
REQUIRED_SECTIONS = frozenset({ContextSection.A})


def questions_in(*sections: ContextSection) -> list[ContextQuestion]:
    return [question for question in CONTEXT_QUESTIONS if question.section in sections]


class ContextAnswer(models.Model):
    """One answer to an assessment consideration: a value, the evidence and its source."""

    rating = models.ForeignKey(
        BrookRating, on_delete=models.CASCADE, related_name="context_answers"
    )
    code = models.CharField(
        max_length=60, choices=[(q.code, q.question) for q in CONTEXT_QUESTIONS]
    )
    value = models.CharField(max_length=20, choices=ContextValue.choices, blank=True)
    evidence = models.TextField(blank=True)
    source = models.CharField("source of the information", max_length=200, blank=True)

    class Meta:
        ordering = ["rating", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rating", "code"], name="one_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.value or self.evidence[:40]}"

    @property
    def question(self) -> ContextQuestion:
        return QUESTIONS_BY_CODE[self.code]
