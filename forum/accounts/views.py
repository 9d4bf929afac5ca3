"""Sign-up, login, logout and the member's own page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import security
from ..forms import EmptyForm
from ..i18n import select_locale
from ..invitations import signup as invited
from ..navigation import safe_next
from . import bp, pseudonyms, rights, services
from .forms import LoginForm, PasswordChangeForm, RegisterForm


def _start_session(user, remember: bool = False) -> None:  # type: ignore[no-untyped-def]
    lang = session.get("lang")
    session.clear()  # a fresh session at every login
    if lang:
        session["lang"] = lang
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
def register():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm(**({} if request.method == "POST" else invited.prefill()))
    if form.validate_on_submit():
        code = form.invitation_code()
        try:
            if code is None:
                security.check_registration_rate()
                user = services.register(form.pseudonym.data, form.password.data, select_locale())
                security.count_registration()
                target = safe_next(request.args.get("next"))
            else:  # past the per-network limit: the group's invitation vouches for it
                joined = invited.register(
                    code, form.pseudonym.data, form.password.data, select_locale()
                )
                user, target = joined.user, invited.board_url(joined)
        except services.PseudonymUnavailable:
            form.pseudonym.errors = [_("This pseudonym was just taken. Try another.")]
        except invited.Refused as refusal:
            form.invitation.errors = [refusal.message]
            if refusal.wait:
                return _register_page(form, 429, {"Retry-After": str(refusal.wait)})
        else:
            _start_session(user)
            flash(_("Welcome, %(name)s. You can now write.", name=user.pseudonym), "success")
            # First, the recovery codes: without an e-mail, they are the way back in.
            return redirect(url_for("accounts.recovery_codes", next=target))
    return _register_page(form, 400 if form.is_submitted() and form.errors else 200)


def _register_page(form: RegisterForm, status: int, headers: dict | None = None):  # type: ignore[no-untyped-def]
    page = render_template("accounts/register.html", form=form, suggestion=pseudonyms.suggestion())
    return page, status, headers or {}


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("pages.home"))
    form = LoginForm()
    if form.validate_on_submit():
        # Checked before the password, so a blocked guess learns nothing, right or wrong.
        wait = security.login_wait(form.pseudonym.data)
        if wait:
            form.form_errors.append(security.too_many_attempts(wait))
            page = render_template("accounts/login.html", form=form, next=target)
            return page, 429, {"Retry-After": str(wait)}
        user = services.authenticate(form.pseudonym.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            return redirect(target or url_for("pages.home"))
        security.count_login_failure(form.pseudonym.data)
        form.form_errors.append(_("Pseudonym or password incorrect."))
    status = 400 if form.is_submitted() and (form.errors or form.form_errors) else 200
    return render_template("accounts/login.html", form=form, next=target), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    if EmptyForm().validate_on_submit():
        # Signing out here signs out everywhere: other sessions and remember-me cookies too.
        services.end_sessions(current_user._get_current_object())
        logout_user()
        session.clear()
        flash(_("You are signed out. Take care."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/me")
@login_required
def me():  # type: ignore[no-untyped-def]
    return rights.me_page()


@bp.route("/me/password", methods=["POST"])
@login_required
def change_password():  # type: ignore[no-untyped-def]
    form = PasswordChangeForm()
    if form.validate_on_submit():
        # The password typed again counts as a sign-in to this account, from this client.
        wait = security.login_wait(current_user.pseudonym)
        if wait:
            form.form_errors.append(security.too_many_attempts(wait))
            return rights.me_page(password_form=form), 429, {"Retry-After": str(wait)}
        if services.change_password(current_user, form.current_password.data, form.password.data):
            login_user(current_user._get_current_object())  # this session carries the new version
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for("accounts.me"))
        security.count_login_failure(current_user.pseudonym)
        form.current_password.errors = [_("This is not your current password.")]
    return rights.me_page(password_form=form), 400
