"""No names or dates of birth in the application's logs (URLs carry opaque ids only)."""

import io
import json
import logging
from logging.config import DictConfigurator  # type: ignore[attr-defined]

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Role
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_pages_about_a_child_leave_no_name_or_birth_date_in_the_logs(
    client_as, authority, other_authority, caplog
) -> None:
    child = ChildFactory(authority=authority, given_name="Quillon", family_name="Farthingale")
    hidden = ChildFactory(
        authority=other_authority, given_name="Ottoline", family_name="Brackenbury"
    )
    screener = client_as(Role.MASH_SCREENER)
    practitioner = client_as(Role.PRACTITIONER)

    with caplog.at_level(logging.DEBUG):
        screener.get(reverse("triage:child-list"))
        screener.get(reverse("triage:child-detail", args=[child.public_id]))
        screener.get(reverse("triage:child-detail", args=[hidden.public_id]))  # 404, logged
        practitioner.get(reverse("triage:child-list"))  # 403, logged
        Client().post(
            reverse("login"), {"username": "Quillon.Farthingale@agency.example", "password": "x"}
        )

    logged = caplog.text
    assert "Not Found" in logged  # the refusal did reach the log
    for identifier in ("Quillon", "Farthingale", "Ottoline", "Brackenbury", "2014-05-17"):
        assert identifier not in logged


def json_lines_handler(stream: io.StringIO) -> logging.Handler:
    """The production console handler (settings.LOGGING, LOG_FORMAT=json), writing to stream."""
    configurator = DictConfigurator(settings.LOGGING)
    handler = logging.StreamHandler(stream)
    formatter = dict(settings.LOGGING["formatters"]["json"])
    handler.setFormatter(configurator.configure_formatter(formatter))
    for name in settings.LOGGING["handlers"]["console"]["filters"]:
        handler.addFilter(configurator.configure_filter(dict(settings.LOGGING["filters"][name])))
    return handler


def test_json_log_lines_carry_the_request_id_and_still_no_name(client_as, authority) -> None:
    child = ChildFactory(authority=authority, given_name="Quillon", family_name="Farthingale")
    screener = client_as(Role.MASH_SCREENER)
    stream = io.StringIO()
    handler = json_lines_handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    previous_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        screener.get(reverse("triage:child-detail", args=[child.public_id]))
        refused = client_as(Role.PRACTITIONER).get(reverse("triage:child-list"))  # 403, logged
        Client().post(
            reverse("login"), {"username": "Quillon\nFarthingale@a.example", "password": "x"}
        )
        # Django logs a 404 once the middleware is done, with the request attached.
        missing = screener.get("/no-such-page/", {"find": "Quillon Farthingale"})
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "nothing was logged"
    assert all({"time", "level", "logger", "request_id", "message"} <= set(line) for line in lines)
    refusals = [line for line in lines if line["logger"] == "django.request"]
    assert [line["request_id"] for line in refusals] == [
        refused["X-Request-ID"],
        missing["X-Request-ID"],
    ]
    assert refusals[1]["message"] == "Not Found: /no-such-page/"
    for identifier in ("Quillon", "Farthingale", "2014-05-17"):
        assert identifier not in stream.getvalue()
