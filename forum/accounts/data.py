"""A member's data rights: a copy of everything they wrote and set, and erasure.

Erasing keeps each post's place in its thread (shown as "message supprimé"), so others'
replies keep their context; everything the member wrote or chose goes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from models import (
    Block,
    Board,
    CalendarKey,
    Decision,
    Follow,
    ItemState,
    Notice,
    PendingRevision,
    Post,
    Reaction,
    Report,
    ReviewItem,
    Sanction,
    Thread,
    User,
    Vote,
    db,
    utcnow,
)
from moderation.workflow import queue

from ..boards import services as boards
from . import recovery
from .blocks import blocked_members

FORMAT_VERSION = 1
BATCH = 500


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def export(user: User) -> dict[str, Any]:
    """Everything the member wrote and set, as plain JSON-ready data (no password hash,
    no recovery code digests, nothing about other members but the pseudonyms they
    blocked)."""
    boards_by_id = {b.id: b.slug for b in db.session.scalars(select(Board))}
    threads = db.session.scalars(
        select(Thread).where(Thread.author_id == user.id).order_by(Thread.id)
    ).all()
    posts = db.session.execute(
        select(Post, Thread.board_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == user.id)
        .order_by(Post.id)
    ).all()
    reactions = db.session.scalars(
        select(Reaction).where(Reaction.user_id == user.id).order_by(Reaction.created_at)
    ).all()
    reports = db.session.scalars(
        select(Report).where(Report.reporter_id == user.id).order_by(Report.id)
    ).all()
    notices = db.session.execute(
        select(Notice, Decision)
        .join(Decision, Decision.id == Notice.decision_id)
        .where(Notice.user_id == user.id)
        .order_by(Notice.id)
    ).all()
    post_ids = [post.id for post, _ in posts]
    # Edits not applied yet (waiting for their verdict, a moderator or their author).
    edits = {
        pending.post_id: pending
        for pending in db.session.scalars(
            select(PendingRevision)
            .join(Post, Post.id == PendingRevision.post_id)
            .where(Post.author_id == user.id)
        )
    }
    appeals = (
        db.session.scalars(
            select(ReviewItem)
            .where(ReviewItem.kind == "appeal", ReviewItem.post_id.in_(post_ids))
            .order_by(ReviewItem.id)
        ).all()
        if post_ids
        else []
    )
    sanctions = db.session.scalars(
        select(Sanction).where(Sanction.user_id == user.id).order_by(Sanction.id)
    ).all()
    votes = db.session.scalars(
        select(Vote).where(Vote.moderator_id == user.id).order_by(Vote.id)
    ).all()
    # The threads the member chose to follow or mute (notifications are others' words:
    # they are not exported, and go with the account).
    follows = db.session.scalars(
        select(Follow).where(Follow.user_id == user.id).order_by(Follow.thread_id)
    ).all()
    # Private calendar links: which boards have one, not the key (only its digest is kept).
    calendar_links = db.session.execute(
        select(Board.slug, CalendarKey.created_at)
        .join(CalendarKey, CalendarKey.board_id == Board.id)
        .where(CalendarKey.user_id == user.id)
        .order_by(Board.slug)
    ).all()
    # Not exported: the facilitators' hand-over notes a moderator wrote (FacilitatorNote).
    # They belong to the board's moderators together, not to one of them, and they speak
    # of other members, who never see them: a copy would carry others' situations out.
    return {
        "format": FORMAT_VERSION,
        "exported_at": _when(utcnow()),
        "account": {
            "pseudonym": user.pseudonym,
            "created_at": _when(user.created_at),
            "language": user.locale,
            "charter_version": user.charter_version,
            "charter_accepted_at": _when(user.charter_accepted_at),
            "site_admin": user.is_admin,
            "moderator_of": sorted(b.slug for b in user.moderated_boards),
            "recovery_codes_left": recovery.remaining(user),
        },
        "threads": [
            {
                "id": t.id,
                "board": boards_by_id.get(t.board_id),
                "title": t.title,
                "content_warning": t.content_warning,
                "created_at": _when(t.created_at),
            }
            for t in threads
        ],
        "posts": [
            {
                "id": p.id,
                "thread_id": p.thread_id,
                "board": boards_by_id.get(board_id),
                "in_reply_to": p.parent_id,
                "body": p.body,
                "content_warning": p.content_warning,
                "status": p.status.value,
                "created_at": _when(p.created_at),
                "edited_at": _when(p.edited_at),
                "deleted_at": _when(p.deleted_at),
                "is_victory": p.is_victory,
                "pending_edit": (
                    {
                        "title": edits[p.id].title,
                        "body": edits[p.id].body,
                        "content_warning": edits[p.id].content_warning,
                        "created_at": _when(edits[p.id].created_at),
                    }
                    if p.id in edits
                    else None
                ),
            }
            for p, board_id in posts
        ],
        "reactions": [
            {"post_id": r.post_id, "kind": r.kind.value, "created_at": _when(r.created_at)}
            for r in reactions
        ],
        "reports": [
            {
                "post_id": r.post_id,
                "reason": r.reason,
                "note": r.note,
                "outcome": r.outcome,
                "created_at": _when(r.created_at),
            }
            for r in reports
        ],
        "blocked_members": [name for _, name in blocked_members(user)],
        "follows": [
            {"thread_id": f.thread_id, "mode": f.mode.value, "created_at": _when(f.created_at)}
            for f in follows
        ],
        "calendar_links": [
            {"board": slug, "created_at": _when(created_at)} for slug, created_at in calendar_links
        ],
        "notices": [
            {
                "board": boards_by_id.get(d.board_id),
                "post_id": d.post_id,
                "action": d.action,
                "reason": d.reason,
                "note": d.note,
                "until": _when(d.until),
                "created_at": _when(n.created_at),
                "read_at": _when(n.read_at),
            }
            for n, d in notices
        ],
        "appeals": [
            {
                "post_id": a.post_id,
                "note": a.appeal_note,
                "state": a.state,
                "outcome": a.outcome,
                "opened_at": _when(a.opened_at),
            }
            for a in appeals
        ],
        "sanctions": [
            {
                "board": boards_by_id.get(s.board_id) if s.board_id else None,
                "kind": s.kind,
                "until": _when(s.until),
                "lifted_at": _when(s.lifted_at),
                "created_at": _when(s.created_at),
            }
            for s in sanctions
        ],
        "moderation_votes": [
            {
                "item_id": v.item_id,
                "topic": v.topic,
                "choice": v.choice,
                "reason": v.reason,
                "note": v.note,
                "created_at": _when(v.created_at),
            }
            for v in votes
        ],
    }


def erase(user: User) -> None:
    """Erase the account in one transaction: the words of every post (their places
    stay), thread titles, reactions, the notes of reports and appeals, the passages the
    automatic check quoted (see erase_post), then the account itself (recovery codes,
    blocks, notices, sanctions and moderation votes go with it)."""
    user_id = user.id
    while True:
        batch = db.session.scalars(
            select(Post).where(Post.author_id == user_id).order_by(Post.id).limit(BATCH)
        ).all()
        if not batch:
            break
        ids = [post.id for post in batch]
        for post in batch:
            boards.erase_post(post, author_gone=True)
        # Their appeals too: nobody is left to answer.
        for item in db.session.scalars(
            select(ReviewItem).where(
                ReviewItem.post_id.in_(ids), ReviewItem.state == ItemState.OPEN
            )
        ):
            queue.close(item, "withdrawn")
        db.session.execute(
            update(ReviewItem).where(ReviewItem.post_id.in_(ids)).values(appeal_note=None)
        )
        db.session.execute(
            update(Post).where(Post.id.in_(ids)).values(author_id=None),
            execution_options={"synchronize_session": False},
        )
        db.session.flush()
        db.session.expire_all()
    db.session.execute(update(Thread).where(Thread.author_id == user_id).values(author_id=None))
    db.session.execute(
        update(Report).where(Report.reporter_id == user_id).values(reporter_id=None, note="")
    )
    db.session.execute(
        update(Decision).where(Decision.subject_id == user_id).values(subject_id=None)
    )
    db.session.execute(delete(Reaction).where(Reaction.user_id == user_id))
    db.session.execute(
        delete(Block).where((Block.blocker_id == user_id) | (Block.blocked_id == user_id))
    )
    db.session.delete(db.session.get_one(User, user_id))
    db.session.commit()
