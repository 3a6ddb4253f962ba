"""The append-only audit log: who did what to which record, and which children it concerned."""

from django.conf import settings
from django.db import models


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

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
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
