"""Read side of following: the header's count, "Mes fils", the notifications page and
the follow state on a thread page. One query each, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g
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

from ..boards.queries import Page, _page

THREADS_PER_PAGE = 25
NOTIFICATIONS_PER_PAGE = 25
# The notifications page lists the latest ones only (older ones stay out of the count).
NOTIFICATIONS_KEPT = 200
EXCERPT = 140


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
    """A row of "Mes fils": the thread's link and activity, and what is new in it."""

    thread_id: int
    title: str
    last_activity_at: datetime
    new_count: int
    first_unread_id: int | None


def _unread_posts(user_id: int, thread_id: ColumnElement, last_read: ColumnElement):  # type: ignore[no-untyped-def,type-arg]
    """Posts of the followed thread newer than the member's last visit that they would
    see: published, not erased, not their own, not from a member they blocked."""
    return and_(
        Post.thread_id == thread_id,
        Post.id > last_read,
        Post.status == PostStatus.PUBLISHED,
        Post.deleted_at.is_(None),
        Post.author_id.is_not(None),
        Post.author_id != user_id,
        _not_blocked(user_id, Post.author_id),
    )


def _remember_header(row: Any) -> None:
    """The header's counts came with the page's total: the badge asks nothing more."""
    g._following_unread = (int(row.notices or 0), int(row.notifications or 0))


def followed_threads(user: User, number: int) -> tuple[Page, list[FollowedThread]]:
    """The threads the member follows (not muted), latest activity first. The page of
    follows is chosen first; what is new is counted for its threads only, in one pass."""
    followed = and_(
        Follow.user_id == user.id,
        Follow.mode == FollowMode.FOLLOW,
        or_(Thread.status == PostStatus.PUBLISHED, Thread.author_id == user.id),
    )
    total = (
        select(func.count())
        .select_from(Follow)
        .join(Thread, Thread.id == Follow.thread_id)
        .where(followed)
        .scalar_subquery()
    )
    notices, notifications = _unread_columns(user.id)
    counts = db.session.execute(
        select(total.label("total"), notices.label("notices"), notifications.label("notifications"))
    ).one()
    _remember_header(counts)
    page = _page(number, THREADS_PER_PAGE, counts.total or 0)
    shown = (
        select(
            Thread.id,
            Thread.title,
            Thread.last_activity_at,
            Follow.last_read_post_id,
        )
        .select_from(Follow)
        .join(Thread, Thread.id == Follow.thread_id)
        .where(followed)
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(page.per_page)
        .offset(page.offset)
        .subquery()
    )
    rows = db.session.execute(
        select(
            shown.c.id,
            shown.c.title,
            shown.c.last_activity_at,
            func.count(Post.id),
            func.min(Post.id),
        )
        .select_from(shown)
        .outerjoin(Post, _unread_posts(user.id, shown.c.id, shown.c.last_read_post_id))
        .group_by(shown.c.id, shown.c.title, shown.c.last_activity_at)
        .order_by(shown.c.last_activity_at.desc(), shown.c.id.desc())
    ).all()
    return page, [
        FollowedThread(thread_id, title, last_activity, int(new or 0), first)
        for thread_id, title, last_activity, new, first in rows
    ]


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


# Enough of a post's HTML for any excerpt: the rest of a long post is never read.
EXCERPT_SOURCE = 2000


def excerpt(html: str, limit: int = EXCERPT) -> str:
    """Plain text of a post's sanitised HTML, cut at a word near `limit` characters."""
    return _cut(Markup(html).striptags(), limit)  # noqa: S704 - only read as text, escaped when shown


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def _excerpt_of_start(post_id: int, start: str | None, whole: bool) -> str:
    """The excerpt from the first EXCERPT_SOURCE characters of a post's HTML. It is the
    excerpt of the whole when the start holds enough text beyond the cut: a tag or an
    entity cut in two only spoils the end. Otherwise (markup-heavy start) the whole HTML
    is read."""
    start = start or ""
    if not whole:
        tag = start.rfind("<")
        if tag > start.rfind(">"):
            start = start[:tag]  # a tag cut in two
    text = Markup(start).striptags()  # noqa: S704 - only read as text, escaped when shown
    if whole or len(text) > EXCERPT + 64:
        return _cut(text, EXCERPT)
    return excerpt(db.session.scalar(select(Post.html).where(Post.id == post_id)) or "")


def notifications(user: User, number: int) -> tuple[Page, list[NotificationView]]:
    """The member's latest notifications (NOTIFICATIONS_KEPT at most), newest first.

    Only the latest are counted and paged: counting every notification a member ever had
    would check each against its post, a cost that grows with the years."""
    shown = _shown(user.id)
    latest = (
        select(Notification.id)
        .join(Post, Post.id == Notification.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(shown)
        .order_by(Notification.id.desc())
        .limit(NOTIFICATIONS_KEPT)
        .subquery()
    )
    total = select(func.count()).select_from(latest).scalar_subquery()
    notices, unread = _unread_columns(user.id)
    counts = db.session.execute(
        select(total.label("total"), notices.label("notices"), unread.label("notifications"))
    ).one()
    _remember_header(counts)
    page = _page(number, NOTIFICATIONS_PER_PAGE, counts.total or 0)
    rows = db.session.execute(
        select(
            Notification.id,
            Notification.kind,
            Notification.created_at,
            Notification.read_at,
            Post.id.label("post_id"),
            Post.thread_id,
            Thread.title,
            User.pseudonym,
            func.substr(Post.html, 1, EXCERPT_SOURCE).label("start"),
            (func.length(Post.html) <= EXCERPT_SOURCE).label("whole"),
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
            row.id,
            NotificationKind(row.kind),
            row.created_at,
            row.read_at is None,
            row.post_id,
            row.thread_id,
            row.title,
            row.pseudonym,
            "" if row.content_warning else _excerpt_of_start(row.post_id, row.start, row.whole),
            row.content_warning,
        )
        for row in rows
    ]
