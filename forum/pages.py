"""Home, charter, help, privacy, language choice and the health check."""

from __future__ import annotations

from itertools import groupby

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from models import User, db
from moderation.classifier import scoring
from moderation.workflow import jobs

from .accounts import services as accounts
from .boards import queries, unanswered
from .errors import unavailable_reason
from .i18n import LANGUAGES
from .meetings import queries as meetings
from .navigation import safe_next
from .permissions import can_read_board
from .themes import theme_label

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():  # type: ignore[no-untyped-def]
    rows = queries.visible_boards(current_user)
    rows.sort(key=lambda row: (row[0].theme, row[0].position))
    groups = [
        (theme, theme_label(theme), list(items))
        for theme, items in groupby(rows, key=lambda r: r[0].theme)
    ]
    groups.sort(key=lambda g: min(r[0].position for r in g[2]))
    waiting = unanswered.count(current_user)
    # One query for every board's next meeting; members-only ones for members only.
    readable = [row[0].id for row in rows if can_read_board(current_user, row[0])]
    return render_template(
        "pages/home.html",
        groups=groups,
        unanswered=waiting,
        next_meetings=meetings.next_meetings(readable),
    )


@bp.route("/charter")
def charter():  # type: ignore[no-untyped-def]
    return render_template("pages/charter.html", charter_version=accounts.CHARTER_VERSION)


@bp.route("/privacy")
def privacy():  # type: ignore[no-untyped-def]
    return render_template("pages/privacy.html")


@bp.route("/robots.txt")
def robots():  # type: ignore[no-untyped-def]
    """Search engines: boards and discussions only, never members' or moderators' pages.
    Members-only and `noindex` boards say so in each page (they are not listed here, so
    that their names are not published)."""
    lines = ["User-agent: *"] + [
        f"Disallow: {path}"
        for path in ("/me", "/moderation", "/login", "/register", "/recover", "/language")
    ]
    return current_app.response_class("\n".join(lines) + "\n", mimetype="text/plain")


@bp.route("/help")
def help():  # type: ignore[no-untyped-def]  # noqa: A001
    return render_template("pages/help.html")


@bp.route("/language", methods=["GET", "POST"])
def language():  # type: ignore[no-untyped-def]
    """Switch language. A plain link (GET), so that visitors carry no cookie until they choose."""
    values = request.values
    target = safe_next(values.get("next")) or url_for("pages.home")
    lang = values.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            accounts.set_locale(current_user._get_current_object(), lang)
    return redirect(target)


# The health check is polled: it waits this long at most for another writer's lock.
HEALTH_BUSY_TIMEOUT_MS = 500


def _sqlite_write_probe() -> None:
    """Take the write lock as a posting request would (BEGIN IMMEDIATE, with a short busy
    timeout), then run a write that matches no row: on a read-only database BEGIN IMMEDIATE
    alone succeeds, the write does not. Rolled back: nothing is written."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        (timeout,) = cursor.execute("PRAGMA busy_timeout").fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {min(int(timeout), HEALTH_BUSY_TIMEOUT_MS)}")
        try:
            cursor.execute("BEGIN IMMEDIATE")
            try:
                cursor.execute(f"UPDATE {User.__tablename__} SET id = id WHERE 0")  # noqa: S608
            finally:
                cursor.execute("ROLLBACK")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    finally:
        connection.close()


def _database_state() -> str:
    """Whether a write could happen now: "ok", else "busy", "read_only" or "error"."""
    try:
        if db.engine.dialect.name == "sqlite":
            _sqlite_write_probe()
            return "ok"
        read_only = db.session.scalar(
            text("SELECT current_setting('transaction_read_only') = 'on' OR pg_is_in_recovery()")
        )
        return "read_only" if read_only else "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        return unavailable_reason(error) or "error"


@bp.route("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """200 when the database accepts writes (and Redis, if set, answers); 503 with
    "database": "busy", "read_only" or "error" when members cannot post. The moderation
    figures tell operators when posts wait for a scorer that is missing, failing or slow."""
    checks: dict[str, object] = {"database": _database_state()}
    runner = jobs.runner()
    if isinstance(runner, jobs.RQRunner):
        try:
            runner.redis.ping()
            checks["redis"] = "ok"
        except Exception:  # noqa: BLE001
            checks["redis"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    moderation: dict[str, object] = {
        "runner": runner.name,
        "scorer": scoring.registry.status(current_app.config["MODERATION_MODEL"]),
    }
    if checks["database"] == "ok":
        moderation["awaiting_scores"] = jobs.awaiting_count()
        moderation["fallback_last_hour"] = jobs.fallback_count(3600)
        moderation["unscored_open"] = jobs.unscored_open()
    if checks.get("redis") == "ok":
        moderation["queued_jobs"] = jobs.queue_depth()
    body = {"status": "ok" if healthy else "error", **checks, "moderation": moderation}
    return jsonify(body), 200 if healthy else 503
