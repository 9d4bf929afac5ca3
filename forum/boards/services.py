"""Posting, editing, deleting and reacting. Each function owns its transaction.

Posting goes through `moderation.workflow.posting.submit`, the one way in: it stores the
text before judging it, so what a member wrote is never dropped on the way. Here the forum
only renders the Markdown and reads its own settings.
"""

from __future__ import annotations

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
    sync_thread,
    utcnow,
)
from moderation.workflow import lifecycle, posting, queue

from ..markup import render_markdown

# Refusals come from the posting entry point as they are: one exception, one set of reasons.
PostingRefused = posting.Refused
Outcome = posting.Outcome


def _limits_on() -> bool:
    return current_app.config.get("RATE_LIMITS", "on") != "off"


def _text(body: str, content_warning: str | None, title: str | None = None) -> posting.Text:
    return posting.Text(body, render_markdown(body), content_warning or None, title)


def create_thread(
    author: User,
    board: Board,
    title: str,
    body: str,
    content_warning: str | None = None,
    confirmed: bool = False,
) -> Outcome:
    return posting.submit(
        posting.Submission(
            author,
            _text(body, content_warning, title),
            board=board,
            confirmed=confirmed,
            rate_limits=_limits_on(),
        )
    )


def create_reply(
    author: User,
    thread: Thread,
    body: str,
    parent: Post | None = None,
    content_warning: str | None = None,
    confirmed: bool = False,
) -> Outcome:
    return posting.submit(
        posting.Submission(
            author,
            _text(body, content_warning),
            thread=thread,
            parent=parent,
            confirmed=confirmed,
            rate_limits=_limits_on(),
        )
    )


def edit_post(
    post: Post,
    body: str,
    *,
    title: str | None = None,
    content_warning: str | None = None,
    confirmed: bool = False,
) -> Outcome:
    """An edit, or the next version of a draft (after a nudge or a personal-data warning)."""
    author = db.session.get(User, post.author_id) if post.author_id else None
    if author is None:
        raise PostingRefused("not_editable")
    return posting.submit(
        posting.Submission(
            author,
            _text(body, content_warning, title),
            post=post,
            confirmed=confirmed,
            rate_limits=_limits_on(),
        )
    )


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
    lifecycle.discard_revision(post.id)
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


def mark_victory(post: Post, on: bool) -> bool:
    """The author marks their post as a small victory, or takes the mark back. Returns
    whether the post now carries what was asked: a deleted or removed post takes no mark
    (the condition is in the UPDATE, so a deletion at the same moment wins). The caller
    checks that the member is the author."""
    if post.deleted_at is not None or post.status == PostStatus.REMOVED:
        return False
    if post.is_victory == on:
        return True
    changed = db.session.execute(
        update(Post)
        .where(Post.id == post.id, Post.deleted_at.is_(None), Post.status != PostStatus.REMOVED)
        .values(is_victory=on),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.commit()
    return bool(changed)


def toggle_reaction(user: User, post: Post, kind: ReactionKind) -> bool:
    """Add the reaction, or take it back if it was there. Returns whether it is now there."""
    if post.status != PostStatus.PUBLISHED or post.deleted_at is not None:
        raise PostingRefused("not_reactable")
    if kind == ReactionKind.BRAVO and post.in_crisis:
        raise PostingRefused("not_reactable")  # no "well done" under a cry for help
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
