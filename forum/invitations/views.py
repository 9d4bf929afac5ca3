"""Invitation pages: the board's list and form (moderators), the page a facilitator shows
the group (link, code, QR code), and the public page the link opens."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from models import Board, Invitation, db

from .. import security
from ..forms import EmptyForm
from ..permissions import can_moderate
from . import bp, codes, qr, services
from .forms import HOUR_CHOICES, InvitationForm


def _moderated_board(slug: str) -> Board:
    board = db.one_or_404(select(Board).where(Board.slug == slug))
    if not can_moderate(current_user, board):
        abort(403)
    return board


def _moderated_invitation(invitation_id: int) -> tuple[Invitation, Board]:
    invitation = db.get_or_404(Invitation, invitation_id)
    board = db.session.get_one(Board, invitation.board_id)
    if not can_moderate(current_user, board):
        abort(403)
    return invitation, board


def _list_page(board: Board, form: InvitationForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "invitations/board.html",
        board=board,
        form=form,
        live=services.live(board),
        recent=services.recent(board),
        hour_choices=HOUR_CHOICES,
        display=codes.display,
        keep_days=services.KEEP_FOR.days,
    ), status


@bp.route("/moderation/boards/<slug>/invitations", methods=["GET", "POST"])
@login_required
def board(slug: str):  # type: ignore[no-untyped-def]
    board = _moderated_board(slug)
    form = InvitationForm()
    if not form.is_submitted():
        return _list_page(board, form)
    if form.validate():
        try:
            invitation = services.create(
                board, current_user._get_current_object(), form.max_uses(), form.validity_hours()
            )
        except services.TooMany:
            form.form_errors.append(
                _(
                    "This board already has %(num)d invitations that work. Revoke one before "
                    "creating another.",
                    num=services.MAX_LIVE,
                )
            )
        else:
            return redirect(url_for("invitations.show", invitation_id=invitation.id))
    return _list_page(board, form, 400)


@bp.route("/moderation/invitations/<id:invitation_id>")
@login_required
def show(invitation_id: int):  # type: ignore[no-untyped-def]
    invitation, board = _moderated_invitation(invitation_id)
    link = url_for("invitations.join", code=invitation.code, _external=True)
    live = services.is_live(invitation)
    return render_template(
        "invitations/show.html",
        invitation=invitation,
        board=board,
        link=link,
        code=codes.display(invitation.code),
        live=live,
        left=max(invitation.max_uses - invitation.uses, 0),
        qr_svg=qr.svg(link, _("QR code of the invitation link")) if live else None,
        revoke_form=EmptyForm(formdata=None),
    )


@bp.route("/moderation/invitations/<id:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke(invitation_id: int):  # type: ignore[no-untyped-def]
    invitation, board = _moderated_invitation(invitation_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.revoke(invitation):
        flash(_("The invitation is revoked: it no longer works."), "info")
    return redirect(url_for("invitations.board", slug=board.slug))


def _not_working(status: int = 404, wait: int = 0):  # type: ignore[no-untyped-def]
    headers = {"Retry-After": str(wait)} if wait else {}
    message = security.too_many_attempts(wait) if wait else None
    return render_template("invitations/not_working.html", too_many=message), status, headers


@bp.route("/join/<code>")
def join(code: str):  # type: ignore[no-untyped-def]
    """Reads only: following the link uses no place (the sign-up does)."""
    normalized = codes.normalize(code)
    if normalized is None:
        return _not_working()  # cannot be a code: nothing to guess, nothing counted
    wait = security.invitation_code_wait()
    if wait:
        return _not_working(429, wait)
    found = services.find_live(normalized)
    if found is None:
        security.count_invitation_code_failure()
        return _not_working()
    invitation, board = found
    return render_template(
        "invitations/join.html",
        board=board,
        register_url=url_for("accounts.register", invitation=invitation.code),
    )
