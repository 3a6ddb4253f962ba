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
  ("Sam's" becomes "Child B's", with the writer's apostrophe; "Sams", "Pellingfords'"); a
  brother's given name takes the family name he shares with the reader's child ("Jordan
  Ashcombe" is "another child", though "Ashcombe" alone stays);
- nicknames from the ``nicknames`` dataset, both ways (Sam: Sammy, Samuel, Samantha);
- initials: dotted ("S.P.", "S. P.") wherever they stand; bare ("SP", "S P") only in capitals,
  as a word of their own, and, where they spell a common abbreviation (GP, PC, DS, SW, YP, SM…),
  only beside a word that makes them a person ("SP's", "SP said", "the pupil SP") and never after
  "the" or "a"; a lone initial just before the name ("S. Pellingford") goes with it;
- near misses: Damerau-Levenshtein distance 1 from a name word of 4 or more letters, 2 from one
  of 8 or more (with ``rapidfuzz``), plurals and possessives without an apostrophe included,
  never for an English word ("Mary" does not take "many"): the word list is
  ``english_words.txt``, the lower-case entries of a common British English spell-checking list
  (SCOWL), so a near miss that is a word is left for the chair to see;
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
A street or school type one letter wrong ("Cuort") still counts as one. "Wharf Rd", "17 Capstan
Cl", "Saint Marys Church of England Primary" and "St. Mary's C of E" are redacted; "Wharf" or
"Mary" alone is not (it is shown to the chair).

**Whose words stay.** ``keep`` are the children the reader may know: their own names and dates of
birth are never redacted, even where another child shares them (a brother's family name, twins).
``known`` are the names of the meeting's professionals and agencies as their records hold them
(the chair, invitees, action owners, agencies; never what was typed for someone attending):
no nickname, near miss or initials are taken from them, and they are never highlighted; another
child's own name in them is still redacted. An address or school the children share is still
redacted: the minutes lose a detail rather than risk naming the other child.

**Resemblances.** ``Redactor.resemblances`` finds, in text already redacted, what still looks
like another child's details at a lower threshold: a name word in lower case, Damerau-Levenshtein
distance 2, a shared first three letters, initials, a distinctive word of an address or school,
the postcode district, any date, any postcode, capitalised words before Street, Road, School….
The chair sees each on the approval page and keeps or redacts it; ``chosen`` are the redactions
the chair chose, applied to that child's minutes from then on.

The parts: ``text`` (normalising, words, word lists), ``dates`` (dates and postcodes),
``children`` (what identifies each child), ``redactor`` (finding and replacing).
"""

from strategy.meetings.redaction.children import OtherChild
from strategy.meetings.redaction.redactor import (
    ANOTHER_CHILD,
    REDACTED,
    Redactor,
    Resemblance,
)
from strategy.meetings.redaction.text import english_words, normalise

__all__ = [
    "ANOTHER_CHILD",
    "REDACTED",
    "OtherChild",
    "Redactor",
    "Resemblance",
    "english_words",
    "normalise",
]
