"""Changing a board's moderation settings: one set of rules for the admin page and the CLI.

Every value is checked before any is applied, so a bad value changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models import Board, db

from ..settings import FALLBACKS, LABELS, LEVELS, InvalidThresholds, thresholds, validated

# Inclusive ranges. A quorum of 1 suits small boards with one or two moderators.
QUORUM = (1, 9)
NEW_MEMBER_HOLDS = (0, 20)
REPORT_THRESHOLD = (0.5, 20.0)


class InvalidSettings(ValueError):
    pass


@dataclass(frozen=True)
class Changes:
    """What to change; None leaves a setting as it is. `thresholds` replaces the board's
    overrides as a whole ({} or None in `thresholds` with `replace_thresholds`: defaults)."""

    quorum: int | None = None
    new_member_holds: int | None = None
    fallback: str | None = None
    report_threshold: float | None = None
    noindex: bool | None = None
    thresholds: Mapping[str, Any] | None = None
    replace_thresholds: bool = False


def _whole(name: str, value: Any, bounds: tuple[int, int]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidSettings(f"{name}: {value!r} is not a whole number")
    if not bounds[0] <= value <= bounds[1]:
        raise InvalidSettings(f"{name}: {value} is not between {bounds[0]} and {bounds[1]}")
    return value


def check(changes: Changes) -> dict[str, Any]:
    """The columns to set, validated; raises InvalidSettings (or InvalidThresholds)."""
    values: dict[str, Any] = {}
    if changes.quorum is not None:
        values["quorum"] = _whole("quorum", changes.quorum, QUORUM)
    if changes.new_member_holds is not None:
        values["new_member_holds"] = _whole(
            "new_member_holds", changes.new_member_holds, NEW_MEMBER_HOLDS
        )
    if changes.fallback is not None:
        if changes.fallback not in FALLBACKS:
            raise InvalidSettings(f"fallback: expected one of {', '.join(FALLBACKS)}")
        values["fallback"] = changes.fallback
    if changes.report_threshold is not None:
        value = changes.report_threshold
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise InvalidSettings(f"report_threshold: {value!r} is not a number")
        low, high = REPORT_THRESHOLD
        if not low <= value <= high:
            raise InvalidSettings(f"report_threshold: {value} is not between {low:g} and {high:g}")
        values["report_threshold"] = float(value)
    if changes.noindex is not None:
        if not isinstance(changes.noindex, bool):
            raise InvalidSettings(f"noindex: {changes.noindex!r} is not true or false")
        values["noindex"] = changes.noindex
    if changes.replace_thresholds:
        clean = validated(changes.thresholds or {})
        values["thresholds"] = clean or None
    return values


def change(board: Board, changes: Changes) -> None:
    """Validate, then apply and commit; on a bad value raise and leave the board as it was."""
    try:
        values = check(changes)
    except InvalidThresholds as error:
        raise InvalidSettings(str(error)) from error
    for name, value in values.items():
        setattr(board, name, value)
    db.session.commit()


def overrides(board: Board) -> dict[str, dict[str, float]]:
    """The board's own threshold values (known levels and labels only)."""
    stored = board.thresholds or {}
    out: dict[str, dict[str, float]] = {}
    for level in LEVELS:
        values = stored.get(level)
        if not isinstance(values, Mapping):
            continue
        for label in LABELS:
            value = values.get(label)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out.setdefault(level, {})[label] = float(value)
    return out


def effective(board: Board) -> dict[str, dict[str, float]]:
    return thresholds(board.thresholds)
