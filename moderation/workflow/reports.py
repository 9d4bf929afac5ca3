"""Members report posts; past a weight threshold the post is hidden until reviewed.

A report's weight: 1, halved for a new member, and lowered for a reporter whose settled
reports were mostly rejected. Crisis reports hide nothing: they bring the post first in
the queue. Reporters are never shown to the author.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models import Board, Decision, Notice, Post, PostStatus, Report, User, db, utcnow

from .. import settings
from . import lifecycle, queue
from .pipeline import is_new_member

REASONS = ("judgment", "attack", "spam", "privacy", "crisis", "other")
NOTE_MAX = 500
MIN_WEIGHT = 0.25


class ReportRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def weight_of(reporter: User) -> float:
    weight = 0.5 if is_new_member(reporter) else 1.0
    settled = db.session.execute(
        select(Report.outcome, func.count())
        .where(Report.reporter_id == reporter.id, Report.outcome.is_not(None))
        .group_by(Report.outcome)
    ).all()
    counts = {outcome: n for outcome, n in settled}
    total = sum(counts.values())
    if total >= 3:
        weight *= max(MIN_WEIGHT, 1.0 - counts.get("rejected", 0) / total)
    return round(weight, 3)


def _too_many(reporter: User) -> bool:
    now = utcnow()
    for most, seconds in settings.REPORT_LIMITS:
        recent = db.session.scalar(
            select(func.count())
            .select_from(Report)
            .where(
                Report.reporter_id == reporter.id,
                Report.created_at > now - timedelta(seconds=seconds),
            )
        )
        if (recent or 0) >= most:
            return True
    return False


def report(
    post: Post,
    board: Board,
    reporter: User,
    reason: str,
    note: str = "",
    *,
    rate_limits: bool = True,
) -> Report:
    """File a report (once per member per post). Commits, or raises ReportRefused."""
    if reason not in REASONS:
        raise ReportRefused("invalid_reason")
    if post.author_id == reporter.id:
        raise ReportRefused("own_post")
    if post.deleted_at is not None or post.status not in (PostStatus.PUBLISHED, PostStatus.HIDDEN):
        raise ReportRefused("not_reportable")
    if db.session.scalar(
        select(Report.id).where(Report.post_id == post.id, Report.reporter_id == reporter.id)
    ):
        raise ReportRefused("already_reported")
    if rate_limits and _too_many(reporter):
        raise ReportRefused("too_many")
    filed = Report(
        post_id=post.id,
        reporter_id=reporter.id,
        reason=reason,
        note=(note or "").strip()[:NOTE_MAX],
        weight=weight_of(reporter),
    )
    try:
        with db.session.begin_nested():
            db.session.add(filed)
    except IntegrityError:  # the same report sent twice at once
        db.session.rollback()
        raise ReportRefused("already_reported") from None
    reasons = ["report", "crisis"] if reason == "crisis" else ["report"]
    item = queue.open_item(post, board.id, reasons)
    weight = db.session.scalar(
        select(func.coalesce(func.sum(Report.weight), 0.0)).where(
            Report.post_id == post.id, Report.outcome.is_(None), Report.reason != "crisis"
        )
    )
    if post.status == PostStatus.PUBLISHED and (weight or 0.0) >= board.report_threshold:
        lifecycle.move(post, PostStatus.HIDDEN, lifecycle.Actor.REPORTS)
        decision = Decision(
            board_id=board.id,
            item_id=item.id,
            post_id=post.id,
            subject_id=post.author_id,
            action="hidden",
            reason="reports",
        )
        db.session.add(decision)
        db.session.flush()
        if post.author_id is not None:
            db.session.add(Notice(user_id=post.author_id, decision_id=decision.id))
    db.session.commit()
    return filed
