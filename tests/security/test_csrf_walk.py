"""ASVS V3.5.1 and V3.5.3: every state-changing request needs the CSRF token, and a POST-only
action refuses a GET without changing anything. Routes are found by walking the URL conf."""

from collections.abc import Callable

import pytest
from django.test import Client

from tests.security.routes import (
    Visit,
    changed,
    entitled,
    is_post_only,
    pattern_for,
    rolled_back,
    route_names,
    snapshot,
)

pytestmark = pytest.mark.django_db

# Browsers send Content-Security-Policy reports with no session and no token.
CSRF_EXEMPT = {"csp-report"}


def test_v3_5_the_csp_report_endpoint_is_the_only_csrf_exempt_view() -> None:
    exempt = {
        name for name in route_names() if getattr(pattern_for(name).callback, "csrf_exempt", False)
    }

    assert exempt == CSRF_EXEMPT


@pytest.mark.parametrize("url_name", [n for n in route_names() if n not in CSRF_EXEMPT])
def test_v3_5_1_post_without_csrf_token_is_refused_and_changes_nothing(
    url_name: str,
    visit_of: Callable[..., Visit],
    record_property: Callable[[str, object], None],
) -> None:
    visit = visit_of(url_name, entitled(url_name), client=Client(enforce_csrf_checks=True))
    visit.client.get(visit.url)  # the page sets the CSRF cookie, as a browser would have it
    before = snapshot()

    response = visit.client.post(visit.url, {"version": "1", "status": "closed"})

    assert response.status_code == 403, f"{url_name} took a POST with no CSRF token"
    assert "This form could not be sent" in response.text  # our own page
    assert changed(before, snapshot()) == []
    record_property("csrf_route", url_name)
    record_property("accepts_post", _accepts_post(visit.client, visit.url))


def _accepts_post(client: Client, url: str) -> bool:
    """Does the view take a POST at all (with a token)? Tried and rolled back."""
    probe = Client()
    probe.cookies = client.cookies
    with rolled_back():
        status = probe.post(url, {}).status_code
    return status != 405


@pytest.mark.parametrize("url_name", [name for name in route_names() if is_post_only(name)])
@pytest.mark.parametrize("method", ["get", "head"])
def test_v3_5_3_get_to_a_post_only_action_is_405_and_changes_nothing(
    url_name: str,
    method: str,
    visit_of: Callable[..., Visit],
) -> None:
    visit = visit_of(url_name, entitled(url_name))
    before = snapshot()

    response = getattr(visit.client, method)(visit.url)

    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert changed(before, snapshot()) == []
