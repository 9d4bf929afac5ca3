"""Boards: one per support theme, public or members-only."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Float, Integer, String, Text, false
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
    # Asks search engines to stay away (members-only boards always do).
    noindex: Mapped[bool] = mapped_column(Boolean, default=False)
    charter: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    charter_html: Mapped[str] = mapped_column(Text, default="")  # rendered when saved
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Moderation settings (see moderation.settings for their meaning and defaults).
    # The first posts of a new member on this board wait for a moderator.
    new_member_holds: Mapped[int] = mapped_column(Integer, default=2)
    # Distinct moderators who must agree to remove a post or sanction a member.
    quorum: Mapped[int] = mapped_column(Integer, default=2)
    # What happens to a post when the scorer is missing, fails or is slow.
    fallback: Mapped[str] = mapped_column(String(24), default="publish_and_queue")
    # Summed report weight past which a post is hidden until reviewed.
    report_threshold: Mapped[float] = mapped_column(Float, default=2.0)
    # Per-label overrides: {"hold": {"toxicity": 0.7}, "nudge": {...}, "queue": {...}}.
    thresholds: Mapped[dict | None] = mapped_column(JSON)

    # The group's rhythm (see models.meeting): an "Entre deux rencontres" thread after each
    # meeting, its first post (Markdown, from the moderators), and how long the
    # facilitators' hand-over notes are kept.
    between_threads: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    between_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    notes_retention_days: Mapped[int] = mapped_column(Integer, default=90, server_default="90")

    moderators: Mapped[list[User]] = relationship(
        secondary=board_moderators, back_populates="moderated_boards", lazy="raise"
    )

    def __repr__(self) -> str:
        return f"<Board {self.slug}>"
