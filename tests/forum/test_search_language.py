"""The search language and the excerpts, without a database: what a query becomes, and
that no typed text reaches FTS5 or tsquery syntax."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from forum.search.excerpts import excerpt, plain
from forum.search.query import (
    MAX_CHARS,
    MAX_TERMS,
    Problem,
    fts5_excluded,
    fts5_match,
    parse,
    variants,
    websearch,
)


def test_words_phrases_and_exclusions():
    query = parse('deuil "mon père" -travail -"fin de vie" Rechute')
    assert query.ok
    assert query.words == ("deuil", "rechute")
    assert query.phrases == (("mon", "père"),)
    assert query.excluded_words == ("travail",)
    assert query.excluded_phrases == (("fin", "de", "vie"),)


def test_common_words_are_dropped_from_words_but_kept_in_phrases():
    query = parse("le deuil de mon père The")
    assert query.words == ("deuil", "père")
    assert set(query.dropped) == {"le", "de", "mon", "the"}
    assert parse('"de mon père"').phrases == (("de", "mon", "père"),)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("le la de mon the and", Problem.ONLY_COMMON),
        ('"le la"', Problem.ONLY_COMMON),
        ("-rechute", Problem.ONLY_EXCLUDED),
        ("\u200b\u200e\u2066", Problem.EMPTY),
        ("*** ^^^ ::: ((( )))", Problem.EMPTY),
        ('"', Problem.EMPTY),
        ("x" * (MAX_CHARS + 1), Problem.TOO_LONG),
        ("x" * 10_000, Problem.TOO_LONG),
        (" ".join(f"mot{i}" for i in range(MAX_TERMS + 1)), Problem.TOO_MANY),
    ],
)
def test_queries_that_cannot_run_say_why(raw, problem):
    assert parse(raw).problem == problem


def test_elisions_and_hyphens():
    assert parse("l'enfant").words == ("enfant",)
    assert parse("aujourd'hui").phrases == (("aujourd", "hui"),)
    assert parse("peut-être").phrases == (("peut", "être"),)
    assert parse("rechute-").words == ("rechute",)


def test_invisible_and_control_characters_are_not_part_of_words():
    assert parse("re\u200bchute\x00 deuil\u00ad").words == ("rechute", "deuil")


@pytest.mark.parametrize(
    "raw",
    [
        '"',
        "*",
        "NEAR(",
        "AND OR NOT",
        "^",
        ":",
        "(",
        'a" OR "b',
        "body:x",
        "x*",
        "a NEAR/2 b",
        "'; DROP TABLE posts; --",
        "!!deuil <-> pere",
        "deuil & | ! pere",
        '"""deuil"""',
    ],
)
def test_fts_and_tsquery_syntax_is_only_text(raw):
    query = parse(raw)
    if not query.ok:
        return
    match = fts5_match(query)
    # Every term is a quoted string; outside strings only our operators and brackets.
    outside = re.sub(r'"(?:[^"]|"")*"', "", match)
    assert set(outside.replace("AND", "").replace("OR", "").replace("NOT", "")) <= set("() ")
    web = websearch(query)
    assert set(re.sub(r'"[^"]*"', "", web)) <= set(" -")


def test_fts5_expression_shape():
    query = parse('rechute "mon père" -travail')
    assert fts5_match(query) == (
        '(("rechute" OR "rechutes" OR "rechutee" OR "rechutees") AND "mon père")'
        ' NOT (("travail" OR "travails" OR "travaile" OR "travailes"))'
    )
    assert fts5_excluded(query).startswith('(("travail"')
    assert websearch(query) == '"rechute" "mon père" -"travail"'


def test_short_words_are_matched_whole_longer_ones_in_their_plural_and_feminine_forms():
    assert variants("mal") == ("mal",)
    assert "rechutes" in variants("rechute")
    assert "rechute" in variants("rechutes")
    assert "cheveu" in variants("cheveux")


# --- excerpts -------------------------------------------------------------------------------


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)


def tags_of(fragment: str) -> list[str]:
    parser = Tags()
    parser.feed(fragment)
    return parser.tags


def test_matches_are_marked_accent_and_case_insensitively_and_as_prefixes():
    terms = parse("pere RECHUTE").highlight_terms()
    out = excerpt("Mon Père a fait des rechutes.", terms)
    assert isinstance(out, Markup)
    assert str(out) == "Mon <mark>Père</mark> a fait des <mark>rechutes</mark>."


def test_a_phrase_is_marked_as_a_whole():
    out = excerpt(
        "Depuis le deuil de mon père, je dors mal.", parse('"mon pere"').highlight_terms()
    )
    assert "<mark>mon père</mark>" in str(out)


def test_markup_is_escaped_and_only_mark_remains():
    body = (
        '<img src=x onerror=alert(1)> rechute <script>alert("x")</script> & "quotes" '
        "[lien](javascript:alert(1)) **gras** rechute"
    )
    out = str(excerpt(body, parse("rechute").highlight_terms()))
    assert set(tags_of(out)) == {"mark"}
    assert "javascript" not in out and "**" not in out
    assert "&amp;" in out


def test_the_window_is_around_the_first_match():
    body = ("avant " * 200) + "le mot rechute ici " + ("après " * 200)
    out = str(excerpt(body, parse("rechute").highlight_terms()))
    assert "<mark>rechute</mark>" in out
    assert out.startswith("…") and out.endswith("…")
    assert len(out) < 400


def test_plain_drops_markdown():
    assert plain("# Titre\n\n- **un** _deux_ `trois`\n> cité") == "Titre un deux trois cité"
