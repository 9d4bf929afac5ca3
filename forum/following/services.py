"""Following a thread, muting it, and marking what the member has seen. Each function
owns its transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import InternalError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from models import (
    Follow,
    FollowMode,
    Notification,
    Post,
    Thread,
    User,
    db,
    utcnow,
    write_intent,
)

from ..errors import unavailable_reason
from .events import _insert
from .queries import ThreadState


def set_follow(user: User, thread: Thread, mode: FollowMode | None) -> None:
    """Follow or mute the thread, or neither (`None`: the member's choice is forgotten,
    and posting there again follows it)."""
    if mode is None:
        db.session.execute(
            delete(Follow).where(Follow.user_id == user.id, Follow.thread_id == thread.id)
        )
        db.session.commit()
        return
    # Following starts now: what is already in the thread does not count as new.
    latest = db.session.scalar(select(func.max(Post.id)).where(Post.thread_id == thread.id))
    statement = _insert(db.session(), Follow).values(
        user_id=user.id,
        thread_id=thread.id,
        mode=mode,
        last_read_post_id=latest or 0,
        created_at=utcnow(),
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[Follow.user_id, Follow.thread_id], set_={"mode": mode}
        )
    )
    if mode == FollowMode.MUTE:
        # Nothing from a muted thread reaches the member, not even what is waiting.
        db.session.execute(
            delete(Notification).where(
                Notification.user_id == user.id,
                Notification.read_at.is_(None),
                Notification.post_id.in_(select(Post.id).where(Post.thread_id == thread.id)),
            )
        )
    db.session.commit()


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    """A short writing transaction after a page's read, which ends first. Objects the page
    loaded stay loaded (no expiry): the request may still read them, at no query."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()  # the page's read ends: the write begins as a writing transaction
        with write_intent(True):
            yield
            session.commit()
    except (OperationalError, InternalError, PoolTimeout) as error:
        session.rollback()
        if unavailable_reason(error) is None:
            raise  # a bug, not the database's state
        # Busy or read-only: the page was shown; the marks wait for the next visit.
    finally:
        session.expire_on_commit = True


def record_visit(user_id: int, state: ThreadState) -> None:
    """After a thread page is shown: its posts are read. Writes only what changes; a busy
    database only delays it to the next visit (the page was shown already)."""
    moves_mark = state.mode is not None and state.highest_shown > state.last_read_post_id
    if not moves_mark and not state.unread_on_page:
        return
    with _writing():
        if moves_mark:
            db.session.execute(
                update(Follow)
                .where(
                    Follow.user_id == user_id,
                    Follow.thread_id == state.thread_id,
                    Follow.last_read_post_id < state.highest_shown,
                )
                .values(last_read_post_id=state.highest_shown),
                execution_options={"synchronize_session": False},
            )
        if state.unread_on_page:
            _mark_read(user_id, list(state.page_post_ids), by_post=True)


def mark_notifications_read(user_id: int, notification_ids: list[int]) -> None:
    """The notifications the member was just shown are read."""
    if not notification_ids:
        return
    with _writing():
        _mark_read(user_id, notification_ids, by_post=False)


def _mark_read(user_id: int, ids: list[int], *, by_post: bool) -> None:
    column = Notification.post_id if by_post else Notification.id
    db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
            column.in_(ids),
        )
        .values(read_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
