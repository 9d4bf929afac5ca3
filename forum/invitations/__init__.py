"""Invitations handed out at a meeting: a link or a short code that lets a few people sign
up past the per-network limit, never linked to the accounts made with it."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("invitations", __name__)


def init_app(app: Flask) -> None:
    from moderation.workflow import jobs

    from . import services, views  # noqa: F401 - routes

    # Expired and revoked invitations go a week later, whichever process gets there first.
    jobs.every_minute(app, services.purge)
    app.register_blueprint(bp)
