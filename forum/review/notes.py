"""Facilitators' hand-over notes: what a board's moderators want to follow up gently at the
next meeting ("X seemed low last week: ask how it went").

Private to the board's moderators, who are peers: any of them adds, edits or deletes any
note. Never shown to members: not in search (which indexes posts only), not in a member's
export (forum.accounts.data says why), not in the public moderation log. Erased
`Board.notes_retention_days` after their last change, by a task every process runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, DateTime, bindparam, delete, func, select
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

from models import Board, FacilitatorNote, User, db, utcnow, write_intent
from moderation.workflow import jobs

from ..boards.queries import Page, PageNotFound, _page
from ..fields import Text, newlines, strip
from ..forms import EmptyForm, Form
from ..navigation import page_number
from ..permissions import can_moderate
from . import bp

NOTE_MAX = 4000
RETENTION_DAYS = (7, 365)
NOTES_PER_PAGE = 30


class NoteForm(Form):
    body = TextAreaField(
        _l("A note for the next meeting"),
        filters=[newlines, strip],
        validators=[Text(NOTE_MAX)],
    )


class RetentionForm(Form):
    days = StringField(_l("Days the notes are kept after their last change"))

    def validate_days(self, field) -> None:  # type: ignore[no-untyped-def]
        low, high = RETENTION_DAYS
        value = field.data.strip() if isinstance(field.data, str) else ""
        if not (value.isdigit() and len(value) <= 3 and low <= int(value) <= high):
            field.data = None
            raise ValidationError(
                _l("Please enter a whole number from %(low)d to %(high)d.", low=low, high=high)
            )
        field.data = int(value)


# --- the notes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    note: FacilitatorNote
    author_name: str | None  # None: the account is gone
    erased_on: datetime  # when the purge takes it, unless it changes again


def board_notes(board: Board, number: int) -> tuple[Page, list[Shown]]:
    """A page of the board's notes, newest first, each with its author's pseudonym."""
    on_board = FacilitatorNote.board_id == board.id
    total = (
        db.session.scalar(select(func.count()).select_from(FacilitatorNote).where(on_board)) or 0
    )
    page = _page(number, NOTES_PER_PAGE, total)
    rows = db.session.execute(
        select(FacilitatorNote, User.pseudonym)
        .outerjoin(User, User.id == FacilitatorNote.author_id)
        .where(on_board)
        .order_by(FacilitatorNote.created_at.desc(), FacilitatorNote.id.desc())
        .limit(page.per_page)
        .offset(page.offset)
    ).all()
    keep = timedelta(days=board.notes_retention_days)
    return page, [Shown(note, name, note.updated_at + keep) for note, name in rows]


def add_note(board: Board, author: User, body: str) -> FacilitatorNote:
    now = utcnow()
    note = FacilitatorNote(
        board_id=board.id, author_id=author.id, body=body, created_at=now, updated_at=now
    )
    db.session.add(note)
    db.session.commit()
    return note


def change_note(note: FacilitatorNote, body: str) -> None:
    """A new text; the retention counts again from now. The author stays who wrote it."""
    note.body = body
    note.updated_at = utcnow()
    db.session.commit()


def delete_note(note: FacilitatorNote) -> None:
    db.session.delete(note)
    db.session.commit()


def set_retention(board: Board, days: int) -> None:
    low, high = RETENTION_DAYS
    if not low <= days <= high:
        raise ValueError(f"retention must be {low}..{high} days, not {days}")
    board.notes_retention_days = days
    db.session.commit()


def _expiry(dialect: str, now: datetime) -> ColumnElement[datetime]:
    """The instant before which a note of the board in the enclosing query is erased:
    `now` minus the board's retention, in the database's own date arithmetic."""
    days = Board.notes_retention_days
    if dialect == "postgresql":
        return bindparam("now", now, type_=DateTime) - func.make_interval(0, 0, 0, days)
    # SQLite keeps naive datetimes as "YYYY-MM-DD HH:MM:SS.ffffff" text: the same form,
    # to the millisecond, compares in order.
    return func.strftime("%Y-%m-%d %H:%M:%f", now.isoformat(sep=" "), func.printf("-%d days", days))


def purge_expired(now: datetime | None = None) -> int:
    """Erase every note last changed longer ago than its board's retention, in one DELETE.
    Safe in several processes at once: a row deleted by one is simply not there for the
    other. Returns how many notes this call erased."""
    now = now or utcnow()
    dialect = db.session.get_bind().dialect.name
    expiry = (
        select(_expiry(dialect, now))
        .where(Board.id == FacilitatorNote.board_id)
        .correlate(FacilitatorNote)
        .scalar_subquery()
    )
    # Read first: every process runs this each minute, and on SQLite a DELETE takes the
    # write lock (waiting behind any writer) even when nothing is old enough.
    due = db.session.scalar(
        select(FacilitatorNote.id).where(FacilitatorNote.updated_at < expiry).limit(1)
    )
    db.session.rollback()
    if due is None:
        return 0
    with write_intent():
        try:
            erased = db.session.execute(
                delete(FacilitatorNote).where(FacilitatorNote.updated_at < expiry),
                execution_options={"synchronize_session": False},
            ).rowcount
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return erased


# --- pages ----------------------------------------------------------------------------------


def _board(slug: str) -> Board:
    """The board, for its moderators only: others get the same 403 as other moderation
    pages give them, whatever the board holds."""
    board = db.one_or_404(select(Board).where(Board.slug == slug))
    if not can_moderate(current_user, board):
        abort(403)
    return board


def _note(board: Board, note_id: int) -> FacilitatorNote:
    note = db.session.get(FacilitatorNote, note_id)
    if note is None or note.board_id != board.id:
        abort(404)
    return note


def _render(board: Board, form: NoteForm, retention: RetentionForm, status: int = 200):  # type: ignore[no-untyped-def]
    try:
        page, notes = board_notes(board, page_number())
    except PageNotFound:
        abort(404)
    return render_template(
        "review/notes.html",
        board=board,
        page=page,
        notes=notes,
        form=form,
        retention=retention,
    ), status


def _retention_form(board: Board) -> RetentionForm:
    return RetentionForm(formdata=None, days=str(board.notes_retention_days))


@bp.route("/moderation/boards/<slug>/notes", methods=["GET", "POST"])
@login_required
def board_notes_page(slug: str):  # type: ignore[no-untyped-def]
    board = _board(slug)
    form = NoteForm()
    if not form.is_submitted():
        return _render(board, form, _retention_form(board))
    if not form.validate():
        return _render(board, form, _retention_form(board), 400)
    add_note(board, current_user._get_current_object(), form.body.data)
    flash(_("The note is saved. Only the moderators of this board can read it."), "info")
    return redirect(url_for("review.board_notes_page", slug=board.slug))


@bp.route("/moderation/boards/<slug>/notes/<id:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit_note(slug: str, note_id: int):  # type: ignore[no-untyped-def]
    board = _board(slug)
    note = _note(board, note_id)
    form = NoteForm()
    if not form.is_submitted():
        form.body.data = note.body
    elif form.validate():
        change_note(note, form.body.data)
        flash(_("The note is changed."), "info")
        return redirect(url_for("review.board_notes_page", slug=board.slug))
    status = 400 if form.is_submitted() else 200
    return render_template("review/note_edit.html", board=board, note=note, form=form), status


@bp.route("/moderation/boards/<slug>/notes/<id:note_id>/delete", methods=["POST"])
@login_required
def remove_note(slug: str, note_id: int):  # type: ignore[no-untyped-def]
    board = _board(slug)
    note = _note(board, note_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    delete_note(note)
    flash(_("The note is deleted."), "info")
    return redirect(url_for("review.board_notes_page", slug=board.slug))


@bp.route("/moderation/boards/<slug>/notes/retention", methods=["POST"])
@login_required
def notes_retention(slug: str):  # type: ignore[no-untyped-def]
    board = _board(slug)
    retention = RetentionForm()
    if not retention.validate():
        return _render(board, NoteForm(formdata=None), retention, 400)
    set_retention(board, retention.days.data)
    flash(_("The notes' retention is saved."), "info")
    return redirect(url_for("review.board_notes_page", slug=board.slug))


def init_app(app: Flask) -> None:
    # Every process runs it each minute; the DELETE is idempotent (see purge_expired).
    jobs.every_minute(app, purge_expired)
