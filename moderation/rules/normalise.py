"""One reading of a text for the detectors: what a reader sees, without the disguise.

Invisible characters, look-alike letters and spaced-out letters let a phone number, an
insult or a cry for help slip past a pattern or a classifier while a reader sees it plainly.
`for_detection(text)` gives the copy the detectors read (crisis.py, privacy.py and the
classifier through moderation/classifier/scoring.py `score_text`); the stored text stays exactly as
typed. In order:

1. Blank fillers (Hangul fillers U+115F, U+1160, U+3164, U+FFA0 and the blank Braille
   pattern U+2800) become spaces on a line written with them instead of spaces (three
   words or more and no real space: "Tu", U+3164, "es", U+3164, "un"...), and vanish
   everywhere else: inside a word ("id", U+3164, "iot") or beside a real space. A line of
   two pieces and no space reads as one word: a disguised word is likelier there.
2. Invisible characters are removed (`invisible_characters`): every Default_Ignorable_Code_
   Point, the other format characters a reader does not see, the fillers, and control
   characters that are not white space; so are the few format characters drawn as a sign
   (Prepended_Concatenation_Mark, e.g. the Arabic number sign U+0600), which only
   decorate the digits after them.
3. NFKC: fullwidth, mathematical and other compatibility forms read as plain letters and
   digits ("ｉｄｉｏｔ", "𝐢𝐝𝐢𝐨𝐭", "０６").
4. Letters of other scripts that look Latin are read as Latin (`confusables.to_latin`,
   UTS #39 data): "іdіоt" with Cyrillic і and о reads "idiot"; accents stay ("déprimée").
5. Letters spaced out to dodge a filter are joined: a run of at least three single letters
   with the same separator between them ("c o n n a r d", "f.u.c.k", "m-o-u-r-i-r").
   "a b", "y a-t-il", "Je t'aime à la folie" or "il n y a" (words of one letter, spaced)
   are left alone.

Default_Ignorable_Code_Point is derived as DerivedCoreProperties.txt (Unicode 15.1) does:
Other_Default_Ignorable_Code_Point + Cf + Variation_Selector - White_Space - FFF9..FFFB -
13430..1343F - Prepended_Concatenation_Mark. The general category Cf comes from
`unicodedata`; the three properties it does not expose are copied below from PropList.txt
(Unicode 15.1). tests/moderation/test_normalise.py checks the result against the `regex`
module's own \\p{Default_Ignorable_Code_Point}.

`readable(text)` also tells where each character of the copy comes from, so that a finding
can be shown as typed; `visible(text)` says whether a text shows anything at all. Pure
functions of a text, in linear time (the tables are built once per process, on first use):
no Flask, no database.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from .confusables import to_latin

# PropList.txt, Other_Default_Ignorable_Code_Point.
_OTHER_DEFAULT_IGNORABLE = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x115F, 0x1160),  # HANGUL CHOSEONG FILLER, HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ, AA
    (0x2065, 0x2065),  # reserved
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # reserved
    (0xE0000, 0xE0000),  # reserved
    (0xE0002, 0xE001F),  # reserved
    (0xE0080, 0xE00FF),  # reserved
    (0xE01F0, 0xE0FFF),  # reserved
)
# PropList.txt, Variation_Selector.
_VARIATION_SELECTORS = (
    (0x180B, 0x180D),  # MONGOLIAN FREE VARIATION SELECTOR ONE..THREE
    (0x180F, 0x180F),  # MONGOLIAN FREE VARIATION SELECTOR FOUR
    (0xFE00, 0xFE0F),  # VARIATION SELECTOR-1..16
    (0xE0100, 0xE01EF),  # VARIATION SELECTOR-17..256
)
# PropList.txt, Prepended_Concatenation_Mark: format characters drawn as a visible sign
# (the Arabic number sign U+0600 spans the digits after it).
_PREPENDED_CONCATENATION_MARKS = (
    (0x0600, 0x0605),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
)
# Format characters DerivedCoreProperties.txt leaves out of Default_Ignorable_Code_Point:
# interlinear annotation marks and Egyptian hieroglyph format controls. Nothing shows them
# on their own, so the detectors drop them too.
_OTHER_FORMAT = ((0xFFF9, 0xFFFB), (0x13430, 0x1343F))
# Letters or symbols drawn as a blank, used as spaces or to break a word.
BLANK_FILLERS = "\u115f\u1160\u3164\uffa0\u2800"

_FILLER = re.compile(f"[{BLANK_FILLERS}]")
_FILLER_RUN = re.compile(f"[{BLANK_FILLERS}]+")
# A run of fillers with something shown on both sides.
_INNER_FILLERS = re.compile(rf"(?<=[^\s{BLANK_FILLERS}])[{BLANK_FILLERS}]+(?=[^\s{BLANK_FILLERS}])")
_LINE = re.compile(r"[^\n]+")
_LETTER = r"[^\W\d_]"
# Three or more single letters, one separator repeated between them. The separator is
# captured and the repeat is possessive (each letter must end its word): linear on any input.
_SPACED = re.compile(
    rf"(?<![\w@])(?<!\w[.\-_]){_LETTER}"
    r"(?P<sep>[ \t]{1,3}|[ \t]?[.\-_*·•+~/|][ \t]?)"
    rf"{_LETTER}(?:(?P=sep){_LETTER}(?!\w))++"
    r"(?![\w@]|[.\-_@]\w)"
)

# Words of one letter (French elisions written without their apostrophe, "à", "y", "I"):
# a run of them separated by spaces is a sentence, not a word spaced out.
_ONE_LETTER_WORDS = frozenset("aàyldjmnstcAÀYLDJMNSTCI")


def _ranges(code_points: set[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for cp in sorted(code_points):
        if found and found[-1][1] == cp - 1:
            found[-1] = (found[-1][0], cp)
        else:
            found.append((cp, cp))
    return found


def _expand(ranges: tuple[tuple[int, int], ...]) -> set[int]:
    return {cp for low, high in ranges for cp in range(low, high + 1)}


@lru_cache(maxsize=1)
def default_ignorable() -> frozenset[str]:
    """Every Default_Ignorable_Code_Point, as derived in DerivedCoreProperties.txt."""
    format_chars = {
        cp
        for cp in range(sys.maxunicode + 1)
        if not 0xD800 <= cp <= 0xDFFF and unicodedata.category(chr(cp)) == "Cf"
    }
    points = _expand(_OTHER_DEFAULT_IGNORABLE) | format_chars | _expand(_VARIATION_SELECTORS)
    points -= _expand(_OTHER_FORMAT) | _expand(_PREPENDED_CONCATENATION_MARKS)
    return frozenset(chr(cp) for cp in points if not chr(cp).isspace())


@lru_cache(maxsize=1)
def _invisible() -> frozenset[str]:
    """What a reader does not see: default ignorables, the other format characters, the
    blank fillers and the control characters that are not white space."""
    controls = {chr(cp) for cp in [*range(0x20), *range(0x7F, 0xA0)] if not chr(cp).isspace()}
    others = {chr(cp) for cp in _expand(_OTHER_FORMAT)} | set(BLANK_FILLERS)
    return default_ignorable() | others | controls


def _class(chars: frozenset[str] | set[str]) -> str:
    return "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in _ranges({ord(c) for c in chars})
    )


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(the invisible characters; what the detectors drop: those and the visible format
    characters, which only decorate the digits after them; the same but blank fillers)"""
    invisible = _invisible()
    dropped = invisible | _shown_format()
    return (
        re.compile(f"[{_class(invisible)}]"),
        re.compile(f"[{_class(dropped)}]+"),
        re.compile(f"[{_class(dropped - set(BLANK_FILLERS))}]+"),
    )


def invisible_characters(text: str) -> list[str]:
    """The invisible characters of a text, each once, in order of appearance."""
    return list(dict.fromkeys(_patterns()[0].findall(text)))


def without_invisible(text: str) -> str:
    """The text without its invisible and format characters: only the first two steps of
    `for_detection`, for a text compared character by character (a pseudonym's skeleton)."""
    return _patterns()[1].sub("", text)


@lru_cache(maxsize=1)
def _shown_format() -> frozenset[str]:
    return frozenset(chr(cp) for cp in _expand(_PREPENDED_CONCATENATION_MARKS))


def visible(text: str) -> bool:
    """Whether the text shows at least one character that is not a space: a text of
    invisible characters, spaces, controls or lone combining marks shows nothing."""
    invisible = _invisible()
    for c in text:
        if c.isspace() or c in invisible:
            continue
        category = unicodedata.category(c)
        if category in ("Mn", "Me", "Cc", "Cs") or (category == "Cf" and c not in _shown_format()):
            continue
        return True
    return False


# A character of the detectors' copy, kept from a match: (the character, its offset there).
_Kept = list[tuple[str, int]]


def _edit(
    text: str, origin: list[int], pattern: re.Pattern[str], keep: Callable[[re.Match[str]], _Kept]
) -> tuple[str, list[int]]:
    """Replace each match of `pattern` by what `keep` keeps of it, and carry along, for each
    character, the index of the character of the typed text it comes from."""
    out: list[str] = []
    where: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        out.append(text[last:start])
        where += origin[last:start]
        for char, offset in keep(match):
            out.append(char)
            where.append(origin[start + offset])
        last = end
    if not out:
        return text, origin
    out.append(text[last:])
    where += origin[last:]
    return "".join(out), where


def _nothing(match: re.Match[str]) -> _Kept:
    return []


def _space(match: re.Match[str]) -> _Kept:
    return [(" ", 0)]


def _fillers(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Blank fillers between words are spaces on a line that has no other space, and
    separates at least three words with them; elsewhere they vanish (see step 1)."""

    def line(match: re.Match[str]) -> _Kept:
        part = match.group()
        words = [word for word in _FILLER_RUN.split(part) if word]
        if len(words) < 3 or any(c.isspace() for c in part.strip()):
            return [(c, i) for i, c in enumerate(part)]
        spaced, offsets = _edit(part, list(range(len(part))), _INNER_FILLERS, _space)
        return list(zip(spaced, offsets, strict=True))

    return _edit(text, origin, _LINE, line)


def _join(match: re.Match[str]) -> _Kept:
    """The letters of a spaced-out word, unless they are words of one letter ("il n y a")."""
    step = 1 + len(match.group("sep"))
    letters = [(c, i) for i, c in enumerate(match.group()) if i % step == 0]
    if match.group("sep").isspace() and all(c in _ONE_LETTER_WORDS for c, _ in letters):
        return [(c, i) for i, c in enumerate(match.group())]
    return letters


def _nfkc(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """NFKC, applied to each base character with the marks that follow it, so that each
    character of the result knows where it comes from."""
    if unicodedata.is_normalized("NFKC", text):
        return text, origin
    out: list[str] = []
    where: list[int] = []
    start = 0
    for end in range(1, len(text) + 1):
        if end < len(text) and unicodedata.combining(text[end]):
            continue
        segment = text[start:end]
        normal = unicodedata.normalize("NFKC", segment)
        out.append(normal)
        where += origin[start:end] if normal == segment else [origin[start]] * len(normal)
        start = end
    return "".join(out), where


def readable(text: str) -> tuple[str, list[int]]:
    """`for_detection(text)`, and for each of its characters the index in `text` of the
    character it comes from: what a detector finds in the copy can be shown as typed."""
    origin = list(range(len(text)))
    _, dropped, dropped_but_fillers = _patterns()
    if not text.isascii():
        if _FILLER.search(text):
            text, origin = _edit(text, origin, dropped_but_fillers, _nothing)
            text, origin = _fillers(text, origin)
        text, origin = _edit(text, origin, dropped, _nothing)
        text, origin = _nfkc(text, origin)
        text, origin = _edit(text, origin, dropped, _nothing)
        text = to_latin(text)  # one letter for one letter
    else:
        text, origin = _edit(text, origin, dropped, _nothing)  # control characters
    return _edit(text, origin, _SPACED, _join)


def for_detection(text: str) -> str:
    """The copy of a text the detectors read: fillers, invisible characters, compatibility
    forms, look-alike letters and spaced-out letters read as a reader reads them."""
    return readable(text)[0]


def typed(text: str, origin: list[int], start: int, end: int) -> str:
    """The part of the typed `text` that the characters `start:end` of its readable copy
    come from, without invisible characters at either end."""
    if start >= end:
        return ""
    low = origin[start]
    high = origin[end] if end < len(origin) else len(text)
    dropped = _patterns()[1]
    while high > low and dropped.fullmatch(text[high - 1]):
        high -= 1
    return text[low:high]
