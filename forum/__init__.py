"""The forum: accounts, boards, threads and the pages around them."""

from __future__ import annotations

from flask import Flask, request, session
from flask_login import LoginManager, user_logged_in
from flask_wtf.csrf import CSRFProtect

from models import set_write_intent

login_manager = LoginManager()
csrf = CSRFProtect()


def _forget_device(_app: Flask, **_extra: object) -> None:
    session.pop("_id", None)


def init_app(app: Flask) -> None:
    from moderation.workflow import jobs

    from . import (
        cli,
        crisis_lines,
        errors,
        i18n,
        moderation_labels,
        pages,
        security,
        templating,
    )
    from .accounts import bp as accounts_bp
    from .accounts.services import load_user
    from .boards import bp as boards_bp
    from .following import bp as following_bp
    from .following import events as following_events
    from .invitations import init_app as init_invitations
    from .meetings import init_app as init_meetings
    from .review import bp as review_bp
    from .review import notes as review_notes
    from .search import bp as search_bp

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    # No session protection: Flask-Login's keeps an unsalted SHA-512 of the member's address
    # and User-Agent in the session cookie (signed, not encrypted), a trace of their device.
    # Sessions end without it: the user id in the session carries the account's session
    # version (`User.get_id`), and `accounts.services.load_user` refuses any other, so signing
    # out everywhere, a new password or a recovery code (which bump it) end every session and
    # remember-me cookie. Flask-Login still computes the hash on every request and login_user()
    # stores it as "_id" whatever the protection: the first now computes nothing (""), the
    # second is taken out at once.
    login_manager.session_protection = None
    login_manager._session_identifier_generator = str
    user_logged_in.connect(_forget_device, app)
    login_manager.user_loader(load_user)
    login_manager.login_message = None  # the login page says it already

    i18n.init_app(app)
    templating.init_app(app)
    crisis_lines.init_app(app)
    moderation_labels.init_app(app)
    jobs.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    following_events.init_app()

    app.register_blueprint(pages.bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(boards_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(following_bp)
    app.register_blueprint(search_bp)
    init_meetings(app)
    init_invitations(app)
    review_notes.init_app(app)

    @app.before_request
    def _declare_write_intent() -> None:
        # Every request sets it, so a reused worker thread never inherits it.
        set_write_intent(request.method not in ("GET", "HEAD", "OPTIONS"))
