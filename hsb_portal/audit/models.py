"""The append-only audit log: who did what to which record, and which children it concerned."""

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

# The hash the first event of the log is chained to.
GENESIS = "0" * 64


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    EXPORT = "export", "Exported"
    REFUSED = "refused", "Refused"
    LOG_IN = "log_in", "Signed in"
    LOG_OUT = "log_out", "Signed out"
    LOG_IN_FAILED = "log_in_failed", "Sign-in failed"


class AuditEvent(models.Model):
    """One row per event. Never updated or deleted: PostgreSQL refuses both (migration 0002).

    On PostgreSQL the table is partitioned by month of ``occurred_at`` (``partitions.py``): its
    primary key there is ``(id, occurred_at)`` and the hash is unique with its time. Django's
    state keeps ``id`` as the key and ``hash`` as unique, which is what the ORM needs; a
    migration that alters either must say what it does to the partitioned table.
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Copied, not joined, so the row still reads right after a person's details change.
    actor_email = models.CharField(max_length=254, blank=True)
    role = models.CharField(max_length=20, blank=True)
    agency_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_kind = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    path = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Each event carries the hash of the one before it, so an edit or deletion anywhere, even
    # by someone with direct access to the database, breaks the chain from there on.
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [
            models.Index(fields=["object_kind", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_kind}"
        )

    def compute_hash(self, child_ids: list[str]) -> str:
        """The SHA-256 of every field that says what happened, the children, and the
        previous event's hash."""
        return content_hash({name: getattr(self, name) for name in HASHED_FIELDS}, child_ids)


# The fields of an event its hash covers (with its children), by attribute name.
HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_email",
    "role",
    "agency_name",
    "action",
    "object_kind",
    "object_id",
    "detail",
    "path",
    "request_id",
    "ip_address",
    "previous_hash",
)


def content_hash(values: Mapping[str, Any], child_ids: list[str]) -> str:
    """An event's hash from its ``HASHED_FIELDS`` values: the chain check reads rows as values,
    without making a model instance of each."""
    content = {
        "occurred_at": values["occurred_at"].isoformat(),
        "actor": values["actor_id"],
        "actor_email": values["actor_email"],
        "role": values["role"],
        "agency_name": values["agency_name"],
        "action": values["action"],
        "object_kind": values["object_kind"],
        "object_id": values["object_id"],
        "detail": values["detail"],
        "path": values["path"],
        "request_id": values["request_id"],
        "ip_address": values["ip_address"],
        "children": sorted(child_ids),
        "previous_hash": values["previous_hash"],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class AuditEventChild(models.Model):
    """A child an audit event concerns, by the child's opaque id, so a child's record of
    every view and change can be read without joining the case tables."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="children")
    child_id = models.UUIDField()
    # The event's time, copied: the case history walks a child's events in time order from
    # here (audit_child_time_idx), and on PostgreSQL the rows are partitioned by it with their
    # events, the foreign key pointing at the event's (id, occurred_at) (so it is the event's).
    occurred_at = models.DateTimeField()
    # Copied too, so a child's history is filtered and counted from these rows alone; the
    # event's own fields (and its hash) stay the record.
    action = models.CharField(max_length=20, choices=Action.choices)
    object_kind = models.CharField(max_length=60, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["child_id", "occurred_at", "event"], name="audit_child_time_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "child_id"], name="audit_child_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.child_id}"


class AuditChainHead(models.Model):
    """The hash of the newest event: one row, locked by every writer, so that events join the
    chain one at a time on any database."""

    hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self) -> str:
        return self.hash


class RecordVersion(models.Model):
    """A record's fields as they stood after a change, written with the change's audit event,
    so a child's history can say who changed what, from what to what.

    Never updated (PostgreSQL refuses it, migration 0005). Unlike the events, a version may be
    deleted: the retention job erases the snapshots of the records it disposes of.
    """

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="versions")
    # The event's time, copied: on PostgreSQL the foreign key points at the event's
    # (id, occurred_at), so a month of the log is never dropped under a version still kept.
    occurred_at = models.DateTimeField()
    object_kind = models.CharField(max_length=60)
    # The record's opaque id (its public_id, or that of the record it belongs to one-to-one).
    object_id = models.CharField(max_length=64)
    # Field name -> the value as a reader sees it: choice labels, related records by name.
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["event_id", "pk"]
        indexes = [
            models.Index(fields=["object_kind", "object_id", "event"], name="audit_version_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.object_kind} {self.object_id} at event {self.event_id}"


class ChainVerification(models.Model):
    """A check of the chain that found it intact, and the last event it reached: the next
    check starts from there unless it is asked for all of it (``verify_audit_chain --full``)."""

    verified_at = models.DateTimeField(default=timezone.now)
    full = models.BooleanField()
    events_checked = models.PositiveBigIntegerField()
    # Null when the log had no event yet.
    last_event_id = models.BigIntegerField(null=True)
    last_occurred_at = models.DateTimeField(null=True)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        ordering = ["-verified_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.events_checked} events to event {self.last_event_id}"


class DisposedAuditMonth(models.Model):
    """A month of the audit log dropped under the retention schedule (``partitions.py``): how
    many events went, and the last one's hash, from which the chain now starts. Never changed
    (PostgreSQL refuses it, migration 0006)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    month = models.DateField(unique=True)
    events = models.PositiveBigIntegerField()
    first_event_id = models.BigIntegerField(null=True)
    last_event_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64)
    disposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.events} events"
