"""Invisible characters on the pages (issue 16): a title or a pseudonym cannot reverse the
line around it, and a title or a message that shows nothing is refused with the form back.
The text that is accepted is stored exactly as typed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from models import Post, Thread, User, db
from moderation.rules import normalise
from tests import factories
from tests.conftest import shared_path
from tests.forum.test_security_corpora import Page

RLO = "\u202e"
TITLE = f"Besoin d'aide {RLO}tsoP ecnalob"  # an override: the rest of its line would turn
NAME = "שלום ליאור"  # right-to-left letters: numbers and dots after them would move


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    parent: Node | None
    text: list[str] = field(default_factory=list)

    def isolates(self) -> bool:
        return self.tag == "bdi" or (self.attrs.get("dir") or "").lower() == "auto"


class Isolation(HTMLParser):
    """For each piece of text of a page, the innermost element that isolates it from the
    line around it (a <bdi>, or an element with dir="auto"), if any."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col", "area"}

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Node] = []
        self.data: list[tuple[str, Node | None]] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(Node(tag, dict(attrs), self.stack[-1] if self.stack else None))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        for node in self.stack:
            node.text.append(data)
        if any(node.tag == "title" for node in self.stack):
            return  # the browser's tab: no markup there
        isolating = next((n for n in reversed(self.stack) if n.isolates()), None)
        self.data.append((data, isolating))

    def isolated(self, text: str) -> list[bool]:
        """For each place the text appears in: whether an isolating element ends with it, so
        that a direction override inside can reach nothing of the page after it."""
        return [
            node is not None and "".join(node.text).rstrip().endswith(text)
            for data, node in self.data
            if text in data
        ]


def shown(page: Isolation, text: str) -> list[bool]:
    places = page.isolated(text)
    assert places, f"{text!r} is not on the page"
    return places


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        board = factories.board()
        author = factories.user(NAME)
        thread = factories.thread(board, author, TITLE, "Bonjour à toutes et tous.")
        return {"slug": board.slug, "thread": thread.id}


def test_a_right_to_left_override_in_a_title_stays_inside_it_on_the_board_page(client, world):
    page = Isolation(client.get(f"/boards/{world['slug']}").get_data(as_text=True))
    assert shown(page, TITLE) == [True]
    assert shown(page, NAME) == [True]


def test_titles_and_pseudonyms_are_isolated_on_every_page_that_shows_them(app, client, world):
    with app.app_context():
        sam = factories.user("Sam")
        thread = db.session.get_one(Thread, world["thread"])
        factories.reply(thread, sam, "Je suis là.")
    factories.login(client, "Sam")
    pages = {
        "/": [TITLE],
        f"/boards/{world['slug']}": [TITLE, NAME],
        f"/threads/{world['thread']}": [TITLE, NAME, "Sam"],
        f"/threads/{world['thread']}/reply": [TITLE],
        "/me": ["Sam"],
    }
    for url, texts in pages.items():
        page = Isolation(client.get(url).get_data(as_text=True))
        for text in texts:
            assert all(shown(page, text)), (url, text)


def test_a_content_warning_and_an_excerpt_are_isolated_for_moderators(app, client, world):
    warning = f"deuil {RLO}kcab"
    body = f"Je veux mourir ce soir. {RLO}ecnalob"  # a crisis: published and queued at once
    with app.app_context():
        factories.user("Lou")
        factories.moderator(world["slug"], factories.user("Ana", locale="en"))
    factories.login(client, "Lou")
    response = client.post(
        f"/boards/{world['slug']}/new",
        data={"title": "Ce soir", "body": body, "content_warning": warning, "confirm": "1"},
    )
    assert response.status_code == 302
    client.post("/logout")
    page = Isolation(client.get(f"/boards/{world['slug']}").get_data(as_text=True))
    assert all(shown(page, warning))
    factories.login(client, "Ana")
    page = Isolation(client.get("/moderation").get_data(as_text=True))
    excerpts = [node for data, node in page.data if "Je veux mourir" in data]
    assert excerpts and all(node is not None for node in excerpts)
    assert all(shown(page, warning))


# --- text that shows nothing ---------------------------------------------------------------

NOTHING = [
    pytest.param("\u200b\u200b\u200b", id="zero-width-spaces"),
    pytest.param("\u3164\u3164", id="hangul-fillers"),
    pytest.param("\u2800 \u2800", id="braille-blanks"),
    pytest.param(f"{RLO}\u2066\u2069", id="bidi-controls"),
    pytest.param("\ufeff \u034f\ufe0f", id="bom-cgj-variation-selector"),
    pytest.param("\u00ad\u2060\U000e0041", id="soft-hyphen-word-joiner-tag"),
]


def signed_in_member(app, client) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        author = factories.user()
        pseudonym, author_id = author.pseudonym, author.id
    factories.login(client, pseudonym)
    return author_id


def counts(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Post)),
            db.session.scalar(select(func.count()).select_from(Thread)),
        )


@pytest.mark.parametrize("nothing", NOTHING)
def test_a_title_or_a_message_that_shows_nothing_is_refused_with_the_form_back(
    app, client, nothing
):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    author_id = signed_in_member(app, client)
    with app.app_context():
        board = factories.board()
        slug = board.slug
        thread_id = factories.thread(board, db.session.get_one(User, author_id)).id
    before = counts(app)
    attempts = [
        (f"/boards/{slug}/new", {"title": nothing, "body": "Bonjour à tous."}, "title"),
        (f"/boards/{slug}/new", {"title": "Un sujet", "body": nothing}, "body"),
        (f"/threads/{thread_id}/reply", {"body": nothing}, "body"),
        (
            f"/threads/{thread_id}/reply",
            {"body": "Bonjour.", "content_warning": nothing},
            "content_warning",
        ),
    ]
    for url, data, refused in attempts:
        response = client.post(url, data={**data, "confirm": "1"})
        assert response.status_code == 400, (url, data)
        page = Page(response.get_data(as_text=True))
        errors = page.find_all("ul", cls="errors", id=f"{refused}-errors")
        assert errors and "only invisible characters" in errors[0].text, (url, refused)
        # The member's words come back in the form, as typed.
        assert page.textarea("body") == data["body"]
        if "title" in data:
            assert page.input_value("title") == data["title"]
        if "content_warning" in data:
            assert page.input_value("content_warning") == data["content_warning"]
    assert counts(app) == before


def test_the_refusal_is_in_french_too(app, client):
    signed_in_member(app, client)
    with app.app_context():
        slug = factories.board().slug
    response = client.post(f"/boards/{slug}/new", data={"title": "\u200b", "body": "Bonjour."})
    assert response.status_code == 400
    assert "ne contient que des caractères invisibles" in factories.text(response)


def test_a_message_with_invisible_characters_among_words_is_stored_as_typed(app, client):
    body = "Bon\u200bjour, je m'appelle Lou\u3164\u2800 et je vais bien\ufe0f. \u202ecidi"
    title = "Un\u2060 sujet \u034fà moi"
    signed_in_member(app, client)
    with app.app_context():
        slug = factories.board().slug
    response = client.post(
        f"/boards/{slug}/new", data={"title": title, "body": body, "confirm": "1"}
    )
    assert response.status_code == 302
    with app.app_context():
        thread = db.session.scalars(select(Thread)).one()
        post = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).one()
        assert (thread.title, post.body) == (title, body)


def test_the_corpus_strings_that_show_nothing_are_refused_and_the_others_kept(app, client):
    """The naughty-strings corpus: a string that shows nothing is refused, any other one is
    stored exactly as typed (tests/forum/test_security_corpora.py posts them all)."""
    path = shared_path("corpora", "security", "naughty_strings_blns.json")
    strings = [s for s in json.loads(path.read_text(encoding="utf-8")) if isinstance(s, str)]
    blank = [s for s in strings if s.strip() and not normalise.visible(s)]
    odd = [s for s in strings if normalise.visible(s) and normalise.invisible_characters(s)]
    assert blank and odd
    author_id = signed_in_member(app, client)
    with app.app_context():
        board = factories.board()
        thread_id = factories.thread(board, db.session.get_one(User, author_id)).id
    before = counts(app)
    for text in blank:
        response = client.post(f"/threads/{thread_id}/reply", data={"body": text, "confirm": "1"})
        assert response.status_code == 400, repr(text)
    assert counts(app) == before
    for text in odd:
        response = client.post(f"/threads/{thread_id}/reply", data={"body": text, "confirm": "1"})
        assert response.status_code == 302, repr(text)
        post_id = int(response.headers["Location"].rsplit("/", 1)[1])
        with app.app_context():
            assert db.session.get_one(Post, post_id).body == text.replace("\r\n", "\n")
