"""Minutes kept separately for each child: in child A's minutes, every other child of the case is
only "Child B", "Child C"… or "another child", however people typed their details.

The per-child minutes are built from plain values, never from the records themselves, so a
template cannot reach another child's details; and every piece of text in them goes through a
``Redactor`` first, because people type names into free text ("Riley told Sam to keep it
secret"), and not the way the record spells them.

**Normalising.** Text is matched in a normalised copy (Unicode NFKD with the accents removed,
casefolded, typographic apostrophes, quotes and every dash made plain, runs of white space made
one space, invisible characters dropped, the commonest Cyrillic and Greek look-alikes made
Latin) and replaced in the original, through a map from each normalised character back to the
character it came from: "Siân" is found as "sian", and the rest of the text keeps the writer's own
spelling and accents.

**Names** (replaced with the child's pseudonym):

- every word of the given, family and "known as" names, each part of a hyphenated or apostrophised
  one ("Mary-Jane" gives "mary", "jane" and "maryjane"; "O'Brien" gives "obrien" and "brien"),
  with particles ("de la Cruz") taken in only beside the name they belong to; possessives
  ("Sam's", "Sams", "Pellingfords'");
- nicknames from the ``nicknames`` dataset, both ways (Sam: Sammy, Samuel, Samantha);
- initials: dotted ("S.P.", "S. P.") wherever they stand; bare ("SP", "S P") only in capitals,
  as a word of their own, and, where they spell a common abbreviation (GP, PC, DS, SW, YP, SM…),
  only beside a word that makes them a person ("SP's", "SP said", "the pupil SP") and never after
  "the" or "a"; a lone initial just before the name ("S. Pellingford") goes with it;
- near misses: Damerau-Levenshtein distance 1 from a name word of 4 or more letters, 2 from one
  of 8 or more, never for an English word ("Mary" does not take "many"): the word list is
  ``english_words.txt``, the lower-case entries of a common British English spell-checking list;
- a name word that is itself an English word (Will, Rose, Hope, Smith) or has one or two letters
  is taken only when written with a capital, so "we will" stays; "will" in lower case is then
  shown to the chair (below).

**Dates of birth** (replaced with "[redacted]"), in any common written form, found by regular
expressions over the normalised text and read every way they can be read: numbers in any order
and with any separator or none (14/03/2014, 3.3.15, 2014-03-14, 14 03 2014, 14032014), with the
month in words or abbreviated with or without a dot (14 Mar 2014, 14-Jul-2016, 14JUL2016,
March 14th, 2014), days as ordinals or in words ("the third of March"), and the day and month
alone ("born on 3rd March", "14/3") when they are the birthday. A date with the birthday and
another four-figure year is another day, and is left (and shown to the chair).

**Addresses and schools** (replaced with "[redacted]"): the postcode with or without its space,
in any case; and each line of the address (the house name, the street) and the school as a set
of distinctive words: the words that are not generic (Road, Rd, Close, Cl, Gardens, Gdns,
School, Primary, Prim, Academy, Acad., Church of England, C of E, Saint, St…). A run of words
made of the place's own words, generic words of its kind, house numbers and the child's town and
postcode is redacted whole when it holds every distinctive word of the place (a near miss of one
counts), and, if the place has only one, at least one generic word or a house number beside it:
"Wharf Rd", "17 Capstan Cl", "Saint Marys Church of England Primary" and "St. Mary's C of E"
are redacted; "Wharf" or "Mary" alone is not (it is shown to the chair).

**Whose words stay.** ``keep`` are the children the reader may know: their own names and dates of
birth are never redacted, even where another child shares them (a brother's family name, twins).
``known`` are the names of the meeting's professionals and agencies: no nickname, near miss or
initials are taken from them, and they are never highlighted; another child's own name in them
is still redacted. An address or school the children share is still redacted: the minutes lose
a detail rather than risk naming the other child.

**Resemblances.** ``Redactor.resemblances`` finds, in text already redacted, what still looks
like another child's details at a lower threshold: a name word in lower case, Damerau-Levenshtein
distance 2, a shared first three letters, initials, a distinctive word of an address or school,
the postcode district, any date, any postcode, capitalised words before Street, Road, School….
The chair sees each on the approval page and keeps or redacts it; ``chosen`` are the redactions
the chair chose, applied to that child's minutes from then on.
"""

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from nicknames import NickNamer
from rapidfuzz.distance import DamerauLevenshtein

from triage.models import Child

REDACTED = "[redacted]"
ANOTHER_CHILD = "another child"
T = TypeVar("T")


@dataclass(frozen=True)
class OtherChild:
    """Another child of the case, and what they are called in these minutes."""

    child: Child
    pseudonym: str


# Normalising


APOSTROPHES = frozenset("\u2018\u2019\u201a\u201b\u02b9\u02bb\u02bc\u02bd\u2032\u2035`\u00b4\uff07")
QUOTES = frozenset("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\uff02")
INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff")
# Letters NFKD leaves whole, and look-alikes from other scripts (lower case: after casefold).
FOLDS = {
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "æ": "ae",
    "œ": "oe",
    "\u0131": "i",  # dotless i
    "ħ": "h",
    "þ": "th",
    "ŧ": "t",
    **dict(zip("авеикмнорстухіјѕԁһӏ", "abeikmhopctyxijsdhl", strict=True)),
    **dict(zip("αβεηικνορτυχ", "abenikvoptux", strict=True)),
}


def _is_silent(char: str) -> bool:
    return char in INVISIBLE or unicodedata.category(char) in ("Mn", "Me", "Cf")


@cache
def _fold(char: str) -> str:
    if char in APOSTROPHES:
        return "'"
    if char in QUOTES:
        return '"'
    if unicodedata.category(char) == "Pd" or char == "\u2212":
        return "-"
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    folded = "".join(c for c in plain.casefold() if not unicodedata.combining(c))
    return "".join(FOLDS.get(c, c) for c in folded)


@dataclass(frozen=True)
class Normalised:
    """``text`` normalised, and for each of its characters the one of ``original`` it comes from."""

    original: str
    text: str
    origins: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        first, last = self.origins[start], self.origins[end - 1] + 1
        # Accents and invisible characters after the last letter belong to it.
        while last < len(self.original) and _is_silent(self.original[last]):
            last += 1
        return first, last


def normalise(text: str) -> Normalised:
    out: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        if _is_silent(char):
            continue
        folded = " " if char.isspace() else _fold(char)
        for piece in folded:
            if piece.isspace():
                if not out or out[-1] == " ":
                    continue
                piece = " "
            out.append(piece)
            origins.append(index)
    return Normalised(text, "".join(out), tuple(origins))


TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


@dataclass(frozen=True)
class Token:
    """A word of the normalised text; ``key`` without its apostrophes, ``stem`` without a
    possessive "'s" as well."""

    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        return self.text.replace("'", "")

    @property
    def stem(self) -> str:
        return self.text[:-2].replace("'", "") if self.text.endswith("'s") else self.key


def _without_possessive(word: Token) -> int:
    """Where ``word`` ends without its "'s": "Sam's" is redacted as "Child B's"."""
    return word.end - 2 if word.text.endswith("'s") else word.end


def tokens(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


@cache
def english_words() -> frozenset[str]:
    path = Path(__file__).with_name("english_words.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


def _listed(words: str) -> list[str]:
    return words.split()


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that are part of a name but never one on their own.
PARTICLES = _words(
    "de la le du da di del della der den van von ter ten dos das do bin ibn al el ap ab st y"
)
# Two- and three-letter abbreviations of the minutes: initials that spell one are taken only
# beside a word that makes them a person.
ABBREVIATIONS = _words(
    """
    gp cp pc ds dc di sw yp uk ok am pm tv id it pe re dt hr mp nb ps rn ct sg la ha na pa ta lo
    ss st rd ce rc va vc ma ba po ic ks pr hq ae sm eg ie aim cin cse cce hsb dsl sen dob nhs ref
    cyp pcso mash icpc send ehcp dci dsi cid
    """
)
DETERMINERS = _words("the a an his her their our your my its this that")
PERSON_CUES = _words(
    "child pupil student victim sibling brother sister friend boy girl yp cyp peer classmate cousin"
)
PERSON_VERBS = _words(
    """
    said says told tells disclosed discloses reported reports stated states alleged alleges asked
    asks admitted admits denied denies was is has had went did does lives lived attends attended
    would became felt feels showed shows touched hit kicked followed sent shared took and
    """
)
# Generic words of streets and houses, with their abbreviations.
STREET_TYPES = _words(
    """
    road rd street st str avenue ave av close cl lane ln drive dr drv crescent cres cresc gardens
    gdns gdn garden place pl court ct crt terrace terr tce square sq grove gr gro way row walk wk
    mews rise parade pde highway hwy boulevard blvd approach yard yd
    """
)
HOUSE_WORDS = _words(
    """
    house cottage cottages farm lodge flat flats apartment apartments apt block floor estate north
    south east west upper lower old new great little the park hill green view mount mt end gate
    hall
    """
)
SCHOOL_TYPES = _words(
    """
    school sch primary prim pri secondary sec infant infants inf junior juniors jnr nursery
    academy acad college coll
    """
)
SCHOOL_WORDS = SCHOOL_TYPES | _words(
    """
    high grammar community comm church ch england eng c of e ce cofe rc roman catholic cath saint
    st sts free federation trust pupil referral unit pru sixth form upper lower middle first prep
    preparatory special studio voluntary aided controlled va vc methodist baptist and
    """
)
# What makes capitalised words before it look like a street or a school (for the chair).
PLACE_TYPES = SCHOOL_TYPES | _words(
    """
    road rd street avenue ave close lane drive crescent gardens gdns terrace square grove way row
    walk mews rise parade
    """
)
CONNECTORS = frozenset({"of", "and", "the"})
NUMBER = re.compile(r"\d+[a-z]?")
PLACE_GAP = re.compile(r"[ ,./&()'\"-]{0,3}")
NAME_GAP = re.compile(r" ?-? ?")
NOT_A_NAME = _words(
    "the a an and of in on at to from for with by no new old this that their his her our your its "
    "my"
)


def _near(word: str, base: str, most: int) -> bool:
    if abs(len(word) - len(base)) > most:
        return False
    return DamerauLevenshtein.distance(word, base, score_cutoff=most) <= most


def _name_allowance(base: str) -> int:
    return 2 if len(base) >= 8 else 1


# Dates


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
_UNITS = _listed("one two three four five six seven eight nine")
_UNIT_ORDINALS = _listed("first second third fourth fifth sixth seventh eighth ninth")
_TEENS = _listed("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen")
_TEEN_ORDINALS = _listed(
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


# What identifies each child


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

    @classmethod
    def of(cls, children: Sequence[Child]) -> "Kept":
        places: set[str] = set()
        for child in children:
            found, _ = address_places(child.address)
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
        nicknamer = _nicknamer()
        nicknames = {
            nickname
            for word in given
            if len(word) > 1
            for nickname in nicknamer.nicknames_of(word) | nicknamer.canonicals_of(word)
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


# Finding and replacing


@dataclass(frozen=True)
class Hit:
    """A span of normalised text to replace, and with what; a lower ``rank`` wins a tie."""

    start: int
    end: int
    label: str
    rank: int = 0


@dataclass(frozen=True)
class Resemblance:
    """Text that still looks like another child's detail, for the chair to keep or redact."""

    start: int
    end: int
    text: str
    key: str
    reason: str
    replacement: str


class _Text:
    """One piece of text, normalised and cut into words, with what each word looks like."""

    def __init__(self, text: str, known: Sequence[tuple[str, ...]]) -> None:
        self.normalised = normalise(text)
        self.text = self.normalised.text
        self.words = tokens(self.text)
        self.protected = self._protected(known)
        self._dates: list[DateMention] | None = None

    @property
    def dates(self) -> list[DateMention]:
        if self._dates is None:
            self._dates = find_dates(self.text)
        return self._dates

    def _protected(self, known: Sequence[tuple[str, ...]]) -> set[int]:
        protected: set[int] = set()
        keys = [word.key for word in self.words]
        for phrase in known:
            size = len(phrase)
            for i in range(len(keys) - size + 1):
                if tuple(keys[i : i + size]) == phrase:
                    protected.update(range(i, i + size))
        return protected

    def original(self, word: Token) -> str:
        start, end = self.normalised.original_span(word.start, word.end)
        return self.normalised.original[start:end]

    def is_capitalised(self, word: Token) -> bool:
        return self.original(word)[:1].isupper()

    def is_capitals(self, word: Token) -> bool:
        written = self.original(word)
        if word.text.endswith("'s"):
            written = written[:-2]
        return written.isupper() and written.isalpha()

    def starts_sentence(self, index: int) -> bool:
        before = self.text[: self.words[index].start].rstrip(" \"'(")
        if not before or before[-1] in ".!?":
            return True
        start = self.normalised.origins[self.words[index - 1].end - 1] if index else 0
        return (
            "\n"
            in self.normalised.original[start : self.normalised.origins[self.words[index].start]]
        )

    def gap(self, left: Token, right: Token) -> str:
        return self.text[left.end : right.start]

    def previous_key(self, index: int) -> str:
        return self.words[index - 1].key if index > 0 else ""

    def next_key(self, index: int) -> str:
        return self.words[index + 1].key if index + 1 < len(self.words) else ""


class Redactor:
    """Replaces every identifier of the other children in a piece of text."""

    def __init__(
        self,
        *,
        keep: Iterable[Child],
        others: Iterable[OtherChild],
        known: Iterable[str] = (),
        chosen: Iterable[tuple[str, str]] = (),
    ) -> None:
        # ``keep``: the children this reader may know (none, one, or several); their own names
        # and dates stay even where another child shares them. ``known``: the names of the
        # meeting's people and agencies. ``chosen``: (text, replacement) the chair redacted.
        self.kept = Kept.of(list(keep))
        self.children = [Identifiers.of(other, self.kept) for other in others]
        self.known = [
            phrase
            for phrase in {tuple(w.key for w in tokens(normalise(n).text)) for n in known}
            if len(phrase) > 1
        ]
        self.chosen = [
            (phrase, replacement)
            for phrase, replacement in {
                (tuple(w.key for w in tokens(normalise(text).text)), replacement)
                for text, replacement in chosen
            }
            if phrase
        ]

    def __call__(self, text: str) -> str:
        if not text or (not self.children and not self.chosen):
            return text
        found = _Text(text, self.known)
        hits = [*self._chosen(found)]
        for child in self.children:
            hits += self._names(found, child)
            hits += self._initials(found, child)
            hits += self._dates(found, child)
            hits += self._postcode(found, child)
            hits += self._places(found, child)
        return _replace(found.normalised, hits)

    # Names

    def _names(self, found: _Text, child: Identifiers) -> list[Hit]:
        hits = []
        for index, word in enumerate(found.words):
            rank = self._name_rank(found, index, child)
            if rank is None:
                continue
            start = self._with_particles(found, index, child)
            end = _without_possessive(word)
            # "Jordan Ashcombe", a brother: the family name goes with the given name, though
            # alone it stays, as the reader's own child's name.
            for after in found.words[index + 1 :]:
                if after.stem not in child.shared or not NAME_GAP.fullmatch(
                    found.text[end : after.start]
                ):
                    break
                end = _without_possessive(after)
            hits.append(Hit(start, end, child.label, rank))
        return hits

    def _name_rank(self, found: _Text, index: int, child: Identifiers) -> int | None:
        """0 for a name, 1 for a nickname, 2 for a near miss; None if the word is none."""
        word = found.words[index]
        for candidate in dict.fromkeys((word.key, word.stem, word.key[:-1])):
            if candidate == word.key[:-1] and not word.key.endswith("s"):
                continue
            if candidate in child.names or (
                candidate in child.nicknames and index not in found.protected
            ):
                if candidate in child.capitalised_only and not found.is_capitalised(word):
                    continue
                return 0 if candidate in child.names else 1
        if index in found.protected or not self._may_be_near_miss(word):
            return None
        # "Wojciks", "Sians": a possessive or plural without its apostrophe.
        stems = {word.stem, word.key[:-1]} if word.key.endswith("s") else {word.stem}
        if any(
            _near(stem, base, _name_allowance(base)) for stem in stems for base in child.near_bases
        ):
            return 2
        return None

    def _may_be_near_miss(self, word: Token) -> bool:
        stem = word.stem
        return (
            len(stem) >= 3
            and stem.isalpha()
            and stem not in english_words()
            and stem not in self.kept.names
        )

    def _with_particles(self, found: _Text, index: int, child: Identifiers) -> int:
        """Where a name starts: "de la" before "Cruz", or "S." before "Pellingford"."""
        start = found.words[index].start
        while index > 0:
            before = found.words[index - 1]
            gap = found.gap(before, found.words[index])
            is_initial = (
                len(before.key) == 1
                and before.key in child.first_letters
                and found.is_capitalised(before)
                and gap in (". ", ".", " ")
            )
            is_particle = before.key in child.particles and bool(NAME_GAP.fullmatch(gap))
            if not (is_initial or is_particle):
                break
            start, index = before.start, index - 1
        return start

    # Initials

    def _initials(self, found: _Text, child: Identifiers) -> list[Hit]:
        if not child.initials:
            return []
        hits, words = [], found.words
        starts = {word.start: index for index, word in enumerate(words)}
        for match in child.dotted.finditer(found.text) if child.dotted else ():
            first = starts[match.start()]
            last = next(i for i in range(len(words) - 1, -1, -1) if words[i].start < match.end())
            letters = "".join(word.key for word in words[first : last + 1])
            written = found.normalised.original[
                slice(*found.normalised.original_span(*match.span()))
            ]
            if first not in found.protected and (
                letters not in ABBREVIATIONS
                or (written.isupper() and self._is_person(found, first, last, letters))
            ):
                hits.append(Hit(match.start(), match.end(), child.label, 1))
        for index, word in enumerate(words):
            if index in found.protected or not found.is_capitals(word):
                continue
            if word.stem in child.initials and self._is_person(found, index, index, word.stem):
                hits.append(Hit(word.start, _without_possessive(word), child.label, 1))
            # Spelt out with spaces: "S P", "S M C".
            elif len(word.key) == 1:
                spelt = self._spelt_out(found, index, child)
                if spelt is not None:
                    hits.append(Hit(word.start, _without_possessive(words[spelt]), child.label, 1))
        return hits

    def _spelt_out(self, found: _Text, index: int, child: Identifiers) -> int | None:
        """The index of the last letter of initials spelt out with spaces from ``index``."""
        words, letters, last, longest = found.words, found.words[index].key, index, None
        while last + 1 < len(words) and len(letters) < 4:
            after = words[last + 1]
            if len(after.stem) != 1 or found.gap(words[last], after) != " ":
                break
            if not found.is_capitals(after):
                break
            letters, last = letters + after.stem, last + 1
            if letters in child.initials and self._is_person(found, index, last, letters):
                longest = last
        return longest

    @staticmethod
    def _is_person(found: _Text, first: int, last: int, letters: str) -> bool:
        """Initials that spell an abbreviation are a person only beside a word that makes them
        one, and never after "the" or "a"."""
        if letters not in ABBREVIATIONS:
            return True
        before = found.previous_key(first)
        if before in DETERMINERS:
            return False
        return (
            found.words[last].text.endswith("'s")
            or found.next_key(last) in PERSON_VERBS
            or before in PERSON_CUES
        )

    # Dates, postcodes, places

    def _dates(self, found: _Text, child: Identifiers) -> list[Hit]:
        if child.born is None:
            return []
        born, hits = child.born, []
        for mention in found.dates:
            if any(self.kept.has_birthday(reading) for reading in mention.readings):
                continue
            if any(reading.is_day(born) for reading in mention.readings):
                hits.append(Hit(mention.start, mention.end, REDACTED))
            elif mention.short_end is not None and any(
                reading.digits == 2 and Reading(reading.day, reading.month).is_day(born)
                for reading in mention.readings
            ):
                hits.append(Hit(mention.start, mention.short_end, REDACTED))
        return hits

    def _postcode(self, found: _Text, child: Identifiers) -> list[Hit]:
        if not child.postcode:
            return []
        return [
            Hit(match.start(), match.end(), REDACTED)
            for match in POSTCODE.finditer(found.text)
            if match["out"] + match["in"] == child.postcode
        ]

    def _places(self, found: _Text, child: Identifiers) -> list[Hit]:
        hits = []
        for place in child.places:
            for first, last in self._place_runs(found, child, place):
                hits.append(Hit(found.words[first].start, found.words[last].end, REDACTED))
        return hits

    def _place_runs(self, found: _Text, child: Identifiers, place: Place) -> list[tuple[int, int]]:
        words, runs, index = found.words, [], 0
        kinds = [self._place_word(word, child, place) for word in words]
        while index < len(words):
            if kinds[index] is None:
                index += 1
                continue
            last = index
            while (
                last + 1 < len(words)
                and kinds[last + 1] is not None
                and PLACE_GAP.fullmatch(found.gap(words[last], words[last + 1]))
            ):
                last += 1
            first, end = index, last
            while first <= end and words[first].key in CONNECTORS:
                first += 1
            while end >= first and words[end].key in CONNECTORS:
                end -= 1
            run = kinds[first : end + 1]
            matched = {kind for kind in run if kind not in ("word", "number", "")}
            has_context = any(kind in ("word", "number", "") for kind in run)
            if run and matched >= place.distinctive and (len(place.distinctive) > 1 or has_context):
                runs.append((first, end))
            index = last + 1
        return runs

    def _place_word(self, word: Token, child: Identifiers, place: Place) -> str | None:
        """The distinctive word ``word`` is, "word" for a generic or own word, "number" for a
        house number, "" for the town or postcode; None if it is not part of the place."""
        for candidate in (word.stem, word.key[:-1] if word.key.endswith("s") else word.stem):
            if candidate in place.distinctive:
                return candidate
        if word.key in place.words or self._is_near_generic(word, place):
            return "word"
        if place.is_address and NUMBER.fullmatch(word.key):
            return "number"
        if word.key in child.companions:
            return ""
        stem = word.stem
        if len(stem) >= 4 and stem.isalpha() and stem not in english_words():
            for distinctive in place.distinctive:
                if len(distinctive) >= 5 and _near(stem, distinctive, _name_allowance(distinctive)):
                    return distinctive
        return None

    @staticmethod
    def _is_near_generic(word: Token, place: Place) -> bool:
        """ "Cuort", "Acadamy": a street or school type one letter wrong."""
        key = word.key
        if len(key) < 4 or not key.isalpha() or key in english_words():
            return False
        kinds = STREET_TYPES if place.is_address else SCHOOL_TYPES
        return any(len(kind) >= 4 and _near(key, kind, 1) for kind in kinds)

    def _chosen(self, found: _Text) -> list[Hit]:
        hits = []
        words = found.words
        for phrase, replacement in self.chosen:
            size = len(phrase)
            for i in range(len(words) - size + 1):
                last = words[i + size - 1]
                keys = [word.key for word in words[i : i + size - 1]] + [last.stem]
                if tuple(keys) == phrase and all(
                    len(found.gap(words[j], words[j + 1])) <= 3 for j in range(i, i + size - 1)
                ):
                    hits.append(Hit(words[i].start, _without_possessive(last), replacement))
        return hits

    # Resemblances

    def resemblances(self, text: str) -> list[Resemblance]:
        """What in ``text`` (already redacted) still looks like another child's details."""
        if not text:
            return []
        found = _Text(text, self.known)
        labels = self._label_spans(found.text)
        spans: list[tuple[int, int, str, str]] = []
        for child in self.children:
            spans += self._name_resemblances(found, child)
        spans += [
            (m.start, m.end, "a date: it could be a date of birth", REDACTED)
            for m in find_dates(found.text, loose=True)
        ]
        spans += [
            (m.start(), m.end(), "looks like a postcode", REDACTED)
            for m in POSTCODE.finditer(found.text)
        ]
        spans += self._place_resemblances(found)
        spans = [
            span
            for span in spans
            if not any(start < span[1] and span[0] < end for start, end in labels)
        ]
        spans.sort(key=lambda span: (span[0], -span[1]))
        merged: list[tuple[int, int, str, str]] = []
        for span in spans:
            if merged and span[0] < merged[-1][1]:
                before = merged[-1]
                merged[-1] = (before[0], max(before[1], span[1]), before[2], before[3])
            else:
                merged.append(span)
        found_spans = []
        for start, end, reason, replacement in merged:
            first, after = found.normalised.original_span(start, end)
            found_spans.append(
                Resemblance(
                    first, after, text[first:after], found.text[start:end], reason, replacement
                )
            )
        return found_spans

    def _label_spans(self, text: str) -> list[tuple[int, int]]:
        # The pseudonyms of every child of the meeting, the reader's own included.
        labels = {REDACTED, ANOTHER_CHILD} | {child.label for child in self.children}
        options = [re.escape(normalise(label).text) for label in labels] + [r"\bchild [a-z]\b"]
        pattern = re.compile("|".join(options))
        return [match.span() for match in pattern.finditer(text)]

    def _name_resemblances(
        self, found: _Text, child: Identifiers
    ) -> list[tuple[int, int, str, str]]:
        spans = []
        english = english_words()
        name = f"{child.label}'s name"
        for index, word in enumerate(found.words):
            if index in found.protected or word.key in self.kept.names:
                continue
            stem, reason, replacement = word.stem, "", child.label
            if (
                stem in child.names
                or word.key in child.names
                or (stem in child.nicknames and (stem not in english or found.is_capitalised(word)))
            ):
                reason = f"matches {name}"
            elif stem in child.initials and found.is_capitals(word):
                reason = f"could be {child.label}'s initials"
            elif stem == child.outward:
                reason, replacement = f"part of {child.label}'s postcode", REDACTED
            elif any(stem in place.distinctive for place in child.places):
                place = next(p for p in child.places if stem in p.distinctive)
                reason, replacement = f"a word of {child.label}'s {place.what()}", REDACTED
            elif (
                len(stem) >= 3
                and stem.isalpha()
                and (
                    stem not in english
                    or (found.is_capitalised(word) and not found.starts_sentence(index))
                )
            ):
                if any(_near(stem, base, 2) for base in child.near_bases):
                    reason = f"looks like {name}"
                elif any(
                    stem[:3] == base[:3]
                    for base in child.name_words
                    if len(base) >= 3 and base.isalpha()
                ):
                    reason = f"starts like {name}"
            if reason:
                spans.append((word.start, word.end, reason, replacement))
        return spans

    def _place_resemblances(self, found: _Text) -> list[tuple[int, int, str, str]]:
        spans = []
        words = found.words
        for index, word in enumerate(words):
            if word.key not in PLACE_TYPES or index == 0:
                continue
            first = index
            while (
                first > 0
                and found.is_capitalised(words[first - 1])
                and words[first - 1].stem not in NOT_A_NAME
                and (first - 1) not in found.protected
                and found.gap(words[first - 1], words[first]) in (" ", ". ", "-")
            ):
                first -= 1
            names = [w.stem for w in words[first:index]]
            if first == index or all(name in self.kept.places for name in names):
                continue
            spans.append(
                (words[first].start, word.end, "looks like a street or school name", REDACTED)
            )
        return spans

    # Values

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


def _replace(normalised: Normalised, hits: list[Hit]) -> str:
    """``normalised.original`` with each hit replaced; overlapping hits become one, and hits
    with the same label separated only by spaces or a hyphen ("Mary-Jane Cruz") one too."""
    if not hits:
        return normalised.original
    spans = sorted(
        (*normalised.original_span(hit.start, hit.end), hit.rank, hit.label) for hit in hits
    )
    merged: list[list[Any]] = []
    for start, end, rank, label in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if label == REDACTED or (last[3] != REDACTED and rank < last[2]):
                last[2], last[3] = rank, label
            continue
        if merged and merged[-1][3] == label:
            gap = normalise(normalised.original[merged[-1][1] : start]).text
            joins = r"[ -]*" if label != REDACTED else r"[ ,.-]*"
            if re.fullmatch(joins, gap):
                merged[-1][1] = end
                continue
        merged.append([start, end, rank, label])
    out, position, original = [], 0, normalised.original
    for start, end, _, label in merged:
        out += [original[position:start], label]
        position = end
        # The possessive stays, its apostrophe as written, its "s" a plain letter.
        after = original[end : end + 2]
        if len(after) == 2 and _fold(after[0]) == "'" and _fold(after[1]) == "s":
            out.append(after[0] + ("S" if after[1].isupper() else "s"))
            position = end + 2
    out.append(original[position:])
    return "".join(out)
