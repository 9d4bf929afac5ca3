"""Markdown to safe HTML. `sanitize_html` is the only producer of markup marked safe."""

from __future__ import annotations

from functools import lru_cache, partial

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a",
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "ol": ["start"],
    "th": ["align"],
    "td": ["align"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https"})
LINK_REL = "nofollow ugc noopener"
# Deeper Markdown nesting (quotes in lists in quotes...) is rendered as plain text,
# which bounds the work any single post can cause.
MAX_NESTING = 20


def _set_rel(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = LINK_REL
    attrs.pop((None, "target"), None)
    return attrs


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "maxNesting": MAX_NESTING})
    md.enable("table").enable("strikethrough")
    # Images would make every reader's browser fetch a third-party address.
    md.disable("image")
    return md


@lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre", "code"}, parse_email=False
            )
        ],
    )


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; links get rel=nofollow ugc."""
    return _cleaner().clean(html)


def render_markdown(text: str) -> str:
    """Member-written Markdown (raw HTML off) to sanitised HTML, done once when a post is saved."""
    return sanitize_html(_markdown().render(text))
