"""Meeting pages and feeds: a board's meetings (everyone who may read the board), its
schedule and one-off changes (the board's moderators), and the iCalendar feeds: public
for public boards, a private revocable link per member that also carries the place."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from models import Board, db, utcnow

from ..boards.views import board_or_404
from ..forms import EmptyForm
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from ..permissions import can_moderate
from . import bp, calendar, display, queries, recurrence, services
from .forms import ChangeForm, ScheduleForm, UndoForm, gap_message


@bp.app_template_filter("meeting_when")
def _meeting_when(meeting: queries.Occurrence) -> str:
    return display.when(meeting)


# Templates word meetings through forum.meetings.display.
bp.add_app_template_global(display, "meeting_display")  # type: ignore[arg-type]


def _moderated(slug: str) -> Board:
    board = board_or_404(slug)
    if not can_moderate(current_user, board):
        abort(403)
    return board


@bp.route("/boards/<slug>/meetings")
def index(slug: str):  # type: ignore[no-untyped-def]
    return _index(board_or_404(slug))


def _index(board: Board, new_link: str | None = None):  # type: ignore[no-untyped-def]
    member = current_user.is_authenticated
    key = queries.calendar_key(current_user, board) if member else None
    return render_template(
        "meetings/index.html",
        board=board,
        view=queries.board_view(board),
        key=key,
        new_link=new_link,
        manages=can_moderate(current_user, board),
    )


@bp.route("/boards/<slug>/meetings/private-link", methods=["POST"])
@login_required
def private_link(slug: str):  # type: ignore[no-untyped-def]
    """Shown once, on this page: a cookie or a redirect would keep it somewhere."""
    board = board_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    key = services.new_calendar_key(current_user, board)
    return _index(board, new_link=url_for("meetings.private_feed", key=key, _external=True))


@bp.route("/boards/<slug>/meetings/private-link/revoke", methods=["POST"])
@login_required
def revoke_private_link(slug: str):  # type: ignore[no-untyped-def]
    board = board_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.revoke_calendar_key(current_user, board):
        flash(_("Your private calendar link no longer works."), "info")
    return redirect(url_for("meetings.index", slug=board.slug, _anchor="calendar"))


def _starts_on(meetings: queries.BoardMeetings, now: datetime) -> date:
    """What the form offers as the first date: the current schedule's, or once meetings
    were held, the next one (a new rhythm starts there; the same one changes nothing)."""
    current = meetings.current
    if current is None:
        return now.date()
    changes = [c for c in meetings.changes if c.schedule_id == current.id]
    if not queries.held(current, changes, now):
        return current.starts_on
    coming = meetings.between(now, now + recurrence.LOOK_AHEAD)
    mine = [m.original_on for m in coming if m.schedule_id == current.id]
    return mine[0] if mine else now.date()


SCHEDULE_REFUSALS = {
    "no_meeting": (
        "ends_on",
        lambda day: _("No meeting falls between the first and the last date."),
    ),
    "before_last_meeting": (
        "starts_on",
        lambda day: _(
            "A new rhythm begins after the last meeting held (%(date)s), so that past "
            "meetings stay as they were. Please choose a later first date.",
            date=display.day(day),
        ),
    ),
    "end_before_held": (
        "ends_on",
        lambda day: _(
            "The last date cannot come before the last meeting held (%(date)s).",
            date=display.day(day),
        ),
    ),
}


@bp.route("/boards/<slug>/meetings/schedule", methods=["GET", "POST"])
@login_required
def schedule(slug: str):  # type: ignore[no-untyped-def]
    board = _moderated(slug)
    form = ScheduleForm()
    meetings = queries.load([board.id]).get(board.id, queries.BoardMeetings())
    if not form.is_submitted():
        if meetings.current is not None:
            form.fill(meetings.current, _starts_on(meetings, utcnow()))
        else:
            form.starts_on.data = utcnow().date().isoformat()
        return _schedule_page(form, board, meetings)
    if form.validate():
        try:
            services.save_schedule(board, form.schedule)
        except services.Refused as refused:
            name, message = SCHEDULE_REFUSALS[refused.reason]
            form[name].errors.append(message(refused.day))
            meetings = queries.load([board.id]).get(board.id, queries.BoardMeetings())
        else:
            flash(_("The meetings of this board are saved."), "info")
            return redirect(url_for("meetings.index", slug=board.slug))
    return _schedule_page(form, board, meetings), 400


def _schedule_page(form: ScheduleForm, board: Board, meetings: queries.BoardMeetings) -> str:
    return render_template(
        "meetings/schedule.html",
        form=form,
        board=board,
        current=meetings.current,
        stop_form=EmptyForm(),
    )


@bp.route("/boards/<slug>/meetings/stop", methods=["POST"])
@login_required
def stop(slug: str):  # type: ignore[no-untyped-def]
    board = _moderated(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.stop(board):
        flash(_("No more meetings are planned. Past meetings stay listed."), "info")
    return redirect(url_for("meetings.index", slug=board.slug))


def _change_refused(form: ChangeForm, refused: services.Refused) -> None:
    day = display.day(refused.day) if refused.day else ""
    messages = {
        "not_a_meeting": (form.day, _("There is no meeting on %(date)s.", date=day)),
        "past": (form.day, _("This meeting has already taken place.")),
        "too_far": (
            form.moved_on,
            _(
                "A meeting can move by %(days)d days at most. For a bigger change, cancel "
                "it and say in the note when the group meets.",
                days=queries.MAX_MOVE.days,
            ),
        ),
        "moved_to_past": (form.moved_at, _("This new time has already passed.")),
    }
    if refused.reason == "gap":
        form.moved_at.errors.append(gap_message(form.moved_to, refused.zone))
    elif refused.reason == "too_many":
        form.form_errors.append(
            _(
                "This schedule already has %(limit)d one-off changes, the most it can hold. "
                "Nothing was saved. You can undo changes to past meetings, or set a new "
                "schedule.",
                limit=recurrence.MAX_CHANGES_PER_SCHEDULE,
            )
        )
    else:
        field, message = messages[refused.reason]
        field.errors.append(message)


@bp.route("/boards/<slug>/meetings/changes", methods=["GET", "POST"])
@login_required
def changes(slug: str):  # type: ignore[no-untyped-def]
    board = _moderated(slug)
    form = ChangeForm()
    status = 200
    if not form.is_submitted():
        asked = request.args.get("date", "")
        form.day.data = asked if len(asked) <= 10 else ""
    elif form.validate():
        change = services.Change(
            day=form.day.day,
            cancelled=form.action.data == "cancel",
            moved_to=form.moved_to,
            place=form.place.data or None,
            note=form.note.data or "",
        )
        try:
            services.change_meeting(board, change)
        except services.Refused as refused:
            _change_refused(form, refused)
        else:
            flash(_("The meeting of %(date)s is changed.", date=display.day(change.day)), "info")
            return redirect(url_for("meetings.changes", slug=board.slug))
    if form.is_submitted():
        status = 400
    view = queries.board_view(board, upcoming=12)
    return render_template(
        "meetings/changes.html", form=form, board=board, view=view, undo_form=UndoForm()
    ), status


@bp.route("/boards/<slug>/meetings/changes/undo", methods=["POST"])
@login_required
def undo(slug: str):  # type: ignore[no-untyped-def]
    board = _moderated(slug)
    form = UndoForm()
    if not form.validate_on_submit():
        abort(400)
    if services.undo_change(board, form.day.day):
        flash(
            _("The meeting of %(date)s is back as planned.", date=display.day(form.day.day)), "info"
        )
    return redirect(url_for("meetings.changes", slug=board.slug))


def _feed(board: Board, *, private: bool, language: str | None):  # type: ignore[no-untyped-def]
    meetings = queries.load([board.id]).get(board.id, queries.BoardMeetings())
    with force_locale(language if language in LANGUAGES else DEFAULT_LANGUAGE):
        body = calendar.feed(
            board,
            meetings.schedules,
            meetings.changes,
            host=request.host,
            page_url=url_for("meetings.index", slug=board.slug, _external=True),
            with_place=private,
        )
    response = current_app.response_class(body, content_type="text/calendar; charset=utf-8")
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-store" if private else "public, max-age=900"
    return response


@bp.route("/boards/<slug>/meetings.ics")
def public_feed(slug: str):  # type: ignore[no-untyped-def]
    """Public boards only, without the place. A members-only board has no public feed."""
    board = db.session.scalars(select(Board).where(Board.slug == slug)).first()
    if board is None or board.members_only:
        abort(404)
    return _feed(board, private=False, language=DEFAULT_LANGUAGE)


@bp.route("/calendar/<key>.ics")
def private_feed(key: str):  # type: ignore[no-untyped-def]
    found = queries.board_of_key(key)
    if found is None:
        abort(404)
    board, language = found
    return _feed(board, private=True, language=language)
