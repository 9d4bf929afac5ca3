"""Read side of following: the header's count, "Mes fils", the notifications page and
the follow state on a thread page. One query each, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import ColumnElement, and_, func, literal, or_, select

from models import (
    Block,
    Follow,
    FollowMode,
    Notice,
    Notification,
    NotificationKind,
    Post,
    PostStatus,
    Thread,
    User,
    db,
)

from ..boards.queries import Page, PageNotFound

THREADS_PER_PAGE = 25
NOTIFICATIONS_PER_PAGE = 25
EXCERPT = 140


def _page(number: int, per_page: int, total: int) -> Page:
    page = Page(number, per_page, total)
    if number < 1 or number > page.pages:
        raise PageNotFound(number)
    return page


def _not_blocked(user_id: int, author_id: ColumnElement) -> ColumnElement[bool]:  # type: ignore[type-arg]
    return (
        ~select(Block.blocker_id)
        .where(Block.blocker_id == user_id, Block.blocked_id == author_id)
        .exists()
    )


def _shown(user_id: int) -> ColumnElement[bool]:
    """A notification the member may still see: its post readable, in a published thread,
    from a member they have not blocked since."""
    return and_(
        Notification.user_id == user_id,
        Post.status == PostStatus.PUBLISHED,
        Post.deleted_at.is_(None),
        Thread.status == PostStatus.PUBLISHED,
        _not_blocked(user_id, Post.author_id),
    )


def _unread_columns(user_id: int) -> list:  # type: ignore[type-arg]
    notices = (
        select(func.count())
        .select_from(Notice)
        .where(Notice.user_id == user_id, Notice.read_at.is_(None))
        .scalar_subquery()
    )
    notifications = (
        select(func.count())
        .select_from(Notification)
        .join(Post, Post.id == Notification.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(_shown(user_id), Notification.read_at.is_(None))
        .scalar_subquery()
    )
    return [notices, notifications]


def unread_counts(user_id: int) -> tuple[int, int]:
    """(unread moderation notices, unread notifications), in one query for the header."""
    row = db.session.execute(select(*_unread_columns(user_id))).one()
    return int(row[0] or 0), int(row[1] or 0)


@dataclass(frozen=True)
class ThreadState:
    """What a member's visit to a page of a thread knows and changes."""

    thread_id: int
    mode: FollowMode | None
    last_read_post_id: int
    unread_on_page: int  # unread notifications of the posts on this page
    page_post_ids: tuple[int, ...]
    # The header's counts, asked in the same query: (notices, notifications) unread.
    header: tuple[int, int] = (0, 0)

    @property
    def highest_shown(self) -> int:
        return max(self.page_post_ids, default=0)


def thread_state(user_id: int, thread_id: int, page_post_ids: list[int]) -> ThreadState:
    """The member's follow row, the unread marks of the page's posts and the header's
    counts: one query."""
    mine = and_(Follow.user_id == user_id, Follow.thread_id == thread_id)
    on_page = Notification.post_id.in_(page_post_ids) if page_post_ids else literal(False)
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None), on_page)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(
            select(Follow.mode).where(mine).scalar_subquery(),
            select(Follow.last_read_post_id).where(mine).scalar_subquery(),
            unread,
            *_unread_columns(user_id),
        )
    ).one()
    mode = FollowMode(row[0]) if row[0] is not None else None
    return ThreadState(
        thread_id,
        mode,
        int(row[1] or 0),
        int(row[2] or 0),
        tuple(page_post_ids),
        (int(row[3] or 0), int(row[4] or 0)),
    )


@dataclass(frozen=True)
class FollowedThread:
    thread: Thread
    new_count: int
    first_unread_id: int | None


def _unread_posts(user_id: int) -> ColumnElement[bool]:
    """Posts of the followed thread newer than the member's last visit that they would
    see: published, not erased, not their own, not from a member they blocked."""
    return and_(
        Post.thread_id == Follow.thread_id,
        Post.id > Follow.last_read_post_id,
        Post.status == PostStatus.PUBLISHED,
        Post.deleted_at.is_(None),
        Post.author_id.is_not(None),
        Post.author_id != user_id,
        _not_blocked(user_id, Post.author_id),
    )


def followed_threads(user: User, number: int) -> tuple[Page, list[FollowedThread]]:
    """The threads the member follows (not muted), latest activity first."""
    followed = and_(
        Follow.user_id == user.id,
        Follow.mode == FollowMode.FOLLOW,
        Thread.id == Follow.thread_id,
        or_(Thread.status == PostStatus.PUBLISHED, Thread.author_id == user.id),
    )
    total = db.session.scalar(select(func.count()).select_from(Follow).join(Thread).where(followed))
    page = _page(number, THREADS_PER_PAGE, total or 0)
    unread = _unread_posts(user.id)
    new_count = (
        select(func.count()).select_from(Post).where(unread).correlate(Follow).scalar_subquery()
    )
    first_unread = select(func.min(Post.id)).where(unread).correlate(Follow).scalar_subquery()
    rows = db.session.execute(
        select(Thread, new_count, first_unread)
        .select_from(Follow)
        .join(Thread, Thread.id == Follow.thread_id)
        .where(followed)
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(page.per_page)
        .offset(page.offset)
    ).all()
    return page, [FollowedThread(t, int(n or 0), first) for t, n, first in rows]


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: NotificationKind
    created_at: datetime
    unread: bool
    post_id: int
    thread_id: int
    thread_title: str
    author_name: str | None
    excerpt: str
    content_warning: str | None


def excerpt(html: str, limit: int = EXCERPT) -> str:
    """Plain text of a post's sanitised HTML, cut at a word near `limit` characters."""
    text = Markup(html).striptags()  # noqa: S704 - only read as text, escaped when shown
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def notifications(user: User, number: int) -> tuple[Page, list[NotificationView]]:
    """The member's notifications, newest first."""
    shown = _shown(user.id)
    total = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .join(Post, Post.id == Notification.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(shown)
    )
    page = _page(number, NOTIFICATIONS_PER_PAGE, total or 0)
    rows = db.session.execute(
        select(
            Notification.id,
            Notification.kind,
            Notification.created_at,
            Notification.read_at,
            Post.id,
            Post.thread_id,
            Thread.title,
            User.pseudonym,
            Post.html,
            Post.content_warning,
        )
        .select_from(Notification)
        .join(Post, Post.id == Notification.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .outerjoin(User, User.id == Post.author_id)
        .where(shown)
        .order_by(Notification.id.desc())
        .limit(page.per_page)
        .offset(page.offset)
    ).all()
    return page, [
        NotificationView(
            nid,
            NotificationKind(kind),
            created,
            read_at is None,
            post_id,
            thread_id,
            title,
            name,
            "" if warning else excerpt(html),
            warning,
        )
        for nid, kind, created, read_at, post_id, thread_id, title, name, html, warning in rows
    ]
