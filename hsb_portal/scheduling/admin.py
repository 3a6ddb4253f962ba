from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from hsb_portal.scheduling.models import ScheduledRun
from hsb_portal.scheduling.tasks import run_scheduled_job


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    """The record of the scheduled jobs' runs, read only; an administrator may run a job again
    now (after a failed backup, say), on the background worker."""

    list_display = ["job", "state", "started_at", "finished_at", "worker", "summary"]
    list_filter = ["job", "state"]
    actions = ["run_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_run_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("scheduling.run_job")

    @admin.action(description="Run these jobs again now", permissions=["run"])
    def run_again(self, request: HttpRequest, queryset: "QuerySet[ScheduledRun]") -> None:
        jobs = sorted(set(queryset.values_list("job", flat=True)))
        for job in jobs:
            run_scheduled_job.delay(job)
        self.message_user(
            request, f"Sent to the background worker: {', '.join(jobs)}", messages.SUCCESS
        )
