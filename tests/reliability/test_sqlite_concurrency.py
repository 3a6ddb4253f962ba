"""The embedded SQLite database under simultaneous sends (issue 10, item 11).

Not a mock: a real server process (``manage.py runserver``, one thread per request, each with
its own connection) over a real SQLite file, and real requests sent at the same instant from
threads. It runs whichever database the rest of the suite uses, since the server has its own.
"""

import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Made in the server's database by manage.py shell: a practitioner signed in with both
# factors, whose session key is printed for the test to use as its cookie.
SET_UP = """
import time
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hsb_portal.accounts import two_factor
from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role, User
from hsb_portal.middleware import ACTIVE_MEMBERSHIP_KEY

authority = LocalAuthority.objects.create(name="Harbourside Borough Council", code="harbourside")
school = Agency.objects.create(name="Harbourside Academy", kind=AgencyKind.SCHOOL)
school.authorities.add(authority)
user = User.objects.create_user(email="teacher@harbourside.example", full_name="Tal Teacher")
membership = Membership.objects.create(user=user, agency=school, role=Role.PRACTITIONER)
device = TOTPDevice.objects.create(user=user, name=two_factor.AUTHENTICATOR, confirmed=True)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "hsb_portal.accounts.backends.PasswordBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session[two_factor.VERIFIED_AT_KEY] = time.time()
session[ACTIVE_MEMBERSHIP_KEY] = str(membership.public_id)
session.create()
print(authority.pk, session.session_key)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    port: int
    database: Path
    authority_pk: str
    session_key: str

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None, csrf: str = ""
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        cookies = f"sessionid={self.session_key}"
        headers = {"Cookie": cookies + (f"; csrftoken={csrf}" if csrf else "")}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = csrf
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        headers = dict(response.getheaders())
        headers["Set-Cookie"] = "; ".join(response.headers.get_all("Set-Cookie") or [])
        answer = (response.status, headers, text)
        connection.close()
        return answer

    def rows(self, table: str) -> int:
        with closing(sqlite3.connect(self.database)) as database:
            return int(database.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "sqlite-under-load-" + "k" * 40,
        "HTTPS": "0",
        # As `make run` serves the embedded database: on a developer's machine, DEBUG on.
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server over a fresh SQLite file. The URL sets a 1-second busy timeout, so that the
    test that holds the write lock on purpose waits 1 second, not the default 20."""
    database = tmp_path_factory.mktemp("sqlite") / "hsb_portal.sqlite3"
    environment = _environment(f"sqlite:///{database}?timeout=1")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=environment, cwd=ROOT, check=True)  # noqa: S603
    made = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", SET_UP],
        env=environment,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    authority_pk, session_key = made.stdout.split()[-2:]
    port = free_port()
    with (database.parent / "server.log").open("w") as log:
        process = subprocess.Popen(  # noqa: S603
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            env=environment,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
        try:
            _wait_for(port)
            yield Server(port, database, authority_pk, session_key)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def concern_form(server: Server) -> tuple[dict[str, str], str]:
    """The 'Report a concern' form as the page gives it (its one-time token), filled in."""
    status, headers, page = server.request("GET", "/concerns/new/")
    assert status == 200, page[:500]
    csrf = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
    assert csrf is not None
    token = re.search(r'name="submission" value="([^"]+)"', page)
    assert token is not None
    form = {
        "submission": token.group(1),
        "occurred_on_0": "2",
        "occurred_on_1": "3",
        "occurred_on_2": "2026",
        "reported_on_0": "3",
        "reported_on_1": "3",
        "reported_on_2": "2026",
        "location": "online",
        "location_detail": "A group chat",
        "authority": server.authority_pk,
        "what_happened": "Images were shared in a class group chat.",
        "technology_assisted": "yes",
        "crime_suspected": "yes",
        "police_aware": "no",
    }
    return form, csrf.group(1)


def send_at_once(server: Server, forms: list[dict[str, str]], csrf: str) -> list[int]:
    """Send every form at the same instant, one thread each; the status of each answer."""
    start = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)

    def send(number: int) -> None:
        start.wait()
        statuses[number] = server.request("POST", "/concerns/new/", forms[number], csrf)[0]

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_the_embedded_database_runs_in_wal_mode(server: Server) -> None:
    with closing(sqlite3.connect(server.database)) as database:
        mode = database.execute("PRAGMA journal_mode").fetchone()[0]

    assert mode == "wal"


def test_four_simultaneous_sends_of_one_form_save_it_once_and_none_fails(server: Server) -> None:
    form, csrf = concern_form(server)
    before = server.rows("triage_concern")

    statuses = send_at_once(server, [form] * 4, csrf)

    print(f"SQLite, four simultaneous sends of one form: answers {sorted(statuses)}")
    assert statuses == [302] * 4
    assert server.rows("triage_concern") == before + 1


def test_four_simultaneous_different_forms_are_all_saved(server: Server) -> None:
    sent = [concern_form(server) for _ in range(4)]
    before = server.rows("triage_concern")

    statuses = send_at_once(server, [form for form, _ in sent], sent[-1][1])

    print(f"SQLite, four different forms at once: answers {sorted(statuses)}")
    assert statuses == [302] * 4
    assert server.rows("triage_concern") == before + 4


def test_a_send_that_still_finds_the_database_locked_gets_the_styled_503_page(
    server: Server,
) -> None:
    form, csrf = concern_form(server)
    before = server.rows("triage_concern")
    holder = sqlite3.connect(server.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the busy timeout
    try:
        status, headers, page = server.request("POST", "/concerns/new/", form, csrf)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    again, _, _ = server.request("POST", "/concerns/new/", {**form}, csrf)

    assert status == 503
    assert headers.get("Retry-After") == "30"
    assert "Sorry, the service is unavailable" in page
    assert "Traceback" not in page
    assert again == 302  # once the lock is released, the same send goes through
    assert server.rows("triage_concern") == before + 1
    assert uuid.UUID(form["submission"])  # the one-time token made it safe to send again
