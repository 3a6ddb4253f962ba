"""The strategy use-cases: AIM assessments (domain.md §7).

Each runs in one transaction, takes the record's next version before it writes (so of two
people saving from the same version only one succeeds, and the other is told), and writes its
audit event in the same transaction as the change.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from hsb_portal.accounts.models import Membership, User
from hsb_portal.audit import log as audit
from hsb_portal.audit.models import Action
from hsb_portal.conflicts import claim_version
from hsb_portal.submissions.tokens import once
from strategy import aim_catalogue, selectors
from strategy.models import AimAssessment, AimFactorRating, AssessmentStatus, certification_problem
from triage.models import Child


class AimRuleBroken(Exception):
    """A rule of AIM assessments refuses this; the message says why, in GOV.UK words."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotAimCertified(AimRuleBroken):
    """The person leading it is not certified by the AIM Project on that date."""


class NotAChildWhoHasHarmed(AimRuleBroken):
    """AIM assesses a child who has harmed; this child is not one in any concern."""


class NotTheLeadAssessor(AimRuleBroken):
    """Only the lead assessor completes an assessment."""


class AssessmentCompleted(AimRuleBroken):
    """A completed assessment is never changed."""


class InvalidReview(AimRuleBroken):
    """A review must follow a completed assessment of the same child, in the same model."""


class AssessmentIncomplete(AimRuleBroken):
    """Not every factor is rated yet; ``problems`` says what to rate."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class FactorAnswer:
    """A factor's score (None: not rated yet) and what it is based on."""

    value: int | None
    evidence: str = ""


def unrated_problems(model: aim_catalogue.ModelVersion, ratings: Mapping[str, int]) -> list[str]:
    """What must be rated before completion, one line per domain (GOV.UK words)."""
    problems = []
    for domain in model.domains:
        missing = sum(1 for factor in domain.factors if factor.code not in ratings)
        if missing:
            count = "1 factor is" if missing == 1 else f"{missing} factors are"
            problems.append(f"Rate every factor in {domain.label}: {count} not rated")
    return problems


def _claim(assessment: AimAssessment, version: int) -> None:
    """Take the assessment's next version, or refuse with ``StaleRecord``."""
    claim_version(assessment, version, what="this assessment")


def _refuse_if_completed(assessment: AimAssessment) -> None:
    # Read from the database: the copy in hand may be older than the claim just taken.
    status = AimAssessment.objects.values_list("status", flat=True).get(pk=assessment.pk)
    if status == AssessmentStatus.COMPLETED:
        raise AssessmentCompleted(
            "This assessment has been completed and cannot be changed. Start a review instead."
        )


def _start(
    *,
    child: Child,
    model: aim_catalogue.ModelVersion,
    started_on: date,
    co_workers: Iterable[Membership],
    review_of: AimAssessment | None,
    by: User,
    membership: Membership,
) -> AimAssessment:
    if started_on > timezone.localdate():
        raise AimRuleBroken("The date started must be today or in the past.")
    problem = certification_problem(by, started_on, doing="start")
    if problem:
        raise NotAimCertified(problem)
    if not selectors.has_harmed(child):
        raise NotAChildWhoHasHarmed(
            f"{child.full_name} is not recorded as a child who has harmed in any concern, so an "
            "AIM assessment cannot be started for them."
        )
    if review_of is not None:
        _check_review(review_of, child=child, model=model, started_on=started_on)
    assessment = AimAssessment.objects.create(
        child=child,
        model_version=model.code,
        lead_assessor=by,
        lead_agency=membership.agency,
        started_on=started_on,
        review_of=review_of,
    )
    assessment.co_workers.set([m for m in co_workers if m.pk != membership.pk])
    detail = f"{model.label} assessment started"
    if review_of is not None:
        detail += f", reviewing {review_of.reference}"
    audit.record(
        by,
        Action.CREATE,
        assessment,
        membership=membership,
        children=[child.public_id],
        detail=detail,
    )
    return assessment


def _check_review(
    earlier: AimAssessment, *, child: Child, model: aim_catalogue.ModelVersion, started_on: date
) -> None:
    if earlier.child_id != child.pk:
        raise InvalidReview("A review must be of an earlier assessment of the same child.")
    if not earlier.is_completed:
        raise InvalidReview("Only a completed assessment can be reviewed.")
    if earlier.model.family != model.family:
        raise InvalidReview(
            f"A review of an {earlier.model.label} assessment must use {earlier.model.label}."
        )
    if earlier.completed_on is not None and started_on < earlier.completed_on:
        raise InvalidReview(
            "The review must start on or after the day the earlier assessment was completed."
        )


@transaction.atomic(durable=True)
def start_aim_assessment(
    *,
    child: Child,
    model_version: str,
    started_on: date,
    co_workers: Iterable[Membership],
    submission: UUID,
    by: User,
    membership: Membership,
) -> AimAssessment:
    """Start an AIM assessment of a child who has harmed, led by ``by`` for their agency."""
    with once(submission, form="AIM assessment", by=by) as sent:
        assessment = _start(
            child=child,
            model=aim_catalogue.model_version(model_version),
            started_on=started_on,
            co_workers=co_workers,
            review_of=None,
            by=by,
            membership=membership,
        )
        sent.created(assessment)
    return assessment


@transaction.atomic(durable=True)
def start_aim_review(
    *,
    earlier: AimAssessment,
    child: Child,
    started_on: date,
    co_workers: Iterable[Membership],
    submission: UUID,
    by: User,
    membership: Membership,
) -> AimAssessment:
    """Start a review: a new assessment of the same child, in the current version of the
    earlier one's model, linked to it. AIM3 is re-scored at reviews (domain.md §7)."""
    with once(submission, form="AIM review", by=by) as sent:
        review = _start(
            child=child,
            model=aim_catalogue.current_version(earlier.model.family),
            started_on=started_on,
            co_workers=co_workers,
            review_of=earlier,
            by=by,
            membership=membership,
        )
        sent.created(review)
    return review


@transaction.atomic(durable=True)
def rate_aim_domain(
    *,
    assessment: AimAssessment,
    domain_code: str,
    answers: Mapping[str, FactorAnswer],
    version: int,
    by: User,
    membership: Membership,
) -> AimAssessment:
    """Record the scores and evidence for one domain's factors. A factor left without a score
    is not rated yet (its evidence goes with it)."""
    _claim(assessment, version)
    _refuse_if_completed(assessment)
    model = assessment.model
    domain = model.domain(domain_code)
    if domain is None:
        raise ValueError(f"{domain_code} is not a domain of {model.label}")
    codes = {factor.code for factor in domain.factors}
    if set(answers) - codes:
        raise ValueError(f"Not factors of {domain.label}: {sorted(set(answers) - codes)}")
    unrated = [code for code, answer in answers.items() if answer.value is None]
    AimFactorRating.objects.filter(assessment=assessment, factor__in=unrated).delete()
    now = timezone.now()
    for code, answer in answers.items():
        if answer.value is None:
            continue
        if answer.value not in model.allowed_values:
            raise ValueError(f"{answer.value} is not a score {model.label} allows")
        AimFactorRating.objects.update_or_create(
            assessment=assessment,
            factor=code,
            defaults={
                "value": answer.value,
                "evidence": answer.evidence.strip(),
                "rated_by": by,
                "rated_at": now,
            },
        )
    audit.record(
        by,
        Action.CHANGE,
        assessment,
        membership=membership,
        children=[assessment.child.public_id],
        detail=f"rated {domain.label}",
    )
    return assessment


@transaction.atomic(durable=True)
def complete_aim_assessment(
    *,
    assessment: AimAssessment,
    completed_on: date,
    supervision_level: str,
    recommendations: str,
    version: int,
    by: User,
    membership: Membership,
) -> AimAssessment:
    """Complete the assessment with its outcome, computed from the scores by the model's own
    rule. Only the lead assessor completes it, certified on the day of completion; once
    completed it never changes."""
    _claim(assessment, version)
    _refuse_if_completed(assessment)
    if not assessment.is_led_by(membership) or by.pk != assessment.lead_assessor_id:
        raise NotTheLeadAssessor(
            f"Only the lead assessor, {assessment.lead_assessor.full_name}, can complete this "
            "assessment."
        )
    problem = certification_problem(by, completed_on, doing="complete")
    if problem:
        raise NotAimCertified(problem)
    if completed_on > timezone.localdate():
        raise AimRuleBroken("The date completed must be today or in the past.")
    if completed_on < assessment.started_on:
        raise AimRuleBroken("The date completed must be on or after the date it was started.")
    ratings = dict(
        AimFactorRating.objects.filter(assessment=assessment).values_list("factor", "value")
    )
    problems = unrated_problems(assessment.model, ratings)
    if problems:
        raise AssessmentIncomplete(problems)
    outcome = assessment.model.outcome(ratings)
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_on = completed_on
    assessment.completed_at = timezone.now()
    assessment.concern_total = outcome.concern_total
    assessment.strength_total = outcome.strength_total
    assessment.concern_level = outcome.concern_level
    assessment.strength_level = outcome.strength_level
    assessment.domain_profile = [score.as_json() for score in outcome.domains]
    # The model's matrix gives the supervision level where it has one (AIM2); otherwise the
    # assessor's judgement is recorded (AIM3 does not reduce risk to a level; domain.md §7).
    assessment.supervision_level = outcome.supervision_level or supervision_level
    assessment.refer_for_treatment = outcome.refer_for_treatment
    assessment.recommendations = recommendations.strip()
    assessment.save(
        update_fields=[
            "status",
            "completed_on",
            "completed_at",
            "concern_total",
            "strength_total",
            "concern_level",
            "strength_level",
            "domain_profile",
            "supervision_level",
            "refer_for_treatment",
            "recommendations",
        ]
    )
    audit.record(
        by,
        Action.CHANGE,
        assessment,
        membership=membership,
        children=[assessment.child.public_id],
        detail="completed",
    )
    return assessment
