"""Boards: one per support theme, public or members-only."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .user import board_moderators

if TYPE_CHECKING:
    from .user import User


class Board(Base):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(64), index=True)
    members_only: Mapped[bool] = mapped_column(Boolean, default=False)
    charter: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    charter_html: Mapped[str] = mapped_column(Text, default="")  # rendered when saved
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    moderators: Mapped[list[User]] = relationship(
        secondary=board_moderators, back_populates="moderated_boards", lazy="raise"
    )

    def __repr__(self) -> str:
        return f"<Board {self.slug}>"
