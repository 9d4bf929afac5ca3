"""A board's meetings as an iCalendar feed (RFC 5545), built with the icalendar library
(escaping, line folding, VTIMEZONE blocks).

One VEVENT per schedule: its first meeting (DTSTART with TZID), DURATION, an RRULE,
an EXDATE per cancelled meeting; one more VEVENT with the same UID and a RECURRENCE-ID
per moved meeting. Calendar apps expand it as forum.meetings.recurrence does. The place
(LOCATION) is only in a member's private feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event

from models import Board, Frequency, MeetingChange, MeetingSchedule, utcnow

from . import display, recurrence

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_RRULE = {
    Frequency.WEEKLY: ("WEEKLY", 1),
    Frequency.BIWEEKLY: ("WEEKLY", 2),
    Frequency.MONTHLY: ("MONTHLY", 1),
}


def rrule(schedule: MeetingSchedule, tz: ZoneInfo) -> dict:
    """The RRULE of the schedule; UNTIL is in UTC, as RFC 5545 wants with a TZID start."""
    freq, interval = _RRULE[Frequency(schedule.frequency)]
    byday = _BYDAY[schedule.weekday]
    if schedule.frequency == Frequency.MONTHLY:
        byday = f"{schedule.week_of_month or 1}{byday}"
    rule: dict = {"freq": freq, "byday": byday, "wkst": "MO"}
    if interval != 1:
        rule["interval"] = interval
    if schedule.ends_on is not None:
        last = datetime.combine(schedule.ends_on, time(23, 59, 59))
        rule["until"] = recurrence.localize(last, tz).astimezone(UTC)
    return rule


def _describe(schedule: MeetingSchedule, page_url: str, note: str = "") -> str:
    lines = [display.rhythm(schedule), str(display.MODES[schedule.mode]).capitalize()]
    if note:
        lines.append(note)
    lines.append(page_url)
    return "\n".join(lines)


def _events(
    schedule: MeetingSchedule,
    changes: Iterable[MeetingChange],
    summary: str,
    uid: str,
    page_url: str,
    with_place: bool,
) -> list[Event]:
    first = recurrence.first_date(schedule)
    tz = recurrence.zone(schedule.timezone)
    if first is None or tz is None:
        return []
    at = recurrence.wall_time(schedule.minute_of_day)
    stamp = utcnow().replace(tzinfo=UTC)
    length = timedelta(minutes=schedule.duration_minutes)
    series = Event()
    series.add("uid", uid)
    series.add("dtstamp", stamp)
    series.add("summary", summary)
    series.add("dtstart", datetime.combine(first, at, tzinfo=tz))
    series.add("duration", length)
    series.add("rrule", rrule(schedule, tz))
    series.add("description", _describe(schedule, page_url))
    series.add("url", page_url)
    if with_place and schedule.place:
        series.add("location", schedule.place)
    events = [series]
    cancelled = []
    for change in sorted(changes, key=lambda c: c.occurrence_on):
        if not recurrence.is_occurrence(schedule, change.occurrence_on):
            continue
        original = datetime.combine(change.occurrence_on, at, tzinfo=tz)
        if change.cancelled:
            cancelled.append(original)
        elif change.moved_to is not None:
            moved = Event()
            moved.add("uid", uid)
            moved.add("dtstamp", stamp)
            moved.add("recurrence-id", original)
            moved.add("summary", summary)
            moved.add("dtstart", change.moved_to.replace(tzinfo=tz))
            moved.add("duration", length)
            moved.add("description", _describe(schedule, page_url, change.note))
            moved.add("url", page_url)
            place = schedule.place if change.place is None else change.place
            if with_place and place:
                moved.add("location", place)
            events.append(moved)
    if cancelled:
        series.add("exdate", cancelled)
    return events


def feed(
    board: Board,
    schedules: Iterable[MeetingSchedule],
    changes: Iterable[MeetingChange],
    *,
    host: str,
    page_url: str,
    with_place: bool,
) -> bytes:
    """The board's meetings as a VCALENDAR. Call it under the language the feed speaks."""
    calendar = Calendar()
    calendar.add("prodid", "-//Entrenous//Meetings//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Meetings: %(board)s", board=board.name))
    summary = _("Meeting: %(board)s", board=board.name)
    by_schedule: dict[int, list[MeetingChange]] = {}
    for change in changes:
        by_schedule.setdefault(change.schedule_id, []).append(change)
    starts: list[date] = []
    for schedule in schedules:
        uid = f"meeting-{schedule.id}@{host}"
        for event in _events(
            schedule, by_schedule.get(schedule.id, ()), summary, uid, page_url, with_place
        ):
            calendar.add_component(event)
        starts.append(schedule.starts_on)
    # Zone definitions from a year before the first meeting to past any end date.
    today = utcnow().date()
    first = min(starts, default=today) - timedelta(days=366)
    last = max(date(2038, 1, 1), recurrence_horizon(today))
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def recurrence_horizon(today: date) -> date:
    """Past the last meeting any schedule may have (its end is at most MAX_YEARS after a
    start that is at most two years ahead)."""
    return today + timedelta(days=366 * (recurrence.MAX_YEARS + 3))
