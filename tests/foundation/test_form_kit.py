"""The GOV.UK form kit every app's forms are built from (hsb_portal/forms/): what a person types
into its time fields, and the one message a stale save gets, whatever the record."""

from datetime import date, datetime

import pytest
from django import forms
from django.utils import timezone

from hsb_portal.calendar import LONDON
from hsb_portal.conflicts import StaleRecord
from hsb_portal.forms import GovDateField, moment_from, time_field
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


class When(forms.Form):
    on = GovDateField(what="the date")
    at = time_field("Time", "the call")


def sent(day: date, at: str) -> When:
    form = When({"on_0": day.day, "on_1": day.month, "on_2": day.year, "at": at})
    form.is_valid()
    return form


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9:05", (9, 5)), ("09:05", (9, 5)), ("14.30", (14, 30)), ("23:59", (23, 59))],
)
def test_a_time_is_read_on_the_24_hour_clock(typed: str, expected: tuple[int, int]) -> None:
    form = sent(date(2026, 3, 2), typed)

    moment = moment_from(form, "on", "at")

    assert moment == datetime(2026, 3, 2, *expected, tzinfo=LONDON)
    assert not form.errors


@pytest.mark.parametrize("typed", ["24:00", "9:5", "noon", "14:60"])
def test_a_time_that_is_not_real_gets_a_field_error(typed: str) -> None:
    form = sent(date(2026, 3, 2), typed)

    assert moment_from(form, "on", "at") is None
    assert form.errors["at"] == ["Enter a real time, like 14:30"]


def test_a_call_cannot_be_in_the_future_but_a_meeting_may_be() -> None:
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)

    call = sent(tomorrow, "10:00")
    meeting = sent(tomorrow, "10:00")

    assert moment_from(call, "on", "at") is None
    assert call.errors["at"] == ["The time must be now or in the past"]
    assert moment_from(meeting, "on", "at", past_only=False) is not None
    assert not meeting.errors


@pytest.mark.parametrize(
    ("what", "check"),
    [("this concern", "check the concern"), ("these minutes", "check the minutes")],
)
def test_every_stale_save_gets_the_same_message_naming_its_record(what: str, check: str) -> None:
    stale = StaleRecord(ChildFactory(), what=what)

    assert stale.message.startswith(f"Someone else changed {what} after you opened this page")
    assert f"{check}, then save again" in stale.message
