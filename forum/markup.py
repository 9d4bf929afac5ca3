"""Markdown to safe HTML. `sanitize_html` is the only producer of markup marked safe."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache, partial
from html import escape

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table as gfm_table
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "a",
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "del",
        "s",  # markdown-it's ~~strikethrough~~
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
# The rest of the work a post can cause, measured in bench/markup_bench.py: markdown-it and
# bleach spend 10 to 50 µs on each element or escaped character, and 20,000 characters can
# ask for 60,000 of them. Past these limits a post is shown as typed, in a preformatted
# block: every word is kept, its Markdown is not applied. Real posts stay far below them.
MAX_LINES = 2_000
MAX_MARKS = 3_000  # * _ ~ [ ] ` < & in the source: each opens an element or an entity
MAX_TOKENS = 3_000  # elements and runs of text, once parsed
# A table fills every short row up to its header's width: 100 columns and 100 one-letter
# rows make 10,000 cells. Cells beyond this budget (per post) stay text.
MAX_TABLE_CELLS = 1_000


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
    md.block.ruler.at("table", _bounded_table, {"alt": ["paragraph", "reference"]})
    tokenize = md.block.tokenize

    def flattening_tokenize(state: StateBlock, start: int, end: int) -> None:
        if state.level >= MAX_NESTING:
            _flatten(state, start, end)
        else:
            tokenize(state, start, end)

    # Block rules (quotes, lists) nest through md.block.tokenize: past the cap, markdown-it
    # itself would drop the rest of the container, text included.
    md.block.tokenize = flattening_tokenize  # type: ignore[method-assign,assignment]
    # Only & and < need escaping in text that bleach parses again, and each entity costs
    # bleach as much as an element: > and " stay as they are (bleach writes > as &gt;).
    md.add_render_rule("text", _text)
    return md


def _flatten(state: StateBlock, start: int, end: int) -> None:
    """The lines of a container nested past MAX_NESTING, as one paragraph of text."""
    line = start
    while line < end and (state.isEmpty(line) or state.sCount[line] >= state.blkIndent):
        line += 1
    if line == start:
        return
    state.push("paragraph_open", "p", 1).map = [start, line]
    inline = state.push("inline", "", 0)
    inline.content = state.getLines(start, line, state.blkIndent, False).strip()
    inline.map = [start, line]
    inline.children = []
    state.push("paragraph_close", "p", -1)
    state.line = line


def _bounded_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A GFM table, while the post's cell budget lasts; the rows beyond it stay text."""
    if silent:
        return gfm_table(state, start, end, silent)
    left = state.env.get("table_cells_left", MAX_TABLE_CELLS)
    header = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
    columns = header.count("|") + 1
    rows = left // columns - 1  # the header row counts too
    if rows < 0 or not gfm_table(state, start, min(end, start + 2 + rows), silent):
        return False
    state.env["table_cells_left"] = left - columns * (state.line - start - 1)
    return True


def _text(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    return tokens[idx].content.replace("&", "&amp;").replace("<", "&lt;")


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
    """Member-written Markdown (raw HTML off) to sanitised HTML, done once when a post is saved.

    Past the limits above, the post is shown as typed: the work per post stays bounded.
    """
    md = _markdown()
    if text.count("\n") > MAX_LINES or sum(map(text.count, "*_~[]`<&")) > MAX_MARKS:
        return as_typed(text)
    env: dict = {}
    tokens = md.parse(text, env)
    if len(tokens) + sum(len(token.children or ()) for token in tokens) > MAX_TOKENS:
        return as_typed(text)
    return sanitize_html(md.renderer.render(tokens, md.options, env))


def as_typed(text: str) -> str:
    """The text in a preformatted block, every character escaped.

    The one output of this module that bleach does not read: it holds no markup to clean,
    links are not made in <pre> anyway, and bleach would spend 10 µs on each escaped < or &
    (200 ms for a post of 20,000) to give back the same string.
    """
    return f"<pre>{escape(text)}</pre>\n"
