"""The moderation pipeline: every new post and every edit passes through it, after its text
is stored (by `posting.submit`). No HTTP here: plain arguments in, plain results out, so a
worker can run it. Statuses move only through `lifecycle.move`.

Steps, in order:
1. limits (`check_limits`, before anything is stored): bans and mutes refuse with a clear
   reason; per-member posting rates, stricter for new members. A crisis text goes past
   them (`posting`), and is held when its author may not post here;
2. personal data: found and not confirmed → the post stays a draft and the author is warned;
3. crisis: never blocks publication; the post goes first in the queue;
4. new members: their first posts on a board wait for a moderator;
5. toxicity: scores from the scorer (off the request path, see `jobs`), compared with the
   board's thresholds → publish, publish and queue, hold, or nudge (the post stays a draft
   and its author is asked to rephrase or post anyway).

Each step's outcome is recorded in an `Assessment` row: the audit trail of why.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from models import (
    Assessment,
    Board,
    Decision,
    Post,
    PostStatus,
    Sanction,
    Thread,
    User,
    db,
    utcnow,
)

from .. import settings
from ..classifier.scoring import Scores
from ..rules import crisis, privacy
from . import lifecycle, queue
from .vocabulary import ItemReason, Outcome


class Action(enum.StrEnum):
    PUBLISH = "publish"
    PUBLISH_AND_QUEUE = "publish_and_queue"  # visible, reviewed after
    HOLD = "hold"  # pending: only its author and the board's moderators see it
    NUDGE = "nudge"  # a draft: the composer comes back with the text and a gentle note
    PRIVACY = "privacy"  # a draft: the author is warned about personal data first
    AWAITING = "awaiting"  # stored with a provisional status until the scorer answers


STATUS_FOR_ACTION = {
    Action.PUBLISH: PostStatus.PUBLISHED,
    Action.PUBLISH_AND_QUEUE: PostStatus.PUBLISHED,
    Action.HOLD: PostStatus.PENDING,
    Action.NUDGE: PostStatus.DRAFT,
    Action.PRIVACY: PostStatus.DRAFT,
}


@dataclass(frozen=True)
class Verdict:
    action: Action
    reasons: tuple[str, ...] = ()
    scores: Scores = field(default_factory=dict)
    # For a nudge: the sentences that scored highest, with their score.
    sentences: tuple[tuple[str, float], ...] = ()
    # For a privacy warning: what was found, as (kind, text).
    findings: tuple[tuple[str, str], ...] = ()

    @property
    def crisis(self) -> bool:
        return "crisis" in self.reasons

    @property
    def final(self) -> bool:
        return self.action != Action.AWAITING


class Refused(Exception):
    """The member may not post now; `reason` is banned, muted or rate_limited."""

    def __init__(self, reason: str, until: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.until = until


def is_new_member(author: User, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return author.created_at > now - timedelta(days=settings.NEW_MEMBER_DAYS)


def active_sanction(user_id: int, board_id: int, kinds: tuple[str, ...]) -> Sanction | None:
    now = utcnow()
    return db.session.scalar(
        select(Sanction)
        .where(
            Sanction.user_id == user_id,
            Sanction.kind.in_(kinds),
            Sanction.lifted_at.is_(None),
            or_(Sanction.board_id == board_id, Sanction.board_id.is_(None)),
            or_(Sanction.until.is_(None), Sanction.until > now),
        )
        .order_by(Sanction.kind)  # "ban" before "mute"
        .limit(1)
    )


def check_limits(
    author: User, board: Board, *, rate_limits: bool = True, new_version_of: Post | None = None
) -> None:
    """Refuse, before anything is stored, a member who is banned, muted, or posting too fast.

    `new_version_of`: the post an edit (or a draft's next version) rewrites. Counted in the
    database, so the limits hold across workers and processes."""
    sanction = active_sanction(author.id, board.id, ("ban", "mute"))
    if sanction is not None:
        raise Refused("banned" if sanction.kind == "ban" else "muted", sanction.until)
    if not rate_limits:
        return
    now = utcnow()
    if new_version_of is not None:
        _check_edits(author, new_version_of, now)
        return
    limits = settings.NEW_MEMBER_POST_LIMITS if is_new_member(author, now) else settings.POST_LIMITS
    for most, seconds in limits:
        since = now - timedelta(seconds=seconds)
        recent = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.author_id == author.id, Post.created_at > since)
        )
        if (recent or 0) >= most:
            raise Refused("rate_limited")


def _check_edits(author: User, post: Post, now: datetime) -> None:
    """New versions are counted by the rule steps' assessments of revisions after the
    first: one per version sent, whatever became of it."""
    versions = (
        select(func.count())
        .select_from(Assessment)
        .join(Post, Post.id == Assessment.post_id)
        .where(Assessment.source == "rules", Assessment.revision > 1)
    )
    for scope, limits in (
        (Post.id == post.id, settings.EDITS_PER_POST),
        (Post.author_id == author.id, settings.EDIT_LIMITS),
    ):
        for most, seconds in limits:
            since = now - timedelta(seconds=seconds)
            recent = db.session.scalar(versions.where(scope, Assessment.created_at > since))
            if (recent or 0) >= most:
                raise Refused("edit_rate_limited")


def _published_on_board(author: User, board: Board, other_than: int | None = None) -> int:
    """How many of the member's posts on the board are published (`other_than` aside)."""
    query = (
        select(func.count())
        .select_from(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Thread.board_id == board.id,
            Post.author_id == author.id,
            Post.status == PostStatus.PUBLISHED,
        )
    )
    if other_than is not None:
        query = query.where(Post.id != other_than)
    return db.session.scalar(query) or 0


def _first_posts_held(author: User, board: Board, post: Post) -> bool:
    if board.new_member_holds <= 0:
        return False
    return _published_on_board(author, board, post.id) < board.new_member_holds


def held_posts_left(author: User, board: Board) -> int:
    """How many of the member's next posts on the board will wait for a moderator because
    they are new here (0: none). A crisis text is never held for that reason."""
    if board.new_member_holds <= 0:
        return 0
    return max(0, board.new_member_holds - _published_on_board(author, board))


def _edit_was_requested(post: Post) -> bool:
    latest = db.session.scalar(
        select(Decision.action)
        .where(Decision.post_id == post.id)
        .order_by(Decision.id.desc())
        .limit(1)
    )
    return latest == "edit_requested"


def _record(post: Post, verdict: Verdict, source: str, confirmed: bool, error: str = "") -> None:
    db.session.add(
        Assessment(
            post_id=post.id,
            revision=post.revision,
            action=verdict.action.value,
            reasons=list(verdict.reasons),
            scores=verdict.scores or None,
            sentences=[list(pair) for pair in verdict.sentences] or None,
            source=source,
            confirmed=confirmed,
            error=error[:300] or None,
        )
    )


HELD_REASONS = ("new_member", "under_review", "muted", "banned")


def review(
    post: Post,
    board: Board,
    author: User,
    text: str,
    *,
    is_edit: bool = False,
    confirmed: bool = False,
    overridden: str | None = None,
) -> Verdict:
    """The rule steps, in the posting transaction, after the text is stored.

    `text` is what is judged: the post's body, or the edit waiting to be applied.
    `overridden` is the refusal (rate_limited, muted, banned) a crisis text goes past.
    A new post gets a provisional status (a draft when asked first); an edit leaves the
    post as readers see it. When the verdict is AWAITING, the caller submits the post to
    the scoring jobs. A text asked back as a draft never has an open item (`conclude`
    withdraws one that opened before the nudge): drafts are private.
    """
    in_crisis = crisis.detect(text)
    if in_crisis:
        # Marks the post for good (an edit never clears it): readers are not offered
        # "bravo" under a cry for help.
        post.in_crisis = True
    findings = privacy.find(text)
    if findings and not confirmed and not in_crisis:
        verdict = Verdict(
            Action.PRIVACY,
            ("privacy",),
            findings=tuple((f.kind, f.text) for f in findings),
        )
        _record(post, verdict, "rules", confirmed)
        if not is_edit:
            lifecycle.move(post, PostStatus.DRAFT, lifecycle.Actor.PIPELINE)
        return verdict

    reasons: list[str] = []
    if in_crisis:
        reasons.append("crisis")
    if overridden:
        reasons.append(overridden)
    if findings:
        reasons.append("privacy")
    requested = is_edit and _edit_was_requested(post)
    if requested:
        reasons.append("edit_requested")
    if not in_crisis and _first_posts_held(author, board, post):
        reasons.append("new_member")
    # A post that moderators hold or hide stays out of sight when its author edits it,
    # unless they asked for that edit: the edit joins the item they are reviewing.
    out_of_sight = post.status in (PostStatus.PENDING, PostStatus.HIDDEN)
    if is_edit and not requested and out_of_sight and queue.has_open_item(post):
        reasons.append("under_review")
    held = any(reason in HELD_REASONS for reason in reasons)
    verdict = Verdict(Action.AWAITING, tuple(reasons))
    _record(post, verdict, "rules", confirmed)
    if not is_edit:
        hold = held or (board.fallback == "hold" and not in_crisis)
        status = PostStatus.PENDING if hold else PostStatus.PUBLISHED
        lifecycle.move(post, status, lifecycle.Actor.PIPELINE)
    if in_crisis or held or "privacy" in reasons or requested:
        queue.open_item(post, board.id, [r for r in reasons if r != "under_review"])
    return verdict


def _level(scores: Scores, limits: dict[str, dict[str, float]]) -> tuple[str | None, list[str]]:
    """The highest threshold level any label reaches, and the labels at or above `queue`."""
    reached: str | None = None
    labels = []
    for label, value in scores.items():
        for level in reversed(settings.LEVELS):  # hold, nudge, queue
            if value >= limits[level].get(label, 2.0):
                labels.append(label)
                if reached is None or settings.LEVELS.index(level) > settings.LEVELS.index(reached):
                    reached = level
                break
    return reached, labels


def judge(
    scores: Scores | None,
    board_thresholds: dict[str, Any] | None,
    prior: tuple[str, ...],
    *,
    confirmed: bool,
    fallback: str,
    sentences: list[tuple[str, float]] | None = None,
) -> Verdict:
    """The final decision from the rule steps' reasons and the scores (None: no scorer)."""
    reasons = list(prior)
    in_crisis = "crisis" in reasons
    held = any(reason in HELD_REASONS for reason in reasons)
    if scores is None:
        reasons.append("unscored")
        action = Action.HOLD if fallback == "hold" and not in_crisis else Action.PUBLISH_AND_QUEUE
        return Verdict(Action.HOLD if held else action, tuple(reasons))
    limits = settings.thresholds(board_thresholds)
    level, labels = _level(scores, limits)
    if labels:
        reasons.append("toxicity")
    if in_crisis:
        # A person in crisis is never asked to rephrase, nor held: peers see it, and
        # moderators see it first.
        action = Action.PUBLISH_AND_QUEUE
    elif level == "hold":
        action = Action.HOLD
    elif level == "nudge" and confirmed:
        reasons.append("confirmed")  # "post anyway": a moderator reads it first
        action = Action.HOLD
    elif level == "nudge":
        action = Action.NUDGE
    elif level == "queue" or reasons:
        action = Action.PUBLISH_AND_QUEUE
    else:
        action = Action.PUBLISH
    if held and action in (Action.PUBLISH, Action.PUBLISH_AND_QUEUE):
        action = Action.HOLD
    top: tuple[tuple[str, float], ...] = ()
    if action == Action.NUDGE and sentences:
        reached = [lb for lb, v in scores.items() if v >= limits["nudge"].get(lb, 2.0)]
        nudge = min((limits["nudge"][lb] for lb in reached), default=min(limits["nudge"].values()))
        top = tuple((text, round(score, 3)) for text, score in sentences[:3] if score >= nudge)
    return Verdict(action, tuple(reasons), dict(scores), top)


def conclude(
    post: Post,
    board: Board,
    scores: Scores | None,
    sentences: list[tuple[str, float]] | None = None,
    error: str = "",
    *,
    unattended: bool = False,
) -> Verdict:
    """Apply the final decision to a post awaiting its scores (in the scoring job, which
    holds the post's lock). When people decided since, the verdict is only recorded."""
    pending = latest_assessment(post)
    prior = tuple(pending.reasons) if pending else ()
    confirmed = bool(pending and pending.confirmed)
    verdict = judge(
        scores,
        board.thresholds,
        prior,
        confirmed=confirmed,
        fallback=board.fallback,
        sentences=sentences,
    )
    if verdict.action == Action.NUDGE and unattended:
        # Nobody waits in the composer any more: a moderator reads it instead.
        verdict = Verdict(Action.HOLD, verdict.reasons, verdict.scores)
    source = "model" if scores is not None else "fallback"
    top = max(scores.values(), default=0.0) if scores else 0.0
    if lifecycle.decided_by_people(post, post.revision):
        # People have the last word: the verdict joins the audit trail and, if an item is
        # still open, informs it; what readers see does not change.
        late = Verdict(verdict.action, (*verdict.reasons, "after_decision"), verdict.scores)
        _record(post, late, source, confirmed, error)
        item = queue.open_item_of(post)
        if item is not None:
            item.score = max(item.score or 0.0, top)
        return late
    _record(post, verdict, source, confirmed, error)
    edit = lifecycle.pending_revision(post)
    if edit is None:
        lifecycle.move(post, STATUS_FOR_ACTION[verdict.action], lifecycle.Actor.SCORING)
    elif verdict.action in (Action.PUBLISH, Action.PUBLISH_AND_QUEUE):
        lifecycle.apply_revision(post, edit)
        lifecycle.move(post, STATUS_FOR_ACTION[verdict.action], lifecycle.Actor.SCORING)
    elif verdict.action == Action.HOLD and post.status != PostStatus.PUBLISHED:
        # Nobody else sees the post: the new text is the one moderators review.
        lifecycle.apply_revision(post, edit)
        lifecycle.move(post, PostStatus.PENDING, lifecycle.Actor.SCORING)
    # Otherwise the edit waits (for its author after a nudge, for a moderator when held)
    # and readers keep the version they know.
    item = queue.open_item_of(post)
    if verdict.action in (Action.PUBLISH_AND_QUEUE, Action.HOLD):
        queue.open_item(post, board.id, list(verdict.reasons), top)
    elif item is not None and (
        post.status == PostStatus.DRAFT or set(item.reasons or ()) <= {ItemReason.UNSCORED}
    ):
        # A draft is back with its author: nothing for moderators until they send it. An
        # item opened only because no verdict had come (the sweep's grace item) has one now.
        queue.close(item, Outcome.WITHDRAWN)
    return verdict


def latest_assessment(post: Post) -> Assessment | None:
    return db.session.scalar(
        select(Assessment)
        .where(Assessment.post_id == post.id, Assessment.revision == post.revision)
        .order_by(Assessment.id.desc())
        .limit(1)
    )


def verdict_of(post: Post) -> Verdict | None:
    """The latest verdict on the post's current text, as recorded."""
    row = latest_assessment(post)
    if row is None:
        return None
    return Verdict(
        Action(row.action),
        tuple(row.reasons or ()),
        dict(row.scores or {}),
        tuple((str(s), float(v)) for s, v in (row.sentences or [])),
    )
