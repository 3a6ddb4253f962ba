"""/metrics (issue 17, item 5): only for the scraper's bearer token; latency by view, responses
and server errors, the oldest waiting referral by authority, the audit chain's last check, and
the notification backlog once the notifications fill its hook."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from hsb_portal import metrics
from hsb_portal.accounts.models import Role
from hsb_portal.scheduling.jobs import run_job
from referrals.models import ReferralStatus
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

TOKEN = "scraper-token-for-tests-0123456789"


def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of one scrape, by name and labels."""
    response = Client().get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}"])
def test_metrics_are_refused_without_the_scrapers_token(authorization, client_as) -> None:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    with override_settings(METRICS_TOKEN=TOKEN):
        for client in (Client(), client_as(Role.ADMINISTRATOR)):
            response = client.get(reverse("metrics"), **headers)

            assert response.status_code == 401
            assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
            assert b"hsb_" not in response.content


def test_with_no_token_configured_nobody_reads_the_metrics() -> None:
    with override_settings(METRICS_TOKEN=""):
        response = Client().get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 401


@override_settings(METRICS_TOKEN=TOKEN)
def test_latency_responses_and_server_errors_are_counted_by_view() -> None:
    before = scrape()
    Client().get(reverse("healthz"))
    Client().get(reverse("healthz"))
    Client().get("/no-such-page/")
    # A real failure: nothing listens on port 1, so the broker check fails and answers 503.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        Client().get(reverse("readyz"))

    after = scrape()

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("hsb_http_request_duration_seconds_count", view="healthz", method="GET") == 2
    assert (
        grew("hsb_http_request_duration_seconds_bucket", view="healthz", method="GET", le="+Inf")
        == 2
    )
    assert grew("hsb_http_responses_total", view="healthz", status="200") == 2
    assert grew("hsb_http_responses_total", view="none", status="404") == 1
    assert grew("hsb_http_responses_total", view="readyz", status="503") == 1
    assert grew("hsb_http_server_errors_total", view="readyz") == 1
    assert grew("hsb_http_server_errors_total", view="healthz") == 0


@override_settings(METRICS_TOKEN=TOKEN)
def test_the_oldest_waiting_referral_by_authority(authority, other_authority, member) -> None:
    now = timezone.now()
    screener = member(Role.MASH_SCREENER).user
    ReferralFactory(received_at=now - timedelta(hours=5), concern__authority=authority)
    ReferralFactory(received_at=now - timedelta(hours=2), concern__authority=authority)
    ReferralFactory(
        received_at=now - timedelta(hours=9),
        concern__authority=other_authority,
        status=ReferralStatus.IN_SCREENING,
        claimed_by=screener,
    )
    # Decided long ago: not waiting.
    ReferralFactory(
        received_at=now - timedelta(days=30),
        concern__authority=authority,
        status=ReferralStatus.EARLY_HELP,
        claimed_by=screener,
    )

    samples = scrape()

    name = "hsb_oldest_waiting_referral_age_seconds"
    home = samples[(name, (("authority", authority.code),))]
    elsewhere = samples[(name, (("authority", other_authority.code),))]
    assert 5 * 3600 <= home < 5 * 3600 + 60
    assert 9 * 3600 <= elsewhere < 9 * 3600 + 60


@override_settings(METRICS_TOKEN=TOKEN)
def test_the_audit_chain_last_check_and_each_jobs_last_run() -> None:
    assert ("hsb_audit_chain_intact", ()) not in scrape()  # never checked yet
    run = run_job("verify_audit_chain")
    run_job("dispose_records")

    samples = scrape()

    assert samples[("hsb_audit_chain_intact", ())] == 1
    assert samples[("hsb_audit_chain_last_check_timestamp_seconds", ())] == pytest.approx(
        run.finished_at.timestamp()
    )
    assert samples[("hsb_scheduled_job_last_run_succeeded", (("job", "dispose_records"),))] == 1
    assert ("hsb_scheduled_job_last_run_succeeded", (("job", "backup"),)) not in samples


@override_settings(METRICS_TOKEN=TOKEN)
def test_a_scrape_reads_the_database_in_four_queries(django_assert_num_queries) -> None:
    ReferralFactory()
    # 1 the oldest waiting referral per authority (referral_waiting_idx), 2-4 the last
    # finished run of each of the three scheduled jobs (run_job_state_idx).
    with django_assert_num_queries(4):
        scrape()


@override_settings(METRICS_TOKEN=TOKEN)
def test_the_notification_backlog_hook() -> None:
    assert ("hsb_notification_backlog", ()) not in scrape()

    metrics.set_notification_backlog(lambda: 7)
    try:
        samples = scrape()
    finally:
        metrics._notification_backlog.clear()

    assert samples[("hsb_notification_backlog", ())] == 7
