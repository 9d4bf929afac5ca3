"""Test data built through the real services, as the app would build it."""

from __future__ import annotations

import html
import itertools
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import insert, select

from forum.accounts import services as accounts
from forum.boards import services as posting
from models import Board, Post, Thread, User, board_moderators, db, utcnow

PASSWORD = "un mot de passe solide"
_seq = itertools.count(1)


def long_ago() -> datetime:
    """A creation date for a seasoned member (past the new-member days)."""
    return utcnow() - timedelta(days=30)


def user(pseudonym: str | None = None, password: str = PASSWORD, **fields) -> User:  # type: ignore[no-untyped-def]
    member = accounts.register(pseudonym or f"Membre{next(_seq)}x", password)
    for name, value in fields.items():
        setattr(member, name, value)
    db.session.commit()
    return member


def board(slug: str | None = None, *, members_only: bool = False, **fields) -> Board:  # type: ignore[no-untyped-def]
    """A board; unlike the default, newcomers' first posts are not held unless asked."""
    slug = slug or f"board-{next(_seq)}"
    fields.setdefault("new_member_holds", 0)
    return posting.create_board(
        slug,
        fields.pop("name", slug.title()),
        fields.pop("theme", "emotions"),
        members_only=members_only,
        **fields,
    )


def moderator(board: Board | str, *members: User | str) -> None:
    """Make members (or pseudonyms) moderators of a board (or slug), as
    `flask forum grant-moderator` does."""
    if isinstance(board, str):
        board = db.session.scalars(select(Board).where(Board.slug == board)).one()
    for member in members:
        if isinstance(member, str):
            member = db.session.scalars(select(User).where(User.pseudonym == member)).one()
        db.session.execute(insert(board_moderators).values(board_id=board.id, user_id=member.id))
    db.session.commit()


def thread(board: Board, author: User, title: str = "Un sujet", body: str = "Bonjour.") -> Thread:
    outcome = posting.create_thread(author, board, title, body)
    return db.session.get_one(Thread, outcome.post.thread_id)


def reply(
    thread: Thread, author: User, body: str = "Une réponse.", parent: Post | None = None
) -> Post:
    return posting.create_reply(author, thread, body, parent).post


def root_post(thread: Thread) -> Post:
    return db.session.scalars(
        db.select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None))
    ).one()


def login(client: FlaskClient, pseudonym: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    response = client.post("/login", data={"pseudonym": pseudonym, "password": password})
    assert response.status_code == 302, response.data[:500]
    return response


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page as a reader sees its characters (HTML entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def text_of(fragment: str) -> str:
    return html.unescape(fragment)


def database(app) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row of every table: the same before and after means nothing was written."""
    with app.app_context():
        return {
            table.name: [
                tuple(row)
                for row in db.session.execute(db.select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def conversation(
    board: Board,
    title: str = "Le sujet de Lou",
    body: str = "Bonjour.",
    answer: str = "La réponse de Sam.",
) -> dict:
    """Lou starts a thread on the board and Sam answers it: the ids tests refer to."""
    lou, sam = user("Lou"), user("Sam")
    started = thread(board, lou, title, body)
    answered = reply(started, sam, answer)
    return {
        "board": board.slug,
        "thread": started.id,
        "root": root_post(started).id,
        "answer": answered.id,
    }
