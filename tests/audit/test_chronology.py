"""The auditor's case history of a child (issue 6, item 1): every record, change, view and
export that names the child, in time order, with field changes from -> to."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hsb_portal.accounts.models import Membership, Role
from hsb_portal.audit import chronology
from hsb_portal.audit import log as audit
from hsb_portal.audit.forms import TO_BEFORE_FROM
from hsb_portal.audit.models import Action
from hsb_portal.calendar import LONDON
from tests.audit.conftest import Case
from tests.factories import ChildFactory
from triage.models import Child

pytestmark = pytest.mark.django_db

EVERY_KIND = [
    "Child record",
    "Concern",
    "Brook rating",
    "Referral",
    "Screening decision",
    "Allocation",
    "Strategy meeting",
    "Minutes",
    "Meeting action",
    "AIM assessment",
]


def history_url(child: Child, **query: Any) -> str:
    url = reverse("audit:child-history", args=[child.public_id])
    if query:
        pairs = [
            (k, v)
            for k, values in query.items()
            for v in (values if isinstance(values, list) else [values])
        ]
        url += "?" + "&".join(f"{k}={v}" for k, v in pairs)
    return url


def kinds_in_order(child: Child) -> list[str]:
    found: list[str] = []
    events = chronology.with_versions(chronology.events_for_child(child.public_id))
    for entry in chronology.entries(events):
        for kind in entry.records:
            if kind in EVERY_KIND and kind not in found:
                found.append(kind)
    return found


def test_the_history_of_a_whole_case_names_every_kind_of_record_in_time_order(case: Case) -> None:
    riley_kinds = kinds_in_order(case.riley)

    # Riley is the child who has harmed: rated, referred, screened, allocated, met about (the
    # action is agreed in the draft minutes, before they are approved), then assessed with AIM.
    assert riley_kinds == EVERY_KIND
    events = chronology.with_versions(chronology.events_for_child(case.riley.public_id))
    times = [entry.when for entry in chronology.entries(events)]
    assert times == sorted(times)
    # Sam, the child harmed, is not AIM-assessed and has no rating of their own.
    assert kinds_in_order(case.sam) == [
        k for k in EVERY_KIND if k not in ("Brook rating", "AIM assessment")
    ]


def test_the_history_shows_who_changed_a_field_from_what_to_what(
    case: Case, auditor_client: Client
) -> None:
    page = auditor_client.get(history_url(case.riley))

    assert page.status_code == 200
    text = page.content.decode()
    # The practitioner confirmed the rating's colour; the screener took the referral.
    assert "Final colour: (blank) → Red" in text
    assert "Status: Waiting to be screened → Being screened" in text
    assert case.practitioner.user.email in text
    assert case.screener.user.email in text


def test_a_field_change_is_attributed_to_the_person_and_role_who_made_it(case: Case) -> None:
    events = chronology.with_versions(chronology.events_for_child(case.riley.public_id))

    changes = [
        (entry.actor_email, entry.role, change.field, change.before, change.after)
        for entry in chronology.entries(events)
        for change in entry.changes
    ]

    assert (
        case.screener.user.email,
        "MASH screener",
        "Status",
        "Waiting to be screened",
        "Being screened",
    ) in changes
    assert (case.practitioner.user.email, "Practitioner", "Final colour", "", "Red") in changes


def test_views_and_exports_of_the_child_are_in_the_access_record(
    case: Case, auditor: Membership, auditor_client: Client
) -> None:
    auditor_client.get(reverse("audit:child-history-csv", args=[case.riley.public_id]))

    page = auditor_client.get(history_url(case.riley, event_kinds=["views", "exports"]))

    entries = page.context["entries"]
    assert {entry.action for entry in entries} == {"Viewed", "Exported"}
    exported = [e for e in entries if e.action == "Exported"]
    assert [(e.actor_email, e.role) for e in exported] == [(auditor.user.email, "Auditor")]
    assert "case history (CSV)" in exported[0].detail


def test_filtering_by_kind_of_record_shows_only_those_records(
    case: Case, auditor_client: Client
) -> None:
    page = auditor_client.get(history_url(case.riley, record_kinds="allocation"))

    entries = page.context["entries"]
    assert entries
    assert all("Allocation" in entry.records for entry in entries)
    assert "Social worker: (blank) → Sol Worker" in page.content.decode() or any(
        change.field == "Social worker" for entry in entries for change in entry.changes
    )


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON)


def test_filtering_by_date_shows_only_the_events_of_those_days(
    monkeypatch: pytest.MonkeyPatch, authority, auditor: Membership, auditor_client: Client
) -> None:
    child = ChildFactory(authority=authority)
    for day in (date(2026, 1, 5), date(2026, 2, 10), date(2026, 3, 15)):
        monkeypatch.setattr(timezone, "now", lambda day=day: at(day))
        audit.record(
            auditor.user,
            Action.VIEW,
            child,
            membership=auditor,
            children=[child.public_id],
            detail=f"seen {day}",
        )
    monkeypatch.undo()

    page = auditor_client.get(
        history_url(
            child,
            date_from_0="1",
            date_from_1="2",
            date_from_2="2026",
            date_to_0="28",
            date_to_1="2",
            date_to_2="2026",
        )
    )

    assert [entry.detail for entry in page.context["entries"]] == ["seen 2026-02-10"]


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2026", "The date to show events from must be a real date"),
        ("1", "", "2026", "The date to show events from must include a month"),
        ("1", "2", "26", "Year must include 4 numbers"),
    ],
)
def test_an_invalid_date_gives_a_field_error_not_a_server_error(
    day, month, year, message, authority, auditor_client: Client
) -> None:
    child = ChildFactory(authority=authority)

    page = auditor_client.get(
        history_url(child, date_from_0=day, date_from_1=month, date_from_2=year)
    )

    assert page.status_code == 200
    text = page.content.decode()
    assert "There is a problem" in text
    assert text.count(message) == 2  # in the error summary and by the field
    assert page.context["entries"] == []


def test_a_to_date_before_the_from_date_is_refused(authority, auditor_client: Client) -> None:
    child = ChildFactory(authority=authority)

    page = auditor_client.get(
        history_url(
            child,
            date_from_0="2",
            date_from_1="2",
            date_from_2="2026",
            date_to_0="1",
            date_to_1="2",
            date_to_2="2026",
        )
    )

    assert page.content.decode().count(TO_BEFORE_FROM) == 2  # the summary and the field
    assert page.context["entries"] == []


def _events_about(child: Child, member: Callable[..., Membership], count: int) -> None:
    # Alternate views and changes, so the page shows versions and their diffs too.
    screener = member(Role.MASH_SCREENER)
    for n in range(count):
        if n % 2:
            Child.objects.filter(pk=child.pk).update(school_or_setting=f"Quayside Academy {n}")
            audit.record(
                screener.user, Action.CHANGE, child, membership=screener, children=[child.public_id]
            )
        else:
            audit.record(
                screener.user, Action.VIEW, child, membership=screener, children=[child.public_id]
            )


# The page's queries: sign-in, role and second factor (middleware); the child through the
# access policy and its audited view (the audit chain's head locked, the event, its child,
# the head moved on); then the count of the child's rows, one page of them, those events
# (by id and time), and their versions with the versions before them. None of them grows
# with the number of events.
HISTORY_PAGE_QUERIES = 17


@pytest.mark.parametrize("count", [5, 200])
def test_the_history_page_costs_the_same_queries_whatever_the_number_of_events(
    count, authority, member, auditor_client: Client, django_assert_num_queries
) -> None:
    child = ChildFactory(authority=authority)
    _events_about(child, member, count)

    with django_assert_num_queries(HISTORY_PAGE_QUERIES):
        page = auditor_client.get(history_url(child))

    # The auditor's own view of the page is the newest event.
    assert len(page.context["entries"]) == min(count + 1, 50)
    assert page.context["page"].paginator.count == count + 1
    assert "School or setting: Quayside Academy 1 → Quayside Academy 3" in page.content.decode()


def test_the_history_is_paginated_fifty_to_a_page(
    authority, member, auditor_client: Client
) -> None:
    child = ChildFactory(authority=authority)
    _events_about(child, member, 60)

    second = auditor_client.get(history_url(child, page=2))

    # 60 events, and the auditor's own view of the page.
    assert len(second.context["entries"]) == 11
    assert "Page 2 of 2" in second.content.decode()
    assert 'rel="prev"' in second.content.decode()
