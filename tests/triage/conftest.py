from collections.abc import Callable
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from hsb_portal.accounts.models import Membership, Role
from tests.conftest import signed_in


@pytest.fixture
def brook(db: None) -> None:
    """The Brook traffic light tool, loaded as seed_demo and production load it."""
    call_command("loaddata", "brook_traffic_light", verbosity=0)


def date_input(name: str, day: date | None = None, *, raw: tuple[str, str, str] = ("", "", "")):
    """The three boxes of a GOV.UK date input, as a browser posts them."""
    parts = (str(day.day), str(day.month), str(day.year)) if day else raw
    return {f"{name}_{index}": value for index, value in enumerate(parts)}


@pytest.fixture
def practitioner(member: Callable[..., Membership]) -> Membership:
    return member(Role.PRACTITIONER)


@pytest.fixture
def dsl(member: Callable[..., Membership]) -> Membership:
    """The designated safeguarding lead of the practitioner's school."""
    return member(Role.DSL)


@pytest.fixture
def practitioner_client(practitioner: Membership) -> Client:
    return signed_in(Client(), practitioner)


@pytest.fixture
def dsl_client(dsl: Membership) -> Client:
    return signed_in(Client(), dsl)
