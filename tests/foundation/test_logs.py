"""No names or dates of birth in the application's logs (URLs carry opaque ids only)."""

import logging

import pytest
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
