from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from hsb_portal.accounts.models import ClosureDay, Timescale, TimescaleRule, TimescaleUnit
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, DERBY_LIKE, apply_profile
from tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def camden_like():
    authority = LocalAuthorityFactory(name="Camden-like Council", code="camden-like")
    apply_profile(authority, CAMDEN_LIKE)
    return authority


@pytest.fixture
def derby_like():
    authority = LocalAuthorityFactory(name="Derby-like Council", code="derby-like")
    apply_profile(authority, DERBY_LIKE)
    return authority


def test_each_profile_keeps_every_rule_with_its_unit_and_source(camden_like, derby_like) -> None:
    for authority in (camden_like, derby_like):
        rules = set(authority.timescales.values_list("rule", flat=True))
        assert TimescaleRule.SCREENING_DECISION in rules
        assert TimescaleRule.STRATEGY_MEETING in rules
        assert all(t.source_text and t.clock_starts for t in authority.timescales.all())

    camden_meeting = camden_like.timescale(TimescaleRule.STRATEGY_MEETING)
    derby_meeting = derby_like.timescale(TimescaleRule.STRATEGY_MEETING)
    assert (camden_meeting.value, camden_meeting.unit) == (3, TimescaleUnit.CALENDAR_DAYS)
    assert "8.3" in camden_meeting.source_text
    assert (derby_meeting.value, derby_meeting.unit) == (5, TimescaleUnit.CALENDAR_DAYS)
    assert camden_like.timescale(TimescaleRule.CHILD_AND_FAMILY_ASSESSMENT).value == 35


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Thursday afternoon: Friday afternoon.
        (
            datetime(2026, 11, 19, 15, 0, tzinfo=LONDON),
            datetime(2026, 11, 20, 15, 0, tzinfo=LONDON),
        ),
        # Friday afternoon: Monday afternoon, over the weekend.
        (
            datetime(2026, 11, 20, 15, 0, tzinfo=LONDON),
            datetime(2026, 11, 23, 15, 0, tzinfo=LONDON),
        ),
        # Christmas Eve 2026 (Thursday): Christmas Friday and substitute Boxing Day Monday skipped.
        (
            datetime(2026, 12, 24, 10, 0, tzinfo=LONDON),
            datetime(2026, 12, 29, 10, 0, tzinfo=LONDON),
        ),
        # Maundy Thursday 2027: Good Friday and Easter Monday skipped.
        (datetime(2027, 3, 25, 9, 30, tzinfo=LONDON), datetime(2027, 3, 30, 9, 30, tzinfo=LONDON)),
    ],
)
def test_the_screening_decision_is_due_one_working_day_after_receipt(camden_like, received, due):
    assert camden_like.due(TimescaleRule.SCREENING_DECISION, received) == due


def test_a_local_closure_day_moves_the_screening_deadline(camden_like) -> None:
    ClosureDay.objects.create(authority=camden_like, day=date(2026, 11, 23), reason="Office move")
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=LONDON)

    assert camden_like.due(TimescaleRule.SCREENING_DECISION, friday) == datetime(
        2026, 11, 24, 15, 0, tzinfo=LONDON
    )


def test_another_authoritys_closure_day_does_not_move_the_deadline(camden_like, derby_like):
    ClosureDay.objects.create(authority=derby_like, day=date(2026, 11, 23), reason="Office move")
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=LONDON)

    assert camden_like.due(TimescaleRule.SCREENING_DECISION, friday) == datetime(
        2026, 11, 23, 15, 0, tzinfo=LONDON
    )


def test_strategy_meeting_due_dates_follow_each_profile(camden_like, derby_like) -> None:
    received = datetime(2026, 11, 20, 11, 0, tzinfo=LONDON)  # a Friday

    assert camden_like.due(TimescaleRule.STRATEGY_MEETING, received) == datetime(
        2026, 11, 23, 11, 0, tzinfo=LONDON
    )
    assert derby_like.due(TimescaleRule.STRATEGY_MEETING, received) == datetime(
        2026, 11, 25, 11, 0, tzinfo=LONDON
    )


def test_the_written_follow_up_is_due_48_hours_after_the_telephone_referral(camden_like):
    # 48 elapsed hours, weekend or not.
    phoned = datetime(2026, 11, 20, 16, 45, tzinfo=LONDON)

    assert camden_like.due(TimescaleRule.WRITTEN_FOLLOW_UP, phoned) == datetime(
        2026, 11, 22, 16, 45, tzinfo=LONDON
    )


def test_a_rule_that_counts_back_falls_before_the_event(camden_like) -> None:
    release = date(2027, 6, 18)  # a Friday

    assert camden_like.due(TimescaleRule.PRE_RELEASE_MEETING, release) == date(2027, 6, 4)
    assert camden_like.due(TimescaleRule.RESETTLEMENT_PANEL, release) == date(2027, 3, 18)


def test_a_rule_with_no_fixed_time_has_no_due_date(camden_like) -> None:
    assert camden_like.due(TimescaleRule.CIN_PLANNING_MEETING, date(2027, 1, 4)) is None


def test_a_rule_the_authority_does_not_use_has_no_due_date(derby_like) -> None:
    assert derby_like.due(TimescaleRule.AIM_STRATEGY_DISCUSSION, date(2027, 1, 4)) is None


def test_the_database_refuses_a_timescale_in_days_without_a_number(camden_like) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Timescale.objects.create(
            authority=camden_like,
            rule=TimescaleRule.AIM_STRATEGY_DISCUSSION,
            value=None,
            unit=TimescaleUnit.HOURS,
            clock_starts="disclosure",
            source_text="test",
        )
