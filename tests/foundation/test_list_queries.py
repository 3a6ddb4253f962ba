import pytest
from django.urls import reverse

from hsb_portal.accounts.models import Role
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [1, 60])
def test_the_children_list_costs_the_same_whatever_the_number_of_children(
    client_as, authority, rows, django_assert_num_queries
) -> None:
    ChildFactory.create_batch(rows, authority=authority)
    client = client_as(Role.AUDITOR)
    client.get(reverse("home"))  # warm the session

    # session, user, their second factor (django-otp's device), memberships (agency joined),
    # their authorities; count, the page of children (authority joined); the audit event (lock
    # the chain's head, the event, the children it names, move the head); then the session
    # saved for the idle timeout (a transaction of three statements).
    with django_assert_num_queries(PINNED_CHILD_LIST_QUERIES):
        response = client.get(reverse("triage:child-list"))

    assert response.status_code == 200
    assert min(rows, 25) == response.text.count("govuk-table__row") - 1


PINNED_CHILD_LIST_QUERIES = 14
