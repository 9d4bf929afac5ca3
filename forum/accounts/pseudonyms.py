"""Pseudonym rules: normalised, readable, and impossible to confuse with another.

Two pseudonyms are the same identity when their *skeletons* match. The skeleton follows
Unicode UTS #39 (confusable detection) with the data shipped by `confusable_homoglyphs`,
made a little stricter for a small community: case, accents and the separators
" -_.'" are ignored, so "Аlice" (Cyrillic А), "alice", "Alicé" and "A.lice" collide.
"""

from __future__ import annotations

import json
import secrets
import unicodedata
from functools import lru_cache
from importlib import resources

MIN_LENGTH = 3
MAX_LENGTH = 32
SEPARATORS = frozenset(" -_.'")
_DIRECTION_MARKS = "\u200e\u200f"

# Refused when a pseudonym's skeleton equals one of these...
RESERVED = (
    "admin",
    "administrateur",
    "administratrice",
    "administrator",
    "moderateur",
    "moderatrice",
    "moderator",
    "modo",
    "entrenous",
    "entre nous",
    "system",
    "systeme",
    "root",
    "staff",
    "support",
    "equipe",
    "team",
    "officiel",
    "official",
    "anonyme",
    "anonymous",
    "deleted",
    "supprime",
    "null",
    "none",
)
# ...or contains one of these.
RESERVED_PARTS = ("admin", "moderat", "entrenous", "system")


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
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


def normalize(raw: str) -> str:
    """NFKC and outer whitespace removed: the form a pseudonym is stored and shown in."""
    return unicodedata.normalize("NFKC", raw).strip()


def identity_key(pseudonym: str) -> str:
    """Case-insensitive key used to log in and for exact uniqueness."""
    return normalize(pseudonym).casefold()


def skeleton(pseudonym: str) -> str:
    table = _prototypes()
    # Mapped before and after folding case, so a capital I reads as the l it looks like
    # and a Cyrillic а as the a it looks like.
    text = unicodedata.normalize("NFD", normalize(pseudonym))
    mapped = unicodedata.normalize("NFD", "".join(table.get(c, c) for c in text))
    mapped = "".join(table.get(c, c) for c in mapped.casefold())
    # UTS #39 links 0 with O but not with o; once case is folded they must meet.
    mapped = mapped.replace("0", "o")
    return "".join(c for c in mapped if not unicodedata.combining(c) and c not in SEPARATORS)


@lru_cache(maxsize=1)
def _reserved() -> tuple[frozenset[str], tuple[str, ...]]:
    return frozenset(skeleton(w) for w in RESERVED), tuple(skeleton(w) for w in RESERVED_PARTS)


def problem(pseudonym: str) -> str | None:
    """Why this (normalised) pseudonym cannot be used, as a message key, or None.

    Keys: "length", "characters", "spaces", "reserved".
    """
    if not MIN_LENGTH <= len(pseudonym) <= MAX_LENGTH:
        return "length"
    for c in pseudonym:
        category = unicodedata.category(c)
        if c in SEPARATORS:
            continue
        # Letters, marks and digits only: no control, format (bidi, zero-width),
        # private-use, unassigned, symbol or other punctuation characters.
        if category[0] not in "LMN":
            return "characters"
    if "  " in pseudonym or not any(unicodedata.category(c)[0] in "LN" for c in pseudonym):
        return "characters"
    skel = skeleton(pseudonym)
    if len(skel) < 2:
        return "characters"
    exact, parts = _reserved()
    if skel in exact or any(part in skel for part in parts):
        return "reserved"
    return None


_NOUNS = (
    "Colibri",
    "Luciole",
    "Galet",
    "Nuage",
    "Tilleul",
    "Mesange",
    "Herisson",
    "Loutre",
    "Saule",
    "Phare",
    "Etoile",
    "Ruisseau",
    "Brindille",
    "Lueur",
    "Pivoine",
    "Renard",
    "Heron",
    "Bruyere",
    "Cerf",
    "Lavande",
)
_ADJECTIVES = (
    "Calme",
    "Paisible",
    "Tranquille",
    "Sage",
    "Libre",
    "Fidele",
    "Sensible",
    "Agile",
    "Celeste",
    "Tendre",
    "Brave",
    "Rose",
    "Solide",
    "Docile",
)


def suggestion() -> str:
    """A friendly random pseudonym, e.g. "LoutrePaisible27"."""
    return secrets.choice(_NOUNS) + secrets.choice(_ADJECTIVES) + str(secrets.randbelow(90) + 10)
