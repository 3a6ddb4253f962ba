# ruff: noqa: RUF001  (typographic apostrophes, quotes and dashes are what these tests type)
"""The redaction of other children from a child's minutes (strategy/meetings/redaction/):
every way their identifiers are typed, whole words only, and the child's own name kept."""

from dataclasses import dataclass
from datetime import date

import pytest

from strategy.meetings.redaction import ANOTHER_CHILD, REDACTED, OtherChild, Redactor
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


# What people actually type (issue 10, point 3): one case of each way an outside red team wrote
# another child's details, with the reader's own child, Riley, kept.

SIAN = child(
    given_name="Siân-Marie",
    family_name="de la Cruz",
    known_as="Sunny",
    date_of_birth=date(2015, 3, 3),
    address="Wharf House, 17 Capstan Close, Harbourside",
    postcode="HB1 4XY",
    school_or_setting="St Mary's Church of England Primary School",
)
SAMUEL = child(given_name="Samuel", family_name="Pellingford")
# Not a child of the meeting: a witness named in the concern behind the referrals.
TOMASZ = child(
    given_name="Tomasz",
    family_name="Wójcik",
    date_of_birth=date(2016, 7, 14),
    address="9 Marlin Road, Harbourside",
    postcode="HB2 7QD",
    school_or_setting="Beacon Community Academy",
)
CASE = Redactor(
    keep=[RILEY],
    others=[
        OtherChild(SIAN, "Child B"),
        OtherChild(SAMUEL, "Child C"),
        OtherChild(TOMASZ, ANOTHER_CHILD),
    ],
)

TYPED = {
    "part of a hyphenated name": ("Marie said no.", "Child B said no."),
    "part of a multi-part name": ("The de la Cruz family", "The Child B family"),
    "a name without its accent": ("Sian was upset.", "Child B was upset."),
    "a name in another Unicode form": ("Ｓｉâｎ and Si\u0302an", "Child B and Child B"),
    "a nickname": ("Sammy hid it.", "Child C hid it."),
    "the known-as name": ("Sunny cried.", "Child B cried."),
    "initials": ("SP told staff.", "Child C told staff."),
    "a misspelling by one letter": ("Pellingfrod's phone", "Child C's phone"),
    "a date written in words": ("born on the third of March", "born on [redacted]"),
    "day and month: 3rd March": ("since 3rd March", "since [redacted]"),
    "abbreviated month, two-figure year": ("DOB 3 Mar 15", "DOB [redacted]"),
    "month first: March 3": ("born March 3", "born [redacted]"),
    "as NHS and police systems print it": ("DOB 14-Jul-2016", "DOB [redacted]"),
    "a postcode with its space": ("HB1 4XY", "[redacted]"),
    "a postcode without its space": ("postcode hb14xy", "postcode [redacted]"),
    "a postcode inside the address": ("at 17 Capstan Close HB14XY.", "at [redacted]."),
    "the street name alone": ("near Capstan Cl", "near [redacted]"),
    "a school abbreviated: St Mary's": ("goes to St Mary’s", "goes to [redacted]"),
    "a school abbreviated: C of E": ("St. Mary's C of E said", "[redacted] said"),
    "a school abbreviated: Acad.": ("at Beacon Acad. now", "at [redacted]. now"),
    "a typographic apostrophe": ("Cruz’s coat", "Child B’s coat"),
    "a dash": ("Siân–Marie", "Child B"),
    "a child named elsewhere in the case": ("Tomasz saw it.", "another child saw it."),
}


@pytest.mark.parametrize(("typed", "expected"), TYPED.values(), ids=TYPED.keys())
def test_every_way_the_red_team_typed_another_child_is_redacted(typed: str, expected: str) -> None:
    assert CASE(typed) == expected


def test_the_childs_own_words_and_ordinary_english_are_left_as_written() -> None:
    text = (
        "Riley Ashcombe (Riley's mum calls him Riley-Ash; born 14 March 2014, 14/03/2014) lives "
        "at 4 Lanyard Row, HB3 1AA, and attends Quayside Academy. Many pupils said the same of "
        "the samples: staff will march them out on a sunny day in May, and hope a kit bag, a "
        "cruise and a crux of cruel words are dealt with. The GP said the PC and the SW would "
        "meet on 3 December at 9.30 at the school, on the road to the church of St John. "
        "Zoë and José wrote: ‘Riley’s plan — agreed’."
    )

    assert CASE(text) == text


def test_accents_and_spelling_elsewhere_are_kept_as_written() -> None:
    assert (
        CASE("Zoë  told José that Siân’s café—closed")
        == "Zoë  told José that Child B’s café—closed"
    )


def test_a_name_word_that_is_an_english_word_is_taken_only_with_a_capital() -> None:
    will = child(given_name="Will", family_name="Hope")

    redact_will = Redactor(keep=[RILEY], others=[OtherChild(will, "Child B")])

    assert (
        redact_will("Will said we will hope for Hope.") == "Child B said we will hope for Child B."
    )


def test_initials_that_spell_an_abbreviation_need_a_person_beside_them() -> None:
    grace = child(given_name="Grace", family_name="Parker")

    redact = Redactor(keep=[RILEY], others=[OtherChild(grace, "Child B")])

    assert redact("The GP said so; GP said so; GP's bag; G.P. said") == (
        "The GP said so; Child B said so; Child B's bag; Child B said"
    )


def test_a_near_miss_that_is_an_english_word_is_left() -> None:
    mary = child(given_name="Mary", family_name="Tenbury")

    redact = Redactor(keep=[RILEY], others=[OtherChild(mary, "Child B")])

    redacted = redact("Many came; Marry and Tenbery did not.")

    assert redacted == "Many came; Marry and Child B did not."
    assert [r.text for r in redact.resemblances(redacted)] == ["Marry"]


def test_a_brothers_given_name_takes_the_family_name_they_share_with_the_child() -> None:
    jordan = child(given_name="Jordan", family_name="Ashcombe")

    redact = Redactor(keep=[RILEY], others=[OtherChild(jordan, ANOTHER_CHILD)])

    assert redact("Jordan Ashcombe and the Ashcombe family") == (
        "another child and the Ashcombe family"
    )


def test_the_chairs_own_redactions_are_applied_whole_words_only() -> None:
    redact = Redactor(keep=[RILEY], others=[], chosen=[("Beany", "Child B")])

    assert redact("Beany and beany’s friend, not Beanyish") == (
        "Child B and Child B’s friend, not Beanyish"
    )


def test_a_professionals_name_gives_no_nickname_or_near_miss() -> None:
    patrick = child(given_name="Patrick", family_name="Loame")

    redact = Redactor(
        keep=[RILEY], others=[OtherChild(patrick, "Child B")], known=["Pat Constable"]
    )

    assert redact("Pat Constable spoke to Pat and Patrik Loame.") == (
        "Pat Constable spoke to Child B and Child B."
    )


RESEMBLES = {
    "a name word in lower case": ("we will go", "will", "matches Child B's name"),
    "two letters from a name": ("Waell came", "Waell", "looks like Child B's name"),
    "the first three letters of a name": ("Willoughby came", "Willoughby", "starts like"),
    "any date": ("seen on 2 June 2024", "2 June 2024", "a date"),
    "any postcode": ("at HB9 9ZZ", "HB9 9ZZ", "looks like a postcode"),
    "a postcode district": ("in HB1", "HB1", "part of Child B's postcode"),
    "a word of an address": ("by the Wharf", "Wharf", "a word of Child B's address"),
    "capitalised words before Road or School": ("on Marina Way", "Marina Way", "street"),
}


@pytest.mark.parametrize(("text", "marked", "reason"), RESEMBLES.values(), ids=RESEMBLES.keys())
def test_what_still_resembles_another_child_is_found_for_the_chair(
    text: str, marked: str, reason: str
) -> None:
    will = child(
        given_name="Will",
        family_name="Sandicott",
        address="Wharf House, 3 Dock Lane, Harbourside",
        postcode="HB1 4XY",
    )
    redactor = Redactor(keep=[RILEY], others=[OtherChild(will, "Child B")])

    found = redactor.resemblances(redactor(text))

    assert [r.text for r in found] == [marked]
    assert reason in found[0].reason


def test_the_childs_own_details_and_redaction_labels_are_not_shown_to_the_chair() -> None:
    text = "Riley Ashcombe of Quayside Academy and Lanyard Row told Child B and another child."

    assert CASE.resemblances(text) == []


def test_a_town_a_school_is_named_after_is_not_shown_to_the_chair_alone() -> None:
    pupil = child(address="2 Dock Lane, Harbourside", school_or_setting="Harbourside Academy")
    redactor = Redactor(keep=[RILEY], others=[OtherChild(pupil, "Child B")])

    text = redactor("Met at Harbourside Civic Centre; Child B is at Harbourside Academy.")

    assert text == "Met at Harbourside Civic Centre; Child B is at [redacted]."
    assert redactor.resemblances(text) == []
