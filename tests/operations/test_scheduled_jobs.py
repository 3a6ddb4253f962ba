"""The scheduled jobs (backup, the audit chain's check, disposal): each run is recorded, a
second start while one runs does nothing, a dead worker's run is taken over, and with no broker
one command runs them all in-process (issue 14, item 1)."""

import subprocess
import threading
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action, AuditEvent
from hsb_portal.scheduling.jobs import TIME_LIMIT_SECONDS, job_finished, run_job
from hsb_portal.scheduling.models import RunState, ScheduledRun
from tests.factories import ChildFactory
from tests.foundation.test_audit_chain import as_database_owner

pytestmark = pytest.mark.django_db


def two_events() -> list[AuditEvent]:
    child = ChildFactory()
    return [
        record(None, Action.VIEW, child, children=[child.public_id], actor_email=f"{n}@a.example")
        for n in ("first", "second")
    ]


def test_the_audit_chain_check_records_a_successful_run() -> None:
    two_events()

    run = run_job("verify_audit_chain")

    run.refresh_from_db()
    assert run.state == RunState.SUCCEEDED
    assert run.summary == "The audit chain is intact: 2 events checked."
    assert run.finished_at is not None and run.finished_at >= run.started_at


def test_a_broken_chain_is_a_failed_run_that_the_notifications_hear_of() -> None:
    first, _ = two_events()
    with as_database_owner():
        AuditEvent.objects.filter(pk=first.pk).update(actor_email="someone@else.example")
    heard: list[ScheduledRun] = []

    def listener(sender: object, run: ScheduledRun, **kwargs: object) -> None:
        heard.append(run)

    job_finished.connect(listener)
    try:
        run = run_job("verify_audit_chain")
    finally:
        job_finished.disconnect(listener)

    assert run.state == RunState.FAILED
    assert f"breaks at event {first.pk}" in run.summary
    assert heard == [run]


def test_disposal_with_nothing_approved_erases_nothing_and_says_so() -> None:
    first = run_job("dispose_records")
    second = run_job("dispose_records")

    assert (first.state, second.state) == (RunState.SUCCEEDED, RunState.SUCCEEDED)
    assert second.summary == "0 erased, 0 kept, 0 reviews done"


def test_a_second_start_while_a_run_is_in_progress_is_skipped() -> None:
    ScheduledRun.objects.create(job="dispose_records", state=RunState.RUNNING, worker="other")

    run = run_job("dispose_records")

    assert run.state == RunState.SKIPPED
    assert run.summary == "Another run of this job was still in progress."
    assert ScheduledRun.objects.filter(job="dispose_records", state=RunState.RUNNING).count() == 1


def test_a_run_whose_worker_died_is_taken_over_after_the_time_limit() -> None:
    dead = ScheduledRun.objects.create(
        job="verify_audit_chain",
        state=RunState.RUNNING,
        worker="gone",
        started_at=timezone.now() - timedelta(seconds=TIME_LIMIT_SECONDS + 1),
    )

    run = run_job("verify_audit_chain")

    dead.refresh_from_db()
    assert dead.state == RunState.ABANDONED
    assert run.state == RunState.SUCCEEDED


def test_with_no_broker_one_command_runs_every_job_in_process(tmp_path: Path) -> None:
    out = StringIO()

    with override_settings(CELERY_BROKER_URL="", BACKUP_DIR=tmp_path):
        call_command("run_scheduled_jobs", stdout=out)

    lines = out.getvalue().splitlines()
    jobs = ["backup", "verify_audit_chain", "dispose_records"]
    assert [line.split(":")[0] for line in lines] == jobs
    assert list(ScheduledRun.objects.order_by("pk").values_list("job", flat=True)) == jobs
    if connection.vendor == "postgresql":
        assert lines[0].startswith("backup: succeeded")
        assert len(list(tmp_path.glob("hsb_portal-*.dump"))) == 1
    else:
        # A SQLite database is the developer's own: pg_dump has nothing to back up.
        assert lines[0].startswith("backup: skipped")
        assert "Backups are of PostgreSQL; this database is sqlite" in lines[0]
    assert all(": succeeded" in line for line in lines[1:])


def test_the_command_fails_when_a_job_fails() -> None:
    first, _ = two_events()
    with as_database_owner():
        AuditEvent.objects.filter(pk=first.pk).update(actor_email="someone@else.example")

    with pytest.raises(CommandError, match="Failed: verify_audit_chain"):
        call_command("run_scheduled_jobs", "--job", "verify_audit_chain", stdout=StringIO())


def test_sending_to_the_worker_needs_a_broker() -> None:
    with (
        override_settings(CELERY_BROKER_URL=""),
        pytest.raises(CommandError, match="No broker is configured"),
    ):
        call_command("run_scheduled_jobs", "--on-worker", stdout=StringIO())


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_backups_started_at_once_make_one_restorable_dump(tmp_path: Path) -> None:
    two_events()
    runs: list[ScheduledRun] = []
    start = threading.Barrier(2)

    def back_up() -> None:
        start.wait()
        try:
            runs.append(run_job("backup"))
        finally:
            connection.close()

    with override_settings(BACKUP_DIR=tmp_path):
        threads = [threading.Thread(target=back_up) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    states = sorted(run.state for run in runs)
    assert states == [RunState.SKIPPED, RunState.SUCCEEDED]
    dumps = list(tmp_path.glob("hsb_portal-*.dump"))
    assert len(dumps) == 1
    done = next(run for run in runs if run.state == RunState.SUCCEEDED)
    assert done.summary == f"Wrote {dumps[0].name} ({dumps[0].stat().st_size} bytes)"
    # The dump lists the audit log's table of contents: it is a real custom-format archive.
    listing = subprocess.run(  # noqa: S603  (Debian's pg_restore, fixed arguments)
        ["pg_restore", "--list", str(dumps[0])],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "TABLE DATA public audit_auditevent" in listing.stdout
