"""Following threads, "Mes fils" and the notifications that reach members in the site."""

from flask import Blueprint

bp = Blueprint("following", __name__)

from . import views  # noqa: E402,F401
