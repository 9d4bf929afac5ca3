"""Pseudonym rules: normalised, readable, and impossible to confuse with another.

Two pseudonyms are the same identity when their *skeletons* match. The skeleton follows
Unicode UTS #39 (confusable detection) with the data shipped by `confusable_homoglyphs`,
made a little stricter for a small community: case, accents and the separators
" -_.'" are ignored, so "Аlice" (Cyrillic А), "alice", "Alicé" and "A.lice" collide.

Invisible characters (zero-width, bidi, fillers such as U+3164, the combining grapheme
joiner, variation selectors) are refused outright, before any other rule: a combining
grapheme joiner (U+034F) after the "m" of "moderator" shows nothing, and would pass. The
labels the interface shows in place of a person ("ancien membre", "former member", the
moderators, the team's notices...) are reserved.
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache

from moderation.rules import confusables, normalise

MIN_LENGTH = 3
MAX_LENGTH = 32
SEPARATORS = frozenset(" -_.'")

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
    "anon",
    "deleted",
    "supprime",
    "supprimee",
    "null",
    "none",
    # Labels the interface itself shows in place of a person (templates, forum/templating.py):
    # an erased member's posts, the team's notices, the moderators, a deleted message.
    "ancien membre",
    "ancienne membre",
    "former member",
    "membre supprime",
    "deleted member",
    "compte supprime",
    "deleted account",
    "deleted user",
    "utilisateur supprime",
    "message supprime",
    "message deleted",
    "membre anonyme",
    "anonymous member",
    "avis de l'equipe",
    "l'equipe",
    "the team",
    "notices",
    "notifications",
    "mes fils",
    "my threads",
    "sans reponse",
    "mod",
    "mods",
    "mod team",
    "moderation",
    "moderators",
)
# ...or contains one of these.
RESERVED_PARTS = (
    "admin",
    "moderat",
    "entrenous",
    "system",
    "ancienmembre",
    "anciennemembre",
    "formermember",
    "modteam",
)


def normalize(raw: str) -> str:
    """NFKC and outer whitespace removed: the form a pseudonym is stored and shown in."""
    return unicodedata.normalize("NFKC", raw).strip()


def identity_key(pseudonym: str) -> str:
    """Case-insensitive key used to log in and for exact uniqueness."""
    return normalize(pseudonym).casefold()


def skeleton(pseudonym: str) -> str:
    table = confusables.prototypes()
    # Invisible characters are refused (see `problem`); they are dropped here too, so that
    # a look-alike with one inside can never be told apart from the name it copies.
    # Mapped before and after folding case, so a capital I reads as the l it looks like
    # and a Cyrillic а as the a it looks like.
    visible = normalise.without_invisible(normalize(pseudonym))
    text = unicodedata.normalize("NFD", visible)
    mapped = unicodedata.normalize("NFD", "".join(table.get(c, c) for c in text))
    mapped = "".join(table.get(c, c) for c in mapped.casefold())
    # UTS #39 links 0 with O but not with o; once case is folded they must meet.
    mapped = mapped.replace("0", "o")
    return "".join(c for c in mapped if not unicodedata.combining(c) and c not in SEPARATORS)


def invisible(pseudonym: str) -> list[str]:
    """The invisible, format (bidi, zero-width), filler and variation-selector characters
    of a pseudonym, each once: none is allowed."""
    found = normalise.invisible_characters(pseudonym)
    return found + [c for c in pseudonym if unicodedata.category(c) == "Cf" and c not in found]


@lru_cache(maxsize=1)
def _reserved() -> tuple[frozenset[str], tuple[str, ...]]:
    return frozenset(skeleton(w) for w in RESERVED), tuple(skeleton(w) for w in RESERVED_PARTS)


def problem(pseudonym: str) -> str | None:
    """Why this (normalised) pseudonym cannot be used, as a message key, or None.

    Keys: "invisible", "length", "characters", "reserved". Invisible characters come first:
    "moderator", "admin" or "ModTeam" with a combining grapheme joiner (U+034F), a variation
    selector (U+FE0F) or a Hangul filler (U+3164) inside read as the name they hide.
    """
    if invisible(pseudonym):
        return "invisible"
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
