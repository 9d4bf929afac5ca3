"""Huge and deep Markdown: the work per post is bounded, and nothing the member wrote is lost.

Nesting past MAX_NESTING is flattened into text; a post past the other limits is shown as
typed. bench/markup_bench.py measures the worst cases; these tests pin the behaviour.
"""

from __future__ import annotations

import html
import re
import time
from html.parser import HTMLParser

import pytest

from forum.boards.forms import BODY_MAX
from forum.markup import (
    MAX_NESTING,
    MAX_TABLE_CELLS,
    as_typed,
    render_markdown,
    sanitize_html,
)

NESTING_TAGS = {"blockquote", "ul", "ol"}


class Reader(HTMLParser):
    """The deepest nesting of quotes and lists, the text, and the tags of some HTML."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.depth = 0
        self.text: list[str] = []
        self.tags: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)
        if tag in NESTING_TAGS:
            self.open.append(tag)
            self.depth = max(self.depth, len(self.open))

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in NESTING_TAGS:
            assert self.open.pop() == tag

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


DEEP = [
    pytest.param(">" * 10_000 + " fond du puits", id="10,000 quotes"),
    pytest.param("- " * 9_990 + "fond du puits", id="10,000 lists"),
    pytest.param("* " * 9_990 + "fond du puits", id="10,000 starred lists"),
    pytest.param("> - " * 4_990 + "fond du puits", id="quotes and lists"),
    pytest.param("> " * 9_900 + "fond\n> " + "> " * 9 + "du puits", id="quote, two lines"),
    pytest.param(
        "".join(">" * n + f" ligne {n}\n" for n in range(1, 150)), id="one more quote per line"
    ),
    pytest.param(
        "".join("  " * n + f"- point {n}\n" for n in range(120)), id="indented list items"
    ),
    pytest.param("".join("> " * n + f"- point {n}\n" for n in range(1, 110)), id="lists in quotes"),
    pytest.param(
        "- a\n" + "".join("  " * n + f"> - point {n}\n" for n in range(1, 60)) + "\nfin",
        id="deep, then a paragraph",
    ),
]


@pytest.mark.parametrize("body", DEEP)
def test_deep_nesting_is_flattened_and_the_text_is_kept(body):
    assert len(body) <= BODY_MAX
    page = Reader(render_markdown(body))
    assert page.depth <= MAX_NESTING
    assert words("".join(page.text)) == words(body)


def test_quote_markers_past_the_cap_stay_as_text():
    page = Reader(render_markdown(">" * 10_000 + " fin"))
    assert page.depth == MAX_NESTING
    assert "".join(page.text).strip() == ">" * (10_000 - MAX_NESTING) + " fin"


def test_ordered_lists_past_the_cap_stay_as_text():
    page = Reader(render_markdown("1. " * 6_600 + "fin"))
    text = "".join(page.text)
    assert 0 < page.depth <= MAX_NESTING
    assert text.rstrip().endswith("fin")
    assert text.count("1.") >= 6_600 - MAX_NESTING


def test_text_after_a_deep_quote_keeps_its_own_structure():
    page = Reader(render_markdown(">" * 50 + " au fond\n\n- après\n- encore"))
    assert "ul" in page.tags
    assert words("".join(page.text)) == ["au", "fond", "après", "encore"]


HUGE = [
    pytest.param("[" * BODY_MAX, id="20,000 ["),
    pytest.param("*_" * (BODY_MAX // 2), id="alternating *_"),
    pytest.param(("*a **b " * 1_300 + "** c*" * 1_300)[:BODY_MAX], id="deep emphasis"),
    pytest.param("[a](" * (BODY_MAX // 4), id="unclosed links"),
    pytest.param("# titre\n" * (BODY_MAX // 8), id="headings"),
    pytest.param("<" * BODY_MAX, id="20,000 <"),
    pytest.param("&" * BODY_MAX, id="20,000 &"),
    pytest.param("` `` ``` " * (BODY_MAX // 9), id="backticks"),
    pytest.param("[r]: /u\n" * 1_000 + "[r] " * 2_500, id="reference links"),
    pytest.param("|a|b|\n|-|-|\n" + "|c|d|\n" * 3_300, id="long table"),
    pytest.param("<http://a.co/> " * (BODY_MAX // 15), id="autolinks"),
]


@pytest.mark.parametrize("body", HUGE)
def test_a_huge_post_renders_quickly_and_whole(body):
    body = body[:BODY_MAX]
    start = time.process_time()
    out = render_markdown(body)
    # Under 100 ms of CPU in bench/markup_bench.py; seconds before the limits.
    assert time.process_time() - start < 1.0
    assert words(html.unescape(re.sub(r"<[^>]*>", "", out))) == words(body)


def test_past_the_limits_a_post_is_shown_as_typed():
    body = "**gras** " * 2_000
    assert render_markdown(body) == as_typed(body)
    assert Reader(render_markdown(body)).tags == ["pre"]


def test_what_is_shown_as_typed_is_what_bleach_would_give_back():
    for body in (
        "<script>alert(\"x\")</script> <img src=x onerror=alert(1)> & &amp; 'q'",
        'javascript:alert(1) <a href="javascript:alert(1)">x</a> http://a.co/?a=1&b=2',
        "]]><!-- --><![CDATA[ x ]]> <style>*{}</style> &#x3c;script&#x3e;",
    ):
        assert sanitize_html(as_typed(body)) == as_typed(body)
        assert "".join(Reader(as_typed(body)).text) == body + "\n"


def test_a_wide_table_is_cut_to_the_cell_budget_and_the_rest_kept_as_text():
    body = "|" + "a|" * 300 + "\n|" + "-|" * 300 + "\n" + "x\n" * 20
    out = render_markdown(body)
    assert out.count("<td") + out.count("<th") <= MAX_TABLE_CELLS
    assert words("".join(Reader(out).text)) == words(body)


def test_ordinary_markdown_is_still_rendered():
    out = render_markdown(
        "*un* **deux** ~~trois~~ `quatre` [cinq](https://example.org)\n\n"
        "> six\n\n- sept\n- huit\n\n1. neuf\n\n| a | b |\n|---|---|\n| c | d |\n"
    )
    tags = set(Reader(out).tags)
    assert {"em", "strong", "s", "code", "a", "blockquote", "ul", "ol", "table"} <= tags
    assert 'rel="nofollow ugc noopener"' in out
