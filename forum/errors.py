"""Friendly error pages, in the reader's language."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, TooManyRequests

from models import db

from . import security

MESSAGES = {
    400: (
        _l("Something in this request was not right"),
        _l("The page could not understand what was sent. Nothing was changed."),
    ),
    403: (_l("This is not possible for you"), _l("You do not have the permission to do this.")),
    404: (_l("Page not found"), _l("This page does not exist, or it is not visible to you.")),
    405: (
        _l("This is not possible here"),
        _l("This address does not accept this kind of request."),
    ),
    413: (
        _l("This is too large"),
        _l(
            "What you sent is larger than the forum accepts. Nothing was changed; "
            "please shorten your text."
        ),
    ),
    429: (_l("Too many requests"), _l("Please wait a little before trying again.")),
    500: (
        _l("Something went wrong on our side"),
        _l("Sorry. Nothing you wrote is lost: please try again in a moment."),
    ),
}


def _render(code: int, detail: str | None = None):  # type: ignore[no-untyped-def]
    title, text = MESSAGES.get(code, MESSAGES[400] if code < 500 else MESSAGES[500])
    if request.path == "/healthz" or request.accept_mimetypes.best == "application/json":
        return jsonify({"status": "error", "code": code}), code
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError):  # type: ignore[no-untyped-def]
        return _render(
            400,
            str(
                _l(
                    "This form has expired or was not sent from this site. "
                    "Please go back, reload the page and try again."
                )
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        if error.code is None or error.code < 400:
            return error
        return _render(error.code)

    @app.errorhandler(TooManyRequests)
    def _too_many(error: TooManyRequests):  # type: ignore[no-untyped-def]
        seconds = error.retry_after if isinstance(error.retry_after, int) else None
        detail = security.too_many_attempts(seconds) if seconds else None
        response = make_response(_render(429, detail))
        if seconds:
            response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(InternalServerError)
    def _server(_error: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return _render(500)
