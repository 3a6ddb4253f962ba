import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts import demo
from hsb_portal.accounts.management.commands.seed_demo import DEMO_PASSWORD, PEOPLE
from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role, User
from hsb_portal.audit.models import Action, AuditEvent
from tests.factories import DEFAULT_PASSWORD, UserFactory
from triage.models import Child

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (LocalAuthority, Agency, User, Membership, Child)
    )


@pytest.fixture
def debug_on(settings) -> None:
    settings.DEBUG = True  # as `make run` serves the demo


def test_seed_demo_can_run_twice_and_creates_the_same_rows(capsys, debug_on) -> None:
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first
    assert first[0] == 2
    output = capsys.readouterr().out
    assert DEMO_PASSWORD in output
    assert "screener@harbourside.example" in output


def test_seed_demo_makes_an_agency_of_every_kind_for_each_authority(debug_on) -> None:
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
    call_command("seed_demo", throwaway_demo=True)
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


def test_seed_demo_refuses_to_run_on_a_server_with_debug_off() -> None:
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=io.StringIO())

    assert not User.objects.exists()
    assert not LocalAuthority.objects.exists()


def test_seed_demo_runs_with_debug_off_when_told_this_is_a_throwaway_demo(monkeypatch) -> None:
    call_command("seed_demo", "--throwaway-demo", stdout=io.StringIO())
    User.objects.all().delete()
    monkeypatch.setenv("HSB_THROWAWAY_DEMO", "1")
    call_command("seed_demo", stdout=io.StringIO())

    assert User.objects.filter(email="manager@harbourside.example", is_demo=True).exists()


def test_only_the_demo_people_are_marked_as_demo(debug_on) -> None:
    stranger = UserFactory(email="someone@council.example")

    call_command("seed_demo", stdout=io.StringIO())

    demo_people = User.objects.filter(email__endswith="@harbourside.example")
    assert demo_people.count() == len(PEOPLE)
    assert all(person.is_demo for person in demo_people)
    stranger.refresh_from_db()
    assert stranger.is_demo is False


def test_the_demo_password_is_refused_on_a_server_with_debug_off() -> None:
    call_command("seed_demo", throwaway_demo=True, stdout=io.StringIO())
    client = Client()

    response = client.post(
        reverse("login"), {"username": "manager@harbourside.example", "password": DEMO_PASSWORD}
    )

    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.text
    assert client.get(reverse("home")).url.startswith(reverse("login"))
    assert AuditEvent.objects.filter(
        action=Action.LOG_IN_FAILED, actor_email="manager@harbourside.example"
    ).exists()
    assert not AuditEvent.objects.filter(action=Action.LOG_IN).exists()


def test_a_demo_code_is_refused_on_a_server_with_debug_off_even_past_the_password() -> None:
    # A session that got past the password step some other way (one left from a DEBUG server).
    call_command("seed_demo", throwaway_demo=True, stdout=io.StringIO())
    person = User.objects.get(email="manager@harbourside.example")
    client = Client()
    client.force_login(person)

    response = client.post(
        reverse("two-factor"),
        {"code": demo.next_code(TOTPDevice.objects.get(user=person)), "next": "/"},
    )

    assert response.status_code == 200
    assert client.get(reverse("home")).url.startswith(reverse("two-factor"))


def test_an_authenticator_with_a_demo_key_is_refused_on_an_account_no_longer_marked() -> None:
    # Someone cleared the mark and gave the account a password of its own: the demo key, known
    # to anyone who reads the source, still opens nothing.
    call_command("seed_demo", throwaway_demo=True, stdout=io.StringIO())
    person = User.objects.get(email="auditor@harbourside.example")
    User.objects.filter(pk=person.pk).update(is_demo=False)
    person.set_password(DEFAULT_PASSWORD)
    person.save(update_fields=["password"])
    client = Client()

    signed_in = client.post(
        reverse("login"), {"username": person.email, "password": DEFAULT_PASSWORD}
    )
    response = client.post(
        reverse("two-factor"),
        {"code": demo.next_code(TOTPDevice.objects.get(user=person)), "next": "/"},
    )

    assert signed_in.status_code == 302
    assert response.status_code == 200
    assert client.get(reverse("home")).url.startswith(reverse("two-factor"))


def test_the_demo_password_cannot_be_chosen_as_anyones_password() -> None:
    person = UserFactory()

    with pytest.raises(ValidationError):
        validate_password(DEMO_PASSWORD, person)
