"""The member's own data and safety: export, erasure, recovery codes, blocked members."""

from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from models import Post, Thread, User, db, utcnow

from .. import security
from ..fields import Text
from ..forms import EmptyForm, Form
from ..i18n import LANGUAGES
from ..navigation import safe_next
from ..permissions import can_see_post
from . import blocks, bp, data, recovery
from .forms import Password, PasswordChangeForm


class PasswordCheckForm(Form):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(message=_l("Please enter your password."))]
    )


class RecoveryCodesForm(Form):
    # Optional right after sign-up (see recovery.may_see_first_codes).
    password = PasswordField(_l("Your password"))


class RecoverForm(Form):
    pseudonym = StringField(_l("Pseudonym"), validators=[Text(200)])
    code = StringField(_l("Recovery code"), validators=[Text(64)])
    password = PasswordField(_l("New password"), validators=[Password()])
    password_confirm = PasswordField(
        _l("Confirm the new password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )


def _password_ok(password: str | None) -> bool:
    """Checks the signed-in member's password; a wrong one counts as a failed sign-in to
    the account from this client (security.login_wait)."""
    if isinstance(password, str) and check_password_hash(current_user.password_hash, password):
        return True
    security.count_login_failure(current_user.pseudonym)
    return False


def _password_wait() -> int:
    """Seconds before this client may type this member's password again; 0: now."""
    return security.login_wait(current_user.pseudonym)


@bp.route("/me/export")
@login_required
def export():  # type: ignore[no-untyped-def]
    body = json.dumps(data.export(current_user), ensure_ascii=False, indent=2)
    day = utcnow().strftime("%Y-%m-%d")
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="entrenous-{day}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/me/delete", methods=["POST"])
@login_required
def delete_account():  # type: ignore[no-untyped-def]
    form = PasswordCheckForm()
    if form.validate_on_submit():
        wait = _password_wait()
        if wait:
            form.password.errors = [security.too_many_attempts(wait)]
            return me_page(delete_form=form), 429, {"Retry-After": str(wait)}
        if _password_ok(form.password.data):
            data.erase(current_user._get_current_object())
            logout_user()
            session.clear()
            flash(
                _("Your account is erased, with everything you wrote. Take care of yourself."),
                "info",
            )
            return redirect(url_for("pages.home"))
        form.password.errors = [_("This is not your password. Nothing was erased.")]
    return me_page(delete_form=form), 400


@bp.route("/me/recovery-codes", methods=["GET", "POST"])
@login_required
def recovery_codes():  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    first = recovery.may_see_first_codes(user)
    form = RecoveryCodesForm()
    status, headers = (400 if form.is_submitted() else 200), {}
    if form.validate_on_submit():
        wait = 0 if first else _password_wait()
        if wait:
            form.form_errors.append(security.too_many_attempts(wait))
            status, headers = 429, {"Retry-After": str(wait)}
        elif first or _password_ok(form.password.data):
            codes = recovery.issue(user)
            response = Response(render_template("accounts/recovery_codes.html", codes=codes))
            response.headers["Cache-Control"] = "no-store"
            return response
        else:
            form.password.errors = [_("This is not your password.")]
    return (
        render_template(
            "accounts/recovery_intro.html",
            form=form,
            first=first,
            left=recovery.remaining(user),
            next_url=safe_next(request.args.get("next")) or url_for("pages.home"),
        ),
        status,
        headers,
    )


@bp.route("/recover", methods=["GET", "POST"])
def recover():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("accounts.me"))
    form = RecoverForm()
    if form.validate_on_submit():
        # Counted apart from passwords: wrong codes never keep the member's password out.
        wait = security.recovery_code_wait(form.pseudonym.data)
        if wait:
            form.form_errors.append(security.too_many_attempts(wait))
            form.code.data = ""
            page = render_template("accounts/recover.html", form=form)
            return page, 429, {"Retry-After": str(wait)}
        result = recovery.recover(form.pseudonym.data, form.code.data, form.password.data)
        if result is not None:
            user, left = result
            from .views import _start_session

            _start_session(user)
            flash(
                _(
                    "Your new password is set. You have %(left)d recovery codes left; your "
                    "other sessions are signed out.",
                    left=left,
                ),
                "success",
            )
            return redirect(url_for("accounts.recovery_codes" if left < 3 else "accounts.me"))
        security.count_recovery_code_failure(form.pseudonym.data)
        form.form_errors.append(_("This pseudonym and recovery code do not go together."))
    form.code.data = ""  # a code typed in is never written back into a page
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/recover.html", form=form), status


@bp.route("/posts/<id:post_id>/block", methods=["POST"])
@login_required
def block_author(post_id: int):  # type: ignore[no-untyped-def]
    post = db.session.get(Post, post_id)
    board = db.session.get_one(Thread, post.thread_id).board if post else None
    if post is None or post.author_id is None or not can_see_post(current_user, post, board):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        blocks.block(current_user._get_current_object(), post.author_id)
    except blocks.CannotBlock as refused:
        messages = {
            "self": _("You cannot block yourself."),
            "limit": _("You have blocked as many members as one account can."),
        }
        flash(messages[refused.reason], "error")
    else:
        flash(
            _(
                "Their messages are now folded away for you, and they cannot reply to yours. "
                "You can undo this on your account page."
            ),
            "info",
        )
    return redirect(url_for("boards.post", post_id=post.id))


@bp.route("/me/blocks/<int:user_id>/remove", methods=["POST"])
@login_required
def unblock(user_id: int):  # type: ignore[no-untyped-def]
    if not EmptyForm().validate_on_submit():
        abort(400)
    if db.session.get(User, user_id) is not None:
        blocks.unblock(current_user._get_current_object(), user_id)
        flash(_("This member is no longer blocked."), "info")
    return redirect(url_for("accounts.me") + "#blocked")


def me_page(**forms):  # type: ignore[no-untyped-def]
    """The account page; `forms` carries a submitted form to show with its errors."""
    return render_template(
        "accounts/me.html",
        password_form=forms.get("password_form") or PasswordChangeForm(formdata=None),
        delete_form=forms.get("delete_form") or PasswordCheckForm(formdata=None),
        languages=LANGUAGES,
        codes_left=recovery.remaining(current_user),
        blocked=blocks.blocked_members(current_user),
    )
