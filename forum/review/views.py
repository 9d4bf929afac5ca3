"""The review queue and its items. Thin: load, call one `moderation` function, then render or
redirect. Who may see an item is `queue.may_review`: another board's item is a 404, so the
pages never reveal what happens elsewhere."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from models import (
    Assessment,
    Board,
    Decision,
    ItemKind,
    ItemState,
    Post,
    Report,
    ReviewItem,
    Thread,
    User,
    Vote,
    db,
    set_write_intent,
    utcnow,
)
from moderation.workflow import decisions, eligibility, lifecycle, queue

from ..forms import EmptyForm
from . import bp, messages
from .forms import DecideForm, SanctionForm

EXCERPT_CHARS = 220
# At or above this score a post is folded in the queue until the moderator opens it.
DISTRESSING_SCORE = 0.8


@dataclass(frozen=True)
class Row:
    """One line of the queue."""

    item: ReviewItem
    board: Board
    post: Post
    excerpt: str
    claimed: bool
    distressing: bool


@bp.before_request
def _opening_claims() -> None:
    # Opening an item may claim it (a write): on SQLite the transaction must begin as a writer.
    if request.endpoint == "review.item":
        set_write_intent(True)


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _item_or_404(item_id: int) -> ReviewItem:
    item = db.get_or_404(ReviewItem, item_id)
    if not queue.may_review(current_user, item):
        abort(404)
    return item


def _moderated_boards() -> list[Board]:
    ids = queue.moderated_board_ids(_me())
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Board).where(Board.id.in_(ids)).order_by(Board.position, Board.name)
        )
    )


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _rows(items: list[ReviewItem], boards: list[Board]) -> list[Row]:
    by_id = {b.id: b for b in boards}
    posts = {
        p.id: p
        for p in db.session.scalars(select(Post).where(Post.id.in_({i.post_id for i in items})))
    }
    me = _me()
    return [
        Row(
            item=item,
            board=by_id[item.board_id],
            post=posts[item.post_id],
            excerpt=_excerpt(posts[item.post_id].body),
            claimed=queue.claimed_by_other(item, me),
            distressing=item.is_crisis
            or item.score >= DISTRESSING_SCORE
            or bool(posts[item.post_id].content_warning),
        )
        for item in items
    ]


@bp.route("/moderation", endpoint="queue")
@login_required
def queue_page():  # type: ignore[no-untyped-def]
    boards = _moderated_boards()
    if not boards:
        abort(403)
    slug = request.args.get("board", "")
    chosen = next((b for b in boards if b.slug == slug), None)
    if slug and chosen is None:
        abort(404)  # unknown, or a board this member does not moderate
    items = queue.waiting(_me(), chosen.id if chosen else None)
    return render_template(
        "review/queue.html",
        rows=_rows(items, boards),
        boards=boards,
        chosen=chosen,
        reviewed=queue.reviewed_today(_me()),
    )


def _tally(item: ReviewItem, quorum: int) -> list[str]:
    choices = db.session.execute(
        select(Vote.topic, Vote.choice).where(Vote.item_id == item.id).order_by(Vote.id)
    ).all()
    counts = Counter((topic, choice.split(":")[0]) for topic, choice in choices)
    return [messages.TALLY[key](n, quorum) for key, n in counts.items() if key in messages.TALLY]


def _claim_minutes(item: ReviewItem) -> int | None:
    """Minutes until another moderator's claim runs out; None when nobody else holds it."""
    if not queue.claimed_by_other(item, _me()) or item.claimed_until is None:
        return None
    return max(1, math.ceil((item.claimed_until - utcnow()).total_seconds() / 60))


def _item_context(item: ReviewItem, can: eligibility.Eligibility) -> dict[str, Any]:
    post = db.session.get_one(Post, item.post_id)
    board = db.session.get_one(Board, item.board_id)
    assessments = list(
        db.session.scalars(
            select(Assessment).where(Assessment.post_id == post.id).order_by(Assessment.id)
        )
    )
    scored = next((a for a in reversed(assessments) if a.scores), None)
    return {
        "item": item,
        "post": post,
        # An edit waiting beside the published version: what approving would publish.
        "pending_edit": lifecycle.pending_revision(post),
        "thread": db.session.get_one(Thread, post.thread_id),
        "board": board,
        "parent": db.session.get(Post, post.parent_id) if post.parent_id else None,
        "author": db.session.get(User, post.author_id) if post.author_id else None,
        "assessments": assessments,
        "scores": scored.scores if scored else None,
        # Reporters are never loaded: not even moderators learn who reported.
        "reports": list(
            db.session.scalars(select(Report).where(Report.post_id == post.id).order_by(Report.id))
        ),
        "history": queue.history(post.author_id, board.id),
        "contested": db.session.get(Decision, item.decision_id) if item.decision_id else None,
        "tally": _tally(item, board.quorum),
        # Only the actions this moderator may take are offered; when none, the page says why.
        "can": can,
        "why_not": messages.why_not(can.reason),
        "claim_minutes": _claim_minutes(item),
        "is_open": item.state == ItemState.OPEN,
        "is_appeal": item.kind == ItemKind.APPEAL,
        "reasons": decisions.REASONS,
        "mute_days": decisions.MUTE_DAYS,
    }


def _render_item(
    item: ReviewItem,
    decide_form: DecideForm | None = None,
    sanction_form: SanctionForm | None = None,
    status: int = 200,
    can: eligibility.Eligibility | None = None,
):  # type: ignore[no-untyped-def]
    return render_template(
        "review/item.html",
        decide_form=decide_form or DecideForm(formdata=None),
        sanction_form=sanction_form or SanctionForm(formdata=None),
        **_item_context(item, can or eligibility.actions_for(item, _me())),
    ), status


@bp.route("/moderation/items/<id:item_id>")
@login_required
def item(item_id: int):  # type: ignore[no-untyped-def]
    item = _item_or_404(item_id)
    # Claimed only by a moderator who can decide on it; when another holds it, the page says so.
    return _render_item(item, can=eligibility.open_for(item, _me()))


def _refused(  # type: ignore[no-untyped-def]
    item: ReviewItem, form: DecideForm | SanctionForm, refused: decisions.NotAllowed
):
    """The form again, with a clear message: nothing was changed."""
    db.session.rollback()
    status, message, field = messages.REFUSALS.get(
        refused.reason, messages.REFUSALS["invalid_choice"]
    )
    if field is not None:
        getattr(form, field).errors = [*getattr(form, field).errors, message()]
    else:
        form.form_errors.append(message())
    if isinstance(form, DecideForm):
        return _render_item(item, decide_form=form, status=status)
    return _render_item(item, sanction_form=form, status=status)


@bp.route("/moderation/items/<id:item_id>/decide", methods=["POST"])
@login_required
def decide(item_id: int):  # type: ignore[no-untyped-def]
    item = _item_or_404(item_id)
    form = DecideForm()
    if not form.validate_on_submit():
        return _render_item(item, decide_form=form, status=400)
    kind, choice = item.kind, form.decision.data
    try:
        result = decisions.decide(
            item,
            _me(),
            choice,
            reason=form.reason.data,
            note=form.note.data,
            version=form.version.data,
        )
    except decisions.NotAllowed as refused:
        return _refused(item, form, refused)
    post_status = db.session.get_one(Post, item.post_id).status
    flash(messages.decided(kind, choice, result, post_status), "info")
    return redirect(url_for("review.queue"))


@bp.route("/moderation/items/<id:item_id>/sanction", methods=["POST"])
@login_required
def sanction(item_id: int):  # type: ignore[no-untyped-def]
    item = _item_or_404(item_id)
    form = SanctionForm()
    if not form.validate_on_submit():
        return _render_item(item, sanction_form=form, status=400)
    try:
        result = decisions.sanction(
            item,
            _me(),
            form.kind.data,
            days=form.days.data if form.kind.data == "mute" else None,
            reason=form.reason.data,
            note=form.note.data,
            version=form.version.data,
        )
    except decisions.NotAllowed as refused:
        return _refused(item, form, refused)
    flash(messages.sanctioned(form.kind.data, form.days.data, result), "info")
    return redirect(url_for("review.queue"))


@bp.route("/moderation/items/<id:item_id>/release", methods=["POST"])
@login_required
def release(item_id: int):  # type: ignore[no-untyped-def]
    item = _item_or_404(item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    queue.release(item, _me())
    flash(_("The item is released: another moderator can open it."), "info")
    return redirect(url_for("review.queue"))
