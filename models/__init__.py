"""Data model of Entrenous. Imports nothing of the application."""

from .account import Block, RecoveryCode, has_blocked
from .base import Base, configure_sqlite, db, set_write_intent, utcnow, write_intent
from .board import Board
from .following import Follow, FollowMode, Notification, NotificationKind
from .meeting import (
    BetweenThread,
    CalendarKey,
    FacilitatorNote,
    Frequency,
    Invitation,
    MeetingChange,
    MeetingMode,
    MeetingSchedule,
)
from .moderation import (
    Assessment,
    Decision,
    ItemKind,
    ItemState,
    Notice,
    Report,
    ReviewItem,
    Sanction,
    Vote,
)
from .post import (
    PendingRevision,
    Post,
    PostStatus,
    Reaction,
    ReactionKind,
    Thread,
    counts_as_reply,
    set_status,
    sync_thread,
)
from .rate_limit import RateLimitHit
from .search import PG_CONFIG as SEARCH_CONFIG
from .user import User, board_moderators

__all__ = [
    "MeetingSchedule",
    "MeetingMode",
    "MeetingChange",
    "Invitation",
    "Frequency",
    "FacilitatorNote",
    "CalendarKey",
    "BetweenThread",
    "Assessment",
    "Base",
    "Block",
    "Board",
    "Decision",
    "Follow",
    "FollowMode",
    "ItemKind",
    "ItemState",
    "Notice",
    "Notification",
    "NotificationKind",
    "Report",
    "ReviewItem",
    "Sanction",
    "Vote",
    "PendingRevision",
    "Post",
    "PostStatus",
    "RateLimitHit",
    "Reaction",
    "ReactionKind",
    "RecoveryCode",
    "SEARCH_CONFIG",
    "Thread",
    "User",
    "board_moderators",
    "configure_sqlite",
    "counts_as_reply",
    "db",
    "has_blocked",
    "set_status",
    "set_write_intent",
    "sync_thread",
    "utcnow",
    "write_intent",
]
