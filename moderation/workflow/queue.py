"""Review items: what waits for a board's moderators, who has it open, and in what order.

Crisis first, then the highest score, then the longest wait. Opening an item claims it for
a few minutes so that two volunteers do not read the same distressing post for nothing;
claims expire on their own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from models import (
    Board,
    Decision,
    ItemKind,
    ItemState,
    Post,
    ReviewItem,
    User,
    Vote,
    board_moderators,
    db,
    utcnow,
)

from .. import settings


def open_item(post: Post, board_id: int, reasons: list[str], score: float = 0.0) -> ReviewItem:
    """The open item for this post, created or updated with more reasons (no commit)."""
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.open_post_id == post.id))
    if item is None:
        item = ReviewItem(
            board_id=board_id,
            post_id=post.id,
            open_post_id=post.id,
            kind=ItemKind.POST,
            reasons=[],
            score=0.0,
            opened_at=utcnow(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(item)
        except IntegrityError:  # opened at the same moment by another process
            item = db.session.scalars(
                select(ReviewItem).where(ReviewItem.open_post_id == post.id)
            ).one()
    merged = list(dict.fromkeys([*(item.reasons or []), *reasons]))
    item.reasons = merged
    item.is_crisis = item.is_crisis or "crisis" in merged
    item.score = max(item.score or 0.0, score)
    item.version = (item.version or 0) + 1
    return item


def open_item_of(post: Post) -> ReviewItem | None:
    return db.session.scalar(select(ReviewItem).where(ReviewItem.open_post_id == post.id))


def has_open_item(post: Post) -> bool:
    return (
        db.session.scalar(select(ReviewItem.id).where(ReviewItem.open_post_id == post.id))
        is not None
    )


def close(item: ReviewItem, outcome: str) -> bool:
    """Close an open item, once: False when someone else closed it first."""
    now = utcnow()
    closed = db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id, ReviewItem.state == ItemState.OPEN)
        .values(
            state=ItemState.CLOSED,
            open_post_id=None,
            closed_at=now,
            outcome=outcome,
            claimed_by_id=None,
            claimed_until=None,
            version=ReviewItem.version + 1,
        ),
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
    db.session.refresh(item)
    return bool(closed)


def moderated_board_ids(user: User) -> list[int]:
    if user.is_admin:
        return list(db.session.scalars(select(Board.id)))
    return [board.id for board in user.moderated_boards]


def may_review(user: Any, item: ReviewItem) -> bool:
    """Moderators of the item's board (and admins); escalated items are for admins."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    if item.escalated:
        return False
    return any(board.id == item.board_id for board in user.moderated_boards)


def claim(item: ReviewItem, moderator: User) -> bool:
    """Claim the item for a few minutes; False when another moderator holds a live claim."""
    now = utcnow()
    until = now + timedelta(seconds=settings.CLAIM_SECONDS)
    taken = db.session.execute(
        update(ReviewItem)
        .where(
            ReviewItem.id == item.id,
            ReviewItem.state == ItemState.OPEN,
            (ReviewItem.claimed_by_id.is_(None))
            | (ReviewItem.claimed_by_id == moderator.id)
            | (ReviewItem.claimed_until < now),
        )
        .values(claimed_by_id=moderator.id, claimed_until=until),
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
    db.session.commit()
    db.session.refresh(item)
    return bool(taken)


def claimed_by_other(item: ReviewItem, moderator: User) -> bool:
    return (
        item.claimed_by_id is not None
        and item.claimed_by_id != moderator.id
        and item.claimed_until is not None
        and item.claimed_until > utcnow()
    )


def release(item: ReviewItem, moderator: User) -> None:
    db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id, ReviewItem.claimed_by_id == moderator.id)
        .values(claimed_by_id=None, claimed_until=None),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def waiting(user: User, board_id: int | None = None, limit: int = 100) -> list[ReviewItem]:
    """Open items of the boards this member moderates: crisis, score, then waiting time."""
    boards = moderated_board_ids(user)
    if board_id is not None:
        boards = [b for b in boards if b == board_id]
    if not boards:
        return []
    query = (
        select(ReviewItem)
        .where(ReviewItem.board_id.in_(boards), ReviewItem.state == ItemState.OPEN)
        .order_by(
            ReviewItem.is_crisis.desc(),
            ReviewItem.score.desc(),
            ReviewItem.opened_at,
            ReviewItem.id,
        )
        .limit(limit)
    )
    if not user.is_admin:
        query = query.where(ReviewItem.escalated.is_(False))
    return list(db.session.scalars(query))


def reviewed_today(moderator: User) -> int:
    """Items this moderator gave a voice on since midnight (UTC)."""
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    own = select(func.count(func.distinct(Vote.item_id))).where(
        Vote.moderator_id == moderator.id, Vote.created_at >= midnight
    )
    return db.session.scalar(own) or 0


def history(author_id: int | None, board_id: int, limit: int = 10) -> list[Decision]:
    """The author's recent moderation history on this board only (other boards could
    reveal which groups they belong to)."""
    if author_id is None:
        return []
    return list(
        db.session.scalars(
            select(Decision)
            .where(Decision.subject_id == author_id, Decision.board_id == board_id)
            .order_by(Decision.id.desc())
            .limit(limit)
        )
    )


def board_moderator_ids(board_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(board_moderators.c.user_id).where(board_moderators.c.board_id == board_id)
        )
    )
