"""Following forms: they validate, they never save."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import AnyOf

from ..forms import Form

MODES = ("follow", "mute", "none")


class FollowForm(Form):
    """Follow, mute, or neither: the button pressed carries the mode."""

    mode = StringField(validators=[AnyOf(MODES, message=_l("Choose to follow or to mute."))])
