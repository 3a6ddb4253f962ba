"""Normalising text for matching, and the word lists the redaction uses (see the package's
docstring)."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nicknames import NickNamer
from rapidfuzz.distance import DamerauLevenshtein

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


def is_silent(char: str) -> bool:
    return char in INVISIBLE or unicodedata.category(char) in ("Mn", "Me", "Cf")


@cache
def fold(char: str) -> str:
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
        while last < len(self.original) and is_silent(self.original[last]):
            last += 1
        return first, last


def normalise(text: str) -> Normalised:
    out: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        if is_silent(char):
            continue
        folded = " " if char.isspace() else fold(char)
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


def without_possessive(word: Token) -> int:
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
def nicknamer() -> NickNamer:
    return NickNamer()


def listed(words: str) -> list[str]:
    return words.split()


def words_of(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that are part of a name but never one on their own.
PARTICLES = words_of(
    "de la le du da di del della der den van von ter ten dos das do bin ibn al el ap ab st y"
)
# Two- and three-letter abbreviations of the minutes: initials that spell one are taken only
# beside a word that makes them a person.
ABBREVIATIONS = words_of(
    """
    gp cp pc ds dc di sw yp uk ok am pm tv id it pe re dt hr mp nb ps rn ct sg la ha na pa ta lo
    ss st rd ce rc va vc ma ba po ic ks pr hq ae sm eg ie aim cin cse cce hsb dsl sen dob nhs ref
    cyp pcso mash icpc send ehcp dci dsi cid
    """
)
DETERMINERS = words_of("the a an his her their our your my its this that")
PERSON_CUES = words_of(
    "child pupil student victim sibling brother sister friend boy girl yp cyp peer classmate cousin"
)
PERSON_VERBS = words_of(
    """
    said says told tells disclosed discloses reported reports stated states alleged alleges asked
    asks admitted admits denied denies was is has had went did does lives lived attends attended
    would became felt feels showed shows touched hit kicked followed sent shared took and
    """
)
# Generic words of streets and houses, with their abbreviations.
STREET_TYPES = words_of(
    """
    road rd street st str avenue ave av close cl lane ln drive dr drv crescent cres cresc gardens
    gdns gdn garden place pl court ct crt terrace terr tce square sq grove gr gro way row walk wk
    mews rise parade pde highway hwy boulevard blvd approach yard yd
    """
)
HOUSE_WORDS = words_of(
    """
    house cottage cottages farm lodge flat flats apartment apartments apt block floor estate north
    south east west upper lower old new great little the park hill green view mount mt end gate
    hall
    """
)
SCHOOL_TYPES = words_of(
    """
    school sch primary prim pri secondary sec infant infants inf junior juniors jnr nursery
    academy acad college coll
    """
)
SCHOOL_WORDS = SCHOOL_TYPES | words_of(
    """
    high grammar community comm church ch england eng c of e ce cofe rc roman catholic cath saint
    st sts free federation trust pupil referral unit pru sixth form upper lower middle first prep
    preparatory special studio voluntary aided controlled va vc methodist baptist and
    """
)
# What makes capitalised words before it look like a street or a school (for the chair).
PLACE_TYPES = SCHOOL_TYPES | words_of(
    """
    road rd street avenue ave close lane drive crescent gardens gdns terrace square grove way row
    walk mews rise parade
    """
)
CONNECTORS = frozenset({"of", "and", "the"})
NUMBER = re.compile(r"\d+[a-z]?")
PLACE_GAP = re.compile(r"[ ,./&()'\"-]{0,3}")
NAME_GAP = re.compile(r" ?-? ?")
NOT_A_NAME = words_of(
    "the a an and of in on at to from for with by no new old this that their his her our your its "
    "my"
)


def near(word: str, base: str, most: int) -> bool:
    if abs(len(word) - len(base)) > most:
        return False
    return DamerauLevenshtein.distance(word, base, score_cutoff=most) <= most


def name_allowance(base: str) -> int:
    return 2 if len(base) >= 8 else 1
