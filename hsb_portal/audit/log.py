"""Writing to the audit log. Every read of a child's record, every change, every export and
every refusal goes through ``record``."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from hsb_portal.audit.context import RequestContext, current
from hsb_portal.audit.models import Action, AuditEvent, AuditEventChild

if TYPE_CHECKING:
    from hsb_portal.accounts.models import Membership, User


def object_kind(obj: Any) -> str:
    return obj._meta.label_lower if hasattr(obj, "_meta") else ""


def record(
    actor: "User | None",
    action: Action,
    obj: Any = None,
    *,
    membership: "Membership | None" = None,
    children: Iterable[UUID] = (),
    detail: str = "",
    actor_email: str = "",
) -> AuditEvent:
    """Append one event. Call it inside the service's transaction, so a change and its audit
    row are written together or not at all."""
    context = current.get() or RequestContext()
    event = AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_email=(actor.email if actor is not None and actor.is_authenticated else actor_email),
        role=membership.role if membership else "",
        agency_name=membership.agency.name if membership else "",
        action=action,
        object_kind=object_kind(obj),
        object_id=str(getattr(obj, "public_id", "")) if obj is not None else "",
        detail=detail[:500],
        path=context.path[:300],
        request_id=context.request_id,
        ip_address=context.ip_address,
    )
    AuditEventChild.objects.bulk_create(
        AuditEventChild(event=event, child_id=child_id) for child_id in dict.fromkeys(children)
    )
    return event
