"""Read side of boards and threads: a fixed number of queries per page, whatever its size."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased

from models import (
    Block,
    Board,
    Decision,
    Notice,
    PendingRevision,
    Post,
    PostStatus,
    Reaction,
    ReactionKind,
    ReviewItem,
    Thread,
    User,
    db,
)

from ..permissions import can_edit_post, can_moderate, can_read_board

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 25


@dataclass
class Page:
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def window(self, radius: int = 2) -> list[int | None]:
        """Page numbers around the current one, with None for a gap: 1 … 4 5 [6] 7 8 … 40."""
        shown = {1, self.pages, *range(self.number - radius, self.number + radius + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


class PageNotFound(Exception):
    pass


def _page(number: int, per_page: int, total: int) -> Page:
    page = Page(number, per_page, total)
    if number < 1 or number > page.pages:
        raise PageNotFound(number)
    return page


def visible_boards(user: Any) -> list[tuple[Board, Thread | None, str | None]]:
    """Every board, each with its latest published thread and its author. Visitors see
    members-only boards listed (to sign in and read them), never their threads."""
    readable = [Thread.board_id == Board.id, Thread.status == PostStatus.PUBLISHED]
    if not getattr(user, "is_authenticated", False):
        readable.append(Board.members_only.is_(False))
    latest = (
        select(Thread.id)
        .where(*readable)
        .order_by(Thread.last_activity_at.desc())
        .limit(1)
        .correlate(Board)
        .scalar_subquery()
    )
    query = (
        select(Board, Thread, User.pseudonym)
        .outerjoin(Thread, Thread.id == latest)
        .outerjoin(User, User.id == Thread.author_id)
        .order_by(Board.position, Board.name)
    )
    return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


@dataclass
class BoardPage:
    board: Board
    page: Page
    threads: list[tuple[Thread, str | None]]
    own_pending: list[Thread] = field(default_factory=list)


def board_page(board: Board, number: int, user: Any) -> BoardPage:
    published = and_(Thread.board_id == board.id, Thread.status == PostStatus.PUBLISHED)
    total = db.session.scalar(select(func.count()).select_from(Thread).where(published)) or 0
    page = _page(number, THREADS_PER_PAGE, total)
    # Late row lookup: the offset walks the covering index only, then 25 rows are read.
    ids = (
        select(Thread.id)
        .where(published)
        .order_by(Thread.is_pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(page.per_page)
        .offset(page.offset)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Thread, User.pseudonym)
        .outerjoin(User, User.id == Thread.author_id)
        .where(Thread.id.in_(ids))
        .order_by(Thread.is_pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
    ).all()
    pending: list[Thread] = []
    if getattr(user, "is_authenticated", False) and number == 1:
        own = Thread.author_id == user.id
        held = Thread.status == PostStatus.PENDING
        mine = and_(own, Thread.status.in_([PostStatus.PENDING, PostStatus.DRAFT]))
        waiting = select(Thread).where(
            Thread.board_id == board.id, or_(mine, held) if can_moderate(user, board) else mine
        )
        pending = list(db.session.scalars(waiting.order_by(Thread.id.desc()).limit(50)))
    return BoardPage(board, page, [(t, name) for t, name in rows], pending)


@dataclass
class PostView:
    post: Post
    author_name: str | None
    parent_author_name: str | None
    show_in_reply_to: bool
    content_visible: bool
    reactions: dict[str, int]
    mine: set[str]
    # Written by a member the viewer has blocked: folded away, opened on request.
    folded: bool = False
    # The viewer may edit it (`can_edit_post`): the page offers no link the edit page refuses.
    editable: bool = False
    # The viewer's own removed post: the decision (its reason, open to one appeal) and
    # whether they appealed it already. Nobody else learns why a post was removed.
    removal: Decision | None = None
    appealed: bool = False
    # The viewer's own post has an edit waiting (for its verdict or a moderator).
    edit_waiting: bool = False


@dataclass
class ThreadPage:
    thread: Thread
    board: Board
    page: Page
    posts: list[PostView]
    is_moderator: bool


def _audience(user: Any, board: Board) -> str:
    if can_moderate(user, board):
        return "all"
    return "member" if getattr(user, "is_authenticated", False) else "public"


def _params(thread: Thread, user: Any) -> dict[str, Any]:
    member = getattr(user, "is_authenticated", False)
    return {"thread_id": thread.id, "viewer_id": user.id if member else None}


def _visible_posts(audience: str):  # type: ignore[no-untyped-def]
    """The posts of thread :thread_id that have a place on the page for this audience:
    held posts for their author and moderators, drafts for their author only."""
    visible = Post.thread_id == bindparam("thread_id")
    unseen = [PostStatus.DRAFT] if audience == "all" else [PostStatus.PENDING, PostStatus.DRAFT]
    if audience == "public":
        return and_(visible, Post.status.not_in(unseen))
    return and_(
        visible,
        or_(Post.status.not_in(unseen), Post.author_id == bindparam("viewer_id")),
    )


@cache
def _thread_statements(audience: str):  # type: ignore[no-untyped-def]
    """Count and page statements for one audience, built once (parameters bound later)."""
    visible = _visible_posts(audience)
    count = select(func.count()).select_from(Post).where(visible)
    # Late row lookup: the offset walks the covering (thread_id, path, ...) index only.
    ids = (
        select(Post.id)
        .where(visible)
        .order_by(Post.path)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .scalar_subquery()
    )
    author, parent, parent_author = aliased(User), aliased(Post), aliased(User)
    rows = (
        select(
            Post,
            author.pseudonym,
            parent.depth,
            parent_author.pseudonym,
            Block.blocked_id,
            # An edit waiting beside the post (its author is told; nobody else).
            PendingRevision.post_id.is_not(None),
        )
        .outerjoin(author, author.id == Post.author_id)
        .outerjoin(PendingRevision, PendingRevision.post_id == Post.id)
        .outerjoin(
            Block,
            and_(Block.blocker_id == bindparam("viewer_id"), Block.blocked_id == Post.author_id),
        )
        .outerjoin(parent, parent.id == Post.parent_id)
        .outerjoin(parent_author, parent_author.id == parent.author_id)
        .where(Post.id.in_(ids))
        .order_by(Post.path)
    )
    page_ids = bindparam("post_ids", expanding=True)
    reactions = (
        select(Reaction.post_id, Reaction.kind, func.count())
        .where(Reaction.post_id.in_(page_ids))
        .group_by(Reaction.post_id, Reaction.kind)
    )
    mine = select(Reaction.post_id, Reaction.kind).where(
        Reaction.post_id.in_(page_ids), Reaction.user_id == bindparam("viewer_id")
    )
    return count, rows, reactions, mine


def thread_page(thread: Thread, number: int, user: Any) -> ThreadPage:
    board = thread.board
    audience = _audience(user, board)
    moderator, member = audience == "all", getattr(user, "is_authenticated", False)
    count, rows_stmt, reactions_stmt, mine_stmt = _thread_statements(audience)
    params = _params(thread, user)
    total = db.session.scalar(count, params) or 0
    page = _page(number, POSTS_PER_PAGE, total)
    rows = db.session.execute(
        rows_stmt, {**params, "limit": page.per_page, "offset": page.offset}
    ).all()
    page_ids = [row[0].id for row in rows]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, set[str]] = defaultdict(set)
    if page_ids:
        for post_id, kind, n in db.session.execute(reactions_stmt, {"post_ids": page_ids}):
            counts[post_id][ReactionKind(kind).value] = n
        if member:
            for post_id, kind in db.session.execute(
                mine_stmt, {"post_ids": page_ids, "viewer_id": user.id}
            ):
                mine[post_id].add(ReactionKind(kind).value)
    on_page = set(page_ids)
    own_removed = [
        post.id
        for post, *_ in rows
        if member and post.author_id == user.id and post.status == PostStatus.REMOVED
    ]
    removals = _removals(own_removed, user.id) if own_removed else {}
    views = []
    for post, author_name, parent_depth, parent_author_name, blocked, edit_waits in rows:
        in_reply_to = (
            post.parent_id is not None
            and parent_depth is not None
            and parent_depth > 0
            and (parent_depth != post.depth - 1 or post.parent_id not in on_page)
        )
        content_visible = (
            post.status == PostStatus.PUBLISHED
            or moderator
            or (member and post.author_id == user.id)
        )
        removal, appealed = removals.get(post.id, (None, False))
        views.append(
            PostView(
                post,
                author_name,
                parent_author_name,
                in_reply_to,
                content_visible,
                counts[post.id],
                mine[post.id],
                folded=blocked is not None,
                editable=can_edit_post(user, post),
                removal=removal,
                appealed=appealed,
                edit_waiting=bool(edit_waits and member and post.author_id == user.id),
            )
        )
    return ThreadPage(thread, board, page, views, moderator)


def _removals(post_ids: list[int], author_id: int) -> dict[int, tuple[Decision, bool]]:
    """For the author's removed posts on a page, in one query: the decision that removed
    each (the latest, should a post have been removed twice) and whether it is appealed.
    Reached through the author's notices, which the author index serves."""
    rows = db.session.execute(
        select(Decision, ReviewItem.id)
        .join(Notice, Notice.decision_id == Decision.id)
        .outerjoin(ReviewItem, ReviewItem.decision_id == Decision.id)
        .where(
            Notice.user_id == author_id,
            Decision.action == "removed",
            Decision.post_id.in_(post_ids),
        )
        .order_by(Decision.id)
    ).all()
    return {decision.post_id: (decision, appeal is not None) for decision, appeal in rows}


def page_of_post(post: Post, user: Any) -> int:
    """The thread page on which a post appears for this user."""
    thread = db.session.get_one(Thread, post.thread_id)
    before_stmt = _before_statement(_audience(user, thread.board))
    before = db.session.scalar(before_stmt, {**_params(thread, user), "path": post.path}) or 0
    return before // POSTS_PER_PAGE + 1


@cache
def _before_statement(audience: str):  # type: ignore[no-untyped-def]
    visible = _visible_posts(audience)
    return select(func.count()).select_from(Post).where(visible, Post.path < bindparam("path"))


def readable_thread(thread: Thread, user: Any) -> bool:
    """A thread is readable when its board is, and its first post is public or the user's."""
    if not can_read_board(user, thread.board):
        return False
    if thread.status == PostStatus.PUBLISHED:
        return True
    own = getattr(user, "is_authenticated", False) and thread.author_id == user.id
    if thread.status == PostStatus.DRAFT:
        return own
    return own or can_moderate(user, thread.board)
