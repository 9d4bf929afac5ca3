"""Petites victoires: the posts their authors marked as a small victory, gathered on a
gentle page per board, and the author's mark itself.

Only per-post reaction counts, as the thread page shows them: no count per person, no
ranking, no "most celebrated". A post in distress is never celebrated: a victory marked on
a post the crisis rule recognised stays off the page, and carries no mark.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, and_, exists, func, select

from models import Block, Board, Post, PostStatus, Reaction, ReactionKind, Thread, User, db

from ..navigation import page_number
from ..permissions import is_author
from ..templating import post_labels
from . import bp, services, views
from .forms import VictoryForm
from .queries import Page, PageNotFound, PostView, _page

VICTORIES_PER_PAGE = 25


def _shown(board: Board, user: Any) -> ColumnElement[bool]:
    """The board's small victories this reader may see: published, in a published thread,
    not deleted, not in distress, not from a member the reader blocked (their posts fold
    away on a thread page; here they are simply left out). Served by ix_posts_victories."""
    where = [
        Post.is_victory.is_(True),
        Post.status == PostStatus.PUBLISHED,
        Post.deleted_at.is_(None),
        Post.in_crisis.is_(False),
        Thread.board_id == board.id,
        Thread.status == PostStatus.PUBLISHED,
    ]
    if getattr(user, "is_authenticated", False):
        blocked = exists().where(Block.blocker_id == user.id, Block.blocked_id == Post.author_id)
        where.append(~blocked)
    return and_(*where)


@dataclass
class Victory:
    item: PostView  # what the reactions macro reads
    thread_title: str


@dataclass
class VictoriesPage:
    board: Board
    page: Page
    victories: list[Victory]


def victories_page(board: Board, number: int, user: Any) -> VictoriesPage:
    """Newest first; four queries whatever the page holds (three for a visitor)."""
    shown = _shown(board, user)
    total = (
        db.session.scalar(
            select(func.count())
            .select_from(Post)
            .join(Thread, Thread.id == Post.thread_id)
            .where(shown)
        )
        or 0
    )
    page = _page(number, VICTORIES_PER_PAGE, total)
    order = (Post.created_at.desc(), Post.id.desc())
    rows = db.session.execute(
        select(Post, User.pseudonym, Thread.title)
        .join(Thread, Thread.id == Post.thread_id)
        .outerjoin(User, User.id == Post.author_id)
        .where(shown)
        .order_by(*order)
        .limit(page.per_page)
        .offset(page.offset)
    ).all()
    ids = [post.id for post, _name, _title in rows]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, set[str]] = defaultdict(set)
    if ids:
        for post_id, kind, n in db.session.execute(
            select(Reaction.post_id, Reaction.kind, func.count())
            .where(Reaction.post_id.in_(ids))
            .group_by(Reaction.post_id, Reaction.kind)
        ):
            counts[post_id][ReactionKind(kind).value] = n
        if getattr(user, "is_authenticated", False):
            for post_id, kind in db.session.execute(
                select(Reaction.post_id, Reaction.kind).where(
                    Reaction.post_id.in_(ids), Reaction.user_id == user.id
                )
            ):
                mine[post_id].add(ReactionKind(kind).value)
    victories = [
        Victory(
            PostView(post, name, None, False, True, counts[post.id], mine[post.id]),
            title,
        )
        for post, name, title in rows
    ]
    return VictoriesPage(board, page, victories)


def bravo_first(kinds: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The reactions in their usual order, "Well done" first: here is where it belongs."""
    return sorted(kinds, key=lambda pair: pair[0] != ReactionKind.BRAVO.value)


@bp.route("/boards/<slug>/victories")
def board_victories(slug: str):  # type: ignore[no-untyped-def]
    board = views.board_or_404(slug)
    try:
        view = victories_page(board, page_number(), current_user)
    except PageNotFound:
        abort(404)
    labels = post_labels()
    labels["reaction_kinds"] = bravo_first(labels["reaction_kinds"])
    return render_template("boards/victories.html", view=view, board=board, t=labels)


@bp.route("/posts/<id:post_id>/victory", methods=["POST"])
@login_required
def victory(post_id: int):  # type: ignore[no-untyped-def]
    """Mark (`on`=1) or unmark (`on`=0) one's own post; without `on`, toggle. Idempotent."""
    post = views._post_or_404(post_id)
    if not is_author(current_user, post):
        abort(403)
    form = VictoryForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = not post.is_victory if not form.on.data else form.on.data == "1"
    if not services.mark_victory(post, wanted):
        flash(_("This message can no longer be marked."), views.near_post(post.id, "error"))
    elif wanted:
        flash(_("Marked as a small victory."), views.near_post(post.id))
    else:
        flash(_("It is no longer marked as a small victory."), views.near_post(post.id))
    return redirect(url_for("boards.post", post_id=post.id))
