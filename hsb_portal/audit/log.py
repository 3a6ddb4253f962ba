"""Writing to the audit log. Every read of a child's record, every change, every export and
every refusal goes through ``record``."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from hsb_portal import form_roles
from hsb_portal.audit import versions
from hsb_portal.audit.context import RequestContext, current
from hsb_portal.audit.models import (
    GENESIS,
    HASHED_FIELDS,
    Action,
    AuditChainHead,
    AuditEvent,
    AuditEventChild,
    ChainVerification,
    DisposedAuditMonth,
    RecordVersion,
    content_hash,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from hsb_portal.accounts.models import Membership, User


def object_kind(obj: Any) -> str:
    return obj._meta.label_lower if hasattr(obj, "_meta") else ""


def record(
    actor: "User | AnonymousUser | None",
    action: Action,
    obj: Any = None,
    *,
    membership: "Membership | None" = None,
    children: Iterable[UUID] = (),
    detail: str = "",
    actor_email: str = "",
    also_changed: Iterable[Any] = (),
) -> AuditEvent:
    """Append one event. Call it inside the service's transaction, so a change and its audit
    row are written together or not at all.

    A creation or change also keeps a version of ``obj`` (and of each record in
    ``also_changed``, the other records the same step wrote) as it now stands in the database,
    so the child's history can show each field from -> to. Views cost no extra query.

    Events are chained: each stores the previous event's hash. The chain's head row is locked
    until the surrounding transaction ends, so two requests never chain to the same event.
    """
    if action in (Action.CREATE, Action.CHANGE) and form_roles.is_refusing():
        # A form sent in another role is being shown again: nothing may be filed (item 5).
        raise form_roles.FormRoleChanged
    context = current.get() or RequestContext()
    child_ids = [str(child_id) for child_id in dict.fromkeys(children)]
    # No savepoint: inside a service this joins its transaction; alone it is its own.
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_email=(
                actor.email if actor is not None and actor.is_authenticated else actor_email
            ),
            role=membership.role if membership else "",
            agency_name=membership.agency.name if membership else "",
            action=action,
            object_kind=object_kind(obj),
            object_id=str(getattr(obj, "public_id", "")) if obj is not None else "",
            detail=detail[:500],
            path=context.path[:300],
            request_id=context.request_id,
            ip_address=context.ip_address,
            previous_hash=head.hash,
        )
        event.hash = event.compute_hash(child_ids)
        event.save(force_insert=True)
        if child_ids:
            AuditEventChild.objects.bulk_create(
                AuditEventChild(
                    event=event,
                    child_id=child_id,
                    occurred_at=event.occurred_at,
                    action=event.action,
                    object_kind=event.object_kind,
                )
                for child_id in child_ids
            )
        head.hash = event.hash
        head.save(update_fields=["hash"])
        if action in VERSIONED_ACTIONS:
            _keep_versions(event, [obj, *also_changed])
    return event


VERSIONED_ACTIONS = frozenset({Action.CREATE, Action.CHANGE})


def _keep_versions(event: AuditEvent, records: list[Any]) -> None:
    kept = []
    for changed in records:
        if not isinstance(changed, Model) or changed.pk is None:
            continue
        current_row = versions.reread(changed)
        if current_row is None:
            continue
        object_id = versions.opaque_id(current_row)
        if not object_id:
            continue
        kept.append(
            RecordVersion(
                event=event,
                occurred_at=event.occurred_at,
                object_kind=object_kind(current_row),
                object_id=object_id,
                snapshot=versions.snapshot_of(current_row),
            )
        )
    if kept:
        RecordVersion.objects.bulk_create(kept)


@dataclass(frozen=True)
class ChainBreak:
    # None when the break comes before any event left, as when the whole log was emptied.
    event_id: int | None
    reason: str
    # A tail break is found after the last event, not at it.
    is_missing_tail: bool = False


MISSING_TAIL = "the newest events are missing: the last event left is not the chain's head"


@dataclass(frozen=True)
class _Start:
    """Where a check starts: after this event (0: before the first), whose hash the next
    event must carry."""

    after_id: int
    after_occurred_at: datetime | None
    previous_hash: str
    # The event itself, re-checked when the check starts from a verified point.
    recheck: bool = False


def _start(full: bool) -> _Start:
    """The chain starts after the last month dropped under retention, or at the beginning;
    a check that is not full starts from the last verified point after that."""
    disposed = DisposedAuditMonth.objects.order_by("-last_event_id").first()
    start = (
        _Start(disposed.last_event_id or 0, None, disposed.last_hash)
        if disposed is not None
        else _Start(0, None, GENESIS)
    )
    if full:
        return start
    point = ChainVerification.objects.filter(last_event_id__gt=start.after_id).first()
    if point is None or point.last_event_id is None or point.last_occurred_at is None:
        return start
    return _Start(point.last_event_id, point.last_occurred_at, point.last_hash, recheck=True)


def verify_chain(*, full: bool = False, chunk_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Check each event against its content and its predecessor, in order, and the last one
    against the stored head, so that deleting the newest events (or all of them) shows too.

    Unless ``full``, the check starts from the last verified point (the last event a check
    found intact, which it re-checks) and covers only what came after it: a change before that
    point is found by a full check. Each check that finds the chain intact records its point.

    Returns how many events were checked and the first break, if any.
    """
    start = _start(full)
    checked = 0
    previous = start.previous_hash
    last: tuple[int, datetime] | None = None
    if start.recheck:
        again = (
            AuditEvent.objects.filter(pk=start.after_id)
            .filter(occurred_at=start.after_occurred_at)  # type: ignore[misc]  # set when rechecking
            .values(*HASHED_FIELDS, "hash")
        )
        row = next(iter(again), None)
        children = _children_of([(start.after_id, start.after_occurred_at)])
        if (
            row is None
            or row["hash"] != start.previous_hash
            or content_hash(row, children.get(start.after_id, [])) != row["hash"]
        ):
            return 0, ChainBreak(start.after_id, "the last verified event was changed or removed")
        last = (start.after_id, row["occurred_at"])
    elif start.after_id and AuditEvent.objects.filter(pk__lte=start.after_id).exists():
        return 0, ChainBreak(start.after_id, "events remain from a month dropped under retention")
    for event_id, values, child_ids in _events_after(
        start.after_id, start.after_occurred_at, chunk_size
    ):
        if last is not None and event_id == last[0]:
            return checked, ChainBreak(event_id, "it shares its id with another event")
        if values["previous_hash"] != previous:
            return checked, ChainBreak(event_id, "does not follow the event before it")
        if content_hash(values, child_ids) != values["hash"]:
            return checked, ChainBreak(event_id, "its content no longer matches its hash")
        previous = values["hash"]
        last = (event_id, values["occurred_at"])
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).values_list("hash", flat=True).first()
    if previous != (head or GENESIS):
        return checked, ChainBreak(last[0] if last else None, MISSING_TAIL, is_missing_tail=True)
    ChainVerification.objects.create(
        full=full,
        events_checked=checked,
        last_event_id=last[0] if last else None,
        last_occurred_at=last[1] if last else None,
        last_hash=previous,
    )
    return checked, None


def _children_of(events: list[tuple[int, datetime | None]]) -> dict[int, list[str]]:
    """The children of each event, by event id. The time bounds let PostgreSQL read only the
    months concerned (a child row's time is its event's: the foreign key says so)."""
    times = [when for _, when in events if when is not None]
    rows = AuditEventChild.objects.filter(event_id__in=[pk for pk, _ in events])
    if len(times) == len(events) and times:
        rows = rows.filter(occurred_at__gte=min(times), occurred_at__lte=max(times))
    children: dict[int, list[str]] = {}
    for event_id, child_id in rows.values_list("event_id", "child_id"):
        children.setdefault(event_id, []).append(str(child_id))
    return children


def _events_after(
    after_id: int, after_occurred_at: datetime | None, chunk_size: int
) -> Iterator[tuple[int, dict[str, Any], list[str]]]:
    """The events after one, in chain (id) order, with their children, a chunk at a time.
    Two rows with one id (possible across months on PostgreSQL) both come out, side by side."""
    last_id, last_time = after_id, after_occurred_at
    while True:
        rows = list(
            AuditEvent.objects.filter(pk__gte=last_id)
            .order_by("pk", "occurred_at")
            .values("pk", *HASHED_FIELDS, "hash")[: chunk_size + 1]
        )
        # The row the last chunk ended on comes again (pk >= its id): skip it, and only it.
        rows = [
            row
            for row in rows
            if row["pk"] > last_id
            or (row["pk"] == last_id and last_time is not None and row["occurred_at"] != last_time)
        ]
        if not rows:
            return
        children = _children_of([(row["pk"], row["occurred_at"]) for row in rows])
        for row in rows:
            yield row["pk"], row, children.get(row["pk"], [])
        last_id, last_time = rows[-1]["pk"], rows[-1]["occurred_at"]
