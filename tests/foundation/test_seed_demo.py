import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts.management.commands.seed_demo import DEMO_PASSWORD
from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role, User
from tests.factories import UserFactory
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
def test_every_demo_role_can_sign_in_with_both_factors_and_see_my_work(
    role: Role, settings
) -> None:
    settings.DEBUG = True  # demo codes are printed only by a DEBUG server
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
    before_code = client.get(reverse("home"))
    code = io.StringIO()
    call_command("demo_code", email, stdout=code)
    client.post(reverse("two-factor"), {"code": code.getvalue().strip(), "next": "/"})
    response = client.get(reverse("home"))

    assert before_code.status_code == 302
    assert before_code.url.startswith(reverse("two-factor"))
    assert response.status_code == 200
    assert "My work" in response.text
    assert role.label in response.text


def test_demo_codes_are_refused_without_debug_and_for_anyone_not_in_the_demo(settings) -> None:
    call_command("seed_demo")
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only for demo people"):
        call_command("demo_code", "manager@harbourside.example", stdout=io.StringIO())

    settings.DEBUG = True
    stranger = UserFactory(email="someone@council.example")
    TOTPDevice.objects.create(user=stranger, name="Authenticator app", confirmed=True)
    with pytest.raises(CommandError, match="only for demo people"):
        call_command("demo_code", stranger.email, stdout=io.StringIO())


def test_after_a_demo_code_is_used_the_next_one_is_printed(settings) -> None:
    # A code is accepted once (replay is refused: test_two_factor), so the command moves on.
    settings.DEBUG = True
    call_command("seed_demo")
    email = "auditor@harbourside.example"
    codes = []
    for _ in range(2):
        client = Client()
        client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
        printed = io.StringIO()
        call_command("demo_code", email, stdout=printed)
        codes.append(printed.getvalue().strip())
        response = client.post(reverse("two-factor"), {"code": codes[-1], "next": "/"})
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200

    assert codes[0] != codes[1]
