"""The MASH screens each referral: the queue, taking a referral, the screening record, the
under-13 rule, the lifecycle and the version check (issue 4, items 6, 9 and 10)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hsb_portal import sharing
from hsb_portal.accounts.models import AgencyKind, Role
from hsb_portal.audit.models import Action, AuditEvent
from hsb_portal.conflicts import StaleRecord
from referrals import services
from referrals.models import (
    DECISIONS,
    TRANSITIONS,
    UNDER_13_DECISION_ERROR,
    InvalidTransition,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralStatus,
)
from tests.conftest import signed_in
from tests.factories import AgencyFactory, ChildFactory, MembershipFactory, ReferralFactory
from tests.referrals.conftest import decide, take
from triage.models import Colour, Part

pytestmark = pytest.mark.django_db

S = ReferralStatus


def screen_url(referral: Referral) -> str:
    return reverse("referrals:referral-screen", args=[referral.public_id])


def screening_post(referral: Referral, **fields) -> dict:
    data = {
        "version": referral.version,
        "rag": "red",
        "decision": S.STRATEGY_MEETING,
        "rationale": "Reasonable cause to suspect significant harm.",
        "nfa_reasons": [],
        "support_needed": "",
        "support_details": "",
        "signposted_to": "",
    }
    data.update(fields)
    return data


def rows(client: Client, **filters) -> list[str]:
    response = client.get(reverse("referrals:screening-queue"), filters)
    assert response.status_code == 200
    return [row.reference for row in response.context["page"].object_list]


# The queue


def test_the_queue_lists_the_authoritys_waiting_referrals_soonest_due_first(
    screener_client, authority, other_authority
) -> None:
    now = timezone.now()
    later = ReferralFactory(child__authority=authority, decision_due_at=now + timedelta(hours=5))
    sooner = ReferralFactory(child__authority=authority, decision_due_at=now + timedelta(hours=1))
    ReferralFactory(child__authority=other_authority)  # another authority's
    ReferralFactory(child__authority=authority, status=S.EARLY_HELP, claimed_by=later.recorded_by)

    assert rows(screener_client) == [sooner.reference, later.reference]


def test_the_queue_filters_by_status_colour_age_agency_and_overdue(
    screener_client, authority, agency_for
) -> None:
    now = timezone.now()
    police = agency_for(AgencyKind.POLICE)
    overdue_red = ReferralFactory(
        child__authority=authority,
        child__date_of_birth=date(2017, 1, 20),
        brook_colour=Colour.RED,
        decision_due_at=now - timedelta(hours=2),
    )
    amber_police = ReferralFactory(
        child__authority=authority,
        child__date_of_birth=date(2010, 1, 1),
        brook_colour=Colour.AMBER,
        referring_agency=police,
        decision_due_at=now + timedelta(hours=2),
    )
    decided = ReferralFactory(
        child__authority=authority,
        status=S.NO_FURTHER_ACTION,
        claimed_by=overdue_red.recorded_by,
        decision_due_at=now - timedelta(hours=3),
    )

    assert rows(screener_client, colour="amber") == [amber_police.reference]
    assert rows(screener_client, referring_agency=police.pk) == [amber_police.reference]
    assert rows(screener_client, overdue="on") == [overdue_red.reference]
    assert rows(screener_client, age_band="under-10") == [overdue_red.reference]
    assert rows(screener_client, age_band="16-plus") == [amber_police.reference]
    assert rows(screener_client, status=S.NO_FURTHER_ACTION) == [decided.reference]
    assert rows(screener_client, status="all") == [
        decided.reference,
        overdue_red.reference,
        amber_police.reference,
    ]


def test_a_filter_that_makes_no_sense_shows_the_default_queue(screener_client, referrals) -> None:
    response = screener_client.get(reverse("referrals:screening-queue"), {"status": "lost"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2


def test_the_queue_is_paginated_25_at_a_time(screener_client, authority) -> None:
    for _ in range(27):
        ReferralFactory(child__authority=authority)

    first = screener_client.get(reverse("referrals:screening-queue"))
    second = screener_client.get(reverse("referrals:screening-queue"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2
    assert "Page 1 of 2" in first.text


def test_viewing_the_queue_is_audited_naming_the_children(screener_client, referrals) -> None:
    screener_client.get(reverse("referrals:screening-queue"))

    event = AuditEvent.objects.get(detail="list of referrals in the screening queue")
    assert {str(c) for c in event.children.values_list("child_id", flat=True)} == {
        str(r.child.public_id) for r in referrals
    }


# Taking a referral


def test_a_screener_takes_a_referral_and_it_shows_who_and_when(
    screener, screener_client, referrals
) -> None:
    referral = referrals[0]

    response = screener_client.post(reverse("referrals:referral-take", args=[referral.public_id]))

    assert response["Location"] == screen_url(referral)
    referral.refresh_from_db()
    assert (referral.status, referral.claimed_by) == (S.IN_SCREENING, screener.user)
    event = referral.events.get(kind=ReferralEventKind.TAKEN)
    assert (event.from_status, event.to_status, event.by) == (
        S.RECEIVED,
        S.IN_SCREENING,
        screener.user,
    )


def test_only_one_screener_wins_a_referral(screener, member, referrals) -> None:
    colleague = member(Role.MASH_SCREENER)
    referral = referrals[0]
    stale_copy = Referral.objects.get(pk=referral.pk)

    take(referral, screener)
    with pytest.raises(services.AlreadyTaken) as lost:
        take(stale_copy, colleague)

    assert lost.value.claimant == screener.user
    referral.refresh_from_db()
    assert referral.claimed_by == screener.user
    assert referral.events.filter(kind=ReferralEventKind.TAKEN).count() == 1


def test_the_second_screener_is_told_who_took_it(screener, member, referrals) -> None:
    colleague = signed_in(Client(), member(Role.MASH_SCREENER))
    take(referrals[0], screener)

    response = colleague.post(
        reverse("referrals:referral-take", args=[referrals[0].public_id]), follow=True
    )

    assert f"{screener.user.full_name} has already taken this referral" in response.text


def test_a_screener_hands_a_referral_back_to_the_queue_with_a_reason(
    screener, screener_client, referrals
) -> None:
    referral = take(referrals[0], screener)

    screener_client.post(
        reverse("referrals:referral-hand-back", args=[referral.public_id]),
        {"version": referral.version, "why": "Going on leave"},
    )

    referral.refresh_from_db()
    assert (referral.status, referral.claimed_by) == (S.RECEIVED, None)
    event = referral.events.get(kind=ReferralEventKind.HANDED_BACK)
    assert (event.from_status, event.to_status, event.text) == (
        S.IN_SCREENING,
        S.RECEIVED,
        "Going on leave",
    )


# The screening record


def test_the_screener_records_the_rag_rating_and_a_strategy_meeting(
    screener, screener_client, referrals
) -> None:
    referral = take(referrals[1], screener)

    response = screener_client.post(screen_url(referral), screening_post(referral))

    assert response["Location"] == reverse("referrals:referral-allocate", args=[referral.public_id])
    referral.refresh_from_db()
    assert referral.status == S.STRATEGY_MEETING
    assert (referral.screening.rag, referral.screening.decided_by) == ("red", screener.user)
    event = referral.events.get(kind=ReferralEventKind.DECIDED)
    assert (event.from_status, event.to_status) == (S.IN_SCREENING, S.STRATEGY_MEETING)
    assert event.text == "Reasonable cause to suspect significant harm."
    assert AuditEvent.objects.filter(
        action=Action.CHANGE, detail="screening decision: strategy_meeting"
    ).exists()


@pytest.mark.parametrize(
    "decision",
    [S.ADVICE_SIGNPOSTING, S.CIN_ASSESSMENT, S.STRATEGY_MEETING, S.POLICE, S.SPECIALIST_SERVICE],
)
def test_every_other_decision_is_open_for_a_child_harmed_under_13(
    screener, referrals, decision
) -> None:
    sam = next(r for r in referrals if r.part == Part.CHILD_HARMED)

    decide(sam, screener, decision)

    sam.refresh_from_db()
    assert sam.status == decision


@pytest.mark.parametrize("decision", [S.NO_FURTHER_ACTION, S.EARLY_HELP])
def test_a_child_harmed_under_13_cannot_be_closed_with_nfa_or_early_help_alone(
    screener, screener_client, referrals, decision
) -> None:
    sam = take(next(r for r in referrals if r.part == Part.CHILD_HARMED), screener)
    data = screening_post(
        sam, decision=decision, nfa_reasons=["managed_elsewhere"], support_needed="no"
    )

    response = screener_client.post(screen_url(sam), data)

    assert response.status_code == 200
    assert "The child harmed was under 13 on the date of the behaviour" in response.text
    assert "Reasonable cause to suspect significant harm." in response.text  # input kept
    sam.refresh_from_db()
    assert sam.status == S.IN_SCREENING
    with pytest.raises(ValidationError, match="under 13"):
        services.record_screening_decision(
            referral=sam,
            rag="green",
            decision=decision,
            rationale="Tried through the service",
            nfa_reasons=["managed_elsewhere"],
            support_needed="no",
            version=sam.version,
            by=screener.user,
            membership=screener,
        )
    sam.refresh_from_db()
    assert (sam.status, sam.version) == (S.IN_SCREENING, 2)  # nothing written


def test_the_under_13_rule_is_about_the_child_harmed_not_the_child_who_harmed(
    screener, referrals
) -> None:
    riley = next(r for r in referrals if r.part == Part.CHILD_WHO_HARMED)  # 12, who harmed

    decide(riley, screener, S.EARLY_HELP)

    riley.refresh_from_db()
    assert riley.status == S.EARLY_HELP
    assert UNDER_13_DECISION_ERROR.startswith("The child harmed was under 13")


def test_a_child_harmed_of_13_may_be_closed_with_no_further_action(screener, authority) -> None:
    referral = ReferralFactory(
        child=ChildFactory(authority=authority, date_of_birth=date(2013, 1, 1)),
        part=Part.CHILD_HARMED,
        incident_on=date(2026, 11, 20),
    )

    decide(referral, screener, S.NO_FURTHER_ACTION)

    assert referral.screening.nfa_reasons == ["managed_elsewhere"]


def test_no_further_action_needs_reasons_and_whether_either_child_needs_support(
    screener, screener_client, authority
) -> None:
    referral = take(
        ReferralFactory(child__authority=authority, child__date_of_birth=date(2012, 1, 1)),
        screener,
    )

    response = screener_client.post(
        screen_url(referral), screening_post(referral, decision=S.NO_FURTHER_ACTION)
    )

    assert "Select the reasons for no further action" in response.text
    assert "Select whether either child needs further assessment or support" in response.text
    response = screener_client.post(
        screen_url(referral),
        screening_post(
            referral,
            decision=S.NO_FURTHER_ACTION,
            nfa_reasons=["age_appropriate", "managed_elsewhere"],
            support_needed="yes",
        ),
    )
    assert "Say what support or assessment either child needs" in response.text
    screener_client.post(
        screen_url(referral),
        screening_post(
            referral,
            decision=S.NO_FURTHER_ACTION,
            nfa_reasons=["age_appropriate"],
            support_needed="yes",
            support_details="School counsellor for both children.",
        ),
    )
    referral.refresh_from_db()
    assert referral.status == S.NO_FURTHER_ACTION
    assert referral.screening.support_details == "School counsellor for both children."


def test_an_empty_screening_form_says_what_to_do(screener, screener_client, referrals) -> None:
    referral = take(referrals[0], screener)

    response = screener_client.post(screen_url(referral), {})

    assert response.status_code == 200
    for message in ("Select the RAG rating", "Select your decision", "Enter the reasons"):
        assert message in response.text
    assert "This page is out of date" in response.text


def test_a_referral_must_be_taken_before_it_is_screened(screener_client, referrals) -> None:
    response = screener_client.get(screen_url(referrals[0]))

    assert response["Location"] == reverse(
        "referrals:referral-detail", args=[referrals[0].public_id]
    )


# No lost update (security.md §5)


def test_the_second_of_two_screeners_saving_is_refused_and_keeps_their_input(
    screener, member, referrals
) -> None:
    referral = take(referrals[1], screener)
    first = signed_in(Client(), screener)
    second = signed_in(Client(), member(Role.MASH_SCREENER))
    both_opened_at = referral.version

    first.post(screen_url(referral), screening_post(referral, version=both_opened_at))
    response = second.post(
        screen_url(referral),
        screening_post(
            referral, version=both_opened_at, rag="amber", rationale="Second screener's reasons"
        ),
    )

    assert response.status_code == 200
    assert "Someone else changed this referral after you opened this page" in response.text
    assert "Second screener&#x27;s reasons" in response.text
    referral.refresh_from_db()
    assert referral.status == S.STRATEGY_MEETING
    assert referral.screening.rag == "red"
    assert referral.screening.decided_by == screener.user


def test_a_stale_service_call_writes_nothing(screener, referrals) -> None:
    referral = take(referrals[0], screener)

    with pytest.raises(StaleRecord):
        services.record_screening_decision(
            referral=referral,
            rag="red",
            decision=S.POLICE,
            rationale="From an old page",
            version=referral.version - 1,
            by=screener.user,
            membership=screener,
        )

    referral.refresh_from_db()
    assert referral.status == S.IN_SCREENING
    assert not ReferralEvent.objects.filter(kind=ReferralEventKind.DECIDED).exists()


# The lifecycle


def test_the_transition_table_allows_only_the_procedures_moves() -> None:
    assert TRANSITIONS[S.RECEIVED] == {S.IN_SCREENING}
    assert TRANSITIONS[S.IN_SCREENING] == {
        S.RECEIVED,
        S.NO_FURTHER_ACTION,
        S.ADVICE_SIGNPOSTING,
        S.EARLY_HELP,
        S.CIN_ASSESSMENT,
        S.STRATEGY_MEETING,
        S.POLICE,
        S.SPECIALIST_SERVICE,
    }
    assert all(not TRANSITIONS[decided] for decided in DECISIONS)


def test_a_decision_cannot_be_recorded_on_a_referral_not_taken(screener, referrals) -> None:
    referral = referrals[0]

    with pytest.raises(InvalidTransition):
        referral.move_to(
            S.STRATEGY_MEETING,
            kind=ReferralEventKind.DECIDED,
            by=screener.user,
            membership=screener,
            why="",
        )


def test_a_decided_referral_cannot_be_decided_again(screener, referrals) -> None:
    referral = decide(referrals[0], screener)

    with pytest.raises(InvalidTransition):
        services.record_screening_decision(
            referral=referral,
            rag="red",
            decision=S.POLICE,
            rationale="Again",
            version=referral.version,
            by=screener.user,
            membership=screener,
        )


def test_the_database_refuses_a_history_row_for_an_illegal_move(screener, referrals) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralEvent.objects.create(
            referral=referrals[0],
            kind=ReferralEventKind.DECIDED,
            from_status=S.RECEIVED,
            to_status=S.STRATEGY_MEETING,
            by=screener.user,
        )


def test_a_notified_authoritys_mash_cannot_take_its_copy(authority, other_authority) -> None:
    mash_elsewhere = AgencyFactory(kind=AgencyKind.MASH, authorities=[other_authority])
    referral = ReferralFactory(
        child__authority=authority,
        concern__reporting_agency=AgencyFactory(authorities=[other_authority]),
    )
    assert referral.happened_in == other_authority
    sharing.share_with_agency(
        obj=referral,
        agency=mash_elsewhere,
        by=referral.recorded_by,
        membership=None,
        children=[referral.child.public_id],
    )
    copy = signed_in(Client(), MembershipFactory(role=Role.MASH_SCREENER, agency=mash_elsewhere))

    response = copy.post(reverse("referrals:referral-take", args=[referral.public_id]))

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED
