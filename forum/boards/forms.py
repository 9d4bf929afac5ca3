"""Posting forms: they validate, they never save."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, ValidationError

from models import ReactionKind
from moderation.workflow.reports import NOTE_MAX as REPORT_NOTE_MAX
from moderation.workflow.reports import REASONS as REPORT_REASONS

from ..fields import Text, newlines, strip
from ..forms import Form

TITLE_MAX = 200
BODY_MAX = 20_000
CONTENT_WARNING_MAX = 120
MAX_ID = 2**31 - 1


class _Composer(Form):
    body = TextAreaField(_l("Your message"), filters=[newlines], validators=[Text(BODY_MAX)])
    content_warning = StringField(
        _l("Content warning (optional)"),
        filters=[strip],
        validators=[Text(CONTENT_WARNING_MAX, required=False)],
        description=_l(
            "A few words, e.g. “mention of suicide”: readers open the message on purpose."
        ),
    )
    confirm = BooleanField(_l("Post anyway"))
    # The author's own choice, shown as a gentle mark and gathered on the board's page of
    # small victories (forum.boards.victories).
    victory = BooleanField(
        _l("This is a small victory"),
        description=_l("It will also appear among the board's small victories."),
    )
    # The member's own draft this submission continues (after a nudge or a warning).
    draft = HiddenField()

    def validate_draft(self, field) -> None:  # type: ignore[no-untyped-def]
        value = field.data.strip() if isinstance(field.data, str) else ""
        field.data = int(value) if value.isdigit() and len(value) <= 10 else None


class ThreadForm(_Composer):
    title = StringField(_l("Title"), filters=[strip], validators=[Text(TITLE_MAX)])


class ReplyForm(_Composer):
    parent_id = HiddenField()

    def validate_parent_id(self, field) -> None:  # type: ignore[no-untyped-def]
        value = field.data.strip() if isinstance(field.data, str) else ""
        if not value:
            field.data = None
            return
        if not value.isdigit() or len(value) > 10 or not 0 < int(value) <= MAX_ID:
            field.data = None
            raise ValidationError(_l("The message you answer could not be found."))
        field.data = int(value)


class EditForm(_Composer):
    # Only used when the post is a thread's first post.
    title = StringField(_l("Title"), filters=[strip], validators=[Text(TITLE_MAX, required=False)])


class ReactForm(Form):
    kind = HiddenField(
        validators=[AnyOf([k.value for k in ReactionKind], message=_l("Unknown reaction."))]
    )


class VictoryForm(Form):
    """Marks or unmarks the author's post: `on` is "1" or "0"; absent, it toggles."""

    on = HiddenField(
        default="",
        filters=[strip],
        validators=[AnyOf(["", "0", "1"], message=_l("Unknown choice."))],
    )


class ReportForm(Form):
    reason = HiddenField(validators=[AnyOf(REPORT_REASONS, message=_l("Choose a reason."))])
    note = TextAreaField(filters=[newlines], validators=[Text(REPORT_NOTE_MAX, required=False)])
