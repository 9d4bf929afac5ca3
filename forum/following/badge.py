"""The header's unread count: moderation notices and notifications, one query a page."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from models import Thread

from . import queries


def header_counts() -> tuple[int, int]:
    """(unread notices, unread notifications) of the member, asked once per request.
    Notifications of the posts the current thread page shows count as read already."""
    if not current_user.is_authenticated:
        return 0, 0
    counts = g.get("_following_unread")
    if counts is None:
        counts = g._following_unread = queries.unread_counts(current_user.id)
    notices, notifications = counts
    return notices, max(0, notifications - g.get("_following_seen", 0))


def unread_total() -> int:
    return sum(header_counts())


def visit(thread: Thread, post_ids: list[int]) -> queries.ThreadState | None:
    """The member's follow state on a thread page (None for visitors); what the page shows
    is read from now on, and the header counts it so."""
    if not current_user.is_authenticated:
        return None
    state = queries.thread_state(current_user.id, thread.id, post_ids)
    g._following_unread = state.header  # the header asks nothing more
    g._following_seen = state.unread_on_page
    return state
