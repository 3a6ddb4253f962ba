"""The screening queue costs the same number of queries for 10 or 10,000 referrals, and the
other referral pages whatever the number of referrals, steps or allocations (style.md §7;
issue 4, item 6)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hsb_portal.accounts.models import LocalAuthority, Membership, Role
from referrals.models import (
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralGroup,
    ReferralSource,
    RiskLevel,
    SharingAgreedBy,
)
from tests.conftest import signed_in
from tests.factories import ChildFactory, ReferralFactory, UserFactory
from triage.models import Colour, Part, YesNoUnknown

pytestmark = pytest.mark.django_db

# 1 the session, 2 the user, 3 their second factor (django-otp's device), 4 their memberships
# (agency joined), 5 the memberships' authorities, 6 the agencies for the "referring agency"
# filter, 7 the count for the pagination, 8 the page of referrals (child, referring agency and
# screener joined; read in order from the partial index referral_waiting_idx), 9-12 the audit
# event naming the page's children (lock the chain's head, the event, the children it names,
# move the head), 13-15 the session saved (savepoint, update, release).
QUEUE_QUERIES = 15
# 1-5 as above, 6 the count, 7 the page of referrals (child, authority and agency joined),
# 8 their allocations with the social workers, 9-12 the audit event, 13-15 the session saved.
REFERRAL_LIST_QUERIES = 15
# 1-5 as above, 6 the referral with child, authorities, agency, people, concern, group and
# screening joined, 7 its allocations with the social workers, 8 its steps with who took them,
# 9-12 the audit event, 13 whether the concern opens for this person, 14 the referrals made
# with it (child and authority joined), 15 their allocations, 16-18 the session saved.
REFERRAL_PAGE_QUERIES = 18


def bulk_referrals(authority: LocalAuthority, count: int) -> None:
    """``count`` waiting referrals about two children, due one minute apart."""
    group = ReferralGroup.objects.create()
    children = [ChildFactory(authority=authority) for _ in range(2)]
    recorder = UserFactory()
    # Due one minute apart from 12 hours ago: the first 721 (n = 0 to 720) are overdue.
    start = timezone.now() - timedelta(hours=12, seconds=30)
    Referral.objects.bulk_create(
        (
            Referral(
                group=group,
                child=children[n % 2],
                part=Part.CHILD_WHO_HARMED if n % 2 else Part.CHILD_HARMED,
                source=ReferralSource.POLICE,
                police_reference=f"MERLIN {n}",
                authority=authority,
                happened_in=authority,
                incident_on=start.date(),
                recorded_by=recorder,
                referrer_name="Pat Constable",
                received_at=start,
                decision_due_at=start + timedelta(minutes=n),
                incident_details="Details",
                victim_vulnerability="Young",
                coercion_or_duress="None known",
                referrer_risk_level=RiskLevel.MEDIUM,
                other_children_at_risk=YesNoUnknown.NO,
                brook_colour=(Colour.RED, Colour.AMBER, Colour.GREEN)[n % 3],
                dsl_consulted=YesNoUnknown.YES,
                parents_informed=True,
                sharing_agreed_by=SharingAgreedBy.PARENT,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )


FILTERED = {"colour": "red", "age_band": "10-12", "overdue": "on", "status": "received"}


@pytest.mark.parametrize("filters", [{}, FILTERED], ids=["waiting", "filtered"])
@pytest.mark.parametrize("count", [10, 10_000])
def test_the_screening_queue_costs_the_same_for_10_or_10000_referrals(
    count, filters, authority, screener_client: Client, django_assert_num_queries
) -> None:
    bulk_referrals(authority, count)
    screener_client.get(reverse("home"))  # the session is warm, as in use

    with django_assert_num_queries(QUEUE_QUERIES):
        response = screener_client.get(reverse("referrals:screening-queue"), filters)

    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == (count if not filters else len(range(0, min(count, 721), 3)))
    # Soonest due first: the first page is the oldest, all overdue (due 12 hours ago onwards).
    dues = [row.decision_due_at for row in page.object_list]
    assert dues == sorted(dues)
    assert response.text.count('govuk-tag--red">Overdue</strong>') == len(page.object_list)


@pytest.mark.parametrize("count", [1, 30])
def test_the_referral_list_costs_the_same_whatever_the_number(
    count, referrals_made_by_school, django_assert_num_queries
) -> None:
    client, make = referrals_made_by_school
    make(count)
    client.get(reverse("home"))

    with django_assert_num_queries(REFERRAL_LIST_QUERIES):
        response = client.get(reverse("referrals:referral-list"))

    assert response.context["page"].paginator.count == count


@pytest.fixture
def referrals_made_by_school(member):
    dsl: Membership = member(Role.DSL)

    def make(count: int) -> None:
        for _ in range(count):
            ReferralFactory(
                concern__reporting_agency=dsl.agency,
                referring_agency=dsl.agency,
            )

    return signed_in(Client(), dsl), make


@pytest.mark.parametrize("steps", [1, 20])
def test_the_referral_page_costs_the_same_whatever_its_history(
    steps, referrals, screener, screener_client: Client, django_assert_num_queries
) -> None:
    referral = referrals[0]
    ReferralEvent.objects.bulk_create(
        ReferralEvent.of(
            referral, ReferralEventKind.FOLLOW_UP_RECEIVED, by=screener.user, membership=screener
        )
        for _ in range(steps)
    )
    url = reverse("referrals:referral-detail", args=[referral.public_id])
    screener_client.get(reverse("home"))

    with django_assert_num_queries(REFERRAL_PAGE_QUERIES):
        response = screener_client.get(url)

    assert response.status_code == 200
