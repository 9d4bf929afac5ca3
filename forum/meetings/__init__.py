"""The group's rhythm: a board's meetings (schedules, one-off changes, iCalendar feeds) and
the "Entre deux rencontres" thread opened after each meeting."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("meetings", __name__)


def init_app(app: Flask) -> None:
    from . import between, views  # noqa: F401 - routes

    between.init_app(app)
    app.register_blueprint(bp)
