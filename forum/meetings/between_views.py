"""Pages of the "Entre deux rencontres" threads: the moderators' settings, and the answer
to a reply sent to a closed one (the text comes back, ready to post in the new thread)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import BooleanField, TextAreaField

from models import Board, MeetingSchedule, Post, Thread, db, utcnow
from moderation.rules import crisis
from moderation.workflow.pipeline import held_posts_left

from ..boards.forms import ReplyForm
from ..fields import Text, newlines
from ..forms import Form
from ..markup import render_markdown
from ..permissions import can_moderate
from . import between, bp


class BetweenForm(Form):
    between_threads = BooleanField(_l("Open a “between meetings” thread after each meeting"))
    between_text = TextAreaField(
        _l("The first message of each thread"),
        filters=[newlines],
        validators=[Text(between.TEXT_MAX, required=False)],
    )


def save(board: Board, enabled: bool, text: str) -> None:
    """The moderators' settings, in one transaction: a new text also becomes the first
    post of the thread open now (a new revision, rendered again)."""
    board.between_threads = enabled
    if text != board.between_text:
        board.between_text = text
        current = between.open_thread(board.id, published=False)
        first = None
        if current is not None:
            first = db.session.scalars(
                select(Post).where(Post.thread_id == current.id, Post.parent_id.is_(None))
            ).first()
        if first is not None and first.deleted_at is None:
            body = text if text.strip() else between.default_text()
            first.body, first.html = body, render_markdown(body)
            first.revision += 1
            first.edited_at = utcnow()
    db.session.commit()


def _render(form: BetweenForm, board: Board):  # type: ignore[no-untyped-def]
    scheduled = db.session.scalar(
        select(func.count())
        .select_from(MeetingSchedule)
        .where(MeetingSchedule.board_id == board.id)
    )
    return render_template(
        "meetings/between_settings.html",
        form=form,
        board=board,
        scheduled=bool(scheduled),
        current=between.open_thread(board.id, published=False),
        default_text=between.default_text(),
        text_max=between.TEXT_MAX,
    )


@bp.route("/moderation/boards/<slug>/between", methods=["GET", "POST"])
@login_required
def between_settings(slug: str):  # type: ignore[no-untyped-def]
    board = db.one_or_404(select(Board).where(Board.slug == slug))
    if not can_moderate(current_user, board):
        abort(403)
    form = BetweenForm()
    if not form.is_submitted():
        form.between_threads.data = board.between_threads
        form.between_text.data = board.between_text
        return _render(form, board)
    if not form.validate():
        return _render(form, board), 400
    save(board, bool(form.between_threads.data), form.between_text.data or "")
    opened = board.between_threads and between.open_board(board.id)
    flash(
        _("Saved. A thread is open for the time since the last meeting.")
        if opened
        else _("Saved."),
        "info",
    )
    return redirect(url_for("meetings.between_settings", slug=slug))


def closed_reply(thread: Thread):  # type: ignore[no-untyped-def]
    """A reply to a closed thread: refused, kindly, and never lost. The member's text comes
    back in a form that posts it in the thread where the conversation goes on (the
    message it answered stays behind: it is in the closed thread)."""
    form = ReplyForm()
    form.parent_id.data = None
    form.draft.data = None
    form.confirm.data = False
    sent = request.method == "POST"
    body = form.body.data if sent and isinstance(form.body.data, str) else ""
    if body and crisis.detect(body):
        flash(_("Your text is kept below. You are not alone: you can call now."), "crisis")
    goes_on = between.continuation(thread)
    page = render_template(
        "boards/reply.html",
        form=form,
        thread=thread,
        parent=None,
        verdict=None,
        closed=True,
        continued=goes_on,
        holds_left=held_posts_left(current_user, thread.board),
    )
    return page, 409 if sent else 200
