"""Blocking a member: their posts fold away for the blocker, and they cannot reply to the
blocker's posts. The blocked member is not told, except when a reply is refused."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from models import Block, User, db, has_blocked

# Enough for anyone who needs it, and a bound on what one account can store.
MAX_BLOCKS = 500


class CannotBlock(Exception):
    """`reason`: self | limit."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def block(blocker: User, blocked_id: int) -> None:
    """Idempotent: blocking twice is blocking once."""
    if blocked_id == blocker.id:
        raise CannotBlock("self")
    if has_blocked(blocker.id, blocked_id):
        return
    count = db.session.scalar(
        select(db.func.count()).select_from(Block).where(Block.blocker_id == blocker.id)
    )
    if (count or 0) >= MAX_BLOCKS:
        raise CannotBlock("limit")
    db.session.add(Block(blocker_id=blocker.id, blocked_id=blocked_id))
    try:
        db.session.commit()
    except IntegrityError:  # the same click twice at once, or the member just left
        db.session.rollback()


def unblock(blocker: User, blocked_id: int) -> None:
    db.session.execute(
        delete(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == blocked_id)
    )
    db.session.commit()


def blocked_members(blocker: User) -> list[tuple[int, str]]:
    """(id, pseudonym) of the members this member has blocked, by pseudonym."""
    rows = db.session.execute(
        select(User.id, User.pseudonym)
        .join(Block, Block.blocked_id == User.id)
        .where(Block.blocker_id == blocker.id)
        .order_by(User.pseudonym_key)
    )
    return [(row[0], row[1]) for row in rows]
