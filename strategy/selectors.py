"""The reads the AIM pages render: each filters by the access policy and fetches, in a fixed
number of queries, everything its template touches."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from hsb_portal import access
from hsb_portal.accounts import roles
from hsb_portal.accounts.models import Membership
from strategy.aim_catalogue import Domain, Factor
from strategy.models import AimAssessment, AimFactorRating, AssessmentStatus
from triage.models import Child, ConcernChild, ConcernStatus, Part

# Who may be named to work on an assessment with the lead assessor: the practitioners,
# safeguarding leads and social workers of the agencies serving the child's authority.


def has_harmed(child: Child) -> bool:
    """Is the child recorded as a child who has harmed in a concern that was sent on?

    A draft is not yet a concern (triage), so it does not count.
    """
    return (
        ConcernChild.objects.filter(child=child, part=Part.CHILD_WHO_HARMED)
        .exclude(concern__status=ConcernStatus.DRAFT)
        .exists()
    )


def child_for_aim() -> QuerySet[Child]:
    return Child.objects.select_related("authority")


def _co_workers() -> "Prefetch[str, QuerySet[Membership], str]":
    return Prefetch(
        "co_workers", queryset=Membership.objects.select_related("user", "agency").order_by("pk")
    )


def aim_assessments_of(child: Child, membership: Membership | None) -> QuerySet[AimAssessment]:
    """The child's AIM assessments this membership may see, most recent first."""
    return (
        access.visible(membership, AimAssessment.objects.filter(child=child))
        .select_related("lead_assessor", "lead_agency", "review_of")
        .order_by("-started_on", "-pk")
    )


def aim_assessment_for_page() -> QuerySet[AimAssessment]:
    """An assessment with its child, people, ratings and the assessment it reviews."""
    return AimAssessment.objects.select_related(
        "child", "child__authority", "lead_assessor", "lead_agency", "review_of"
    ).prefetch_related(
        _co_workers(),
        Prefetch("ratings", queryset=AimFactorRating.objects.select_related("rated_by")),
    )


def visible_reviews(
    assessment: AimAssessment, membership: Membership | None
) -> QuerySet[AimAssessment]:
    """The reviews of ``assessment`` this membership may see, earliest first."""
    return (
        access.visible(membership, AimAssessment.objects.filter(review_of=assessment))
        .select_related("lead_assessor")
        .order_by("started_on", "pk")
    )


def co_worker_choices(child: Child, *, lead: Membership) -> QuerySet[Membership]:
    """The people who may be named as co-workers, each in one role for one agency."""
    return (
        Membership.objects.filter(
            is_active=True,
            user__is_active=True,
            role__in=sorted(roles.CO_WORKERS),
            agency__authorities=child.authority_id,
        )
        .exclude(pk=lead.pk)
        .select_related("user", "agency")
        .distinct()
        .order_by("user__full_name", "agency__name", "role", "pk")
    )


def aim_assessments_worked_on_by(membership: Membership) -> QuerySet[AimAssessment]:
    """Draft assessments this membership leads or works on, for My work (no children named)."""
    named = AimAssessment.co_workers.through.objects.filter(membership=membership.pk)
    own = AimAssessment.objects.filter(
        lead_assessor=membership.user_id, lead_agency=membership.agency_id
    ) | AimAssessment.objects.filter(pk__in=named.values("aimassessment_id"))
    return own.filter(status=AssessmentStatus.DRAFT).order_by("started_on", "pk")


@dataclass
class FactorRow:
    factor: Factor
    value: int | None
    score_label: str
    evidence: str


@dataclass
class DomainRows:
    domain: Domain
    rows: list[FactorRow]

    @property
    def rated_count(self) -> int:
        return sum(1 for row in self.rows if row.value is not None)


def domain_rows(assessment: AimAssessment) -> list[DomainRows]:
    """Each domain of the model with its factors and their ratings (reads prefetched ratings)."""
    rated = assessment.ratings_by_code()
    model = assessment.model
    result = []
    for domain in model.domains:
        rows = []
        for factor in domain.factors:
            rating = rated.get(factor.code)
            value = rating.value if rating else None
            rows.append(
                FactorRow(
                    factor=factor,
                    value=value,
                    score_label=model.score_label(value) if value is not None else "",
                    evidence=rating.evidence if rating else "",
                )
            )
        result.append(DomainRows(domain, rows))
    return result


def ratings_map(assessment: AimAssessment) -> dict[str, int]:
    return {code: rating.value for code, rating in assessment.ratings_by_code().items()}
