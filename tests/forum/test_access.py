"""Who may see and do what: members-only boards, other people's posts, posts held for review."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from models import PostStatus, db
from tests import factories


def post_ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    return {
        int(n) for n in re.findall(r'<article id="post-(\d+)"', response.get_data(as_text=True))
    }


def as_member(app, pseudonym: str | None) -> FlaskClient:  # type: ignore[no-untyped-def]
    browser = app.test_client()
    if pseudonym:
        factories.login(browser, pseudonym)
    return browser


# --- members-only boards --------------------------------------------------------------------


@pytest.fixture
def private(app):  # type: ignore[no-untyped-def]
    """A members-only board with Lou's thread and Sam's answer, next to a public board."""
    with app.app_context():
        factories.board("deuil", name="Deuil")
        board = factories.board("cercle-prive", name="Cercle privé", members_only=True)
        scene = factories.conversation(
            board, "Sujet confidentiel", "Ce que je confie ici.", "Réponse confidentielle."
        )
        return {**scene, "slug": board.slug}


PRIVATE_PAGES = [
    "/boards/{slug}",
    "/boards/{slug}?page=1",
    "/threads/{thread}",
    "/threads/{thread}?page=1",
    "/posts/{root}",
    "/posts/{answer}",
]


@pytest.mark.parametrize("url", PRIVATE_PAGES)
def test_members_only_pages_are_a_locked_door_for_visitors(client, private, url):
    """The space is named, with a way in; nothing of what is written there shows."""
    path = url.format(**private).split("?")[0]
    response = client.get(url.format(**private))
    assert response.status_code == 403
    page = factories.text(response)
    assert "Cercle privé" in page
    assert "Sujet confidentiel" not in page and "Ce que je confie" not in page
    assert "Réponse confidentielle" not in page
    assert f'href="/login?next={path}"' in page
    assert '<meta name="robots" content="noindex">' in page


def test_members_only_board_is_listed_locked_for_visitors(client, private):
    response = client.get("/")
    assert response.status_code == 200
    page = factories.text(response)
    assert "Deuil" in page
    assert "Cercle privé" in page
    assert "Sujet confidentiel" not in page
    assert f'href="/login?next=/boards/{private["slug"]}"' in page


@pytest.mark.parametrize("url", PRIVATE_PAGES)
def test_members_only_pages_are_open_to_members(app, private, url):
    browser = as_member(app, "Sam")
    response = browser.get(url.format(**private))
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # a permalink leads to the thread
        response = browser.get(response.headers["Location"])
        assert response.status_code == 200
    assert "Sujet confidentiel" in factories.text(response)


def test_members_only_board_is_listed_for_members(app, private):
    page = factories.text(as_member(app, "Sam").get("/"))
    assert "Cercle privé" in page
    assert "Sujet confidentiel" in page


# --- other people's posts -------------------------------------------------------------------


@pytest.fixture
def others(app):  # type: ignore[no-untyped-def]
    """Lou's thread and Lou's reply; Sam, Mo (moderates the board) and Ada (site admin)."""
    with app.app_context():
        board = factories.board("deuil", name="Deuil")
        lou = factories.user("Lou")
        factories.user("Sam")
        mo = factories.user("Mo Garde")
        mo.moderated_boards.append(board)
        factories.user("Ada", is_admin=True)
        db.session.commit()
        thread = factories.thread(board, lou, "Le sujet de Lou", "Les mots de Lou.")
        own_reply = factories.reply(thread, lou, "Encore les mots de Lou.")
        return {"thread": thread.id, "root": factories.root_post(thread).id, "reply": own_reply.id}


@pytest.mark.parametrize("who", ["Sam", "Mo Garde", "Ada"])
@pytest.mark.parametrize("post", ["root", "reply"])
def test_nobody_edits_another_members_post(app, others, who, post):
    browser = as_member(app, who)
    url = f"/posts/{others[post]}/edit"
    before = factories.database(app)
    assert browser.get(url).status_code in (403, 404)
    response = browser.post(url, data={"title": "Volé", "body": "Réécrit par un autre."})
    assert response.status_code in (403, 404)
    assert factories.database(app) == before
    assert "Réécrit par un autre." not in factories.text(
        browser.get(f"/threads/{others['thread']}")
    )


@pytest.mark.parametrize("who", ["Sam", "Mo Garde", "Ada"])
@pytest.mark.parametrize("post", ["root", "reply"])
def test_nobody_deletes_another_members_post(app, others, who, post):
    browser = as_member(app, who)
    before = factories.database(app)
    response = browser.post(f"/posts/{others[post]}/delete")
    assert response.status_code in (403, 404)
    assert factories.database(app) == before
    page = factories.text(browser.get(f"/threads/{others['thread']}"))
    assert "Les mots de Lou." in page and "Encore les mots de Lou." in page


def test_the_edit_and_delete_controls_are_shown_to_the_author_only(app, others):
    url = f"/threads/{others['thread']}"
    for who in ("Sam", "Mo Garde", "Ada"):
        html = as_member(app, who).get(url).get_data(as_text=True)
        assert "/edit" not in html and "/delete" not in html, who
    html = as_member(app, "Lou").get(url).get_data(as_text=True)
    assert f"/posts/{others['reply']}/edit" in html and f"/posts/{others['reply']}/delete" in html


# --- posts held for review ------------------------------------------------------------------


@pytest.fixture
def held(app):  # type: ignore[no-untyped-def]
    """On a public board: Lou's published thread with Sam's held reply, and Sam's held thread.

    Mo moderates this board; Cam moderates another one.
    """
    with app.app_context():
        board = factories.board("deuil", name="Deuil")
        elsewhere = factories.board("travail", name="Travail")
        lou = factories.user("Lou")
        sam = factories.user("Sam")
        mo = factories.user("Mo Garde")
        mo.moderated_boards.append(board)
        cam = factories.user("Cam Veille")
        cam.moderated_boards.append(elsewhere)
        db.session.commit()
        thread = factories.thread(board, lou, "Le sujet de Lou", "Les mots de Lou.")
        waiting = factories.reply(thread, sam, "La réponse de Sam, en attente.")
        waiting.status = PostStatus.PENDING
        held_thread = factories.thread(board, sam, "Le sujet retenu de Sam", "Retenu lui aussi.")
        held_thread.status = PostStatus.PENDING
        factories.root_post(held_thread).status = PostStatus.PENDING
        db.session.commit()
        return {
            "slug": board.slug,
            "thread": thread.id,
            "root": factories.root_post(thread).id,
            "waiting": waiting.id,
            "held_thread": held_thread.id,
            "held_root": factories.root_post(held_thread).id,
        }


@pytest.mark.parametrize("who", ["Sam", "Mo Garde"])
def test_a_held_reply_is_shown_to_its_author_and_the_boards_moderators(app, held, who):
    browser = as_member(app, who)
    response = browser.get(f"/threads/{held['thread']}")
    assert held["waiting"] in post_ids(response)
    assert "La réponse de Sam, en attente." in factories.text(response)
    permalink = browser.get(f"/posts/{held['waiting']}")
    assert permalink.status_code == 302
    assert permalink.headers["Location"].endswith(f"#post-{held['waiting']}")


@pytest.mark.parametrize("who", [None, "Lou", "Cam Veille"])
def test_a_held_reply_is_hidden_from_everyone_else(app, held, who):
    browser = as_member(app, who)
    response = browser.get(f"/threads/{held['thread']}")
    assert response.status_code == 200
    assert held["waiting"] not in post_ids(response)
    assert "La réponse de Sam, en attente." not in factories.text(response)
    assert browser.get(f"/posts/{held['waiting']}").status_code == 404


@pytest.mark.parametrize("who", ["Lou", "Cam Veille"])
def test_members_cannot_reach_a_held_reply_through_actions(app, held, who):
    browser = as_member(app, who)
    waiting, thread = held["waiting"], held["thread"]
    before = factories.database(app)
    assert browser.get(f"/posts/{waiting}/edit").status_code == 404
    assert browser.post(f"/posts/{waiting}/react", data={"kind": "thanks"}).status_code == 404
    assert browser.post(f"/posts/{waiting}/delete").status_code == 404
    assert browser.get(f"/threads/{thread}/reply?parent_id={waiting}").status_code == 404
    response = browser.post(
        f"/threads/{thread}/reply", data={"body": "Je réponds.", "parent_id": str(waiting)}
    )
    # The form comes back with the text kept, and says exactly what it says of a post
    # that does not exist: the held post is neither shown nor revealed.
    assert response.status_code == 400
    page = factories.text(response)
    assert "La réponse de Sam, en attente." not in page and "Je réponds." in page
    missing = browser.post(
        f"/threads/{thread}/reply", data={"body": "Je réponds.", "parent_id": "2147483000"}
    )
    assert missing.status_code == 400
    gone = "Le message auquel vous répondez n'est plus disponible."
    assert gone in page and gone in factories.text(missing)
    assert f'name="parent_id" value="{waiting}"' not in page
    assert factories.database(app) == before


@pytest.mark.parametrize("who", ["Sam", "Mo Garde"])
def test_a_held_thread_is_shown_to_its_author_and_the_boards_moderators(app, held, who):
    browser = as_member(app, who)
    response = browser.get(f"/threads/{held['held_thread']}")
    assert response.status_code == 200
    assert "Retenu lui aussi." in factories.text(response)
    assert "Le sujet retenu de Sam" in factories.text(browser.get(f"/boards/{held['slug']}"))


@pytest.mark.parametrize("who", [None, "Lou", "Cam Veille"])
def test_a_held_thread_is_hidden_from_everyone_else(app, held, who):
    browser = as_member(app, who)
    for url in (f"/threads/{held['held_thread']}", f"/posts/{held['held_root']}"):
        response = browser.get(url)
        assert response.status_code == 404, url
        assert "Le sujet retenu de Sam" not in factories.text(response)
    for url in (f"/boards/{held['slug']}", "/"):
        response = browser.get(url)
        assert response.status_code == 200
        assert "Le sujet retenu de Sam" not in factories.text(response), url
        assert f"/threads/{held['held_thread']}" not in response.get_data(as_text=True), url


# --- visitors are asked to sign in ----------------------------------------------------------


@pytest.fixture
def public(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        board = factories.board("deuil", name="Deuil")
        thread = factories.thread(board, factories.user("Lou"), "Le sujet de Lou", "Bonjour.")
        return {"slug": board.slug, "thread": thread.id, "root": factories.root_post(thread).id}


@pytest.mark.parametrize(
    "method, url, fields",
    [
        ("GET", "/boards/{slug}/new", {}),
        ("POST", "/boards/{slug}/new", {"title": "Un sujet", "body": "Bonjour."}),
        ("GET", "/threads/{thread}/reply", {}),
        ("POST", "/threads/{thread}/reply", {"body": "Bonjour."}),
        ("POST", "/posts/{root}/react", {"kind": "thanks"}),
        ("GET", "/posts/{root}/edit", {}),
        ("POST", "/posts/{root}/edit", {"body": "Réécrit."}),
        ("POST", "/posts/{root}/delete", {}),
        ("GET", "/me", {}),
        (
            "POST",
            "/me/password",
            {"current_password": "x", "password": "y" * 12, "password_confirm": "y" * 12},
        ),
        ("POST", "/logout", {}),
        ("POST", "/posts/{root}/report", {"reason": "spam", "note": ""}),
        ("POST", "/posts/{root}/block", {}),
        ("GET", "/me/export", {}),
        ("POST", "/me/delete", {"password": "x"}),
        ("GET", "/me/recovery-codes", {}),
        ("POST", "/me/recovery-codes", {"password": "x"}),
        ("GET", "/me/notices", {}),
    ],
)
def test_visitors_are_sent_to_sign_in_for_member_actions(app, client, public, method, url, fields):
    url = url.format(**public)
    before = factories.database(app)
    response = client.open(url, method=method, data=fields)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query).get("next") == [url], "back to the page after signing in"
    assert factories.database(app) == before
