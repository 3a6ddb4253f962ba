"""Behind nginx (issue 17, item 1): the browser's scheme, address and nginx's request id are
believed only from the proxy's own address, and only when the deployment says it is behind one
(``BEHIND_PROXY``); anyone else's X-Forwarded-Proto, X-Real-IP or X-Request-ID is ignored.
The deployment drill (scripts/deploy-drill.sh) proves the same through the real nginx."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from hsb_portal.accounts.models import Role
from hsb_portal.audit.models import AuditEvent
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
BEHIND_NGINX = override_settings(
    BEHIND_PROXY=True,
    TRUSTED_PROXY_ADDRESSES=[PROXY, "::1"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
)
FROM_NGINX = {
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_REAL_IP": "198.51.100.23",
    "HTTP_X_REQUEST_ID": "0123456789abcdef0123456789abcdef",
}


@pytest.fixture
def child_page(authority) -> str:
    return reverse("triage:child-detail", args=[ChildFactory(authority=authority).public_id])


@BEHIND_NGINX
def test_from_the_proxy_the_browsers_scheme_address_and_request_id_are_believed(
    client_as, child_page
) -> None:
    client = client_as(Role.MASH_SCREENER)

    response = client.get(child_page, REMOTE_ADDR=PROXY, **FROM_NGINX)

    assert response.status_code == 200  # HTTPS, as nginx says: no redirect
    event = AuditEvent.objects.latest("pk")
    assert event.ip_address == "198.51.100.23"
    assert event.request_id == response["X-Request-ID"] == FROM_NGINX["HTTP_X_REQUEST_ID"]


@BEHIND_NGINX
def test_from_anywhere_else_the_same_headers_are_ignored(client_as, child_page) -> None:
    client = client_as(Role.MASH_SCREENER)

    response = client.get(child_page, REMOTE_ADDR="10.20.30.40", **FROM_NGINX)

    # Plain HTTP as far as the app can tell, so it sends the browser to HTTPS.
    assert response.status_code == 301
    assert response["Location"].startswith("https://")

    secure = client.get(child_page, REMOTE_ADDR="10.20.30.40", secure=True, **FROM_NGINX)
    assert secure.status_code == 200
    event = AuditEvent.objects.latest("pk")
    assert event.ip_address == "10.20.30.40"
    assert event.request_id == secure["X-Request-ID"] != FROM_NGINX["HTTP_X_REQUEST_ID"]


@override_settings(BEHIND_PROXY=False, TRUSTED_PROXY_ADDRESSES=[PROXY])
def test_with_no_proxy_configured_even_loopback_cannot_claim_another_address(
    client_as, child_page
) -> None:
    client = client_as(Role.MASH_SCREENER)

    client.get(child_page, REMOTE_ADDR=PROXY, **FROM_NGINX)

    assert AuditEvent.objects.latest("pk").ip_address == PROXY


@BEHIND_NGINX
def test_a_malformed_address_from_the_proxy_is_not_recorded(client_as, child_page) -> None:
    client = client_as(Role.MASH_SCREENER)

    client.get(
        child_page, REMOTE_ADDR=PROXY, **{**FROM_NGINX, "HTTP_X_REAL_IP": "198.51.100.23, 10.0.0.1"}
    )

    assert AuditEvent.objects.latest("pk").ip_address == PROXY


@BEHIND_NGINX
def test_the_probes_answer_over_plain_http_from_the_proxys_host() -> None:
    for name in ("healthz", "readyz"):
        assert Client().get(reverse(name), REMOTE_ADDR=PROXY).status_code == 200
