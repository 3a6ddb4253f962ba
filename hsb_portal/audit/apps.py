from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hsb_portal.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from hsb_portal.audit import signals  # noqa: F401  (log-in and log-out events)
