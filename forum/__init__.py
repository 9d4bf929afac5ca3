"""The forum: accounts, boards, threads and the pages around them."""

from __future__ import annotations

from flask import Flask, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from models import set_write_intent

login_manager = LoginManager()
csrf = CSRFProtect()


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
    from .review import bp as review_bp

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
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

    app.register_blueprint(pages.bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(boards_bp)
    app.register_blueprint(review_bp)

    @app.before_request
    def _declare_write_intent() -> None:
        # Every request sets it, so a reused worker thread never inherits it.
        set_write_intent(request.method not in ("GET", "HEAD", "OPTIONS"))
