"""Members: pseudonymous accounts, and the boards they moderate."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

if TYPE_CHECKING:
    from .board import Board

board_moderators = Table(
    "board_moderators",
    Base.metadata,
    Column("board_id", ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # As typed (after NFKC), shown to others.
    pseudonym: Mapped[str] = mapped_column(String(64))
    # Case-insensitive identity: unique, used to log in.
    pseudonym_key: Mapped[str] = mapped_column(String(128), unique=True)
    # UTS #39 confusable skeleton: unique, so nobody can pose as someone else.
    pseudonym_skeleton: Mapped[str] = mapped_column(String(256), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    charter_version: Mapped[str] = mapped_column(String(32))
    charter_accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped on password change and logout-everywhere: older sessions stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    moderated_boards: Mapped[list[Board]] = relationship(
        secondary=board_moderators, back_populates="moderators", lazy="selectin"
    )

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id}>"
