"""AIM assessments of a child who has harmed (domain.md §7).

An assessment uses one model version of ``strategy.aim_catalogue``: a factor rating stores the
factor's code and score, and a completed assessment stores its outcome, so it reads the same
however the catalogue grows. Only a practitioner certified by the AIM Project may lead one; a
review is a new assessment linked to the earlier one, never a change to it.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from hsb_portal.accounts.models import Agency, Membership, User
from strategy import aim_catalogue
from strategy.aim_catalogue import DomainScore, Level, ModelVersion, Outcome, SupervisionLevel
from triage.models import Child


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    COMPLETED = "completed", "Completed"


def certification_problem(user: User, on: date, *, doing: str) -> str:
    """Why ``user`` may not lead an AIM assessment on ``on``, in GOV.UK words; "" if they may.

    An AIM assessment led by someone the AIM Project has not certified is invalid (aimproject,
    domain.md §7). Co-workers add information and need no certification.
    """
    certified = user.aim_certified_on
    if certified is None:
        return (
            f"Only practitioners certified by the AIM Project can {doing} an AIM assessment. "
            "Your account has no AIM certification date: ask your administrator to record it."
        )
    if certified > on:
        return (
            f"You were certified by the AIM Project on {_day(certified)}, so you cannot "
            f"{doing} an AIM assessment dated {_day(on)}."
        )
    return ""


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class AimAssessment(models.Model):
    """One AIM assessment of one child who has harmed, by a certified lead assessor."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Every change bumps the version; a save carrying an older one is refused (security.md §5).
    version = models.PositiveIntegerField(default=1)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="aim_assessments")
    model_version = models.CharField(
        "AIM model", max_length=20, choices=aim_catalogue.model_version_choices
    )
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    lead_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="aim_assessments_led"
    )
    # The agency the lead assessor acted for when starting it (Derby CSC: the lead agency leads).
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    co_workers = models.ManyToManyField(
        Membership,
        blank=True,
        related_name="aim_assessments",
        help_text="People who add information, each acting in one role for one agency.",
    )
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    review_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        help_text="The earlier assessment of the same child that this one reviews.",
    )
    # The outcome, kept as it was when completed.
    concern_total = models.PositiveSmallIntegerField(null=True, blank=True)
    strength_total = models.PositiveSmallIntegerField(null=True, blank=True)
    concern_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    strength_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    domain_profile = models.JSONField(default=list, blank=True)
    supervision_level = models.CharField(
        max_length=10, choices=SupervisionLevel.choices, blank=True
    )
    refer_for_treatment = models.BooleanField(null=True, blank=True)
    recommendations = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = "AIM assessment"
        indexes = [
            models.Index(fields=["child", "started_on"], name="aim_child_idx"),
            models.Index(fields=["lead_assessor", "started_on"], name="aim_lead_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=AssessmentStatus.DRAFT, completed_on__isnull=True)
                | (
                    models.Q(status=AssessmentStatus.COMPLETED, completed_on__isnull=False)
                    & ~models.Q(supervision_level="")
                ),
                name="aim_completed_has_outcome",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True)
                | models.Q(completed_on__gte=models.F("started_on")),
                name="aim_completed_after_started",
            ),
            models.CheckConstraint(
                condition=~models.Q(review_of=models.F("pk")),
                name="aim_review_of_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model.label} {self.reference}"

    @property
    def reference(self) -> str:
        return f"AIM-{self.public_id.hex[:8].upper()}"

    @property
    def model(self) -> ModelVersion:
        return aim_catalogue.model_version(self.model_version)

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT

    @property
    def is_completed(self) -> bool:
        return self.status == AssessmentStatus.COMPLETED

    def is_led_by(self, membership: Membership) -> bool:
        return (
            self.lead_assessor_id == membership.user_id
            and self.lead_agency_id == membership.agency_id
        )

    def is_worked_on_by(self, membership: Membership) -> bool:
        """The lead assessor, acting for the lead agency, or a co-worker in that role.
        Reads the prefetched co-workers."""
        co_workers = self.co_workers.all()
        return self.is_led_by(membership) or any(m.pk == membership.pk for m in co_workers)

    @property
    def outcome(self) -> Outcome | None:
        """The outcome as it was recorded on completion; None for a draft."""
        if not self.is_completed:
            return None
        return Outcome(
            domains=tuple(DomainScore(**score) for score in self.domain_profile),
            concern_total=self.concern_total,
            strength_total=self.strength_total,
            concern_level=self.concern_level,
            strength_level=self.strength_level,
            supervision_level=self.supervision_level,
            refer_for_treatment=self.refer_for_treatment,
        )

    def ratings_by_code(self) -> dict[str, "AimFactorRating"]:
        """The ratings, by factor code (reads prefetched ratings)."""
        return {rating.factor: rating for rating in self.ratings.all()}


class AimFactorRating(models.Model):
    """The score given to one factor, and what it is based on."""

    assessment = models.ForeignKey(AimAssessment, on_delete=models.CASCADE, related_name="ratings")
    # A factor code of the assessment's model version, e.g. "AIM3.SB.1".
    factor = models.CharField(max_length=20)
    value = models.PositiveSmallIntegerField()
    evidence = models.TextField(blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment", "factor"]
        verbose_name = "AIM factor rating"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"], name="aim_factor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.factor}: {self.value}"
