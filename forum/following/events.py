"""Notifications follow the post they announce, in the transaction that changes the post.

Whatever changes a post (posting, the scoring job in its worker, reports, a moderator, a
quorum, the author erasing it, an account deletion), it changes `Post.status` or
`Post.deleted_at` through the ORM, and the session flushes it. After each flush this
listener looks at the posts that were added or whose status or erasure changed:

- a new post makes its author follow the thread (unless they muted it);
- a post that is readable now (published, not erased) notifies the author of the post it
  answers (REPLY) and the thread's followers (THREAD), once per member and post;
- a post that is not readable now (held, draft, hidden, removed, erased) withdraws its
  notifications.

Both writes are idempotent (insert-or-ignore, delete), so a post that stays readable
through several flushes notifies nobody twice. Core statements on the flush's own
connection: the same transaction, nothing added to the session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    String,
    and_,
    delete,
    event,
    exists,
    func,
    inspect,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from models import (
    Block,
    Follow,
    FollowMode,
    Notification,
    NotificationKind,
    Post,
    PostStatus,
    db,
    utcnow,
)


def _insert(session: Session, table: Any):  # type: ignore[no-untyped-def]
    """INSERT ... ON CONFLICT DO NOTHING for the session's database."""
    name = session.get_bind().dialect.name
    dialect = postgresql if name == "postgresql" else sqlite
    return dialect.insert(table)


def _changed(post: Post) -> bool:
    state = inspect(post)
    return state.attrs.status.history.has_changes() or state.attrs.deleted_at.history.has_changes()


def _readable(post: Post) -> bool:
    return post.status == PostStatus.PUBLISHED and post.deleted_at is None


def _follow_own_threads(session: Session, posts: list[Post]) -> None:
    """Posting in a thread follows it; a member who muted it stays muted."""
    rows = {
        (post.author_id, post.thread_id): post.id
        for post in sorted(posts, key=lambda p: p.id)
        if post.author_id is not None
    }
    if not rows:
        return
    now = utcnow()
    statement = (
        _insert(session, Follow)
        .values(
            [
                {
                    "user_id": user_id,
                    "thread_id": thread_id,
                    "mode": FollowMode.FOLLOW,
                    # What was in the thread when they wrote is read.
                    "last_read_post_id": post_id,
                    "created_at": now,
                }
                for (user_id, thread_id), post_id in rows.items()
            ]
        )
        .on_conflict_do_nothing()
    )
    session.connection().execute(statement)


def _notify(session: Session, post_ids: list[int]) -> None:
    """One notification per member and post: REPLY wins over THREAD ("reply" < "thread")."""
    child, parent, mute = aliased(Post), aliased(Post), aliased(Follow)
    kind = String(16)
    candidates = union_all(
        select(
            parent.author_id.label("user_id"),
            literal(NotificationKind.REPLY.value, kind).label("kind"),
            child.id.label("post_id"),
        )
        .join(parent, parent.id == child.parent_id)
        .where(child.id.in_(post_ids)),
        select(
            Follow.user_id.label("user_id"),
            literal(NotificationKind.THREAD.value, kind).label("kind"),
            child.id.label("post_id"),
        )
        .join(
            Follow,
            and_(Follow.thread_id == child.thread_id, Follow.mode == FollowMode.FOLLOW),
        )
        .where(child.id.in_(post_ids)),
    ).subquery()
    recipients = (
        select(
            candidates.c.user_id,
            Post.id,
            func.min(candidates.c.kind),
            literal(utcnow()).label("created_at"),
        )
        .join(Post, Post.id == candidates.c.post_id)
        .where(
            candidates.c.user_id.is_not(None),
            Post.author_id.is_not(None),
            candidates.c.user_id != Post.author_id,
            Post.status == PostStatus.PUBLISHED,
            Post.deleted_at.is_(None),
            ~exists().where(
                Block.blocker_id == candidates.c.user_id, Block.blocked_id == Post.author_id
            ),
            ~exists().where(
                mute.user_id == candidates.c.user_id,
                mute.thread_id == Post.thread_id,
                mute.mode == FollowMode.MUTE,
            ),
        )
        .group_by(candidates.c.user_id, Post.id)
    )
    statement = (
        _insert(session, Notification)
        .from_select(["user_id", "post_id", "kind", "created_at"], recipients)
        .on_conflict_do_nothing()
    )
    session.connection().execute(statement)


def _withdraw(session: Session, post_ids: list[int]) -> None:
    session.connection().execute(delete(Notification).where(Notification.post_id.in_(post_ids)))


def after_flush(session: Session, _context: object) -> None:
    new: list[Post] = []
    readable: list[int] = []
    unreadable: list[int] = []
    for obj in session.new:
        if isinstance(obj, Post):
            new.append(obj)
            if _readable(obj):
                readable.append(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Post) and obj not in session.deleted and _changed(obj):
            (readable if _readable(obj) else unreadable).append(obj.id)
    if new:
        _follow_own_threads(session, new)
    if readable:
        _notify(session, readable)
    if unreadable:
        _withdraw(session, unreadable)


def init_app() -> None:
    """Listen on the application's session (once: every app shares `db.session`)."""
    if not event.contains(db.session, "after_flush", after_flush):
        event.listen(db.session, "after_flush", after_flush)
