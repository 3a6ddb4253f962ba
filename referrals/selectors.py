"""The reads the referral pages render: each goes through the access policy and fetches, in a
fixed number of queries, everything its template touches."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone

from hsb_portal import access
from hsb_portal.accounts import roles
from hsb_portal.accounts.models import Agency, Membership
from hsb_portal.calendar import add_months
from referrals.models import (
    WAITING,
    Allocation,
    NoNamesConsultation,
    Referral,
    ReferralEvent,
    ReferralSource,
    ReferralStatus,
)
from triage.models import Child, Concern, ConcernStatus

# Age bands of the screening queue, as whole years on the day the queue is read: the age of
# criminal responsibility (10), the age below which a child cannot consent (13, SOA 2003), and
# the age of consent (16).
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "under-10": (0, 9),
    "10-12": (10, 12),
    "13-15": (13, 15),
    "16-plus": (16, None),
}
AGE_BAND_LABELS = {
    "under-10": "Under 10",
    "10-12": "10 to 12",
    "13-15": "13 to 15",
    "16-plus": "16 or over",
}
# Status filter values beyond the statuses themselves.
STATUS_WAITING = "waiting"
STATUS_ALL = "all"


@dataclass(frozen=True)
class QueueFilters:
    """The screening queue's filters, as the GOV.UK filter form cleans them."""

    status: str = STATUS_WAITING
    colour: str = ""
    age_band: str = ""
    referring_agency: Agency | None = None
    overdue: bool = False


def _allocations() -> "Prefetch[str, QuerySet[Allocation], str]":
    return Prefetch(
        "allocations",
        queryset=Allocation.objects.select_related("social_worker__user", "social_worker__agency"),
    )


def referral_for_page() -> QuerySet[Referral]:
    """A referral with everything its pages show: the child, routing, people, screening,
    allocations, history, and whether it is overdue."""
    return (
        with_overdue(Referral.objects.all())
        .select_related(
            "child",
            "child__authority",
            "authority",
            "happened_in",
            "referring_agency",
            "recorded_by",
            "claimed_by",
            "concern",
            "group",
            "screening",
            "screening__decided_by",
        )
        .prefetch_related(
            _allocations(),
            Prefetch("events", queryset=ReferralEvent.objects.select_related("by")),
        )
    )


def linked_referrals(referral: Referral, membership: Membership | None) -> list[Referral]:
    """The other referrals made with this one (the other child of the incident), those this
    membership may see, with their current allocation."""
    return list(
        access.visible(
            membership,
            Referral.objects.filter(group=referral.group_id)
            .exclude(pk=referral.pk)
            .select_related("child", "authority"),
        )
        .prefetch_related(_allocations())
        .order_by("part", "pk")
    )


def referrals_for_screening_queue(
    membership: Membership, filters: QueueFilters, *, now: datetime | None = None
) -> QuerySet[Referral]:
    """The screening queue of the membership's authorities: only referrals routed to them (a
    copy sent to them is read, not screened), soonest decision due first.

    One query for the page (and one for its count), whatever the number of referrals: the
    child, the referring agency and the screener are joined, and the default view (waiting
    referrals) reads the partial index ``referral_waiting_idx`` in order.
    """
    now = now or timezone.now()
    rows = access.visible(
        membership,
        Referral.objects.filter(authority__in=sorted(membership.authority_ids)),
    ).select_related("child", "referring_agency", "claimed_by")
    if filters.status == STATUS_WAITING:
        rows = rows.filter(status__in=WAITING)
    elif filters.status != STATUS_ALL:
        rows = rows.filter(status=filters.status)
    if filters.colour:
        rows = rows.filter(brook_colour=filters.colour)
    if filters.age_band:
        rows = rows.filter(_born_in_band(filters.age_band, timezone.localdate(now)))
    if filters.referring_agency is not None:
        rows = rows.filter(referring_agency=filters.referring_agency)
    if filters.overdue:
        rows = rows.filter(status__in=WAITING, decision_due_at__lt=now)
    return with_overdue(rows, now).order_by("decision_due_at", "pk")


def _born_in_band(band: str, today: date) -> Q:
    youngest, oldest = AGE_BANDS[band]
    # Aged at least ``youngest`` today: born on or before today less that many years.
    condition = Q(child__date_of_birth__lte=add_months(today, -12 * youngest))
    if oldest is not None:
        # Aged at most ``oldest``: born after today less (oldest + 1) years.
        condition &= Q(child__date_of_birth__gt=add_months(today, -12 * (oldest + 1)))
    return condition


def referring_agencies_for(membership: Membership) -> QuerySet[Agency]:
    """The agencies serving the membership's authorities, for the queue's filter."""
    return (
        Agency.objects.filter(authorities__in=sorted(membership.authority_ids))
        .distinct()
        .order_by("name", "pk")
    )


def referrals_for(membership: Membership | None) -> QuerySet[Referral]:
    """The referrals this membership may see, newest first, for the referral list."""
    return (
        access.visible(
            membership,
            Referral.objects.select_related("child", "authority", "referring_agency"),
        )
        .prefetch_related(_allocations())
        .order_by("-received_at", "-pk")
    )


# Whether a referral is overdue comes from the query, on every page that shows it: the same
# rule as ``Referral.is_overdue`` and ``is_follow_up_overdue``, as columns a list can show.


def with_overdue(rows: QuerySet[Referral], now: datetime | None = None) -> QuerySet[Referral]:
    now = now or timezone.now()
    return rows.annotate(
        decision_overdue=ExpressionWrapper(
            Q(status__in=WAITING, decision_due_at__lt=now), output_field=BooleanField()
        ),
        follow_up_overdue=ExpressionWrapper(
            Q(
                source=ReferralSource.TELEPHONE,
                follow_up_received_at__isnull=True,
                written_follow_up_due_at__lt=now,
            ),
            output_field=BooleanField(),
        ),
    )


def referrals_to_screen(membership: Membership) -> QuerySet[Referral]:
    """Waiting referrals routed to the screener's authorities, soonest due first."""
    return referrals_for_screening_queue(membership, QueueFilters())


def telephone_referrals_awaiting_follow_up(membership: Membership) -> QuerySet[Referral]:
    """Urgent telephone referrals not yet confirmed in writing, soonest due first."""
    rows = access.visible(
        membership,
        Referral.objects.filter(
            authority__in=sorted(membership.authority_ids),
            source=ReferralSource.TELEPHONE,
            follow_up_received_at__isnull=True,
        ),
    )
    return with_overdue(rows).order_by("written_follow_up_due_at", "pk")


def referrals_made_by(membership: Membership) -> QuerySet[Referral]:
    """The referrals of this referrer (or, for a DSL, of their agency), newest first."""
    rows = access.visible(
        membership, Referral.objects.filter(referring_agency=membership.agency_id)
    )
    return with_overdue(rows).order_by("-received_at", "-pk")


def referrals_allocated_to(membership: Membership) -> QuerySet[Referral]:
    """The referrals of the children allocated to this social worker, newest first."""
    rows = access.visible(
        membership,
        Referral.objects.filter(
            allocations__social_worker=membership.pk, allocations__ended_at__isnull=True
        ),
    )
    return with_overdue(rows).order_by("-received_at", "-pk")


def referrals_waiting_for_a_social_worker(membership: Membership) -> QuerySet[Referral]:
    """Referrals decided for an assessment or strategy meeting with no social worker yet."""
    allocated = Allocation.objects.filter(ended_at__isnull=True).values("referral_id")
    return with_overdue(
        access.visible(
            membership,
            Referral.objects.filter(
                authority__in=sorted(membership.authority_ids),
                status__in=[ReferralStatus.CIN_ASSESSMENT, ReferralStatus.STRATEGY_MEETING],
            ),
        )
        .exclude(pk__in=allocated)
        .order_by("received_at", "pk")
    )


def concerns_to_refer(membership: Membership) -> QuerySet[Concern]:
    """The concerns this DSL decided to refer whose referrals are not yet made."""
    return access.visible(
        membership, Concern.objects.filter(status=ConcernStatus.TO_BE_REFERRED)
    ).order_by("decided_at", "pk")


# A child's referrals, for the child's history


@dataclass
class ReferralHistory:
    """The referrals about one child that this person may see, newest first, each with its
    steps: who, acting in which role, when, and why."""

    child: Child
    since: date
    rows: list[Referral] = field(default_factory=list)
    # The referring agency sees the steps, not the MASH's reasons (see outcomes.py).
    shows_reasons: bool = True

    @property
    def recent_count(self) -> int:
        return sum(1 for row in self.rows if timezone.localdate(row.received_at) >= self.since)


def shows_screening_reasons(membership: Membership | None) -> bool:
    """Whether this membership reads the MASH's reasons, or only the outcome (a referrer)."""
    return membership is not None and membership.role not in roles.CONCERN_AUTHORS


def referral_history(
    children: Iterable[Child], *, membership: Membership | None
) -> list[ReferralHistory]:
    """The referrals about each child and their steps: two queries, whatever their number."""
    children = list(children)
    since = add_months(timezone.localdate(), -12)
    rows = (
        access.visible(
            membership,
            Referral.objects.filter(child__in=[child.pk for child in children]).select_related(
                "authority", "referring_agency"
            ),
        )
        .prefetch_related(Prefetch("events", queryset=ReferralEvent.objects.select_related("by")))
        .order_by("-received_at", "-pk")
    )
    reasons = shows_screening_reasons(membership)
    histories = {
        child.pk: ReferralHistory(child, since=since, shows_reasons=reasons) for child in children
    }
    for row in rows:
        histories[row.child_id].rows.append(row)
    return list(histories.values())


def referrals_from_concern(concern: Concern, membership: Membership | None) -> list[Referral]:
    """The referrals made from this concern that this membership may see."""
    return list(
        access.visible(
            membership,
            Referral.objects.filter(concern=concern).select_related("child", "authority"),
        ).order_by("part", "pk")
    )


# 'No names' consultations


def consultations_for(membership: Membership | None) -> QuerySet[NoNamesConsultation]:
    return access.visible(
        membership,
        NoNamesConsultation.objects.select_related("authority", "asked_by_agency", "advised_by"),
    ).order_by("-asked_at", "-pk")


def consultation_for_page() -> QuerySet[NoNamesConsultation]:
    return NoNamesConsultation.objects.select_related("authority", "asked_by_agency", "advised_by")
