"""The one-time token of each create form, kept so that a form sent twice creates one record."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SubmittedForm(models.Model):
    """A create form that was sent, and the record it created (security.md §5, double submit)."""

    # The unique constraint is what makes the second of two simultaneous sends fail.
    token = models.UUIDField(unique=True)
    form = models.CharField(max_length=40)
    object_kind = models.CharField(max_length=60)
    object_id = models.UUIDField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return f"{self.form} form sent at {self.submitted_at:%Y-%m-%d %H:%M}"
