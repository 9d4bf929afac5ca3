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
_TOKEN = re.compile(r"[^\W_]+")


def plain(markdown: str) -> str:
    text = _LINK.sub(r"\1", markdown)
    text = _TAG.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    return " ".join(text.split())


@lru_cache(maxsize=16384)
def _folded(token: str) -> str:
    return token.lower() if token.isascii() else fold(token)


def _matches(text: str, terms: list[tuple[tuple[str, ...], bool]]) -> list[tuple[int, int]]:
    """Character spans that match a term (a word, or a phrase's run of words), up to the
    end of the window that the first one opens."""
    prefixes = tuple(words[0] for words, prefix in terms if prefix and len(words) == 1)
    exact = {words[0] for words, prefix in terms if not prefix and len(words) == 1}
    phrases = [words for words in (w for w, _ in terms) if len(words) > 1]
    starts = {words[0] for words in phrases}
    tokens = [(m.start(), m.end(), _folded(m.group())) for m in _TOKEN.finditer(text)]
    spans: list[tuple[int, int]] = []
    stop = len(text)
    for i, (start, end, token) in enumerate(tokens):
        if start >= stop:
            break
        span = None
        if token in starts:
            for words in phrases:
                run = tokens[i : i + len(words)]
                if [t[2] for t in run] == list(words):
                    span = (start, run[-1][1])
                    break
        if span is None and (token in exact or (prefixes and token.startswith(prefixes))):
            span = (start, end)
        if span is not None:
            if not spans:
                stop = max(0, start - BEFORE) + WINDOW
            spans.append(span)
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
