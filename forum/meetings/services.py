"""Write side of meetings: schedules, one-off changes and private calendar links. Each
function owns its transaction: everything it writes is committed together, or nothing.

Writes on one board's meetings take the board's row lock first (PostgreSQL; SQLite
serialises writers already), so two moderators saving at once cannot, say, both add the
hundredth change.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from models import Board, CalendarKey, MeetingChange, MeetingSchedule, User, db, utcnow

from . import queries, recurrence
from .queries import BoardMeetings

# What a schedule is made of; all but the rhythm can change without touching the past.
RHYTHM = ("frequency", "weekday", "week_of_month", "minute_of_day", "timezone")
DETAILS = ("duration_minutes", "mode", "place", "ends_on")


class Refused(Exception):
    """A change that cannot be made; `reason` names it, `day` is the date it is about."""

    def __init__(self, reason: str, day: date | None = None, zone: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.day = day
        self.zone = zone


def _lock(board: Board) -> BoardMeetings:
    db.session.execute(select(Board.id).where(Board.id == board.id).with_for_update())
    return queries.load([board.id]).get(board.id, BoardMeetings())


def _last_held_on(meetings: BoardMeetings, schedule: MeetingSchedule, now: datetime) -> date | None:
    held = queries.held(schedule, _changes_of(meetings, schedule), now)
    return max((m.original_on for m in held), default=None)


def _changes_of(meetings: BoardMeetings, schedule: MeetingSchedule) -> list[MeetingChange]:
    return [c for c in meetings.changes if c.schedule_id == schedule.id]


def _drop_stale_changes(meetings: BoardMeetings, schedule: MeetingSchedule) -> None:
    """Changes to dates that are no meeting of the schedule any more."""
    for change in _changes_of(meetings, schedule):
        if not recurrence.is_occurrence(schedule, change.occurrence_on):
            db.session.delete(change)


def _same_rhythm(current: MeetingSchedule, new: MeetingSchedule) -> bool:
    """Same meetings from the new first date on: only details change."""
    if any(getattr(current, name) != getattr(new, name) for name in RHYTHM):
        return False
    first = recurrence.first_date(new)
    return new.starts_on == current.starts_on or (
        first is not None and recurrence.is_occurrence(current, first)
    )


def save_schedule(
    board: Board, new: MeetingSchedule, now: datetime | None = None
) -> MeetingSchedule:
    """Set the board's rhythm from `new` (a transient row the form filled in).

    A schedule with no meeting held yet is simply replaced. One whose meetings have begun
    keeps them: its details (duration, mode, place, end) change in place, and a new rhythm
    ends it the day before the new first meeting, in a new row."""
    now = now or utcnow()
    try:
        meetings = _lock(board)
        current = meetings.current
        first = recurrence.first_date(new)
        if first is None:
            raise Refused("no_meeting")
        held_on = _last_held_on(meetings, current, now) if current is not None else None
        if current is not None and held_on is None:
            # Not begun: replaced. The rhythm before it (if any) ends the day before.
            if len(meetings.schedules) > 1:
                previous = meetings.schedules[-2]
                previous_held = _last_held_on(meetings, previous, now)
                if previous_held is not None and first <= previous_held:
                    raise Refused("before_last_meeting", previous_held)
                _end(meetings, previous, first - timedelta(days=1))
            for name in (*RHYTHM, *DETAILS, "starts_on"):
                setattr(current, name, getattr(new, name))
            _drop_stale_changes(meetings, current)
            saved = current
        elif current is not None and _same_rhythm(current, new):
            if new.ends_on is not None and held_on is not None and new.ends_on < held_on:
                raise Refused("end_before_held", held_on)
            for name in DETAILS:
                setattr(current, name, getattr(new, name))
            _drop_stale_changes(meetings, current)
            saved = current
        else:
            if held_on is not None and first <= held_on:
                raise Refused("before_last_meeting", held_on)
            if current is not None:
                _end(meetings, current, first - timedelta(days=1))
            new.board_id = board.id
            db.session.add(new)
            saved = new
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return saved


def _end(meetings: BoardMeetings, schedule: MeetingSchedule, last: date) -> None:
    if schedule.ends_on is None or schedule.ends_on > last:
        schedule.ends_on = last
        _drop_stale_changes(meetings, schedule)


def stop(board: Board, now: datetime | None = None) -> bool:
    """No meeting after now: schedules not begun are deleted, the others end with their
    last meeting held (which stays listed). False when nothing was planned."""
    now = now or utcnow()
    try:
        meetings = _lock(board)
        stopped = False
        for schedule in meetings.schedules:
            held_on = _last_held_on(meetings, schedule, now)
            if held_on is None:
                db.session.delete(schedule)
                stopped = True
            elif schedule.ends_on is None or schedule.ends_on > held_on:
                _end(meetings, schedule, held_on)
                stopped = True
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return stopped


@dataclass(frozen=True)
class Change:
    """A one-off change asked for: cancel the meeting of `day`, or move it to `moved_to`
    (local wall-clock time), maybe to another place; with a short note."""

    day: date
    cancelled: bool
    moved_to: datetime | None = None
    place: str | None = None
    note: str = ""


def _schedule_on(meetings: BoardMeetings, day: date) -> MeetingSchedule | None:
    return next((s for s in meetings.schedules if recurrence.is_occurrence(s, day)), None)


def change_meeting(board: Board, change: Change, now: datetime | None = None) -> MeetingChange:
    """Cancel or move one meeting still to come. At most MAX_CHANGES_PER_SCHEDULE changes
    per schedule: the next one is refused and nothing is written."""
    now = now or utcnow()
    try:
        meetings = _lock(board)
        schedule = _schedule_on(meetings, change.day)
        if schedule is None:
            raise Refused("not_a_meeting", change.day)
        tz = recurrence.zone(schedule.timezone)
        if tz is None:
            raise Refused("not_a_meeting", change.day)
        today = now.replace(tzinfo=UTC).astimezone(tz).date()
        if change.day < today:
            raise Refused("past", change.day)
        if change.moved_to is not None:
            if not recurrence.exists(change.moved_to, tz):
                raise Refused("gap", change.moved_to.date(), schedule.timezone)
            if abs(change.moved_to.date() - change.day) > queries.MAX_MOVE:
                raise Refused("too_far", change.day)
            moved_at = recurrence.localize(change.moved_to, tz)
            if moved_at.astimezone(UTC).replace(tzinfo=None) <= now:
                raise Refused("moved_to_past", change.moved_to.date())
        row = next(
            (c for c in _changes_of(meetings, schedule) if c.occurrence_on == change.day), None
        )
        if row is None:
            count = db.session.scalar(
                select(func.count())
                .select_from(MeetingChange)
                .where(MeetingChange.schedule_id == schedule.id)
            )
            if (count or 0) >= recurrence.MAX_CHANGES_PER_SCHEDULE:
                raise Refused("too_many")
            row = MeetingChange(schedule_id=schedule.id, occurrence_on=change.day)
            db.session.add(row)
        row.cancelled = change.cancelled
        row.moved_to = None if change.cancelled else change.moved_to
        row.place = None if change.cancelled else change.place
        row.note = change.note
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return row


def undo_change(board: Board, day: date) -> bool:
    """The meeting of that date as the schedule has it again. False when it had no change."""
    try:
        meetings = _lock(board)
        found = [c for c in meetings.changes if c.occurrence_on == day]
        for change in found:
            db.session.delete(change)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return bool(found)


def new_calendar_key(user: User, board: Board) -> str:
    """A new private link to the board's feed for this member; the one they had stops
    working. Returns the key, which is not stored (only its digest is)."""
    try:
        return _replace_key(user, board)
    except IntegrityError:
        # Another request of the same member got there first: replace theirs.
        return _replace_key(user, board)


def _replace_key(user: User, board: Board) -> str:
    key = secrets.token_urlsafe(32)
    try:
        db.session.execute(
            delete(CalendarKey).where(
                CalendarKey.user_id == user.id, CalendarKey.board_id == board.id
            )
        )
        db.session.add(CalendarKey(user_id=user.id, board_id=board.id, digest=queries.digest(key)))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return key


def revoke_calendar_key(user: User, board: Board) -> bool:
    try:
        result = db.session.execute(
            delete(CalendarKey).where(
                CalendarKey.user_id == user.id, CalendarKey.board_id == board.id
            )
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return bool(result.rowcount)
