"""Prometheus metrics (issue 17, item 5), with the official client library.

Per process, counted as requests are served: latency by view and method, responses by status,
server errors by view. Read from the database at each scrape (a handful of small indexed
queries): the age of the oldest referral waiting for screening in each authority, and when each
scheduled job last ran and how, the audit chain's check among them. The notification backlog is
a hook (``set_notification_backlog``) for the notifications to fill.

``/metrics`` answers only a scraper presenting ``METRICS_TOKEN`` as a bearer token (401 to
everyone else, and to everyone when no token is set); nginx does not pass it on at all. Each
app server process is its own scrape target (one gunicorn worker with threads per process:
deploy/gunicorn.conf.py), so no multi-process files are needed.
"""

import hmac
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from hsb_portal import access

REQUEST_SECONDS = Histogram(
    "hsb_http_request_duration_seconds",
    "Time to answer a request, by view (URL name) and method.",
    ["view", "method"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RESPONSES = Counter(
    "hsb_http_responses_total", "Responses, by view and status code.", ["view", "status"]
)
SERVER_ERRORS = Counter(
    "hsb_http_server_errors_total", "Responses with a 5xx status, by view.", ["view"]
)


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    # Static files (WhiteNoise) and unknown addresses resolve to no view: one label for each,
    # so that what a client types never becomes a label.
    return match.view_name if match is not None and match.view_name else "none"


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_name(request)
        method = request.method if request.method in {"GET", "HEAD", "POST"} else "other"
        REQUEST_SECONDS.labels(view, method).observe(time.perf_counter() - started)
        RESPONSES.labels(view, str(response.status_code)).inc()
        if response.status_code >= 500:
            SERVER_ERRORS.labels(view).inc()
        return response


# The notifications (issue 14) call ``set_notification_backlog`` with a function that counts the
# notifications waiting to be sent; until then the gauge is not exported at all.
_notification_backlog: list[Callable[[], int]] = []


def set_notification_backlog(count: Callable[[], int]) -> None:
    _notification_backlog[:] = [count]


class DatabaseCollector(Collector):
    """Gauges read from the database when Prometheus scrapes."""

    def describe(self) -> Iterator[Metric]:
        # Registering must not query (the database may not exist yet: makemigrations, check).
        return iter(())

    def collect(self) -> Iterator[Metric]:
        # Imported here: the metrics module loads with the middleware, before the apps.
        from hsb_portal.scheduling.jobs import JOBS
        from hsb_portal.scheduling.models import RunState, ScheduledRun
        from referrals.models import Referral
        from referrals.models.referrals import WAITING

        now = timezone.now()
        oldest = GaugeMetricFamily(
            "hsb_oldest_waiting_referral_age_seconds",
            "Age of the oldest referral waiting for a screening decision, by authority.",
            labels=["authority"],
        )
        waiting = (
            Referral.objects.filter(status__in=WAITING)
            .values("authority__code")
            .annotate(oldest=Min("received_at"))
            .order_by()
        )
        for row in waiting:
            oldest.add_metric([row["authority__code"]], (now - row["oldest"]).total_seconds())
        yield oldest

        finished = GaugeMetricFamily(
            "hsb_scheduled_job_last_finished_timestamp_seconds",
            "When each scheduled job's last run (succeeded or failed) finished.",
            labels=["job"],
        )
        succeeded = GaugeMetricFamily(
            "hsb_scheduled_job_last_run_succeeded",
            "1 if each scheduled job's last run succeeded, 0 if it failed.",
            labels=["job"],
        )
        ended = [RunState.SUCCEEDED, RunState.FAILED]
        last_runs = {
            job: ScheduledRun.objects.filter(job=job, state__in=ended).order_by("-started_at")[:1]
            for job in JOBS
        }
        for job, runs in last_runs.items():
            for run in runs:
                if run.finished_at is None:  # never: set with the final state
                    continue
                finished.add_metric([job], run.finished_at.timestamp())
                succeeded.add_metric([job], 1 if run.state == RunState.SUCCEEDED else 0)
                if job == "verify_audit_chain":
                    yield GaugeMetricFamily(
                        "hsb_audit_chain_last_check_timestamp_seconds",
                        "When the nightly check of the audit chain last finished.",
                        value=run.finished_at.timestamp(),
                    )
                    yield GaugeMetricFamily(
                        "hsb_audit_chain_intact",
                        "1 if the audit chain's last check found it unbroken, 0 if broken.",
                        value=1 if run.state == RunState.SUCCEEDED else 0,
                    )
        yield finished
        yield succeeded

        for count in _notification_backlog:
            yield GaugeMetricFamily(
                "hsb_notification_backlog",
                "Notifications waiting to be sent.",
                value=count(),
            )


REGISTRY.register(DatabaseCollector())


def _bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@require_safe
@access.guard(public=True)
def metrics(request: HttpRequest) -> HttpResponse:
    expected = settings.METRICS_TOKEN
    presented = _bearer_token(request)
    if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        response = HttpResponse("A scraper's bearer token is needed.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
