"""A child's case history (chronology) for auditors: every event that names the child, in time
order, with who did it, and for each creation or change the fields it changed, from what to
what (issue 6, item 1).

The entries come from the audit events that name the child (``AuditEventChild``) and the
record versions kept with them (``RecordVersion``); each version is compared with the version
of the same record kept just before it, whichever child that event named.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, overload
from uuid import UUID

from django.db.models import Exists, JSONField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from hsb_portal.accounts.models import Role
from hsb_portal.audit.models import Action, AuditEvent, AuditEventChild, RecordVersion
from hsb_portal.audit.versions import field_label

# The kinds of event an auditor filters on.
EVENT_KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "records": ("Records and changes", frozenset({Action.CREATE, Action.CHANGE})),
    "views": ("Views", frozenset({Action.VIEW})),
    "exports": ("Exports", frozenset({Action.EXPORT})),
    "refusals": ("Refusals", frozenset({Action.REFUSED})),
}

# The kinds of record, in the procedures' words, and the models each covers.
RECORD_KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "child": ("Child record", frozenset({"triage.child"})),
    "concern": ("Concern", frozenset({"triage.concern", "triage.concernchild"})),
    "rating": ("Brook rating", frozenset({"triage.brookrating"})),
    "referral": ("Referral", frozenset({"referrals.referral"})),
    "screening": ("Screening decision", frozenset({"referrals.screeningdecision"})),
    "allocation": ("Allocation", frozenset({"referrals.allocation"})),
    "meeting": ("Strategy meeting", frozenset({"strategy.strategymeeting", "strategy.invitation"})),
    "minutes": (
        "Minutes",
        frozenset(
            {
                "strategy.minutesversion",
                "strategy.meetingchild",
                "strategy.childrecord",
                "strategy.redactiondecision",
            }
        ),
    ),
    "aim": ("AIM assessment", frozenset({"strategy.aimassessment"})),
    "action": ("Meeting action", frozenset({"strategy.meetingaction"})),
}
KIND_LABELS = {
    object_kind: label
    for label, object_kinds in RECORD_KINDS.values()
    for object_kind in object_kinds
}
KIND_LABELS["strategy.invitation"] = "Invitation to a strategy meeting"
ROLE_LABELS = dict(Role.choices)
ACTION_LABELS = dict(Action.choices)


@dataclass(frozen=True)
class Filters:
    """What the auditor asked for; empty means everything."""

    event_kinds: frozenset[str] = frozenset()
    record_kinds: frozenset[str] = frozenset()
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        """The filters in words, for the export's audit event and the document."""
        words = []
        if self.event_kinds:
            words.append(
                "events: " + ", ".join(EVENT_KINDS[k][0] for k in sorted(self.event_kinds))
            )
        if self.record_kinds:
            kinds = ", ".join(RECORD_KINDS[k][0] for k in sorted(self.record_kinds))
            words.append(f"records: {kinds}")
        if self.date_from:
            words.append(f"from {self.date_from.isoformat()}")
        if self.date_to:
            words.append(f"to {self.date_to.isoformat()}")
        return "; ".join(words) or "no filters"


@dataclass(frozen=True)
class FieldChange:
    record: str
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    when: datetime
    actor_email: str
    role: str
    agency: str
    action: str
    records: tuple[str, ...]
    detail: str
    changes: tuple[FieldChange, ...] = field(default_factory=tuple)

    @property
    def record(self) -> str:
        return ", ".join(self.records)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class ChildHistory:
    """A child's audit events, oldest first, read a page at a time (issue 18, item 6).

    The child's own rows (``AuditEventChild``: the event's time, action and kind, copied) are
    filtered, counted and sliced on ``audit_child_time_idx``, so neither grows with the log;
    only the events of the slice are then read, by id and time, which on PostgreSQL names
    their months' partitions. A join of the two tables would leave PostgreSQL to guess how
    many events match (it cannot see that the time is the event's), and at scale it guesses
    one and scans the whole log. Paginator takes it as it takes a QuerySet.
    """

    def __init__(self, rows: "QuerySet[AuditEventChild]", *, versions: bool = False) -> None:
        self.rows = rows
        self.versions = versions

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> AuditEvent: ...

    @overload
    def __getitem__(self, index: slice) -> list[AuditEvent]: ...

    def __getitem__(self, index: int | slice) -> AuditEvent | list[AuditEvent]:
        pairs = self.rows.values_list("event_id", "occurred_at")
        if isinstance(index, int):
            return self._events([pairs[index]])[0]
        return self._events(list(pairs[index]))

    def __iter__(self) -> Iterator[AuditEvent]:
        pairs = list(self.rows.values_list("event_id", "occurred_at"))
        for start in range(0, len(pairs), EXPORT_CHUNK):
            yield from self._events(pairs[start : start + EXPORT_CHUNK])

    def with_versions(self) -> "ChildHistory":
        return ChildHistory(self.rows, versions=True)

    def _events(self, pairs: list[tuple[int, datetime]]) -> list[AuditEvent]:
        if not pairs:
            return []
        events = AuditEvent.objects.filter(
            pk__in=[pk for pk, _ in pairs], occurred_at__in={when for _, when in pairs}
        )
        if self.versions:
            events = _prefetch_versions(events)
        by_id = {event.pk: event for event in events}
        return [by_id[pk] for pk, _ in pairs if pk in by_id]


# Events read at a time for an export.
EXPORT_CHUNK = 1000


def events_for_child(child_id: UUID, filters: Filters = Filters()) -> ChildHistory:
    """The audit events naming the child, oldest first (then in chain order), filtered."""
    rows = AuditEventChild.objects.filter(child_id=child_id)
    if filters.event_kinds:
        actions = set().union(*(EVENT_KINDS[kind][1] for kind in filters.event_kinds))
        rows = rows.filter(action__in=actions)
    if filters.record_kinds:
        kinds = set().union(*(RECORD_KINDS[kind][1] for kind in filters.record_kinds))
        versioned = RecordVersion.objects.filter(
            event_id=OuterRef("event_id"), object_kind__in=kinds
        )
        rows = rows.filter(Q(object_kind__in=kinds) | Exists(versioned))
    if filters.date_from:
        rows = rows.filter(occurred_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        rows = rows.filter(occurred_at__lt=_local_midnight(filters.date_to + timedelta(1)))
    return ChildHistory(rows.order_by("occurred_at", "event_id"))


def with_versions(events: ChildHistory) -> ChildHistory:
    """The events with their versions, each with the same record's version before it: one
    more query whatever the number of events (a correlated subquery, not one per row)."""
    return events.with_versions()


def _prefetch_versions(events: "QuerySet[AuditEvent]") -> "QuerySet[AuditEvent]":
    earlier = RecordVersion.objects.filter(
        object_kind=OuterRef("object_kind"),
        object_id=OuterRef("object_id"),
        event_id__lt=OuterRef("event_id"),
    ).order_by("-event_id", "-pk")
    versions = RecordVersion.objects.annotate(
        previous=Subquery(earlier.values("snapshot")[:1], output_field=JSONField())
    ).order_by("pk")
    return events.prefetch_related(Prefetch("versions", queryset=versions, to_attr="kept"))


def entries(events: Iterable[AuditEvent]) -> list[Entry]:
    """The entries for events fetched through ``with_versions``."""
    return [_entry(event) for event in events]


def _entry(event: AuditEvent) -> Entry:
    versions: Sequence[Any] = getattr(event, "kept", ())
    records = [KIND_LABELS.get(event.object_kind, "")] if event.object_kind else []
    changes: list[FieldChange] = []
    for version in versions:
        label = KIND_LABELS.get(version.object_kind, version.object_kind)
        if label not in records:
            records.append(label)
        changes += _changes(version, label)
    return Entry(
        when=timezone.localtime(event.occurred_at),
        actor_email=event.actor_email,
        role=ROLE_LABELS.get(event.role, event.role),
        agency=event.agency_name,
        action=ACTION_LABELS.get(event.action, event.action),
        records=tuple(records),
        detail=event.detail,
        changes=tuple(changes),
    )


def _changes(version: Any, label: str) -> list[FieldChange]:
    before: dict[str, str] = version.previous or {}
    after: dict[str, str] = version.snapshot or {}
    return [
        FieldChange(
            record=label,
            field=field_label(version.object_kind, name),
            before=before.get(name, ""),
            after=value,
        )
        for name, value in after.items()
        if value != before.get(name, "")
    ]
