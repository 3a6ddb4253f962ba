from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "hsb_portal.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from hsb_portal.audit import signals  # noqa: F401  (log-in and log-out events)

        post_migrate.connect(_months_ahead, sender=self)


def _months_ahead(using: str = "default", **kwargs: Any) -> None:
    """``migrate`` makes the audit log's next months' partitions (PostgreSQL)."""
    from hsb_portal.audit import partitions

    if using == "default":
        partitions.create_ahead()
