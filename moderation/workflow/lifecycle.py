"""A post's life, as one state machine: its stages, and who may move it from one to another.

What readers see follows the stored `PostStatus`; the stage adds what moderators and the
author need to know (is it still waiting for its scores, is it in a queue, is it erased):

    new text ─pipeline─▶ draft (personal data: the author confirms or edits first)
             └pipeline─▶ awaiting scores ─scoring─▶ published | queued | held | draft (nudge)
    published ─reports─▶ hidden
    published ─moderator (a first removal voice)─▶ hidden
    held, hidden ─moderator: approve─▶ published
    published, hidden ─moderator: ask to rephrase─▶ held
    published, held, hidden ─quorum: remove─▶ removed ─quorum: appeal upheld─▶ published
    any ─author deletes, or leaves─▶ erased

An edit of a post that others can read does not touch it: the new text waits as a
`PendingRevision` until its verdict (or a moderator) accepts it, so readers never see a
text that is then taken back.

People have the last word. Every move made by people (reports, a moderator, a quorum)
marks the post's current revision as decided; a scoring job for that revision then only
records its verdict in the audit trail and never changes what readers see. Moves take the
post's row lock first (`lock`), so a job, a second worker and a person racing on one post
give one outcome, on SQLite (BEGIN IMMEDIATE serialises writers) and PostgreSQL (FOR UPDATE).
"""

from __future__ import annotations

import enum

from sqlalchemy import delete, select

from models import (
    Assessment,
    PendingRevision,
    Post,
    PostStatus,
    ReviewItem,
    Thread,
    db,
    set_status,
    utcnow,
)


class Stage(enum.StrEnum):
    DRAFT = "draft"  # only its author sees it: asked to rephrase or to confirm
    AWAITING_SCORES = "awaiting_scores"  # stored, provisional status until the scorer answers
    PUBLISHED = "published"
    QUEUED = "queued"  # published, and an item waits for the board's moderators
    HELD = "held"  # only its author and the board's moderators see it
    HIDDEN = "hidden"  # hidden after reports, or by a first removal voice, until reviewed
    REMOVED = "removed"  # by a quorum of moderators; its place in the tree stays
    ERASED = "erased"  # its author took their words back, or left


class Actor(enum.StrEnum):
    PIPELINE = "pipeline"  # the rule steps, when the author posts
    SCORING = "scoring"  # the scoring job, or the board's fallback when scoring fails
    REPORTS = "reports"  # members' reports past the board's threshold
    MODERATOR = "moderator"  # one moderator's call
    QUORUM = "quorum"  # the board's quorum of moderators


# Moves made by people: after one, the machine's verdict on that revision only informs.
PEOPLE = frozenset({Actor.REPORTS, Actor.MODERATOR, Actor.QUORUM})

_P, _H, _X, _R, _D = (
    PostStatus.PUBLISHED,
    PostStatus.PENDING,
    PostStatus.HIDDEN,
    PostStatus.REMOVED,
    PostStatus.DRAFT,
)
MOVES: dict[Actor, frozenset[tuple[PostStatus, PostStatus]]] = {
    # A new post, a draft's next version, or a text rewritten before its verdict came:
    # from a draft or a provisional status to the rules' provisional one.
    Actor.PIPELINE: frozenset(
        {(_D, _D), (_D, _P), (_D, _H), (_P, _D), (_P, _H), (_H, _D), (_H, _P)}
    ),
    # From the provisional status to the verdict's; an edit held under review stays held.
    Actor.SCORING: frozenset(
        {(_P, _P), (_P, _H), (_P, _D), (_H, _H), (_H, _P), (_H, _D), (_X, _H), (_X, _X)}
    ),
    Actor.REPORTS: frozenset({(_P, _X)}),
    # Approve, ask to rephrase, a first removal voice (the quorum then decides).
    Actor.MODERATOR: frozenset({(_H, _P), (_X, _P), (_P, _H), (_X, _H), (_P, _X), (_H, _H)}),
    # Remove; keep a post a peer voted to remove; undo a removal on appeal.
    Actor.QUORUM: frozenset({(_P, _R), (_H, _R), (_X, _R), (_X, _P), (_H, _P), (_R, _P)}),
}


class IllegalMove(Exception):
    """A move the state machine does not allow for this actor: a bug, never user input."""


def lock(post: Post) -> Post:
    """Take the post's row lock (PostgreSQL) and read it afresh; SQLite's BEGIN IMMEDIATE
    already holds the database's write lock in every writing transaction."""
    locked = db.session.get(Post, post.id, with_for_update=True, populate_existing=True)
    assert locked is not None
    return locked


def move(post: Post, to: PostStatus, actor: Actor) -> None:
    """Move the post to `to` on behalf of `actor`, or raise IllegalMove."""
    if post.deleted_at is not None:
        raise IllegalMove(f"post {post.id} is erased")
    if post.status != to and (post.status, to) not in MOVES[actor]:
        raise IllegalMove(f"{actor}: {post.status} → {to} is not a move of the post's life")
    if actor in PEOPLE:
        post.decided_revision = post.revision
    set_status(post, to)


def decided_by_people(post: Post, revision: int) -> bool:
    """Whether a person decided on this revision (or a later one) of the post."""
    return post.decided_revision is not None and post.decided_revision >= revision


def pending_revision(post: Post) -> PendingRevision | None:
    """The edit waiting to be applied to this post's current revision, if any."""
    pending = db.session.get(PendingRevision, post.id)
    return pending if pending is not None and pending.number == post.revision else None


def text_of(post: Post, revision: int) -> str | None:
    """The text of that revision of the post, wherever it waits; None when it is gone."""
    if post.revision != revision or post.deleted_at is not None:
        return None
    pending = pending_revision(post)
    return pending.body if pending is not None else post.body


def apply_revision(post: Post, pending: PendingRevision) -> None:
    """The edit becomes the post's text (readers see it from now on)."""
    post.body = pending.body
    post.html = pending.html
    post.content_warning = pending.content_warning
    post.edited_at = utcnow()
    if post.parent_id is None:
        thread = db.session.get_one(Thread, post.thread_id)
        if pending.title:
            thread.title = pending.title
        thread.content_warning = pending.content_warning
    db.session.delete(pending)


def discard_revision(post_id: int) -> None:
    db.session.execute(delete(PendingRevision).where(PendingRevision.post_id == post_id))


def awaiting_scores(post: Post) -> bool:
    """Whether the post's current revision still waits for its verdict."""
    latest = db.session.scalar(
        select(Assessment.action)
        .where(Assessment.post_id == post.id, Assessment.revision == post.revision)
        .order_by(Assessment.id.desc())
        .limit(1)
    )
    return latest == "awaiting" and not decided_by_people(post, post.revision)


def stage_of(post: Post) -> Stage:
    """The stage of the post's life, for the author's and the moderators' pages."""
    if post.deleted_at is not None:
        return Stage.ERASED
    if awaiting_scores(post):
        return Stage.AWAITING_SCORES
    if post.status == PostStatus.PUBLISHED:
        queued = db.session.scalar(select(ReviewItem.id).where(ReviewItem.open_post_id == post.id))
        return Stage.QUEUED if queued is not None else Stage.PUBLISHED
    return {
        PostStatus.DRAFT: Stage.DRAFT,
        PostStatus.PENDING: Stage.HELD,
        PostStatus.HIDDEN: Stage.HIDDEN,
        PostStatus.REMOVED: Stage.REMOVED,
    }[post.status]
