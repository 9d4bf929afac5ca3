"""Threads a member follows (or mutes), and the notifications that reach them in the site.

There is no e-mail: a member learns of replies from the badge in the header, "Mes fils"
and the notifications page. Notifications are rows written when a post becomes readable
(and deleted when it stops being readable), in the same transaction as the post's change:
see forum.following.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow
from .post import _enum


class FollowMode(enum.StrEnum):
    FOLLOW = "follow"  # new messages and replies reach the member
    MUTE = "mute"  # nothing from this thread reaches the member, not even replies


class Follow(Base):
    """A member's choice about one thread. Posting in a thread follows it, unless muted."""

    __tablename__ = "follows"
    # Fan-out when a post becomes readable: the thread's followers.
    __table_args__ = (Index("ix_follows_thread", "thread_id", "mode"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[FollowMode] = mapped_column(_enum(FollowMode, "follow_mode"))
    # The highest post id the member has seen in this thread: newer ones are unread.
    # Post ids grow with time, so "since the last visit" is one comparison.
    last_read_post_id: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationKind(enum.StrEnum):
    REPLY = "reply"  # an answer to one of the member's posts
    THREAD = "thread"  # a new message in a thread the member follows


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # One per member and post: a reply to you in a thread you follow is one notification.
        UniqueConstraint("user_id", "post_id"),
        # The header's unread badge and the member's list, newest first.
        Index("ix_notifications_user", "user_id", "read_at", "id"),
        # Withdrawal when a post is hidden, removed or erased.
        Index("ix_notifications_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(_enum(NotificationKind, "notification_kind"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()
