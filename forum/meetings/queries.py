"""Read side of meetings: a board's schedules with their one-off changes, in one query
whatever the number of boards, turned into meetings by forum.meetings.recurrence."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from models import Board, CalendarKey, MeetingChange, MeetingSchedule, User, db, utcnow

from . import recurrence
from .recurrence import Occurrence

UPCOMING = 6
PAST = 12
# A meeting moves by at most this much (further, it is cancelled and another one planned):
# the next meeting is then never more than this after a schedule's end.
MAX_MOVE = timedelta(days=60)
# A first look, wide enough for a monthly meeting or two cancelled weekly ones.
_NEAR = timedelta(days=45)
_LONGEST = timedelta(minutes=recurrence.MAX_DURATION_MINUTES)
# secrets.token_urlsafe(32) gives 43 characters; anything else is no key of ours.
_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass
class BoardMeetings:
    """A board's schedules (oldest first) and the changes made to them."""

    schedules: list[MeetingSchedule] = field(default_factory=list)
    changes: list[MeetingChange] = field(default_factory=list)

    def between(self, start: datetime, end: datetime) -> list[Occurrence]:
        return recurrence.board_meetings(self.schedules, self.changes, start, end)

    @property
    def current(self) -> MeetingSchedule | None:
        """The latest schedule: the one a new rhythm replaces or follows."""
        return self.schedules[-1] if self.schedules else None


def load(board_ids: Iterable[int], since: date | None = None) -> dict[int, BoardMeetings]:
    """Schedules and changes of these boards in one query; with `since`, only the
    schedules that may still have a meeting after that date."""
    ids = sorted(set(board_ids))
    if not ids:
        return {}
    query = (
        select(MeetingSchedule, MeetingChange)
        .outerjoin(MeetingChange, MeetingChange.schedule_id == MeetingSchedule.id)
        .where(MeetingSchedule.board_id.in_(ids))
        .order_by(MeetingSchedule.board_id, MeetingSchedule.starts_on, MeetingSchedule.id)
    )
    if since is not None:
        query = query.where(
            or_(MeetingSchedule.ends_on.is_(None), MeetingSchedule.ends_on >= since)
        )
    found: dict[int, BoardMeetings] = {}
    for schedule, change in db.session.execute(query):
        meetings = found.setdefault(schedule.board_id, BoardMeetings())
        if not meetings.schedules or meetings.schedules[-1] is not schedule:
            meetings.schedules.append(schedule)
        if change is not None:
            meetings.changes.append(change)
    return found


def _next(meetings: BoardMeetings, now: datetime) -> Occurrence | None:
    for ahead in (_NEAR, recurrence.LOOK_AHEAD):
        for meeting in meetings.between(now - _LONGEST, now + ahead):
            if not meeting.cancelled and meeting.end_utc > now:
                return meeting
    return None


def next_meetings(board_ids: Iterable[int], now: datetime | None = None) -> dict[int, Occurrence]:
    """Each board's next meeting (not cancelled; one under way counts), for the boards
    that have one: one query for any number of boards."""
    now = now or utcnow()
    since = (now - MAX_MOVE - timedelta(days=2)).date()
    found = {}
    for board_id, meetings in load(board_ids, since).items():
        meeting = _next(meetings, now)
        if meeting is not None:
            found[board_id] = meeting
    return found


def next_meeting(board: Board, now: datetime | None = None) -> Occurrence | None:
    return next_meetings([board.id], now).get(board.id)


@dataclass
class MeetingsView:
    meetings: BoardMeetings
    upcoming: list[Occurrence]  # soonest first, cancelled ones included
    past: list[Occurrence]  # latest first


def board_view(board: Board, now: datetime | None = None, upcoming: int = UPCOMING) -> MeetingsView:
    """The meetings page: the next ones (one under way included) and the last past ones."""
    now = now or utcnow()
    meetings = load([board.id]).get(board.id, BoardMeetings())
    coming = [
        m for m in meetings.between(now - _LONGEST, now + recurrence.LOOK_AHEAD) if m.end_utc > now
    ]
    past = [m for m in meetings.between(now - recurrence.LOOK_BACK, now) if m.end_utc <= now]
    return MeetingsView(meetings, coming[:upcoming], past[::-1][:PAST])


def held(
    schedule: MeetingSchedule, changes: Iterable[MeetingChange], now: datetime
) -> list[Occurrence]:
    """The schedule's meetings that have begun by now (cancelled ones included: they are
    part of the group's history too)."""
    start = datetime.combine(schedule.starts_on, datetime.min.time()) - timedelta(days=2)
    return recurrence.occurrences(schedule, changes, start, now + timedelta(seconds=1))


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def calendar_key(user: Any, board: Board) -> CalendarKey | None:
    """The member's private link to this board's feed, if they made one."""
    return db.session.scalars(
        select(CalendarKey).where(CalendarKey.user_id == user.id, CalendarKey.board_id == board.id)
    ).first()


def board_of_key(key: str) -> tuple[Board, str | None] | None:
    """The board a private link opens, and its owner's language; None for anything that
    is not a live key. Looked up by digest: the key itself is never stored, and the time
    the lookup takes says nothing about it."""
    if not isinstance(key, str) or not _KEY.match(key):
        return None
    row = db.session.execute(
        select(Board, User.locale)
        .join(CalendarKey, CalendarKey.board_id == Board.id)
        .join(User, User.id == CalendarKey.user_id)
        .where(CalendarKey.digest == digest(key))
    ).first()
    return (row[0], row[1]) if row is not None else None
