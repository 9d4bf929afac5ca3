"""What moderators decide, and how several of them agree.

- approve, request an edit, escalate: one moderator's call;
- remove a post, sanction a member (warn, mute, ban), settle an appeal: the board's quorum
  of distinct moderators must agree. The first voice to remove a published post hides it
  until the others have spoken (holding is one moderator's call);
- nobody decides on their own post or on a post they reported, nobody counts twice, and an
  appeal is settled by moderators who took no part in the decision.

Every decision lands in the board's public log (`Decision`: no moderator names) and, when
it concerns an author, in a notice they read in their own language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from models import (
    Board,
    Decision,
    ItemKind,
    ItemState,
    Notice,
    Post,
    PostStatus,
    Report,
    ReviewItem,
    Sanction,
    User,
    Vote,
    db,
    utcnow,
)

from . import eligibility, lifecycle, queue
from .vocabulary import (
    CHARTER_REASONS,
    Choice,
    DecisionAction,
    Outcome,
    Reason,
    SanctionKind,
)

CHOICES = tuple(Choice)
# Charter reasons a removal or sanction gives the author.
REASONS = CHARTER_REASONS
SANCTIONS = tuple(SanctionKind)
MUTE_DAYS = (1, 7, 30)
NOTE_MAX = 1000


class NotAllowed(Exception):
    """The decision cannot be taken; `reason` is a key the page turns into a message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Result:
    applied: bool  # the decision took effect (quorum reached, or a single-moderator call)
    votes: int = 1
    needed: int = 1
    decision: Decision | None = None


def _log(
    item: ReviewItem,
    action: str,
    *,
    reason: str = "",
    note: str = "",
    subject_id: int | None = None,
    until=None,  # type: ignore[no-untyped-def]
    appealable: bool = False,
    notify: bool = True,
) -> Decision:
    decision = Decision(
        board_id=item.board_id,
        item_id=item.id,
        post_id=item.post_id,
        subject_id=subject_id,
        action=action,
        reason=reason,
        note=note,
        until=until,
        appealable=appealable,
    )
    db.session.add(decision)
    db.session.flush()
    if notify and subject_id is not None:
        db.session.add(Notice(user_id=subject_id, decision_id=decision.id))
    return decision


def _check(
    item: ReviewItem, moderator: User, version: int | None, *, for_sanction: bool = False
) -> Post:
    db.session.refresh(item, with_for_update=True)  # one decision at a time per item
    post = db.session.get_one(Post, item.post_id)
    # Who may give a voice: the same rules the item page follows to offer the actions.
    refused = eligibility.refusal(item, moderator, post, for_sanction=for_sanction)
    if refused is not None:
        raise NotAllowed(refused)
    if item.state == ItemState.OPEN and version is not None and version != item.version:
        raise NotAllowed("stale")
    return post


def _deciders(appeal: ReviewItem) -> set[int]:
    """Moderators who gave a voice on the decision an appeal contests."""
    return eligibility.deciders(appeal)


def _vote(
    item: ReviewItem, moderator: User, topic: str, choice: str, reason: str, note: str
) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(
                Vote(
                    item_id=item.id,
                    moderator_id=moderator.id,
                    topic=topic,
                    choice=choice,
                    reason=reason,
                    note=note,
                )
            )
    except IntegrityError:
        db.session.rollback()
        raise NotAllowed("already_voted") from None


def _agreeing(item: ReviewItem, topic: str, prefix: str) -> list[Vote]:
    return [
        vote
        for vote in db.session.scalars(
            select(Vote).where(Vote.item_id == item.id, Vote.topic == topic).order_by(Vote.id)
        )
        if vote.choice.split(":")[0] == prefix
    ]


def _touch(item: ReviewItem) -> None:
    db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id)
        .values(version=ReviewItem.version + 1, claimed_by_id=None, claimed_until=None),
        execution_options={"synchronize_session": False},
    )


def _settle_reports(post_id: int, outcome: str) -> None:
    db.session.execute(
        update(Report)
        .where(Report.post_id == post_id, Report.outcome.is_(None))
        .values(outcome=outcome),
        execution_options={"synchronize_session": False},
    )


def _close_or_conflict(item: ReviewItem, outcome: str) -> None:
    if not queue.close(item, outcome):
        db.session.rollback()
        raise NotAllowed("already_decided")


def _notes(votes: list[Vote]) -> str:
    return "\n\n".join(v.note for v in votes if v.note)


def _most_common_reason(votes: list[Vote]) -> str:
    reasons = [v.reason for v in votes if v.reason]
    # On a tie, the first voice's reason (max keeps the first of equal counts).
    return max(reasons, key=reasons.count) if reasons else Reason.OTHER


def decide(
    item: ReviewItem,
    moderator: User,
    choice: str,
    *,
    reason: str = "",
    note: str = "",
    version: int | None = None,
) -> Result:
    """A moderator's decision on an item. Commits, or raises NotAllowed and changes nothing."""
    if choice not in CHOICES:
        raise NotAllowed("invalid_choice")
    note = (note or "").strip()[:NOTE_MAX]
    # The post's lock first, then the item's (in `_check`): the scoring job takes the
    # post's, so a person and a late job never wait for each other in a circle.
    lifecycle.lock(db.session.get_one(Post, item.post_id))
    post = _check(item, moderator, version)
    if item.kind == ItemKind.APPEAL:
        return _decide_appeal(item, moderator, choice, reason, note)
    board = db.session.get_one(Board, item.board_id)
    if choice == Choice.APPROVE:
        was_held = post.status in (PostStatus.PENDING, PostStatus.HIDDEN)
        _vote(item, moderator, "post", Choice.APPROVE, "", note)
        actor = lifecycle.Actor.MODERATOR
        if _agreeing(item, "post", Choice.REMOVE):
            # A peer asked for removal: keeping the post needs as many voices as removing it.
            keep = _agreeing(item, "post", Choice.APPROVE)
            if len(keep) < board.quorum:
                _touch(item)
                db.session.commit()
                return Result(False, len(keep), board.quorum)
            actor = lifecycle.Actor.QUORUM
        edit = lifecycle.pending_revision(post)
        if edit is not None:  # the moderator read the new version: it is the one kept
            lifecycle.apply_revision(post, edit)
        shown = PostStatus.PUBLISHED if was_held else post.status
        lifecycle.move(post, shown, actor)
        _settle_reports(post.id, "rejected")
        _close_or_conflict(item, Outcome.APPROVED)
        decision = _log(item, DecisionAction.APPROVED, subject_id=post.author_id, notify=was_held)
        db.session.commit()
        return Result(True, decision=decision)
    if choice == Choice.REQUEST_EDIT:
        if not note:
            raise NotAllowed("note_required")
        _vote(item, moderator, "post", Choice.REQUEST_EDIT, reason, note)
        lifecycle.move(post, PostStatus.PENDING, lifecycle.Actor.MODERATOR)
        _close_or_conflict(item, Outcome.EDIT_REQUESTED)
        decision = _log(
            item,
            DecisionAction.EDIT_REQUESTED,
            reason=reason or Reason.OTHER,
            note=note,
            subject_id=post.author_id,
        )
        db.session.commit()
        return Result(True, decision=decision)
    if choice == Choice.ESCALATE:
        return _escalate(item, moderator, "post", reason, note)
    # remove: a quorum of distinct moderators
    if reason not in REASONS:
        raise NotAllowed("reason_required")
    _vote(item, moderator, "post", Choice.REMOVE, reason, note)
    votes = _agreeing(item, "post", Choice.REMOVE)
    if len(votes) < board.quorum:
        if post.status == PostStatus.PUBLISHED:
            lifecycle.move(post, PostStatus.HIDDEN, lifecycle.Actor.MODERATOR)
            _log(item, DecisionAction.HIDDEN, reason=reason, subject_id=post.author_id)
        else:
            lifecycle.move(post, post.status, lifecycle.Actor.MODERATOR)
        _touch(item)
        db.session.commit()
        return Result(False, len(votes), board.quorum)
    lifecycle.move(post, PostStatus.REMOVED, lifecycle.Actor.QUORUM)
    _settle_reports(post.id, "upheld")
    _close_or_conflict(item, Outcome.REMOVED)
    decision = _log(
        item,
        DecisionAction.REMOVED,
        reason=_most_common_reason(votes),
        note=_notes(votes),
        subject_id=post.author_id,
        appealable=True,
    )
    db.session.commit()
    return Result(True, len(votes), board.quorum, decision)


def _escalate(item: ReviewItem, moderator: User, topic: str, reason: str, note: str) -> Result:
    """Pass the item to the site admins: one moderator's call."""
    _vote(item, moderator, topic, Choice.ESCALATE, reason, note)
    post = db.session.get_one(Post, item.post_id)
    if post.deleted_at is None:  # in the admins' hands now: a late verdict only informs
        lifecycle.move(post, post.status, lifecycle.Actor.MODERATOR)
    item.escalated = True
    _touch(item)
    decision = _log(item, DecisionAction.ESCALATED, reason=reason, notify=False)
    db.session.commit()
    return Result(True, decision=decision)


def sanction(
    item: ReviewItem,
    moderator: User,
    kind: str,
    *,
    days: int | None = None,
    reason: str = "",
    note: str = "",
    version: int | None = None,
) -> Result:
    """A voice to warn, mute or ban the item's author on this board; applied at quorum."""
    if kind not in SANCTIONS or (kind == "mute" and days not in MUTE_DAYS):
        raise NotAllowed("invalid_choice")
    if reason not in REASONS:
        raise NotAllowed("reason_required")
    if item.kind == ItemKind.APPEAL:
        raise NotAllowed("invalid_choice")
    note = (note or "").strip()[:NOTE_MAX]
    post = _check(item, moderator, version, for_sanction=True)
    if post.author_id is None:
        raise NotAllowed("no_author")
    action = {
        SanctionKind.WARN: DecisionAction.WARNED,
        SanctionKind.MUTE: DecisionAction.MUTED,
        SanctionKind.BAN: DecisionAction.BANNED,
    }[SanctionKind(kind)]
    voted = db.session.scalar(
        select(Vote.id).where(
            Vote.item_id == item.id, Vote.moderator_id == moderator.id, Vote.topic == "sanction"
        )
    )
    if voted is not None:
        raise NotAllowed("already_voted")
    applied = db.session.scalar(
        select(Decision.id).where(Decision.item_id == item.id, Decision.action == action)
    )
    if applied is not None:
        raise NotAllowed("already_decided")
    board = db.session.get_one(Board, item.board_id)
    choice = f"mute:{days}" if kind == "mute" else kind
    _vote(item, moderator, "sanction", choice, reason, note)
    votes = _agreeing(item, "sanction", kind)
    _touch(item)
    if len(votes) < board.quorum:
        db.session.commit()
        return Result(False, len(votes), board.quorum)
    until = None
    if kind == "mute":
        shortest = min(int(v.choice.split(":")[1]) for v in votes)
        until = utcnow() + timedelta(days=shortest)
    decision = _log(
        item,
        action,
        reason=_most_common_reason(votes),
        note=_notes(votes),
        subject_id=post.author_id,
        until=until,
        appealable=True,
    )
    db.session.add(
        Sanction(
            user_id=post.author_id,
            board_id=item.board_id,
            decision_id=decision.id,
            kind=kind,
            until=until,
        )
    )
    db.session.commit()
    return Result(True, len(votes), board.quorum, decision)


def appeal(decision: Decision, author: User, note: str) -> ReviewItem:
    """The author contests a decision, once; moderators who took no part settle it."""
    note = (note or "").strip()[:NOTE_MAX]
    if decision.subject_id != author.id or not decision.appealable:
        raise NotAllowed("not_appealable")
    if decision.post_id is None:
        raise NotAllowed("not_appealable")
    if db.session.scalar(select(ReviewItem.id).where(ReviewItem.decision_id == decision.id)):
        raise NotAllowed("already_appealed")
    item = ReviewItem(
        board_id=decision.board_id,
        post_id=decision.post_id,
        kind=ItemKind.APPEAL,
        decision_id=decision.id,
        appeal_note=note,
        reasons=["appeal"],
        opened_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(item)
    except IntegrityError:
        db.session.rollback()
        raise NotAllowed("already_appealed") from None
    db.session.commit()
    return item


def _decide_appeal(
    item: ReviewItem, moderator: User, choice: str, reason: str, note: str
) -> Result:
    """approve = the appeal is upheld (the decision is undone); remove = it stands."""
    if choice == Choice.ESCALATE:
        return _escalate(item, moderator, "appeal", reason, note)
    if choice not in (Choice.APPROVE, Choice.REMOVE):
        raise NotAllowed("invalid_choice")
    verdict = "uphold" if choice == Choice.APPROVE else "reject"
    needed = _appeal_quorum(item)
    _vote(item, moderator, "appeal", verdict, reason, note)
    votes = _agreeing(item, "appeal", verdict)
    if len(votes) < needed:
        _touch(item)
        db.session.commit()
        return Result(False, len(votes), needed)
    original = db.session.get_one(Decision, item.decision_id)
    if verdict == "uphold":
        _undo(original)
    outcome = Outcome.APPEAL_UPHELD if verdict == "uphold" else Outcome.APPEAL_REJECTED
    _close_or_conflict(item, outcome)
    decision = _log(
        item,
        outcome,
        reason=original.reason,
        note=_notes(votes),
        subject_id=original.subject_id,
    )
    db.session.commit()
    return Result(True, len(votes), needed, decision)


def _appeal_quorum(item: ReviewItem) -> int:
    """The board's quorum, or fewer when fewer people may settle it: on a small board the
    moderators not involved (and the site admins) may number less than the quorum."""
    board = db.session.get_one(Board, item.board_id)
    post = db.session.get_one(Post, item.post_id)
    admins = set(db.session.scalars(select(User.id).where(User.is_admin.is_(True))))
    eligible = (queue.board_moderator_ids(board.id) | admins) - _deciders(item)
    eligible.discard(post.author_id)  # type: ignore[arg-type]
    return max(1, min(board.quorum, len(eligible)))


def _undo(original: Decision) -> None:
    if original.action == DecisionAction.REMOVED and original.post_id is not None:
        post = db.session.get_one(Post, original.post_id)
        if post.status == PostStatus.REMOVED and post.deleted_at is None:
            lifecycle.move(post, PostStatus.PUBLISHED, lifecycle.Actor.QUORUM)
    else:
        db.session.execute(
            update(Sanction)
            .where(Sanction.decision_id == original.id, Sanction.lifted_at.is_(None))
            .values(lifted_at=utcnow()),
            execution_options={"synchronize_session": False},
        )


def notices(user: User, limit: int = 50) -> list[tuple[Notice, Decision]]:
    rows = db.session.execute(
        select(Notice, Decision)
        .join(Decision, Decision.id == Notice.decision_id)
        .where(Notice.user_id == user.id)
        .order_by(Notice.id.desc())
        .limit(limit)
    ).all()
    return [(notice, decision) for notice, decision in rows]


def unread_notices(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notice)
            .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        )
        or 0
    )


def mark_read(user: User) -> None:
    db.session.execute(
        update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def appealed_decision_ids(decision_ids: list[int]) -> set[int]:
    if not decision_ids:
        return set()
    return set(
        db.session.scalars(
            select(ReviewItem.decision_id).where(ReviewItem.decision_id.in_(decision_ids))
        )
    )
