"""A board's moderation settings, for site admins: quorum, newcomers' held posts, what
happens when the scorer fails, the report threshold and per-label thresholds."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import BooleanField, StringField
from wtforms.validators import AnyOf, ValidationError

from models import Board, db
from moderation.settings import DEFAULT_THRESHOLDS, FALLBACKS, LABELS, LEVELS
from moderation.workflow import board_settings

from ..forms import Form
from . import bp

_WHOLE = re.compile(r"^\d{1,3}$")
# A decimal number as typed in English or French: "0.7", "0,7", "2".
_DECIMAL = re.compile(r"^\d{1,3}(?:[.,]\d{1,6})?$")


def _number(field: Any, pattern: re.Pattern[str], low: float, high: float, message: Any) -> None:
    """Text → number within [low, high], or a validation error (never a 500)."""
    value = field.data.strip() if isinstance(field.data, str) else ""
    if not pattern.match(value):
        field.data = None
        raise ValidationError(message)
    number = float(value.replace(",", "."))
    if not low <= number <= high:
        field.data = None
        raise ValidationError(message)
    field.data = int(number) if pattern is _WHOLE else number


FALLBACK_LABELS = {
    "hold": _l("hold new posts until a moderator reads them"),
    "publish_and_queue": _l("publish them, and queue them for a moderator"),
}


def threshold_field(level: str, label: str) -> str:
    return f"{level}_{label}"


class SettingsForm(Form):
    quorum = StringField(_l("Quorum"))
    new_member_holds = StringField(_l("Newcomers' first posts held for review"))
    fallback = StringField(
        _l("When the automatic check is unavailable"),
        validators=[AnyOf(FALLBACKS, message=_l("Please choose one of the options offered."))],
    )
    report_threshold = StringField(_l("Report weight that hides a post"))
    noindex = BooleanField(_l("Ask search engines not to index this board"))

    def validate_quorum(self, field) -> None:  # type: ignore[no-untyped-def]
        low, high = board_settings.QUORUM
        message = _l("Please enter a whole number from %(low)d to %(high)d.", low=low, high=high)
        _number(field, _WHOLE, low, high, message)

    def validate_new_member_holds(self, field) -> None:  # type: ignore[no-untyped-def]
        low, high = board_settings.NEW_MEMBER_HOLDS
        message = _l("Please enter a whole number from %(low)d to %(high)d.", low=low, high=high)
        _number(field, _WHOLE, low, high, message)

    def validate_report_threshold(self, field) -> None:  # type: ignore[no-untyped-def]
        low, high = board_settings.REPORT_THRESHOLD
        message = _l(
            "Please enter a number from %(low)s to %(high)s.", low=f"{low:g}", high=f"{high:g}"
        )
        _number(field, _DECIMAL, low, high, message)

    def threshold_fields(self) -> list[tuple[str, list[tuple[str, Any, float]]]]:
        """Rows for the template: label, then (level, field, default) per level."""
        return [
            (
                label,
                [
                    (level, self[threshold_field(level, label)], DEFAULT_THRESHOLDS[level][label])
                    for level in LEVELS
                ],
            )
            for label in LABELS
        ]

    def overrides(self) -> dict[str, dict[str, float]]:
        """The thresholds typed in (blank fields keep the default)."""
        out: dict[str, dict[str, float]] = {}
        for level in LEVELS:
            for label in LABELS:
                value = self[threshold_field(level, label)].data
                if isinstance(value, float):
                    out.setdefault(level, {})[label] = value
        return out


def _validate_threshold(form: Form, field: Any) -> None:
    if not (field.data.strip() if isinstance(field.data, str) else ""):
        field.data = None  # blank: the default
        return
    _number(field, _DECIMAL, 0.0, 1.0, _l("Please enter a number from 0 to 1, or leave it blank."))


for _level in LEVELS:
    for _label in LABELS:
        setattr(
            SettingsForm,
            threshold_field(_level, _label),
            StringField(f"{_level} {_label}", validators=[_validate_threshold]),
        )


def _fill(form: SettingsForm, board: Board) -> None:
    form.quorum.data = str(board.quorum)
    form.new_member_holds.data = str(board.new_member_holds)
    form.fallback.data = board.fallback
    form.report_threshold.data = f"{board.report_threshold:g}"
    form.noindex.data = board.noindex
    for level, values in board_settings.overrides(board).items():
        for label, value in values.items():
            form[threshold_field(level, label)].data = f"{value:g}"


def _render(form: SettingsForm, board: Board) -> str:
    return render_template(
        "review/settings.html", form=form, board=board, fallbacks=FALLBACK_LABELS
    )


@bp.route("/moderation/boards/<slug>/settings", methods=["GET", "POST"])
@login_required
def board_settings_page(slug: str):  # type: ignore[no-untyped-def]
    if not current_user.is_admin:
        abort(403)
    board = db.one_or_404(select(Board).where(Board.slug == slug))
    form = SettingsForm()
    if not form.is_submitted():
        _fill(form, board)
        return _render(form, board)
    if form.validate():
        changes = board_settings.Changes(
            quorum=form.quorum.data,
            new_member_holds=form.new_member_holds.data,
            fallback=form.fallback.data,
            report_threshold=form.report_threshold.data,
            noindex=bool(form.noindex.data),
            thresholds=form.overrides(),
            replace_thresholds=True,
        )
        try:
            board_settings.change(board, changes)
        except board_settings.InvalidSettings as error:
            db.session.rollback()
            form.form_errors.append(
                _(
                    "These thresholds do not fit together: for each label, queue must be at "
                    "most nudge, and nudge at most hold (blank fields take the default). "
                    "Nothing was saved. Detail: %(detail)s",
                    detail=str(error),
                )
            )
        else:
            flash(_("The moderation settings of this board are saved."), "info")
            return redirect(url_for("review.board_settings_page", slug=board.slug))
    return _render(form, board), 400
