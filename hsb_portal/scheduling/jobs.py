"""The scheduled jobs and the one way they run (``run_job``), from Celery beat through the
worker (``tasks.py``) or from ``manage.py run_scheduled_jobs``.

Each job is idempotent (a second run finds nothing left to do, or does the same harmless thing
again) and safe to start twice at once: a run first claims its job with a ``running`` row, which
a unique constraint allows only once per job, so a second start is recorded as skipped. A run
whose worker died is taken over once it is past the time limit that Celery enforces anyway.
"""

import logging
import os
import socket

# Runs our own backup script with fixed arguments.
import subprocess  # nosec B404
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import django.dispatch
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hsb_portal.audit.log import verify_chain
from hsb_portal.retention.disposal import dispose_records
from hsb_portal.scheduling.models import RunState, ScheduledRun

logger = logging.getLogger(__name__)

# No job may run longer; Celery kills a task past it (tasks.py), and a ``running`` row older
# than this belongs to a dead worker.
TIME_LIMIT_SECONDS = 2 * 60 * 60

# Sent after every run that did something (not a skipped one), with ``run``: the notifications
# listen here to tell the administrators of a failed job, such as a break in the audit chain.
job_finished = django.dispatch.Signal()


class JobFailed(Exception):
    """The job ran and found something wrong; the message is its summary."""


class JobNotApplicable(Exception):
    """The job has nothing to do on this deployment (a backup of a SQLite database)."""


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    # Does the work; returns the run's summary (counts and opaque ids only).
    work: Callable[[], str]


def _verify_audit_chain() -> str:
    checked, first_break = verify_chain()
    if first_break is not None:
        raise JobFailed(
            f"The audit chain breaks at event {first_break.event_id}: {first_break.reason}. "
            f"{checked} events before it are intact."
        )
    return f"The audit chain is intact: {checked} events checked."


def _dispose_records() -> str:
    run = dispose_records()
    return f"{len(run.erased)} erased, {len(run.kept)} kept, {len(run.reviews)} reviews done"


BACKUP_SCRIPT = Path(settings.BASE_DIR) / "scripts" / "backup.sh"


def _backup() -> str:
    if connection.vendor != "postgresql":
        raise JobNotApplicable(f"Backups are of PostgreSQL; this database is {connection.vendor}")
    database = connection.settings_dict
    # The database this process uses, without the password on a command line (ps shows it).
    url = "postgres://{user}@{host}:{port}/{name}".format(
        user=database["USER"] or "postgres",
        host=database["HOST"] or "localhost",
        port=database["PORT"] or 5432,
        name=database["NAME"],
    )
    environment = {**os.environ, "DATABASE_URL": url}
    if database["PASSWORD"]:
        environment["PGPASSWORD"] = database["PASSWORD"]
    # Our script, and a folder from the settings: no input from anyone.
    result = subprocess.run(  # noqa: S603 # nosec B603
        [str(BACKUP_SCRIPT), str(settings.BACKUP_DIR)],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT_SECONDS - 60,
        check=False,
    )
    if result.returncode != 0:
        # pg_dump's own words name tables and connection problems, never rows.
        raise JobFailed(f"pg_dump failed: {result.stderr.strip()[-400:]}")
    written = Path(result.stdout.strip().splitlines()[-1])
    return f"Wrote {written.name} ({written.stat().st_size} bytes)"


# In the order a night runs them (settings.CELERY_BEAT_SCHEDULE): back up, check, then erase.
JOBS = {
    job.name: job
    for job in [
        Job("backup", "Back up the database (scripts/backup.sh)", _backup),
        Job("verify_audit_chain", "Check that the audit log is unbroken", _verify_audit_chain),
        Job("dispose_records", "Erase the records whose disposal was approved", _dispose_records),
    ]
}


def this_process() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


def _claim(job: Job, worker: str) -> ScheduledRun:
    now = timezone.now()
    ScheduledRun.objects.filter(
        job=job.name,
        state=RunState.RUNNING,
        started_at__lt=now - timedelta(seconds=TIME_LIMIT_SECONDS),
    ).update(state=RunState.ABANDONED, finished_at=now)
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job.name, state=RunState.RUNNING, worker=worker)
    except IntegrityError:
        return ScheduledRun.objects.create(
            job=job.name,
            state=RunState.SKIPPED,
            finished_at=now,
            worker=worker,
            summary="Another run of this job was still in progress.",
        )


def _finish(run: ScheduledRun, state: RunState, summary: str) -> None:
    run.state = state
    run.summary = summary[:500]
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "summary", "finished_at"])


def run_job(name: str, *, worker: str | None = None) -> ScheduledRun:
    """Run one job now, unless another run of it is in progress; the run's row says how it
    went. Never raises for the job's own failure: the row (and the log) records it."""
    job = JOBS[name]
    run = _claim(job, worker or this_process())
    if run.state == RunState.SKIPPED:
        logger.info("Scheduled job %s skipped: another run is in progress", name)
        return run
    try:
        summary = job.work()
    except JobNotApplicable as reason:
        _finish(run, RunState.SKIPPED, str(reason))
    except JobFailed as failure:
        logger.error("Scheduled job %s failed: %s", name, failure)
        _finish(run, RunState.FAILED, str(failure))
    except Exception:
        logger.exception("Scheduled job %s failed unexpectedly", name)
        _finish(run, RunState.FAILED, "Failed with an unexpected error: see the worker's log.")
    else:
        logger.info("Scheduled job %s succeeded: %s", name, summary)
        _finish(run, RunState.SUCCEEDED, summary)
    job_finished.send(sender=ScheduledRun, run=run)
    return run
