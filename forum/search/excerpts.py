"""Excerpts: a window of a post's text around the first match, the matched words marked.

The text is the post's Markdown source made plain (markup characters dropped). Every
piece is escaped with markupsafe before <mark> is put around the matches, so whatever a
post holds, the only markup in an excerpt is ours. Matching folds case and accents
(NFKD, combining marks dropped, casefold) and treats long words as prefixes, as the
index does.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from .query import fold

WINDOW = 240
BEFORE = 60  # characters of context kept before the first match

# Markdown's markup characters, link targets and HTML-looking tags: not words anyone wrote.
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>\n]{0,200}>")
_MARKUP = re.compile(r"[*_`~#>|\\]+|^\s*(?:[-+]|\d+[.)])\s+", re.MULTILINE)


def plain(markdown: str) -> str:
    text = _LINK.sub(r"\1", markdown)
    text = _TAG.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    return " ".join(text.split())


class _Folding(dict[int, str]):
    """Character -> its folded form when that is one character ("É" -> "e"), else itself:
    the folded text keeps the original's length, so a match's span in one is its span in
    the other. Filled as characters are met (str.translate asks for each one)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = fold(char)
        value = folded if len(folded) == 1 else char
        self[code] = value
        return value


_FOLDING = _Folding()
# Letters and digits, as the index splits words: a term starts and ends at their edges.
_START, _END = r"(?<![^\W_])", r"(?![^\W_])"


@lru_cache(maxsize=256)
def _pattern(terms: tuple[tuple[tuple[str, ...], bool], ...]) -> re.Pattern[str] | None:
    """One expression for every term, on folded text: phrases first (the longest match
    wins), a long word as a prefix, a short one whole."""
    alternatives = []
    for words, prefix in sorted(terms, key=lambda term: -len(term[0])):
        if not words:
            continue
        body = r"[\W_]+".join(re.escape(word) for word in words)
        alternatives.append(body + (r"[^\W_]*" if prefix and len(words) == 1 else _END))
    if not alternatives:
        return None
    return re.compile(_START + "(?:" + "|".join(alternatives) + ")")


def _matches(text: str, terms: list[tuple[tuple[str, ...], bool]]) -> list[tuple[int, int]]:
    """Character spans that match a term (a word, or a phrase's run of words), up to the
    end of the window that the first one opens."""
    pattern = _pattern(tuple(terms))
    if pattern is None:
        return []
    spans: list[tuple[int, int]] = []
    stop = len(text)
    for found in pattern.finditer(text.translate(_FOLDING)):
        if found.start() >= stop:
            break
        if not spans:
            stop = max(0, found.start() - BEFORE) + WINDOW
        spans.append(found.span())
    return spans


def excerpt(markdown: str, terms: list[tuple[tuple[str, ...], bool]]) -> Markup:
    """About WINDOW characters around the first match, escaped, matches in <mark>."""
    text = plain(markdown)
    spans = _matches(text, terms)
    start = 0
    if spans and spans[0][0] > BEFORE:
        start = spans[0][0] - BEFORE
        # Begin at a word boundary.
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + WINDOW)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    out = Markup("…") if start > 0 else Markup("")
    cursor = start
    for span_start, span_end in spans:
        if span_start < cursor or span_start >= end:
            continue
        span_end = min(span_end, end)
        out += escape(text[cursor:span_start])
        out += Markup("<mark>") + escape(text[span_start:span_end]) + Markup("</mark>")
        cursor = span_end
    out += escape(text[cursor:end])
    if end < len(text):
        out += Markup("…")
    return out
