"""/healthz and /readyz (issue 17, item 5): no sign-in, no session, no audit event, a short plain
line per check and nothing else; 503 when the database, the cache, the broker or the
migrations are not there. The failures are real: a closed port, an empty database."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Role
from hsb_portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# Nothing listens on port 1 of this machine.
CLOSED = "127.0.0.1:1"


def test_healthz_answers_anyone_with_no_query_and_no_session(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.cookies == {}


def test_readyz_lists_each_check_and_reveals_nothing_else(client_as) -> None:
    clients = (Client(), client_as(Role.PRACTITIONER))
    events = AuditEvent.objects.count()

    for client in clients:
        response = client.get(reverse("readyz"))

        assert response.status_code == 200
        # The tests run with no broker: tasks run in-process.
        assert response.content.decode() == (
            "database: ok\ncache: ok\nbroker: in-process\nmigrations: ok\n"
        )
    assert AuditEvent.objects.count() == events


def readyz_in_a_fresh_process(**env: str) -> tuple[int, str]:
    """GET /readyz in a process of its own, configured as production is, by the environment."""
    code = (
        "from django.test import Client; r = Client().get('/readyz');"
        "print(r.status_code); print(r.content.decode(), end='')"
    )
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(ROOT)),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "0",
        "ALLOWED_HOSTS": "testserver",
        **env,
    }
    result = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    status, _, body = result.stdout.partition("\n")
    return int(status), body


def test_readyz_is_503_when_the_database_is_down() -> None:
    status, body = readyz_in_a_fresh_process(DATABASE_URL=f"postgres://postgres@{CLOSED}/hsb")

    assert status == 503
    assert body == "database: failing\ncache: failing\nbroker: in-process\nmigrations: failing\n"


def test_readyz_is_503_when_the_broker_is_down(tmp_path: Path) -> None:
    database = tmp_path / "ready.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr

    status, body = readyz_in_a_fresh_process(**env, CELERY_BROKER_URL=f"redis://{CLOSED}/0")

    assert status == 503
    assert body == "database: ok\ncache: ok\nbroker: failing\nmigrations: ok\n"

    # With the real Redis as broker and cache, the same database is ready.
    status, body = readyz_in_a_fresh_process(
        **env, REDIS_URL="redis://127.0.0.1:6379/15", REDIS_KEY_PREFIX="hsb-test-readyz"
    )
    assert (status, body) == (200, "database: ok\ncache: ok\nbroker: ok\nmigrations: ok\n")


def test_readyz_is_503_until_the_migrations_are_applied(tmp_path: Path) -> None:
    status, body = readyz_in_a_fresh_process(DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite3'}")

    assert status == 503
    # An empty database: no cache table yet either.
    assert body == "database: ok\ncache: failing\nbroker: in-process\nmigrations: failing\n"
