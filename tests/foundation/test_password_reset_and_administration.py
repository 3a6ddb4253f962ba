import re
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import ClosureDay, Role
from tests.conftest import signed_in
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-and-long-passphrase"


def test_a_person_resets_a_forgotten_password_by_email(member, client: Client, mailoutbox):
    user = member(Role.PRACTITIONER).user

    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/]+(/account/password-reset/\S+/)", mailoutbox[0].body)[1]
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert mailoutbox[0].subject == "Reset your HSB Portal password"
    assert signs_in(user.email, NEW_PASSWORD)
    assert not signs_in(user.email, DEFAULT_PASSWORD)


def signs_in(email: str, password: str) -> bool:
    response = Client().post(reverse("login"), {"username": email, "password": password})
    return response.status_code == 302


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@agency.example"})

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_an_administrator_adds_a_local_closure_day(member, authority) -> None:
    admin = member(Role.ADMINISTRATOR).user
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    admin.user_permissions.add(*Permission.objects.filter(codename__endswith="closureday"))
    client = signed_in(Client(), admin.memberships.get())

    response = client.post(
        reverse("admin:accounts_closureday_add"),
        {"authority": authority.pk, "day": "2026-12-29", "reason": "Council closure"},
    )

    assert response.status_code == 302
    assert ClosureDay.objects.get(authority=authority).day == date(2026, 12, 29)
