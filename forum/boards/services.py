"""Posting, editing, deleting and reacting. Each function owns its transaction.

A post is stored first, then judged by the moderation seam, then given its status, all
in one transaction: what a member wrote is never dropped on the way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from models import Board, Post, PostStatus, Reaction, ReactionKind, Thread, User, db, utcnow
from moderation.pipeline import Action, Decision, review

from ..markup import render_markdown
from . import tree

_STATUS_FOR_ACTION = {
    Action.PUBLISH: PostStatus.PUBLISHED,
    Action.PUBLISH_AND_QUEUE: PostStatus.PUBLISHED,
    Action.HOLD: PostStatus.PENDING,
    Action.NUDGE: PostStatus.PENDING,
}


class PostingRefused(Exception):
    """The action is not possible; `reason` is a key the view turns into a message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    post: Post
    decision: Decision


def _counts(post: Post) -> bool:
    """Whether this post counts in its thread's reply count."""
    return (
        post.parent_id is not None
        and post.status == PostStatus.PUBLISHED
        and post.deleted_at is None
    )


def _sync_thread(post: Post, counted_before: bool, *, activity: bool = False) -> None:
    """Keep the thread's status and reply count in step, with atomic SQL increments."""
    values: dict = {}
    if post.parent_id is None:
        values["status"] = post.status
    delta = int(_counts(post)) - int(counted_before)
    if delta:
        values["reply_count"] = Thread.reply_count + delta
    if activity and _counts(post):
        values["last_activity_at"] = post.created_at
    if values:
        db.session.execute(
            update(Thread).where(Thread.id == post.thread_id).values(**values),
            execution_options={"synchronize_session": False},
        )


def _judge(post: Post, board_id: int, *, is_edit: bool, confirmed: bool) -> Decision:
    decision = review(
        post.body,
        author_id=post.author_id or 0,
        board_id=board_id,
        post_id=post.id,
        is_edit=is_edit,
        confirmed=confirmed,
    )
    post.status = _STATUS_FOR_ACTION[decision.action]
    return decision


def create_thread(
    author: User,
    board: Board,
    title: str,
    body: str,
    content_warning: str | None = None,
    confirmed: bool = False,
) -> Outcome:
    now = utcnow()
    thread = Thread(
        board_id=board.id,
        author_id=author.id,
        title=title,
        content_warning=content_warning or None,
        status=PostStatus.PENDING,
        created_at=now,
        last_activity_at=now,
    )
    db.session.add(thread)
    db.session.flush()
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        body=body,
        html=render_markdown(body),
        content_warning=content_warning or None,
        status=PostStatus.PENDING,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    post.depth, post.path = tree.place(post.id, None, None)
    decision = _judge(post, board.id, is_edit=False, confirmed=confirmed)
    thread.status = post.status
    db.session.commit()
    return Outcome(post, decision)


def create_reply(
    author: User,
    thread: Thread,
    body: str,
    parent: Post | None = None,
    content_warning: str | None = None,
    confirmed: bool = False,
) -> Outcome:
    if thread.status != PostStatus.PUBLISHED:
        raise PostingRefused("thread_closed")
    if parent is None:
        parent = db.session.scalar(
            select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None))
        )
    if (
        parent is None
        or parent.thread_id != thread.id
        or parent.status != PostStatus.PUBLISHED
        or parent.deleted_at is not None
    ):
        raise PostingRefused("parent_unavailable")
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        parent_id=parent.id,
        body=body,
        html=render_markdown(body),
        content_warning=content_warning or None,
        status=PostStatus.PENDING,
        created_at=utcnow(),
    )
    db.session.add(post)
    db.session.flush()
    post.depth, post.path = tree.place(post.id, parent.depth, parent.path)
    decision = _judge(post, thread.board_id, is_edit=False, confirmed=confirmed)
    _sync_thread(post, counted_before=False, activity=True)
    db.session.commit()
    return Outcome(post, decision)


def edit_post(
    post: Post,
    body: str,
    *,
    title: str | None = None,
    content_warning: str | None = None,
    confirmed: bool = False,
) -> Outcome:
    if post.deleted_at is not None or post.status == PostStatus.REMOVED:
        raise PostingRefused("not_editable")
    thread = db.session.get_one(Thread, post.thread_id)
    counted_before = _counts(post)
    post.body = body
    post.html = render_markdown(body)
    post.content_warning = content_warning or None
    post.edited_at = utcnow()
    if post.parent_id is None:
        if title:
            thread.title = title
        thread.content_warning = post.content_warning
    decision = _judge(post, thread.board_id, is_edit=True, confirmed=confirmed)
    _sync_thread(post, counted_before)
    db.session.commit()
    return Outcome(post, decision)


def delete_post(post: Post) -> None:
    """The author takes their words back; the place in the tree stays for the replies."""
    if post.deleted_at is not None:
        return
    counted_before = _counts(post)
    post.body = ""
    post.html = ""
    post.content_warning = None
    post.deleted_at = utcnow()
    db.session.execute(delete(Reaction).where(Reaction.post_id == post.id))
    if post.parent_id is None:
        db.session.execute(
            update(Thread)
            .where(Thread.id == post.thread_id)
            .values(title="", content_warning=None),
            execution_options={"synchronize_session": False},
        )
    _sync_thread(post, counted_before)
    db.session.commit()


def toggle_reaction(user: User, post: Post, kind: ReactionKind) -> bool:
    """Add the reaction, or take it back if it was there. Returns whether it is now there."""
    if post.status != PostStatus.PUBLISHED or post.deleted_at is not None:
        raise PostingRefused("not_reactable")
    removed = db.session.execute(
        delete(Reaction).where(
            Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == kind
        )
    ).rowcount
    if not removed:
        db.session.add(Reaction(post_id=post.id, user_id=user.id, kind=kind))
    try:
        db.session.commit()
    except IntegrityError:  # the same click arrived twice at once: it is there, once
        db.session.rollback()
        return True
    return not removed


def create_board(
    slug: str,
    name: str,
    theme: str,
    *,
    description: str = "",
    charter: str = "",
    members_only: bool = False,
    position: int | None = None,
) -> Board:
    if position is None:
        position = (db.session.scalar(select(func.max(Board.position))) or 0) + 1
    board = Board(
        slug=slug,
        name=name,
        theme=theme,
        description=description,
        charter=charter,
        charter_html=render_markdown(charter),
        members_only=members_only,
        position=position,
    )
    db.session.add(board)
    db.session.commit()
    return board
