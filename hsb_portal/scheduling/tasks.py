"""The worker's tasks for the scheduled jobs; Celery beat sends ``run_scheduled_job`` with each
job's name on the schedule in ``settings.CELERY_BEAT_SCHEDULE``."""

from typing import Any

from celery import shared_task

from hsb_portal.scheduling.jobs import TIME_LIMIT_SECONDS, run_job


@shared_task(
    name="hsb_portal.scheduling.tasks.run_scheduled_job", bind=True, time_limit=TIME_LIMIT_SECONDS
)
def run_scheduled_job(self: Any, job: str) -> None:
    # The worker's own name (celery@host) says which worker ran it; in-process, this process.
    run_job(job, worker=self.request.hostname)
