"""What may identify each child, normalised: names and their parts, nicknames, initials, the
date of birth, the postcode and the places of the address and school (see the package's
docstring)."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from strategy.meetings.redaction.dates import Reading
from strategy.meetings.redaction.text import (
    CONNECTORS,
    HOUSE_WORDS,
    NUMBER,
    PARTICLES,
    SCHOOL_WORDS,
    STREET_TYPES,
    english_words,
    nicknamer,
    normalise,
    tokens,
)
from triage.models import Child


@dataclass(frozen=True)
class OtherChild:
    """Another child of the case, and what they are called in these minutes."""

    child: Child
    pseudonym: str


def name_words(*names: str) -> set[str]:
    """Each word of the names, each part of a hyphenated or apostrophised word, and the words
    and parts written together ("Mary-Jane O'Brien": mary, jane, maryjane, o, brien, obrien,
    maryjaneobrien)."""
    words: set[str] = set()
    for name in names:
        every = []
        for word in normalise(name).text.split(" "):
            for part in word.split("-"):
                pieces = [piece for piece in re.split(r"[^\w]+", part) if piece]
                words.update(pieces)
                words.add("".join(pieces))
                every += pieces
            words.add("".join(re.split(r"[^\w]+", word)))
        if len(every) > 1:
            words.add("".join(every))
    words.discard("")
    return words


def _parts(name: str) -> list[str]:
    return [
        part
        for part in re.split(r"[^\w]+", normalise(name).text)
        if part and part not in PARTICLES and len(part) > 1
    ]


def initials_of(child: Child) -> set[str]:
    given, family = _parts(child.given_name), _parts(child.family_name)
    known = _parts(child.known_as)
    if not given or not family:
        return set()
    firsts = [given[0][0], "".join(p[0] for p in given)] + ([known[0][0]] if known else [])
    lasts = {family[0][0], family[-1][0], "".join(p[0] for p in family)}
    return {
        first + last
        for first in firsts
        for last in lasts
        if 2 <= len(first + last) <= 4 and (first + last).isascii() and (first + last).isalpha()
    }


@dataclass(frozen=True)
class Place:
    """An address line, a house name or a school, as its distinctive words and the words that
    may stand beside them."""

    distinctive: frozenset[str]
    words: frozenset[str]
    is_address: bool

    def what(self) -> str:
        return "address" if self.is_address else "school"


def _stems(text: str) -> list[str]:
    return [token.stem for token in tokens(normalise(text).text)]


def address_places(address: str, postcode: str = "") -> tuple[list[Place], set[str]]:
    """The places of an address (each line but the last, the town, which names a whole place)
    and the words that may stand beside them: the town and the postcode."""
    lines = [line.strip() for line in re.split(r"[,\n]", address) if line.strip()]
    town = lines[-1] if len(lines) > 1 else ""
    code = set(_stems(postcode))
    places = []
    every = frozenset(_stems(" ".join(lines[:-1] if town else lines))) | HOUSE_WORDS
    for line in lines[:-1] if town else lines:
        words = _stems(line)
        distinctive = {
            word
            for word in words
            if word not in STREET_TYPES | HOUSE_WORDS
            and not NUMBER.fullmatch(word)
            and len(word) > 1
            and word not in code
        }
        if distinctive:
            places.append(Place(frozenset(distinctive), every | STREET_TYPES, True))
    return places, set(_stems(town)) | code


def school_place(school: str) -> Place | None:
    words = _stems(school)
    distinctive = {word for word in words if word not in SCHOOL_WORDS} or {
        word for word in words if word not in CONNECTORS | {"c", "e"}
    }
    if not distinctive:
        return None
    return Place(frozenset(distinctive), frozenset(words) | SCHOOL_WORDS, False)


@dataclass(frozen=True)
class Kept:
    """What stays in these minutes: the identifiers of the children the reader may know."""

    names: frozenset[str]
    initials: frozenset[str]
    births: frozenset[date]
    places: frozenset[str]
    towns: frozenset[str]

    @classmethod
    def of(cls, children: Sequence[Child]) -> "Kept":
        places: set[str] = set()
        towns: set[str] = set()
        for child in children:
            found, town = address_places(child.address)
            towns |= town
            school = school_place(child.school_or_setting)
            for place in [*found, *([school] if school else [])]:
                places |= place.distinctive
        return cls(
            names=frozenset(
                word
                for child in children
                for word in name_words(child.given_name, child.family_name, child.known_as)
            ),
            initials=frozenset(i for child in children for i in initials_of(child)),
            births=frozenset(child.date_of_birth for child in children),
            places=frozenset(places),
            towns=frozenset(towns),
        )

    def has_birthday(self, reading: Reading) -> bool:
        return any(reading.is_day(born) for born in self.births)


def _dotted(initials: Iterable[str]) -> re.Pattern[str] | None:
    """Initials with dots, "S.P." or "S. P.", as a pattern over normalised text."""
    options = [r"\. ?".join(letters) + r"\.?" for letters in sorted(initials, key=len)[::-1]]
    return re.compile(rf"(?<![\w.])(?:{'|'.join(options)})(?!\w)") if options else None


@dataclass(frozen=True)
class Identifiers:
    """What may identify one other child, normalised, less what the reader may know."""

    label: str
    names: frozenset[str]
    nicknames: frozenset[str]
    particles: frozenset[str]
    shared: frozenset[str]
    capitalised_only: frozenset[str]
    near_bases: tuple[str, ...]
    initials: frozenset[str]
    dotted: re.Pattern[str] | None
    first_letters: frozenset[str]
    born: date | None
    postcode: str
    outward: str
    places: tuple[Place, ...]
    companions: frozenset[str]

    @classmethod
    def of(cls, other: OtherChild, kept: Kept) -> "Identifiers":
        child = other.child
        every = name_words(child.given_name, child.family_name, child.known_as)
        particles = {word for word in every if word in PARTICLES or len(word) == 1}
        names = every - particles - kept.names
        given = name_words(child.given_name, child.known_as)
        dataset = nicknamer()
        nicknames = {
            nickname
            for word in given
            if len(word) > 1
            for nickname in dataset.nicknames_of(word) | dataset.canonicals_of(word)
        }
        nicknames = {n.replace("'", "") for n in nicknames} - every - kept.names - PARTICLES
        english = english_words()
        places, companions = address_places(child.address, child.postcode)
        school = school_place(child.school_or_setting)
        postcode = "".join(normalise(child.postcode).text.split())
        born = child.date_of_birth if child.date_of_birth not in kept.births else None
        initials = initials_of(child) - kept.initials
        return cls(
            label=other.pseudonym,
            names=frozenset(names),
            nicknames=frozenset(nicknames),
            particles=frozenset(particles),
            shared=frozenset((every - particles) & kept.names),
            capitalised_only=frozenset(
                word for word in names | nicknames if word in english or len(word) < 3
            ),
            near_bases=tuple(sorted(w for w in names if w.isalpha() and len(w) >= 4)),
            initials=frozenset(initials),
            dotted=_dotted(initials),
            first_letters=frozenset(p[0] for p in _parts(child.given_name + " " + child.known_as)),
            born=born,
            postcode=postcode,
            outward=postcode[:-3] if len(postcode) > 4 else "",
            places=(*places, *([school] if school else [])),
            companions=frozenset(companions),
        )

    @property
    def name_words(self) -> frozenset[str]:
        return self.names | self.nicknames
