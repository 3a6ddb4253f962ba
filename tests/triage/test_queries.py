"""A page costs the same number of queries whatever the number of concerns (style.md §7)."""

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Membership
from tests.factories import ChildFactory, ConcernChildFactory, ConcernFactory
from triage.models import Child, ConcernStatus, Part

pytestmark = pytest.mark.django_db

# 1 the session, 2 the user, 3 their second factor (django-otp's device), 4 their
# memberships, 5 the memberships' authorities, 6 the child, 7 their household, 8-11 the audit
# event (lock the chain's head, the event, the child it names, move the head), 12 the concerns
# about the child (parts and outcomes, in one query), 13 the referrals about the child (their
# steps are one more query when there are any: tests/referrals/test_queries.py), 14-16 the
# session saved (savepoint, update, release).
CHILD_PAGE_QUERIES = 16
# 1-5 as above, 6 the count for the pagination, 7 the page of concerns with reporter and
# agency, 8 the children named on them, 9-12 the audit event and the children it names,
# 13-15 the session saved.
CONCERN_LIST_QUERIES = 15


def concerns_about(child: Child, practitioner: Membership, count: int) -> None:
    for _ in range(count):
        concern = ConcernFactory(
            reported_by=practitioner.user,
            reporting_agency=practitioner.agency,
            authority=child.authority,
            status=ConcernStatus.AWAITING_REVIEW,
        )
        ConcernChildFactory(concern=concern, child=child, part=Part.CHILD_WHO_HARMED)
        ConcernChildFactory(concern=concern, part=Part.CHILD_HARMED)


@pytest.mark.parametrize("prior_concerns", [1, 100])
def test_the_childs_page_costs_the_same_with_1_or_100_earlier_concerns(
    prior_concerns, practitioner, practitioner_client: Client, authority, django_assert_num_queries
) -> None:
    child = ChildFactory(given_name="Riley", family_name="Ashcombe", authority=authority)
    concerns_about(child, practitioner, prior_concerns)
    url = reverse("triage:child-detail", args=[child.public_id])

    with django_assert_num_queries(CHILD_PAGE_QUERIES):
        response = practitioner_client.get(url)

    assert response.status_code == 200
    plural = "s" if prior_concerns > 1 else ""
    assert f"Riley Ashcombe has {prior_concerns} concern{plural} recorded" in response.text


@pytest.mark.parametrize("concerns", [1, 100])
def test_the_concern_list_costs_the_same_with_1_or_100_concerns(
    concerns, practitioner, practitioner_client: Client, authority, django_assert_num_queries
) -> None:
    child = ChildFactory(authority=authority)
    concerns_about(child, practitioner, concerns)

    with django_assert_num_queries(CONCERN_LIST_QUERIES):
        response = practitioner_client.get(reverse("triage:concern-list"))

    assert response.status_code == 200
    assert f"Concerns you may see, {concerns} in all" in response.text
