"""Look-alike characters, from the Unicode UTS #39 confusables data that the
`confusable_homoglyphs` package ships (confusables.json, built from confusables.txt).

One copy of the table serves two readers:

- `prototypes()`, the pseudonym skeleton (forum/accounts/pseudonyms.py): every character
  that UTS #39 confuses with another is mapped to one representative of its class, ASCII
  when the class holds one, so that "Аlice" (Cyrillic А) and "Alice" meet;
- `to_latin(text)`, the detectors (moderation/rules/normalise.py): letters of other scripts
  that look like Latin letters are read as those letters, so "іdіоt" (Cyrillic і and о)
  reads "idiot". Only what is not Latin is changed: digits, punctuation and Latin letters,
  accented or not ("déprimée", "ı", "ß"), are kept as they are.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources

# confusables.json writes some right-to-left prototypes with direction marks around them.
_DIRECTION_MARKS = "\u200e\u200f"
# Latin-1 Supplement and Latin Extended-A: the letters of European languages, never folded.
_LATIN_EXTENDED_A_END = 0x17F
_LETTERS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def prototypes() -> dict[str, str]:
    """Map each confusable code point to one representative of its class (ASCII if any)."""
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    data: dict[str, list[dict[str, str]]] = json.loads(raw)
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    def rank(c: str) -> tuple[bool, int]:
        return (ord(c) > 127, ord(c))

    def union(x: str, y: str) -> None:
        a, b = find(x), find(y)
        if a != b:
            keep, drop = (a, b) if rank(a) <= rank(b) else (b, a)
            parent[drop] = keep

    pairs = [
        (char.strip(_DIRECTION_MARKS), glyph["c"].strip(_DIRECTION_MARKS))
        for char, glyphs in data.items()
        for glyph in glyphs
    ]
    for a, b in pairs:
        if len(a) == 1 and len(b) == 1:
            union(a, b)
    return {c: find(c) for c in parent}


@lru_cache(maxsize=1)
def latin_letters() -> dict[str, str]:
    """Each letter outside the Latin alphabet that UTS #39 confuses with an ASCII letter,
    mapped to that letter in the same case when there is one ("а" → "a", "А" → "A",
    "ӏ" → "l", "І" → "I")."""
    classes: dict[str, list[str]] = {}
    for char, prototype in prototypes().items():
        classes.setdefault(prototype, []).append(char)
    table: dict[str, str] = {}
    for members in classes.values():
        ascii_letters = sorted(c for c in members if c.isascii() and c.isalpha())
        if not ascii_letters:
            continue
        for c in members:
            if (
                c.isascii()
                or not c.isalpha()
                or ord(c) <= _LATIN_EXTENDED_A_END
                or unicodedata.normalize("NFD", c)[0].isascii()
            ):
                continue
            same_case = [
                a for a in ascii_letters if (a.isupper(), a.islower()) == (c.isupper(), c.islower())
            ]
            if same_case:
                table[c] = same_case[-1]  # "l" rather than "I" for a lower-case look-alike
            else:
                letter = ascii_letters[-1]
                table[c] = letter.upper() if c.isupper() else letter.lower()
    return table


def to_latin(text: str) -> str:
    """Letters that only look Latin read as Latin, word by word: a word is folded when it
    mixes them with Latin letters ("pаypal" with a Cyrillic а) or when all its letters
    fold ("аdmіn"); a word of Greek or Cyrillic that does not only look Latin is kept."""
    if text.isascii():
        return text
    table = latin_letters()

    def fold(match: re.Match[str]) -> str:
        word = match.group()
        if not any(c in table for c in word):
            return word
        if any(c.isascii() for c in word) or all(c in table or ord(c) < 0x250 for c in word):
            return "".join(table.get(c, c) for c in word)
        return word

    return _LETTERS.sub(fold, text)
