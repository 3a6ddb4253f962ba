"""The Brook age bands: which bands the tool offers for a child's age on the date."""

from datetime import date

import pytest

from triage.models import Child, Colour, bands_for_age, most_serious, offered_bands

EXPECTED = {
    0: ("0-5",),
    1: ("0-5",),
    2: ("0-5",),
    3: ("0-5",),
    4: ("0-5",),
    5: ("0-5", "5-9"),
    6: ("5-9",),
    7: ("5-9",),
    8: ("5-9",),
    9: ("5-9", "9-13"),
    10: ("9-13",),
    11: ("9-13",),
    12: ("9-13",),
    13: ("9-13", "13-17"),
    14: ("13-17",),
    15: ("13-17",),
    16: ("13-17",),
    17: ("13-17",),
    18: ("13-17",),  # Brook: may guide work with vulnerable young people up to 25
}


@pytest.mark.parametrize(("age", "bands"), EXPECTED.items())
def test_the_bands_offered_for_each_age(age: int, bands: tuple[str, ...]) -> None:
    assert bands_for_age(age) == bands


def test_an_adult_of_25_is_offered_the_oldest_band() -> None:
    assert bands_for_age(25) == ("13-17",)


def test_a_negative_age_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        bands_for_age(-1)


BORN = date(2016, 6, 15)


@pytest.mark.parametrize(
    ("on", "bands"),
    [
        (date(2021, 6, 14), ("0-5",)),  # the day before the 5th birthday
        (date(2021, 6, 15), ("0-5", "5-9")),  # the 5th birthday itself
        (date(2022, 6, 14), ("0-5", "5-9")),  # the day before the 6th birthday
        (date(2022, 6, 15), ("5-9",)),  # the 6th birthday
        (date(2025, 6, 14), ("5-9",)),  # the day before the 9th birthday
        (date(2025, 6, 15), ("5-9", "9-13")),
        (date(2026, 6, 14), ("5-9", "9-13")),
        (date(2026, 6, 15), ("9-13",)),
        (date(2029, 6, 14), ("9-13",)),  # the day before the 13th birthday
        (date(2029, 6, 15), ("9-13", "13-17")),
        (date(2030, 6, 14), ("9-13", "13-17")),
        (date(2030, 6, 15), ("13-17",)),
        (date(2034, 6, 15), ("13-17",)),  # 18th birthday
    ],
)
def test_the_age_is_taken_on_the_date_of_the_behaviour_birthdays_included(
    on: date, bands: tuple[str, ...]
) -> None:
    child = Child(date_of_birth=BORN)

    assert bands_for_age(child.age_on(on)) == bands


def test_a_leap_day_birthday_counts_from_1_march_in_other_years() -> None:
    child = Child(date_of_birth=date(2016, 2, 29))

    assert child.age_on(date(2021, 2, 28)) == 4
    assert child.age_on(date(2021, 3, 1)) == 5


@pytest.mark.parametrize(
    ("age", "developmental_age", "bands"),
    [
        (12, None, ("9-13",)),
        (12, 8, ("5-9", "9-13")),
        (15, 9, ("5-9", "9-13", "13-17")),
        (7, 7, ("5-9",)),
        (4, 5, ("0-5", "5-9")),
    ],
)
def test_a_developmental_age_adds_its_own_bands(age, developmental_age, bands) -> None:
    assert offered_bands(age, developmental_age) == bands


@pytest.mark.parametrize(
    ("colours", "expected"),
    [
        (["green"], Colour.GREEN),
        (["green", "amber"], Colour.AMBER),
        (["amber", "red", "green"], Colour.RED),
        (["red"], Colour.RED),
        ([], None),
    ],
)
def test_the_suggested_colour_is_the_most_serious_ticked(colours, expected) -> None:
    assert most_serious(colours) == expected


@pytest.mark.parametrize(
    ("on", "under_13"),
    [
        (date(2027, 5, 16), True),  # the day before the thirteenth birthday
        (date(2027, 5, 17), False),  # the birthday itself
    ],
)
def test_a_child_is_under_13_until_their_thirteenth_birthday(on: date, under_13: bool) -> None:
    child = Child(date_of_birth=date(2014, 5, 17))

    assert child.is_under_13(on=on) is under_13
