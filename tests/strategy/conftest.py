from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from hsb_portal import sharing
from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role
from tests.conftest import signed_in
from tests.factories import ChildFactory, ConcernChildFactory, ConcernFactory
from triage.models import Child, ConcernStatus, Part

CERTIFIED_ON = date(2024, 9, 12)


def share_child(child: Child, membership: Membership) -> None:
    """Let ``membership``'s agency see the child, as a MASH would share it."""
    sharing.share_with_agency(
        obj=child,
        agency=membership.agency,
        by=membership.user,
        membership=membership,
        children=[child.public_id],
    )


@pytest.fixture
def child_who_harmed(authority: LocalAuthority, agency_for: Callable[..., Agency]) -> Child:
    """Robin, 13, named as the child who has harmed in a concern sent to the school's DSL."""
    concern = ConcernFactory(
        reporting_agency=agency_for(AgencyKind.SCHOOL), status=ConcernStatus.AWAITING_REVIEW
    )
    child = ChildFactory(
        given_name="Robin",
        family_name="Testcase",
        date_of_birth=date(2012, 4, 3),
        authority=authority,
    )
    ConcernChildFactory(concern=concern, child=child, part=Part.CHILD_WHO_HARMED)
    return child


@pytest.fixture
def lead(member: Callable[..., Membership], child_who_harmed: Child) -> Membership:
    """A social worker certified by the AIM Project, to whom the child has been shared."""
    membership = member(Role.SOCIAL_WORKER)
    membership.user.full_name = "Lee Leadassessor"
    membership.user.aim_certified_on = CERTIFIED_ON
    membership.user.save(update_fields=["full_name", "aim_certified_on"])
    share_child(child_who_harmed, membership)
    return membership


@pytest.fixture
def lead_client(lead: Membership) -> Client:
    return signed_in(Client(), lead)


@pytest.fixture
def co_worker(member: Callable[..., Membership], agency_for: Callable[..., Agency]) -> Membership:
    """A youth justice practitioner, not certified by the AIM Project."""
    membership = member(Role.PRACTITIONER, agency=agency_for(AgencyKind.YOUTH_JUSTICE))
    membership.user.full_name = "Cory Coworker"
    membership.user.save(update_fields=["full_name"])
    return membership


@pytest.fixture
def co_worker_client(co_worker: Membership) -> Client:
    return signed_in(Client(), co_worker)
