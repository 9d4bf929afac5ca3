"""Moderators' pages: the review queue, one item, and the decisions taken on it."""

from flask import Blueprint

bp = Blueprint("review", __name__)

from . import health, log, settings, views  # noqa: E402,F401
