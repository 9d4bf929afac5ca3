"""Languages: French by default, English complete; chosen by the member, else the browser."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel
from flask_login import current_user

LANGUAGES = {"fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "fr"

babel = Babel()


def select_locale() -> str:
    if current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
