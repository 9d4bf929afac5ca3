"""Forms shared by several blueprints."""

from flask_wtf import FlaskForm
from wtforms import HiddenField


class EmptyForm(FlaskForm):
    """A POST-only action: carries the CSRF token and nothing else."""


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()
