"""The second factor: setting up an authenticator, codes, replay, recovery codes."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts.models import Role
from hsb_portal.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{value:06d}"


@pytest.fixture
def person(member):
    return member(Role.PRACTITIONER).user


@pytest.fixture
def password_only(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def set_up(client: Client, person) -> list[str]:
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=person)
    client.post(reverse("two-factor-setup"), {"code": code_for(device)})
    page = client.get(reverse("two-factor-recovery-codes"))
    return re.findall(r"<code>([0-9a-f]{10})</code>", page.text)


def test_setting_up_shows_a_qr_code_and_a_key_to_type(password_only, person) -> None:
    page = password_only.get(reverse("two-factor-setup"))

    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    assert re.search(r"Key: <strong>([A-Z2-7]{4} ){7}[A-Z2-7]{4}</strong>", page.text)
    assert TOTPDevice.objects.get(user=person).confirmed is False


def test_a_right_code_confirms_the_authenticator_and_shows_ten_recovery_codes_once(
    password_only, person
) -> None:
    codes = set_up(password_only, person)

    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=person).confirmed is True
    assert password_only.get(reverse("two-factor-recovery-codes")).status_code == 302
    assert password_only.session[DEVICE_ID_SESSION_KEY].endswith(
        f"/{TOTPDevice.objects.get(user=person).pk}"
    )


def test_a_wrong_code_does_not_confirm_the_authenticator(password_only, person) -> None:
    password_only.get(reverse("two-factor-setup"))

    page = password_only.post(reverse("two-factor-setup"), {"code": "000000"})

    assert "The code is not right" in page.text
    assert TOTPDevice.objects.get(user=person).confirmed is False


def test_a_code_cannot_be_used_twice(person) -> None:
    first = Client()
    first.force_login(person)
    set_up(first, person)  # uses the current code
    device = TOTPDevice.objects.get(user=person)
    used = code_for(device)
    second = Client()
    second.force_login(person)

    page = second.post(reverse("two-factor"), {"code": used})

    assert "has been used already" in page.text
    assert DEVICE_ID_SESSION_KEY not in second.session
    assert AuditEvent.objects.filter(action=Action.LOG_IN_FAILED, actor_email=person.email).exists()


def test_the_next_code_verifies_and_changes_the_session_key(person) -> None:
    setup_client = Client()
    setup_client.force_login(person)
    set_up(setup_client, person)
    client = Client()
    client.force_login(person)
    key_before = client.session.session_key

    response = client.post(
        reverse("two-factor"),
        {"code": code_for(TOTPDevice.objects.get(user=person), steps_ahead=1), "next": "/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session.session_key != key_before
    assert DEVICE_ID_SESSION_KEY in client.session


def test_a_recovery_code_works_once(person) -> None:
    setup_client = Client()
    setup_client.force_login(person)
    recovery = set_up(setup_client, person)[0]
    first, second = Client(), Client()
    first.force_login(person)
    second.force_login(person)

    used = first.post(reverse("two-factor"), {"code": recovery})
    reused = second.post(reverse("two-factor"), {"code": recovery})

    assert used.status_code == 302
    assert "not right" in reused.text
    assert not StaticToken.objects.filter(token=recovery).exists()


def test_the_next_page_after_the_code_cannot_lead_off_site(person) -> None:
    setup_client = Client()
    setup_client.force_login(person)
    set_up(setup_client, person)
    client = Client()
    client.force_login(person)

    response = client.post(
        reverse("two-factor"),
        {
            "code": code_for(TOTPDevice.objects.get(user=person), steps_ahead=1),
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == "/"
