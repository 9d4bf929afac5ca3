"""Seeding the French demo. Idempotent: boards by slug, threads by board and title."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import select

from models import (
    Board,
    Frequency,
    MeetingMode,
    MeetingSchedule,
    Post,
    PostStatus,
    Thread,
    User,
    db,
    utcnow,
)
from models.post import set_status

from .accounts import pseudonyms
from .accounts.services import CHARTER_VERSION, hash_password
from .boards import services
from .demo_content import BOARDS, DEMO_MEETINGS, DEMO_MEMBERS, DEMO_VICTORIES


def _demo_member(name: str) -> User:
    key = pseudonyms.identity_key(name)
    user = db.session.scalar(select(User).where(User.pseudonym_key == key))
    if user is None:
        # Nobody can sign in as a demo member: the password is random and forgotten.
        user = User(
            pseudonym=name,
            pseudonym_key=key,
            pseudonym_skeleton=pseudonyms.skeleton(name),
            password_hash=hash_password(secrets.token_hex(16)),
            charter_version=CHARTER_VERSION,
            # The demo tells of members who have been around for a while.
            created_at=utcnow() - timedelta(days=90),
        )
        db.session.add(user)
        db.session.commit()
    return user


def _published(post: Post) -> Post:
    """Written by the team, a demo post is published whatever the model made of it; a queued
    or held one keeps its review item, so moderators see what the model thought of it."""
    if post.status != PostStatus.PUBLISHED:
        set_status(post, PostStatus.PUBLISHED)
        db.session.commit()
    return post


def _replies(author_of, thread: Thread, parent, replies: list[dict]) -> int:  # type: ignore[no-untyped-def]
    count = 0
    for reply in replies:
        outcome = services.create_reply(author_of(reply["author"]), thread, reply["body"], parent)
        post = _published(outcome.post)
        count += 1 + _replies(author_of, thread, post, reply.get("replies", []))
    return count


def seed() -> dict[str, int]:
    members = {name: _demo_member(name) for name in DEMO_MEMBERS}
    created = {"boards": 0, "threads": 0, "posts": 0}
    for spec in BOARDS:
        board = db.session.scalar(select(Board).where(Board.slug == spec["slug"]))
        if board is None:
            board = services.create_board(
                spec["slug"],
                spec["name"],
                spec["theme"],
                description=spec["description"],
                charter=spec["charter"],
                members_only=spec["members_only"],
                position=spec["position"],
            )
            created["boards"] += 1
        # Written by the team, the demo is not held as a newcomer's first posts would be;
        # every other step of the pipeline runs on it.
        holds, board.new_member_holds = board.new_member_holds, 0
        for t in spec["threads"]:
            exists = db.session.scalar(
                select(Thread.id).where(Thread.board_id == board.id, Thread.title == t["title"])
            )
            if exists:
                continue
            outcome = services.create_thread(
                members[t["author"]], board, t["title"], t["body"], t.get("content_warning")
            )
            _published(outcome.post)
            thread = db.session.get_one(Thread, outcome.post.thread_id)
            created["threads"] += 1
            created["posts"] += 1 + _replies(
                members.__getitem__, thread, outcome.post, t["replies"]
            )
        board.new_member_holds = holds
        db.session.commit()
    _meetings()
    _victories()
    return created


def _meetings() -> None:
    """A few boards' groups meet: their schedules began four weeks ago, so past meetings
    are listed and the "Entre deux rencontres" thread opens at the first visit."""
    for slug, spec in DEMO_MEETINGS.items():
        board = db.session.scalar(select(Board).where(Board.slug == slug))
        if board is None or db.session.scalar(
            select(MeetingSchedule.id).where(MeetingSchedule.board_id == board.id).limit(1)
        ):
            continue
        hour, minute = spec["time"]
        db.session.add(
            MeetingSchedule(
                board_id=board.id,
                frequency=Frequency(spec["frequency"]),
                weekday=spec["weekday"],
                week_of_month=spec.get("week_of_month"),
                minute_of_day=hour * 60 + minute,
                duration_minutes=spec.get("duration", 90),
                timezone=spec["timezone"],
                mode=MeetingMode(spec["mode"]),
                place=spec["place"],
                starts_on=date.today() - timedelta(days=28),
            )
        )
        if spec.get("between_text"):
            board.between_threads = True
            board.between_text = spec["between_text"]
    db.session.commit()


def _victories() -> None:
    """The demo's small victories: first posts their authors marked as such."""
    titles = list(DEMO_VICTORIES)
    for post in db.session.scalars(
        select(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Thread.title.in_(titles), Post.parent_id.is_(None))
    ):
        post.is_victory = True
    db.session.commit()
