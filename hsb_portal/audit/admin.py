from django.contrib import admin
from django.http import HttpRequest

from hsb_portal.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the audit log is never edited, here or anywhere."""

    list_display = ["occurred_at", "actor_email", "role", "action", "object_kind", "object_id"]
    list_filter = ["action", "object_kind"]
    search_fields = ["actor_email", "object_id", "request_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
