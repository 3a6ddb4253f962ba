"""A record shared with an agency (a django-guardian object grant) opens for that agency only,
and stops opening on the very next request once the share ends."""

import pytest
from django.urls import reverse

from hsb_portal import sharing
from hsb_portal.accounts.models import Role
from hsb_portal.audit.models import Action, AuditEvent
from tests.conftest import signed_in
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_a_child_shared_with_an_agency_opens_for_it_until_the_share_ends(
    member, other_authority, client
) -> None:
    screener = member(Role.MASH_SCREENER)
    child = ChildFactory(authority=other_authority)
    url = reverse("triage:child-detail", args=[child.public_id])
    client = signed_in(client, screener)
    assert client.get(url).status_code == 404

    sharing.share_with_agency(
        obj=child,
        agency=screener.agency,
        by=screener.user,
        membership=screener,
        children=[child.public_id],
    )
    shared = client.get(url)
    sharing.stop_sharing_with_agency(
        obj=child,
        agency=screener.agency,
        by=screener.user,
        membership=screener,
        children=[child.public_id],
    )
    unshared = client.get(url)

    assert shared.status_code == 200
    assert child.full_name in shared.text
    assert unshared.status_code == 404
    assert list(
        AuditEvent.objects.filter(action=Action.CHANGE).values_list("detail", flat=True)
    ) == [
        f"shared with {screener.agency.name}",
        f"no longer shared with {screener.agency.name}",
    ]


def test_a_share_with_one_agency_does_not_open_the_record_to_another(
    member, other_authority, agency_for, client
) -> None:
    screener = member(Role.MASH_SCREENER)
    manager = member(Role.SW_MANAGER)
    child = ChildFactory(authority=other_authority)

    sharing.share_with_agency(
        obj=child,
        agency=screener.agency,
        by=screener.user,
        membership=screener,
        children=[child.public_id],
    )

    response = signed_in(client, manager).get(
        reverse("triage:child-detail", args=[child.public_id])
    )
    assert response.status_code == 404
