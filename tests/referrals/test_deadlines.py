"""The screening decision is due 1 working day from receipt, and the written follow-up of an
urgent telephone referral 48 hours from the call, from the authority's profile and the
working-day calendar (WT2023; CA 6.1; domain.md §2)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from hsb_portal.accounts.models import ClosureDay, TimescaleRule
from referrals import services
from referrals.models import Referral
from tests.referrals.conftest import london

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Friday afternoon: the weekend does not count.
        (london(2026, 11, 20, 15, 0), london(2026, 11, 23, 15, 0)),
        # Christmas Eve: Christmas Day (Friday) and the Boxing Day substitute (Monday 28th).
        (london(2026, 12, 24, 10, 0), london(2026, 12, 29, 10, 0)),
        # Saturday: the clock starts on Monday.
        (london(2026, 11, 21, 11, 0), london(2026, 11, 24, 0, 0)),
        # An ordinary Tuesday.
        (london(2026, 11, 24, 9, 30), london(2026, 11, 25, 9, 30)),
    ],
)
def test_the_screening_decision_is_due_one_working_day_after_receipt(
    profiled, received, due
) -> None:
    assert services.screening_due(profiled, received) == due


def test_a_closure_day_of_the_authority_moves_the_screening_decision(profiled) -> None:
    ClosureDay.objects.create(
        authority=profiled, day=london(2026, 11, 23).date(), reason="Staff training"
    )

    due = services.screening_due(profiled, london(2026, 11, 20, 15, 0))

    assert due == london(2026, 11, 24, 15, 0)


@pytest.mark.parametrize(
    ("phoned", "due"),
    [
        # 48 hours are calendar hours: over a weekend they run on.
        (london(2026, 11, 20, 15, 0), london(2026, 11, 22, 15, 0)),
        # And over Christmas.
        (london(2026, 12, 24, 10, 0), london(2026, 12, 26, 10, 0)),
        # 48 real hours across the end of British Summer Time (25 October 2026).
        (london(2026, 10, 24, 12, 0), london(2026, 10, 26, 11, 0)),
    ],
)
def test_the_written_follow_up_is_due_48_hours_after_the_call(profiled, phoned, due) -> None:
    assert services.written_follow_up_due(profiled, phoned) == due


def test_an_authority_without_the_rules_gets_the_national_defaults(authority) -> None:
    assert not authority.timescales.exists()

    assert services.screening_due(authority, london(2026, 11, 20, 15, 0)) == london(
        2026, 11, 23, 15, 0
    )
    assert services.written_follow_up_due(authority, london(2026, 11, 20, 15, 0)) == london(
        2026, 11, 22, 15, 0
    )


def test_an_authority_with_a_stricter_rule_uses_its_own(profiled) -> None:
    profiled.timescales.filter(rule=TimescaleRule.WRITTEN_FOLLOW_UP).update(value=24)

    due = services.written_follow_up_due(profiled, london(2026, 11, 20, 15, 0))

    assert due == london(2026, 11, 21, 15, 0)


def test_a_referral_stores_its_due_time_once_computed(referrals, profiled) -> None:
    for referral in referrals:
        assert referral.decision_due_at == services.screening_due(profiled, referral.received_at)


def test_an_overdue_decision_stands_out_in_the_queue_and_on_the_referral(
    referrals, screener_client
) -> None:
    late, on_time = referrals
    Referral.objects.filter(pk=late.pk).update(
        decision_due_at=late.received_at - timedelta(hours=1)
    )

    queue = screener_client.get(reverse("referrals:screening-queue"))
    page = screener_client.get(reverse("referrals:referral-detail", args=[late.public_id]))
    in_time = screener_client.get(reverse("referrals:referral-detail", args=[on_time.public_id]))

    assert queue.text.count('govuk-tag--red">Overdue</strong>') == 1
    assert "Decision overdue" in page.text
    assert "Decision overdue" not in in_time.text
