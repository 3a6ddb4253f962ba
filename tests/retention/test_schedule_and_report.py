"""The retention schedule as data, the longest rule winning, and the report of records past
retention (domain.md §9; issue 6 item 10)."""

import calendar
import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hsb_portal.accounts.models import LocalAuthority, Membership, Role
from hsb_portal.audit.models import Action, AuditEvent
from hsb_portal.retention import selectors
from hsb_portal.retention.models import Anchor, RecordClass, RetentionRule
from hsb_portal.retention.schedule import (
    DEFAULT_SCHEDULE,
    earliest_retained_anchor,
    retained_until,
    seed_default_schedule,
)
from tests.conftest import signed_in
from tests.factories import LocalAuthorityFactory
from tests.retention.conftest import CASE_KINDS, closed_case

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 1)


def test_every_authority_gets_the_default_schedule_with_the_sources_words(
    authority: LocalAuthority,
) -> None:
    seed_default_schedule(authority)

    rules = {(r.record_class, r.anchor): r for r in authority.retention_rules.all()}

    assert len(rules) == len(DEFAULT_SCHEDULE)
    cp = rules[(RecordClass.CHILD_PROTECTION, Anchor.CLOSURE)]
    assert cp.years == 35
    assert "R (C) v Northumberland CC [2015] EWHC 2134 (Admin)" in cp.source
    assert "Blackpool" in cp.source
    assert rules[(RecordClass.CHILD_IN_NEED, Anchor.DATE_OF_BIRTH)].years == 21
    assert "Devon" in rules[(RecordClass.CHILD_IN_NEED, Anchor.LAST_CONTACT)].source
    assert "reg 50" in rules[(RecordClass.LOOKED_AFTER, Anchor.DATE_OF_BIRTH)].source
    assert "Local" in rules[(RecordClass.EARLY_HELP, Anchor.CLOSURE)].source


def test_seeding_again_keeps_an_authoritys_edited_periods(authority: LocalAuthority) -> None:
    seed_default_schedule(authority)
    RetentionRule.objects.filter(
        authority=authority, record_class=RecordClass.CHILD_PROTECTION
    ).update(years=40)

    seed_default_schedule(authority)

    rule = authority.retention_rules.get(record_class=RecordClass.CHILD_PROTECTION)
    assert rule.years == 40
    assert authority.retention_rules.count() == len(DEFAULT_SCHEDULE)


def test_a_child_protection_record_of_a_looked_after_child_is_kept_until_their_75th_birthday(
    authority: LocalAuthority, schedule: list[RetentionRule]
) -> None:
    # Northumberland's example of the longest rule winning (domain.md §9).
    child = closed_case(
        authority,
        kind="child_protection",
        born=date(1960, 2, 10),
        closed_on=date(1975, 6, 1),
        looked_after=True,
    )

    due = selectors.children_past_retention([authority.pk], today=TODAY)
    row = selectors.annotate_retention(selectors.RetainedChild.objects.filter(pk=child.pk)).get()
    retention = selectors.retention_of(row, list(authority.retention_rules.all()))

    assert child.pk not in {c.pk for c in due}  # 35 years after closure alone would be 2010
    assert retention is not None
    assert retention.retained_until == date(2035, 2, 10)
    assert retention.rule.record_class == RecordClass.LOOKED_AFTER


def test_a_child_in_need_is_kept_until_21_and_3_years_after_last_contact_whichever_is_later(
    authority: LocalAuthority, schedule: list[RetentionRule]
) -> None:
    young = closed_case(
        authority, kind="child_in_need", born=date(2008, 1, 1), closed_on=date(2020, 3, 1)
    )
    grown = closed_case(
        authority, kind="child_in_need", born=date(1990, 1, 1), closed_on=date(2024, 3, 1)
    )
    done = closed_case(
        authority, kind="child_in_need", born=date(1990, 1, 1), closed_on=date(2021, 3, 1)
    )

    due = {c.pk for c in selectors.children_past_retention([authority.pk], today=TODAY)}

    assert young.pk not in due  # 21st birthday in 2029
    assert grown.pk not in due  # 3 years after its last contact: 1 March 2027
    assert done.pk in due  # 21 long ago, and 3 years after its last contact in 2024


def add_years(day: date, years: int) -> date:
    """Independent of the app: the same day ``years`` later, 29 February becoming the 28th."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


DEFAULT_YEARS = {(d.record_class, d.anchor): d.years for d in DEFAULT_SCHEDULE}
REACHES = {
    "child_protection": [RecordClass.CHILD_PROTECTION],
    "child_in_need": [RecordClass.CHILD_IN_NEED],
    "early_help": [RecordClass.EARLY_HELP],
    "concern_not_referred": [RecordClass.CONCERN_NOT_REFERRED],
}


def expected_until(kind: str, born: date, closed_on: date, looked_after: bool) -> date:
    classes = REACHES[kind] + ([RecordClass.LOOKED_AFTER] if looked_after else [])
    anchors = {
        Anchor.DATE_OF_BIRTH: born,
        Anchor.CLOSURE: closed_on,
        Anchor.LAST_CONTACT: closed_on,
    }
    return max(
        add_years(anchors[anchor], years)
        for (record_class, anchor), years in DEFAULT_YEARS.items()
        if record_class in classes
    )


cases = st.lists(
    st.tuples(
        st.sampled_from(CASE_KINDS),
        st.dates(min_value=date(1930, 1, 1), max_value=date(2024, 12, 31)),
        st.integers(min_value=0, max_value=40),
        st.booleans(),
    ),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cases=cases, today=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_the_report_lists_exactly_the_children_past_retention(
    cases: list[tuple[str, date, int, bool]], today: date
) -> None:
    authority = LocalAuthorityFactory()
    seed_default_schedule(authority)
    expected = set()
    for kind, born, age_at_closure, looked_after in cases:
        closed_on = min(add_years(born, age_at_closure), date(2025, 12, 31))
        child = closed_case(
            authority, kind=kind, born=born, closed_on=closed_on, looked_after=looked_after
        )
        if expected_until(kind, born, closed_on, looked_after) < today:
            expected.add(child.public_id)

    listed = selectors.children_past_retention([authority.pk], today=today)

    assert {child.public_id for child in listed} == expected


@given(
    anchor=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    today=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    years=st.integers(min_value=1, max_value=80),
)
def test_the_sql_boundary_agrees_with_the_retention_date_around_29_february(
    anchor: date, today: date, years: int
) -> None:
    past = retained_until(anchor, years) < today

    assert past == (anchor < earliest_retained_anchor(today, years))


def test_a_child_past_retention_is_reported_and_one_not_yet_due_is_not(
    authority: LocalAuthority, schedule: list[RetentionRule], client_as: Callable[..., Client]
) -> None:
    closed_case(
        authority,
        kind="early_help",
        born=date(2001, 4, 2),
        closed_on=date(2012, 5, 5),
        given_name="Oldcase",
    )
    closed_case(
        authority,
        kind="early_help",
        born=date(2015, 4, 2),
        closed_on=date(2024, 5, 5),
        given_name="Recentcase",
    )

    response = client_as(Role.ADMINISTRATOR).get(reverse("retention:report"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Oldcase" in page
    assert "Recentcase" not in page
    assert "6 years from closure" in page
    assert "5 May 2018" in page  # kept until six years after closure


def test_another_authoritys_children_are_not_in_the_report(
    authority: LocalAuthority, other_authority: LocalAuthority, client_as: Callable[..., Client]
) -> None:
    seed_default_schedule(other_authority)
    closed_case(
        other_authority,
        kind="early_help",
        born=date(2001, 4, 2),
        closed_on=date(2012, 5, 5),
        given_name="Elsewherechild",
    )

    response = client_as(Role.ADMINISTRATOR).get(reverse("retention:report"))

    assert "Elsewherechild" not in response.content.decode()


def test_without_a_rule_for_its_class_a_child_is_never_past_retention(
    authority: LocalAuthority, schedule: list[RetentionRule]
) -> None:
    child = closed_case(
        authority, kind="early_help", born=date(1950, 1, 1), closed_on=date(1960, 1, 1)
    )
    RetentionRule.objects.filter(record_class=RecordClass.EARLY_HELP).delete()

    due = selectors.children_past_retention([authority.pk], today=TODAY)

    assert child.pk not in {c.pk for c in due}


def test_a_child_with_open_work_is_not_past_retention(
    authority: LocalAuthority, schedule: list[RetentionRule]
) -> None:
    child = closed_case(
        authority, kind="early_help", born=date(1950, 1, 1), closed_on=date(1960, 1, 1)
    )
    child.referrals.update(status="received", claimed_by=None)

    due = selectors.children_past_retention([authority.pk], today=TODAY)

    assert child.pk not in {c.pk for c in due}


@pytest.mark.parametrize("children", [1, 20])
def test_the_report_costs_the_same_queries_for_1_or_20_children(
    children: int,
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    member: Callable[..., Membership],
    django_assert_num_queries: Callable[..., object],
) -> None:
    for number in range(children):
        closed_case(
            authority,
            kind="early_help",
            born=date(2000, 1, 1),
            closed_on=date(2010, 1, number % 28 + 1),
        )
    client = signed_in(Client(), member(Role.ADMINISTRATOR))

    # 1 session, 1 user, 1 second factor (django-otp), 2 membership and its agency's
    # authorities; 1 the authority's rules (they build the filter and explain the rows),
    # 1 count, 1 the page of children with every annotation as subqueries; the audit event of
    # the list view: 1 lock the chain head, 1 insert the event, 1 insert its children,
    # 1 update the head; 3 the session saved (savepoint, update, release).
    with django_assert_num_queries(15):
        response = client.get(reverse("retention:report"))

    assert response.status_code == 200
    assert response.content.decode().count("govuk-table__row") == children + 1


def test_the_csv_report_escapes_cells_a_spreadsheet_would_run(
    authority: LocalAuthority, schedule: list[RetentionRule]
) -> None:
    child = closed_case(
        authority,
        kind="early_help",
        born=date(2001, 4, 2),
        closed_on=date(2012, 5, 5),
        given_name="=HYPERLINK(1)",
    )
    out = io.StringIO()

    call_command("retention_report", "--authority", authority.code, stdout=out)

    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:2] == ["child", "name"]
    assert rows[1][0] == str(child.public_id)
    assert rows[1][1].startswith("'=HYPERLINK(1)")
    assert rows[1][5] == "2018-05-05"
    export = AuditEvent.objects.filter(action=Action.EXPORT).get()
    assert export.children.get().child_id == child.public_id


def test_the_demo_authorities_get_the_default_schedule() -> None:
    call_command("seed_demo", throwaway_demo=True, stdout=io.StringIO())

    harbourside = LocalAuthority.objects.get(code="harbourside")
    assert harbourside.retention_rules.count() == len(DEFAULT_SCHEDULE)
