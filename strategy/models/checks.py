"""The chair's check of each child's minutes before approving them: for every piece of text that
still resembles another child's details (strategy/meetings/redaction/), whether the chair kept
it or redacted it. Part of the minutes version, so a redaction applies to that child's page and
PDF from then on; an amendment copies them, and approved ones never change (on PostgreSQL the
database refuses too: migration 0005)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from strategy.models.meetings import MeetingChild, MinutesVersion

__all__ = ["RedactionChoice", "RedactionDecision"]


class RedactionChoice(models.TextChoices):
    KEEP = "keep", "Kept: it does not identify another child"
    REDACT = "redact", "Redacted"


class RedactionDecision(models.Model):
    """The chair kept or redacted one piece of text in one child's minutes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    minutes = models.ForeignKey(
        MinutesVersion, on_delete=models.CASCADE, related_name="redaction_decisions"
    )
    meeting_child = models.ForeignKey(
        MeetingChild, on_delete=models.CASCADE, related_name="redaction_decisions"
    )
    # The text normalised (what later text is matched on) and as it was written.
    key = models.CharField(max_length=300)
    text = models.CharField(max_length=300)
    reason = models.CharField("why it was shown to the chair", max_length=200)
    replacement = models.CharField("what replaces it when redacted", max_length=100)
    decision = models.CharField(max_length=10, choices=RedactionChoice.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_role = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["minutes", "meeting_child", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "meeting_child", "key"], name="redaction_decision_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} in {self.meeting_child}'s minutes"
