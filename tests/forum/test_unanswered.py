""" "Sans réponse": first messages still waiting for a reply, per board and across boards,
only from boards the reader may read."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from forum.boards import unanswered
from models import Board, Post, PostStatus, Thread, User, db, utcnow
from tests import factories

EN = {"Accept-Language": "en"}


def browser(app, pseudonym: str | None = None) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    if pseudonym:
        factories.login(client, pseudonym)
    return client


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The discussion titles listed on the page, in order."""
    assert response.status_code == 200
    return re.findall(r'class="thread-title"[^>]*><bdi>([^<]*)</bdi>', factories.text(response))


def member(pseudonym: str) -> User:
    return db.session.scalars(select(User).where(User.pseudonym == pseudonym)).one()


def started(board: Board, author: User, title: str, minutes_ago: int) -> Thread:
    """A thread whose first message was written `minutes_ago`."""
    thread = factories.thread(board, author, title)
    when = utcnow() - timedelta(minutes=minutes_ago)
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(created_at=when))
    db.session.commit()
    return thread


@pytest.fixture
def scene(app):  # type: ignore[no-untyped-def]
    """Two public boards and a members-only one; Lou's first messages, none answered yet."""
    with app.app_context():
        deuil = factories.board("deuil", name="Deuil")
        travail = factories.board("travail", name="Travail")
        cercle = factories.board("cercle", name="Cercle", members_only=True)
        lou, sam = factories.user("Lou"), factories.user("Sam")
        factories.user("Noa")
        ids = {
            "old": started(deuil, lou, "Premier sujet de Lou", 30).id,
            "new": started(deuil, lou, "Dernier sujet de Lou", 5).id,
            "work": started(travail, lou, "Sujet sur le travail", 10).id,
            "secret": started(cercle, lou, "Sujet du cercle", 1).id,
        }
        answered = started(deuil, lou, "Sujet déjà entouré", 2)
        factories.reply(answered, sam, "Je suis là.")
        ids["answered"] = answered.id
        return ids


def test_board_lists_its_unanswered_first_messages_newest_first(app, scene):
    response = browser(app).get("/boards/deuil/unanswered", headers=EN)
    assert titles(response) == ["Dernier sujet de Lou", "Premier sujet de Lou"]
    page = factories.text(response)
    assert "nobody stays alone" in page
    assert "Sujet déjà entouré" not in page


def test_across_boards_visitors_see_only_public_boards(app, scene):
    response = browser(app).get("/unanswered", headers=EN)
    assert titles(response) == [
        "Dernier sujet de Lou",
        "Sujet sur le travail",
        "Premier sujet de Lou",
    ]
    page = factories.text(response)
    assert "Sujet du cercle" not in page
    assert "/boards/cercle" not in page


def test_across_boards_members_see_members_only_boards(app, scene):
    response = browser(app, "Noa").get("/unanswered", headers=EN)
    assert titles(response)[0] == "Sujet du cercle"
    assert len(titles(response)) == 4


def test_members_only_board_unanswered_is_locked_for_visitors(app, scene):
    response = browser(app).get("/boards/cercle/unanswered", headers=EN)
    assert response.status_code == 403
    assert "Sujet du cercle" not in factories.text(response)
    assert 'href="/login?next=/boards/cercle/unanswered"' in factories.text(response)
    member_page = browser(app, "Noa").get("/boards/cercle/unanswered", headers=EN)
    assert titles(member_page) == ["Sujet du cercle"]


def test_a_published_reply_takes_the_thread_off_the_list(app, scene):
    client = browser(app, "Sam")
    response = client.post(f"/threads/{scene['new']}/reply", data={"body": "Je te lis, Lou."})
    assert response.status_code == 302
    assert "Dernier sujet de Lou" not in titles(client.get("/boards/deuil/unanswered"))
    assert "Dernier sujet de Lou" not in titles(client.get("/unanswered"))


def test_a_held_reply_leaves_the_thread_waiting(app, scene):
    with app.app_context():
        board = db.session.scalars(select(Board).where(Board.slug == "deuil")).one()
        board.new_member_holds = 2  # Noa is new here: her reply waits for a moderator
        db.session.commit()
    client = browser(app, "Noa")
    response = client.post(f"/threads/{scene['new']}/reply", data={"body": "Je te lis, Lou."})
    assert response.status_code == 302
    with app.app_context():
        reply = db.session.scalars(select(Post).where(Post.author_id == member("Noa").id)).one()
        assert reply.status == PostStatus.PENDING
    assert "Dernier sujet de Lou" in titles(browser(app).get("/boards/deuil/unanswered"))


def test_deleted_and_old_first_messages_are_not_listed(app, scene):
    with app.app_context():
        lou = member("Lou")
        deuil = db.session.scalars(select(Board).where(Board.slug == "deuil")).one()
        started(deuil, lou, "Un sujet d'il y a longtemps", (unanswered.UNANSWERED_DAYS + 1) * 1440)
    client = browser(app, "Lou")
    with app.app_context():
        root = factories.root_post(db.session.get_one(Thread, scene["old"]))
    assert client.post(f"/posts/{root.id}/delete").status_code == 302
    listed = titles(client.get("/boards/deuil/unanswered"))
    assert listed == ["Dernier sujet de Lou"]


def test_pages_of_twenty_five(app):
    with app.app_context():
        board = factories.board("deuil")
        lou = factories.user("Lou")
        for n in range(26):
            started(board, lou, f"Sujet {n:02d}", 100 - n)
    client = browser(app)
    first = titles(client.get("/unanswered"))
    assert len(first) == 25 and first[0] == "Sujet 25"
    assert titles(client.get("/unanswered?page=2")) == ["Sujet 00"]
    assert client.get("/unanswered?page=3").status_code == 404
    assert client.get("/boards/deuil/unanswered?page=2").status_code == 200
    assert client.get("/boards/nowhere/unanswered").status_code == 404


def test_home_and_board_link_to_it_with_the_count(app, scene):
    client = browser(app)
    home = factories.text(client.get("/", headers=EN))
    # Three public first messages wait; the members-only one is not counted for a visitor.
    assert re.search(r'<a href="/unanswered">Waiting for a reply \(3\)</a>', home)
    board = factories.text(client.get("/boards/deuil", headers=EN))
    assert re.search(r'<a href="/boards/deuil/unanswered">Waiting for a reply \(2\)</a>', board)
    member_home = factories.text(browser(app, "Noa").get("/", headers=EN))
    assert re.search(r'<a href="/unanswered">Waiting for a reply \(4\)</a>', member_home)


def test_empty_list_says_so(app):
    with app.app_context():
        factories.board("deuil")
    response = browser(app).get("/boards/deuil/unanswered", headers=EN)
    assert titles(response) == []
    assert "Every recent first message has had a reply" in factories.text(response)


def test_sqlite_uses_the_unanswered_indexes(app, scene):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
        board = db.session.scalars(select(Board).where(Board.slug == "deuil")).one()
        cases = [(board, "ix_threads_board_unanswered"), (None, "ix_threads_unanswered")]
        for where, index in cases:
            clause = unanswered._unanswered(where, member("Noa"))
            statement = (
                select(Thread.id)
                .where(clause)
                .order_by(Thread.created_at.desc(), Thread.id.desc())
                .limit(25)
            )
            compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = " ".join(
                str(row[-1]) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            )
            assert f"USING INDEX {index}" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
