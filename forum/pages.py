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

from models import db
from moderation import scoring
from moderation.workflow import jobs

from .accounts import services as accounts
from .boards import queries
from .i18n import LANGUAGES
from .navigation import safe_next
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
    return render_template("pages/home.html", groups=groups)


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


@bp.route("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """200 when the database (and Redis, if set) answer. The moderation figures tell
    operators when posts wait for a scorer that is missing, failing or slow."""
    checks: dict[str, object] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        checks["database"] = "error"
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
    if checks.get("redis") == "ok":
        moderation["queued_jobs"] = jobs.queue_depth()
    body = {"status": "ok" if healthy else "error", **checks, "moderation": moderation}
    return jsonify(body), 200 if healthy else 503
