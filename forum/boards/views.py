"""Board, thread and post pages. Thin: parse, call one service, redirect or render."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.validators import ValidationError

from models import Board, Post, PostStatus, ReactionKind, Thread, db
from moderation.workflow import lifecycle, reports
from moderation.workflow.pipeline import Action, held_posts_left

from ..following import badge as following
from ..following import services as following_services
from ..forms import EmptyForm
from ..meetings import between, between_views
from ..meetings import queries as meetings
from ..navigation import page_number, safe_next
from ..permissions import can_edit_post, can_moderate, can_read_board, can_see_post, is_author
from ..templating import REACTION_LABELS
from . import bp, queries, services, unanswered
from .forms import EditForm, ReactForm, ReplyForm, ReportForm, ThreadForm

REFUSALS = {
    "thread_closed": lambda: _("This discussion is not open for replies."),
    "parent_unavailable": lambda: _("The message you answer is no longer available."),
    "not_editable": lambda: _("This message can no longer be changed."),
    "not_reactable": lambda: _("This message cannot receive reactions."),
    "blocked": lambda: _(
        "Its author does not receive replies from you. Your text is still below, if you want "
        "to keep it."
    ),
    "banned": lambda: _(
        "You can no longer post on this board. Your text is still below, if you want to keep it."
    ),
    "muted": lambda: _(
        "You cannot post on this board for the moment. Your text is still below, if you want "
        "to keep it."
    ),
    "rate_limited": lambda: _(
        "You have posted a lot in a short time. Take a breath: you can post again in a few "
        "minutes. Your text is still below."
    ),
    "edit_rate_limited": lambda: _(
        "You have changed your messages many times in a short while. Take a breath: you can "
        "save this version in a little while. Your text is still below."
    ),
}
REFUSAL_STATUS = {
    "rate_limited": 429,
    "edit_rate_limited": 429,
    "banned": 403,
    "muted": 403,
    "blocked": 403,
}


def _locked(board: Board) -> None:
    """A visitor at the door of a members-only board: what the space is and how to come in
    (its name and description are listed on the home page too; never a thread's title)."""
    page = render_template("boards/locked.html", board=board, next_path=request.path)
    abort(make_response(page, 403))


def board_or_404(slug: str) -> Board:
    board = db.one_or_404(select(Board).where(Board.slug == slug))
    if not can_read_board(current_user, board):
        _locked(board)
    return board


def _thread_or_404(thread_id: int) -> Thread:
    thread = db.get_or_404(Thread, thread_id)
    if not queries.readable_thread(thread, current_user):
        if thread.status == PostStatus.PUBLISHED and not can_read_board(current_user, thread.board):
            _locked(thread.board)
        abort(404)
    return thread


def _post_or_404(post_id: int) -> Post:
    post = db.get_or_404(Post, post_id)
    thread = _thread_or_404(post.thread_id)
    if not can_see_post(current_user, post, thread.board):
        abort(404)
    return post


def _own_draft(draft_id: int | None, thread_id: int | None = None) -> Post | None:
    """The member's draft that a resubmission continues, if it is still a draft."""
    post = db.session.get(Post, draft_id) if draft_id else None
    if post is None or post.status != PostStatus.DRAFT or post.author_id != current_user.id:
        return None
    return post if thread_id is None or post.thread_id == thread_id else None


def near_post(post_id: int, category: str = "info") -> str:
    """A flash category that base.html shows beside the post (`id="post-N"`) when the
    page shows it, at the top of the page otherwise."""
    return f"{category} post-{post_id}"


def _after_posting(outcome: services.Outcome, first: bool = False):  # type: ignore[no-untyped-def]
    """Where the author lands: their post, or first the crisis lines when they may need them.
    `first`: the post was not published before (a new one, or a draft sent again)."""
    post = outcome.post
    # Told beside the post, where the page scrolls; the crisis lines come first, at the top.
    where = "info" if outcome.verdict.crisis else near_post(post.id)
    if post.status == PostStatus.PENDING and "new_member" in outcome.verdict.reasons:
        flash(
            _(
                "Thank you. On this space, the first messages of a new member are read by a "
                "volunteer before they appear: it is how we welcome everyone. Yours is kept, and "
                "until then only you and the moderators see it."
            ),
            where,
        )
    elif post.status == PostStatus.PENDING:
        flash(_("Your message is kept and will be visible once a moderator has read it."), where)
    elif outcome.verdict.action == Action.HOLD and not post.is_deleted:
        flash(
            _(
                "Your new version is kept and will replace the current one once a moderator "
                "has read it."
            ),
            where,
        )
    elif first and post.status == PostStatus.PUBLISHED:
        flash(_("Your message is posted.") if post.is_root else _("Your reply is posted."), where)
    if outcome.verdict.crisis:
        flash(_("Thank you for writing. You are not alone."), "crisis")
        number = queries.page_of_post(post, current_user)
        args = {"page": number} if number > 1 else {}
        return redirect(
            url_for("boards.thread", thread_id=post.thread_id, **args, _anchor="crisis-now")
        )
    if post.is_root:
        return redirect(url_for("boards.thread", thread_id=post.thread_id))
    return redirect(url_for("boards.post", post_id=post.id))


def _refused(form, refused: services.PostingRefused) -> int:  # type: ignore[no-untyped-def]
    form.body.errors = [*form.body.errors, REFUSALS[refused.reason]()]
    if refused.crisis:
        # Above the fold, before the form that keeps the text.
        flash(_("Your text is kept below. You are not alone: you can call now."), "crisis")
    return REFUSAL_STATUS.get(refused.reason, 400)


def _submit(form, draft: Post | None, create, title: str | None = None):  # type: ignore[no-untyped-def]
    """Post the composer's text: a new message (`create()`), or the next version of `draft`.

    Returns (redirect, None, None) when it is posted, or (None, status, verdict) when the
    composer comes back with the text intact: refused, nudged or warned.
    """
    first = draft is None or draft.status == PostStatus.DRAFT
    try:
        if draft is None:
            outcome = create()
        else:
            outcome = services.edit_post(
                draft,
                form.body.data,
                title=title,
                content_warning=form.content_warning.data,
                confirmed=form.confirm.data,
            )
    except services.PostingRefused as refused:
        return None, _refused(form, refused), None
    # The author's "small victory" box: a mark beside the text, not part of it (no review).
    services.mark_victory(outcome.post, bool(form.victory.data))
    if outcome.asks_again:
        form.draft.data = outcome.post.id
        form.confirm.data = False
        return None, 200, outcome.verdict
    return _after_posting(outcome, first), None, None


@bp.route("/boards/<slug>")
def board(slug: str):  # type: ignore[no-untyped-def]
    board = board_or_404(slug)
    between.open_on_view(board)  # the first visit after a meeting opens its thread
    try:
        page = queries.board_page(board, page_number(), current_user)
    except queries.PageNotFound:
        abort(404)
    waiting = unanswered.count(current_user, board)
    return render_template(
        "boards/board.html",
        view=page,
        board=board,
        unanswered=waiting,
        next_meeting=meetings.next_meeting(board),
        manages_meetings=can_moderate(current_user, board),
    )


@bp.route("/boards/<slug>/new", methods=["GET", "POST"])
@login_required
def new_thread(slug: str):  # type: ignore[no-untyped-def]
    board = board_or_404(slug)
    form = ThreadForm()
    status, verdict = (400 if form.is_submitted() else 200), None
    if form.validate_on_submit():
        draft = _own_draft(form.draft.data)
        if draft is not None and (
            not draft.is_root or db.session.get_one(Thread, draft.thread_id).board_id != board.id
        ):
            draft = None
        posted, status, verdict = _submit(
            form,
            draft,
            lambda: services.create_thread(
                current_user,
                board,
                form.title.data,
                form.body.data,
                form.content_warning.data,
                form.confirm.data,
            ),
            title=form.title.data,
        )
        if posted:
            return posted
    return render_template(
        "boards/new_thread.html",
        form=form,
        board=board,
        verdict=verdict,
        holds_left=held_posts_left(current_user, board),
    ), status


@bp.route("/threads/<id:thread_id>")
def thread(thread_id: int):  # type: ignore[no-untyped-def]
    thread = _thread_or_404(thread_id)
    try:
        view = queries.thread_page(thread, page_number(), current_user)
    except queries.PageNotFound:
        abort(404)
    follow = following.visit(thread, [item.post.id for item in view.posts])
    page = render_template(
        "boards/thread.html",
        view=view,
        # Only members get a form (and so a CSRF token): visitors carry no cookie.
        reply_form=ReplyForm() if current_user.is_authenticated else None,
        follow=follow,
        continued=between.continuation(thread),
    )
    if follow is not None:
        following_services.record_visit(current_user.id, follow)  # seen once shown
    return page


def _answerable(post_id: int | None, thread: Thread) -> Post | None:
    """The post replied to, if this member may still see it in this thread."""
    post = db.session.get(Post, post_id) if post_id else None
    if post is None or post.thread_id != thread.id:
        return None
    return post if can_see_post(current_user, post, thread.board) else None


@bp.route("/threads/<id:thread_id>/reply", methods=["GET", "POST"])
@login_required
def reply(thread_id: int):  # type: ignore[no-untyped-def]
    thread = _thread_or_404(thread_id)
    if thread.closed_at is not None:
        return between_views.closed_reply(thread)  # the text goes on to the new thread
    form = ReplyForm()
    form_ok = form.validate_on_submit()
    if request.method == "GET":
        form.parent_id.data = request.args.get("parent_id", "")
        try:
            form.validate_parent_id(form.parent_id)
        except ValidationError:
            form.parent_id.data = None
    parent_id = form.parent_id.data if isinstance(form.parent_id.data, int) else None
    parent = _answerable(parent_id, thread)
    if parent_id and parent is None:
        # Keep what the member typed: the message they answer is gone or out of reach.
        if request.method == "GET":
            abort(404)
        form.parent_id.errors = [REFUSALS["parent_unavailable"]()]
        form_ok = False
    status, verdict = (400 if form.is_submitted() else 200), None
    if form_ok:
        draft = _own_draft(form.draft.data, thread.id)
        posted, status, verdict = _submit(
            form,
            draft,
            lambda: services.create_reply(
                current_user,
                thread,
                form.body.data,
                parent,
                form.content_warning.data,
                form.confirm.data,
            ),
        )
        if posted:
            return posted
    return render_template(
        "boards/reply.html",
        form=form,
        thread=thread,
        parent=parent,
        verdict=verdict,
        holds_left=held_posts_left(current_user, thread.board),
    ), status


@bp.route("/posts/<id:post_id>")
def post(post_id: int):  # type: ignore[no-untyped-def]
    """Permalink: the thread page on which the post stands."""
    post = _post_or_404(post_id)
    number = queries.page_of_post(post, current_user)
    args = {"page": number} if number > 1 else {}
    return redirect(
        url_for("boards.thread", thread_id=post.thread_id, **args, _anchor=f"post-{post.id}")
    )


@bp.route("/posts/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):  # type: ignore[no-untyped-def]
    post = _post_or_404(post_id)
    if not can_edit_post(current_user, post):
        abort(403)
    thread = db.session.get_one(Thread, post.thread_id)
    form = EditForm()
    status, verdict = (400 if form.is_submitted() else 200), None
    if request.method == "GET":
        # The member's latest words: an edit still waiting is the text they continue.
        latest = lifecycle.pending_revision(post) or post
        form.body.data = latest.body
        form.content_warning.data = latest.content_warning or ""
        form.victory.data = post.is_victory
        title = getattr(latest, "title", None) or thread.title
        form.title.data = title if post.is_root else ""
    elif form.validate_on_submit():
        title = form.title.data if post.is_root else None
        posted, status, verdict = _submit(form, post, None, title=title)
        if posted:
            return posted
    return render_template(
        "boards/edit.html", form=form, post=post, thread=thread, verdict=verdict
    ), status


@bp.route("/posts/<id:post_id>/delete", methods=["POST"])
@login_required
def delete(post_id: int):  # type: ignore[no-untyped-def]
    post = _post_or_404(post_id)
    if not is_author(current_user, post):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_post(post)
    flash(
        _("Your message is deleted. Its place stays so that replies keep their context."),
        near_post(post.id),
    )
    return redirect(url_for("boards.post", post_id=post.id))


@bp.route("/posts/<id:post_id>/react", methods=["POST"])
@login_required
def react(post_id: int):  # type: ignore[no-untyped-def]
    post = _post_or_404(post_id)
    form = ReactForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        added = services.toggle_reaction(current_user, post, ReactionKind(form.kind.data))
    except services.PostingRefused as refused:
        flash(REFUSALS[refused.reason](), near_post(post.id, "error"))
    else:
        label = str(REACTION_LABELS[ReactionKind(form.kind.data)])
        flash(
            _("Your “%(reaction)s” is added.", reaction=label)
            if added
            else _("Your “%(reaction)s” is withdrawn.", reaction=label),
            near_post(post.id),
        )
    # Back where the member reacted (the page of small victories), or to the post.
    back = safe_next(request.form.get("next"))
    return redirect(back or url_for("boards.post", post_id=post.id))


REPORT_REFUSALS = {
    "own_post": lambda: _("You cannot report your own message; you can edit or delete it."),
    "not_reportable": lambda: _("This message cannot be reported any more."),
    "already_reported": lambda: _("You have already reported this message. Thank you."),
    "too_many": lambda: _(
        "You have sent many reports in a short time. The moderators will read them; you can "
        "report again a little later."
    ),
    "invalid_reason": lambda: _("Choose a reason."),
}


@bp.route("/posts/<id:post_id>/report", methods=["POST"])
@login_required
def report(post_id: int):  # type: ignore[no-untyped-def]
    post = _post_or_404(post_id)
    form = ReportForm()
    if not form.validate_on_submit():
        abort(400)
    thread = db.session.get_one(Thread, post.thread_id)
    try:
        reports.report(
            post,
            thread.board,
            current_user,
            form.reason.data,
            form.note.data or "",
            rate_limits=current_app.config.get("RATE_LIMITS", "on") != "off",
        )
    except reports.ReportRefused as refused:
        flash(REPORT_REFUSALS[refused.reason](), near_post(post.id, "error"))
    else:
        flash(_("Thank you. The moderators will read this message with care."), near_post(post.id))
    return redirect(url_for("boards.post", post_id=post.id))
