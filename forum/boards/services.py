"""Posting, editing, deleting and reacting. Each function owns its transaction.

A post is stored first, then judged by the moderation seam, then given its status, all
in one transaction: what a member wrote is never dropped on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from models import (
    Assessment,
    Board,
    Post,
    PostStatus,
    Reaction,
    ReactionKind,
    ReviewItem,
    Thread,
    User,
    counts_as_reply,
    db,
    set_status,
    sync_thread,
    utcnow,
)
from moderation.workflow import jobs, pipeline, queue
from moderation.workflow.pipeline import Action, Verdict

from ..accounts.blocks import has_blocked
from ..markup import render_markdown
from . import tree


class PostingRefused(Exception):
    """The action is not possible; `reason` is a key the view turns into a message."""

    def __init__(self, reason: str, until: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.until = until


@dataclass(frozen=True)
class Outcome:
    post: Post
    verdict: Verdict


def _guard(author: User, board: Board, *, rate_limits: bool = True) -> None:
    limits_on = rate_limits and current_app.config.get("RATE_LIMITS", "on") != "off"
    try:
        pipeline.check_limits(author, board, rate_limits=limits_on)
    except pipeline.Refused as refused:
        raise PostingRefused(refused.reason, refused.until) from None


def _settle(post: Post, verdict: Verdict) -> Outcome:
    """After the commit: wait a little for the scorer, then read the verdict back."""
    if verdict.action != Action.AWAITING:
        return Outcome(post, verdict)
    post_id, revision = post.id, post.revision
    db.session.commit()  # no transaction (no SQLite lock) stays open while we wait
    jobs.submit_and_wait(post_id, revision)
    db.session.expire_all()
    post = db.session.get_one(Post, post_id)
    settled = pipeline.verdict_of(post) or verdict
    return Outcome(post, settled)


def _store(post: Post, parent: Post | None) -> None:
    db.session.add(post)
    db.session.flush()
    post.depth, post.path = tree.place(
        post.id, parent.depth if parent else None, parent.path if parent else None
    )


def create_thread(
    author: User,
    board: Board,
    title: str,
    body: str,
    content_warning: str | None = None,
    confirmed: bool = False,
) -> Outcome:
    _guard(author, board)
    now = utcnow()
    thread = Thread(
        board_id=board.id,
        author_id=author.id,
        title=title,
        content_warning=content_warning or None,
        status=PostStatus.DRAFT,
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
        status=PostStatus.DRAFT,
        created_at=now,
    )
    _store(post, None)
    verdict = pipeline.review(post, board, author, confirmed=confirmed)
    db.session.commit()
    return _settle(post, verdict)


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
    if has_blocked(parent.author_id, author.id):
        raise PostingRefused("blocked")
    board = thread.board
    _guard(author, board)
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        parent_id=parent.id,
        body=body,
        html=render_markdown(body),
        content_warning=content_warning or None,
        status=PostStatus.DRAFT,
        created_at=utcnow(),
    )
    _store(post, parent)
    verdict = pipeline.review(post, board, author, confirmed=confirmed)
    db.session.commit()
    return _settle(post, verdict)


def edit_post(
    post: Post,
    body: str,
    *,
    title: str | None = None,
    content_warning: str | None = None,
    confirmed: bool = False,
) -> Outcome:
    """An edit, or the next version of a draft (after a nudge or a privacy warning)."""
    if post.deleted_at is not None or post.status == PostStatus.REMOVED:
        raise PostingRefused("not_editable")
    thread = db.session.get_one(Thread, post.thread_id)
    board = thread.board
    author = db.session.get_one(User, post.author_id)
    _guard(author, board, rate_limits=False)
    was_draft = post.status == PostStatus.DRAFT
    if was_draft and post.parent_id is not None:
        # A reply drafted before its addressee blocked the author is not published after.
        parent = db.session.get_one(Post, post.parent_id)
        if has_blocked(parent.author_id, author.id):
            raise PostingRefused("blocked")
    before = (post.body, post.html, post.content_warning, post.edited_at, post.status)
    thread_before = (thread.title, thread.content_warning)
    post.body = body
    post.html = render_markdown(body)
    post.content_warning = content_warning or None
    post.revision += 1
    if not was_draft:
        post.edited_at = utcnow()
    if post.parent_id is None:
        if title:
            thread.title = title
        thread.content_warning = post.content_warning
    verdict = pipeline.review(post, board, author, is_edit=not was_draft, confirmed=confirmed)
    db.session.commit()
    outcome = _settle(post, verdict)
    if not was_draft and outcome.verdict.action in (Action.NUDGE, Action.PRIVACY):
        # Asked before the edit applies: the published version stays until the author
        # rephrases or confirms (the form keeps the new text).
        post = outcome.post
        thread = db.session.get_one(Thread, post.thread_id)
        post.body, post.html, post.content_warning, post.edited_at, status = before
        thread.title, thread.content_warning = thread_before
        set_status(post, status)
        db.session.commit()
    return outcome


def delete_post(post: Post) -> None:
    """The author takes their words back; the place in the tree stays for the replies."""
    erase_post(post)
    db.session.commit()


def erase_post(post: Post, *, author_gone: bool = False) -> None:
    """Erase a post's words, in the caller's transaction. An open review item closes,
    unless the author was in crisis and is still here: moderators still reach out."""
    if post.deleted_at is not None:
        return
    counted_before = counts_as_reply(post)
    post.body = ""
    post.html = ""
    post.content_warning = None
    post.deleted_at = utcnow()
    db.session.execute(delete(Reaction).where(Reaction.post_id == post.id))
    # The automatic check quoted the sentences that weighed most: they go with the words.
    db.session.execute(
        update(Assessment).where(Assessment.post_id == post.id).values(sentences=None),
        execution_options={"synchronize_session": False},
    )
    if post.parent_id is None:
        db.session.execute(
            update(Thread)
            .where(Thread.id == post.thread_id)
            .values(title="", content_warning=None),
            execution_options={"synchronize_session": False},
        )
    sync_thread(post, counted_before)
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.open_post_id == post.id))
    if item is not None and (author_gone or not item.is_crisis):
        queue.close(item, "withdrawn")


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
    **settings: object,
) -> Board:
    """A board; `settings` are its moderation settings (see models.Board)."""
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
        **settings,
    )
    db.session.add(board)
    db.session.commit()
    return board
