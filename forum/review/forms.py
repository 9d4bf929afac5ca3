"""Moderators' forms: they check the shape of what was sent; `moderation.workflow.decisions` decides
whether it is allowed (quorum, own post, stale page...)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, ValidationError

from moderation.workflow.decisions import CHOICES, MUTE_DAYS, NOTE_MAX, REASONS, SANCTIONS

from ..fields import Text, newlines, strip
from ..forms import Form


def _optional_number(field, message) -> None:  # type: ignore[no-untyped-def]
    """Empty → None; digits → int; anything else is an error (never a 500)."""
    value = field.data.strip() if isinstance(field.data, str) else ""
    if not value:
        field.data = None
        return
    if not value.isdigit() or len(value) > 9:
        field.data = None
        raise ValidationError(message)
    field.data = int(value)


class _ItemForm(Form):
    reason = StringField(
        _l("Reason, from the charter"),
        default="",
        filters=[strip],
        validators=[AnyOf(["", *REASONS], message=_l("Please choose a reason from the list."))],
    )
    note = TextAreaField(
        _l("A note for the author"),
        filters=[newlines, strip],
        validators=[Text(NOTE_MAX, required=False)],
        description=_l("Written kindly: the author reads it with the decision."),
    )
    # item.version when the page was shown: a form sent from an older page is stale.
    version = HiddenField()

    def validate_version(self, field) -> None:  # type: ignore[no-untyped-def]
        _optional_number(field, _l("This form is not valid any more: please reload the page."))


class DecideForm(_ItemForm):
    decision = StringField(
        validators=[
            InputRequired(message=_l("Please choose a decision.")),
            AnyOf(CHOICES, message=_l("Please choose one of the decisions offered.")),
        ]
    )


class SanctionForm(_ItemForm):
    kind = StringField(
        validators=[
            InputRequired(message=_l("Please choose a sanction.")),
            AnyOf(SANCTIONS, message=_l("Please choose one of the sanctions offered.")),
        ]
    )
    days = StringField(_l("For how long"))

    def validate_days(self, field) -> None:  # type: ignore[no-untyped-def]
        message = _l("Please choose 1, 7 or 30 days.")
        _optional_number(field, message)
        if self.kind.data == "mute" and field.data not in MUTE_DAYS:
            raise ValidationError(message)
