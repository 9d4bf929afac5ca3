"""The form a moderator fills in to create an invitation: how many people, how long."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import AnyOf, ValidationError

from ..forms import Form
from . import services

_WHOLE = re.compile(r"[0-9]{1,3}")
HOUR_CHOICES = {
    2: _l("2 hours: the time of the meeting"),
    8: _l("8 hours: the rest of the day"),
    24: _l("24 hours"),
}


class InvitationForm(Form):
    uses = StringField(_l("How many people can join with it"), default=str(services.DEFAULT_USES))
    hours = StringField(
        _l("It works for"),
        default=str(services.DEFAULT_HOURS),
        validators=[
            AnyOf(
                [str(h) for h in services.VALIDITY_HOURS],
                message=_l("Please choose one of the options offered."),
            )
        ],
    )

    def validate_uses(self, field) -> None:  # type: ignore[no-untyped-def]
        low, high = services.USES
        value = field.data.strip() if isinstance(field.data, str) else ""
        if not _WHOLE.fullmatch(value) or not low <= int(value) <= high:
            raise ValidationError(
                _l("Please enter a whole number from %(low)d to %(high)d.", low=low, high=high)
            )

    def max_uses(self) -> int:
        return int(self.uses.data.strip())

    def validity_hours(self) -> int:
        return int(self.hours.data)
