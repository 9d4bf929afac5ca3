"""A board's group rhythm: its meetings, the threads between them, invitations handed out
at a meeting, private calendar links and the facilitators' hand-over notes.

Times: a schedule holds wall-clock values (a weekday, a time of day, an IANA time zone),
because a group meets "every Thursday at 19 h" in its own town whatever the offset from UTC
does; occurrences are computed from them (forum.meetings.recurrence). Instants that are
compared with "now" (a meeting's start in `BetweenThread`, expiries) are naive UTC, like
every other timestamp of the model.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow
from .post import _enum


class Frequency(enum.StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"  # every two weeks, from the first meeting
    MONTHLY = "monthly"  # the Nth weekday of each month (or the last one)


class MeetingMode(enum.StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"


class MeetingSchedule(Base):
    """A recurring meeting of a board, from `starts_on` until `ends_on` (or for good).

    Changing the rhythm ends the current schedule the day before the change and starts a
    new one, so that past meetings stay listed as they were."""

    __tablename__ = "meeting_schedules"
    __table_args__ = (Index("ix_meeting_schedules_board", "board_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    frequency: Mapped[Frequency] = mapped_column(_enum(Frequency, "meeting_frequency"))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday ... 6 = Sunday
    # MONTHLY only: 1 to 4, or -1 for the last such weekday of the month.
    week_of_month: Mapped[int | None] = mapped_column(Integer)
    minute_of_day: Mapped[int] = mapped_column(Integer)  # local wall-clock start, 0-1439
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name, e.g. Europe/Paris
    mode: Mapped[MeetingMode] = mapped_column(_enum(MeetingMode, "meeting_mode"))
    # Where (an address, a room, a video link): shown to members only, never in public feeds.
    place: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)  # the first meeting is on or after it
    ends_on: Mapped[date | None] = mapped_column(Date)  # the last meeting is on or before it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingChange(Base):
    """A one-off change to one meeting of a schedule: cancelled, or moved to another time
    (and maybe another place)."""

    __tablename__ = "meeting_changes"
    __table_args__ = (UniqueConstraint("schedule_id", "occurrence_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("meeting_schedules.id", ondelete="CASCADE"))
    # The local date the meeting would have been on (its RECURRENCE-ID).
    occurrence_on: Mapped[date] = mapped_column(Date)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Moved: the new local wall-clock start, in the schedule's time zone.
    moved_to: Mapped[datetime | None] = mapped_column()
    place: Mapped[str | None] = mapped_column(Text)  # None: the schedule's place
    note: Mapped[str] = mapped_column(String(200), default="")  # shown to everyone
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BetweenThread(Base):
    """The "Entre deux rencontres" thread opened after a board's meeting. The primary key
    makes it once per meeting, whichever process (web worker, job, first visit) gets there
    first."""

    __tablename__ = "between_threads"

    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_at: Mapped[datetime] = mapped_column(primary_key=True)  # UTC start
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), unique=True
    )
    next_meeting_at: Mapped[datetime | None] = mapped_column()  # UTC start, if known
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invitation(Base):
    """Lets a few people sign up past the per-network limit (a meeting room's wifi). Never
    linked to the accounts made with it: only a count of uses."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_board", "board_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    # The short code, without separators (the page shows it as XXXX-XXXX).
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class CalendarKey(Base):
    """A member's private, revocable link to one board's meeting feed (with the place).
    Only a digest of the key is stored."""

    __tablename__ = "calendar_keys"
    __table_args__ = (UniqueConstraint("user_id", "board_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FacilitatorNote(Base):
    """A board's moderators' private note for the next meeting. Erased after the board's
    `notes_retention_days`."""

    __tablename__ = "facilitator_notes"
    __table_args__ = (Index("ix_facilitator_notes_board", "board_id", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
