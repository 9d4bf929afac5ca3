"""Forms shared by several blueprints."""

from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

_SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Form(FlaskForm):
    """Base of every form: reads only text fields of the request body.

    Flask-WTF also feeds uploaded files and JSON bodies into the form; our forms take text
    only: a JSON body is no form at all, and a request carrying files is refused whole.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args and "formdata" not in kwargs:
            kwargs["formdata"] = request.form if request.method in _SUBMIT_METHODS else None
        super().__init__(*args, **kwargs)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if request.files:
            self.form_errors.append(_l("Files cannot be sent here: please write your text."))
            return False
        return valid


class EmptyForm(Form):
    """A POST-only action: carries the CSRF token and nothing else."""
