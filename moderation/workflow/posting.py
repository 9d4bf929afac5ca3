"""The one way in for what members write: a new thread, a reply, the next version of a
draft, an edit. `submit` owns the whole way: the checks and limits, storing the text, the
rule steps, the wait for scores and the verdict read back. Views call it once.

Crisis first: a text the crisis detector flags is never lost to a rate limit, a mute or a
ban. It is stored (held for moderators when the member may not post here, published
otherwise), it goes first in the queue, and its author is shown the crisis lines. Refusals
that remain (a closed thread, a reply to a member who blocked the author) carry `crisis`,
so the page that keeps the text shows the crisis lines too.

An edit of a post others can read is stored as a `PendingRevision`: readers keep the
current version until the verdict (or a moderator) accepts the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from models import (
    Board,
    PendingRevision,
    Post,
    PostStatus,
    Thread,
    User,
    db,
    has_blocked,
    tree,
    utcnow,
    write_intent,
)

from ..rules import crisis
from . import jobs, lifecycle, pipeline
from .pipeline import Action, Verdict


class Refused(Exception):
    """Nothing was stored. `reason` is a key the page turns into a message; `crisis` says
    whether the text refused needs the crisis lines beside it."""

    def __init__(self, reason: str, until: datetime | None = None, *, crisis: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.until = until
        self.crisis = crisis


@dataclass(frozen=True)
class Text:
    body: str  # Markdown, as written
    html: str  # rendered and sanitised by the caller (presentation is the forum's)
    content_warning: str | None = None
    title: str | None = None  # a thread's first post only


@dataclass(frozen=True)
class Submission:
    """What a member sends. Exactly one of `board` (a new thread), `thread` (a reply, to
    `parent` or to the first post) and `post` (a new version of their draft or post)."""

    author: User
    text: Text
    board: Board | None = None
    thread: Thread | None = None
    parent: Post | None = None
    post: Post | None = None
    confirmed: bool = False  # "post anyway", after a nudge or a personal-data warning
    rate_limits: bool = True


@dataclass(frozen=True)
class Outcome:
    post: Post
    verdict: Verdict

    @property
    def asks_again(self) -> bool:
        """The composer comes back with the text: a nudge, or personal data found."""
        return self.verdict.action in (Action.NUDGE, Action.PRIVACY)


def submit(submission: Submission) -> Outcome:
    """Store and judge what a member sends. Raises Refused, having stored nothing."""
    in_crisis = crisis.detect(submission.text.body)
    try:
        board = _check(submission)
        overridden = _limits(submission, board, in_crisis)
    except Refused as refused:
        refused.crisis = in_crisis
        raise
    post, is_edit = _store(submission, board)
    verdict = pipeline.review(
        post,
        board,
        submission.author,
        submission.text.body,
        is_edit=is_edit,
        confirmed=submission.confirmed,
        overridden=overridden,
    )
    stored = (post.id, post.revision)  # read before the commit expires them
    db.session.commit()
    if verdict.action != Action.AWAITING:
        return Outcome(post, verdict)
    return _settle(*stored, verdict)


def _check(s: Submission) -> Board:
    """The board the text goes to, once the place it goes to can take it."""
    if s.post is not None:
        post = s.post
        if post.author_id != s.author.id:
            raise Refused("not_editable")
        if post.deleted_at is not None or post.status == PostStatus.REMOVED:
            raise Refused("not_editable")
        if post.status == PostStatus.DRAFT and post.parent_id is not None:
            # A reply drafted before its addressee blocked the author is not published after.
            parent = db.session.get_one(Post, post.parent_id)
            if has_blocked(parent.author_id, s.author.id):
                raise Refused("blocked")
        thread = db.session.get_one(Thread, post.thread_id)
        return thread.board
    if s.thread is not None:
        thread = s.thread
        if thread.status != PostStatus.PUBLISHED:
            raise Refused("thread_closed")
        addressee = s.parent or db.session.scalar(
            select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None))
        )
        if (
            addressee is None
            or addressee.thread_id != thread.id
            or addressee.status != PostStatus.PUBLISHED
            or addressee.deleted_at is not None
        ):
            raise Refused("parent_unavailable")
        if has_blocked(addressee.author_id, s.author.id):
            raise Refused("blocked")
        return thread.board
    assert s.board is not None, "a submission goes to a board, a thread or a post"
    return s.board


def _limits(s: Submission, board: Board, in_crisis: bool) -> str | None:
    """Refuse a member who may not post now, unless the text is a crisis: then the
    refusal's reason comes back, for the rules to hold the post and tell moderators."""
    try:
        # A new version (an edit, a draft's next one) is counted with the edits.
        pipeline.check_limits(s.author, board, rate_limits=s.rate_limits, new_version_of=s.post)
    except pipeline.Refused as refused:
        if not in_crisis:
            raise Refused(refused.reason, refused.until) from None
        return refused.reason
    return None


def _store(s: Submission, board: Board) -> tuple[Post, bool]:
    """The text, stored before it is judged. Returns the post and whether it is an edit."""
    text = s.text
    draft = s.post is not None and s.post.status == PostStatus.DRAFT
    if s.post is not None and (draft or lifecycle.awaiting_scores(s.post)):
        # A draft's next version (only its author sees it), or an edit of a text whose
        # verdict has not come yet: it changes in place and is judged instead of the first.
        post = s.post
        if not draft and post.author_id is not None:
            post.edited_at = utcnow()
        post.body, post.html = text.body, text.html
        post.content_warning = text.content_warning or None
        post.revision += 1
        lifecycle.discard_revision(post.id)
        if post.parent_id is None:
            thread = db.session.get_one(Thread, post.thread_id)
            if text.title:
                thread.title = text.title
            thread.content_warning = post.content_warning
        return post, False
    if s.post is not None:
        post = s.post
        post.revision += 1
        pending = db.session.get(PendingRevision, post.id)
        if pending is None:
            pending = PendingRevision(post_id=post.id)
            db.session.add(pending)
        pending.number = post.revision
        pending.body, pending.html = text.body, text.html
        pending.content_warning = text.content_warning or None
        pending.title = text.title if post.parent_id is None else None
        pending.created_at = utcnow()
        return post, True
    now = utcnow()
    if s.thread is None:
        thread = Thread(
            board_id=board.id,
            author_id=s.author.id,
            title=text.title or "",
            content_warning=text.content_warning or None,
            status=PostStatus.DRAFT,
            created_at=now,
            last_activity_at=now,
        )
        db.session.add(thread)
        db.session.flush()
        parent = None
    else:
        thread = s.thread
        parent = s.parent or db.session.scalar(
            select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None))
        )
    post = Post(
        thread_id=thread.id,
        author_id=s.author.id,
        parent_id=parent.id if parent else None,
        body=text.body,
        html=text.html,
        content_warning=text.content_warning or None,
        status=PostStatus.DRAFT,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    post.depth, post.path = tree.place(
        post.id, parent.depth if parent else None, parent.path if parent else None
    )
    return post, False


def _settle(post_id: int, revision: int, verdict: Verdict) -> Outcome:
    """After the commit (no transaction open, so no lock held): wait a little for the
    scorer, then read the verdict back."""
    jobs.submit_and_wait(post_id, revision)
    db.session.expire_all()
    # The text is stored: reading the verdict back must not wait for SQLite's write lock
    # (a member told "not saved" would send it twice).
    with write_intent(False):
        post = db.session.get_one(Post, post_id)
        settled = pipeline.verdict_of(post) or verdict
        session = db.session()
        session.expire_on_commit = False  # end the read, keep what it read
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    return Outcome(post, settled)
