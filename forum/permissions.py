"""Who may do what: small named functions, used by views and templates alike."""

from __future__ import annotations

from typing import Any

from models import Board, Post, PostStatus, User


def _user_or_none(user: Any) -> User | None:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def can_read_board(user: Any, board: Board) -> bool:
    return not board.members_only or _user_or_none(user) is not None


def can_moderate(user: Any, board: Board) -> bool:
    member = _user_or_none(user)
    if member is None:
        return False
    return member.is_admin or any(b.id == board.id for b in member.moderated_boards)


def is_author(user: Any, post: Post) -> bool:
    member = _user_or_none(user)
    return member is not None and post.author_id == member.id


def can_edit_post(user: Any, post: Post) -> bool:
    return is_author(user, post) and not post.is_deleted and post.status != PostStatus.REMOVED


def can_see_post(user: Any, post: Post, board: Board) -> bool:
    """Whether the post has a place on the page: a held post exists only for its author
    and the board's moderators, a draft only for its author (hidden and removed ones show
    as placeholders)."""
    if post.status == PostStatus.DRAFT:
        return is_author(user, post)
    if post.status != PostStatus.PENDING:
        return True
    return is_author(user, post) or can_moderate(user, board)
