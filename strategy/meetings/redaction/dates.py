"""Dates written any common way, and postcodes, found in normalised text (see the package's
docstring)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from strategy.meetings.redaction.text import listed

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_UNITS = listed("one two three four five six seven eight nine")
_UNIT_ORDINALS = listed("first second third fourth fifth sixth seventh eighth ninth")
_TEENS = listed("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen")
_TEEN_ORDINALS = listed(
    "tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
    "nineteenth"
)


def _day_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for n, (cardinal, ordinal) in enumerate(zip(_UNITS, _UNIT_ORDINALS, strict=True), start=1):
        words[cardinal] = words[ordinal] = n
    for n, (cardinal, ordinal) in enumerate(zip(_TEENS, _TEEN_ORDINALS, strict=True), start=10):
        words[cardinal] = words[ordinal] = n
    for tens, word, ordinal in ((20, "twenty", "twentieth"), (30, "thirty", "thirtieth")):
        words[word] = words[ordinal] = tens
        for n, (cardinal, unit_ordinal) in enumerate(
            zip(_UNITS, _UNIT_ORDINALS, strict=True), start=1
        ):
            if tens + n > 31:
                break
            for joint in ("-", " ", ""):
                words[f"{word}{joint}{cardinal}"] = words[f"{word}{joint}{unit_ordinal}"] = tens + n
    return words


DAY_WORDS = _day_words()


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_DAY = rf"(?:(?P<dn>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?|(?P<dw>{_alternatives(DAY_WORDS)}))"
_MONTH = rf"(?P<mon>{_alternatives(MONTHS)})\.?"
_YEAR = r"(?P<yr>\d{4}|'?\d{2})(?!\d)"
_SEP = r"[ ,./-]{0,3}"
# The day and month in words or figures, with a year or without.
DAY_MONTH = re.compile(
    rf"(?<!\w)(?:the )?{_DAY}(?: (?:day )?of |{_SEP}){_MONTH}(?:(?:{_SEP}|,? of ){_YEAR})?(?!\w)"
)
MONTH_DAY = re.compile(rf"(?<!\w){_MONTH}{_SEP}(?:the )?{_DAY}(?:{_SEP}{_YEAR})?(?!\w)")
MONTH_YEAR = re.compile(rf"(?<!\w){_MONTH}{_SEP}(?P<yr>\d{{4}})(?!\w)")
NUMERIC = re.compile(
    r"(?<![\w.,/-])(?P<a>\d{1,4})(?: ?[./-] ?| )(?P<b>\d{1,2})(?: ?[./-] ?| )(?P<c>\d{1,4})"
    r"(?!\w|[./-]\d)"
)
COMPACT = re.compile(r"(?<!\w)(?P<digits>\d{8}|\d{6})(?!\w)")
NUMERIC_DAY_MONTH = re.compile(
    r"(?<![\w.,/-])(?P<a>\d{1,2}) ?(?P<sep>[./-]) ?(?P<b>\d{1,2})(?!\w| ?[./-] ?\d)"
)


@dataclass(frozen=True)
class Reading:
    """One way to read a date: ``year`` is None when it has none; ``digits`` its length."""

    day: int
    month: int
    year: int | None = None
    digits: int = 0

    def is_real(self) -> bool:
        return 1 <= self.month <= 12 and 1 <= self.day <= 31

    def is_day(self, born: date) -> bool:
        if (self.day, self.month) != (born.day, born.month):
            return False
        if self.year is None:
            return True
        if self.digits == 2:
            return self.year == born.year % 100
        return self.year == born.year


@dataclass(frozen=True)
class DateMention:
    """Text that reads as a date: its span, a shorter span without the year (when a two-figure
    "year" may be something else: "3 March 20 pupils"), and its readings."""

    start: int
    end: int
    readings: tuple[Reading, ...]
    short_end: int | None = None


def _year(text: str) -> tuple[int, int]:
    digits = text.lstrip("'")
    return int(digits), len(digits)


def _day_of(match: re.Match[str]) -> int:
    return int(match["dn"]) if match["dn"] else DAY_WORDS[match["dw"]]


def _worded(match: re.Match[str], short_end: int) -> DateMention:
    day, month = _day_of(match), MONTHS[match["mon"]]
    readings = [Reading(day, month)]
    if match["yr"]:
        readings = [Reading(day, month, *_year(match["yr"]))]
    return DateMention(match.start(), match.end(), tuple(readings), short_end)


def _numeric(a: str, b: str, c: str) -> list[Reading]:
    first, second = int(a), int(b)
    readings = []
    if len(a) == 4:
        readings.append(Reading(int(c), second, first, 4))
    elif len(c) in (2, 4):
        year, digits = _year(c)
        readings += [Reading(first, second, year, digits), Reading(second, first, year, digits)]
    return readings


def _compact(digits: str) -> list[Reading]:
    if len(digits) == 8:
        return [
            Reading(int(digits[:2]), int(digits[2:4]), int(digits[4:]), 4),
            Reading(int(digits[2:4]), int(digits[:2]), int(digits[4:]), 4),
            Reading(int(digits[6:]), int(digits[4:6]), int(digits[:4]), 4),
        ]
    return [
        Reading(int(digits[:2]), int(digits[2:4]), int(digits[4:]), 2),
        Reading(int(digits[2:4]), int(digits[:2]), int(digits[4:]), 2),
        Reading(int(digits[4:]), int(digits[2:4]), int(digits[:2]), 2),
    ]


def find_dates(text: str, *, loose: bool = False) -> list[DateMention]:
    """Every piece of normalised ``text`` that reads as a date. ``loose`` adds the month and
    year alone ("March 2015") and figures with dots ("1.5"), which only the chair is shown."""
    found: list[DateMention] = []
    for match in DAY_MONTH.finditer(text):
        found.append(_worded(match, match.end("mon")))
    for match in MONTH_DAY.finditer(text):
        found.append(_worded(match, match.end("dw") if match["dw"] else match.end("dn")))
    for match in NUMERIC.finditer(text):
        readings = _numeric(*match.group(1, 2, 3))
        found.append(DateMention(match.start(), match.end(), tuple(readings)))
    for match in COMPACT.finditer(text):
        found.append(DateMention(match.start(), match.end(), tuple(_compact(match["digits"]))))
    for match in NUMERIC_DAY_MONTH.finditer(text):
        if match["sep"] == "." and not loose:
            continue
        a, b = int(match["a"]), int(match["b"])
        found.append(DateMention(match.start(), match.end(), (Reading(a, b), Reading(b, a))))
    if loose:
        for match in MONTH_YEAR.finditer(text):
            found.append(DateMention(match.start(), match.end(), ()))
    return [
        mention
        for mention in found
        if not mention.readings or any(reading.is_real() for reading in mention.readings)
    ]


POSTCODE = re.compile(
    r"(?<![a-z0-9])(?P<out>[a-z]{1,2}\d[a-z\d]?)[ -]?(?P<in>\d[a-z]{2})(?![a-z0-9])"
)
