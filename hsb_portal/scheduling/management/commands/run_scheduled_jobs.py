"""Run the scheduled jobs once: in this process (no broker needed: ``make run``'s database, a
newcomer's machine, or a server's cron), or handed to the worker with ``--on-worker``."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max

from hsb_portal.scheduling.jobs import JOBS, run_job
from hsb_portal.scheduling.models import RunState, ScheduledRun
from hsb_portal.scheduling.tasks import run_scheduled_job


class Command(BaseCommand):
    help = "Run the scheduled jobs once (backup, verify_audit_chain, dispose_records), in order."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--job",
            action="append",
            choices=list(JOBS),
            help="Run only this job (may be given more than once).",
        )
        parser.add_argument(
            "--on-worker",
            action="store_true",
            help="Send the jobs to the background worker and wait for them to finish.",
        )
        parser.add_argument(
            "--wait", type=float, default=600, help="With --on-worker: seconds to wait at most."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["job"] or list(JOBS)
        if options["on_worker"]:
            runs = self.on_worker(names, options["wait"])
        else:
            runs = [run_job(name) for name in names]
        for run in runs:
            took = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
            self.stdout.write(
                f"{run.job}: {run.state} on {run.worker} in {took:.1f} s. {run.summary}"
            )
        failed = [run.job for run in runs if run.state == RunState.FAILED]
        if failed:
            raise CommandError(f"Failed: {', '.join(failed)}")

    def on_worker(self, names: list[str], wait: float) -> list[ScheduledRun]:
        if not settings.CELERY_BROKER_URL:
            raise CommandError("No broker is configured (CELERY_BROKER_URL or REDIS_URL)")
        before = ScheduledRun.objects.aggregate(last=Max("pk"))["last"] or 0
        for name in names:
            run_scheduled_job.delay(name)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            done = {
                run.job: run
                for run in ScheduledRun.objects.filter(pk__gt=before, job__in=names).exclude(
                    state=RunState.RUNNING
                )
            }
            if len(done) == len(names):
                return [done[name] for name in names]
            time.sleep(0.2)
        raise CommandError(f"The worker did not finish {', '.join(names)} in {wait:.0f} s")
