"""Entrenous application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

# A post body is capped at 20,000 characters (80 kB of UTF-8 at most); anything much
# larger than a form can honestly be is refused with 413 before it is parsed.
MAX_CONTENT_LENGTH = 256 * 1024


def _secret_key(instance_path: str) -> str:
    """Read the instance's secret key, generating it once (readable by its owner only)."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)

    app.config.from_mapping(
        DATABASE_URL=None,
        RATE_LIMITS="on",
        # How many reverse proxies stand in front of the app and set X-Forwarded-For and
        # X-Forwarded-Proto. 0 (the default) trusts no such header.
        TRUSTED_PROXIES=0,
        MODERATION_MODEL="bundled",
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        MAX_FORM_MEMORY_SIZE=MAX_CONTENT_LENGTH,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_DURATION=60 * 60 * 24 * 30,
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead: a slow writer keeps their text
        # Every validator carries its own translated message; skip loading WTForms' catalogue
        # on each request.
        WTF_I18N_ENABLED=False,
        BABEL_DEFAULT_LOCALE="fr",
        BABEL_DEFAULT_TIMEZONE="Europe/Paris",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(app.root_path) / "translations"),
        # hide_parameters: a database error, logged, names the statement but never the values
        # bound to it (a member's words, their id), which would outlive their erasure.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "hide_parameters": True},
        # How long a SQLite write waits for another writer's lock before the member is
        # told the forum cannot save right now (503, their text given back).
        SQLITE_BUSY_TIMEOUT_MS=10_000,
    )
    app.config.from_pyfile("config.py", silent=True)
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "RATE_LIMITS",
        "MODERATION_MODEL",
        "MODERATION_MODELS_DIR",
        "TRUSTED_PROXIES",
    ):
        if name in os.environ:
            app.config[name] = os.environ[name]
    if test_config:
        app.config.update(test_config)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    url = app.config.get("DATABASE_URL") or "sqlite:///" + str(
        Path(app.instance_path) / "entrenous.db"
    )
    if url.startswith("postgresql://"):  # the usual spelling; we use psycopg 3
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url

    from flask_migrate import Migrate

    import forum
    from models import configure_sqlite, db

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, int(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
    Migrate(app, db, directory=str(Path(app.root_path) / "migrations"), render_as_batch=True)
    forum.init_app(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind reverse proxies, take the client's address and scheme from the headers they
    set, so that HTTPS is seen as HTTPS and each client is told apart by the rate limits."""
    value = str(app.config["TRUSTED_PROXIES"] or 0).strip()
    if not value.isdigit():
        raise ValueError(f"TRUSTED_PROXIES must be a number of proxies (0, 1, 2...), not {value!r}")
    proxies = int(value)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
