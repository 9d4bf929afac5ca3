"""Thresholds and limits: defaults from published practice, overridable per board.

A label scoring at or above a board's `hold` threshold holds the post for review; between
`nudge` and `hold` the author is asked to rephrase first; between `queue` and `nudge` the post
is published and queued for a moderator to read after. The `hold` defaults are the levels
Coral Talk (toxicity 0.8) and discourse-ai (toxicity 0.8, severe_toxicity 0.3, obscene 0.8,
others 0.6) act on; `nudge` and `queue` sit below them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LABELS = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
LEVELS = ("queue", "nudge", "hold")

DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    "hold": {
        "toxicity": 0.8,
        "severe_toxicity": 0.3,
        "obscene": 0.8,
        "threat": 0.6,
        "insult": 0.6,
        "identity_attack": 0.6,
    },
    "nudge": {
        "toxicity": 0.6,
        "severe_toxicity": 0.2,
        "obscene": 0.7,
        "threat": 0.45,
        "insult": 0.45,
        "identity_attack": 0.45,
    },
    "queue": {
        "toxicity": 0.45,
        "severe_toxicity": 0.15,
        "obscene": 0.6,
        "threat": 0.3,
        "insult": 0.35,
        "identity_attack": 0.3,
    },
}

FALLBACKS = ("hold", "publish_and_queue")


class InvalidThresholds(ValueError):
    pass


def thresholds(overrides: Mapping[str, Any] | None) -> dict[str, dict[str, float]]:
    """The defaults with a board's overrides laid over them."""
    merged = {level: dict(values) for level, values in DEFAULT_THRESHOLDS.items()}
    for level, values in (overrides or {}).items():
        if level in merged and isinstance(values, Mapping):
            for label, value in values.items():
                if (
                    label in LABELS
                    and isinstance(value, int | float)
                    and not isinstance(value, bool)
                ):
                    merged[level][label] = float(value)
    return merged


def validated(overrides: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Check overrides before they are saved: known levels and labels, values in [0, 1],
    and for each label queue <= nudge <= hold once merged with the defaults."""
    clean: dict[str, dict[str, float]] = {}
    for level, values in overrides.items():
        if level not in LEVELS:
            raise InvalidThresholds(f"unknown level {level!r} (expected one of {LEVELS})")
        if not isinstance(values, Mapping):
            raise InvalidThresholds(f"{level}: expected a mapping of label to value")
        for label, value in values.items():
            if label not in LABELS:
                raise InvalidThresholds(f"unknown label {label!r} (expected one of {LABELS})")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidThresholds(f"{level}.{label}: {value!r} is not a number")
            if not 0.0 <= float(value) <= 1.0:
                raise InvalidThresholds(f"{level}.{label}: {value} is not between 0 and 1")
            clean.setdefault(level, {})[label] = float(value)
    merged = thresholds(clean)
    for label in LABELS:
        q, n, h = (merged[level][label] for level in LEVELS)
        if not q <= n <= h:
            raise InvalidThresholds(
                f"{label}: expected queue <= nudge <= hold, got {q} / {n} / {h}"
            )
    return clean


# Posting limits per member: (posts, seconds). New members (accounts younger than
# NEW_MEMBER_DAYS) get the stricter pair. Counted in the database, so they hold across
# every worker and process.
NEW_MEMBER_DAYS = 3
POST_LIMITS = ((8, 10 * 60), (40, 60 * 60))
NEW_MEMBER_POST_LIMITS = ((3, 10 * 60), (10, 60 * 60))
# Edits (and a draft's new versions) are judged and scored like new posts, so they are
# limited too: per member, generous for someone rephrasing, short for a flood; and per
# post, so that one message cannot be rewritten endlessly.
EDIT_LIMITS = ((12, 10 * 60), (60, 60 * 60))
EDITS_PER_POST = ((10, 60 * 60),)
# Reports: a burst of reports from one member is slowed down.
REPORT_LIMITS = ((5, 10 * 60), (20, 24 * 60 * 60))

# How long a moderator's claim on an item lasts.
CLAIM_SECONDS = 5 * 60
# How long a posting request waits for the scorer before showing a provisional status.
SCORING_WAIT_SECONDS = 3.0
# Posts still awaiting scores after this long are submitted again.
STALE_AFTER_SECONDS = 120
# Posts still awaiting scores this long after they were stored get a review item
# ("unscored"), so that moderators read them even if scoring never comes back: once being
# submitted again (STALE_AFTER_SECONDS) has had a sweep's time to work.
UNSCORED_GRACE_SECONDS = 180
