"""Redirect targets: `next` only ever leads to a path on this site."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a same-site path, else None.

    Refused: absolute and scheme-relative URLs, backslashes (browsers read them as
    slashes), control characters, and anything that decodes to one of those.
    """
    if not target or len(target) > 2048:
        return None
    decoded = target
    for _ in range(3):  # look through percent-encoding, including double encoding
        decoded = unquote(decoded)
    for candidate in (target, decoded):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
        if "\\" in candidate or any(ord(c) < 32 or ord(c) == 127 for c in candidate):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target
