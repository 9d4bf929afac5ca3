"""The moderation seam: every new post and every edit passes through `review`.

For now every post is published. The moderation issue fills in the steps (limits,
personal data, crisis, toxicity, nudge); callers already honour every action.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Action(enum.StrEnum):
    PUBLISH = "publish"
    PUBLISH_AND_QUEUE = "publish_and_queue"  # visible, reviewed after
    HOLD = "hold"  # pending: only its author and the board's moderators see it
    NUDGE = "nudge"  # the composer comes back with the text intact and a gentle note


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)


def review(
    text: str,
    *,
    author_id: int,
    board_id: int,
    post_id: int | None = None,
    is_edit: bool = False,
    confirmed: bool = False,
) -> Decision:
    """Decide what happens to a post whose text is already stored."""
    return Decision(Action.PUBLISH)
