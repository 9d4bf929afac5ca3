"""Data model of Entrenous. Imports nothing of the application."""

from .base import Base, configure_sqlite, db, set_write_intent, utcnow, write_intent
from .board import Board
from .post import Post, PostStatus, Reaction, ReactionKind, Thread
from .user import User, board_moderators

__all__ = [
    "Base",
    "Board",
    "Post",
    "PostStatus",
    "Reaction",
    "ReactionKind",
    "Thread",
    "User",
    "board_moderators",
    "configure_sqlite",
    "db",
    "set_write_intent",
    "utcnow",
    "write_intent",
]
