"""GET /search on both databases: who finds what, the index following every change, the
board filter, pages, and hostile queries (the query language itself: test_search_language).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from forum.accounts import blocks, data
from forum.boards import services
from forum.search import index
from models import PendingRevision, Post, PostStatus, User, db, set_status
from tests import factories
from tests.conftest import shared_path
from tests.scorers import LEXICON


def as_member(app, pseudonym: str | None = None) -> FlaskClient:  # type: ignore[no-untyped-def]
    """A browser that reads English (the new strings are not translated yet)."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if pseudonym:
        factories.login(browser, pseudonym)
    return browser


def found(response) -> list[int]:  # type: ignore[no-untyped-def]
    """The post ids the results link to, in order."""
    page = response.get_data(as_text=True)
    section = page.split('class="search-results"', 1)
    if len(section) < 2:
        return []
    return [int(n) for n in re.findall(r'href="/posts/(\d+)"', section[1].split("</ol>")[0])]


def search(browser: FlaskClient, q: str, **args: str) -> list[int]:
    response = browser.get("/search", query_string={"q": q, **args})
    assert response.status_code == 200, response.data[:300]
    return found(response)


# --- who finds what ------------------------------------------------------------------------


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    """Lou opens a public thread; Sam writes published, held, draft, removed and hidden
    replies and a held thread; a members-only board; an erased post. Mo moderates the
    board; Bea blocked Sam. Each text holds its own word."""
    with app.app_context():
        board = factories.board("deuil", name="Deuil")
        private = factories.board("entre-nous", name="Entre nous", members_only=True)
        lou, sam, mo, bea = (factories.user(n) for n in ("Lou", "Sam", "Mo", "Bea"))
        factories.moderator(board, mo)
        blocks.block(bea, sam.id)
        opened = factories.thread(board, lou, "Une rechute après l'hiver", "Texte motpublic.")
        ids = {"root": factories.root_post(opened).id}
        ids["motpublic"] = ids["root"]
        for name in ("motsam", "motheld", "motdraft", "motremoved", "mothidden", "moterased"):
            ids[name] = factories.reply(opened, sam, f"Réponse {name}.").id
        for name, status in (
            ("motheld", PostStatus.PENDING),
            ("motdraft", PostStatus.DRAFT),
            ("motremoved", PostStatus.REMOVED),
            ("mothidden", PostStatus.HIDDEN),
        ):
            set_status(db.session.get_one(Post, ids[name]), status)
        db.session.commit()
        services.delete_post(db.session.get_one(Post, ids["moterased"]))
        held = factories.thread(board, sam, "Titre motheldtitle", "Corps motheldthread.")
        set_status(factories.root_post(held), PostStatus.PENDING)
        ids["motheldthread"] = factories.root_post(held).id
        ids["motprive"] = factories.root_post(
            factories.thread(private, lou, "Privé", "Texte motprive.")
        ).id
        db.session.commit()
    return ids


EVERYONE = {None, "Lou", "Sam", "Mo", "Bea"}
EXPECTED = {
    "motpublic": EVERYONE,
    "motsam": EVERYONE - {"Bea"},  # Bea blocked Sam
    "motheld": {"Sam"},  # held: its author only, not even the moderator
    "motdraft": {"Sam"},
    "motheldthread": {"Sam"},
    "motheldtitle": {"Sam"},
    "motprive": EVERYONE - {None},
    "motremoved": set(),
    "mothidden": set(),
    "moterased": set(),
}


@pytest.mark.parametrize("who", sorted(EVERYONE, key=str))
def test_each_reader_finds_only_what_they_may_read(app, world, who):
    browser = as_member(app, who)
    for word, readers in EXPECTED.items():
        target = world["motheldthread" if word == "motheldtitle" else word]
        results = search(browser, word)
        if who in readers:
            assert results == [target], (word, who)
        else:
            assert results == [], (word, who)


def test_a_thread_title_finds_its_first_post(app, world):
    response = as_member(app).get("/search?q=rechutes")
    assert found(response) == [world["root"]]
    page = factories.text(response)
    assert "Une rechute après l'hiver" in page and "Deuil" in page and "<bdi>Lou</bdi>" in page


def test_accents_and_case_do_not_matter(app, world):
    browser = as_member(app)
    assert search(browser, "RECHUTE APRES") == [world["root"]]
    assert search(browser, "Hivér") == [world["root"]]


def test_a_held_post_shows_its_mark_to_its_author(app, world):
    response = as_member(app, "Sam").get("/search?q=motheld")
    assert "waiting for review" in factories.text(response)


# --- the index follows every change ----------------------------------------------------------


def test_the_index_follows_new_posts_edits_removals_erasures_and_departures(app):
    browser = as_member(app)
    with app.app_context():
        board = factories.board()
        lou, sam = factories.user("Lou"), factories.user("Sam")
        opened = factories.thread(board, lou, "Un sujet", "Le mot ancienmot ici.")
        root_id = factories.root_post(opened).id
        reply_id = factories.reply(opened, sam, "Le mot motretire ici.").id
        other_id = factories.reply(opened, sam, "Le mot motdepart ici.").id
        sam_id = sam.id
    assert search(browser, "ancienmot") == [root_id]
    assert search(browser, "motretire") == [reply_id]
    with app.app_context():
        services.edit_post(db.session.get_one(Post, root_id), "Le mot nouveaumot ici.")
    assert search(browser, "ancienmot") == []
    assert search(browser, "nouveaumot") == [root_id]
    with app.app_context():
        set_status(db.session.get_one(Post, reply_id), PostStatus.REMOVED)
        db.session.commit()
    assert search(browser, "motretire") == []
    with app.app_context():
        services.delete_post(db.session.get_one(Post, root_id))
    assert search(browser, "nouveaumot") == []
    assert search(browser, "motdepart") == [other_id]
    with app.app_context():
        data.erase(db.session.get_one(User, sam_id))
    assert search(browser, "motdepart") == []


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_an_edit_waiting_for_review_is_not_searchable(app):
    browser = as_member(app)
    with app.app_context():
        board = factories.board(quorum=1)
        lou = factories.user("Lou")
        post = factories.root_post(factories.thread(board, lou, "Un sujet", "Mot gardemot."))
        services.edit_post(post, "Mot attentemot, idiot.")
        assert db.session.get(PendingRevision, post.id) is not None
        post_id = post.id
    assert search(browser, "attentemot") == []
    assert search(browser, "gardemot") == [post_id]


# --- the board filter, pages and ranking ------------------------------------------------------


def test_board_filter_and_pages(app):
    with app.app_context():
        big, small = factories.board("grand", name="Grand"), factories.board("petit", name="Petit")
        private = factories.board("prive", members_only=True)
        lou = factories.user("Lou")
        opened = factories.thread(big, lou, "Grand fil", "motpage 0")
        in_big = [factories.root_post(opened).id]
        in_big += [factories.reply(opened, lou, f"motpage {i}").id for i in range(1, 25)]
        other = factories.thread(small, lou, "Petit fil", "motpage petit")
        in_small = [factories.root_post(other).id]
        factories.thread(private, lou, "Privé", "motpage privé")
    browser = as_member(app)
    assert sorted(search(browser, "motpage", board="petit")) == in_small
    first = browser.get("/search?q=motpage")
    assert len(found(first)) == index.PER_PAGE
    assert "26 results" in factories.text(first)
    assert 'href="/search?page=2&amp;q=motpage"' in first.get_data(as_text=True) or (
        "page=2" in first.get_data(as_text=True)
    )
    second = found(browser.get("/search?q=motpage&page=2"))
    assert sorted(found(first) + second) == sorted(in_big + in_small)
    assert browser.get("/search?q=motpage&page=3").status_code == 404
    # A members-only board is no filter for a visitor, and is not offered.
    assert browser.get("/search?q=motpage&board=prive").status_code == 404
    assert 'value="prive"' not in first.get_data(as_text=True)
    member = as_member(app, "Lou")
    assert len(search(member, "motpage", board="prive")) == 1


def test_more_matches_than_the_cap_ask_to_refine(app, monkeypatch):
    monkeypatch.setattr(index, "CAP", 5)
    with app.app_context():
        lou = factories.user("Lou")
        opened = factories.thread(factories.board(), lou, "Sujet", "motcap")
        for _ in range(7):
            factories.reply(opened, lou, "motcap encore")
    response = as_member(app).get("/search?q=motcap")
    assert len(found(response)) == 5
    assert "More than 5 results" in factories.text(response)


def test_more_relevant_posts_come_first(app):
    with app.app_context():
        lou = factories.user("Lou")
        opened = factories.thread(factories.board(), lou, "Sujet", "Rien ici.")
        many = factories.reply(opened, lou, "motrang motrang motrang, encore motrang.").id
        once = factories.reply(opened, lou, "motrang une fois, puis bien d'autres choses.").id
    assert search(as_member(app), "motrang") == [many, once]


def test_phrases_and_exclusions(app):
    with app.app_context():
        lou = factories.user("Lou")
        opened = factories.thread(factories.board(), lou, "Sujet", "Rien.")
        father = factories.reply(opened, lou, "Le deuil de mon père.").id
        work = factories.reply(opened, lou, "Le deuil et le travail.").id
        mixed = factories.reply(opened, lou, "Mon deuil, un père absent.").id
    browser = as_member(app)
    assert sorted(search(browser, "deuil")) == sorted([father, work, mixed])
    assert search(browser, '"deuil de mon père"') == [father]
    assert sorted(search(browser, "deuil -travail")) == sorted([father, mixed])
    assert sorted(search(browser, 'deuil -"père absent"')) == sorted([father, work])


# --- the page ---------------------------------------------------------------------------------


def test_every_page_has_a_search_box_and_the_search_page_is_not_indexed(app):
    browser = as_member(app)
    home = browser.get("/").get_data(as_text=True)
    assert re.search(r'<form role="search" method="get" action="/search"', home)
    assert re.search(r'<label for="site-search-q"[^>]*>', home) and 'name="q"' in home
    empty = browser.get("/search")
    page = empty.get_data(as_text=True)
    assert empty.status_code == 200
    assert '<meta name="robots" content="noindex">' in page and "<h1" in page
    assert "How to search" in page and "between quotes" in page


def test_the_query_is_kept_in_the_form(app, world):
    page = as_member(app).get('/search?q="mon+p%C3%A8re"+<b>').get_data(as_text=True)
    assert 'value="&#34;mon père&#34; &lt;b&gt;"' in page


class Excerpts(HTMLParser):
    """The tags inside each excerpt."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if self.depth:
            self.depth += 1
            self.tags.append(tag)
        elif tag == "p" and ("class", "excerpt") in attrs:
            self.depth = 1

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if self.depth:
            self.depth -= 1


def corpus(name: str) -> list[str]:
    path = shared_path("corpora", "security", name)
    if name.endswith(".json"):
        loaded = json.loads(path.read_text(encoding="utf-8"))
        items = loaded if isinstance(loaded, list) else [s for v in loaded.values() for s in v]
    else:
        items = path.read_text(encoding="utf-8").split("\n")
    return [s for s in items if isinstance(s, str) and s.strip()]


def test_excerpts_of_hostile_posts_hold_only_marks(app):
    payloads = corpus("xss_payloads.txt")[::4]
    with app.app_context():
        lou = factories.user("Lou")
        opened = factories.thread(factories.board(), lou, "Sujet", "motxss")
        for payload in payloads:
            factories.reply(opened, lou, f"motxss {payload} motxss"[:5000])
    browser = as_member(app)
    for number in (1, 2, 3):
        response = browser.get(f"/search?q=motxss&page={number}")
        if response.status_code == 404:
            break
        parser = Excerpts()
        parser.feed(response.get_data(as_text=True))
        assert set(parser.tags) <= {"mark"}, parser.tags


HOSTILE = [
    '"',
    "*",
    "NEAR(",
    "AND OR NOT",
    "^",
    ":",
    "(",
    ")",
    "-",
    "--",
    '-"',
    '""',
    "a*b",
    "\u200b\u200b",
    "\u202e\u2066",
    "x" * 10_000,
    "deuil " * 50,
    "a\x00b",
    "\x00",
    "%00",
    "'; DROP TABLE posts; --",
    "body:deuil",
    "NEAR(deuil pere, 2)",
    "!!deuil",
    "deuil <-> pere",
    "deuil & pere | x",
    "{deuil}",
    "\\",
    "'",
    "\t\n\r",
]


def test_hostile_queries_get_a_page_never_an_error(app, world):
    browser = as_member(app)
    for q in HOSTILE:
        response = browser.get("/search", query_string={"q": q})
        assert response.status_code in (200, 400), (q, response.status_code)
        assert "<h1" in response.get_data(as_text=True)
    assert browser.get("/search?q=%ED%A0%80%FF%C3").status_code in (200, 400)  # not UTF-8
    too_long = browser.get("/search", query_string={"q": "x" * 10_000})
    assert too_long.status_code == 400 and "too long" in factories.text(too_long)
    assert "nothing to look for" in factories.text(browser.get("/search?q=%E2%80%8B"))
    assert "very common words" in factories.text(browser.get("/search?q=le+de+mon"))
    for args in ("page=abc", "page=-1", "page=0", "page=99999999999", "page=%00"):
        response = browser.get(f"/search?q=rechute&{args}")
        assert response.status_code in (400, 404), args
    unknown = browser.get("/search?q=rechute&board=nowhere")
    assert unknown.status_code == 404 and "does not exist" in factories.text(unknown)


@pytest.mark.parametrize(
    "name", ["sqli_payloads.txt", "xss_payloads.txt", "naughty_strings_blns.json"]
)
def test_security_corpora_as_queries(app, world, name):
    browser = as_member(app, "Lou")
    for q in corpus(name):
        response = browser.get("/search", query_string={"q": q})
        assert response.status_code in (200, 400), (q, response.status_code)
