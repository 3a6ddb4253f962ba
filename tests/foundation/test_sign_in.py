from collections.abc import Callable

import pytest
from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Role
from tests.conftest import signed_in
from tests.factories import DEFAULT_PASSWORD, AgencyFactory

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str, address: str = "10.0.0.1", **extra):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, **extra
    )


def test_a_person_signs_in_with_their_email_address_in_any_case(member: Callable) -> None:
    membership = member(Role.PRACTITIONER)

    response = sign_in(Client(), membership.user.email.upper(), DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_wrong_password_shows_an_error_and_no_page(member: Callable) -> None:
    membership = member(Role.PRACTITIONER)

    response = sign_in(Client(), membership.user.email, "not-the-right-password")

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "_auth_user_id" not in Client().session


def test_five_failures_lock_the_account_from_that_address_even_with_the_right_password(member):
    membership = member(Role.PRACTITIONER)
    client = Client()
    for _ in range(5):
        sign_in(client, membership.user.email, "not-the-right-password")

    response = sign_in(client, membership.user.email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert "Your account is locked" in response.text


def test_a_colleague_behind_the_same_address_is_not_locked_out(member: Callable) -> None:
    careless, colleague = member(Role.PRACTITIONER), member(Role.PRACTITIONER)
    for _ in range(5):
        sign_in(Client(), careless.user.email, "not-the-right-password", address="10.0.0.9")

    response = sign_in(Client(), colleague.user.email, DEFAULT_PASSWORD, address="10.0.0.9")

    assert response.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(member: Callable) -> None:
    membership = member(Role.PRACTITIONER)
    for attempt in range(5):
        sign_in(
            Client(),
            membership.user.email,
            "not-the-right-password",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",
        )

    response = sign_in(
        Client(), membership.user.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200"
    )

    assert response.status_code == 429


def test_an_unknown_address_and_a_wrong_password_get_the_same_answer(member: Callable) -> None:
    membership = member(Role.PRACTITIONER)

    unknown = sign_in(Client(), "nobody@agency.example", "not-the-right-password")
    wrong = sign_in(Client(), membership.user.email, "not-the-right-password")

    assert unknown.status_code == wrong.status_code == 200
    assert "Enter a correct email address and password" in unknown.text
    assert "Enter a correct email address and password" in wrong.text


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("fourteen-chars", False),
        ("fifteen-chars-x", True),
        ("a" * 3 + "-long-passphrase-" * 7 + "z", True),
        ("123456789012345", False),
    ],
)
def test_passwords_must_be_long_and_uncommon(password: str, accepted: bool) -> None:
    if accepted:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_a_person_with_two_roles_acts_in_the_one_they_choose(member: Callable) -> None:
    screener = member(Role.MASH_SCREENER)
    manager = member(Role.SW_MANAGER)
    manager.user = screener.user
    manager.save(update_fields=["user"])
    client = signed_in(Client(), screener)

    page = client.get(reverse("role-switch"))
    response = client.post(
        reverse("role-switch"), {"membership": str(manager.public_id)}, follow=True
    )

    assert "Social work manager" in page.text
    assert "Strategy meetings" in response.text
    assert "Referrals to screen" not in response.text


def test_a_person_cannot_choose_a_role_they_do_not_hold(member: Callable) -> None:
    mine, someone_elses = member(Role.PRACTITIONER), member(Role.SW_MANAGER)
    client = signed_in(Client(), mine)

    response = client.post(reverse("role-switch"), {"membership": str(someone_elses.public_id)})

    assert response.status_code == 200
    assert "govuk-error-message" in response.text
    assert "Concerns you have filed" in client.get(reverse("home")).text


def test_a_hundred_common_passwords_are_all_refused() -> None:
    # Django's list of about 20,000 common passwords, sampled evenly (V6.2.4).
    validator = CommonPasswordValidator()
    every = sorted(validator.passwords)
    sample = every[:: len(every) // 100][:100]

    refused = 0
    for common in sample:
        with pytest.raises(ValidationError):
            validate_password(common)
        refused += 1

    assert refused == 100


@pytest.mark.parametrize(
    "password",
    [
        "hsbportal2026!!!",
        "Safeguarding-2026-2026",
        "MASH-mash-MASH-12345",
        "Council-Password-123",
        "harbourside academy 2026",  # the person's own agency
    ],
)
def test_passwords_built_from_words_about_the_service_are_refused(password: str, member) -> None:
    teacher = member(Role.PRACTITIONER, agency=AgencyFactory(name="Harbourside Academy"))

    with pytest.raises(ValidationError, match="words about this service"):
        validate_password(password, user=teacher.user)


def test_a_long_passphrase_that_mentions_the_service_in_passing_is_accepted(member) -> None:
    validate_password("the mash meets on tuesdays by the old lighthouse", user=None)


def test_a_password_is_checked_exactly_as_typed(member) -> None:
    person = member(Role.PRACTITIONER).user
    client = Client()

    changed_case = client.post(
        reverse("login"), {"username": person.email, "password": DEFAULT_PASSWORD.upper()}
    )
    trailing_space = client.post(
        reverse("login"), {"username": person.email, "password": DEFAULT_PASSWORD + " "}
    )

    assert DEFAULT_PASSWORD.upper() != DEFAULT_PASSWORD
    for response in (changed_case, trailing_space):
        assert response.status_code == 200
        assert "Enter a correct email address and password" in response.text
