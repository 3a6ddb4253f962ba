"""Headers, the session's limits, and what a user sees when the database is down."""

import json
import logging
import time

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import path, reverse

from hsb_portal.accounts.models import Role
from hsb_portal.middleware import SESSION_STARTED_KEY

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_strict_content_security_policy(client_as) -> None:
    policy = client_as(Role.PRACTITIONER).get(reverse("home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())

    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["script-src"] == "'self'"  # no page needs even a nonce
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["report-uri"] == "/csp-report/"


def test_pages_have_no_inline_script_or_style(client_as) -> None:
    html = client_as(Role.PRACTITIONER).get(reverse("home")).text

    assert "<script>" not in html
    assert " style=" not in html
    assert " onclick=" not in html


def test_a_csp_report_is_logged_without_the_page_address(client, caplog) -> None:
    report = {
        "csp-report": {
            "document-uri": "https://hsb.example/children/6f1c0d9e-0000-4000-8000-000000000000/",
            "violated-directive": "script-src",
            "blocked-uri": "https://cdn.elsewhere.example/x.js?token=abc",
        }
    }

    with caplog.at_level(logging.WARNING):
        response = client.post(
            reverse("csp-report"), json.dumps(report), content_type="application/csp-report"
        )

    assert response.status_code == 204
    assert "script-src blocked https://cdn.elsewhere.example/x.js" in caplog.text
    assert "children" not in caplog.text
    assert "token" not in caplog.text


def test_the_session_ends_twelve_hours_after_sign_in_however_active(client_as) -> None:
    client = client_as(Role.PRACTITIONER)
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 12 * 60 * 60 - 1
    session.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302  # signed out, not just redirected


def test_a_session_younger_than_twelve_hours_goes_on(client_as) -> None:
    client = client_as(Role.PRACTITIONER)
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 11 * 60 * 60
    session.save()

    assert client.get(reverse("home")).status_code == 200


def test_the_session_cookie_lives_thirty_minutes_from_the_last_request(settings) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def database_gone(request):
    # What psycopg2 raises when the server cannot be reached, as Django wraps it.
    raise OperationalError("could not connect to server: Connection refused")


urlpatterns = [path("needs-the-database/", database_gone)]
handler500 = "hsb_portal.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_a_database_outage_gives_the_styled_503_page_not_a_500() -> None:
    response = Client(raise_request_exception=False).get("/needs-the-database/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.text
    assert "Connection refused" not in response.text


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_when_postgresql_is_unreachable_pages_say_503_and_recover_by_themselves(
    client_as,
) -> None:
    client = client_as(Role.PRACTITIONER)
    client.raise_request_exception = False
    real_port = connection.settings_dict["PORT"]
    try:
        connection.close()
        connection.settings_dict["PORT"] = "1"  # nothing listens there

        down = client.get(reverse("home"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port

    up = client.get(reverse("home"))
    assert down.status_code == 503
    assert "Sorry, the service is unavailable" in down.text
    assert up.status_code == 200
