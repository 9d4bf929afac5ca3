"""Shared form validators and filters for member-written text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from moderation.rules import normalise


def newlines(value: str | None) -> str | None:
    """Browsers send CRLF; store LF so text comes back as typed."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class Text:
    """Required-or-optional text with a length range counted in characters.

    NUL characters are refused: no database can store them faithfully. A text that shows
    nothing (only zero-width, format, filler or control characters and spaces) is refused
    like an empty one, even when the field is optional: it would post a blank.
    """

    def __init__(self, max_length: int, *, min_length: int = 1, required: bool = True) -> None:
        self.max_length = max_length
        self.min_length = min_length
        self.required = required

    def __call__(self, form, field) -> None:  # type: ignore[no-untyped-def]
        value = field.data if isinstance(field.data, str) else ""
        if "\x00" in value:
            raise ValidationError(_l("This text contains an invalid character."))
        if not value.strip():
            if self.required:
                raise ValidationError(_l("This field cannot be empty."))
            return
        if not normalise.visible(value):
            raise ValidationError(
                _l(
                    "This text holds only invisible characters (such as zero-width spaces): "
                    "readers would see nothing. Please write something."
                )
            )
        if len(value) > self.max_length:
            raise ValidationError(
                _l(
                    "This text is too long: %(length)d characters, the limit is %(limit)d.",
                    length=len(value),
                    limit=self.max_length,
                )
            )
        if len(value.strip()) < self.min_length:
            raise ValidationError(
                _l("Please write at least %(limit)d characters.", limit=self.min_length)
            )
