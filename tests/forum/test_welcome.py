"""A kinder first visit: members-only boards shown locked, the new-member hold said before
writing, and confirmations beside the post they concern."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from models import Board, Post, PostStatus, Thread, User, db
from tests import factories

EN = {"Accept-Language": "en"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def text(self) -> str:
        return " ".join(
            " ".join(c.split()) if isinstance(c, str) else c.text() for c in self.children
        ).strip()

    def find(self, **attrs: str) -> Node | None:
        if all(self.attrs.get(k) == v for k, v in attrs.items()):
            return self
        for child in self.elements:
            found = child.find(**attrs)
            if found is not None:
                return found
        return None

    def next_element(self) -> Node | None:
        assert self.parent is not None
        siblings = self.parent.elements
        index = next(i for i, s in enumerate(siblings) if s is self)
        return siblings[index + 1] if index + 1 < len(siblings) else None


class Tree(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {}, None)
        self.feed(page)

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.current.children.append(data)


def beside(page: str, post_id: int) -> str:
    """The status message shown inside or right after the element id="post-N" ("" if none)."""
    root = Tree(page).root
    article = root.find(id=f"post-{post_id}")
    assert article is not None, f"post {post_id} is not on the page"
    inside = article.find(role="status")
    after = article.next_element()
    if inside is not None:
        return inside.text()
    if after is not None and after.attrs.get("role") == "status":
        return after.text()
    return ""


def top_flashes(page: str) -> str:
    node = Tree(page).root.find(**{"class": "flashes"})
    return node.text() if node is not None else ""


def browser(app, pseudonym: str | None = None) -> FlaskClient:  # type: ignore[no-untyped-def]
    """A browser that asks for English: messages are translated when they are flashed."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if pseudonym:
        factories.login(client, pseudonym)
    return client


def landing(client: FlaskClient, response) -> str:  # type: ignore[no-untyped-def]
    """Follow the redirects after a POST, as a browser does, to the page the member sees."""
    assert response.status_code == 302, response.data[:300]
    return client.get(response.headers["Location"], headers=EN, follow_redirects=True).get_data(
        as_text=True
    )


def board_of(slug: str) -> Board:
    return db.session.scalars(select(Board).where(Board.slug == slug)).one()


def member(pseudonym: str) -> User:
    return db.session.scalars(select(User).where(User.pseudonym == pseudonym)).one()


def posts_of(pseudonym: str) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.author_id == member(pseudonym).id)))


# --- members-only boards, seen by a visitor -------------------------------------------------


@pytest.fixture
def cercle(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        factories.board("deuil", name="Deuil")
        board = factories.board(
            "cercle", name="Cercle des proches", members_only=True, description="Entre proches."
        )
        thread = factories.thread(board, factories.user("Lou"), "Mon frère est malade")
        return {"thread": thread.id, "root": factories.root_post(thread).id}


def test_home_lists_members_only_boards_locked_for_visitors(app, cercle):
    page = browser(app).get("/", headers=EN).get_data(as_text=True)
    item = Tree(page).root.find(href="/boards/cercle")
    assert item is not None and item.parent is not None
    listed = item.parent  # the board's <li>
    assert listed.tag == "li"
    assert listed.find(**{"class": "lock-icon", "aria-hidden": "true"}) is not None
    assert "members only" in listed.text()  # the lock is said in words, not colour alone
    sign_in = listed.find(href="/login?next=/boards/cercle")
    assert sign_in is not None and sign_in.text() == "Sign in to read"
    assert "Entre proches." in listed.text()
    assert "Mon frère est malade" not in page


def test_home_shows_members_the_latest_thread_of_members_only_boards(app, cercle):
    with app.app_context():
        factories.user("Sam")
    page = factories.text(browser(app, "Sam").get("/", headers=EN))
    assert "Mon frère est malade" in page
    assert "/login?next=/boards/cercle" not in page


@pytest.mark.parametrize("url", ["/boards/cercle", "/threads/{thread}", "/posts/{root}"])
def test_locked_page_tells_what_the_space_is_and_how_to_come_in(app, cercle, url):
    path = url.format(**cercle)
    response = browser(app).get(path, headers=EN)
    assert response.status_code == 403
    page = factories.text(response)
    assert "Cercle des proches" in page and "Entre proches." in page
    assert "Mon frère est malade" not in page
    assert f'href="/login?next={path}"' in page
    assert f'href="/register?next={path}"' in page
    assert '<meta name="robots" content="noindex">' in page


def test_an_unpublished_thread_of_a_members_only_board_stays_a_404(app, cercle):
    with app.app_context():
        board = board_of("cercle")
        board.new_member_holds = 1
        db.session.commit()
        held = factories.thread(board, factories.user("Noa"), "Pas encore lu")
        assert held.status == PostStatus.PENDING
        held_id = held.id
    assert browser(app).get(f"/threads/{held_id}").status_code == 404
    assert browser(app).get("/threads/999999").status_code == 404


# --- the new-member hold, said before writing -----------------------------------------------


@pytest.fixture
def welcoming(app):  # type: ignore[no-untyped-def]
    """Board "deuil" holds a new member's first 2 posts; Lou's thread is there to reply to."""
    with app.app_context():
        board = factories.board("deuil", name="Deuil")
        thread = factories.thread(board, factories.user("Lou"), "Un sujet")
        factories.user("Sam")
        board.new_member_holds = 2
        db.session.commit()
        return {"thread": thread.id}


def hold_note(page: str) -> str:
    node = Tree(page).root.find(**{"class": "hold-note"})
    return node.text() if node is not None else ""


def test_new_member_is_told_before_writing(app, welcoming):
    client = browser(app, "Sam")
    for url in ("/boards/deuil/new", f"/threads/{welcoming['thread']}/reply"):
        note = hold_note(client.get(url, headers=EN).get_data(as_text=True))
        assert "Your first 2 messages on this space are read by a volunteer" in note, url


def test_the_number_follows_what_is_left(app, welcoming):
    with app.app_context():
        board = board_of("deuil")
        board.new_member_holds = 0
        db.session.commit()
        factories.reply(db.session.get_one(Thread, welcoming["thread"]), member("Sam"))
        board = board_of("deuil")
        board.new_member_holds = 2
        db.session.commit()
    note = hold_note(
        browser(app, "Sam").get("/boards/deuil/new", headers=EN).get_data(as_text=True)
    )
    assert "Your next message on this space is still read by a volunteer" in note
    with app.app_context():
        board = board_of("deuil")
        board.new_member_holds = 1
        db.session.commit()
    page = browser(app, "Sam").get("/boards/deuil/new", headers=EN).get_data(as_text=True)
    assert hold_note(page) == ""


def test_no_note_where_nothing_is_held(app, welcoming):
    with app.app_context():
        factories.board("travail")  # holds nothing (factories' default)
    client = browser(app, "Sam")
    assert hold_note(client.get("/boards/travail/new", headers=EN).get_data(as_text=True)) == ""
    # Lou has a published post on "deuil": one more is held, not two.
    note = hold_note(
        browser(app, "Lou").get("/boards/deuil/new", headers=EN).get_data(as_text=True)
    )
    assert "Your next message" in note


def test_after_posting_the_reason_is_said_beside_the_post(app, welcoming):
    client = browser(app, "Sam")
    response = client.post(
        f"/threads/{welcoming['thread']}/reply", data={"body": "Je te lis."}, headers=EN
    )
    page = landing(client, response)
    with app.app_context():
        (reply,) = posts_of("Sam")
        assert reply.status == PostStatus.PENDING
    said = beside(page, reply.id)
    assert "the first messages of a new member are read by a volunteer" in said
    assert "new member" not in top_flashes(page)


# --- confirmations beside the post ----------------------------------------------------------


@pytest.fixture
def talk(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        scene = factories.conversation(factories.board("deuil", name="Deuil"))
        factories.user("Noa")
        return scene


def test_a_published_reply_is_confirmed_beside_it(app, talk):
    client = browser(app, "Noa")
    response = client.post(
        f"/threads/{talk['thread']}/reply",
        data={"body": "Moi aussi je suis passée par là.", "parent_id": talk["answer"]},
    )
    page = landing(client, response)
    with app.app_context():
        (reply,) = posts_of("Noa")
    assert beside(page, reply.id) == "Your reply is posted."
    assert top_flashes(page) == ""


def test_a_reaction_is_confirmed_beside_the_post_and_its_withdrawal_too(app, talk):
    client = browser(app, "Noa")
    url = f"/posts/{talk['answer']}/react"
    page = landing(client, client.post(url, data={"kind": "courage"}))
    assert beside(page, talk["answer"]) == "Your “Courage” is added."
    assert beside(page, talk["root"]) == ""
    page = landing(client, client.post(url, data={"kind": "courage"}))
    assert beside(page, talk["answer"]) == "Your “Courage” is withdrawn."


def test_a_report_is_confirmed_beside_the_post(app, talk):
    client = browser(app, "Noa")
    response = client.post(f"/posts/{talk['root']}/report", data={"reason": "spam", "note": ""})
    page = landing(client, response)
    assert "The moderators will read this message with care." in beside(page, talk["root"])
    assert top_flashes(page) == ""
    again = client.post(f"/posts/{talk['root']}/report", data={"reason": "spam", "note": ""})
    assert "already reported" in beside(landing(client, again), talk["root"])


def test_a_deletion_is_confirmed_beside_the_post_that_keeps_its_place(app, talk):
    client = browser(app, "Sam")
    page = landing(client, client.post(f"/posts/{talk['answer']}/delete"))
    assert "Your message is deleted." in beside(page, talk["answer"])


def test_without_the_post_on_the_page_the_confirmation_goes_to_the_top(app, talk):
    client = browser(app, "Noa")
    response = client.post(f"/posts/{talk['answer']}/react", data={"kind": "thanks"})
    assert response.status_code == 302
    page = client.get("/", headers=EN).get_data(as_text=True)  # elsewhere than the thread
    assert top_flashes(page) == "Your “Thank you” is added."


def test_a_crisis_reply_keeps_the_crisis_lines_first(app, talk):
    client = browser(app, "Noa")
    response = client.post(
        f"/threads/{talk['thread']}/reply", data={"body": "Je veux mourir, je n'en peux plus."}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#crisis-now")
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert Tree(page).root.find(id="crisis-now") is not None
    assert "Your reply is posted." in top_flashes(page)
    assert re.search(r'class="beside-post', page) is None
