"""The remaining ASVS rows of security.md: rate limits (V2.4.1), old codes (V6.5.5), one log line
per event (V16.4.1), error pages (V16.5.1), permission checks that fail closed (V16.5.3) and
the session key at sign-in (V7.2.4). All names are fictional."""

import json
import logging
import time
from uuid import UUID

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal import access, limits
from hsb_portal.accounts.models import Membership, Role
from hsb_portal.audit.models import Action, AuditEvent
from tests.conftest import signed_in
from tests.factories import DEFAULT_PASSWORD, ChildFactory, ConcernFactory
from tests.foundation.test_two_factor import code_for
from triage.models import Child

pytestmark = pytest.mark.django_db


def history_csv(child: Child) -> str:
    return reverse("audit:child-history-csv", args=[child.public_id])


def exports_by(membership: Membership) -> int:
    return AuditEvent.objects.filter(action=Action.EXPORT, actor=membership.user).count()


def use_up(limit: limits.Limit, membership: Membership) -> None:
    """Count the whole limit as used by this person in the current window."""
    now_window = limits.window(limit, now=time.time())
    cache.set(limits.counter_key(limit, membership.user.pk, now_window), limit.requests)


@pytest.fixture
def auditor(member) -> Membership:
    return member(Role.AUDITOR)


@pytest.fixture
def child(authority) -> Child:
    return ChildFactory(authority=authority, given_name="Perrin", family_name="Oakhollow")


# V2.4.1: exports, searches and sign-in above their limit get 429.


def test_v2_4_1_the_21st_export_in_ten_minutes_is_refused_with_429_and_nothing_exported(
    auditor, child
) -> None:
    client = signed_in(Client(), auditor)
    # Start well inside a window, so that all 21 requests fall in the same one.
    into_window = time.time() % limits.EXPORTS.seconds
    if into_window > limits.EXPORTS.seconds - 30:
        time.sleep(limits.EXPORTS.seconds - into_window + 1)
    allowed = [client.get(history_csv(child)).status_code for _ in range(20)]

    refused = client.get(history_csv(child))

    assert allowed == [200] * 20
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 10 * 60
    assert "Too many requests" in refused.text
    assert "Try again in" in refused.text
    assert refused["Content-Type"].startswith("text/html")
    assert "Perrin" not in refused.text
    assert exports_by(auditor) == 20
    refusal = AuditEvent.objects.filter(action=Action.REFUSED, actor=auditor.user).get()
    assert (refusal.detail, refusal.role) == ("rate limit: exports", Role.AUDITOR)


def test_v2_4_1_the_export_limit_is_counted_per_person(auditor, member, child) -> None:
    colleague = member(Role.AUDITOR)
    use_up(limits.EXPORTS, auditor)

    refused = signed_in(Client(), auditor).get(history_csv(child))
    served = signed_in(Client(), colleague).get(history_csv(child))

    assert refused.status_code == 429
    assert served.status_code == 200
    assert served["Content-Type"].startswith("text/csv")
    assert (exports_by(auditor), exports_by(colleague)) == (0, 1)


def test_v2_4_1_exports_are_served_again_once_the_window_has_passed(auditor, child) -> None:
    client = signed_in(Client(), auditor)
    use_up(limits.EXPORTS, auditor)
    refused = client.get(history_csv(child))
    # Time travel: the full count now belongs to the window before this one.
    this_window = limits.window(limits.EXPORTS, now=time.time())
    cache.delete(limits.counter_key(limits.EXPORTS, auditor.user.pk, this_window))
    cache.set(limits.counter_key(limits.EXPORTS, auditor.user.pk, this_window - 1), 21)

    served = client.get(history_csv(child))

    assert refused.status_code == 429
    assert served.status_code == 200
    assert exports_by(auditor) == 1


def test_v2_4_1_the_fixed_window_allows_its_limit_then_says_how_long_to_wait() -> None:
    start = 1_800_000_000.0  # the start of a 10-minute window
    answers = [limits.take(limits.EXPORTS, 7, now=start + second) for second in range(21)]

    next_window = limits.take(limits.EXPORTS, 7, now=start + 600)

    assert answers[:20] == [None] * 20
    assert answers[20] == 600 - 20
    assert next_window is None


def test_v2_4_1_the_limit_counts_on_the_shared_database_cache_production_uses() -> None:
    production_caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hsb_cache_under_test",
        }
    }
    with override_settings(CACHES=production_caches):
        call_command("createcachetable", verbosity=0)
        start = 1_800_000_000.0
        answers = [limits.take(limits.EXPORTS, 7, now=start + second) for second in range(21)]
        other_person = limits.take(limits.EXPORTS, 8, now=start + 21)

    assert answers[:20] == [None] * 20
    assert answers[20] == 580
    assert other_person is None


def test_v2_4_1_the_61st_child_search_in_a_minute_is_refused(member) -> None:
    practitioner = member(Role.PRACTITIONER)
    concern = ConcernFactory(reported_by=practitioner.user, reporting_agency=practitioner.agency)
    client = signed_in(Client(), practitioner)
    find = reverse("triage:concern-child-find", args=[concern.public_id])
    search = {"given_name": "Perrin", "family_name": "Oakhollow", "version": concern.version}
    first = client.post(find, search)
    use_up(limits.SEARCHES, practitioner)

    refused = client.post(find, search)

    assert first.status_code == 200
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 60
    assert "Try again in 1 minute." in refused.text


def test_v2_4_1_the_screening_queue_filters_are_limited_per_person(member) -> None:
    screener, colleague = member(Role.MASH_SCREENER), member(Role.MASH_SCREENER)
    use_up(limits.SEARCHES, screener)

    refused = signed_in(Client(), screener).get(reverse("referrals:screening-queue"))
    served = signed_in(Client(), colleague).get(reverse("referrals:screening-queue"))

    assert refused.status_code == 429
    assert served.status_code == 200
    assert AuditEvent.objects.filter(
        action=Action.REFUSED, actor=screener.user, detail="rate limit: searches"
    ).exists()


def test_v2_4_1_every_download_has_the_export_limit_and_every_search_the_search_limit() -> None:
    from tests.test_access_matrix import url_patterns

    patterns = dict(url_patterns())
    downloads = [
        name
        for name, pattern in patterns.items()
        if str(pattern.pattern).rstrip("/").endswith((".pdf", ".csv", "pdf", "csv"))
    ]
    searches = ["triage:concern-child-find", "referrals:screening-queue"]

    assert downloads, "no download URLs found: the walk is broken"
    assert {name: patterns[name].callback.access_rate_limit for name in downloads} == dict.fromkeys(
        downloads, limits.EXPORTS
    )
    assert [patterns[name].callback.access_rate_limit for name in searches] == [limits.SEARCHES] * 2


def test_v2_4_1_sign_in_after_five_failures_answers_429_with_the_styled_page(member) -> None:
    membership = member(Role.PRACTITIONER)
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": membership.user.email, "password": "wrong"})

    response = client.post(
        reverse("login"), {"username": membership.user.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 429
    assert "Your account is locked" in response.text
    assert "govuk-template__body" in response.text


# V6.5.5: a code two or more steps old is refused.


@pytest.mark.parametrize("steps_old", [2, 3, 10])
def test_v6_5_5_a_code_two_or_more_steps_old_is_refused(member, steps_old) -> None:
    person = member(Role.PRACTITIONER).user
    device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    client = Client()
    client.force_login(person)

    page = client.post(reverse("two-factor"), {"code": code_for(device, steps_ahead=-steps_old)})

    assert page.status_code == 200
    assert "not right" in page.text
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_v6_5_5_a_code_one_step_old_is_still_accepted_for_clock_drift(member) -> None:
    person = member(Role.PRACTITIONER).user
    device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    client = Client()
    client.force_login(person)

    response = client.post(reverse("two-factor"), {"code": code_for(device, steps_ahead=-1)})

    assert response.status_code == 302
    assert DEVICE_ID_SESSION_KEY in client.session


# V16.4.1: CR and LF someone types cannot forge a line in the application log.

FORGED = "evil\r\n2026-01-01 INFO forged line"


def configured_handler() -> logging.Handler:
    """The handler settings.LOGGING gives the application log (not pytest's capture)."""
    return next(h for h in logging.getLogger().handlers if h.get_name() == "console")


def test_v16_4_1_a_username_with_cr_lf_writes_no_forged_line_in_the_log(caplog) -> None:
    handler = configured_handler()

    with caplog.at_level(logging.DEBUG):
        Client().post(reverse("login"), {"username": FORGED, "password": "wrong"})
        Client().get("/no-such-page%0D%0A2026-01-01%20INFO%20forged%20line/")

    assert caplog.records, "nothing was logged: the capture is broken"
    lines = [handler.format(r) for r in caplog.records if handler.filter(r)]
    assert [line for line in lines if "\r" in line or "\n" in line] == []
    assert not any(line.startswith("2026-01-01 INFO forged") for line in lines)


def test_v16_4_1_the_log_escapes_cr_lf_in_any_message(caplog) -> None:
    handler = configured_handler()

    with caplog.at_level(logging.INFO):
        logging.getLogger("hsb_portal.test").warning("Sign-in failed for %s", FORGED)

    (line,) = [handler.format(r) for r in caplog.records if handler.filter(r)]
    assert "\n" not in line
    assert "\r" not in line
    # Production's lines are JSON objects (LOG_FORMAT=json); the message itself is escaped too.
    message = json.loads(line)["message"] if line.startswith("{") else line
    assert message.endswith("Sign-in failed for evil\\r\\n2026-01-01 INFO forged line")


# V16.5.1 and V16.5.3: error pages tell nothing; a failing permission check serves nothing.


def bad_query(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT given_name FROM hsb_no_such_table")
    return HttpResponse("unreachable")


@access.guard()
def child_page(request: HttpRequest, child: UUID) -> HttpResponse:
    record = access.get_or_deny(request, Child.objects.all(), child)
    return HttpResponse(f"{record.given_name} {record.family_name}")


urlpatterns = [
    path("bad-query/", bad_query),
    path("child/<uuid:child>/", child_page),
    path("", include("hsb_portal.urls")),
]
handler500 = "hsb_portal.views.server_error"


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_v16_5_1_a_database_error_shows_the_error_page_without_sql_traceback_or_settings() -> None:
    response = Client(raise_request_exception=False).get("/bad-query/")

    # SQLite reports a missing table as OperationalError, taken for a database that is down
    # (503); PostgreSQL as ProgrammingError (500). Either page is the same few styled lines.
    assert (response.status_code, response.text.count("<h1")) in {(500, 1), (503, 1)}
    assert "Sorry, " in response.text
    for leak in ("hsb_no_such_table", "SELECT", "Traceback", "DATABASES", settings.SECRET_KEY):
        assert leak not in response.text


def _raises(*args: object) -> None:
    raise RuntimeError("the policy could not be worked out")


@pytest.mark.parametrize("failing", ["visible", "allows"])
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_v16_5_3_a_permission_check_that_raises_serves_nothing(
    failing, monkeypatch, client_as, child
) -> None:
    policy = access.POLICIES[Child]
    broken = access.Policy(
        visible=_raises if failing == "visible" else policy.visible,
        allows=_raises if failing == "allows" else policy.allows,
        children=policy.children,
    )
    monkeypatch.setitem(access.POLICIES, Child, broken)
    client = client_as(Role.MASH_SCREENER)
    client.raise_request_exception = False

    response = client.get(f"/child/{child.public_id}/")

    assert response.status_code == 500
    assert "Perrin" not in response.text
    assert "Oakhollow" not in response.text
    assert not AuditEvent.objects.filter(action=Action.VIEW, actor__isnull=False).exists()


# V7.2.4: a new session key at each step of signing in.


def test_v7_2_4_the_session_key_changes_when_the_password_is_accepted(member) -> None:
    membership = member(Role.PRACTITIONER)
    client = Client()
    before = client.session
    before["visited"] = True
    before.save()
    key_before = client.session.session_key

    response = client.post(
        reverse("login"), {"username": membership.user.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session.session_key != key_before
    assert client.session["_auth_user_id"] == str(membership.user.pk)


def test_v2_4_1_a_deployment_may_set_its_own_number_of_requests(settings) -> None:
    settings.RATE_LIMIT_REQUESTS = {"exports": 2}
    start = 1_800_000_000.0

    answers = [limits.take(limits.EXPORTS, 7, now=start + second) for second in range(3)]

    assert answers[:2] == [None, None]
    assert answers[2] is not None
