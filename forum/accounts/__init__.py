"""Pseudonymous accounts: sign-up, login, settings."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import notices, rights, views  # noqa: E402,F401
