"""Queue health: how long members wait for a decision, what is decided and why, and how
often the model and the moderators agree. No HTTP: the moderators' page and tools read it.

Every figure covers the same window: today (UTC) and the 29 days before it. Percentiles are
computed in Python over the items of the window, which is fine at a forum's scale; the
queries read the window through the indexes on (board_id, closed_at) and
(board_id, created_at).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from models import Assessment, Decision, ItemKind, ItemState, ReviewItem, db, utcnow

WINDOW_DAYS = 30
# Outcomes where the moderators found something wrong with the post.
UPHELD = frozenset({"removed", "edit_requested"})


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (numpy's default, and
    `statistics.quantiles(method="inclusive")`); the median is `percentile(values, 0.5)`."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Agreement:
    """How the model's flags compare with what the moderators decided, on the post items
    closed in the window (appeals left out).

    - `flagged`: items the model flagged as possibly hurtful (reason `toxicity`);
      `flagged_upheld`: those the moderators removed or returned for editing rather than
      approved. Their share says how often a flag from the model was right.
    - `reported`: items members reported (reason `report`); `reported_flagged`: those the
      model had flagged too, on the item itself or in any of its assessments of the post.
      Their share says how much of what members notice the model notices as well.
    """

    flagged: int = 0
    flagged_upheld: int = 0
    reported: int = 0
    reported_flagged: int = 0

    @property
    def flagged_upheld_rate(self) -> float | None:
        return _rate(self.flagged_upheld, self.flagged)

    @property
    def reported_flagged_rate(self) -> float | None:
        return _rate(self.reported_flagged, self.reported)


@dataclass(frozen=True)
class Health:
    since: datetime  # start of the window (midnight UTC, 29 days before today)
    waiting: int  # open items now
    decided: int  # items closed in the window
    median_seconds: float | None  # time from opening to decision
    p90_seconds: float | None
    by_reason: list[tuple[str, int]]  # decision rows of the window, most frequent first
    by_action: list[tuple[str, int]]
    agreement: Agreement
    daily: list[tuple[date, int]]  # decision rows per UTC day, oldest first, 30 days

    @property
    def decisions(self) -> int:
        return sum(n for _, n in self.daily)

    @property
    def busiest_day(self) -> int:
        return max((n for _, n in self.daily), default=0)


def window_start(now: datetime | None = None) -> datetime:
    today = (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=WINDOW_DAYS - 1)


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def _model_flagged(post_ids: Iterable[int]) -> set[int]:
    """Posts that an assessment by the model found possibly hurtful, at any revision."""
    ids = sorted(set(post_ids))
    if not ids:
        return set()
    rows = db.session.execute(
        select(Assessment.post_id, Assessment.reasons).where(
            Assessment.post_id.in_(ids), Assessment.source == "model"
        )
    )
    return {post_id for post_id, reasons in rows if "toxicity" in (reasons or [])}


def _agreement(closed: Sequence[ReviewItem]) -> Agreement:
    posts = [item for item in closed if item.kind == ItemKind.POST]
    flagged = [item for item in posts if "toxicity" in (item.reasons or [])]
    reported = [item for item in posts if "report" in (item.reasons or [])]
    by_model = _model_flagged(item.post_id for item in reported)
    return Agreement(
        flagged=len(flagged),
        flagged_upheld=sum(1 for item in flagged if item.outcome in UPHELD),
        reported=len(reported),
        reported_flagged=sum(
            1 for item in reported if "toxicity" in (item.reasons or []) or item.post_id in by_model
        ),
    )


def queue_health(board_ids: Iterable[int], now: datetime | None = None) -> Health:
    """The health of the review queues of these boards over the last 30 days."""
    boards = sorted(set(board_ids))
    now = now or utcnow()
    since = window_start(now)
    days = [since.date() + timedelta(days=n) for n in range(WINDOW_DAYS)]
    if not boards:
        return Health(since, 0, 0, None, None, [], [], Agreement(), [(d, 0) for d in days])

    waiting = db.session.scalar(
        select(func.count())
        .select_from(ReviewItem)
        .where(ReviewItem.board_id.in_(boards), ReviewItem.state == ItemState.OPEN)
    )
    closed = list(
        db.session.scalars(
            select(ReviewItem).where(
                ReviewItem.board_id.in_(boards),
                ReviewItem.closed_at >= since,
                ReviewItem.closed_at <= now,
            )
        )
    )
    durations = [
        max(0.0, (item.closed_at - item.opened_at).total_seconds())
        for item in closed
        if item.closed_at is not None
    ]
    rows = db.session.execute(
        select(Decision.action, Decision.reason, Decision.created_at).where(
            Decision.board_id.in_(boards),
            Decision.created_at >= since,
            Decision.created_at <= now,
        )
    ).all()
    per_day = Counter(created.date() for _, _, created in rows)
    return Health(
        since=since,
        waiting=waiting or 0,
        decided=len(closed),
        median_seconds=percentile(durations, 0.5),
        p90_seconds=percentile(durations, 0.9),
        by_reason=_ranked(Counter(reason for _, reason, _ in rows if reason)),
        by_action=_ranked(Counter(action for action, _, _ in rows)),
        agreement=_agreement(closed),
        daily=[(day, per_day.get(day, 0)) for day in days],
    )
