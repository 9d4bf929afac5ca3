"""Invitation codes: 8 characters a facilitator can read aloud and a phone can type.

The alphabet leaves out what is easily misread (0/O, 1/I/L): 31 characters, so a code is
one of 31^8 (about 8.5 * 10^11), drawn with `secrets`. A code is stored without separators
and shown as XXXX-XXXX. What people type is read case-insensitively, spaces and dashes
ignored; anything else (another length, other characters, anything outside ASCII) is
simply not a code.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
# Typed or pasted between the two halves: spaces, the ASCII dash, and the no-break spaces
# and dashes a phone's keyboard or a copied page may put there instead.
SEPARATORS = frozenset(" \t-\u00a0\u202f\u2010\u2011\u2012\u2013\u2014\u2212")
# Longer than any way of typing a code: refused before looking at it.
MAX_TYPED = 32
_ALLOWED = frozenset(ALPHABET)


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(typed: object) -> str | None:
    """The code as stored, or None when `typed` cannot be one."""
    if not isinstance(typed, str) or len(typed) > MAX_TYPED:
        return None
    kept = "".join(c for c in typed if c not in SEPARATORS)
    # ASCII first: str.upper() turns some other letters into ASCII ones ("ſ" into "S").
    if len(kept) != LENGTH or not kept.isascii():
        return None
    code = kept.upper()
    return code if set(code) <= _ALLOWED else None


def display(code: str) -> str:
    """ "ABCD-EF23": two groups of four, easier to read aloud and to copy."""
    half = LENGTH // 2
    return f"{code[:half]}-{code[half:]}"
