"""Naming the children involved: an existing record is found before a new one is made."""

from datetime import date
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Membership
from hsb_portal.audit.models import Action, AuditEvent
from tests.factories import BrookRatingFactory, ChildFactory, ConcernChildFactory, ConcernFactory
from tests.triage.conftest import date_input
from triage.models import BrookRating, Child, Concern, ConcernChild, Part

pytestmark = pytest.mark.django_db

BORN = date(2014, 3, 14)


def own_concern(membership: Membership) -> Concern:
    return ConcernFactory(
        reported_by=membership.user,
        reporting_agency=membership.agency,
        authority=membership.agency.authorities.first(),
    )


@pytest.fixture
def riley(authority, practitioner) -> Child:
    """A child the practitioner named in an earlier concern, so the duplicate check may offer
    them (it offers only children the person may see: issue 10)."""
    child = ChildFactory(
        given_name="Riley", family_name="Ashcombe", date_of_birth=BORN, authority=authority
    )
    ConcernChildFactory(concern=own_concern(practitioner), child=child)
    return child


def matches_for(authority, given: str, family: str, born: date = BORN) -> list[str]:
    """The children of the authority born that day whose names the check finds similar."""
    return [
        child.full_name
        for child in Child.objects.filter(authority=authority, date_of_birth=born)
        if child.resembles(given_name=given, family_name=family)
    ]


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Riley", "Ashcombe"),
        ("riley", "ASHCOMBE"),  # case
        (" Riley ", "Ashcombe "),  # spaces
        ("Riley", "Pellingford"),  # same first name, new surname (e.g. a family change)
        ("Rylee", "Ashcombe"),  # same last name, another spelling
        ("Rylie", "Ashcomb"),  # a typo in both
        ("Robin", "Avery"),  # same initials
    ],
)
def test_a_child_born_the_same_day_with_a_similar_name_is_a_likely_match(
    given, family, riley, authority
) -> None:
    assert matches_for(authority, given, family) == ["Riley Ashcombe"]


def test_a_child_known_by_another_first_name_is_found_by_it(authority) -> None:
    ChildFactory(
        given_name="Alexander",
        family_name="Brennockby",
        known_as="Sandy",
        date_of_birth=BORN,
        authority=authority,
    )

    assert matches_for(authority, "Sandy", "Moorcroft") == ["Alexander Brennockby"]


@pytest.mark.parametrize(
    ("given", "family", "born"),
    [
        ("Jordan", "Pellingford", BORN),  # a different name
        ("Riley", "Ashcombe", date(2014, 3, 15)),  # born another day
    ],
)
def test_a_different_child_is_not_a_match(given, family, born, riley, authority) -> None:
    assert matches_for(authority, given, family, born) == []


def find(client: Client, concern: Concern, **fields) -> object:
    data = {
        "version": concern.version,
        "given_name": "Riley",
        "family_name": "Ashcombe",
        **date_input("date_of_birth", BORN),
        "part": Part.CHILD_WHO_HARMED,
    }
    data.update(fields)
    return client.post(reverse("triage:concern-child-find", args=[concern.public_id]), data)


def test_finding_a_child_on_record_offers_them_and_choosing_adds_no_second_record(
    practitioner, practitioner_client: Client, riley
) -> None:
    concern = own_concern(practitioner)

    found = find(practitioner_client, concern, given_name="rylie")
    chosen = practitioner_client.post(
        reverse("triage:concern-child-choose", args=[concern.public_id]),
        {
            "version": concern.version,
            "given_name": "rylie",
            "family_name": "Ashcombe",
            "date_of_birth": BORN.isoformat(),
            "part": Part.CHILD_WHO_HARMED,
            "match": str(riley.public_id),
        },
    )

    assert "Riley Ashcombe, born 14 March 2014" in found.text
    assert "No, it is a different child" in found.text
    assert chosen.status_code == 302
    assert Child.objects.count() == 1
    assert concern.involvements.get().child == riley
    assert concern.involvements.get().part == Part.CHILD_WHO_HARMED
    offered = AuditEvent.objects.filter(detail__startswith="search: likely matches")
    assert [list(e.children.values_list("child_id", flat=True)) for e in offered] == [
        [riley.public_id],  # the search
        [riley.public_id],  # found again on the server when the choice was sent
    ]


def test_a_child_with_no_match_gets_a_new_record_starting_from_the_search(
    practitioner, practitioner_client: Client, authority
) -> None:
    concern = own_concern(practitioner)

    found = find(practitioner_client, concern, given_name="Jordan")
    form = {
        "version": concern.version,
        "submission": str(uuid4()),
        "matches_checked_for": "jordan|ashcombe|2014-03-14",
        "given_name": "Jordan",
        "family_name": "Ashcombe",
        **date_input("date_of_birth", BORN),
        "sex": "female",
        "authority": authority.pk,
        "has_send": "unknown",
        "is_looked_after": "no",
        "known_to_childrens_social_care": "no",
        "part": Part.CHILD_HARMED,
        "developmental_age": "9",
    }
    added = practitioner_client.post(
        reverse("triage:concern-child-new", args=[concern.public_id]), form
    )

    assert "Add a new child record" in found.text
    assert 'value="Jordan"' in found.text
    assert added.status_code == 302
    child = Child.objects.get()
    assert (child.full_name, child.date_of_birth, child.authority) == (
        "Jordan Ashcombe",
        BORN,
        authority,
    )
    assert child.created_by == practitioner.user
    involvement = concern.involvements.get()
    assert (involvement.part, involvement.developmental_age) == (Part.CHILD_HARMED, 9)
    created = AuditEvent.objects.get(action=Action.CREATE, object_kind="triage.child")
    assert list(created.children.values_list("child_id", flat=True)) == [child.public_id]


def new_child_form(concern: Concern, authority, **fields) -> dict:
    data = {
        "version": concern.version,
        "submission": str(uuid4()),
        "given_name": "Riley",
        "family_name": "Ashcombe",
        **date_input("date_of_birth", BORN),
        "sex": "male",
        "authority": authority.pk,
        "has_send": "no",
        "is_looked_after": "no",
        "known_to_childrens_social_care": "no",
        "part": Part.CHILD_WHO_HARMED,
    }
    data.update(fields)
    return data


def test_a_new_record_like_one_already_on_record_is_stopped_until_confirmed(
    practitioner, practitioner_client: Client, riley, authority
) -> None:
    concern = own_concern(practitioner)
    url = reverse("triage:concern-child-new", args=[concern.public_id])

    stopped = practitioner_client.post(url, new_child_form(concern, authority))
    confirmed = practitioner_client.post(
        url,
        new_child_form(concern, authority, matches_checked_for="riley|ashcombe|2014-03-14"),
    )

    assert "A child with this date of birth and a similar name is already recorded" in (
        stopped.text
    )
    assert "Riley Ashcombe, born 14 March 2014" not in stopped.text  # no details in an error
    assert 'value="riley|ashcombe|2014-03-14"' in stopped.text
    assert confirmed.status_code == 302
    assert Child.objects.count() == 2


def test_a_child_with_no_part_is_a_field_error(
    practitioner, practitioner_client: Client, riley
) -> None:
    concern = own_concern(practitioner)

    response = find(practitioner_client, concern, part="")

    assert "Select the child&#x27;s part in what happened" in response.text
    assert 'value="Riley"' in response.text
    assert not concern.involvements.exists()


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (date(2026, 3, 3), "Date of birth must be before the date the behaviour happened"),
        (date(2099, 1, 1), "Date of birth must be today or in the past"),
    ],
)
def test_a_birth_after_the_behaviour_is_a_field_error(
    born, message, practitioner, practitioner_client: Client
) -> None:
    concern = own_concern(practitioner)

    response = find(practitioner_client, concern, **date_input("date_of_birth", born))

    assert message in response.text
    assert not ConcernChild.objects.exists()


@pytest.mark.parametrize(
    ("born", "part", "message"),
    [
        (
            date(2010, 1, 1),
            Part.ADULT_HARMED,
            "The person harmed was 16 on the date of the behaviour: select child harmed",
        ),
        (
            date(2000, 1, 1),
            Part.CHILD_HARMED,
            "The person harmed was 26 on the date of the behaviour: select adult harmed",
        ),
    ],
)
def test_the_part_must_fit_the_age_of_the_person_harmed(
    born, part, message, practitioner, practitioner_client: Client
) -> None:
    concern = own_concern(practitioner)

    response = find(practitioner_client, concern, part=part, **date_input("date_of_birth", born))

    assert message in response.text


def test_an_adult_harmed_can_be_recorded(
    practitioner, practitioner_client: Client, authority
) -> None:
    concern = own_concern(practitioner)
    url = reverse("triage:concern-child-new", args=[concern.public_id])

    response = practitioner_client.post(
        url,
        new_child_form(
            concern,
            authority,
            given_name="Avery",
            family_name="Quillfeather",
            part=Part.ADULT_HARMED,
            matches_checked_for="avery|quillfeather|1990-06-01",
            **date_input("date_of_birth", date(1990, 6, 1)),
        ),
    )

    assert response.status_code == 302
    assert concern.involvements.get().part == Part.ADULT_HARMED


def test_the_same_child_cannot_be_added_twice(
    practitioner, practitioner_client: Client, riley
) -> None:
    concern = own_concern(practitioner)
    ConcernChildFactory(concern=concern, child=riley)

    response = practitioner_client.post(
        reverse("triage:concern-child-choose", args=[concern.public_id]),
        {
            "version": concern.version,
            "given_name": "Riley",
            "family_name": "Ashcombe",
            "date_of_birth": BORN.isoformat(),
            "part": Part.WITNESS,
            "match": str(riley.public_id),
        },
    )

    assert "Riley Ashcombe is already on this concern" in response.text
    assert concern.involvements.count() == 1


def test_a_child_chosen_must_be_one_of_the_matches_found_on_the_server(
    practitioner, practitioner_client: Client, riley, other_authority
) -> None:
    concern = own_concern(practitioner)
    stranger = ChildFactory(date_of_birth=BORN, authority=other_authority)

    response = practitioner_client.post(
        reverse("triage:concern-child-choose", args=[concern.public_id]),
        {
            "version": concern.version,
            "given_name": "Riley",
            "family_name": "Ashcombe",
            "date_of_birth": BORN.isoformat(),
            "part": Part.WITNESS,
            "match": str(stranger.public_id),
        },
    )

    assert response.status_code == 200
    assert not concern.involvements.exists()


def test_a_new_child_can_only_live_in_an_authority_the_agency_serves(
    practitioner, practitioner_client: Client, other_authority
) -> None:
    concern = own_concern(practitioner)

    response = practitioner_client.post(
        reverse("triage:concern-child-new", args=[concern.public_id]),
        new_child_form(concern, other_authority, matches_checked_for="riley|ashcombe|2014-03-14"),
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Child.objects.exists()


def test_children_in_the_same_household_are_linked_both_ways(
    practitioner, practitioner_client: Client, riley, authority
) -> None:
    concern = own_concern(practitioner)
    ConcernChildFactory(concern=concern, child=riley)

    practitioner_client.post(
        reverse("triage:concern-child-new", args=[concern.public_id]),
        new_child_form(
            concern,
            authority,
            given_name="Jordan",
            part=Part.CHILD_HARMED,
            household=[riley.pk],
            matches_checked_for="jordan|ashcombe|2018-09-02",
            **date_input("date_of_birth", date(2018, 9, 2)),
        ),
    )

    jordan = Child.objects.get(given_name="Jordan")
    assert list(riley.household.all()) == [jordan]
    assert list(jordan.household.all()) == [riley]


def test_removing_a_child_from_a_concern_keeps_their_record(
    practitioner, practitioner_client: Client, riley
) -> None:
    concern = own_concern(practitioner)
    involvement = ConcernChildFactory(concern=concern, child=riley)

    response = practitioner_client.post(
        reverse("triage:involvement-remove", args=[concern.public_id, involvement.public_id]),
        {"version": concern.version},
    )

    assert response.status_code == 302
    assert not concern.involvements.exists()
    assert Child.objects.filter(pk=riley.pk).exists()


def test_a_stale_remove_is_refused(practitioner, practitioner_client: Client, riley) -> None:
    concern = own_concern(practitioner)
    involvement = ConcernChildFactory(concern=concern, child=riley)

    response = practitioner_client.post(
        reverse("triage:involvement-remove", args=[concern.public_id, involvement.public_id]),
        {"version": concern.version + 1},
        follow=True,
    )

    assert "Someone else changed this concern" in response.text
    assert concern.involvements.exists()


def test_changing_the_part_away_from_child_who_has_harmed_removes_the_rating(
    brook, practitioner, practitioner_client: Client, riley
) -> None:
    concern = own_concern(practitioner)
    involvement = ConcernChildFactory(concern=concern, child=riley)
    BrookRatingFactory(involvement=involvement)

    response = practitioner_client.post(
        reverse("triage:involvement-edit", args=[concern.public_id, involvement.public_id]),
        {"version": concern.version, "part": Part.WITNESS, "developmental_age": ""},
    )

    assert response.status_code == 302
    involvement.refresh_from_db()
    assert involvement.part == Part.WITNESS
    assert not BrookRating.objects.exists()
