"""Deadline arithmetic against dates checked by hand on a printed calendar.

Every expected value is a literal. Datetime results are compared by their ISO form, which pins
the London wall-clock time and UTC offset as well as the instant (aware datetimes compare
equal across offsets, which would hide a wall-clock error).
"""

import calendar as stdlib_calendar
from datetime import UTC, date, datetime

import pytest

from hsb_portal import calendar as deadlines
from hsb_portal.calendar import (
    LONDON,
    add_calendar_days,
    add_hours,
    add_months,
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)

# Monday 9 March 2026, recorded by an administrator as a staff training day.
TRAINING_DAY = frozenset({date(2026, 3, 9)})


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_monthrange_is_the_standard_library_one():
    # The module shares its name with the standard library's calendar; the import must not
    # resolve to itself.
    assert deadlines.monthrange is stdlib_calendar.monthrange


# --- bank holidays -------------------------------------------------------------------------


def test_bank_holidays_2026_match_the_published_list():
    # Boxing Day 2026 is a Saturday, so the substitute is Monday 28 December and the Saturday
    # itself is not listed.
    assert bank_holidays(2026) == frozenset(
        {
            date(2026, 1, 1),
            date(2026, 4, 3),
            date(2026, 4, 6),
            date(2026, 5, 4),
            date(2026, 5, 25),
            date(2026, 8, 31),
            date(2026, 12, 25),
            date(2026, 12, 28),
        }
    )


def test_bank_holidays_2027_have_two_christmas_substitutes():
    # Christmas 2027 is a Saturday and Boxing Day a Sunday: Monday 27 and Tuesday 28 are off.
    assert bank_holidays(2027) == frozenset(
        {
            date(2027, 1, 1),
            date(2027, 3, 26),
            date(2027, 3, 29),
            date(2027, 5, 3),
            date(2027, 5, 31),
            date(2027, 8, 30),
            date(2027, 12, 27),
            date(2027, 12, 28),
        }
    )


def test_bank_holidays_are_cached_per_year():
    assert bank_holidays(2026) is bank_holidays(2026)
    assert isinstance(bank_holidays(2026), frozenset)


# --- is_working_day ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 6), True),  # Friday
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 3, 8), False),  # Sunday
        (date(2026, 3, 9), True),  # Monday
        (date(2026, 4, 2), True),  # Thursday before Easter
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2026, 5, 4), False),  # early May bank holiday
        (date(2026, 5, 25), False),  # spring bank holiday
        (date(2026, 8, 31), False),  # summer bank holiday
        (date(2026, 12, 24), True),  # Christmas Eve is a working day
        (date(2026, 12, 25), False),  # Christmas Day, Friday
        (date(2026, 12, 28), False),  # Boxing Day substitute, Monday
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2027, 12, 27), False),  # Christmas Day substitute
        (date(2027, 12, 28), False),  # Boxing Day substitute
        (date(2022, 9, 19), False),  # state funeral of Elizabeth II
        (date(2023, 5, 8), False),  # coronation of Charles III
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected


def test_local_closure_day_is_not_a_working_day():
    assert is_working_day(date(2026, 3, 9)) is True
    assert is_working_day(date(2026, 3, 9), closures=TRAINING_DAY) is False
    assert is_working_day(date(2026, 3, 9), closures=[date(2026, 3, 9)]) is False


def test_is_working_day_judges_a_datetime_by_its_london_date():
    # 23:30 UTC on Friday 5 June 2026 is 00:30 BST on Saturday.
    assert is_working_day(utc(2026, 6, 5, 22, 30)) is True
    assert is_working_day(utc(2026, 6, 5, 23, 30)) is False


# --- add_working_days with dates -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Weekends
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Fri -> Mon
        (date(2026, 3, 9), 1, date(2026, 3, 10)),  # Mon -> Tue
        (date(2026, 3, 6), 5, date(2026, 3, 13)),  # Fri -> Fri
        (date(2026, 3, 2), 15, date(2026, 3, 23)),  # initial child protection conference
        # Received at a weekend: the clock starts on Monday, so 1 working day ends Tuesday.
        (date(2026, 3, 7), 1, date(2026, 3, 10)),  # Saturday
        (date(2026, 3, 8), 1, date(2026, 3, 10)),  # Sunday
        (date(2026, 3, 7), 5, date(2026, 3, 16)),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        (date(2026, 3, 30), 15, date(2026, 4, 22)),
        (date(2026, 4, 3), 1, date(2026, 4, 8)),  # received on Good Friday
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
        # Early May and spring bank holidays 2026
        (date(2026, 5, 1), 1, date(2026, 5, 5)),
        (date(2026, 5, 22), 1, date(2026, 5, 26)),
        # Christmas 2026: Fri 25 Dec, Boxing Day substitute Mon 28 Dec; New Year Fri 1 Jan
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 23), 2, date(2026, 12, 29)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
        (date(2026, 12, 24), 4, date(2027, 1, 4)),
        # Christmas 2027: both substitutes, Mon 27 and Tue 28 Dec
        (date(2027, 12, 24), 1, date(2027, 12, 29)),
        # Negative: "n working days before" a date
        (date(2026, 3, 23), -10, date(2026, 3, 9)),
        (date(2026, 3, 9), -1, date(2026, 3, 6)),  # Mon -> Fri
        (date(2026, 4, 7), -1, date(2026, 4, 2)),  # over Easter
        (date(2026, 12, 29), -1, date(2026, 12, 24)),  # over Christmas
        (date(2026, 3, 7), -1, date(2026, 3, 6)),  # Saturday -> Friday
        (date(2026, 3, 8), -1, date(2026, 3, 6)),  # Sunday -> Friday
        (date(2026, 3, 8), -5, date(2026, 3, 2)),
        # Zero leaves the start alone, even on a weekend
        (date(2026, 3, 7), 0, date(2026, 3, 7)),
        (date(2026, 3, 9), 0, date(2026, 3, 9)),
    ],
)
def test_add_working_days_dates(start, days, expected):
    result = add_working_days(start, days)
    assert result == expected
    assert type(result) is date


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 3, 6), 1, date(2026, 3, 10)),  # Fri -> Tue over Monday's training day
        (date(2026, 3, 9), 1, date(2026, 3, 11)),  # received on the closure day
        (date(2026, 3, 2), 15, date(2026, 3, 24)),
        (date(2026, 3, 10), -1, date(2026, 3, 6)),
    ],
)
def test_add_working_days_skips_local_closures(start, days, expected):
    assert add_working_days(start, days, closures=TRAINING_DAY) == expected


def test_add_working_days_accepts_any_collection_of_closures():
    assert add_working_days(date(2026, 3, 6), 1, closures=[date(2026, 3, 9)]) == date(2026, 3, 10)
    assert add_working_days(date(2026, 3, 6), 1, closures={date(2026, 3, 9)}) == date(2026, 3, 10)


# --- add_working_days with datetimes -------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Received Friday 15:00, due Monday 15:00 (GMT in early March)
        (london(2026, 3, 6, 15), 1, "2026-03-09T15:00:00+00:00"),
        # Received Saturday 10:00: the clock starts Monday 00:00, due Tuesday 00:00
        (london(2026, 3, 7, 10), 1, "2026-03-10T00:00:00+00:00"),
        (london(2026, 3, 8, 23, 59), 1, "2026-03-10T00:00:00+00:00"),  # Sunday night
        # Received Thursday 24 Dec 2026 at 16:30, due Tuesday 29 Dec 16:30
        (london(2026, 12, 24, 16, 30), 1, "2026-12-29T16:30:00+00:00"),
        # Received on Good Friday 2026 (BST): clock starts Tue 7 Apr, due Wed 8 Apr 00:00
        (london(2026, 4, 3, 11), 1, "2026-04-08T00:00:00+01:00"),
        # Clocks go forward on Sunday 29 March 2026: 15:00 GMT Fri -> 15:00 BST Mon
        (london(2026, 3, 27, 15), 1, "2026-03-30T15:00:00+01:00"),
        # Clocks go back on Sunday 25 October 2026: 15:00 BST Fri -> 15:00 GMT Mon
        (london(2026, 10, 23, 15), 1, "2026-10-26T15:00:00+00:00"),
        # Negative keeps the time on a working day...
        (london(2026, 3, 11, 9, 30), -2, "2026-03-09T09:30:00+00:00"),
        # ...and from a weekend counts from the end of Friday: 1 day back is Friday 00:00
        (london(2026, 3, 7, 10), -1, "2026-03-06T00:00:00+00:00"),
    ],
)
def test_add_working_days_datetimes_in_london(start, days, expected):
    result = add_working_days(start, days)
    assert result.isoformat() == expected
    assert result.tzinfo is LONDON


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # 14:00 UTC on Friday 5 June 2026 is 15:00 BST; due 15:00 BST Monday = 14:00 UTC.
        (utc(2026, 6, 5, 14), 1, "2026-06-08T14:00:00+00:00"),
        # 23:30 UTC on Friday is 00:30 BST on Saturday, a weekend receipt:
        # due Tuesday 00:00 BST = Monday 23:00 UTC.
        (utc(2026, 6, 5, 23, 30), 1, "2026-06-08T23:00:00+00:00"),
        # 15:00 UTC Friday 27 March 2026 is 15:00 GMT; Monday 15:00 BST is 14:00 UTC.
        (utc(2026, 3, 27, 15), 1, "2026-03-30T14:00:00+00:00"),
    ],
)
def test_add_working_days_keeps_the_callers_timezone(start, days, expected):
    result = add_working_days(start, days)
    assert result.isoformat() == expected
    assert result.tzinfo is UTC


def test_add_working_days_datetime_with_closure():
    result = add_working_days(london(2026, 3, 6, 15), 1, closures=TRAINING_DAY)
    assert result.isoformat() == "2026-03-10T15:00:00+00:00"


def test_add_working_days_zero_returns_the_start_unchanged():
    start = london(2026, 3, 7, 10)
    assert add_working_days(start, 0) is start


# --- add_calendar_days ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 12, 30), 3, date(2027, 1, 2)),
        (date(2026, 3, 1), -1, date(2026, 2, 28)),
        (date(2026, 3, 7), 0, date(2026, 3, 7)),
    ],
)
def test_add_calendar_days_dates(start, days, expected):
    assert add_calendar_days(start, days) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # End of BST, Sunday 25 October 2026: 15:00 stays 15:00 local
        (london(2026, 10, 23, 15), 3, "2026-10-26T15:00:00+00:00"),
        (london(2026, 10, 26, 15), -3, "2026-10-23T15:00:00+01:00"),
        # Start of BST, Sunday 29 March 2026
        (london(2026, 3, 28, 15), 1, "2026-03-29T15:00:00+01:00"),
        # 01:30 does not exist on 29 March 2026; it is read as GMT, i.e. 02:30 BST
        (london(2026, 3, 28, 1, 30), 1, "2026-03-29T02:30:00+01:00"),
    ],
)
def test_add_calendar_days_keeps_london_wall_clock(start, days, expected):
    result = add_calendar_days(start, days)
    assert result.isoformat() == expected
    assert result.tzinfo is LONDON


def test_add_calendar_days_in_utc_keeps_london_wall_clock():
    # 14:00 UTC on Friday 23 October 2026 is 15:00 BST; Monday 15:00 GMT is 15:00 UTC.
    assert add_calendar_days(utc(2026, 10, 23, 14), 3).isoformat() == "2026-10-26T15:00:00+00:00"


# --- add_hours -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Clocks go back at 02:00 BST on 25 October 2026: 48 real hours from Saturday noon
        # BST is 11:00 GMT on Monday.
        (london(2026, 10, 24, 12), 48, "2026-10-26T11:00:00+00:00"),
        # Clocks go forward at 01:00 GMT on 29 March 2026: 48 hours on is 13:00 BST Monday.
        (london(2026, 3, 28, 12), 48, "2026-03-30T13:00:00+01:00"),
        (london(2026, 3, 9, 9), 24, "2026-03-10T09:00:00+00:00"),
        (london(2026, 10, 26, 11), -48, "2026-10-24T12:00:00+01:00"),
        (utc(2026, 10, 24, 11), 48, "2026-10-26T11:00:00+00:00"),
    ],
)
def test_add_hours_counts_elapsed_time(start, hours, expected):
    result = add_hours(start, hours)
    assert result.isoformat() == expected
    assert result.tzinfo is start.tzinfo


def test_add_hours_needs_a_datetime():
    with pytest.raises(TypeError):
        add_hours(date(2026, 3, 9), 48)


# --- add_months ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 3, date(2026, 4, 30)),  # first child in need review
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 1, 15), -12, date(2025, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2027, 3, 31), -13, date(2026, 2, 28)),
        (date(2026, 1, 10), -1, date(2025, 12, 10)),
        (date(2026, 3, 7), 0, date(2026, 3, 7)),
    ],
)
def test_add_months_dates(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # 15:00 GMT in January stays 15:00 local in BST
        (london(2026, 1, 31, 15), 3, "2026-04-30T15:00:00+01:00"),
        (utc(2026, 1, 31, 15), 3, "2026-04-30T14:00:00+00:00"),
        # 23:30 UTC on 31 May 2026 is 00:30 BST on 1 June, so the month is June, not May
        (utc(2026, 5, 31, 23, 30), 1, "2026-06-30T23:30:00+00:00"),
    ],
)
def test_add_months_datetimes(start, months, expected):
    result = add_months(start, months)
    assert result.isoformat() == expected
    assert result.tzinfo is start.tzinfo


# --- working_days_between ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Fri -> Mon
        (date(2026, 3, 6), date(2026, 3, 8), 0),  # Fri -> Sun
        (date(2026, 3, 7), date(2026, 3, 9), 1),  # Sat -> Mon
        (date(2026, 3, 9), date(2026, 3, 9), 0),
        (date(2026, 3, 16), date(2026, 3, 9), 0),  # end before start
        (date(2026, 3, 2), date(2026, 3, 23), 15),
        (date(2026, 4, 2), date(2026, 4, 22), 12),  # over Easter
        (date(2026, 12, 24), date(2026, 12, 29), 1),  # over Christmas
        (date(2026, 12, 24), date(2027, 1, 4), 4),  # and New Year
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_working_days_between_skips_closures():
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 10)) == 2
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 10), closures=TRAINING_DAY) == 1


def test_working_days_between_uses_london_dates_of_datetimes():
    # Due Friday 15:00; Monday 16:00 is one working day overdue.
    assert working_days_between(london(2026, 3, 6, 15), london(2026, 3, 9, 16)) == 1
    # 23:30 UTC on Sunday 7 June 2026 is already Monday 00:30 BST.
    assert working_days_between(utc(2026, 6, 5, 15), utc(2026, 6, 7, 23, 30)) == 1


# --- naive datetimes -----------------------------------------------------------------------

NAIVE = datetime(2026, 3, 6, 15)  # noqa: DTZ001 - deliberately naive


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_working_days(NAIVE, 1),
        lambda: add_calendar_days(NAIVE, 1),
        lambda: add_hours(NAIVE, 48),
        lambda: add_months(NAIVE, 1),
        lambda: is_working_day(NAIVE),
        lambda: working_days_between(NAIVE, date(2026, 3, 9)),
        lambda: working_days_between(date(2026, 3, 5), NAIVE),
    ],
    ids=[
        "add_working_days",
        "add_calendar_days",
        "add_hours",
        "add_months",
        "is_working_day",
        "working_days_between_start",
        "working_days_between_end",
    ],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="naive"):
        call()
