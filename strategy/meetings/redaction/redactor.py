"""The ``Redactor``: finds another child's details in text and replaces them, and finds what
still resembles them for the chair (see the package's docstring)."""

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from strategy.meetings.redaction.children import Identifiers, Kept, OtherChild, Place
from strategy.meetings.redaction.dates import POSTCODE, DateMention, Reading, find_dates
from strategy.meetings.redaction.text import (
    ABBREVIATIONS,
    CONNECTORS,
    DETERMINERS,
    NAME_GAP,
    NOT_A_NAME,
    NUMBER,
    PERSON_CUES,
    PERSON_VERBS,
    PLACE_GAP,
    PLACE_TYPES,
    SCHOOL_TYPES,
    STREET_TYPES,
    Normalised,
    Token,
    english_words,
    fold,
    name_allowance,
    near,
    normalise,
    tokens,
    without_possessive,
)
from triage.models import Child

REDACTED = "[redacted]"
ANOTHER_CHILD = "another child"
T = TypeVar("T")


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
        # A school named after a town ("Harbourside Academy"): the town alone names no one.
        self.towns = self.kept.towns.union(*(child.companions for child in self.children))
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
            end = without_possessive(word)
            # "Jordan Ashcombe", a brother: the family name goes with the given name, though
            # alone it stays, as the reader's own child's name.
            for after in found.words[index + 1 :]:
                if after.stem not in child.shared or not NAME_GAP.fullmatch(
                    found.text[end : after.start]
                ):
                    break
                end = without_possessive(after)
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
            near(stem, base, name_allowance(base)) for stem in stems for base in child.near_bases
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
                hits.append(Hit(word.start, without_possessive(word), child.label, 1))
            # Spelt out with spaces: "S P", "S M C".
            elif len(word.key) == 1:
                spelt = self._spelt_out(found, index, child)
                if spelt is not None:
                    hits.append(Hit(word.start, without_possessive(words[spelt]), child.label, 1))
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
                if len(distinctive) >= 5 and near(stem, distinctive, name_allowance(distinctive)):
                    return distinctive
        return None

    @staticmethod
    def _is_near_generic(word: Token, place: Place) -> bool:
        return _near_generic(word.key, is_address=place.is_address)

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
                    hits.append(Hit(words[i].start, without_possessive(last), replacement))
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
            elif stem not in self.towns and any(stem in p.distinctive for p in child.places):
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
                if any(near(stem, base, 2) for base in child.near_bases):
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


@cache
def _near_generic(key: str, *, is_address: bool) -> bool:
    """ "Cuort", "Acadamy": a street or school type one letter wrong."""
    if len(key) < 4 or not key.isalpha() or key in english_words():
        return False
    kinds = STREET_TYPES if is_address else SCHOOL_TYPES
    return any(len(kind) >= 4 and near(key, kind, 1) for kind in kinds)


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
        if len(after) == 2 and fold(after[0]) == "'" and fold(after[1]) == "s":
            out.append(after[0] + ("S" if after[1].isupper() else "s"))
            position = end + 2
    out.append(original[position:])
    return "".join(out)
