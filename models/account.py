"""What a member keeps for themselves: recovery codes, and the members they have blocked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, exists, select
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, db, utcnow


class RecoveryCode(Base):
    """One single-use code to set a new password, since there is no e-mail.

    Shown once at sign-up (or when renewed); only a SHA-256 digest is kept. Codes carry
    79 random bits, so a fast digest is enough: nobody can guess through it.
    """

    __tablename__ = "recovery_codes"
    __table_args__ = (Index("ix_recovery_codes_user", "user_id", "used_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Block(Base):
    """A member's posts fold away for the blocker, and they cannot reply to the blocker's."""

    __tablename__ = "blocks"
    __table_args__ = (Index("ix_blocks_blocked", "blocked_id"),)

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def has_blocked(blocker_id: int | None, blocked_id: int | None) -> bool:
    """Whether one member blocked another (replies from the blocked one are refused)."""
    if blocker_id is None or blocked_id is None:
        return False
    return bool(
        db.session.scalar(
            select(exists().where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id))
        )
    )
