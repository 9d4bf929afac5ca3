"""Moderation records: the pipeline's audit trail, review items, reports, votes toward a
quorum, decisions (the public log), sanctions and the notices sent to authors."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ItemKind(enum.StrEnum):
    POST = "post"  # a held, queued, reported or escalated post
    APPEAL = "appeal"  # an author contests a decision


class ItemState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Assessment(Base):
    """One pipeline decision on one revision of a post, with its scores and reasons.

    `action` is `awaiting` while the scorer has not answered yet; the job that scores the
    post adds the final row. Moderators and later calibration read why a post went where.
    """

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_post", "post_id", "id"),
        # Posts still awaiting scores (the sweeper), and recent fallbacks (/healthz).
        Index("ix_assessments_action", "action", "created_at"),
        Index("ix_assessments_source", "source", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(24))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    scores: Mapped[dict[str, float] | None] = mapped_column(JSON)
    # The sentences that scored highest, for the nudge: [[sentence, score], ...]
    sentences: Mapped[list[Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(16))  # rules | model | fallback
    confirmed: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewItem(Base):
    """A post (or an appeal) waiting for the board's moderators."""

    __tablename__ = "review_items"
    __table_args__ = (
        # The queue: open items of a board, crisis first, then score, then waiting time.
        Index("ix_review_items_queue", "board_id", "state", "is_crisis", "score", "opened_at"),
        Index("ix_review_items_post", "post_id", "state"),
        Index("ix_review_items_closed", "board_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    # The post's id while this post item is open, NULL otherwise: at most one open item per
    # post (NULLs never collide in a unique column, on SQLite and PostgreSQL alike).
    open_post_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=ItemKind.POST)
    # The decision an appeal contests: one appeal per decision.
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), unique=True
    )
    appeal_note: Mapped[str | None] = mapped_column(Text)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_crisis: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float] = mapped_column(Float, default=0.0)  # highest label score, 0 if none
    escalated: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16), default=ItemState.OPEN)
    # Bumped on every change: a form sent from an older view of the item is stale.
    version: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(24))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_until: Mapped[datetime | None] = mapped_column()


class Vote(Base):
    """One moderator's voice toward a quorum. Nobody counts twice on one question."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("item_id", "moderator_id", "topic"),
        Index("ix_votes_moderator", "moderator_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"))
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(16))  # post | sanction | appeal
    choice: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(Base):
    """What the moderators decided: the public log (without names) and what authors appeal."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_board", "board_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    # The item decided on (a plain id: items and decisions refer to each other).
    item_id: Mapped[int | None] = mapped_column(Integer)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    # The member the decision is about (the author); never shown in the public log.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")  # for the author, never public
    until: Mapped[datetime | None] = mapped_column()  # end of a mute
    appealable: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(Base):
    """A member's report on a post; the reporter is never shown to the author."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id"),
        Index("ix_reports_reporter", "reporter_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    outcome: Mapped[str | None] = mapped_column(String(16))  # upheld | rejected
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Sanction(Base):
    """A warning, mute or ban on a board (board_id NULL: the whole site)."""

    __tablename__ = "sanctions"
    __table_args__ = (Index("ix_sanctions_user", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(8))  # warn | mute | ban
    until: Mapped[datetime | None] = mapped_column()  # None: no end (ban) or not timed (warn)
    lifted_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notice(Base):
    """A message to a member about a decision on their post or account, shown in their
    language when they read it (only codes are stored)."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_user", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()
