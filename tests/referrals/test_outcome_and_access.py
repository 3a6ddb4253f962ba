"""The referrer sees the outcome (ST; issue 4, item 8), and who sees which referral (item 11),
beyond the URL matrix: lists, the concern once referred, the child's history."""

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal import access
from hsb_portal.accounts.models import AgencyKind, Role
from referrals import services
from referrals.models import Referral, ReferralStatus
from tests.conftest import signed_in
from tests.factories import AgencyFactory, MembershipFactory
from tests.referrals.conftest import decide, make_referrals
from triage.models import Concern, Part

pytestmark = pytest.mark.django_db


def detail(client: Client, referral: Referral):
    return client.get(reverse("referrals:referral-detail", args=[referral.public_id]))


@pytest.fixture
def screened(referrals, screener, social_workers):
    """Both referrals decided for a strategy meeting, each child with their social worker."""
    for referral, worker in zip(referrals, social_workers, strict=True):
        decide(referral, screener)
        referral.refresh_from_db()
        services.allocate_social_worker(
            referral=referral,
            social_worker=worker,
            same_worker_reason="",
            version=referral.version,
            by=screener.user,
            membership=screener,
        )
    return referrals


def test_the_referring_dsl_sees_the_outcome_but_not_the_screening_record(
    screened, dsl_client
) -> None:
    page = detail(dsl_client, screened[0])

    assert "Strategy meeting (section 47), decided on" in page.text
    assert "Sol Worker" in page.text or "Jo Fieldworker" in page.text
    assert "RAG rating" not in page.text
    assert "Reasonable cause to suspect significant harm." not in page.text


def test_the_practitioner_who_raised_the_concern_sees_the_outcome(screened, practitioner) -> None:
    client = signed_in(Client(), practitioner)

    page = detail(client, screened[1])
    my_work = client.get(reverse("home"))

    assert page.status_code == 200
    assert "Strategy meeting (section 47)" in page.text
    assert "Your referrals and their outcomes" in my_work.text
    assert screened[1].reference in my_work.text


def test_before_the_decision_the_referrer_is_told_it_is_waiting(referrals, dsl_client) -> None:
    page = detail(dsl_client, referrals[0])

    assert "The MASH has not decided yet." in page.text


def test_another_agencys_dsl_sees_nothing(referrals, authority) -> None:
    other_school = AgencyFactory(kind=AgencyKind.SCHOOL, authorities=[authority])
    other_dsl = MembershipFactory(role=Role.DSL, agency=other_school)

    assert not access.visible(other_dsl, Referral.objects.all()).exists()
    assert detail(signed_in(Client(), other_dsl), referrals[0]).status_code == 404


def test_the_mash_and_managers_of_the_authority_see_all_its_referrals(
    referrals, screener, manager, member
) -> None:
    auditor = member(Role.AUDITOR)

    for membership in (screener, manager, auditor):
        assert set(access.visible(membership, Referral.objects.all())) == set(referrals)


def test_an_auditor_reads_but_never_changes(referrals, member) -> None:
    auditor = signed_in(Client(), member(Role.AUDITOR))

    read = detail(auditor, referrals[0])
    take = auditor.post(reverse("referrals:referral-take", args=[referrals[0].public_id]))

    assert read.status_code == 200
    assert take.status_code == 403


def test_the_mash_sees_the_concern_once_it_is_referred(
    concern_to_refer, dsl, screener, screener_client
) -> None:
    url = reverse("triage:concern-detail", args=[concern_to_refer.public_id])
    before = screener_client.get(url)

    make_referrals(concern_to_refer, dsl)
    after = screener_client.get(url)

    assert before.status_code == 404
    assert after.status_code == 200
    assert set(access.visible(screener, Concern.objects.all())) == {concern_to_refer}


def test_the_concern_page_offers_the_dsl_the_referrals_then_lists_them(
    concern_to_refer, dsl, dsl_client
) -> None:
    url = reverse("triage:concern-detail", args=[concern_to_refer.public_id])
    before = dsl_client.get(url)

    made = make_referrals(concern_to_refer, dsl)
    after = dsl_client.get(url)

    assert "Make the referrals" in before.text
    assert "Make the referrals" not in after.text
    assert all(r.reference in after.text for r in made)
    assert "Referrals made to the MASH" in after.text  # the concern's history


def test_the_childs_history_shows_every_referral_step(screened, screener_client) -> None:
    sam = next(r for r in screened if r.part == Part.CHILD_HARMED)

    page = screener_client.get(reverse("triage:child-detail", args=[sam.child.public_id]))

    assert f"Referral {sam.reference}" in page.text
    for step in (
        "Referral received",
        "Taken for screening</strong> (waiting to be screened to being screened)",
        "Screening decision recorded</strong> (being screened to strategy meeting (section 47))",
        "Social worker allocated",
    ):
        assert step in page.text
    assert "Why: Reasonable cause to suspect significant harm." in page.text


def test_the_referral_list_shows_each_role_only_what_it_may_see(
    screened, client_as, social_workers
) -> None:
    sol = signed_in(Client(), social_workers[0])

    for_sol = sol.get(reverse("referrals:referral-list"))
    for_manager = client_as(Role.SW_MANAGER).get(reverse("referrals:referral-list"))

    assert for_sol.context["page"].paginator.count == 1
    assert for_manager.context["page"].paginator.count == 2


def test_a_manager_sees_referrals_waiting_for_a_social_worker(referrals, screener, manager) -> None:
    decide(referrals[0], screener, ReferralStatus.CIN_ASSESSMENT)
    client = signed_in(Client(), manager)

    my_work = client.get(reverse("home"))

    assert "Referrals waiting for a social worker" in my_work.text
    assert referrals[0].reference in my_work.text
    assert referrals[1].reference not in my_work.text
