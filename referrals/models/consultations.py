"""'No names' consultations: advice asked of the MASH about a situation, with nothing that
identifies the child (CA 6.1, 15; domain.md §5). A separate, anonymous kind of record."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from hsb_portal.accounts.models import Agency, LocalAuthority


class NoNamesConsultation(models.Model):
    """Advice given without names. It has no link to any child, by design."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="no_names_consultations"
    )
    asked_by_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="no_names_consultations",
    )
    asked_by = models.CharField(
        "who asked", max_length=200, help_text="Their name, role and agency; never the child's."
    )
    asked_at = models.DateTimeField()
    question = models.TextField()
    advice = models.TextField("advice given")
    advised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    advised_by_role = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = "'no names' consultation"
        indexes = [
            models.Index(fields=["authority", "asked_at"], name="no_names_authority_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"NN-{self.public_id.hex[:8].upper()}"
