"""A child's case history (chronology) for auditors: every event that names the child, in time
order, with who did it, and for each creation or change the fields it changed, from what to
what (issue 6, item 1).

The entries come from the audit events that name the child (``AuditEventChild``) and the
record versions kept with them (``RecordVersion``); each version is compared with the version
of the same record kept just before it, whichever child that event named.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Exists, F, JSONField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from hsb_portal.accounts.models import Role
from hsb_portal.audit.models import Action, AuditEvent, RecordVersion
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


def events_for_child(child_id: UUID, filters: Filters = Filters()) -> QuerySet[AuditEvent]:
    """The audit events naming the child, oldest first, filtered. The walk is the child's:
    ``audit_child_time_idx`` (child, time, event) gives their events in order, whatever the
    size of the log, and the join on the event's time as well as its id lets PostgreSQL read
    one month's partition for each (``partitions.py``)."""
    events = AuditEvent.objects.filter(
        children__child_id=child_id, children__occurred_at=F("occurred_at")
    )
    if filters.event_kinds:
        actions = set().union(*(EVENT_KINDS[kind][1] for kind in filters.event_kinds))
        events = events.filter(action__in=actions)
    if filters.record_kinds:
        kinds = set().union(*(RECORD_KINDS[kind][1] for kind in filters.record_kinds))
        versioned = RecordVersion.objects.filter(event=OuterRef("pk"), object_kind__in=kinds)
        events = events.filter(Q(object_kind__in=kinds) | Exists(versioned))
    if filters.date_from:
        events = events.filter(occurred_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_local_midnight(filters.date_to + timedelta(1)))
    # The event's own time and id, read from the child's row (the same values).
    return events.order_by("children__occurred_at", "children__event_id")


def with_versions(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """The events with their versions, each with the same record's version before it: one
    more query whatever the number of events (a correlated subquery, not one per row)."""
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
