"""The reads the triage pages render: each filters by the access policy and fetches, in a fixed
number of queries, everything its template touches."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from hsb_portal import access
from hsb_portal.accounts.models import Membership
from hsb_portal.calendar import add_months
from triage.models import (
    BrookBand,
    BrookBehaviour,
    BrookEdition,
    Child,
    Concern,
    ConcernChild,
    ConcernEvent,
    ConcernStatus,
)


def children_for(membership: Membership | None) -> QuerySet[Child]:
    """The children this membership may see, for a list page."""
    return access.visible(membership, Child.objects.select_related("authority")).order_by(
        "family_name", "given_name", "pk"
    )


def child_for_page() -> QuerySet[Child]:
    return Child.objects.select_related("authority").prefetch_related("household")


def _involvements_with_ratings() -> QuerySet[ConcernChild]:
    return (
        ConcernChild.objects.select_related("child", "child__authority", "rating", "rating__band")
        .prefetch_related("rating__behaviours", "rating__context_answers")
        .order_by("pk")
    )


def concern_for_page() -> QuerySet[Concern]:
    """A concern with its people, children, ratings and events, for the concern's pages."""
    return Concern.objects.select_related(
        "reported_by", "reporting_agency", "authority", "decided_by"
    ).prefetch_related(
        Prefetch("involvements", queryset=_involvements_with_ratings()),
        Prefetch("events", queryset=ConcernEvent.objects.select_related("by")),
    )


def concerns_for(membership: Membership | None) -> QuerySet[Concern]:
    """The concerns this membership may see, newest first, for the concern list."""
    involvements = ConcernChild.objects.select_related("child").order_by("pk")
    return (
        access.visible(
            membership, Concern.objects.select_related("reported_by", "reporting_agency")
        )
        .prefetch_related(Prefetch("involvements", queryset=involvements))
        .order_by("-created_at", "-pk")
    )


def concerns_filed_by(membership: Membership) -> QuerySet[Concern]:
    """The concerns this person filed in this agency, newest first (no children's names)."""
    return access.visible(
        membership, Concern.objects.filter(reported_by=membership.user_id)
    ).order_by("-created_at", "-pk")


def concerns_to_review(membership: Membership) -> QuerySet[Concern]:
    """The concerns waiting for this DSL's decision, oldest first (no children's names)."""
    return access.visible(
        membership, Concern.objects.filter(status=ConcernStatus.AWAITING_REVIEW)
    ).order_by("submitted_at", "pk")


@dataclass
class ChildHistory:
    """The concerns about one child that were sent for review, most recent first."""

    child: Child
    since: date
    rows: list[ConcernChild] = field(default_factory=list)

    @property
    def recent_count(self) -> int:
        return sum(1 for row in self.rows if row.concern.occurred_on >= self.since)


def concern_history(
    children: Iterable[Child],
    *,
    membership: Membership | None,
    exclude: Concern | None = None,
    on: date | None = None,
) -> list[ChildHistory]:
    """Earlier concerns about each child, and how many fell in the 12 months before ``on``.

    The seeds report children referred before whose history was missed, so the history is
    shown wherever a child is rated, reviewed or looked at. It lists only the concerns the
    access policy lets this person see: until a concern is referred, only its own agency knows
    of it (issue 3, need to know). Drafts are not yet concerns and are left out. One query,
    whatever the number of concerns.
    """
    children = list(children)
    on = on or timezone.localdate()
    visible = access.visible(membership, Concern.objects.filter(pk=OuterRef("concern_id")))
    rows = (
        ConcernChild.objects.filter(child__in=[child.pk for child in children])
        .exclude(concern__status=ConcernStatus.DRAFT)
        .select_related("concern", "concern__reporting_agency")
        .filter(Exists(visible))
        .order_by("-concern__occurred_on", "-pk")
    )
    if exclude is not None:
        rows = rows.exclude(concern=exclude)
    histories = {child.pk: ChildHistory(child, since=add_months(on, -12)) for child in children}
    for row in rows:
        histories[row.child_id].rows.append(row)
    return list(histories.values())


def current_edition() -> BrookEdition | None:
    return BrookEdition.objects.current()


def brook_lists(
    edition: BrookEdition, codes: Iterable[str]
) -> tuple[list[BrookBand], list[BrookBehaviour]]:
    """The bands of ``edition`` with these codes, and their behaviours in the tool's order."""
    bands = list(BrookBand.objects.filter(edition=edition, code__in=list(codes)))
    behaviours = list(BrookBehaviour.objects.filter(band__in=bands).order_by("band", "position"))
    return bands, behaviours
