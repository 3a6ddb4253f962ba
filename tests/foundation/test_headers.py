"""Headers and cookies with the production settings (security.md V3.3, V3.4, V13.4.2, V14.3).

The test suite runs over plain HTTP; these run the app's own settings with HTTPS on, in a
separate process, the way a deployment starts it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Role
from tests.foundation.test_configuration import PRODUCTION

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# Signs a person in over HTTPS with the production settings and reports what the browser got.
PROBE = """
import json
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
from django.conf import settings
from hsb_portal.accounts.models import User
password = "a long probe passphrase 2026"
person = User.objects.create_user(email="probe@council.example", password=password)
client = Client(HTTP_HOST="hsb.council.example")
page = client.get("/account/sign-in/", secure=True)
signed_in = client.post(
    "/account/sign-in/",
    {"username": person.email, "password": password,
     "csrfmiddlewaretoken": page.cookies[settings.CSRF_COOKIE_NAME].value},
    secure=True,
)
FLAGS = ("secure", "httponly", "samesite", "path", "domain")
def cookies(response):
    return {name: {key: str(morsel[key]) for key in FLAGS}
            for name, morsel in response.cookies.items()}
print(json.dumps({
    "page": dict(page.headers.items()),
    "page_cookies": cookies(page),
    "signed_in_status": signed_in.status_code,
    "signed_in_cookies": cookies(signed_in),
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("headers")
    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "PATH": "/usr/bin:/bin",
        "HTTPS": "1",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_page_has_the_transport_and_isolation_headers(production: dict) -> None:
    headers = production["page"]

    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in headers["Strict-Transport-Security"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


def test_cookies_are_host_only_secure_and_same_site(production: dict) -> None:
    csrf = production["page_cookies"]["__Host-csrftoken"]
    session = production["signed_in_cookies"]["__Host-sessionid"]

    assert production["signed_in_status"] == 302
    for cookie in (csrf, session):
        assert cookie["secure"] == "True"
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""  # __Host- cookies name no domain
        assert cookie["samesite"] in ("Lax", "Strict")
    assert session["httponly"] == "True"


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_methods_the_portal_has_no_use_for_are_refused(method: str, client_as) -> None:
    client = client_as(Role.AUDITOR)

    response = client.generic(method, reverse("triage:child-list"))

    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["GET", "HEAD", "POST"]


def test_signing_out_clears_what_the_browser_kept(client_as) -> None:
    client: Client = client_as(Role.MASH_SCREENER)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
