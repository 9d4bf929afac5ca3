"""Account forms: they validate, they never save."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from ..fields import Text
from ..forms import Form
from ..invitations import codes as invitation_codes
from . import pseudonyms, services

_PSEUDONYM_PROBLEMS = {
    "length": _l(
        "A pseudonym has %(min)d to %(max)d characters.",
        min=pseudonyms.MIN_LENGTH,
        max=pseudonyms.MAX_LENGTH,
    ),
    "characters": _l(
        "Use letters and digits, with single spaces, dashes, dots or underscores between them."
    ),
    "reserved": _l("This pseudonym is reserved. Please choose another one."),
}


class Password:
    def __call__(self, form, field) -> None:  # type: ignore[no-untyped-def]
        value = field.data if isinstance(field.data, str) else ""
        if len(value) < services.PASSWORD_MIN_LENGTH:
            raise ValidationError(
                _l(
                    "Your password needs at least %(limit)d characters.",
                    limit=services.PASSWORD_MIN_LENGTH,
                )
            )
        if len(value) > services.PASSWORD_MAX_LENGTH or "\x00" in value:
            raise ValidationError(_l("This password cannot be used."))


class RegisterForm(Form):
    pseudonym = StringField(_l("Pseudonym"), validators=[Text(200)])
    password = PasswordField(_l("Password"), validators=[Password()])
    password_confirm = PasswordField(
        _l("Confirm the password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )
    accept_charter = BooleanField(
        _l("I have read the charter and I accept it."),
        validators=[DataRequired(message=_l("Please accept the charter to join."))],
    )
    # Optional: a code given at a group's meeting (forum/invitations), typed or from a link.
    invitation = StringField(_l("Invitation code (optional)"))

    def validate_invitation(self, field) -> None:  # type: ignore[no-untyped-def]
        typed = field.data if isinstance(field.data, str) else ""
        if typed.strip() and invitation_codes.normalize(typed) is None:
            raise ValidationError(
                _l(
                    "This is not an invitation code. A code has 8 letters and digits, such as "
                    "ABCD-EF23. You can also leave the field empty to join without it."
                )
            )

    def invitation_code(self) -> str | None:
        """The code given, as stored; None when the field was left empty."""
        return invitation_codes.normalize(self.invitation.data)

    def validate_pseudonym(self, field) -> None:  # type: ignore[no-untyped-def]
        value = pseudonyms.normalize(field.data or "")
        problem = pseudonyms.problem(value)
        if problem == "invisible":
            # Named as typed (NFKC turns U+3164 into U+1160), so the member can find it.
            hidden = pseudonyms.invisible(field.data or "") or pseudonyms.invisible(value)
            raise ValidationError(
                _l(
                    "This pseudonym contains an invisible or formatting character (%(codes)s)"
                    ": it could pass for another name. Use letters and digits, with single "
                    "spaces, dashes, dots or underscores between them.",
                    codes=", ".join(f"U+{ord(c):04X}" for c in hidden[:3]),
                )
            )
        if problem:
            raise ValidationError(_PSEUDONYM_PROBLEMS[problem])
        if services.find_similar(value) is not None:
            raise ValidationError(
                _l("This pseudonym is taken, or too close to an existing one. Try another.")
            )


class LoginForm(Form):
    pseudonym = StringField(_l("Pseudonym"), validators=[Text(200)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Please enter your password."))]
    )
    remember = BooleanField(_l("Stay signed in on this device"))


class PasswordChangeForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Please enter your password."))],
    )
    password = PasswordField(_l("New password"), validators=[Password()])
    password_confirm = PasswordField(
        _l("Confirm the new password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )
