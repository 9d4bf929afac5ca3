"""How meetings read on a page: "jeudi 11 décembre, 19 h", "heure de Montréal", a
schedule's rhythm in words, and the time zones offered in the schedule form.

A meeting is shown in its group's own time zone (the group meets at 19 h in its town,
whoever reads the page); the zone's city is named when it is not the site's.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from flask import current_app
from flask_babel import format_date, format_datetime, get_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import Frequency, MeetingMode, MeetingSchedule, utcnow

from . import recurrence

# Date, then time on the hour and time with minutes, per language; "pm" in lower case.
_PATTERNS = {
    "fr": ("EEEE d MMMM", "H\u00a0'h'", "H\u00a0'h'\u00a0mm"),
    "en": ("EEEE d MMMM", "h a", "h:mm a"),
}
MODES = {MeetingMode.IN_PERSON: _l("in person"), MeetingMode.VIDEO: _l("by video")}
FREQUENCIES = {
    Frequency.WEEKLY: _l("Every week"),
    Frequency.BIWEEKLY: _l("Every two weeks"),
    Frequency.MONTHLY: _l("Once a month"),
}
WEEKS_OF_MONTH = {1: _l("1st"), 2: _l("2nd"), 3: _l("3rd"), 4: _l("4th"), -1: _l("last")}
# Offered first in the form: where the groups are (France and its overseas departments,
# Belgium, Switzerland, Luxembourg, Québec and the rest of Canada).
FIRST_ZONES = {
    "Europe/Paris": _l("France (Paris)"),
    "Europe/Brussels": _l("Belgium (Brussels)"),
    "Europe/Zurich": _l("Switzerland (Geneva, Zurich)"),
    "Europe/Luxembourg": _l("Luxembourg"),
    "America/Montreal": _l("Quebec (Montreal)"),
    "America/Toronto": _l("Canada: Ontario (Toronto)"),
    "America/Moncton": _l("Canada: New Brunswick (Moncton)"),
    "America/Halifax": _l("Canada: Nova Scotia (Halifax)"),
    "America/St_Johns": _l("Canada: Newfoundland (St. John's)"),
    "America/Winnipeg": _l("Canada: Manitoba (Winnipeg)"),
    "America/Regina": _l("Canada: Saskatchewan (Regina)"),
    "America/Edmonton": _l("Canada: Alberta (Edmonton)"),
    "America/Vancouver": _l("Canada: British Columbia (Vancouver)"),
    "America/Guadeloupe": _l("Guadeloupe"),
    "America/Martinique": _l("Martinique"),
    "America/Cayenne": _l("French Guiana"),
    "Indian/Reunion": _l("Réunion"),
    "Indian/Mayotte": _l("Mayotte"),
    "Pacific/Noumea": _l("New Caledonia"),
    "Pacific/Tahiti": _l("French Polynesia (Tahiti)"),
}
# Cities CLDR names after another zone (America/Montreal is an alias of Toronto there).
_CITIES = {"America/Montreal": _l("Montreal")}
_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


def _language() -> str:
    return str(get_locale() or "fr").split("_")[0]


def meeting_time(moment: datetime) -> str:
    """ "jeudi 11 décembre, 19 h 30" / "Thursday 11 December, 7:30 pm": an aware datetime,
    in its own zone; the year is said when it is not this one."""
    language = _language()
    day_pattern, hour, minutes = _PATTERNS.get(language, _PATTERNS["en"])
    if moment.year != utcnow().year:
        day_pattern += " y"
    day_text = format_datetime(moment, day_pattern, rebase=False)
    time_text = format_datetime(moment, minutes if moment.minute else hour, rebase=False)
    if language == "en":
        time_text = time_text.lower()
    return _("%(day)s, %(time)s", day=day_text, time=time_text)


def when(meeting: recurrence.Occurrence) -> str:
    """ "jeudi 11 décembre, 19 h", with "(heure de Montréal)" away from the site's zone."""
    text = meeting_time(meeting.start)
    name = getattr(meeting.start.tzinfo, "key", None)
    note = zone_note(name) if name else ""
    return _("%(when)s (%(zone)s)", when=text, zone=note) if note else text


def planned(meeting: recurrence.Occurrence, schedules: list[MeetingSchedule]) -> str:
    """When a moved meeting was planned: "jeudi 24 décembre, 19 h"."""
    schedule = next((s for s in schedules if s.id == meeting.schedule_id), None)
    tz = recurrence.zone(schedule.timezone) if schedule is not None else None
    if schedule is None or tz is None:
        return day(meeting.original_on)
    local = datetime.combine(meeting.original_on, recurrence.wall_time(schedule.minute_of_day))
    return meeting_time(recurrence.localize(local, tz))


def clock(minute_of_day: int) -> str:
    """ "19 h 30" / "7:30 pm": a time of day alone."""
    moment = datetime.combine(date(2000, 1, 3), recurrence.wall_time(minute_of_day))
    language = _language()
    _day, hour, minutes = _PATTERNS.get(language, _PATTERNS["en"])
    text = format_datetime(moment, minutes if moment.minute else hour, rebase=False)
    return text.lower() if language == "en" else text


def day(value: date) -> str:
    """ "jeudi 11 décembre 2026": a meeting's date, with its weekday."""
    return format_date(value, "EEEE d MMMM y")


def duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min", minutes=rest)
    if not rest:
        return _("%(hours)d h", hours=hours)
    return _("%(hours)d h %(minutes)02d min", hours=hours, minutes=rest)


def length(meeting: recurrence.Occurrence) -> str:
    return duration(int((meeting.end_utc - meeting.start_utc).total_seconds()) // 60)


def zone_city(name: str) -> str:
    """The city a zone is named after, in the reader's language ("Bruxelles")."""
    if name in _CITIES:
        return str(_CITIES[name])
    if name in get_global("zone_aliases"):
        return name.rsplit("/", 1)[-1].replace("_", " ")
    try:
        return get_timezone_location(name, locale=str(get_locale()), return_city=True)
    except (LookupError, ValueError):
        return name.rsplit("/", 1)[-1].replace("_", " ")


def city_time(name: str) -> str:
    """ "heure de Montréal", "heure d'Edmonton": French elides before a vowel."""
    city = zone_city(name)
    initial = unicodedata.normalize("NFD", city[:1])[:1].lower()
    if initial in "aeiouyh":
        return pgettext("before a vowel", "%(city)s time", city=city)
    return _("%(city)s time", city=city)


def zone_note(name: str) -> str:
    """ "heure de Montréal" when the group's zone is not the site's, else nothing."""
    if name == current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"):
        return ""
    return city_time(name)


def weekday_names() -> list[tuple[str, str]]:
    """("0", "lundi") ... ("6", "dimanche"), Monday first."""
    names = Locale.parse(str(get_locale())).days["format"]["wide"]
    return [(str(number), names[number]) for number in range(7)]


def rhythm(schedule: MeetingSchedule) -> str:
    """ "Chaque mois, le dernier jeudi, à 19 h (heure de Montréal)"."""
    weekday = dict(weekday_names())[str(schedule.weekday)]
    at = clock(schedule.minute_of_day)
    if schedule.frequency == Frequency.MONTHLY:
        nth = str(WEEKS_OF_MONTH.get(schedule.week_of_month or 1, ""))
        text = _(
            "Monthly, on the %(nth)s %(weekday)s, at %(time)s", nth=nth, weekday=weekday, time=at
        )
    elif schedule.frequency == Frequency.BIWEEKLY:
        text = _("Every two weeks, on %(weekday)s, at %(time)s", weekday=weekday, time=at)
    else:
        text = _("Every week, on %(weekday)s, at %(time)s", weekday=weekday, time=at)
    note = zone_note(schedule.timezone)
    return _("%(rhythm)s (%(zone)s)", rhythm=text, zone=note) if note else text


@cache
def _other_zones() -> tuple[str, ...]:
    names = recurrence._zone_names()
    return tuple(sorted(n for n in names if n.startswith(_AREAS) and n not in FIRST_ZONES))


def zone_choices() -> dict[str, list[tuple[str, str]]]:
    """The <select>'s groups: the groups' countries first, then every zone (its IANA name)."""
    first = [(name, str(label)) for name, label in FIRST_ZONES.items()]
    others = [(name, name.replace("_", " ")) for name in _other_zones()]
    return {
        _("France, Belgium, Switzerland, Quebec and Canada"): first,
        _("Every time zone"): others,
    }
