"""Deadline arithmetic for statutory timescales.

Every timescale in the portal ("within 1 working day", "within 48 hours", "within 15 working
days", "within 3 months") is computed here so that weekends, England bank holidays, local
closure days and British Summer Time are handled the same way everywhere.

Days are counted in England's local time (Europe/London) because statutory guidance is written
in terms of the local working day, not UTC. Datetimes must be timezone-aware: a naive datetime
is ambiguous about which day it falls on, and guessing would silently move deadlines.

This module is pure (no ORM, no network): callers load the administrator's closure days and
pass them in.
"""

from __future__ import annotations

import functools
from calendar import monthrange
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "LONDON",
    "add_calendar_days",
    "add_hours",
    "add_months",
    "add_working_days",
    "bank_holidays",
    "is_working_day",
    "working_days_between",
]

LONDON = ZoneInfo("Europe/London")

_NO_CLOSURES: frozenset[date] = frozenset()

# A constrained TypeVar (not a bound one) so that a date in gives a date out and a datetime in
# gives a datetime out; datetime subclasses date, so it is checked first at run time.
_Moment = TypeVar("_Moment", date, datetime)


@functools.lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England bank holidays in ``year``: the weekdays offices close, as listed on GOV.UK.

    Substitute days matter as much as the holidays themselves: when Boxing Day falls on a
    Saturday, the Monday is the day lost. The package also lists the weekend date itself, which
    is dropped so that the set matches the published list. One-off holidays (a coronation, a
    state funeral) come from the package's data; years outside its range (1872-2100) are empty.
    """
    observed = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(day for day in observed if day.weekday() < 5)


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{value!r} is a naive datetime; deadlines need an aware datetime so that the "
            "local (Europe/London) day is unambiguous"
        )


def _local_date(day: date) -> date:
    """The Europe/London calendar day on which ``day`` falls."""
    if isinstance(day, datetime):
        _require_aware(day)
        return day.astimezone(LONDON).date()
    return day


def _is_working(day: date, closures: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in closures


def is_working_day(day: date, *, closures: Collection[date] = _NO_CLOSURES) -> bool:
    """Whether offices are open on ``day`` (a datetime is judged by its London date)."""
    return _is_working(_local_date(day), closures)


def _step_working_days(day: date, days: int, closures: Collection[date]) -> date:
    # Going forward from a closed day, the clock has not started yet, so it starts on the next
    # working day and that day is not counted. Going back, the first open day before a closed
    # day is the first one counted, which mirrors the forward rule (see add_working_days).
    if days > 0:
        while not _is_working(day, closures):
            day += timedelta(days=1)
    step = timedelta(days=1 if days > 0 else -1)
    remaining = abs(days)
    while remaining:
        day += step
        if _is_working(day, closures):
            remaining -= 1
    return day


def _from_london(local: datetime, zone: tzinfo | None) -> datetime:
    # Round-trip through UTC so that a wall time which does not exist (the hour skipped when
    # the clocks go forward) is normalised to a real instant rather than returned as-is.
    return local.astimezone(UTC).astimezone(zone)


def add_working_days(
    start: _Moment, days: int, *, closures: Collection[date] = _NO_CLOSURES
) -> _Moment:
    """Move ``days`` working days from ``start`` (backwards if negative).

    Time of day is kept in London time, so a referral received Friday 15:00 with one working
    day is due Monday 15:00. Outside working days the clock is stopped: received Saturday 10:00
    it starts at 00:00 on Monday, so one working day later is Tuesday 00:00 (the end of
    Monday). A plain date counts as 00:00 of that day, so Saturday + 1 working day is Tuesday.

    Backwards, the same stopped clock means a closed day stands for the end of the previous
    working day: 1 working day before Saturday is Friday (00:00 for a datetime, i.e. the end
    of Thursday). ``days == 0`` returns ``start`` unchanged, even on a closed day.
    """
    if days == 0:
        return start
    closed = frozenset(closures)
    if isinstance(start, datetime):
        _require_aware(start)
        local = start.astimezone(LONDON)
        wall = local.timetz() if _is_working(local.date(), closed) else time(0, tzinfo=LONDON)
        target = _step_working_days(local.date(), days, closed)
        return _from_london(datetime.combine(target, wall), start.tzinfo)
    return _step_working_days(start, days, closed)


def add_calendar_days(start: _Moment, days: int) -> _Moment:
    """Move ``days`` calendar days, keeping the London wall-clock time across clock changes."""
    if isinstance(start, datetime):
        _require_aware(start)
        local = start.astimezone(LONDON)
        return _from_london(local + timedelta(days=days), start.tzinfo)
    return start + timedelta(days=days)


def add_hours(start: datetime, hours: int) -> datetime:
    """Move ``hours`` elapsed hours: 48 hours is 48 real hours, even over a clock change.

    Aware datetime arithmetic in Python is wall-clock arithmetic within one tzinfo, so the
    sum is done in UTC.
    """
    if not isinstance(start, datetime):
        raise TypeError(f"add_hours needs a datetime, not {type(start).__name__}")
    _require_aware(start)
    return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def add_months(start: _Moment, months: int) -> _Moment:
    """Move ``months`` calendar months, clamped to the month's end (31 Jan + 1 = 28/29 Feb).

    Clamping keeps a deadline inside the intended month rather than spilling into the next.
    A datetime keeps its London wall-clock time.
    """
    if isinstance(start, datetime):
        _require_aware(start)
        local = start.astimezone(LONDON)
        shifted = datetime.combine(_shift_month(local.date(), months), local.timetz())
        return _from_london(shifted, start.tzinfo)
    return _shift_month(start, months)


def working_days_between(
    start: date, end: date, *, closures: Collection[date] = _NO_CLOSURES
) -> int:
    """Working days after ``start`` up to and including ``end``; 0 if ``end`` is not later.

    This is the "n working days overdue" count: a deadline of Friday checked on Monday is one
    working day overdue. Datetimes are reduced to their London date.
    """
    first, last = _local_date(start), _local_date(end)
    closed = frozenset(closures)
    count = 0
    day = first + timedelta(days=1)
    while day <= last:
        if _is_working(day, closed):
            count += 1
        day += timedelta(days=1)
    return count
