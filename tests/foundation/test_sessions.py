"""Session management (issue 6; security.md V7.4.1, V7.4.2, V7.4.3, V7.5.2): the register of
signed-in sessions, "Your sessions", ending sessions, and what ends them."""

import re
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts import sessions
from hsb_portal.accounts.models import Membership, Role, SessionEndReason, SignedInSession
from hsb_portal.audit.models import Action, AuditEvent, RecordVersion
from hsb_portal.middleware import SESSION_STARTED_KEY
from tests.conftest import signed_in
from tests.factories import DEFAULT_PASSWORD
from tests.foundation.test_two_factor import code_for

pytestmark = pytest.mark.django_db

FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)


def register_row(client: Client) -> SignedInSession:
    return SignedInSession.objects.get(session_key=client.session.session_key)


def is_sent_to_sign_in(client: Client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.fixture
def person(member: Callable[..., Membership]) -> Membership:
    return member(Role.MASH_SCREENER)


@pytest.fixture
def administrator(member: Callable[..., Membership]) -> Client:
    membership = member(Role.ADMINISTRATOR)
    membership.user.is_staff = True
    membership.user.save(update_fields=["is_staff"])
    membership.user.user_permissions.add(*Permission.objects.filter(codename="change_user"))
    return signed_in(Client(), membership)


# The register


def test_v7_5_2_signing_in_with_both_factors_registers_one_session_under_its_final_key(
    person: Membership,
) -> None:
    device = TOTPDevice.objects.create(user=person.user, name="Authenticator app", confirmed=True)
    client = Client(HTTP_USER_AGENT=FIREFOX_ON_WINDOWS, REMOTE_ADDR="203.0.113.7")
    client.post(reverse("login"), {"username": person.user.email, "password": DEFAULT_PASSWORD})
    key_after_password = client.session.session_key

    client.post(reverse("two-factor"), {"code": code_for(device, steps_ahead=1), "next": "/"})

    row = SignedInSession.objects.get(user=person.user)
    assert client.session.session_key != key_after_password
    assert row.session_key == client.session.session_key
    assert row.browser == "Firefox on Windows"
    assert row.ip_address == "203.0.113.7"
    assert row.ended_at is None
    assert client.get(reverse("sessions")).status_code == 200


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        (FIREFOX_ON_WINDOWS, "Firefox on Windows"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome on macOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
            "like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_v7_5_2_a_session_is_described_by_browser_and_system_never_the_raw_string(
    user_agent: str, described: str
) -> None:
    assert sessions.describe_browser(user_agent) == described


def test_v7_5_2_last_seen_is_written_at_most_once_a_minute(person: Membership) -> None:
    client = signed_in(Client(), person)
    row = register_row(client)
    seen_at_sign_in = row.last_seen_at

    with CaptureQueriesContext(connection) as within_a_minute:
        client.get(reverse("home"))
    session = client.session
    session[sessions.SEEN_AT_KEY] = time.time() - sessions.SEEN_EVERY_SECONDS - 1
    session.save()
    with CaptureQueriesContext(connection) as a_minute_later:
        client.get(reverse("home"))

    def register_writes(queries: CaptureQueriesContext) -> int:
        return sum(1 for query in queries if "accounts_signedinsession" in query["sql"])

    assert register_writes(within_a_minute) == 0
    assert register_writes(a_minute_later) == 1
    row.refresh_from_db()
    assert row.last_seen_at > seen_at_sign_in


# Your sessions


def test_v7_5_2_your_sessions_lists_the_persons_live_sessions_and_marks_this_one(
    person: Membership, member: Callable[..., Membership]
) -> None:
    laptop = signed_in(Client(), person)
    signed_in(Client(), person)
    ended = signed_in(Client(), person)
    sessions.end_session(
        register_row(ended), by=person.user, reason=SessionEndReason.ENDED_BY_PERSON
    )
    someone_else = signed_in(Client(), member(Role.MASH_SCREENER))
    # Written at sign-in from the User-Agent; the test client's force_login sends none.
    SignedInSession.objects.filter(pk=register_row(laptop).pk).update(browser="Firefox on Windows")

    page = laptop.get(reverse("sessions"))
    home = laptop.get(reverse("home"))

    listed = [row.public_id for row in page.context["sessions"]]
    assert len(listed) == 2
    assert register_row(ended).public_id not in listed
    assert register_row(someone_else).public_id not in listed
    assert page.text.count("This session") == 1
    assert "Firefox on Windows" in page.text
    assert "Sign out of every other session" in page.text
    assert f'href="{reverse("sessions")}"' in home.text


def test_v7_5_2_a_session_past_its_idle_limit_is_not_listed(person: Membership) -> None:
    client = signed_in(Client(), person)
    idle = signed_in(Client(), person)
    Session.objects.filter(session_key=idle.session.session_key).update(
        expire_date="2000-01-01T00:00:00Z"
    )

    page = client.get(reverse("sessions"))

    assert [row.public_id for row in page.context["sessions"]] == [register_row(client).public_id]


@pytest.mark.parametrize("other_sessions", [0, 4])
def test_v7_5_2_your_sessions_costs_the_same_queries_however_many_sessions(
    person: Membership, other_sessions: int, django_assert_num_queries: Callable[..., object]
) -> None:
    client = signed_in(Client(), person)
    for _ in range(other_sessions):
        signed_in(Client(), person)

    # Session, user, OTP device, memberships with agency, their authorities, the live sessions
    # (one query: the expiry check is a subquery), then the session saved (savepoint, update,
    # release), as on every request.
    with django_assert_num_queries(9):  # type: ignore[operator]
        page = client.get(reverse("sessions"))

    assert len(page.context["sessions"]) == other_sessions + 1


def test_v7_5_2_ending_another_session_sends_that_browser_to_sign_in(
    person: Membership,
) -> None:
    client = signed_in(Client(), person)
    phone = signed_in(Client(), person)
    phone_row = register_row(phone)
    phone_key = phone_row.session_key

    response = client.post(reverse("session-end", args=[phone_row.public_id]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("sessions")
    assert "You have signed out of" in response.text
    assert is_sent_to_sign_in(phone)
    assert not is_sent_to_sign_in(client)
    phone_row.refresh_from_db()
    assert phone_row.ended_at is not None
    assert phone_row.ended_by == person.user
    assert phone_row.end_reason == SessionEndReason.ENDED_BY_PERSON
    event = AuditEvent.objects.get(action=Action.CHANGE, object_id=str(phone_row.public_id))
    assert event.actor == person.user
    assert event.detail.startswith("session ended")
    # The key would let a reader of the log take the session over: it is nowhere in it.
    assert not AuditEvent.objects.filter(detail__contains=phone_key).exists()
    assert not any(
        phone_key in str(version.snapshot) for version in RecordVersion.objects.filter(event=event)
    )


def test_v7_5_2_nobody_ends_another_persons_session(
    person: Membership, member: Callable[..., Membership]
) -> None:
    client = signed_in(Client(), person)
    colleague = signed_in(Client(), member(Role.MASH_SCREENER))

    response = client.post(reverse("session-end", args=[register_row(colleague).public_id]))

    assert response.status_code == 404
    assert not is_sent_to_sign_in(colleague)
    assert register_row(colleague).ended_at is None
    assert AuditEvent.objects.filter(actor=person.user, action=Action.REFUSED).exists()


def test_v7_5_2_this_session_is_ended_by_signing_out_not_from_the_list(
    person: Membership,
) -> None:
    client = signed_in(Client(), person)

    response = client.post(reverse("session-end", args=[register_row(client).public_id]))

    assert response.status_code == 404
    assert not is_sent_to_sign_in(client)


def test_v7_5_2_sign_out_of_every_other_session_keeps_this_one(person: Membership) -> None:
    client = signed_in(Client(), person)
    others = [signed_in(Client(), person) for _ in range(2)]

    response = client.post(reverse("sessions-end-others"), follow=True)

    assert "You have signed out of 2 other sessions" in response.text
    assert all(is_sent_to_sign_in(other) for other in others)
    assert not is_sent_to_sign_in(client)
    assert AuditEvent.objects.filter(action=Action.CHANGE, actor=person.user).count() == 2


def test_v7_5_2_an_auditor_may_end_their_own_other_sessions(
    member: Callable[..., Membership],
) -> None:
    auditor = member(Role.AUDITOR)
    client = signed_in(Client(), auditor)
    other = signed_in(Client(), auditor)

    response = client.post(reverse("session-end", args=[register_row(other).public_id]))

    assert response.status_code == 302
    assert is_sent_to_sign_in(other)


def test_v7_5_2_an_administrator_ends_all_sessions_of_a_person(
    person: Membership, administrator: Client
) -> None:
    desk, phone = signed_in(Client(), person), signed_in(Client(), person)
    admin_row = register_row(administrator)

    response = administrator.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_all_sessions", "_selected_action": [person.user.pk]},
    )

    assert response.status_code == 302
    assert is_sent_to_sign_in(desk)
    assert is_sent_to_sign_in(phone)
    assert set(
        SignedInSession.objects.filter(user=person.user).values_list("end_reason", flat=True)
    ) == {SessionEndReason.ENDED_BY_ADMINISTRATOR}
    assert SignedInSession.objects.get(pk=admin_row.pk).ended_at is None


# What ends every session of a person


def test_v7_4_3_a_password_reset_refuses_the_persons_other_sessions(
    person: Membership, mailoutbox: list
) -> None:
    elsewhere = signed_in(Client(), person)
    client = Client()
    client.post(reverse("password_reset"), {"email": person.user.email})
    link = re.search(r"/account/password-reset/\S+/\S+/", mailoutbox[0].body).group(0)  # type: ignore[union-attr]
    form_page = client.get(link, follow=True)
    new_password = "a long new passphrase for the portal 2026"

    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )

    assert is_sent_to_sign_in(elsewhere)
    row = SignedInSession.objects.get(user=person.user)
    assert row.end_reason == SessionEndReason.PASSWORD_CHANGED


def test_v7_4_3_a_changed_password_refuses_an_old_session_by_its_own_hash(
    person: Membership,
) -> None:
    # However the password changes (the records admin, manage.py changepassword), Django's
    # session hash no longer matches: the old session is sent to sign in.
    elsewhere = signed_in(Client(), person)

    person.user.set_password("another long passphrase for the portal")
    person.user.save(update_fields=["password"])

    assert is_sent_to_sign_in(elsewhere)


def test_v7_4_3_a_two_factor_reset_ends_every_session_of_the_person(
    person: Membership, administrator: Client
) -> None:
    desk, phone = signed_in(Client(), person), signed_in(Client(), person)

    administrator.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [person.user.pk]},
    )

    assert is_sent_to_sign_in(desk)
    assert is_sent_to_sign_in(phone)
    assert set(
        SignedInSession.objects.filter(user=person.user).values_list("end_reason", flat=True)
    ) == {SessionEndReason.SECOND_FACTOR_RESET}


def test_v7_4_2_a_deactivated_person_is_refused_on_their_very_next_request(
    person: Membership, administrator: Client
) -> None:
    client = signed_in(Client(), person)
    assert client.get(reverse("home")).status_code == 200
    user = person.user

    response = administrator.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": user.email,
            "full_name": user.full_name,
            "job_title": user.job_title,
            "aim_certified_on": "",
            # is_active left unticked: deactivated
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(person.pk),
            "memberships-0-user": str(user.pk),
            "memberships-0-agency": str(person.agency_id),
            "memberships-0-role": person.role,
            "memberships-0-is_active": "on",
        },
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    user.refresh_from_db()
    assert user.is_active is False
    assert is_sent_to_sign_in(client)
    assert register_row_of(user).end_reason == SessionEndReason.DEACTIVATED


def register_row_of(user: object) -> SignedInSession:
    return SignedInSession.objects.get(user=user)


def test_v7_4_2_a_person_deactivated_outside_the_admin_is_refused_too(
    person: Membership,
) -> None:
    client = signed_in(Client(), person)

    person.user.is_active = False
    person.user.save(update_fields=["is_active"])

    assert is_sent_to_sign_in(client)


def test_v7_4_1_the_cookie_from_before_sign_out_replayed_is_sent_to_sign_in(
    person: Membership,
) -> None:
    client = signed_in(Client(), person)
    cookie_name = settings.SESSION_COOKIE_NAME
    old_cookie = client.cookies[cookie_name].value
    row = register_row(client)

    client.post(reverse("logout"))
    replay = Client()
    replay.cookies[cookie_name] = old_cookie

    assert is_sent_to_sign_in(replay)
    row.refresh_from_db()
    assert row.end_reason == SessionEndReason.SIGNED_OUT
    assert row.ended_by == person.user


def test_v7_3_2_a_session_past_twelve_hours_is_recorded_as_timed_out(person: Membership) -> None:
    client = signed_in(Client(), person)
    row = register_row(client)
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 13 * 60 * 60
    session.save()

    assert is_sent_to_sign_in(client)
    row.refresh_from_db()
    assert row.end_reason == SessionEndReason.TIMED_OUT
