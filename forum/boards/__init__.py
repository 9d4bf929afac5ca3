"""Boards, threads, posts and reactions."""

from flask import Blueprint

bp = Blueprint("boards", __name__)

from . import victories, views  # noqa: E402,F401
