"""Retention (domain.md §9): the schedule as data, legal holds and reviewed disposal.

Each authority keeps one rule per record class and anchor; a child's record is kept until the
latest date any rule of the classes the child's case reached gives (the longest applicable rule
wins). Nothing here deletes: a disposal review proposed by one administrator and approved by
another lets the scheduled job ``dispose_records`` erase the child (``retention.disposal``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from hsb_portal.accounts.models import LocalAuthority
from triage.models import Child


class RecordClass(models.TextChoices):
    """The record classes of domain.md §9 that this app holds."""

    CHILD_PROTECTION = (
        "child_protection",
        "Child protection: section 47 enquiry, strategy meeting or AIM assessment",
    )
    CHILD_IN_NEED = "child_in_need", "Child in need"
    LOOKED_AFTER = "looked_after", "Looked-after child"
    EARLY_HELP = "early_help", "Early Help, advice or no further action"
    CONCERN_NOT_REFERRED = "concern_not_referred", "Concern never referred"


class Anchor(models.TextChoices):
    DATE_OF_BIRTH = "date_of_birth", "the child's date of birth"
    CLOSURE = "closure", "closure (the case was last closed or decided)"
    LAST_CONTACT = "last_contact", "last contact (the last change recorded about the child)"


class RetentionRule(models.Model):
    """How long one record class is kept, from which anchor, and the source's words."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Every change bumps the version; a save carrying an older one is refused (security.md §5).
    version = models.PositiveIntegerField(default=1)
    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="retention_rules"
    )
    record_class = models.CharField(max_length=30, choices=RecordClass.choices)
    anchor = models.CharField(max_length=20, choices=Anchor.choices)
    years = models.PositiveSmallIntegerField()
    source = models.TextField(help_text="Where the period comes from, in the source's words.")

    class Meta:
        ordering = ["authority", "record_class", "anchor"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "record_class", "anchor"], name="retention_rule_once"
            ),
            models.CheckConstraint(condition=models.Q(years__gte=1), name="retention_years_set"),
        ]

    def __str__(self) -> str:
        return f"{self.get_record_class_display()}: {self.describe()}"

    def describe(self) -> str:
        return f"{self.years} years from {self.get_anchor_display()}"


class ChangeStatus(models.TextChoices):
    APPLIED = "applied", "Applied (not shorter)"
    AWAITING_APPROVAL = "awaiting_approval", "Waiting for a second administrator"
    APPROVED = "approved", "Approved by a second administrator"
    REJECTED = "rejected", "Rejected by a second administrator"


class RetentionRuleChange(models.Model):
    """A change to a rule's period. A change that shortens it waits for a second administrator
    (security.md: a retention override needs a second approver)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rule = models.ForeignKey(RetentionRule, on_delete=models.CASCADE, related_name="changes")
    from_years = models.PositiveSmallIntegerField()
    to_years = models.PositiveSmallIntegerField()
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=ChangeStatus.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule"],
                condition=models.Q(status="awaiting_approval"),
                name="retention_change_one_waiting",
            ),
            # The second approver is never the person who proposed it.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("proposed_by")),
                name="retention_change_second_approver",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="applied")
                | models.Q(to_years__gte=models.F("from_years")),
                name="retention_change_shortening_needs_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_years} to {self.to_years} years ({self.get_status_display()})"

    @property
    def is_awaiting_approval(self) -> bool:
        return self.status == ChangeStatus.AWAITING_APPROVAL


class LegalHold(models.Model):
    """A hold on a child's record, for example for an inquiry (domain.md §9): while it is in
    place the record is never disposed of, whatever its retention date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # PROTECT: nothing can delete a child with a hold row; the job removes lifted ones first.
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        indexes = [
            models.Index(
                fields=["child"], condition=models.Q(lifted_at__isnull=True), name="hold_active_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True, lifted_by__isnull=True, lift_reason="")
                | models.Q(lifted_at__isnull=False, lifted_by__isnull=False)
                & ~models.Q(lift_reason=""),
                name="hold_lifted_says_who_and_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Legal hold placed {self.placed_at:%d %B %Y}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class ReviewStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for a second administrator"
    APPROVED = "approved", "Approved: the scheduled job will dispose of the records"
    REJECTED = "rejected", "Rejected"
    EXECUTED = "executed", "Carried out by the scheduled job"


OPEN_REVIEW = (ReviewStatus.PROPOSED, ReviewStatus.APPROVED)


class DisposalReview(models.Model):
    """A proposal to dispose of children's records past retention, and a second
    administrator's decision on it. Approving deletes nothing: the scheduled job does."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="disposal_reviews"
    )
    reason = models.TextField()
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["authority", "status"], name="review_authority_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("proposed_by")),
                name="review_second_approver",
            ),
            models.CheckConstraint(
                condition=models.Q(status="proposed")
                | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="review_decided_says_by_whom",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"DR-{self.public_id.hex[:8].upper()}"

    @property
    def is_proposed(self) -> bool:
        return self.status == ReviewStatus.PROPOSED


class EntryOutcome(models.TextChoices):
    WAITING = "waiting", "Not yet carried out"
    ERASED = "erased", "Erased"
    KEPT_HELD = "kept_held", "Kept: a legal hold applies"
    KEPT_NOT_DUE = "kept_not_due", "Kept: no longer past retention"
    ALREADY_ERASED = "already_erased", "Already erased"


class DisposalReviewChild(models.Model):
    """A child in a disposal review. The child's opaque id stays after the erasure, so the
    review still says what was disposed of, without the child's details."""

    review = models.ForeignKey(DisposalReview, on_delete=models.CASCADE, related_name="entries")
    child = models.ForeignKey(
        Child, on_delete=models.SET_NULL, null=True, blank=True, related_name="disposal_entries"
    )
    child_public_id = models.UUIDField(db_index=True)
    outcome = models.CharField(
        max_length=20, choices=EntryOutcome.choices, default=EntryOutcome.WAITING
    )
    # Metadata only: the record class and rule the child was erased under.
    outcome_note = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "child_public_id"], name="review_child_once"),
        ]

    def __str__(self) -> str:
        return f"{self.child_public_id} in {self.review}"

    @property
    def child_reference(self) -> str:
        return f"CH-{self.child_public_id.hex[:8].upper()}"


class RetainedChild(Child):
    """A child's record as records management sees it: the authority's administrators and
    auditors reach it through its own access policy, not the case workers' one."""

    class Meta:
        proxy = True
        verbose_name = "child's record (retention)"

    @property
    def reference(self) -> str:
        return f"CH-{self.public_id.hex[:8].upper()}"
