"""The redaction of other children from a child's minutes (strategy/meetings/redaction.py):
every way their identifiers are typed, whole words only, and the child's own name kept."""

from dataclasses import dataclass
from datetime import date

import pytest

from strategy.meetings.redaction import REDACTED, OtherChild, Redactor
from triage.models import Child


def child(**fields: object) -> Child:
    defaults: dict[str, object] = {
        "given_name": "Sam",
        "family_name": "Pellingford",
        "known_as": "",
        "date_of_birth": date(2017, 1, 20),
        "address": "17 Capstan Close, Harbourside",
        "postcode": "HB1 4XY",
        "school_or_setting": "Anchorage Primary",
    }
    defaults.update(fields)
    return Child(**defaults)


RILEY = child(
    given_name="Riley",
    family_name="Ashcombe",
    date_of_birth=date(2014, 3, 14),
    address="4 Lanyard Row, Harbourside",
    postcode="HB3 1AA",
    school_or_setting="Quayside Academy",
)


def redact(text: str, other: Child | None = None, keep: Child = RILEY) -> str:
    return Redactor(keep=[keep], others=[OtherChild(other or child(), "Child B")])(text)


@pytest.mark.parametrize(
    "written",
    [
        "20/01/2017",
        "20/1/2017",
        "20.01.17",
        "20-01-2017",
        "2017-01-20",
        "20 January 2017",
        "20th January 2017",
        "20 Jan 2017",
        "20th of Jan. 2017",
        "January 20, 2017",
        "Jan 20th 2017",
    ],
)
def test_a_date_of_birth_is_redacted_however_it_is_written(written: str) -> None:
    assert redact(f"Born {written}.") == f"Born {REDACTED}."


def test_other_dates_are_left_alone() -> None:
    text = "Seen on 20/01/2016, 120/01/2017 and 21 January 2017."

    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SAM PELLINGFORD said so", "Child B said so"),
        ("sam's mother", "Child B's mother"),
        ("Pellingford family", "Child B family"),
        ("the same samples", "the same samples"),
        ("Sammy said", "Child B said"),
        ("lives at 17 Capstan Close, Harbourside", f"lives at {REDACTED}"),
        ("near Capstan Close", f"near {REDACTED}"),
        ("postcode HB1 4XY", f"postcode {REDACTED}"),
        ("postcode HB1  4xy", f"postcode {REDACTED}"),
        ("at Anchorage Primary", f"at {REDACTED}"),
        ("in Harbourside", "in Harbourside"),
    ],
)
def test_names_address_and_school_are_redacted_as_whole_words(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_a_known_as_name_is_redacted() -> None:
    assert redact("Sammy said", child(known_as="Sammy")) == "Child B said"


def test_the_full_name_goes_before_its_parts() -> None:
    assert redact("Sam Pellingford and Sam") == "Child B and Child B"


def test_a_shared_family_name_is_kept_as_it_is_the_childs_own() -> None:
    jordan = child(given_name="Jordan", family_name="Ashcombe")

    assert redact("Riley Ashcombe and Jordan Ashcombe", jordan) == "Riley Ashcombe and Child B"


def test_a_shared_school_is_still_redacted() -> None:
    classmate = child(school_or_setting="Quayside Academy")

    assert redact("Both attend Quayside Academy.", classmate) == f"Both attend {REDACTED}."


@dataclass(frozen=True)
class Line:
    text: str
    due_on: date


@dataclass(frozen=True)
class Page:
    title: str
    lines: list[Line]


def test_scrub_reaches_every_string_of_nested_values() -> None:
    page = Page("About Sam", [Line("Call Sam Pellingford", date(2026, 12, 1))])

    scrubbed = Redactor(keep=[RILEY], others=[OtherChild(child(), "Child B")]).scrub(page)

    assert scrubbed == Page("About Child B", [Line("Call Child B", date(2026, 12, 1))])
