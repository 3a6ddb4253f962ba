"""Every list and detail page and the exports, measured in process with Django's test client
against the benchmark world: p50 and p95 of N requests, and the statements one request sends
as deployed (sessions, rate-limit counters in the database cache, everything).

The people sign in as anyone would: the sign-in form with their password, then the security
code their authenticator shows (the world gave each a known key).
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts.demo import next_code
from tests.benchmarks import world


@dataclass(frozen=True)
class Page:
    name: str
    # Who asks: a kind of benchmark person, or "" for nobody signed in.
    who: str
    path: str
    # Exports are left out of the load (each is a PDF or a file, not a page).
    export: bool = False


def sign_in(kind: str) -> Client:
    """A client signed in with both factors as the benchmark person of ``kind``."""
    email, _role = world.benchmark_people()[kind]
    client = Client(HTTP_X_FORWARDED_PROTO="https", raise_request_exception=False)
    response = client.post(
        reverse("login"), {"username": email, "password": world.PASSWORD}, secure=True
    )
    if response.status_code != 302:
        raise RuntimeError(f"{kind} could not sign in: {response.status_code}")
    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    response = client.post(reverse("two-factor"), {"code": next_code(device)}, secure=True)
    if response.status_code != 302:
        raise RuntimeError(f"{kind}'s security code was refused: {response.status_code}")
    return client


def _one(sql: str, params: Any = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise RuntimeError(f"The world has no row for: {sql}")
    return row[0]


def pages() -> list[Page]:
    """The pages, with records of the first authority that each person may see."""
    people = {kind: world.benchmark_people()[kind][0] for kind in world.benchmark_people()}
    first = "(SELECT id FROM accounts_localauthority WHERE code = 'bench1')"
    worker = f"(SELECT id FROM accounts_user WHERE email = '{people['social_worker']}')"
    manager = f"(SELECT id FROM accounts_user WHERE email = '{people['manager']}')"
    referral = _one(
        "SELECT r.public_id FROM referrals_referral r JOIN referrals_allocation a "
        "ON a.referral_id = r.id AND a.ended_at IS NULL JOIN accounts_membership m "
        f"ON m.id = a.social_worker_id WHERE m.user_id = {worker} ORDER BY r.id DESC LIMIT 1"
    )
    child = world.busy_child()
    meeting = _one(
        "SELECT public_id FROM strategy_strategymeeting WHERE status = 'minutes_approved' "
        f"AND chair_id IN (SELECT id FROM accounts_membership WHERE user_id = {manager}) "
        "ORDER BY id DESC LIMIT 1"
    )
    place, minutes = (
        _one(
            "SELECT mc.public_id FROM strategy_meetingchild mc JOIN strategy_strategymeeting s "
            "ON s.id = mc.meeting_id WHERE s.public_id = %s ORDER BY mc.position LIMIT 1",
            [meeting],
        ),
        _one(
            "SELECT v.public_id FROM strategy_minutesversion v JOIN strategy_strategymeeting s "
            "ON s.id = v.meeting_id WHERE s.public_id = %s AND v.status = 'approved' "
            "ORDER BY v.number DESC LIMIT 1",
            [meeting],
        ),
    )
    concern = _one(
        "SELECT c.public_id FROM triage_concern c JOIN accounts_user u ON u.id = c.reported_by_id "
        f"WHERE u.email = '{people['practitioner']}' ORDER BY c.id DESC LIMIT 1"
    )
    in_queue = _one(f"SELECT COUNT(*) FROM referrals_referral WHERE authority_id = {first}")
    deep = max(1, min(10_000, in_queue // 25))
    agency = _one(
        "SELECT r.referring_agency_id FROM referrals_referral r "
        f"WHERE r.authority_id = {first} AND r.referring_agency_id IS NOT NULL LIMIT 1"
    )
    queue = reverse("referrals:screening-queue")
    history = reverse("audit:child-history", kwargs={"child": child})
    return [
        Page("floor: a page, not signed in", "", reverse("accessibility")),
        Page("the same page, signed in", "screener", reverse("accessibility")),
        Page("screening queue, page 1", "screener", queue),
        Page("queue, status=all, page 2", "screener", f"{queue}?status=all&page=2"),
        Page(f"queue, status=all, page {deep}", "screener", f"{queue}?status=all&page={deep}"),
        Page(
            "queue, overdue, one agency",
            "screener",
            f"{queue}?overdue=on&referring_agency={agency}",
        ),
        Page(
            "queue, red, 13 and over", "screener", f"{queue}?status=all&colour=red&age_band=13_plus"
        ),
        Page("referral list (screener)", "screener", reverse("referrals:referral-list")),
        Page("referral list (DSL)", "dsl", reverse("referrals:referral-list")),
        Page("children list", "screener", reverse("triage:child-list")),
        Page("children list, deep page", "screener", f"{reverse('triage:child-list')}?page={deep}"),
        Page("concern list (practitioner)", "practitioner", reverse("triage:concern-list")),
        Page("concern list (auditor)", "auditor", reverse("triage:concern-list")),
        Page("meeting list", "manager", reverse("meetings:meeting-list")),
        Page("child page", "screener", reverse("triage:child-detail", kwargs={"child": child})),
        Page(
            "referral page",
            "screener",
            reverse("referrals:referral-detail", kwargs={"referral": referral}),
        ),
        Page(
            "concern page",
            "practitioner",
            reverse("triage:concern-detail", kwargs={"concern": concern}),
        ),
        Page(
            "meeting page",
            "manager",
            reverse("meetings:meeting-detail", kwargs={"meeting": meeting}),
        ),
        Page(
            "child's minutes",
            "manager",
            reverse(
                "meetings:child-minutes",
                kwargs={"meeting": meeting, "meeting_child": place, "minutes": minutes},
            ),
        ),
        *[Page(f"My work ({kind})", kind, reverse("home")) for kind in world.benchmark_people()],
        Page("case history, page 1", "auditor", history),
        Page("case history, last page", "auditor", f"{history}?page=last"),
        Page("case history, views only", "auditor", f"{history}?event_kinds=views"),
        Page(
            "export: case history CSV",
            "auditor",
            reverse("audit:child-history-csv", kwargs={"child": child}),
            export=True,
        ),
        Page(
            "export: case history PDF, one year",
            "auditor",
            reverse("audit:child-history-pdf", kwargs={"child": child})
            + "?date_from=2026-01-01&date_to=2026-12-31&event_kinds=records",
            export=True,
        ),
        Page(
            "export: child's minutes PDF",
            "manager",
            reverse(
                "meetings:child-minutes-pdf",
                kwargs={"meeting": meeting, "meeting_child": place, "minutes": minutes},
            ),
            export=True,
        ),
    ]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(*, requests: int, only: str | None, smoke: bool) -> list[str]:
    """Print the table; return the pages that failed."""
    call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        # Codes are accepted once: let every run sign in again at once.
        cursor.execute(
            "UPDATE otp_totp_totpdevice SET last_t = -1 WHERE user_id IN "
            "(SELECT id FROM accounts_user WHERE email LIKE '%%0.a1@benchmark.example')"
        )
    clients: dict[str, Client] = {
        "": Client(HTTP_X_FORWARDED_PROTO="https", raise_request_exception=False)
    }
    failures = []
    print(f"\n{'page':44} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}  (N={requests})")
    for page in pages():
        if only and only not in page.name:
            continue
        if page.who not in clients:
            clients[page.who] = sign_in(page.who)
        client = clients[page.who]
        timings: list[float] = []
        statuses: set[int] = set()
        queries = 0
        for n in range(requests + 1):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(page.path, secure=True)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)  # type: ignore[arg-type]
                elapsed = time.perf_counter() - started
            statuses.add(response.status_code)
            if n == 0 and response.status_code != 200:
                timings.append(elapsed * 1000)
                break  # a page that fails once is not asked again
            if n == 0:
                continue  # the first request warms caches; not counted
            timings.append(elapsed * 1000)
            queries = len(captured.captured_queries)
        ok = statuses == {200}
        if not ok:
            failures.append(page.name)
        status = "200" if ok else ",".join(str(s) for s in sorted(statuses))
        print(
            f"{page.name:44} {status:>6} {statistics.median(timings):8.1f} "
            f"{_percentile(timings, 0.95):8.1f} {queries:8d}",
            flush=True,
        )
    if failures:
        print(f"\nFAILED: {', '.join(failures)}")
    return failures


def time_verification(new_events: int = 10_000) -> None:
    """How long ``verify_audit_chain`` takes on the world: in full, then from the last verified
    point after a busy day's ``new_events`` more views (written through the audit log)."""
    from io import StringIO

    from hsb_portal.audit.log import record
    from hsb_portal.audit.models import Action

    def timed(*arguments: str) -> None:
        out = StringIO()
        started = time.perf_counter()
        try:
            call_command("verify_audit_chain", *arguments, stdout=out)
        except Exception as error:  # the command's own CommandError names the break
            out.write(str(error))
        label = " ".join(arguments) or "(from the last verified point)"
        print(
            f"verify_audit_chain {label}: {time.perf_counter() - started:.1f} s: "
            f"{out.getvalue().strip().splitlines()[0]}",
            flush=True,
        )

    timed("--full")
    child = world.busy_child()
    for _ in range(new_events):
        record(None, Action.VIEW, children=[child] if child else [], actor_email="bench@x.example")
    timed()


__all__ = ["Callable", "measure", "time_verification"]
