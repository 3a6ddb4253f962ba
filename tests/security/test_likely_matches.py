"""Issue 10, item 1: the duplicate check of every form that adds a child is a search, and obeys
the access policy like any other.

A red team typed a blank or one-letter name and a date of birth into the forms that add a child
and was shown every child born that day, in any authority, with their school. Each test goes one
step past the form: what the look-up answers, the error messages, the audit log and the limit.
"""

from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal import limits
from hsb_portal.accounts.models import AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.audit.models import Action, AuditEvent
from referrals.models import Referral
from tests.conftest import signed_in
from tests.factories import ChildFactory, ConcernChildFactory, ConcernFactory, MembershipFactory
from tests.foundation.test_asvs_more import use_up
from tests.referrals.test_telephone_police_and_no_names import (
    call_fields,
    child_fields,
    incident_fields,
)
from tests.triage.conftest import date_input
from triage.models import Child, Concern, Part

pytestmark = pytest.mark.django_db

BORN = date(2014, 3, 14)
# What a look-up must never show of a child the person may not see: only the name, the year of
# birth and the authority help to choose.
NOT_TO_CHOOSE = ("Larkspur Primary", "14 March 2014", "3 Tern Row", "HB1 4QQ")


@pytest.fixture
def ottilie(authority: LocalAuthority) -> Child:
    """A child already on record in the home authority, named in no concern of the requester."""
    return ChildFactory(
        given_name="Ottilie",
        family_name="Quenby",
        date_of_birth=BORN,
        authority=authority,
        school_or_setting="Larkspur Primary",
        address="3 Tern Row, Harbourside",
        postcode="HB1 4QQ",
    )


@pytest.fixture
def twin_elsewhere(other_authority: LocalAuthority) -> Child:
    """Born the same day with the same name, in another authority."""
    return ChildFactory(
        given_name="Ottilie",
        family_name="Quenby",
        date_of_birth=BORN,
        authority=other_authority,
        school_or_setting="Elsewhere Academy",
    )


@pytest.fixture
def police_officer(agency_for: Callable[..., object]) -> Membership:
    return MembershipFactory(role=Role.PRACTITIONER, agency=agency_for(AgencyKind.POLICE))


def own_concern(membership: Membership) -> Concern:
    return ConcernFactory(
        reported_by=membership.user,
        reporting_agency=membership.agency,
        authority=membership.agency.authorities.first(),
    )


def find(client: Client, concern: Concern, given: str, family: str) -> str:
    data = {
        "version": concern.version,
        "given_name": given,
        "family_name": family,
        **date_input("date_of_birth", BORN),
        "part": Part.CHILD_WHO_HARMED,
    }
    return client.post(reverse("triage:concern-child-find", args=[concern.public_id]), data).text


def choose(client: Client, concern: Concern, given: str, family: str) -> str:
    data = {
        "version": concern.version,
        "given_name": given,
        "family_name": family,
        "date_of_birth": BORN.isoformat(),
        "part": Part.CHILD_WHO_HARMED,
    }
    return client.post(reverse("triage:concern-child-choose", args=[concern.public_id]), data).text


def new_child(client: Client, concern: Concern, given: str, family: str) -> str:
    data = {
        "version": concern.version,
        "submission": str(uuid4()),
        "matches_checked_for": "",
        "given_name": given,
        "family_name": family,
        **date_input("date_of_birth", BORN),
        "sex": "female",
        "authority": concern.authority.pk,
        "has_send": "no",
        "is_looked_after": "no",
        "known_to_childrens_social_care": "no",
        "part": Part.CHILD_WHO_HARMED,
    }
    return client.post(reverse("triage:concern-child-new", args=[concern.public_id]), data).text


def children_page(url: str, client: Client, authority: LocalAuthority, given: str, family: str):
    data = {
        **(call_fields_now() if "telephone" in url else {"police_reference": "MERLIN 1"}),
        **child_fields("harmer", given, family, BORN, authority),
        **incident_fields(authority),
    }
    return client.post(url, data)


def call_fields_now() -> dict:
    from django.utils import timezone

    return call_fields(timezone.now())


TELEPHONE = "/referrals/telephone/new/"
POLICE = "/referrals/police-notification/new/"


# A real name and date of birth


@pytest.mark.parametrize(
    ("given", "family", "error"),
    [
        ("O", "Quenby", "Enter the full first name, not an initial"),
        ("Ottilie", "Q", "Enter the full last name, not an initial"),
        ("O", "Q", "Enter the full first name, not an initial"),
    ],
)
@pytest.mark.parametrize("look_up", [find, choose, new_child])
def test_an_initial_for_a_name_gets_a_field_error_and_shows_no_child_in_a_concern(
    look_up, given, family, error, member, ottilie, twin_elsewhere
) -> None:
    dsl = member(Role.DSL)
    concern = own_concern(dsl)
    ConcernChildFactory(concern=own_concern(dsl), child=ottilie)  # a child the DSL may see

    page = look_up(signed_in(Client(), dsl), concern, given, family)

    assert error in page
    assert "govuk-error-summary" in page
    assert "Ottilie Quenby" not in page
    assert "Elsewhere Academy" not in page
    assert not AuditEvent.objects.filter(children__child_id=twin_elsewhere.public_id).exists()


@pytest.mark.parametrize(
    ("given", "family", "error"),
    [
        ("", "Quenby", "Enter the first name of the child who has harmed"),
        ("O", "Quenby", "Enter the full first name of the child who has harmed, not an initial"),
        ("Ottilie", "", "Enter the last name of the child who has harmed"),
        ("Ottilie", "Q", "Enter the full last name of the child who has harmed, not an initial"),
    ],
)
@pytest.mark.parametrize("url", [TELEPHONE, POLICE])
def test_a_blank_or_one_letter_name_on_a_referral_finds_no_one(
    url, given, family, error, member, police_officer, authority, ottilie, twin_elsewhere
) -> None:
    person = member(Role.MASH_SCREENER) if url == TELEPHONE else police_officer
    client = signed_in(Client(), person)

    response = children_page(url, client, authority, given, family)

    assert response.status_code == 200
    assert error in response.text
    assert "Ottilie Quenby" not in response.text
    assert "Is the child who has harmed one of these children?" not in response.text
    assert not Referral.objects.exists()


# Only children the person may see, or what is needed to choose


def test_a_teacher_is_not_offered_a_child_they_may_not_see(
    practitioner_client_and_concern, ottilie, twin_elsewhere
) -> None:
    client, concern = practitioner_client_and_concern

    page = find(client, concern, "Ottilie", "Quenby")

    assert "Is it one of these children?" not in page
    for detail in ("Ottilie Quenby", *NOT_TO_CHOOSE, "Elsewhere Academy"):
        assert detail not in page


def test_a_teacher_is_offered_a_child_already_named_in_their_concerns(
    practitioner_client_and_concern, ottilie, twin_elsewhere
) -> None:
    client, concern = practitioner_client_and_concern
    practitioner = concern.reported_by.memberships.get()
    ConcernChildFactory(concern=own_concern(practitioner), child=ottilie)

    page = find(client, concern, "Ottilie", "Quenby")

    assert "Ottilie Quenby, born 14 March 2014, Larkspur Primary" in page
    assert "Elsewhere Academy" not in page
    assert page.count("Ottilie Quenby") == 1


@pytest.fixture
def practitioner_client_and_concern(member) -> tuple[Client, Concern]:
    practitioner = member(Role.PRACTITIONER)
    return signed_in(Client(), practitioner), own_concern(practitioner)


def test_the_police_of_the_home_authority_see_only_name_year_and_authority(
    police_officer, authority, ottilie
) -> None:
    client = signed_in(Client(), police_officer)

    response = children_page(POLICE, client, authority, "Ottilie", "Quenby")

    assert "Ottilie Quenby, born in 2014, living in Home Borough Council" in response.text
    for detail in NOT_TO_CHOOSE:
        assert detail not in response.text


def test_the_police_who_choose_a_child_outside_their_scope_refer_that_child(
    police_officer, authority, ottilie
) -> None:
    client = signed_in(Client(), police_officer)
    data = {
        "police_reference": "MERLIN 26/11/0042",
        **child_fields("harmer", "Ottilie", "Quenby", BORN, authority),
        **incident_fields(authority, unpaired_reason="Only one child is known."),
    }

    response = client.post(POLICE, {**data, "harmer-match": str(ottilie.public_id)})

    assert response.status_code == 302
    assert Referral.objects.get().child == ottilie
    assert Child.objects.count() == 1


@pytest.mark.parametrize("role", ["screener", "police"])
def test_a_child_in_an_authority_the_person_does_not_serve_is_not_offered(
    role, member, police_officer, other_authority, twin_elsewhere
) -> None:
    person = member(Role.MASH_SCREENER) if role == "screener" else police_officer
    url = TELEPHONE if role == "screener" else POLICE

    response = children_page(url, signed_in(Client(), person), other_authority, "Ottilie", "Quenby")

    assert "Is the child who has harmed one of these children?" not in response.text
    assert "Elsewhere Academy" not in response.text


def test_the_screener_sees_the_children_of_their_authority_in_full(
    member, authority, ottilie
) -> None:
    client = signed_in(Client(), member(Role.MASH_SCREENER))

    response = children_page(TELEPHONE, client, authority, "Ottilie", "Quenby")

    assert "Ottilie Quenby, born 14 March 2014, Larkspur Primary" in response.text


# Audited as a search, and limited like one


def test_each_look_up_is_one_audited_search_naming_every_child_shown(
    police_officer, authority, ottilie, twin_elsewhere
) -> None:
    client = signed_in(Client(), police_officer)

    children_page(POLICE, client, authority, "Ottilie", "Quenby")

    searches = AuditEvent.objects.filter(actor=police_officer.user, detail__startswith="search")
    assert searches.count() == 1
    search = searches.get()
    assert search.action == Action.VIEW
    assert list(search.children.values_list("child_id", flat=True)) == [ottilie.public_id]
    assert "likely matches" in search.detail


def test_a_search_that_shows_no_child_is_still_audited(
    practitioner_client_and_concern, ottilie
) -> None:
    client, concern = practitioner_client_and_concern

    find(client, concern, "Ottilie", "Quenby")

    search = AuditEvent.objects.get(detail__startswith="search")
    assert not search.children.exists()


def _over_the_limit(person: Membership) -> None:
    use_up(limits.SEARCHES, person)


@pytest.mark.parametrize("look_up", [choose, new_child])
def test_a_look_up_in_a_concern_counts_against_the_search_limit(look_up, member, ottilie) -> None:
    dsl = member(Role.DSL)
    concern = own_concern(dsl)
    client = signed_in(Client(), dsl)
    _over_the_limit(dsl)

    data_page = look_up(client, concern, "Ottilie", "Quenby")

    assert "Try again in 1 minute." in data_page
    assert not AuditEvent.objects.filter(detail__startswith="search").exists()
    assert AuditEvent.objects.filter(detail="rate limit: searches").exists()


@pytest.mark.parametrize("url", [TELEPHONE, POLICE])
def test_a_look_up_on_a_referral_counts_against_the_search_limit(
    url, member, police_officer, authority, ottilie
) -> None:
    person = member(Role.MASH_SCREENER) if url == TELEPHONE else police_officer
    client = signed_in(Client(), person)
    _over_the_limit(person)

    response = children_page(url, client, authority, "Ottilie", "Quenby")

    assert response.status_code == 429
    assert "Ottilie" not in response.text
    assert not Referral.objects.exists()


def test_one_page_with_two_look_ups_counts_as_one_search(
    member, authority, ottilie, settings
) -> None:
    settings.RATE_LIMIT_REQUESTS = {"searches": 3}
    screener = member(Role.MASH_SCREENER)
    client = signed_in(Client(), screener)
    data = {
        **call_fields_now(),
        **child_fields("harmer", "Ottilie", "Quenby", BORN, authority),
        **child_fields("harmed", "Perrin", "Oakhollow", date(2017, 1, 20), authority),
        **incident_fields(authority),
    }
    for _ in range(3):
        assert client.post(TELEPHONE, data).status_code == 200

    over = client.post(TELEPHONE, data)

    assert over.status_code == 429


# An error message names no other child


def test_the_new_child_check_names_no_child_in_its_error(member, ottilie) -> None:
    dsl = member(Role.DSL)
    ConcernChildFactory(concern=own_concern(dsl), child=ottilie)
    concern = own_concern(dsl)

    page = new_child(signed_in(Client(), dsl), concern, "Ottilie", "Quenby")

    assert "A child with this date of birth and a similar name is already recorded" in page
    for detail in ("Ottilie Quenby", *NOT_TO_CHOOSE):
        assert detail not in page
