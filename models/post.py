"""Threads, posts (a tree per thread) and supportive reactions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    case,
    false,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, db, utcnow

if TYPE_CHECKING:
    from .board import Board
    from .user import User


class PostStatus(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # held for review: only its author and the board's moderators see it
    HIDDEN = "hidden"  # hidden pending review after reports
    REMOVED = "removed"  # removed by moderators; the place in the tree stays
    DRAFT = "draft"  # the author was asked to rephrase or confirm: only they see it


class ReactionKind(enum.StrEnum):
    THANKS = "thanks"
    ME_TOO = "me_too"
    COURAGE = "courage"
    BRAVO = "bravo"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native ENUM type) so new values need no type migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        validate_strings=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
    )


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (
        # The board page: published threads, pinned first, then by last activity.
        Index(
            "ix_threads_board_listing", "board_id", "status", "is_pinned", "last_activity_at", "id"
        ),
        # The home page: each board's latest activity.
        Index("ix_threads_board_activity", "board_id", "status", "last_activity_at"),
        Index("ix_threads_author", "author_id"),
        # "Sans réponse": first messages still waiting for a reply, newest first.
        Index("ix_threads_unanswered", "status", "reply_count", "created_at"),
        Index("ix_threads_board_unanswered", "board_id", "status", "reply_count", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    content_warning: Mapped[str | None] = mapped_column(String(200))
    # Mirrors the status of the thread's first post.
    status: Mapped[PostStatus] = mapped_column(_enum(PostStatus, "post_status"))
    is_pinned: Mapped[bool] = mapped_column(default=False)
    # Published replies only (not the first post), kept by atomic SQL increments.
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Closed to new replies (an "Entre deux rencontres" thread once the next one opens),
    # and where the conversation goes on.
    closed_at: Mapped[datetime | None] = mapped_column()
    continued_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL")
    )
    # Written by the board's moderators together ("moderators"), shown without a pseudonym.
    signed_as: Mapped[str | None] = mapped_column(String(16))

    board: Mapped[Board] = relationship()
    author: Mapped[User | None] = relationship(lazy="raise")


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        # Thread pages read posts in tree order; status and author make the index covering
        # for the visibility filter, so deep pages never touch the table to skip rows.
        Index("ix_posts_thread_tree", "thread_id", "path", "status", "author_id"),
        Index("ix_posts_author", "author_id"),
        Index("ix_posts_parent", "parent_id"),
        # A board's small victories, newest first.
        Index("ix_posts_victories", "is_victory", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    # Visual depth, capped (see models.tree); the first post has depth 0.
    depth: Mapped[int] = mapped_column(Integer, default=0)
    # Sort key that lists a thread depth-first: fixed-width ids of the visual ancestors.
    path: Mapped[str] = mapped_column(String(120), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown source, as written
    html: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML, rendered when saved
    content_warning: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[PostStatus] = mapped_column(_enum(PostStatus, "post_status"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column()
    deleted_at: Mapped[datetime | None] = mapped_column()
    # Bumped on every edit, so a late scoring job never judges an older text.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The revision on which a person (moderators, reports) last decided: a scoring job for
    # that revision only records its verdict, it never changes what readers see.
    decided_revision: Mapped[int | None] = mapped_column(Integer)
    # The crisis rule recognised distress in a version of this post (it stays set): the
    # page offers no "Bravo" under it, and the crisis lines stay near it.
    in_crisis: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    # Its author marked it as a small victory ("petite victoire"): the board gathers them.
    is_victory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # As Thread.signed_as.
    signed_as: Mapped[str | None] = mapped_column(String(16))

    thread: Mapped[Thread] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PendingRevision(Base):
    """An edit of a post that is not applied yet: it waits for its scores, for its author
    (asked to rephrase) or for a moderator, while readers keep seeing the current version.
    At most one per post; a newer edit replaces it."""

    __tablename__ = "pending_revisions"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    # The post's revision number this text carries (Post.revision while it is pending).
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    content_warning: Mapped[str | None] = mapped_column(String(200))
    # For a thread's first post: the new title (None keeps the current one).
    title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reaction(Base):
    __tablename__ = "reactions"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[ReactionKind] = mapped_column(
        _enum(ReactionKind, "reaction_kind"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def counts_as_reply(post: Post) -> bool:
    """Whether this post counts in its thread's reply count."""
    return (
        post.parent_id is not None
        and post.status == PostStatus.PUBLISHED
        and post.deleted_at is None
    )


def sync_thread(post: Post, counted_before: bool, *, activity: bool = False) -> None:
    """Keep the thread's status and reply count in step with one post, by atomic SQL."""
    values: dict = {}
    if post.parent_id is None:
        values["status"] = post.status
    delta = int(counts_as_reply(post)) - int(counted_before)
    if delta:
        values["reply_count"] = Thread.reply_count + delta
    if activity and counts_as_reply(post):
        # Never backwards: a reply approved late keeps the thread's later activity.
        values["last_activity_at"] = case(
            (Thread.last_activity_at < post.created_at, post.created_at),
            else_=Thread.last_activity_at,
        )
    if values:
        db.session.execute(
            update(Thread).where(Thread.id == post.thread_id).values(**values),
            execution_options={"synchronize_session": False},
        )


def set_status(post: Post, status: PostStatus) -> None:
    """Change a post's status, keeping its thread's status and reply count right."""
    counted_before = counts_as_reply(post)
    post.status = status
    sync_thread(post, counted_before, activity=status == PostStatus.PUBLISHED)
