"""The MASH's screening record of a referral, and the social worker allocated to the child."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from hsb_portal.accounts.models import Membership
from referrals.models.referrals import (
    DECISIONS,
    NOT_FOR_A_CHILD_HARMED_UNDER_13,
    Referral,
    ReferralStatus,
)
from triage.models import YesNoUnknown


class Rag(models.TextChoices):
    """The screener's red, amber or green rating of the referral (CA 6.2)."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class NfaReason(models.TextChoices):
    """Why no further action (domain.md §2, suggested reason codes); free text as well."""

    AGE_APPROPRIATE = "age_appropriate", "The behaviour is appropriate for their age (green)"
    MANAGED_ELSEWHERE = (
        "managed_elsewhere",
        "It is being managed in the setting or by one agency",
    )
    INSUFFICIENT_INFORMATION = (
        "insufficient_information",
        "Not enough information after checks",
    )
    DUPLICATE = "duplicate", "Duplicate referral"
    ALREADY_OPEN = (
        "already_open",
        "The case is already open (passed to the allocated social worker)",
    )
    TRANSFERRED = "transferred", "Transferred to the home authority"
    OTHER_SERVICE = "other_service", "Another service is more appropriate (signposted)"


UNDER_13_DECISION_ERROR = (
    "The child harmed was under 13 on the date of the behaviour, so the referral cannot be "
    "closed with no further action or Early Help alone: a child under 13 cannot consent to "
    "any sexual activity. Choose another decision"
)
UNDER_13_SOURCE = "Sexual Offences Act 2003; DD 5; ST (domain.md §2 and §8)."


class ScreeningDecision(models.Model):
    """The screening record: the RAG rating and the decision, with its reasons (DD 4, ST)."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="screening")
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices)
    decision = models.CharField(
        max_length=30, choices=[(status.value, status.label) for status in DECISIONS]
    )
    rationale = models.TextField("why")
    nfa_reasons = models.JSONField("reasons for no further action", default=list, blank=True)
    support_needed = models.CharField(
        "does either child need further assessment or support",
        max_length=10,
        choices=YesNoUnknown.choices,
        blank=True,
    )
    support_details = models.TextField(blank=True)
    signposted_to = models.CharField(max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_role = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision=ReferralStatus.NO_FURTHER_ACTION)
                | ~models.Q(support_needed=""),
                name="screening_nfa_says_whether_support_needed",
            ),
            models.CheckConstraint(
                condition=~models.Q(support_needed=YesNoUnknown.YES)
                | ~models.Q(support_details=""),
                name="screening_support_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rag_display()}: {self.get_decision_display()}"

    @property
    def nfa_reason_labels(self) -> list[str]:
        return [NfaReason(code).label for code in self.nfa_reasons if code in NfaReason.values]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.decision in NOT_FOR_A_CHILD_HARMED_UNDER_13
            and self.referral.is_child_harmed_under_13
        ):
            errors["decision"] = UNDER_13_DECISION_ERROR
        if self.decision == ReferralStatus.NO_FURTHER_ACTION:
            if not self.nfa_reasons:
                errors["nfa_reasons"] = "Select the reasons for no further action"
            if not self.support_needed:
                errors["support_needed"] = (
                    "Select whether either child needs further assessment or support"
                )
        unknown = set(self.nfa_reasons) - set(NfaReason.values)
        if unknown:
            errors["nfa_reasons"] = "Select reasons from the list"
        if self.support_needed == YesNoUnknown.YES and not self.support_details.strip():
            errors["support_details"] = "Say what support or assessment either child needs"
        if errors:
            raise ValidationError(errors)


class Allocation(models.Model):
    """A social worker allocated to the child of one referral.

    The child harmed and the child who has harmed get different social workers (ST: must;
    CA 8.3: should; DD 4: wherever possible, with the reason recorded if not). Whether the
    authority allows the same worker with a reason is its profile's choice.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="allocations")
    social_worker = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="allocations"
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allocated_by_role = models.CharField(max_length=300, blank=True)
    allocated_at = models.DateTimeField(default=timezone.now)
    same_worker_reason = models.TextField(
        "why the same social worker has both children",
        blank=True,
        help_text="Recorded when the profile allows the override (DD 4).",
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["allocated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_allocation_per_referral",
            ),
        ]
        indexes = [
            models.Index(
                fields=["social_worker"],
                condition=models.Q(ended_at__isnull=True),
                name="allocation_current_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.social_worker.user} for {self.referral}"
