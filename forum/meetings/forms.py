"""The schedule and one-off change forms. They read text (a browser without a date picker
sends what was typed), refuse what cannot be a meeting with a message that says why, and
build the transient rows the services save; they never save."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, ValidationError

from models import Frequency, MeetingMode, MeetingSchedule, utcnow

from ..fields import Text, newlines, strip
from ..forms import Form
from . import display, recurrence

PLACE_LENGTH = 500
NOTE_LENGTH = 200
DEFAULT_ZONE = "Europe/Paris"
# A first date at most this far back (earlier meetings were never on the site) or ahead.
MAX_PAST = timedelta(days=366)
MAX_AHEAD = timedelta(days=2 * 366)
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_FR = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_TIME = re.compile(r"^(\d{1,2})(?:\s*[:hH.]\s*(\d{2})?)?$")
_MINUTES = re.compile(r"^\d{1,4}$")
_FREQUENCIES = [f.value for f in Frequency]
_MODES = [m.value for m in MeetingMode]


def parse_date(text: Any) -> date:
    """ "2026-12-11" (what a date picker sends) or "11/12/2026"; a ValidationError that
    says why otherwise."""
    value = text.strip() if isinstance(text, str) else ""
    match = _DATE_ISO.match(value) if len(value) <= 10 else None
    if match is not None:
        year, month, day = (int(part) for part in match.groups())
    elif (match := _DATE_FR.match(value) if len(value) <= 10 else None) is not None:
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValidationError(_("Please enter a date such as 2026-12-11."))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(
            _("This date does not exist (there is no 30 February, for example).")
        ) from None


def parse_time(text: Any) -> int:
    """ "19:30", "19h30", "19 h": minutes after midnight."""
    value = text.strip() if isinstance(text, str) else ""
    match = _TIME.match(value) if len(value) <= 10 else None
    if match is None:
        raise ValidationError(_("Please enter a time such as 19:30."))
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        raise ValidationError(_("This time does not exist: hours go up to 23, minutes to 59."))
    return hours * 60 + minutes


def gap_message(moment: datetime, zone: str) -> str:
    """ "Le 28 mars 2027, 2 h 30 n'existe pas à Paris (passage à l'heure d'été)"."""
    return _(
        "On %(date)s, %(time)s does not exist in %(city)s: the clocks go forward then. "
        "Please choose another time.",
        date=display.day(moment.date()),
        time=display.clock(moment.hour * 60 + moment.minute),
        city=display.zone_city(zone),
    )


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class ScheduleForm(Form):
    frequency = SelectField(
        _l("How often"),
        validate_choice=False,
        validators=[AnyOf(_FREQUENCIES, message=_l("Please choose one of the options offered."))],
    )
    week_of_month = SelectField(
        _l("Which week of the month"),
        validate_choice=False,
        description=_l("Only for a monthly meeting."),
        validators=[
            AnyOf(
                ["1", "2", "3", "4", "-1"], message=_l("Please choose one of the options offered.")
            )
        ],
    )
    weekday = SelectField(
        _l("Day"),
        validate_choice=False,
        validators=[
            AnyOf(
                [str(n) for n in range(7)], message=_l("Please choose one of the options offered.")
            )
        ],
    )
    time = StringField(_l("Time"), filters=[strip])
    duration = StringField(_l("Duration, in minutes"), filters=[strip], default="90")
    timezone = SelectField(_l("Time zone"), validate_choice=False, default=DEFAULT_ZONE)
    mode = RadioField(
        _l("The meeting is"),
        validate_choice=False,
        default=MeetingMode.IN_PERSON.value,
        validators=[AnyOf(_MODES, message=_l("Please choose one of the options offered."))],
    )
    place = TextAreaField(
        _l("Place or video link (members only)"),
        filters=[newlines, strip],
        validators=[Text(PLACE_LENGTH, required=False)],
        description=_l(
            "Shown to signed-in members only, never to visitors nor in the public calendar."
        ),
    )
    starts_on = StringField(_l("First date"), filters=[strip])
    ends_on = StringField(
        _l("Last date (optional)"),
        filters=[strip],
        description=_l(
            "Leave it blank for meetings that go on; at most 10 years after the first date."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frequency.choices = [(f.value, str(display.FREQUENCIES[f])) for f in Frequency]
        self.week_of_month.choices = [
            (str(n), str(label)) for n, label in display.WEEKS_OF_MONTH.items()
        ]
        self.weekday.choices = display.weekday_names()
        self.timezone.choices = display.zone_choices()
        self.mode.choices = [(m.value, str(display.MODES[m]).capitalize()) for m in MeetingMode]
        self.schedule: MeetingSchedule | None = None

    def validate_time(self, field: Any) -> None:
        field.minute_of_day = parse_time(field.data)

    def validate_duration(self, field: Any) -> None:
        value = field.data if isinstance(field.data, str) else ""
        low, high = 15, recurrence.MAX_DURATION_MINUTES
        if not _MINUTES.match(value) or not low <= int(value) <= high:
            raise ValidationError(
                _("Please enter a number of minutes from %(low)d to %(high)d.", low=low, high=high)
            )

    def validate_timezone(self, field: Any) -> None:
        if recurrence.zone(field.data if isinstance(field.data, str) else "") is None:
            raise ValidationError(
                _("This time zone does not exist. Please choose one from the list.")
            )

    def validate_starts_on(self, field: Any) -> None:
        field.day = parse_date(field.data)
        today = utcnow().date()
        if not today - MAX_PAST <= field.day <= today + MAX_AHEAD:
            raise ValidationError(
                _("Please choose a first date between a year ago and two years from now.")
            )

    def validate_ends_on(self, field: Any) -> None:
        field.day = parse_date(field.data) if field.data else None

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        start, end = self.starts_on.day, self.ends_on.day
        if end is not None and end < start:
            self.ends_on.errors.append(_("The last date comes before the first one."))
            return False
        if end is not None and end > add_years(start, recurrence.MAX_YEARS):
            self.ends_on.errors.append(
                _(
                    "The last date can be at most %(years)d years after the first one.",
                    years=recurrence.MAX_YEARS,
                )
            )
            return False
        schedule = self.build()
        if recurrence.first_date(schedule) is None:
            self.ends_on.errors.append(_("No meeting falls between the first and the last date."))
            return False
        gaps = recurrence.gap_dates(schedule)
        if gaps:
            moment = datetime.combine(gaps[0], recurrence.wall_time(schedule.minute_of_day))
            self.time.errors.append(gap_message(moment, schedule.timezone))
            return False
        self.schedule = schedule
        return True

    def build(self) -> MeetingSchedule:
        """A transient row (never added to the session here)."""
        frequency = Frequency(self.frequency.data)
        return MeetingSchedule(
            frequency=frequency,
            weekday=int(self.weekday.data),
            week_of_month=int(self.week_of_month.data) if frequency == Frequency.MONTHLY else None,
            minute_of_day=self.time.minute_of_day,
            duration_minutes=int(self.duration.data),
            timezone=self.timezone.data,
            mode=MeetingMode(self.mode.data),
            place=self.place.data or "",
            starts_on=self.starts_on.day,
            ends_on=self.ends_on.day,
        )

    def fill(self, schedule: MeetingSchedule, starts_on: date) -> None:
        self.frequency.data = str(schedule.frequency)
        self.week_of_month.data = str(schedule.week_of_month or 1)
        self.weekday.data = str(schedule.weekday)
        self.time.data = recurrence.wall_time(schedule.minute_of_day).strftime("%H:%M")
        self.duration.data = str(schedule.duration_minutes)
        self.timezone.data = schedule.timezone
        self.mode.data = str(schedule.mode)
        self.place.data = schedule.place
        self.starts_on.data = starts_on.isoformat()
        self.ends_on.data = schedule.ends_on.isoformat() if schedule.ends_on else ""


class ChangeForm(Form):
    """Cancel or move one meeting."""

    day = StringField(_l("Date of the meeting to change"), filters=[strip])
    action = RadioField(
        _l("What happens to it"),
        validate_choice=False,
        default="cancel",
        validators=[
            AnyOf(["cancel", "move"], message=_l("Please choose one of the options offered."))
        ],
    )
    moved_on = StringField(_l("New date"), filters=[strip])
    moved_at = StringField(_l("New time"), filters=[strip])
    place = TextAreaField(
        _l("Another place or video link (optional, members only)"),
        filters=[newlines, strip],
        validators=[Text(PLACE_LENGTH, required=False)],
    )
    note = StringField(
        _l("A short note (optional, shown to everyone)"),
        filters=[strip],
        validators=[Text(NOTE_LENGTH, required=False)],
        description=_l("For example: “the room is closed for the holidays”. No names, please."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = [("cancel", _("Cancel it")), ("move", _("Move it"))]

    def validate_day(self, field: Any) -> None:
        field.day = parse_date(field.data)

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.moved_to: datetime | None = None
        if self.action.data == "move":
            try:
                moved_on = parse_date(self.moved_on.data)
            except ValidationError as error:
                self.moved_on.errors.append(str(error))
                return False
            try:
                minute = parse_time(self.moved_at.data)
            except ValidationError as error:
                self.moved_at.errors.append(str(error))
                return False
            self.moved_to = datetime.combine(moved_on, time(minute // 60, minute % 60))
        return True


class UndoForm(Form):
    day = HiddenField()

    def validate_day(self, field: Any) -> None:
        field.day = parse_date(field.data)
