"""Minutes kept separately for each child (DD 4): in child A's minutes, every other child of the
meeting is only "Child B", "Child C"… (issue 5, item 5).

The per-child minutes are built from plain values, never from the records themselves, so a
template cannot reach another child's details; and every piece of text in them goes through a
``Redactor`` first, because people type names into free text ("Riley told Sam to keep it
secret"). For each other child it replaces, case-insensitively and only as whole words:

- their full name, given name, family name and "also known as" name, with their pseudonym;
- their date of birth in the usual ways of writing it (14/03/2014, 14.3.14, 2014-03-14,
  14 March 2014, 14th Mar 2014, March 14, 2014), their address (whole, each line but the town,
  the street without its number) and postcode, and their school, with "[redacted]".

Longer terms go first, so "Sam Pellingford" becomes "Child B", not "Child B Pellingford". A name
the child of the minutes shares (a brother's family name, two children called Sam) is left in
place, as it is that child's own name too; so is a date of birth they share (twins). An address
or school they share is still redacted: the minutes lose a detail rather than risk naming the
other child.
"""

import calendar
import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from triage.models import Child

REDACTED = "[redacted]"
T = TypeVar("T")


@dataclass(frozen=True)
class OtherChild:
    """Another child of the meeting, and what they are called in these minutes."""

    child: Child
    pseudonym: str


def _words(term: str) -> str:
    """``term`` as a whole-word pattern that tolerates any run of spaces between its words."""
    body = r"\s+".join(re.escape(word) for word in term.split())
    return rf"(?<!\w){body}(?!\w)"


def date_patterns(day: date) -> list[str]:
    """The ways people write ``day``: numbers in either order, or the month in words."""
    d, m, y = rf"0?{day.day}", rf"0?{day.month}", day.year
    year = rf"(?:{y}|{y % 100:02d})"
    names = {calendar.month_name[day.month], calendar.month_abbr[day.month]}
    if day.month == 9:
        names.add("Sept")
    month = "(?:" + "|".join(sorted(names, key=len, reverse=True)) + r")\.?"
    ordinal = r"(?:st|nd|rd|th)?"
    sep = r"\s*[/.\-]\s*"
    return [
        rf"(?<![\d\w]){d}{sep}{m}{sep}{year}(?!\d)",
        rf"(?<![\d\w]){y}{sep}{m}{sep}{d}(?!\d)",
        rf"(?<![\d\w]){d}{ordinal}\s+(?:of\s+)?{month},?\s+{y}(?!\d)",
        rf"(?<!\w){month}\s+{d}{ordinal},?\s+{y}(?!\d)",
    ]


def address_terms(address: str, postcode: str = "") -> list[str]:
    """The whole address, each line but the last (the town, which names a whole place), each
    street without its house number, and the postcode."""
    terms = []
    whole = " ".join(address.replace(",", " , ").split()).replace(" ,", ",")
    if whole:
        terms.append(whole)
    lines = [line.strip() for line in re.split(r"[,\n]", address) if line.strip()]
    for line in lines[:-1] if len(lines) > 1 else lines:
        terms.append(line)
        street = re.sub(r"^\d+[a-zA-Z]?\s+", "", line)
        if street != line and street:
            terms.append(street)
    if postcode.strip():
        terms.append(postcode.strip())
    return terms


def name_terms(child: Child) -> list[str]:
    names = [child.full_name, child.given_name, child.family_name]
    if child.known_as:
        names += [child.known_as, f"{child.known_as} {child.family_name}"]
    return [name for name in names if name.strip()]


class Redactor:
    """Replaces every identifier of the other children in a piece of text."""

    def __init__(self, *, keep: Iterable[Child], others: Iterable[OtherChild]) -> None:
        # ``keep``: the children this reader may know (none, one, or several); their own names
        # and dates stay even where another child shares them.
        keep = list(keep)
        own = {name.casefold() for child in keep for name in name_terms(child)}
        own_births = {child.date_of_birth for child in keep}
        dated: list[tuple[str, str]] = []
        termed: list[tuple[str, str]] = []
        for other in others:
            child = other.child
            for name in name_terms(child):
                if name.casefold() not in own:
                    termed.append((name, other.pseudonym))
            if child.date_of_birth not in own_births:
                dated += [(pattern, REDACTED) for pattern in date_patterns(child.date_of_birth)]
            for term in address_terms(child.address, child.postcode):
                termed.append((term, REDACTED))
            if child.school_or_setting.strip():
                termed.append((child.school_or_setting.strip(), REDACTED))
        # Longest first, so a full name goes before the given name it contains.
        termed.sort(key=lambda pair: len(pair[0]), reverse=True)
        self.rules = [
            (re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in dated
        ] + [
            (re.compile(_words(term), re.IGNORECASE), replacement)
            for term, replacement in dict(termed).items()
        ]

    def __call__(self, text: str) -> str:
        for pattern, replacement in self.rules:
            text = pattern.sub(replacement, text)
        return text

    def scrub(self, value: T) -> T:
        """Every string in ``value`` (a dataclass, list or tuple of them, or a string)
        redacted; dates, numbers and None unchanged."""
        return self._scrub(value)  # type: ignore[no-any-return]

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            return self(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.replace(
                value,
                **{
                    field.name: self._scrub(getattr(value, field.name))
                    for field in dataclasses.fields(value)
                    if field.init
                },
            )
        if isinstance(value, list | tuple):
            return type(value)(self._scrub(item) for item in value)
        return value
