"""Writing to the audit log. Every read of a child's record, every change, every export and
every refusal goes through ``record``."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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
    Action,
    AuditChainHead,
    AuditEvent,
    AuditEventChild,
    RecordVersion,
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
                AuditEventChild(event=event, child_id=child_id) for child_id in child_ids
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


def verify_chain(*, chunk_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Check every event against its content and its predecessor, in order, and the last one
    against the stored head, so that deleting the newest events (or all of them) shows too.

    Returns how many events were checked and the first break, if any.
    """
    checked = 0
    previous = GENESIS
    last_id: int | None = None
    for event, child_ids in _events_with_children(chunk_size):
        if event.previous_hash != previous:
            return checked, ChainBreak(event.pk, "does not follow the event before it")
        if event.compute_hash(child_ids) != event.hash:
            return checked, ChainBreak(event.pk, "its content no longer matches its hash")
        previous = event.hash
        last_id = event.pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).values_list("hash", flat=True).first()
    if previous != (head or GENESIS):
        return checked, ChainBreak(last_id, MISSING_TAIL, is_missing_tail=True)
    return checked, None


def _events_with_children(chunk_size: int) -> Iterator[tuple[AuditEvent, list[str]]]:
    last_pk = 0
    while True:
        events = list(AuditEvent.objects.filter(pk__gt=last_pk).order_by("pk")[:chunk_size])
        if not events:
            return
        children: dict[int, list[str]] = {}
        for event_id, child_id in AuditEventChild.objects.filter(
            event_id__in=[event.pk for event in events]
        ).values_list("event_id", "child_id"):
            children.setdefault(event_id, []).append(str(child_id))
        for event in events:
            yield event, children.get(event.pk, [])
        last_pk = events[-1].pk
