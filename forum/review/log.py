"""The public moderation log of a board: when, what and why, never who.

No moderator names, no author, no content and no note: only the date, the action and the
reason category. Readable as the board is.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import format_date
from flask_login import current_user
from sqlalchemy import func, select

from models import Board, Decision, db

from ..boards.queries import PageNotFound, _page
from ..permissions import can_read_board
from . import bp

LOG_PER_PAGE = 50


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 9 else 0


@bp.route("/boards/<slug>/log")
def board_log(slug: str):  # type: ignore[no-untyped-def]
    board = db.one_or_404(select(Board).where(Board.slug == slug))
    if not can_read_board(current_user, board):
        abort(404)  # members-only boards are not revealed
    on_board = Decision.board_id == board.id
    total = db.session.scalar(select(func.count()).select_from(Decision).where(on_board)) or 0
    try:
        page = _page(_page_number(), LOG_PER_PAGE, total)
    except PageNotFound:
        abort(404)
    # Only these three columns leave the database: nothing else can reach the page.
    rows = db.session.execute(
        select(Decision.created_at, Decision.action, Decision.reason)
        .where(on_board)
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(page.per_page)
        .offset(page.offset)
    ).all()
    entries = [(format_date(created, "medium"), action, reason) for created, action, reason in rows]
    return render_template("review/log.html", board=board, page=page, entries=entries)
