"""The retention use-cases: editing a rule (a shorter period needs a second administrator),
placing and lifting legal holds, and proposing and deciding disposal reviews.

None of them deletes anything: only the scheduled job does (``retention.disposal``).
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from hsb_portal.accounts.models import LocalAuthority, Membership, User
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action
from hsb_portal.conflicts import StaleRecord
from hsb_portal.retention.models import (
    OPEN_REVIEW,
    ChangeStatus,
    DisposalReview,
    DisposalReviewChild,
    LegalHold,
    RetainedChild,
    RetentionRule,
    RetentionRuleChange,
    ReviewStatus,
)


class RetentionRefused(Exception):
    """The change breaks a retention rule; ``message`` says what to do, in GOV.UK words."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


SECOND_APPROVER = "A different administrator must decide: you proposed this"


@transaction.atomic(durable=True)
def change_retention_rule(
    *, rule: RetentionRule, years: int, reason: str, version: int, by: User, membership: Membership
) -> RetentionRuleChange:
    """Change a rule's period. A longer (or equal) one applies at once; a shorter one waits for
    a second administrator (security.md: a retention override needs a second approver)."""
    locked = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    if locked.version != version:
        raise StaleRecord(locked, what="this rule")
    if locked.changes.filter(status=ChangeStatus.AWAITING_APPROVAL).exists():
        raise RetentionRefused(
            "A shorter period for this rule is waiting for a second administrator. "
            "Ask them to approve or reject it first"
        )
    shorter = years < locked.years
    change = RetentionRuleChange.objects.create(
        rule=locked,
        from_years=locked.years,
        to_years=years,
        reason=reason,
        status=ChangeStatus.AWAITING_APPROVAL if shorter else ChangeStatus.APPLIED,
        proposed_by=by,
    )
    if shorter:
        detail = (
            f"proposed {years} years instead of {locked.years}: waits for a second administrator"
        )
    else:
        detail = f"period changed from {locked.years} to {years} years"
        _apply(locked, years)
    record(by, Action.CHANGE, locked, membership=membership, detail=detail)
    return change


def _apply(rule: RetentionRule, years: int) -> None:
    rule.years = years
    rule.version += 1
    rule.save(update_fields=["years", "version"])


@transaction.atomic(durable=True)
def decide_retention_rule_change(
    *, change: RetentionRuleChange, approve: bool, reason: str, by: User, membership: Membership
) -> RetentionRuleChange:
    """A second administrator approves (the shorter period takes effect) or rejects it."""
    locked = RetentionRuleChange.objects.select_for_update().get(pk=change.pk)
    if not locked.is_awaiting_approval:
        raise RetentionRefused("This change has already been decided")
    if locked.proposed_by_id == by.pk:
        raise RetentionRefused(SECOND_APPROVER)
    locked.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    rule = RetentionRule.objects.select_for_update().get(pk=locked.rule_id)
    if approve:
        _apply(rule, locked.to_years)
    verb = "approved" if approve else "rejected"
    detail = f"second administrator {verb} {locked.to_years} years instead of {locked.from_years}"
    record(by, Action.CHANGE, rule, membership=membership, detail=detail)
    return locked


@transaction.atomic(durable=True)
def place_legal_hold(
    *, child: RetainedChild, reason: str, by: User, membership: Membership
) -> LegalHold:
    """Hold a child's record: it is not disposed of until every hold on it is lifted."""
    # The disposal job locks the child too, so a hold and an erasure never cross.
    RetainedChild.objects.select_for_update().filter(pk=child.pk).first()
    hold = LegalHold.objects.create(child=child, reason=reason, placed_by=by)
    record(
        by,
        Action.CHANGE,
        hold,
        membership=membership,
        children=[child.public_id],
        detail="legal hold placed",
    )
    return hold


@transaction.atomic(durable=True)
def lift_legal_hold(*, hold: LegalHold, reason: str, by: User, membership: Membership) -> LegalHold:
    locked = LegalHold.objects.select_for_update().select_related("child").get(pk=hold.pk)
    if not locked.is_active:
        raise RetentionRefused("This legal hold has already been lifted")
    locked.lifted_by = by
    locked.lifted_at = timezone.now()
    locked.lift_reason = reason
    locked.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    record(
        by,
        Action.CHANGE,
        locked,
        membership=membership,
        children=[locked.child.public_id],
        detail="legal hold lifted",
    )
    return locked


@transaction.atomic(durable=True)
def propose_disposal(
    *,
    authority: LocalAuthority,
    children: Iterable[RetainedChild],
    reason: str,
    by: User,
    membership: Membership,
) -> DisposalReview:
    """Propose disposing of children listed past retention; a second administrator decides."""
    chosen = list(children)
    if not chosen:
        raise RetentionRefused("Select the children whose records should be disposed of")
    if any(child.authority_id != authority.pk for child in chosen):
        raise RetentionRefused("Select the children of one local authority at a time")
    already = DisposalReviewChild.objects.filter(
        child__in=chosen, review__status__in=OPEN_REVIEW
    ).exists()
    if already:
        raise RetentionRefused(
            "One of the children is already in a disposal review waiting to be carried out"
        )
    review = DisposalReview.objects.create(authority=authority, reason=reason, proposed_by=by)
    DisposalReviewChild.objects.bulk_create(
        DisposalReviewChild(review=review, child=child, child_public_id=child.public_id)
        for child in chosen
    )
    record(
        by,
        Action.CREATE,
        review,
        membership=membership,
        children=[child.public_id for child in chosen],
        detail=f"disposal proposed for {len(chosen)} children",
    )
    return review


@transaction.atomic(durable=True)
def decide_disposal(
    *,
    review: DisposalReview,
    approve: bool,
    reason: str,
    version: int,
    by: User,
    membership: Membership,
) -> DisposalReview:
    """A second administrator approves or rejects a proposal. Approval deletes nothing: the
    scheduled job ``dispose_records`` carries it out."""
    locked = DisposalReview.objects.select_for_update().get(pk=review.pk)
    if not locked.is_proposed:
        raise RetentionRefused("This disposal review has already been decided")
    if locked.version != version:
        raise StaleRecord(locked, what="this review")
    if locked.proposed_by_id == by.pk:
        raise RetentionRefused(SECOND_APPROVER)
    locked.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.version += 1
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "version"])
    children = locked.entries.values_list("child_public_id", flat=True)
    record(
        by,
        Action.CHANGE,
        locked,
        membership=membership,
        children=list(children),
        detail=f"disposal {'approved' if approve else 'rejected'} by a second administrator",
    )
    return locked
