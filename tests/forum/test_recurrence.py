"""Meetings in time: weekly, fortnightly and monthly schedules across daylight-saving
changes (Europe/Paris and America/Montreal change on different dates), RFC 5545's rule
for times a change skips or repeats, one-off changes, and the end of a schedule.

Pure functions of rows that are never saved: no database here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from forum.meetings import recurrence
from models import Frequency, MeetingChange, MeetingMode, MeetingSchedule

THURSDAY, SUNDAY = 3, 6


def schedule(**fields) -> MeetingSchedule:  # type: ignore[no-untyped-def]
    values = {
        "id": 1,
        "frequency": Frequency.WEEKLY,
        "weekday": THURSDAY,
        "week_of_month": None,
        "minute_of_day": 19 * 60,
        "duration_minutes": 90,
        "timezone": "Europe/Paris",
        "mode": MeetingMode.IN_PERSON,
        "place": "Salle des fêtes",
        "starts_on": date(2027, 3, 1),
        "ends_on": None,
    }
    values.update(fields)
    return MeetingSchedule(**values)


def utc(*args: int) -> datetime:
    return datetime(*args)


def meetings(row: MeetingSchedule, start: datetime, end: datetime, changes=()):  # type: ignore[no-untyped-def]
    return recurrence.occurrences(row, list(changes), start, end)


def test_weekly_at_19_in_paris_keeps_19_across_both_changes_of_offset() -> None:
    found = meetings(schedule(), utc(2027, 3, 1), utc(2027, 11, 30))
    assert {m.start.strftime("%A %H:%M") for m in found} == {"Thursday 19:00"}
    by_day = {m.original_on: m.start_utc for m in found}
    # Summer time begins on Sunday 28 March 2027 and ends on Sunday 31 October 2027.
    assert by_day[date(2027, 3, 25)] == utc(2027, 3, 25, 18)
    assert by_day[date(2027, 4, 1)] == utc(2027, 4, 1, 17)
    assert by_day[date(2027, 10, 28)] == utc(2027, 10, 28, 17)
    assert by_day[date(2027, 11, 4)] == utc(2027, 11, 4, 18)
    gaps = {b.start_utc - a.start_utc for a, b in zip(found, found[1:], strict=False)}
    assert gaps == {timedelta(days=7), timedelta(days=7, hours=-1), timedelta(days=7, hours=1)}


def test_montreal_changes_on_other_dates_and_keeps_its_own_19() -> None:
    row = schedule(timezone="America/Montreal")
    found = meetings(row, utc(2027, 3, 1), utc(2027, 11, 30))
    assert {m.start.strftime("%H:%M") for m in found} == {"19:00"}
    by_day = {m.original_on: m.start_utc for m in found}
    # Montreal moves to summer time on 14 March 2027 and back on 7 November 2027.
    assert by_day[date(2027, 3, 11)] == utc(2027, 3, 12, 0)
    assert by_day[date(2027, 3, 18)] == utc(2027, 3, 18, 23)
    assert by_day[date(2027, 11, 4)] == utc(2027, 11, 4, 23)
    assert by_day[date(2027, 11, 11)] == utc(2027, 11, 12, 0)
    # Between the two changes of March, Paris and Montreal are five hours apart, not six.
    paris = {
        m.original_on: m.start_utc for m in meetings(schedule(), utc(2027, 3, 1), utc(2027, 4, 30))
    }
    assert by_day[date(2027, 3, 18)] - paris[date(2027, 3, 18)] == timedelta(hours=5)
    assert by_day[date(2027, 4, 1)] - paris[date(2027, 4, 1)] == timedelta(hours=6)


def test_every_two_weeks_counts_from_the_first_meeting() -> None:
    row = schedule(frequency=Frequency.BIWEEKLY, starts_on=date(2026, 12, 2))
    found = meetings(row, utc(2026, 12, 1), utc(2027, 2, 1))
    assert [m.original_on for m in found] == [
        date(2026, 12, 3),
        date(2026, 12, 17),
        date(2026, 12, 31),
        date(2027, 1, 14),
        date(2027, 1, 28),
    ]
    assert recurrence.first_date(row) == date(2026, 12, 3)
    assert recurrence.is_occurrence(row, date(2026, 12, 17))
    assert not recurrence.is_occurrence(row, date(2026, 12, 10))


def test_monthly_on_the_last_thursday_and_on_the_second_tuesday() -> None:
    last = schedule(frequency=Frequency.MONTHLY, week_of_month=-1, starts_on=date(2026, 12, 1))
    found = meetings(last, utc(2026, 12, 1), utc(2027, 6, 1))
    assert [m.original_on for m in found] == [
        date(2026, 12, 31),
        date(2027, 1, 28),
        date(2027, 2, 25),
        date(2027, 3, 25),
        date(2027, 4, 29),
        date(2027, 5, 27),
    ]
    second = schedule(
        frequency=Frequency.MONTHLY, week_of_month=2, weekday=1, starts_on=date(2027, 1, 1)
    )
    assert [m.original_on for m in meetings(second, utc(2027, 1, 1), utc(2027, 3, 31))] == [
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
    ]


def test_a_time_the_spring_change_skips_is_read_with_the_offset_before_it() -> None:
    # 02:30 on Sunday 28 March 2027 does not exist in Paris: RFC 5545 makes it 03:30 CEST.
    row = schedule(weekday=SUNDAY, minute_of_day=2 * 60 + 30)
    found = {m.original_on: m for m in meetings(row, utc(2027, 3, 20), utc(2027, 4, 10))}
    skipped = found[date(2027, 3, 28)]
    assert skipped.start_utc == utc(2027, 3, 28, 1, 30)
    assert skipped.start.astimezone(row_zone(row)).strftime("%H:%M") == "03:30"
    assert found[date(2027, 3, 21)].start_utc == utc(2027, 3, 21, 1, 30)
    assert found[date(2027, 4, 4)].start_utc == utc(2027, 4, 4, 0, 30)
    assert recurrence.gap_dates(row) == [date(2027, 3, 28), date(2028, 3, 26)]
    assert not recurrence.exists(datetime(2027, 3, 28, 2, 30), row_zone(row))
    assert recurrence.exists(datetime(2027, 3, 28, 3, 0), row_zone(row))
    assert recurrence.gap_dates(schedule()) == []


def row_zone(row: MeetingSchedule):  # type: ignore[no-untyped-def]
    return recurrence.zone(row.timezone)


def test_a_time_the_autumn_change_repeats_is_its_first_occurrence() -> None:
    # 02:30 on Sunday 31 October 2027 happens twice in Paris: the first time, in summer time.
    row = schedule(weekday=SUNDAY, minute_of_day=2 * 60 + 30, starts_on=date(2027, 10, 1))
    found = {m.original_on: m for m in meetings(row, utc(2027, 10, 20), utc(2027, 11, 10))}
    assert found[date(2027, 10, 31)].start_utc == utc(2027, 10, 31, 0, 30)
    assert found[date(2027, 10, 31)].start.fold == 0
    assert recurrence.gap_dates(row) == [date(2028, 3, 26), date(2029, 3, 25)]  # not 31 Oct


def test_a_meeting_lasts_its_minutes_even_across_a_change_of_offset() -> None:
    row = schedule(weekday=SUNDAY, minute_of_day=90, starts_on=date(2027, 3, 27))
    (meeting,) = meetings(row, utc(2027, 3, 27), utc(2027, 3, 29))
    assert meeting.end_utc - meeting.start_utc == timedelta(minutes=90)
    assert meeting.end.strftime("%H:%M") == "04:00"  # 01:30 CET + 90 min = 04:00 CEST


def test_cancelled_and_moved_meetings() -> None:
    row = schedule(starts_on=date(2027, 1, 1))
    changes = [
        MeetingChange(
            schedule_id=1, occurrence_on=date(2027, 1, 7), cancelled=True, note="Salle fermée"
        ),
        MeetingChange(
            schedule_id=1,
            occurrence_on=date(2027, 1, 14),
            cancelled=False,
            moved_to=datetime(2027, 1, 15, 18, 30),
            place="Chez l'association",
            note="",
        ),
        # Moved into the window from a date outside it.
        MeetingChange(
            schedule_id=1,
            occurrence_on=date(2027, 2, 4),
            cancelled=False,
            moved_to=datetime(2027, 1, 30, 10, 0),
            place=None,
            note="",
        ),
    ]
    found = meetings(row, utc(2027, 1, 1), utc(2027, 2, 1), changes)
    assert [(m.original_on, m.cancelled, m.moved) for m in found] == [
        (date(2027, 1, 7), True, False),
        (date(2027, 1, 14), False, True),
        (date(2027, 1, 21), False, False),
        (date(2027, 1, 28), False, False),
        (date(2027, 2, 4), False, True),
    ]
    cancelled, moved = found[0], found[1]
    assert cancelled.note == "Salle fermée"
    assert moved.start_utc == utc(2027, 1, 15, 17, 30)
    assert moved.place == "Chez l'association"
    assert found[4].start_utc == utc(2027, 1, 30, 9) and found[4].place == "Salle des fêtes"
    # Moved out of the window: the meeting of 14 January is gone from the 14th.
    assert [m.original_on for m in meetings(row, utc(2027, 1, 14), utc(2027, 1, 15), changes)] == []


def test_a_schedule_ends_on_its_last_date() -> None:
    row = schedule(starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 21))
    found = meetings(row, utc(2026, 12, 1), utc(2028, 1, 1))
    assert [m.original_on for m in found] == [
        date(2027, 1, 7),
        date(2027, 1, 14),
        date(2027, 1, 21),
    ]
    assert not recurrence.is_occurrence(row, date(2027, 1, 28))
    # A start and an end with no Thursday between them: no meeting at all.
    empty = schedule(starts_on=date(2027, 1, 8), ends_on=date(2027, 1, 13))
    assert recurrence.first_date(empty) is None
    assert meetings(empty, utc(2027, 1, 1), utc(2027, 2, 1)) == []


def test_zones_are_exact_iana_names() -> None:
    assert recurrence.zone("Europe/Paris") is not None
    assert recurrence.zone("America/Montreal") is not None
    for name in ("Europe/Pariss", "../../etc/passwd", "", "x" * 500, "europe/paris", "Paris"):
        assert recurrence.zone(name) is None, name
    assert datetime(2027, 1, 1, tzinfo=UTC).astimezone(recurrence.zone("Europe/Paris")).hour == 1
