"""Who sees which concern and which child (hsb_portal/access.py), beyond the URL matrix."""

import pytest

from hsb_portal import access
from hsb_portal.accounts.models import AgencyKind, Role
from tests.factories import (
    AgencyFactory,
    ChildFactory,
    ConcernChildFactory,
    ConcernFactory,
    MembershipFactory,
)
from triage.models import Child, Concern

pytestmark = pytest.mark.django_db


def visible_concerns(membership) -> set[Concern]:
    return set(access.visible(membership, Concern.objects.all()))


def visible_children(membership) -> set[Child]:
    return set(access.visible(membership, Child.objects.all()))


def test_a_practitioner_acting_in_another_agency_does_not_see_the_concerns_filed_in_the_first(
    practitioner, authority
) -> None:
    concern = ConcernFactory(reported_by=practitioner.user, reporting_agency=practitioner.agency)
    other_school = AgencyFactory(kind=AgencyKind.SCHOOL, authorities=[authority])
    second_role = MembershipFactory(user=practitioner.user, agency=other_school)

    assert visible_concerns(practitioner) == {concern}
    assert visible_concerns(second_role) == set()


@pytest.mark.parametrize("role", [Role.MASH_SCREENER, Role.SOCIAL_WORKER, Role.SW_MANAGER])
def test_nobody_else_sees_a_concern_before_it_is_referred(role, practitioner, member) -> None:
    ConcernFactory(reported_by=practitioner.user, reporting_agency=practitioner.agency)

    assert visible_concerns(member(role)) == set()


def test_a_practitioner_sees_only_the_children_named_in_their_own_concerns(
    practitioner, member, authority
) -> None:
    named = ConcernChildFactory(
        concern=ConcernFactory(reported_by=practitioner.user, reporting_agency=practitioner.agency)
    ).child
    ChildFactory(authority=authority)  # lives here, named in no concern of theirs
    colleague = member(Role.PRACTITIONER)
    ConcernChildFactory(
        concern=ConcernFactory(reported_by=colleague.user, reporting_agency=colleague.agency)
    )

    assert visible_children(practitioner) == {named}


def test_a_dsl_sees_the_children_named_in_any_concern_of_their_agency(
    practitioner, dsl, authority
) -> None:
    named = ConcernChildFactory(
        concern=ConcernFactory(reported_by=practitioner.user, reporting_agency=practitioner.agency)
    ).child
    other_school = AgencyFactory(kind=AgencyKind.SCHOOL, authorities=[authority])
    ConcernChildFactory(concern=ConcernFactory(reporting_agency=other_school))

    assert visible_children(dsl) == {named}


def test_practitioners_add_children_only_in_the_authorities_their_agency_serves(
    practitioner, authority, member
) -> None:
    assert list(access.child_authorities(practitioner)) == [authority]
    assert list(access.child_authorities(member(Role.AUDITOR))) == []
    assert list(access.child_authorities(member(Role.SOCIAL_WORKER))) == []
