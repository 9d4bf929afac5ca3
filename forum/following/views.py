"""Follow and mute, "Mes fils" and the notifications page. Thin: parse, call, render."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import FollowMode, Thread, db

from ..boards.queries import PageNotFound, readable_thread
from ..navigation import page_number
from . import bp, queries, services
from .badge import header_counts
from .forms import FollowForm

CONFIRMATIONS = {
    "follow": lambda: _("You follow this discussion: new messages will reach you."),
    "mute": lambda: _("This discussion is muted: nothing from it will reach you."),
    "none": lambda: _("You no longer follow this discussion."),
}


@bp.route("/threads/<id:thread_id>/follow", methods=["POST"])
@login_required
def follow(thread_id: int):  # type: ignore[no-untyped-def]
    thread = db.get_or_404(Thread, thread_id)
    if not readable_thread(thread, current_user):
        abort(404)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    choice = form.mode.data
    services.set_follow(current_user, thread, None if choice == "none" else FollowMode(choice))
    flash(CONFIRMATIONS[choice](), "info")
    number = page_number()
    args = {"page": number} if number > 1 else {}
    return redirect(url_for("boards.thread", thread_id=thread_id, **args, _anchor="follow"))


@bp.route("/me/threads")
@login_required
def threads():  # type: ignore[no-untyped-def]
    try:
        page, rows = queries.followed_threads(current_user, page_number())
    except PageNotFound:
        abort(404)
    notices, _unread = header_counts()
    return render_template(
        "following/threads.html", page=page, rows=rows, unread_notices_count=notices
    )


@bp.route("/me/notifications")
@login_required
def notifications():  # type: ignore[no-untyped-def]
    try:
        page, rows = queries.notifications(current_user, page_number())
    except PageNotFound:
        abort(404)
    notices, _unread = header_counts()
    shown = render_template(
        "following/notifications.html", page=page, rows=rows, unread_notices_count=notices
    )
    # Rendered first, then marked: the page still shows which ones were new.
    services.mark_notifications_read(current_user.id, [row.id for row in rows if row.unread])
    return shown
