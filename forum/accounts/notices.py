"""The member's notices: what the moderators decided about their posts or account, in the
member's own language, each decision open to one appeal."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import TextAreaField

from models import Board, Decision, Post, db
from moderation.workflow import decisions

from ..fields import Text, newlines
from ..forms import Form
from . import bp

APPEAL_REFUSALS = {
    "not_appealable": lambda: _("This decision cannot be appealed."),
    "already_appealed": lambda: _("You have already appealed this decision."),
}


class AppealForm(Form):
    note = TextAreaField(
        _l("Why should the moderators look again? (optional)"),
        filters=[newlines],
        validators=[Text(decisions.NOTE_MAX, required=False)],
    )


@bp.route("/me/notices")
@login_required
def notices():  # type: ignore[no-untyped-def]
    rows = decisions.notices(current_user)
    ids = [decision.id for _, decision in rows]
    appealed = decisions.appealed_decision_ids(ids)
    board_ids = {d.board_id for _, d in rows}
    boards = (
        {b.id: b for b in db.session.scalars(db.select(Board).where(Board.id.in_(board_ids)))}
        if board_ids
        else {}
    )
    post_ids = [d.post_id for _, d in rows if d.post_id]
    posts = (
        {p.id: p for p in db.session.scalars(db.select(Post).where(Post.id.in_(post_ids)))}
        if post_ids
        else {}
    )
    page = render_template(
        "accounts/notices.html",
        rows=rows,
        appealed=appealed,
        boards=boards,
        posts=posts,
        form=AppealForm(),
    )
    decisions.mark_read(current_user)
    return page


@bp.route("/me/notices/<id:decision_id>/appeal", methods=["POST"])
@login_required
def appeal(decision_id: int):  # type: ignore[no-untyped-def]
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.subject_id != current_user.id:
        abort(404)
    form = AppealForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        decisions.appeal(decision, current_user, form.note.data or "")
    except decisions.NotAllowed as refused:
        flash(APPEAL_REFUSALS.get(refused.reason, APPEAL_REFUSALS["not_appealable"])(), "error")
    else:
        flash(
            _(
                "Your appeal is sent. Moderators who did not take this decision will look at it "
                "again."
            ),
            "info",
        )
    return redirect(url_for("accounts.notices"))
