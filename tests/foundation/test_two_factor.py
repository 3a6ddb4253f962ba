"""The second factor: setting up an authenticator, codes, replay, recovery codes."""

import re
import time

import pytest
from django.contrib.auth.models import Permission
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal import access
from hsb_portal.accounts import two_factor
from hsb_portal.accounts.models import Role
from hsb_portal.audit.models import Action, AuditEvent
from tests.conftest import signed_in
from tests.factories import DEFAULT_PASSWORD

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


def test_after_the_password_the_code_is_asked_for_then_the_page_wanted_opens(person) -> None:
    setup_client = Client()
    setup_client.force_login(person)
    set_up(setup_client, person)
    client = Client()
    wanted = reverse("triage:concern-list")

    signed_in_page = client.post(
        f"{reverse('login')}?next={wanted}",
        {"username": person.email, "password": DEFAULT_PASSWORD},
        follow=True,
    )
    code = code_for(TOTPDevice.objects.get(user=person), steps_ahead=1)
    after_code = client.post(
        reverse("two-factor"), {"code": code, "next": signed_in_page.context["next"]}
    )

    assert signed_in_page.redirect_chain[-1][0].startswith(reverse("two-factor"))
    assert "Enter your security code" in signed_in_page.text
    assert after_code["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_a_password_reset_does_not_skip_the_second_factor(person, mailoutbox) -> None:
    TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    client = Client()
    client.post(reverse("password_reset"), {"email": person.email})
    link = re.search(r"/account/password-reset/\S+/\S+/", mailoutbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    new_password = "a long new passphrase for the portal 2026"
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )

    client.post(reverse("login"), {"username": person.email, "password": new_password})
    home = client.get(reverse("home"))

    assert home.status_code == 302
    assert home["Location"].startswith(reverse("two-factor"))


def stale_export(request):
    return HttpResponse("the export", content_type="text/csv")


urlpatterns = [
    path(
        "export.csv",
        access.guard(fresh_second_factor=True)(stale_export),
        name="stale-export",
    ),
    path("", include("hsb_portal.urls")),
]


@override_settings(ROOT_URLCONF=__name__)
def test_an_export_needs_a_code_entered_in_the_last_five_minutes(client_as) -> None:
    client = client_as(Role.AUDITOR)
    fresh = client.get("/export.csv")
    session = client.session
    session[two_factor.VERIFIED_AT_KEY] = time.time() - access.FRESH_SECOND_FACTOR_SECONDS - 1
    session.save()

    stale = client.get("/export.csv")

    assert fresh.text == "the export"
    assert stale.status_code == 302
    assert stale["Location"] == f"{reverse('two-factor')}?next=/export.csv"


def test_every_download_asks_for_a_fresh_second_factor() -> None:
    from tests.test_access_matrix import url_patterns

    downloads = [
        (name, pattern.callback)
        for name, pattern in url_patterns()
        if str(pattern.pattern).rstrip("/").endswith((".pdf", ".csv", "pdf", "csv"))
    ]

    assert downloads, "no download URLs found: the walk is broken"
    assert [name for name, view in downloads if not view.access_fresh_second_factor] == []


def test_an_administrator_resets_a_lost_phone_and_the_old_session_is_signed_out(
    member, client_as
) -> None:
    administrator = member(Role.ADMINISTRATOR)
    administrator.user.is_staff = True
    administrator.user.save(update_fields=["is_staff"])
    administrator.user.user_permissions.add(*Permission.objects.filter(codename="change_user"))
    lost = member(Role.MASH_SCREENER)
    lost_session = signed_in(Client(), lost)
    admin_client = signed_in(Client(), administrator)

    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [lost.user.pk]},
    )
    devices_left = TOTPDevice.objects.filter(user=lost.user).count()
    next_page = lost_session.get(reverse("home"), follow=True)

    assert response.status_code == 302
    assert devices_left == 0
    # Every session of theirs ends (V7.4.3); signing in again leads to set-up.
    assert next_page.redirect_chain[-1][0].startswith(reverse("login"))
    assert AuditEvent.objects.filter(
        actor=administrator.user, detail=f"two-factor sign-in reset for user {lost.user.pk}"
    ).exists()


def test_nobody_can_read_an_authenticator_key_in_the_records_admin(client_as, member) -> None:
    administrator = member(Role.ADMINISTRATOR)
    administrator.user.is_superuser = administrator.user.is_staff = True
    administrator.user.save(update_fields=["is_superuser", "is_staff"])
    client = signed_in(Client(), administrator)

    index = client.get(reverse("admin:index"))

    assert index.status_code == 200
    assert "otp_totp" not in index.text
    assert "otp_static" not in index.text
