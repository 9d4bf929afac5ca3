"""A board's meetings in time: occurrences of its schedules, with their one-off changes.

Pure functions of the model rows and an instant, no request and no database: the pages, the
iCalendar feed and the "Entre deux rencontres" job all read meetings through here, so they
agree. The recurrence is python-dateutil's `rrule` (RFC 5545 RRULE semantics) over local
wall-clock times; a local time is turned into an instant as RFC 5545 §3.3.5 says: a time
that a daylight-saving gap skips is read with the offset from before the gap (02:30 becomes
03:30), and a repeated time is its first occurrence.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil import rrule

from models import Frequency, MeetingChange, MeetingMode, MeetingSchedule

# Refused past these: the forms say so, the queries never walk further.
MAX_CHANGES_PER_SCHEDULE = 100
MAX_YEARS = 10  # an end date at most this far after the start
MAX_DURATION_MINUTES = 8 * 60
# How far the pages look for the next meetings, and back for past ones.
LOOK_AHEAD = timedelta(days=400)
LOOK_BACK = timedelta(days=800)
_RRULE_FREQ = {
    Frequency.WEEKLY: (rrule.WEEKLY, 1),
    Frequency.BIWEEKLY: (rrule.WEEKLY, 2),
    Frequency.MONTHLY: (rrule.MONTHLY, 1),
}
_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


@dataclass(frozen=True)
class Occurrence:
    schedule_id: int
    original_on: date  # the date it was scheduled on (iCalendar RECURRENCE-ID)
    start: datetime  # aware, in the schedule's time zone
    end: datetime
    mode: MeetingMode
    place: str
    cancelled: bool = False
    moved: bool = False
    note: str = ""

    @property
    def start_utc(self) -> datetime:
        """Naive UTC, as the model stores instants."""
        return self.start.astimezone(UTC).replace(tzinfo=None)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC).replace(tzinfo=None)


def zone(name: str) -> ZoneInfo | None:
    """The IANA zone of that exact name, or None (also for paths and odd input)."""
    if not name or len(name) > 64 or name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_ZONES: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def wall_time(minute_of_day: int) -> time:
    return time(minute_of_day // 60, minute_of_day % 60)


def exists(local: datetime, tz: ZoneInfo) -> bool:
    """Whether this wall-clock time happens in that zone (not skipped by a DST gap)."""
    aware = local.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local


def localize(local: datetime, tz: ZoneInfo) -> datetime:
    """The instant of a wall-clock time, by RFC 5545's rule for gaps and repeats."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def first_date(schedule: MeetingSchedule) -> date | None:
    """The date of the schedule's first meeting (its DTSTART), or None when none falls
    between its start and end."""
    return _first_date(_rhythm(schedule))


def rule(schedule: MeetingSchedule) -> rrule.rrule:
    """The schedule's recurrence over naive local start times, from its first meeting."""
    return _rule_of(_rhythm(schedule))


# What a recurrence depends on. Rules are kept per process by it (a schedule's rows are
# re-read on every page, its rhythm seldom changes), with dateutil's own cache of the
# occurrences already computed: the home page asks every board for its next meeting.
_Rhythm = tuple[str, int, int | None, int, date, date | None]


def _rhythm(schedule: MeetingSchedule) -> _Rhythm:
    return (
        str(Frequency(schedule.frequency)),
        schedule.weekday,
        schedule.week_of_month,
        schedule.minute_of_day,
        schedule.starts_on,
        schedule.ends_on,
    )


@functools.lru_cache(maxsize=1024)
def _first_date(rhythm: _Rhythm) -> date | None:
    starts_on = rhythm[4]
    first = next(iter(_rule(rhythm, dtstart=datetime.combine(starts_on, time()))), None)
    return first.date() if first is not None else None


@functools.lru_cache(maxsize=1024)
def _rule_of(rhythm: _Rhythm) -> rrule.rrule:
    first = _first_date(rhythm) or rhythm[4]
    return _rule(rhythm, dtstart=datetime.combine(first, wall_time(rhythm[3])), cache=True)


def _rule(rhythm: _Rhythm, dtstart: datetime, cache: bool = False) -> rrule.rrule:
    frequency, weekday_number, week_of_month, _minute, _starts_on, ends_on = rhythm
    freq, interval = _RRULE_FREQ[Frequency(frequency)]
    weekday = _WEEKDAYS[weekday_number]
    if frequency == Frequency.MONTHLY:
        weekday = weekday(week_of_month or 1)
    until = None
    if ends_on is not None:
        until = datetime.combine(ends_on, time(23, 59, 59))
    return rrule.rrule(
        freq,
        interval=interval,
        byweekday=weekday,
        dtstart=dtstart,
        until=until,
        wkst=rrule.MO,
        cache=cache,
    )


def occurrences(
    schedule: MeetingSchedule,
    changes: Iterable[MeetingChange],
    start: datetime,
    end: datetime,
) -> list[Occurrence]:
    """The schedule's meetings that start in [start, end) (naive UTC), changes applied,
    cancelled ones included (marked), in order."""
    tz = ZoneInfo(schedule.timezone)
    by_date = {change.occurrence_on: change for change in changes}
    # Local bounds, a day wider than any offset, then the exact instants below.
    low = start.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
    high = end.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    found: list[Occurrence] = []
    seen: set[date] = set()
    for local in rule(schedule).between(low, high, inc=True):
        seen.add(local.date())
        found.append(_apply(schedule, tz, local, by_date.get(local.date())))
    # A meeting moved into the window from a date outside it.
    for day, change in by_date.items():
        moved_in = day not in seen and change.moved_to is not None and not change.cancelled
        if moved_in and is_occurrence(schedule, day):
            local = datetime.combine(day, wall_time(schedule.minute_of_day))
            found.append(_apply(schedule, tz, local, change))
    low_utc, high_utc = start, end
    return sorted(
        (o for o in found if low_utc <= o.start_utc < high_utc), key=lambda o: o.start_utc
    )


def _apply(
    schedule: MeetingSchedule, tz: ZoneInfo, local: datetime, change: MeetingChange | None
) -> Occurrence:
    duration = timedelta(minutes=schedule.duration_minutes)
    begins = localize(local, tz)
    place, cancelled, moved, note = schedule.place, False, False, ""
    if change is not None:
        note = change.note or ""
        if change.cancelled:
            cancelled = True
        elif change.moved_to is not None:
            begins, moved = localize(change.moved_to, tz), True
        if change.place is not None:
            place = change.place
    # An exact duration (as iCalendar's DURATION is), not wall-clock arithmetic: a meeting
    # that spans a change of offset still lasts its minutes.
    end = (begins.astimezone(UTC) + duration).astimezone(tz)
    return Occurrence(
        schedule_id=schedule.id,
        original_on=local.date(),
        start=begins,
        end=end,
        mode=MeetingMode(schedule.mode),
        place=place,
        cancelled=cancelled,
        moved=moved,
        note=note,
    )


def is_occurrence(schedule: MeetingSchedule, day: date) -> bool:
    """Whether the schedule has a meeting on that local date."""
    local = datetime.combine(day, wall_time(schedule.minute_of_day))
    return rule(schedule).after(local - timedelta(seconds=1), inc=True) == local


def board_meetings(
    schedules: Sequence[MeetingSchedule],
    changes: Sequence[MeetingChange],
    start: datetime,
    end: datetime,
) -> list[Occurrence]:
    """Every schedule's meetings in [start, end), in order."""
    by_schedule: dict[int, list[MeetingChange]] = {}
    for change in changes:
        by_schedule.setdefault(change.schedule_id, []).append(change)
    found: list[Occurrence] = []
    for schedule in schedules:
        found.extend(occurrences(schedule, by_schedule.get(schedule.id, ()), start, end))
    return sorted(found, key=lambda o: o.start_utc)


def gap_dates(schedule: MeetingSchedule, years: int = 2) -> list[date]:
    """Dates within `years` of the first meeting whose start time a DST gap skips."""
    tz = zone(schedule.timezone)
    if tz is None:
        return []
    first = first_date(schedule)
    if first is None:
        return []
    horizon = datetime.combine(first + timedelta(days=366 * years), time())
    return [
        local.date()
        for local in rule(schedule).between(datetime.combine(first, time()), horizon, inc=True)
        if not exists(local, tz)
    ]
