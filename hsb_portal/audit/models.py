"""The append-only audit log: who did what to which record, and which children it concerned."""

import hashlib
import json

from django.conf import settings
from django.db import models

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
    """One row per event. Never updated or deleted: PostgreSQL refuses both (migration 0002)."""

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
        content = {
            "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor_id,
            "actor_email": self.actor_email,
            "role": self.role,
            "agency_name": self.agency_name,
            "action": self.action,
            "object_kind": self.object_kind,
            "object_id": self.object_id,
            "detail": self.detail,
            "path": self.path,
            "request_id": self.request_id,
            "ip_address": self.ip_address,
            "children": sorted(child_ids),
            "previous_hash": self.previous_hash,
        }
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class AuditEventChild(models.Model):
    """A child an audit event concerns, by the child's opaque id, so a child's record of
    every view and change can be read without joining the case tables."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="children")
    child_id = models.UUIDField(db_index=True)

    class Meta:
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
