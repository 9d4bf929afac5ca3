"""The "Entre deux rencontres" threads: after each meeting of a board, a thread for the time
until the next one, signed by the board's moderators together and pinned; the previous one
closes to new replies and points to it.

Whoever gets there first opens it: the per-minute task of any process, `flask forum
open-between-threads` from cron, or the first visit of the board page. Once per meeting is
the database's doing: `BetweenThread`'s primary key is (board, meeting start), inserted in
the same transaction as the thread. That transaction writes from its first statement
(BEGIN IMMEDIATE on SQLite; on PostgreSQL the board's row is locked FOR NO KEY UPDATE, so
one board's threads open one after the other), checks again inside, and a process that
still loses the race on the key rolls back: another opened the thread.

The first post is the moderators' text, published at once (theirs, not a member's: no
scoring). The title and the default text are in the site's default language, not the
visitor's: the thread is the same for everyone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_skeleton
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from models import (
    BetweenThread,
    Board,
    MeetingChange,
    MeetingSchedule,
    Post,
    PostStatus,
    Thread,
    db,
    tree,
    utcnow,
    write_intent,
)
from moderation.workflow import jobs

from ..markup import render_markdown
from .recurrence import LOOK_AHEAD, Occurrence, board_meetings

log = logging.getLogger(__name__)

MODERATORS = "moderators"  # Thread.signed_as, Post.signed_as
TEXT_MAX = 2000
# A meeting further back opens nothing: a board that turns the threads on, or an old
# schedule nobody ended, must not open a thread about a meeting long past.
LOOK_BACK = timedelta(days=45)
# A schedule that ended before this margin cannot hold the meeting looked for (unless a
# meeting was moved by more than a month).
ENDED_MARGIN = timedelta(days=31)


@dataclass(frozen=True)
class Due:
    meeting: Occurrence  # the meeting that is over
    next_meeting: Occurrence | None  # the one after it, if known


def latest(board_id: int) -> BetweenThread | None:
    """The board's most recent between thread (by meeting)."""
    return db.session.scalars(
        select(BetweenThread)
        .where(BetweenThread.board_id == board_id)
        .order_by(BetweenThread.meeting_at.desc())
        .limit(1)
    ).first()


def due(board_id: int, now: datetime, last: BetweenThread | None) -> Due | None:
    """The board's last meeting that is over (not cancelled, within LOOK_BACK) when no
    thread exists for it or for a later one; None otherwise."""
    since = now - LOOK_BACK
    schedules = list(
        db.session.scalars(
            select(MeetingSchedule)
            .where(
                MeetingSchedule.board_id == board_id,
                or_(
                    MeetingSchedule.ends_on.is_(None),
                    MeetingSchedule.ends_on >= (since - ENDED_MARGIN).date(),
                ),
            )
            .order_by(MeetingSchedule.id)
        )
    )
    if not schedules:
        return None
    changes = list(
        db.session.scalars(
            select(MeetingChange).where(MeetingChange.schedule_id.in_([s.id for s in schedules]))
        )
    )
    held = [
        m for m in board_meetings(schedules, changes, since, now + LOOK_AHEAD) if not m.cancelled
    ]
    over = [m for m in held if m.end_utc <= now]
    if not over:
        return None
    meeting = over[-1]  # in order of start
    if last is not None and last.meeting_at >= meeting.start_utc:
        return None
    following = next((m for m in held if m.start_utc > meeting.start_utc), None)
    return Due(meeting, following)


def _language() -> str:
    return str(current_app.config.get("BABEL_DEFAULT_LOCALE") or "fr")


def title(found: Due) -> str:
    """ "Entre deux rencontres : 11 déc. → 18 déc.", the meetings' own (local) dates."""
    language = _language()

    def day(meeting: Occurrence) -> str:
        return format_skeleton("MMMd", meeting.start.date(), locale=language)

    with force_locale(language):
        if found.next_meeting is None:
            return _("Between meetings: since %(start)s", start=day(found.meeting))
        return _(
            "Between meetings: %(start)s → %(end)s",
            start=day(found.meeting),
            end=day(found.next_meeting),
        )


def default_text() -> str:
    """The first post when the moderators have written none."""
    with force_locale(_language()):
        return _(
            "This thread is for the time between two meetings: how your days are going, a "
            "question, a small victory, a word for someone. Everyone speaks in “I”, at their "
            "own pace; nobody has to write."
        )


def _create(board: Board, found: Due, now: datetime) -> Thread:
    """The thread, its key and its first post; the previous threads close onto it."""
    thread = Thread(
        board_id=board.id,
        author_id=None,
        title=title(found),
        status=PostStatus.PUBLISHED,
        is_pinned=True,
        signed_as=MODERATORS,
        created_at=now,
        last_activity_at=now,
    )
    db.session.add(thread)
    db.session.flush()
    following = found.next_meeting
    db.session.add(
        BetweenThread(
            board_id=board.id,
            meeting_at=found.meeting.start_utc,
            thread_id=thread.id,
            next_meeting_at=following.start_utc if following else None,
            created_at=now,
        )
    )
    db.session.flush()  # the key decides here, before anything else is written
    body = board.between_text if board.between_text.strip() else default_text()
    post = Post(
        thread_id=thread.id,
        author_id=None,
        body=body,
        html=render_markdown(body),
        status=PostStatus.PUBLISHED,
        signed_as=MODERATORS,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    post.depth, post.path = tree.place(post.id, None, None)
    earlier = select(BetweenThread.thread_id).where(BetweenThread.board_id == board.id)
    db.session.execute(
        update(Thread)
        .where(Thread.id.in_(earlier), Thread.id != thread.id, Thread.closed_at.is_(None))
        .values(closed_at=now, continued_in_id=thread.id, is_pinned=False),
        execution_options={"synchronize_session": False},
    )
    return thread


def _open_if_due(board_id: int, now: datetime, last: BetweenThread | None) -> bool:
    found = due(board_id, now, last)
    if found is None:
        return False
    db.session.commit()  # end the read: the writing transaction begins as one
    with write_intent():
        try:
            board = db.session.scalars(
                select(Board).where(Board.id == board_id).with_for_update(key_share=True)
            ).one_or_none()
            last = latest(board_id)
            if (
                board is None
                or not board.between_threads
                or (last is not None and last.meeting_at >= found.meeting.start_utc)
            ):
                db.session.rollback()
                return False
            _create(board, found, now)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another process opened it first
            return False
        except BaseException:
            db.session.rollback()
            raise
    log.info("board %s: between-meetings thread opened", board_id)
    return True


def open_board(board_id: int, now: datetime | None = None) -> bool:
    """Open the board's thread if one is due. True when this call opened it."""
    now = now or utcnow()
    return _open_if_due(board_id, now, latest(board_id))


def open_due(now: datetime | None = None) -> int:
    """Open every due thread, on every board that wants them. Returns how many."""
    now = now or utcnow()
    boards = list(
        db.session.scalars(
            select(Board.id).where(Board.between_threads.is_(True)).order_by(Board.id)
        )
    )
    return sum(_open_if_due(board_id, now, latest(board_id)) for board_id in boards)


def open_on_view(board: Board) -> None:
    """The board page's check: one query while the next meeting has not started, the
    opening itself (in its own writing transaction) when a thread is due."""
    if not board.between_threads:
        return
    now = utcnow()
    board_id = board.id
    last = latest(board_id)
    if last is not None and last.next_meeting_at is not None and now < last.next_meeting_at:
        return
    try:
        _open_if_due(board_id, now, last)
    except SQLAlchemyError as error:  # the page still shows; the periodic task retries
        db.session.rollback()
        log.warning("board %s: between-meetings thread not opened: %s", board_id, error)


def open_thread(board_id: int, *, published: bool = True) -> Thread | None:
    """The board's between thread open to replies now, if any."""
    query = (
        select(Thread)
        .join(BetweenThread, BetweenThread.thread_id == Thread.id)
        .where(BetweenThread.board_id == board_id, Thread.closed_at.is_(None))
        .order_by(BetweenThread.meeting_at.desc())
        .limit(1)
    )
    if published:
        query = query.where(Thread.status == PostStatus.PUBLISHED)
    return db.session.scalars(query).first()


def continuation(thread: Thread) -> Thread | None:
    """Where a closed thread's conversation goes on: the thread it was continued in, or,
    when that one is closed too (weeks later), the board's open between thread."""
    if thread.closed_at is None:
        return None
    nxt = db.session.get(Thread, thread.continued_in_id) if thread.continued_in_id else None
    if nxt is not None and nxt.status != PostStatus.PUBLISHED:
        nxt = None
    if nxt is None or nxt.closed_at is not None:
        current = open_thread(thread.board_id)
        if current is not None and current.id != thread.id:
            return current
    return nxt


def _periodic() -> None:
    opened = open_due()
    if opened:
        log.info("%d between-meetings thread(s) opened", opened)


def init_app(app: Flask) -> None:
    from . import between_views  # noqa: F401 - routes

    jobs.every_minute(app, _periodic)
