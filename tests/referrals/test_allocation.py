"""A social worker for each child; the child harmed and the child who has harmed get different
ones unless the authority's profile allows an override with a recorded reason (ST, CA 8.3,
DD 4; issue 4, item 7)."""

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import AgencyKind, Role, SeparateSocialWorkers
from referrals import services
from referrals.models import Allocation, ReferralEventKind, ReferralStatus
from tests.conftest import signed_in
from tests.factories import AgencyFactory, MembershipFactory
from tests.referrals.conftest import decide
from triage.models import Part

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(referrals, screener):
    """Both referrals decided for a strategy meeting: (Riley's, Sam's)."""
    riley = next(r for r in referrals if r.part == Part.CHILD_WHO_HARMED)
    sam = next(r for r in referrals if r.part == Part.CHILD_HARMED)
    return decide(riley, screener), decide(sam, screener)


def allocate_url(referral) -> str:
    return reverse("referrals:referral-allocate", args=[referral.public_id])


def allocate(client: Client, referral, worker, **fields):
    referral.refresh_from_db()
    data = {"version": referral.version, "social_worker": worker.pk, "same_worker_reason": ""}
    data.update(fields)
    return client.post(allocate_url(referral), data)


def test_the_screener_allocates_a_different_social_worker_to_each_child(
    decided, social_workers, screener, screener_client
) -> None:
    riley, sam = decided
    sol, jo = social_workers

    allocate(screener_client, riley, sol)
    allocate(screener_client, sam, jo)

    assert riley.current_allocation().social_worker == sol
    assert sam.current_allocation().social_worker == jo
    event = riley.events.get(kind=ReferralEventKind.ALLOCATED)
    assert (event.by, event.text) == (screener.user, "Allocated to Sol Worker")
    assert (event.from_status, event.to_status) == ("", "")


def test_the_same_social_worker_needs_a_reason_where_the_profile_allows_it(
    decided, social_workers, screener_client, profiled
) -> None:
    assert profiled.separate_social_workers == SeparateSocialWorkers.OVERRIDE_WITH_REASON
    riley, sam = decided
    sol, _ = social_workers
    allocate(screener_client, riley, sol)

    refused = allocate(screener_client, sam, sol)

    assert refused.status_code == 200
    assert (
        "Sol Worker is already allocated to Riley Ashcombe (child who has harmed)" in refused.text
    )
    assert "say why the same social worker should have both children" in refused.text
    assert sam.current_allocation() is None
    allocate(
        screener_client,
        sam,
        sol,
        same_worker_reason="Siblings placed together; one worker keeps the plan joined up.",
    )
    allocation = Allocation.objects.get(referral=sam)
    assert allocation.social_worker == sol
    assert allocation.same_worker_reason.startswith("Siblings placed together")


def test_the_same_social_worker_is_refused_where_the_profile_enforces_it(
    decided, social_workers, screener, profiled
) -> None:
    profiled.separate_social_workers = SeparateSocialWorkers.ENFORCED
    profiled.save(update_fields=["separate_social_workers"])
    riley, sam = decided
    sol, _ = social_workers
    screener_client = signed_in(Client(), screener)
    allocate(screener_client, riley, sol)

    refused = allocate(screener_client, sam, sol, same_worker_reason="We would like to")

    assert "always allocates a different social worker" in refused.text
    assert "say why" not in refused.text  # no override to offer
    assert sam.current_allocation() is None
    with pytest.raises(services.SameSocialWorker):
        services.allocate_social_worker(
            referral=sam,
            social_worker=sol,
            same_worker_reason="Through the service",
            version=sam.version,
            by=screener.user,
            membership=screener,
        )


def test_two_children_harmed_may_share_a_social_worker(decided, social_workers, screener) -> None:
    riley, sam = decided
    sol, jo = social_workers
    services.allocate_social_worker(
        referral=riley,
        social_worker=jo,
        same_worker_reason="",
        version=riley.version,
        by=screener.user,
        membership=screener,
    )

    problem = services.same_worker_problem(sam, sol, "")

    assert problem == ""


def test_only_a_social_worker_of_the_authority_can_be_allocated(
    decided, screener, other_authority
) -> None:
    riley, _ = decided
    elsewhere = MembershipFactory(
        role=Role.SOCIAL_WORKER,
        agency=AgencyFactory(kind=AgencyKind.CHILDRENS_SOCIAL_CARE, authorities=[other_authority]),
    )

    with pytest.raises(services.NotASocialWorker):
        services.allocate_social_worker(
            referral=riley,
            social_worker=elsewhere,
            same_worker_reason="",
            version=riley.version,
            by=screener.user,
            membership=screener,
        )


def test_a_social_worker_is_allocated_only_after_a_decision_that_needs_one(
    referrals, screener, screener_client, social_workers
) -> None:
    referral = decide(referrals[0], screener, ReferralStatus.POLICE)

    response = allocate(screener_client, referral, social_workers[0])

    assert response.status_code == 302
    assert not Allocation.objects.exists()


def test_changing_the_social_worker_ends_the_earlier_allocation(
    decided, social_workers, screener, manager
) -> None:
    riley, _ = decided
    sol, jo = social_workers
    manager_client = signed_in(Client(), manager)  # social work managers allocate too
    allocate(manager_client, riley, sol)

    allocate(manager_client, riley, jo)

    assert riley.current_allocation().social_worker == jo
    assert (
        Allocation.objects.filter(referral=riley, ended_at__isnull=False).get().social_worker == sol
    )


def test_the_allocated_social_worker_sees_their_child_and_not_the_other(
    decided, social_workers, screener
) -> None:
    riley, sam = decided
    sol, jo = social_workers
    for referral, worker in ((riley, sol), (sam, jo)):
        referral.refresh_from_db()
        services.allocate_social_worker(
            referral=referral,
            social_worker=worker,
            same_worker_reason="",
            version=referral.version,
            by=screener.user,
            membership=screener,
        )
    sols = signed_in(Client(), sol)

    own_child = sols.get(reverse("triage:child-detail", args=[riley.child.public_id]))
    own_referral = sols.get(reverse("referrals:referral-detail", args=[riley.public_id]))
    other_child = sols.get(reverse("triage:child-detail", args=[sam.child.public_id]))
    other_referral = sols.get(reverse("referrals:referral-detail", args=[sam.public_id]))
    my_work = sols.get(reverse("home"))

    assert (own_child.status_code, own_referral.status_code) == (200, 200)
    assert (other_child.status_code, other_referral.status_code) == (404, 404)
    assert riley.reference in my_work.text
    assert sam.reference not in my_work.text
    assert "Riley" not in my_work.text  # My work names no child


def test_with_no_social_workers_in_the_portal_the_page_says_so_instead_of_an_empty_choice(
    decided, screener_client
) -> None:
    page = screener_client.get(allocate_url(decided[0]))

    assert "has no social workers in the portal yet" in page.text
    assert 'name="social_worker"' not in page.text
