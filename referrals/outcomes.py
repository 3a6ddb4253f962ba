"""What the referrer is told of the outcome (ST: the outcome is shared with the professionals
involved; a referrer who is not a professional gets only limited information)."""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from referrals.models import Referral, ReferralStatus


@dataclass(frozen=True)
class Outcome:
    summary: str
    is_limited: bool = False
    decision: str = ""
    decided_on: date | None = None
    reasons: list[str] = field(default_factory=list)
    support: str = ""
    signposted_to: str = ""
    social_worker: str = ""


def outcome_for_referrer(referral: Referral) -> Outcome:
    """The outcome as the referrer may see it. Reads the referral's joined screening and
    prefetched allocations; no queries of its own.

    A professional referrer sees the decision, its date, the reasons for no further action,
    whether either child needs support, where the family was signposted and the allocated
    social worker. Neither the RAG rating nor the screener's notes are shared. A referrer who
    is not a professional is told only that the referral was received and acted on.
    """
    received = timezone.localdate(referral.received_at)
    screening = referral.screening_or_none
    if screening is None:
        return Outcome(
            summary=f"The referral was received on {received:%-d %B %Y}. The MASH has not "
            "decided yet.",
            is_limited=not referral.referrer_is_professional,
        )
    if not referral.referrer_is_professional:
        return Outcome(
            summary=f"The referral was received on {received:%-d %B %Y} and has been acted on.",
            is_limited=True,
        )
    allocation = referral.current_allocation()
    support = ""
    if screening.decision == ReferralStatus.NO_FURTHER_ACTION:
        support = f"{screening.get_support_needed_display()}. {screening.support_details}".strip()
    return Outcome(
        summary=f"{screening.get_decision_display()}, decided on "
        f"{timezone.localdate(screening.decided_at):%-d %B %Y}.",
        decision=screening.get_decision_display(),
        decided_on=timezone.localdate(screening.decided_at),
        reasons=screening.nfa_reason_labels,
        support=support,
        signposted_to=screening.signposted_to,
        social_worker=(
            f"{allocation.social_worker.user.full_name}, {allocation.social_worker.agency.name}"
            if allocation is not None
            else ""
        ),
    )
