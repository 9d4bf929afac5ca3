"""Where a request asks to go: `next` only ever leads to a path on this site; `page` is a
page number or 0 (which every paged view answers with a 404)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import request


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


def page_number() -> int:
    """The `page` query parameter as a number; 0 when it is not a small positive integer."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 9 else 0
