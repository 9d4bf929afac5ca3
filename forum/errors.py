"""Friendly error pages, in the reader's language."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from flask import Flask, current_app, g, jsonify, make_response, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError, InternalError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, TooManyRequests

from models import User, db, set_write_intent

from . import security

log = logging.getLogger(__name__)

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


# Seconds a client is asked to wait: a held lock passes quickly, the rest needs an operator.
RETRY_AFTER = {"busy": 10, "read_only": 60, "error": 30}

_SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
_SQLITE_UNAVAILABLE = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_PROTOCOL")
# PostgreSQL: lock_not_available, query_canceled (lock and statement timeouts),
# serialization_failure, deadlock_detected.
_PG_BUSY = frozenset({"55P03", "57014", "40001", "40P01"})
_PG_READ_ONLY = "25006"  # read_only_sql_transaction: read-only setting, or a standby

# Fields shown to the member, who may copy them; the others travel hidden.
_LINE_FIELDS = {
    "title": _l("Title"),
    "content_warning": _l("Content warning (optional)"),
    "pseudonym": _l("Pseudonym"),
}
_AREA_FIELDS = {"body": _l("Your message"), "note": _l("Your note")}
# Never sent back to the browser: typed again, into an empty field.
_SECRET_FIELDS = {
    "password": _l("Password"),
    "password_confirm": _l("Confirm the password"),
    "current_password": _l("Current password"),
    "code": _l("Recovery code"),
}
_SHORT = 200  # a hidden field longer than this, or on several lines, was written: shown


def unavailable_reason(error: BaseException) -> str | None:
    """Why the database could not do its part: "busy" (a lock, a timeout), "read_only", or
    "error" (unreachable, out of disk...). None when the database is fine and the error is
    a bug (bad SQL, a missing table): that one stays a 500.

    `error` is SQLAlchemy's, or the driver's own when the health check talks to it directly.
    """
    if isinstance(error, PoolTimeout):
        return "busy"
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    name = getattr(driver_error, "sqlite_errorname", None)
    if isinstance(name, str):
        if name.startswith(_SQLITE_BUSY):
            return "busy"
        if name.startswith("SQLITE_READONLY"):
            return "read_only"
        return "error" if name.startswith(_SQLITE_UNAVAILABLE) else None
    if not isinstance(error, (OperationalError, InternalError)):
        return None
    state = getattr(driver_error, "sqlstate", None)
    if state == _PG_READ_ONLY:
        return "read_only"
    if isinstance(error, InternalError):
        return None
    return "busy" if state in _PG_BUSY else "error"


@dataclass(frozen=True)
class ResentField:
    name: str
    value: str
    kind: str  # "line", "area", "hidden" or "secret" (an empty field to type again)
    label: str = ""


def resent_fields() -> list[ResentField]:
    """The POSTed fields, ready to be sent again: never a password nor the old CSRF token."""
    token_name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    fields: list[ResentField] = []
    for name, values in request.form.lists():
        if name == token_name or "token" in name or "secret" in name:
            continue
        if name in _SECRET_FIELDS or "password" in name:
            label = _SECRET_FIELDS.get(name, _SECRET_FIELDS["password"])
            fields.append(ResentField(name, "", "secret", str(label)))
            continue
        for value in values:
            if name in _LINE_FIELDS and "\n" not in value and "\r" not in value:
                fields.append(ResentField(name, value, "line", str(_LINE_FIELDS[name])))
            elif name in _AREA_FIELDS or name in _LINE_FIELDS:
                label = _AREA_FIELDS.get(name) or _LINE_FIELDS[name]
                fields.append(ResentField(name, value, "area", str(label)))
            elif len(value) > _SHORT or "\n" in value or "\r" in value:
                fields.append(ResentField(name, value, "area", str(_l("Your text"))))
            else:
                fields.append(ResentField(name, value, "hidden"))
    return fields


@dataclass(frozen=True)
class _SignedIn:
    """The member this session names, as far as is known without the database: the page
    header still shows them signed in (their session is not lost either)."""

    known_pseudonym: str | None = None
    locale: str | None = None
    is_admin: bool = False
    moderated_boards: tuple[object, ...] = ()
    is_authenticated = True
    is_active = True
    is_anonymous = False

    @property
    def pseudonym(self) -> str:
        return self.known_pseudonym or str(_l("Your account"))

    def get_id(self) -> str | None:
        return session.get("_user_id")


def _user_without_the_database() -> object:
    """Who is here, from what is already loaded: rendering the page must not query."""
    user = g.get("_login_user")
    if isinstance(user, User):
        loaded = inspect(user).dict  # the loaded attributes only; reading them loads nothing
        return _SignedIn(
            loaded.get("pseudonym"),
            loaded.get("locale"),
            bool(loaded.get("is_admin")),
            tuple(loaded.get("moderated_boards") or ()),
        )
    if user is not None:
        return user  # a visitor
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if "_user_id" in session or remember in request.cookies:
        return _SignedIn()
    return current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]


def _same_url() -> str:
    """Where the form was sent, on this site."""
    query = request.full_path.partition("?")[2]
    return request.script_root + "/" + request.path.lstrip("/") + (f"?{query}" if query else "")


def _unavailable(reason: str):  # type: ignore[no-untyped-def]
    """503 and Retry-After; a POST's fields come back, ready to be sent again."""
    user = _user_without_the_database()
    with contextlib.suppress(SQLAlchemyError):  # the connection may be gone too
        db.session.rollback()
    # Flask-Login keeps the request's user there; set, it is not loaded from the database.
    current_app.login_manager._update_request_context_with_user(user)  # type: ignore[attr-defined]
    set_write_intent(False)  # should anything still read, it waits for no lock
    log.warning("database unavailable (%s) during %s %s", reason, request.method, request.path)
    if request.path == "/healthz" or request.accept_mimetypes.best == "application/json":
        response = jsonify({"status": "error", "code": 503, "database": reason})
    else:
        fields = resent_fields() if request.method == "POST" else []
        page = render_template(
            "errors/unavailable.html",
            posted=request.method == "POST",
            fields=fields,
            written=any(f.kind in ("line", "area") for f in fields),
            retype=any(f.kind == "secret" for f in fields),
            action=_same_url(),
            unread_notices=lambda: 0,  # the header's count would ask the database
            unread_total=lambda: 0,
        )
        response = make_response(page)
        response.headers["Cache-Control"] = "no-store"  # the member's words, theirs alone
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER[reason])
    return response


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

    @app.errorhandler(OperationalError)
    @app.errorhandler(InternalError)
    @app.errorhandler(PoolTimeout)
    def _database(error: Exception):  # type: ignore[no-untyped-def]
        reason = unavailable_reason(error)
        if reason is None:
            raise error  # a bug, not the database's state: the 500 page, and the log
        return _unavailable(reason)
