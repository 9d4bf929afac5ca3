"""Sans réponse: first messages still waiting for a reply, so that members can make sure
nobody stays alone with what they shared. The query and its two pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import abort, render_template
from flask_login import current_user
from sqlalchemy import and_, func, select

from models import Board, PostStatus, Thread, User, db, utcnow

from ..navigation import page_number
from . import bp, views
from .queries import THREADS_PER_PAGE, Page, PageNotFound, _page

UNANSWERED_DAYS = 60


def _unanswered(board: Board | None, user: Any):  # type: ignore[no-untyped-def]
    """Published threads of the last UNANSWERED_DAYS with no published reply, on `board` or
    on every board the user may read; a first message its author deleted waits for nobody,
    nor does an "Entre deux rencontres" thread (the moderators' open door, nobody's message
    left alone). Served by ix_threads_board_unanswered (one board) or ix_threads_unanswered
    (all)."""
    since = utcnow() - timedelta(days=UNANSWERED_DAYS)
    where = [Thread.status == PostStatus.PUBLISHED, Thread.reply_count == 0]
    if board is not None:
        where.insert(0, Thread.board_id == board.id)
    elif not getattr(user, "is_authenticated", False):
        public = select(Board.id).where(Board.members_only.is_(False))
        where.append(Thread.board_id.in_(public))
    return and_(*where, Thread.created_at >= since, Thread.title != "", Thread.signed_as.is_(None))


def count(user: Any, board: Board | None = None) -> int:
    """How many first messages wait for a reply (on `board`, or across readable boards)."""
    return (
        db.session.scalar(select(func.count()).select_from(Thread).where(_unanswered(board, user)))
        or 0
    )


@dataclass
class UnansweredPage:
    board: Board | None
    page: Page
    threads: list[tuple[Thread, str | None, Board]]


def page(user: Any, number: int, board: Board | None = None) -> UnansweredPage:
    """Newest first; `board` None means across the boards the user may read."""
    waiting = _unanswered(board, user)
    total = db.session.scalar(select(func.count()).select_from(Thread).where(waiting)) or 0
    shown = _page(number, THREADS_PER_PAGE, total)
    order = (Thread.created_at.desc(), Thread.id.desc())
    ids = (
        select(Thread.id)
        .where(waiting)
        .order_by(*order)
        .limit(shown.per_page)
        .offset(shown.offset)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Thread, User.pseudonym, Board)
        .join(Board, Board.id == Thread.board_id)
        .outerjoin(User, User.id == Thread.author_id)
        .where(Thread.id.in_(ids))
        .order_by(*order)
    ).all()
    return UnansweredPage(board, shown, [(t, name, b) for t, name, b in rows])


def _page_of(board: Board | None):  # type: ignore[no-untyped-def]
    try:
        waiting = page(current_user, page_number(), board)
    except PageNotFound:
        abort(404)
    return render_template("boards/unanswered.html", view=waiting, board=board)


@bp.route("/unanswered")
def unanswered():  # type: ignore[no-untyped-def]
    """First messages still waiting for a reply, across the boards the reader may read."""
    return _page_of(None)


@bp.route("/boards/<slug>/unanswered")
def board_unanswered(slug: str):  # type: ignore[no-untyped-def]
    return _page_of(views.board_or_404(slug))
