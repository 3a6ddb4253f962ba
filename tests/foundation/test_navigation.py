"""Navigation offers exactly the pages a role may open: it is built from the guards of the views
its entries lead to, and this test fails if the two ever disagree."""

import re

import pytest
from django.urls import reverse

from hsb_portal import access
from hsb_portal.accounts.models import AgencyKind, Role
from hsb_portal.navigation import ENTRIES
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav[^>]*class="[^"]*service-navigation[^"]*".*?</nav>', re.S)


@pytest.mark.parametrize("role", list(Role))
def test_navigation_offers_a_page_exactly_when_the_role_may_open_it(role: Role, client_as) -> None:
    client = client_as(role)
    home = client.get(reverse("home")).text
    nav = NAV.search(home)
    offered = nav.group(0) if nav else ""

    for entry in ENTRIES:
        url = reverse(entry.url_name)
        opens = client.get(url).status_code == 200

        assert (f'href="{url}"' in offered) == opens, (role, entry.label)


def test_a_screener_is_offered_the_referral_list_where_the_copies_sent_to_the_mash_are(
    client_as,
) -> None:
    page = client_as(Role.MASH_SCREENER).get(reverse("home")).text

    assert f'href="{reverse("referrals:referral-list")}"' in page
    assert client_as(Role.MASH_SCREENER).get(reverse("referrals:referral-list")).status_code == 200


def test_a_page_narrowed_to_an_agency_kind_is_offered_only_in_that_kind() -> None:
    police = MembershipFactory(role=Role.PRACTITIONER, agency=AgencyFactory(kind=AgencyKind.POLICE))
    school = MembershipFactory(role=Role.PRACTITIONER, agency=AgencyFactory(kind=AgencyKind.SCHOOL))

    assert access.may_reach(police, "referrals:police-notification-create")
    assert not access.may_reach(school, "referrals:police-notification-create")
