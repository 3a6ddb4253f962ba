"""Backup and restore drill (security.md §5, "Backup, restore and failover"): a whole case is
dumped with ``pg_dump -Fc`` and restored with ``pg_restore`` into a fresh database. The copy
must hold every row of every table unchanged, be fully migrated, serve the auditor's case
history, keep an intact audit chain that carries on from where it was, and keep the database's
own refusal to change the audit log.

The dump is of the test database itself, so the data must be committed (``transaction=True``).
The tools are Debian's PostgreSQL client programs; nothing is mocked.
"""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from psycopg2 import errors, sql

from hsb_portal.accounts.models import Membership, Role
from hsb_portal.audit.models import AuditEvent
from tests.audit.conftest import Case, brook, case  # noqa: F401  (fixtures: one whole case)
from tests.conftest import signed_in

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

TOOL_TIMEOUT = 120  # seconds; a dump of the test data takes about one
Fingerprint = dict[str, tuple[int, str]]


def _server() -> dict[str, Any]:
    return connection.settings_dict


def _client_args() -> list[str]:
    server = _server()
    args = ["--host", server["HOST"] or "127.0.0.1", "--username", server["USER"] or "postgres"]
    if server["PORT"]:
        args += ["--port", str(server["PORT"])]
    return args


def _client_env() -> dict[str, str]:
    env = dict(os.environ)
    if _server()["PASSWORD"]:
        env["PGPASSWORD"] = _server()["PASSWORD"]
    return env


def _run(args: list[str], *, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # An argument list, never a shell; the programs are Debian's, found on PATH.
    return subprocess.run(  # noqa: S603  (fixed argument list, no shell, no user input)
        args, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
    )


def _connect(name: str) -> Any:
    server = _server()
    return psycopg2.connect(
        dbname=name,
        host=server["HOST"] or "127.0.0.1",
        port=server["PORT"] or 5432,
        user=server["USER"] or "postgres",
        password=server["PASSWORD"] or None,
    )


def fingerprint(cursor: Any) -> Fingerprint:
    """Each table of the public schema: its row count and the md5 of its rows in order."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [name for (name,) in cursor.fetchall()]
    found = {}
    for table in tables:
        cursor.execute(
            sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                " FROM {} t"
            ).format(sql.Identifier(table))
        )
        found[table] = cursor.fetchone()
    return found


def sequences(cursor: Any) -> dict[str, int | None]:
    """Where each id sequence stands: a restored copy must not hand out an id twice."""
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    return dict(cursor.fetchall())


@contextmanager
def restored_copy(folder: Path) -> Iterator[str]:
    """Dump the test database with pg_dump -Fc and restore it into a fresh database; drop it
    afterwards whatever happens."""
    original = _server()["NAME"]
    restored = f"{original}_restored"
    dump = folder / f"{original}.dump"
    with connection.cursor() as cursor:  # autocommit: CREATE DATABASE needs no transaction
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(restored)}")
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(restored)} TEMPLATE template0")
    try:
        dumped = _run(
            ["pg_dump", "--format=custom", "--file", str(dump), *_client_args(), original],
            env=_client_env(),
        )
        assert dumped.returncode == 0, dumped.stderr
        restore = ["pg_restore", "--exit-on-error", "--no-owner", *_client_args()]
        done = _run([*restore, "--dbname", restored, str(dump)], env=_client_env())
        assert done.returncode == 0, done.stderr
        yield restored
    finally:
        dump.unlink(missing_ok=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP DATABASE IF EXISTS {connection.ops.quote_name(restored)} WITH (FORCE)"
            )


def manage(command: list[str], *, database: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` with the production settings, pointed at ``database`` as an operator
    restoring a backup would."""
    server = _server()
    password = f":{quote(server['PASSWORD'], safe='')}" if server["PASSWORD"] else ""
    host = server["HOST"] or "127.0.0.1"
    port = f":{server['PORT']}" if server["PORT"] else ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hsb_portal.settings",
        "DATABASE_URL": f"postgres://{server['USER']}{password}@{host}{port}/{database}",
        "SECRET_KEY": settings.SECRET_KEY,
        "HTTPS": "0",
    }
    return _run([sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *command], env=env)


@contextmanager
def serving_from(database: str) -> Iterator[None]:
    """Point this process's connection at another database, as Django's test runner does when
    it switches to the test database, and back again."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = database
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def test_a_restored_backup_has_every_row_unchanged_and_serves_the_case_with_its_audit_chain(
    case: Case,  # noqa: F811
    member: Callable[..., Membership],
    tmp_path: Path,
) -> None:
    call_command("seed_demo", throwaway_demo=True, stdout=StringIO())
    auditor = member(Role.AUDITOR)
    with connection.cursor() as cursor:
        before, sequences_before = fingerprint(cursor), sequences(cursor)
    assert before["audit_auditevent"][0] > 20  # a whole case, not an empty schema
    assert before["referrals_referral"][0] == 2

    with restored_copy(tmp_path) as restored:
        with _connect(restored) as copy, copy.cursor() as cursor:
            after, sequences_after = fingerprint(cursor), sequences(cursor)
        copy.close()
        migrated = manage(["migrate", "--check"], database=restored)
        with serving_from(restored):
            page = signed_in(Client(), auditor).get(
                reverse("audit:child-history", args=[case.riley.public_id])
            )
            events_in_copy = AuditEvent.objects.count()
        verified = manage(["verify_audit_chain"], database=restored)

    assert after == before
    assert sequences_after == sequences_before
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    # The copy serves the auditor the child's history and records that view in its own log.
    assert page.status_code == 200
    assert "Riley Ashcombe" in page.content.decode()
    assert events_in_copy > before["audit_auditevent"][0] == AuditEvent.objects.count()
    assert verified.returncode == 0, verified.stderr
    assert f"The audit chain is intact: {events_in_copy} events checked." in verified.stdout


# Each statement touches the oldest row of its table; the message is the trigger's own.
REFUSED = {
    "update-event": (
        "UPDATE audit_auditevent SET detail = 'rewritten' WHERE id = (SELECT min(id) FROM {0})",
        "audit_auditevent",
        "the audit log is append-only",
    ),
    "delete-event": (
        "DELETE FROM audit_auditevent WHERE id = (SELECT min(id) FROM {0})",
        "audit_auditevent",
        "the audit log is append-only",
    ),
    "delete-event-child": (
        "DELETE FROM audit_auditeventchild WHERE id = (SELECT min(id) FROM {0})",
        "audit_auditeventchild",
        "the audit log is append-only",
    ),
    "update-record-version": (
        "UPDATE audit_recordversion SET snapshot = '{{}}' WHERE id = (SELECT min(id) FROM {0})",
        "audit_recordversion",
        "record versions are never changed",
    ),
}


@pytest.mark.parametrize(("statement", "table", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_restored_backup_still_refuses_to_change_the_audit_log(
    case: Case,  # noqa: F811
    statement: str,
    table: str,
    message: str,
    tmp_path: Path,
) -> None:
    with restored_copy(tmp_path) as restored:
        with _connect(restored) as copy, copy.cursor() as cursor:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            rows = cursor.fetchone()[0]
            with pytest.raises(errors.InsufficientPrivilege, match=message):
                cursor.execute(sql.SQL(statement).format(sql.Identifier(table)))
        copy.close()

    assert rows > 0  # there was a row to change
