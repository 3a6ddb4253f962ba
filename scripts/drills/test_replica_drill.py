"""The replica drill's checks, run by scripts/replica-drill.sh against the clusters it made:
DATABASE_URL is the primary, DATABASE_REPLICA_URL its streaming replica (issue 17, item 6),
and the primary archives its WAL to a folder for the point-in-time recovery (item 7).

Where a read went is proved twice: by the statements each connection ran (Django's own query
log, per database), and by what the page shows while the replica's replay is paused: events
written on the primary since then are missing from a report read on the replica, and present
once the router falls back to the primary. Writes are never made on the replica (and could not
be: PostgreSQL refuses them on a standby). Not part of ``make test``: run the script.
"""

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hsb_portal.accounts.models import AgencyKind, Membership, Role
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action
from hsb_portal.db_router import REPLICA
from tests.conftest import signed_in
from tests.factories import AgencyFactory, ChildFactory, LocalAuthorityFactory, MembershipFactory
from triage.models import Child

pytestmark = pytest.mark.postgresql

BASE = Path(os.environ.get("DRILL_BASE", "/nonexistent"))
PG_BIN = Path(os.environ.get("DRILL_PG_BIN", "/usr/lib/postgresql/15/bin"))
PRIMARY_PORT = int(os.environ.get("DRILL_PRIMARY_PORT", "0"))
REPLICA_PORT = int(os.environ.get("DRILL_REPLICA_PORT", "0"))
ROOT = Path(__file__).resolve().parents[2]
MAX_LAG = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "3"))

figures: list[str] = []


def as_postgres(*args: str) -> None:
    command = [*args] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=300)


def sql(port: int, query: str, *params: Any) -> Any:
    with psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="hsb") as db:
        db.autocommit = True
        cursor = db.cursor()
        cursor.execute(query, params)
        return cursor.fetchone() if cursor.description else None


def wait_for(condition: Any, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"Timed out waiting for {what}"
        time.sleep(0.05)


def caught_up() -> bool:
    (primary_lsn,) = sql(PRIMARY_PORT, "SELECT pg_current_wal_lsn()::text")
    (behind,) = sql(
        REPLICA_PORT, "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", primary_lsn
    )
    return float(behind) <= 0


def events_naming(port: int, child: Child) -> int:
    (count,) = sql(
        port, "SELECT count(*) FROM audit_auditeventchild WHERE child_id = %s", str(child.public_id)
    )
    return int(count)


@pytest.fixture(scope="module")
def world(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """An auditor of an authority, and a child of it with some history, on the primary."""
    assert PRIMARY_PORT and REPLICA_PORT, "Run scripts/replica-drill.sh, not this file alone"
    with django_db_blocker.unblock():
        authority = LocalAuthorityFactory(name="Replica Borough Council", code="replica")
        agency = AgencyFactory(kind=AgencyKind.CHILDRENS_SOCIAL_CARE, authorities=[authority])
        auditor: Membership = MembershipFactory(role=Role.AUDITOR, agency=agency)
        child = ChildFactory(authority=authority)
        for _ in range(3):
            record(None, Action.VIEW, child, children=[child.public_id], actor_email="a@b.example")
        yield {"auditor": auditor, "child": child}
        for alias in connections:
            connections[alias].close()


def export_history(world: dict[str, Any]) -> tuple[int, list[str], list[str]]:
    """The auditor's CSV case history: its rows, and the statements run on each database."""
    client = signed_in(Client(), world["auditor"])
    url = reverse("audit:child-history-csv", args=[world["child"].public_id])
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    return len(rows), [q["sql"] for q in primary], [q["sql"] for q in replica]


def is_write(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))


def test_reporting_reads_go_to_the_replica_and_writes_never_do(world, django_db_blocker) -> None:
    with django_db_blocker.unblock():
        wait_for(caught_up, "the replica to catch up")
        _, on_primary, on_replica = export_history(world)

    assert any("audit_auditevent" in statement for statement in on_replica)
    assert on_replica and not any(is_write(statement) for statement in on_replica)
    # The access decision and the audit of the export were the primary's.
    assert any(is_write(statement) and "audit_auditevent" in statement for statement in on_primary)
    figures.append(
        f"export on the replica: {len(on_replica)} reads there, "
        f"{len(on_primary)} statements on the primary"
    )


def test_retention_report_reads_on_the_replica(world, django_db_blocker) -> None:
    with django_db_blocker.unblock():
        authority = world["child"].authority
        administrator = MembershipFactory(
            role=Role.ADMINISTRATOR,
            agency=AgencyFactory(kind=AgencyKind.CHILDRENS_SOCIAL_CARE, authorities=[authority]),
        )
        wait_for(caught_up, "the replica to catch up")
        client = signed_in(Client(), administrator)
        with CaptureQueriesContext(connections[REPLICA]) as replica:
            response = client.get(reverse("retention:report"))

    assert response.status_code == 200
    assert any("retention_retentionrule" in q["sql"] for q in replica)
    assert not any(is_write(q["sql"]) for q in replica)


def test_a_lagging_replica_is_read_until_the_limit_then_the_primary(
    world, django_db_blocker
) -> None:
    child = world["child"]
    with django_db_blocker.unblock():
        # A commit just now, replayed, then replay paused: the replica's copy is fresh but frozen.
        record(None, Action.VIEW, child, children=[child.public_id], actor_email="a@b.example")
        wait_for(caught_up, "the replica to catch up")
        sql(REPLICA_PORT, "SELECT pg_wal_replay_pause()")
        wait_for(
            lambda: sql(REPLICA_PORT, "SELECT pg_get_wal_replay_pause_state()")[0] == "paused",
            "replay to pause",
        )
        paused_at = time.monotonic()
        record(None, Action.VIEW, child, children=[child.public_id], actor_email="a@b.example")
        on_replica = events_naming(REPLICA_PORT, child)

        rows, _, replica_reads = export_history(world)  # within the lag limit

        on_primary = events_naming(PRIMARY_PORT, child)
        assert time.monotonic() - paused_at < MAX_LAG, "too slow to test within the limit"
        assert replica_reads
        # The replica's frozen copy: not the event written since the pause, nor this export's
        # own access record and export record, which the primary has.
        assert rows == on_replica < on_primary
        assert events_naming(REPLICA_PORT, child) == on_replica  # nothing was written there

        time.sleep(max(0.0, MAX_LAG + 0.5 - (time.monotonic() - paused_at)))
        before = events_naming(PRIMARY_PORT, child)
        rows, _, replica_reads = export_history(world)  # past the limit: the primary

        # Only the health checks ran there, which found it too far behind.
        assert all("pg_last_wal" in statement for statement in replica_reads)
        assert rows == before + 1  # everything, this export's access record included
        figures.append(
            f"paused replica: {on_replica} rows within {MAX_LAG:.0f} s of lag, "
            f"{rows} from the primary past it"
        )

        sql(REPLICA_PORT, "SELECT pg_wal_replay_resume()")
        wait_for(caught_up, "the replica to catch up after resuming")
        _, _, replica_reads = export_history(world)
        assert any("audit_auditevent" in statement for statement in replica_reads)


def test_a_stopped_replica_falls_back_to_the_primary(world, django_db_blocker) -> None:
    as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(BASE / "replica"), "-m", "fast", "-w", "stop")
    with django_db_blocker.unblock():
        before = events_naming(PRIMARY_PORT, world["child"])
        started = time.monotonic()
        rows, on_primary, on_replica = export_history(world)
        took = time.monotonic() - started

    # Only the health check was tried there, and its connection was refused.
    assert on_replica and all("pg_last_wal" in statement for statement in on_replica)
    assert rows == before + 1
    assert any("audit_auditevent" in statement for statement in on_primary)
    figures.append(f"replica stopped: the export read the primary, in {took:.2f} s")


def test_point_in_time_recovery_to_a_named_restore_point(world, django_db_blocker) -> None:
    pitr_base, restored = BASE / "pitr-base", BASE / "pitr"
    started = time.monotonic()
    as_postgres(
        str(PG_BIN / "pg_basebackup"),
        "-h",
        "127.0.0.1",
        "-p",
        str(PRIMARY_PORT),
        "-U",
        "postgres",
        "-D",
        str(pitr_base),
        "-X",
        "none",
        "-c",
        "fast",
    )
    backup_seconds = time.monotonic() - started
    backup_bytes = sum(f.stat().st_size for f in pitr_base.rglob("*") if f.is_file())

    with django_db_blocker.unblock():
        ChildFactory(authority=world["child"].authority, family_name="Keptbefore")
        sql(PRIMARY_PORT, "SELECT pg_create_restore_point('before-the-mistake')")
        ChildFactory(authority=world["child"].authority, family_name="Madeafter")
        Child.objects.update(family_name="Mistake")  # the mistake the restore undoes
        (last_wal,) = sql(PRIMARY_PORT, "SELECT pg_walfile_name(pg_switch_wal())")
        wait_for(lambda: (BASE / "archive" / last_wal).exists(), "the WAL to be archived")
    segments = len(list((BASE / "archive").glob("0*")))

    shutil.copytree(pitr_base, restored, symlinks=True)
    subprocess.run(["chown", "-R", "postgres:postgres", str(restored)], check=True)
    port = PRIMARY_PORT + 1 if PRIMARY_PORT < 65535 else PRIMARY_PORT - 1
    with (restored / "postgresql.conf").open("a") as conf:
        conf.write(
            f"port = {port}\narchive_mode = off\n"
            f"restore_command = 'cp {BASE / 'archive'}/%f %p'\n"
            "recovery_target_name = 'before-the-mistake'\n"
            "recovery_target_action = 'promote'\n"
        )
    (restored / "recovery.signal").touch()
    subprocess.run(["chown", "postgres:postgres", str(restored / "recovery.signal")], check=True)
    started = time.monotonic()
    as_postgres(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(restored),
        "-l",
        str(BASE / "pitr.log"),
        "-w",
        "-t",
        "120",
        "start",
    )
    wait_for(lambda: sql(port, "SELECT NOT pg_is_in_recovery()")[0], "the restore to finish", 120)
    restore_seconds = time.monotonic() - started

    names = set(sql(port, "SELECT array_agg(family_name) FROM triage_child")[0])
    assert "Keptbefore" in names
    assert "Madeafter" not in names and "Mistake" not in names
    environment = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/hsb"}
    environment.pop("DATABASE_REPLICA_URL")
    for command in (["migrate", "--check"], ["verify_audit_chain"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    figures.append(
        f"point-in-time recovery: base backup {backup_bytes / 1e6:.1f} MB in "
        f"{backup_seconds:.1f} s, {segments} WAL segments archived, restored to the named point "
        f"and promoted in {restore_seconds:.1f} s; {len(names)} children as they were, audit "
        f"chain intact ({result.stdout.strip()})"
    )
    print("\nReplica drill figures:\n  " + "\n  ".join(figures))
