import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.management.commands.seed_demo import DEMO_PASSWORD
from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role, User
from triage.models import Child

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (LocalAuthority, Agency, User, Membership, Child)
    )


def test_seed_demo_can_run_twice_and_creates_the_same_rows(capsys) -> None:
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first
    assert first[0] == 2
    output = capsys.readouterr().out
    assert DEMO_PASSWORD in output
    assert "screener@harbourside.example" in output


def test_seed_demo_makes_an_agency_of_every_kind_for_each_authority() -> None:
    call_command("seed_demo")

    for authority in LocalAuthority.objects.all():
        kinds = set(authority.agencies.values_list("kind", flat=True))
        assert kinds == set(AgencyKind.values)


@pytest.mark.parametrize("role", list(Role))
def test_every_demo_role_can_sign_in_and_see_my_work(role: Role) -> None:
    call_command("seed_demo")
    # Some roles have two demo people (two social workers; a teacher and a police officer).
    email = (
        Membership.objects.filter(role=role, user__email__endswith="@harbourside.example")
        .order_by("pk")
        .first()
        .user.email
    )
    client = Client()

    client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "My work" in response.text
    assert role.label in response.text
