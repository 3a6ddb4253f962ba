"""A real background worker (issue 14, item 1): ``celery -A hsb_portal worker`` started here as a
subprocess against the real Redis and this test's PostgreSQL database runs the job that an
administrator's request sent to it, and logs it under that request's id.

The broker is Redis database ``HSB_TEST_REDIS_DB`` (15 unless set) with a key prefix unique to
this run, so that runs in parallel (other worktrees, CI) never take each other's tasks.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Role
from hsb_portal.celery import app as celery_app
from hsb_portal.scheduling.models import RunState, ScheduledRun
from tests.conftest import signed_in

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = int(os.environ.get("HSB_TEST_REDIS_DB", "15"))
BROKER = f"redis://127.0.0.1:6379/{REDIS_DB}"
WORKER_START_SECONDS = 60
JOB_SECONDS = 60


def database_url() -> str:
    server = connection.settings_dict
    password = f":{server['PASSWORD']}" if server["PASSWORD"] else ""
    return (
        f"postgres://{server['USER'] or 'postgres'}{password}@{server['HOST'] or '127.0.0.1'}"
        f":{server['PORT'] or 5432}/{server['NAME']}"
    )


@pytest.fixture
def broker() -> Iterator[str]:
    """This run's key prefix on the test Redis database; the app sends its tasks there."""
    prefix = f"hsb-test-{uuid.uuid4().hex[:12]}"
    saved = {
        key: celery_app.conf[key]
        for key in ("broker_url", "task_always_eager", "broker_transport_options")
    }
    celery_app.conf.update(
        broker_url=BROKER,
        task_always_eager=False,
        broker_transport_options={
            **saved["broker_transport_options"],
            "global_keyprefix": f"{prefix}:celery:",
        },
    )
    celery_app.close()  # no pooled connection to the previous broker
    try:
        yield prefix
    finally:
        celery_app.conf.update(saved)
        celery_app.close()
        server = redis.Redis.from_url(BROKER)
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)
        server.close()


@pytest.fixture
def worker(broker: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A worker process, as deploy/systemd/hsb-portal-worker.service starts it."""
    name = f"{broker}@%h"
    log = tmp_path / "worker.log"
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(ROOT)),
        "DJANGO_SETTINGS_MODULE": "hsb_portal.settings",
        "SECRET_KEY": "worker-test-" + "k" * 40,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "REDIS_KEY_PREFIX": broker,
        "LOG_FORMAT": "json",
    }
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603  (our worker, fixed arguments)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hsb_portal",
                "worker",
                "--hostname",
                name,
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + WORKER_START_SECONDS
        while "ready." not in log.read_text():
            assert process.poll() is None, f"The worker stopped:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"The worker did not start:\n{log.read_text()}"
            time.sleep(0.2)
        yield broker, log
    finally:
        process.send_signal(signal.SIGTERM)  # warm shutdown, as systemd stops it
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        connection.close()


def test_a_job_an_administrator_sends_from_a_page_is_run_by_the_worker(
    worker: tuple[str, Path], member, record_property
) -> None:
    worker_name, log = worker
    administrator = member(Role.ADMINISTRATOR)
    administrator.user.is_staff = True
    administrator.user.save(update_fields=["is_staff"])
    administrator.user.user_permissions.add(
        *type(administrator.user).user_permissions.field.related_model.objects.filter(
            content_type__app_label="scheduling"
        )
    )
    last_night = ScheduledRun.objects.create(
        job="verify_audit_chain", state=RunState.FAILED, worker="cron", summary="Disk full."
    )
    client = signed_in(Client(), administrator)

    sent = time.monotonic()
    response = client.post(
        reverse("admin:scheduling_scheduledrun_changelist"),
        {"action": "run_again", "_selected_action": [last_night.pk]},
    )

    assert response.status_code == 302
    request_id = response["X-Request-ID"]
    deadline = time.monotonic() + JOB_SECONDS
    run = None
    while time.monotonic() < deadline:
        run = ScheduledRun.objects.exclude(pk=last_night.pk).exclude(state=RunState.RUNNING).first()
        if run is not None:
            break
        time.sleep(0.1)
    took = time.monotonic() - sent
    record_property("worker_seconds", f"{took:.2f}")
    print(f"\nWorker: the job sent by the request ran in the worker {took:.2f} s later")
    assert run is not None, f"The worker did not run the job:\n{log.read_text()}"
    assert run.state == RunState.SUCCEEDED
    assert run.worker.startswith(f"{worker_name}@")  # the worker's own name, not this process
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    succeeded = [line for line in lines if "verify_audit_chain succeeded" in line["message"]]
    assert [line["request_id"] for line in succeeded] == [request_id]
