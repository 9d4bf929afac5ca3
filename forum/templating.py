"""Template globals, filters and URL converters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_timedelta
from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import StrictUndefined
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from models import utcnow
from moderation.workflow.decisions import unread_notices

from .following.badge import unread_total
from .i18n import LANGUAGES, select_locale
from .moderation_labels import REPORT_REASONS

MAX_ID = 2**31 - 1
REACTION_LABELS = {
    "thanks": _l("Thank you"),
    "me_too": _l("Me too"),
    "courage": _l("Courage"),
    "bravo": _l("Well done"),
}


class IdConverter(IntegerConverter):
    """Positive ids that fit a 32-bit column: larger numbers are a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(map, min=1, max=MAX_ID)


def post_labels() -> dict[str, Any]:
    """Every string a post shows, translated once per page rather than once per post."""
    return {
        "former_member": _("former member"),
        "edited": _("edited"),
        "pending": _("Waiting for review: only you and the moderators see it"),
        "deleted": _("Message deleted by its author."),
        "hidden": _("This message is hidden while moderators review it."),
        "removed": _("This message was removed by the moderators."),
        # Filled in per post (the `format` filter): each post's reactions get their own name.
        "reactions_of": _("Reactions to the message of %(name)s (message %(number)s)"),
        "reactions_to": _("Reactions to message %(number)s"),
        "reaction_kinds": [(kind, str(label)) for kind, label in REACTION_LABELS.items()],
        "reply": _("Reply"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "delete_confirm": _(
            "Delete this message for good? Its place stays, marked “message deleted”."
        ),
        "delete_yes": _("Yes, delete it"),
        "cw": _("Content warning:"),
        "open": _("open to read"),
        "draft": _("Draft: not published, only you see it"),
        "report": _("Report"),
        "report_why": _(
            "Why are you reporting this message? The author will not know who reported it."
        ),
        "report_note": _("A word for the moderators (optional)"),
        "report_send": _("Send the report"),
        "report_reasons": [(code, str(label)) for code, label in REPORT_REASONS.items()],
        "block": _("Block this member"),
        "block_confirm": _(
            "Their messages will fold away for you, and they will not be able to reply to "
            "yours. They are not told. You can undo it on your account page."
        ),
        "block_yes": _("Block"),
        "folded": _("A message from a member you have blocked."),
        "folded_open": _("show it anyway"),
    }


# Babel's own units and rounding threshold, coarsest first.
_UNITS = (
    ("year", 3600 * 24 * 365),
    ("month", 3600 * 24 * 30),
    ("week", 3600 * 24 * 7),
    ("day", 3600 * 24),
    ("hour", 3600),
    ("minute", 60),
)


@lru_cache(maxsize=2048)
def _ago_text(locale: str, unit: str, value: int) -> str:
    seconds = dict(_UNITS)[unit] * value
    return format_timedelta(
        timedelta(seconds=-seconds), granularity=unit, add_direction=True, locale=locale
    )


def ago(moment: datetime | None) -> str:
    """ "il y a 3 heures": Babel's wording, cached, since Babel takes ~0.2 ms to compute it."""
    if moment is None:
        return ""
    seconds = abs((utcnow() - moment).total_seconds())
    unit, size = next(((u, n) for u, n in _UNITS if seconds / n >= 0.85), _UNITS[-1])
    return _ago_text(str(get_locale()), unit, max(1, round(seconds / size)))


@lru_cache(maxsize=16)
def _when_pattern(locale: str) -> str:
    """The locale's long date and short time, joined as the locale joins them."""
    parsed = Locale.parse(locale)
    joined = str(parsed.datetime_formats["long"])
    return joined.replace("{1}", parsed.date_formats["long"].pattern).replace(
        "{0}", parsed.time_formats["short"].pattern
    )


def when(moment: datetime | None) -> str:
    """ "20 novembre 2026, 14:03" / "November 20, 2026, 2:03 PM", in the site's time zone."""
    return format_datetime(moment, _when_pattern(str(get_locale()))) if moment else ""


def day(moment: date | datetime | None) -> str:
    """ "20 novembre 2026" / "November 20, 2026", the day in the site's time zone."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = to_user_timezone(moment).date()
    return format_date(moment, "long")


def decimal(value: float | None, digits: int = 2) -> str:
    """ "0,02" / "0.02": a score or a weight as the reader writes numbers."""
    if value is None:
        return ""
    return format_decimal(value, "#,##0." + "0" * digits if digits else "#,##0")


def stored_html(html: str) -> Markup:
    """Mark HTML safe that `forum.markup.sanitize_html` produced when it was saved."""
    return Markup(html)  # noqa: S704 - only ever given sanitised HTML from the database


def _unread_notices() -> int:
    return unread_notices(current_user) if current_user.is_authenticated else 0


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.jinja_env.filters.update(
        ago=ago, when=when, day=day, decimal=decimal, stored_html=stored_html
    )
    app.jinja_env.globals.update(
        reaction_labels=REACTION_LABELS, post_labels=post_labels, unread_notices=_unread_notices
    )
    # The header's one badge: moderation notices and notifications, in one query.
    app.jinja_env.globals.update(unread_total=unread_total)
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals() -> dict:
        return {
            "languages": LANGUAGES,
            "current_locale": select_locale(),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
