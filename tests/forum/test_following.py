"""Following threads: by posting, by choice, muting; "Mes fils" (/me/threads)."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts import blocks
from models import Follow, FollowMode, Post, Thread, User, db
from tests import factories

EN = {"Accept-Language": "en"}


def browser(app, pseudonym: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    factories.login(client, pseudonym)
    return client


def member(name: str) -> User:
    return db.session.scalars(select(User).where(User.pseudonym == name)).one()


def follow_of(app, name: str, thread_id: int) -> tuple[str, int] | None:  # type: ignore[no-untyped-def]
    with app.app_context():
        row = db.session.scalar(
            select(Follow).where(Follow.user_id == member(name).id, Follow.thread_id == thread_id)
        )
        return (FollowMode(row.mode).value, row.last_read_post_id) if row else None


def followed_rows(page: str) -> list[str]:
    return re.findall(r'<li class="followed-thread[^"]*">.*?</li>', page, re.S)


@pytest.fixture
def talk(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        board = factories.board("entraide")
        lou, sam = factories.user("Lou"), factories.user("Sam")
        factories.user("Noa")
        started = factories.thread(board, lou, "Est-ce normal ?", "Je dors mal.")
        answer = factories.reply(started, sam, "Cela m'est arrivé aussi.")
        return {"board": "entraide", "thread": started.id, "answer": answer.id}


def test_posting_follows_the_thread_started_or_answered(app, talk):
    assert follow_of(app, "Lou", talk["thread"])[0] == "follow"  # type: ignore[index]
    assert follow_of(app, "Sam", talk["thread"]) == ("follow", talk["answer"])
    assert follow_of(app, "Noa", talk["thread"]) is None


def test_posting_in_a_muted_thread_keeps_it_muted(app, talk):
    noa = browser(app, "Noa")
    assert noa.post(f"/threads/{talk['thread']}/follow", data={"mode": "mute"}).status_code == 302
    noa.post(f"/threads/{talk['thread']}/reply", data={"body": "Je passe par là."})
    assert follow_of(app, "Noa", talk["thread"])[0] == "mute"  # type: ignore[index]


def test_follow_unfollow_and_mute_from_the_thread_page(app, talk):
    noa = browser(app, "Noa")
    url = f"/threads/{talk['thread']}"
    page = noa.get(url, headers=EN).get_data(as_text=True)
    control = re.search(r'<form [^>]*id="follow".*?</form>', page, re.S)
    assert control and f'action="{url}/follow"' in control.group(0)
    assert 'name="mode" value="follow"' in control.group(0)
    response = noa.post(f"{url}/follow", data={"mode": "follow"}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{url}#follow")
    shown = factories.text(noa.get(url, headers=EN))
    assert "You follow this discussion: new messages will reach you." in shown
    assert "You follow this discussion." in shown
    assert follow_of(app, "Noa", talk["thread"]) == ("follow", talk["answer"])
    noa.post(f"{url}/follow", data={"mode": "mute"})
    assert follow_of(app, "Noa", talk["thread"])[0] == "mute"  # type: ignore[index]
    noa.post(f"{url}/follow", data={"mode": "none"})
    assert follow_of(app, "Noa", talk["thread"]) is None


@pytest.mark.parametrize("mode", ["", "FOLLOW", "unfollow", "x" * 10_000, "follow\x00"])
def test_a_bad_mode_changes_nothing(app, talk, mode):
    noa = browser(app, "Noa")
    before = factories.database(app)
    response = noa.post(f"/threads/{talk['thread']}/follow", data={"mode": mode})
    assert response.status_code == 400
    assert factories.database(app) == before


def test_one_cannot_follow_what_one_cannot_read(app, talk, client):
    with app.app_context():
        hidden = factories.board("prive", members_only=True)
        secret = factories.thread(hidden, member("Lou"), "Entre nous")
    noa = browser(app, "Noa")
    assert noa.post("/threads/999999/follow", data={"mode": "follow"}).status_code == 404
    response = client.post(f"/threads/{talk['thread']}/follow", data={"mode": "follow"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # A members-only board is readable by members: following it works for them.
    assert noa.post(f"/threads/{secret.id}/follow", data={"mode": "follow"}).status_code == 302


def test_visitors_see_no_follow_control(client, talk):
    page = client.get(f"/threads/{talk['thread']}").get_data(as_text=True)
    assert 'id="follow"' not in page


def test_my_threads_counts_new_messages_and_jumps_to_the_first(app, talk):
    with app.app_context():
        thread = db.session.get_one(Thread, talk["thread"])
        noa = member("Noa")
        first = factories.reply(thread, noa, "Première nouvelle.")
        factories.reply(thread, noa, "Deuxième nouvelle.")
        factories.reply(thread, member("Sam"), "La mienne ne compte pas pour Sam.")
        first_id = first.id
    sam = browser(app, "Sam")
    page = sam.get("/me/threads", headers=EN).get_data(as_text=True)
    [row] = followed_rows(page)
    assert "Est-ce normal ?" in factories.text_of(row)
    assert "2 new messages" in row
    assert f'href="/posts/{first_id}"' in row
    # The permalink lands on the right page, at the post.
    jump = sam.get(f"/posts/{first_id}")
    assert jump.headers["Location"].endswith(f"/threads/{talk['thread']}#post-{first_id}")
    # Visiting the thread reads it.
    sam.get(f"/threads/{talk['thread']}")
    [row] = followed_rows(sam.get("/me/threads", headers=EN).get_data(as_text=True))
    assert "new message" not in row and "nothing new" in row


def test_new_messages_from_blocked_members_do_not_count(app, talk):
    with app.app_context():
        blocks.block(member("Sam"), member("Noa").id)
        thread = db.session.get_one(Thread, talk["thread"])
        factories.reply(thread, member("Noa"), "De Noa.")
        later_id = factories.reply(thread, member("Lou"), "De Lou.").id
    [row] = followed_rows(browser(app, "Sam").get("/me/threads", headers=EN).get_data(as_text=True))
    assert "1 new message" in row and f'href="/posts/{later_id}"' in row


def test_my_threads_lists_followed_not_muted_most_recent_first(app, talk):
    with app.app_context():
        board = db.session.scalars(select(Thread.board_id)).first()
        from models import Board

        place = db.session.get_one(Board, board)
        other = factories.thread(place, member("Noa"), "Un autre sujet")
        factories.reply(other, member("Sam"), "Réponse de Sam.")
        muted = factories.thread(place, member("Noa"), "Sujet muet")
        factories.reply(muted, member("Sam"), "Sam ici aussi.")
        other_id, muted_id = other.id, muted.id
    sam = browser(app, "Sam")
    sam.post(f"/threads/{muted_id}/follow", data={"mode": "mute"})
    page = sam.get("/me/threads", headers=EN).get_data(as_text=True)
    rows = followed_rows(page)
    assert len(rows) == 2
    assert f'href="/threads/{other_id}"' in rows[0]
    assert f'href="/threads/{talk["thread"]}"' in rows[1]
    assert "Sujet muet" not in page


def test_my_threads_is_paginated(app, talk):
    with app.app_context():
        from models import Board

        place = db.session.scalars(select(Board)).first()
        for n in range(26):
            factories.thread(place, member("Noa"), f"Sujet {n}")
    noa = browser(app, "Noa")
    first = noa.get("/me/threads", headers=EN).get_data(as_text=True)
    assert len(followed_rows(first)) == 25 and "Sujet 25" in first and "Sujet 0<" not in first
    assert 'href="/me/threads?page=2"' in first
    second = noa.get("/me/threads?page=2", headers=EN).get_data(as_text=True)
    assert len(followed_rows(second)) == 1 and "Sujet 0<" in second
    assert noa.get("/me/threads?page=3").status_code == 404


@pytest.mark.parametrize("url", ["/me/threads", "/me/notifications"])
def test_pages_are_for_members(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_mark_moves_only_forward_and_writes_only_when_it_changes(app, talk, count_queries):
    sam = browser(app, "Sam")
    url = f"/threads/{talk['thread']}"
    sam.get(url)
    mark = follow_of(app, "Sam", talk["thread"])
    before = count_queries.count
    sam.get(url)
    statements = count_queries.statements[before:]
    assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert follow_of(app, "Sam", talk["thread"]) == mark


def test_the_thread_page_costs_one_query_more_for_members(app, talk, count_queries):
    url = f"/threads/{talk['thread']}"
    visitor = app.test_client()
    visitor.get(url)
    before = count_queries.count
    visitor.get(url)
    seen_by_visitor = count_queries.count - before
    noa = browser(app, "Noa")
    noa.get(url)
    before = count_queries.count
    noa.get(url)
    seen_by_member = count_queries.count - before
    # Session and member, the header's one count, own reactions, and the follow state.
    assert seen_by_member <= seen_by_visitor + 4


def test_the_export_lists_the_follows(app, talk):
    sam = browser(app, "Sam")
    with app.app_context():
        board = db.session.scalars(select(Thread.board_id)).first()
        from models import Board

        muted = factories.thread(db.session.get_one(Board, board), member("Lou"), "Autre")
        muted_id = muted.id
    sam.post(f"/threads/{muted_id}/follow", data={"mode": "mute"})
    exported = json.loads(sam.get("/me/export").get_data(as_text=True))
    assert [(f["thread_id"], f["mode"]) for f in exported["follows"]] == [
        (talk["thread"], "follow"),
        (muted_id, "mute"),
    ]


def test_deleting_the_account_drops_its_follows(app, talk):
    from forum.accounts import data as account_data

    with app.app_context():
        account_data.erase(member("Sam"))
        assert db.session.scalar(select(Follow).join(User, User.id == Follow.user_id)) is not None
        assert [f.user_id for f in db.session.scalars(select(Follow))] == [member("Lou").id]
        # Sam's erased answer sends nothing any more.
        assert db.session.get_one(Post, talk["answer"]).deleted_at is not None


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_the_follow_form_needs_its_csrf_token(app, talk):
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)  # type: ignore[union-attr]
    client.post(
        "/login", data={"pseudonym": "Noa", "password": factories.PASSWORD, "csrf_token": token}
    )
    url = f"/threads/{talk['thread']}"
    refused = client.post(f"{url}/follow", data={"mode": "follow"})
    assert refused.status_code == 400
    assert follow_of(app, "Noa", talk["thread"]) is None
    page = client.get(url).get_data(as_text=True)
    control = re.search(r'<form [^>]*id="follow".*?</form>', page, re.S).group(0)  # type: ignore[union-attr]
    token = re.search(r'name="csrf_token" value="([^"]+)"', control).group(1)  # type: ignore[union-attr]
    accepted = client.post(f"{url}/follow", data={"mode": "follow", "csrf_token": token})
    assert accepted.status_code == 302
    assert follow_of(app, "Noa", talk["thread"])[0] == "follow"  # type: ignore[index]
