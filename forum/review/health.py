"""Queue health for moderators and admins: waiting items, time to decision, decisions by
reason and action, agreement between the model and the moderators, over 30 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, render_template, request
from flask_babel import format_date, format_percent, format_timedelta
from flask_login import current_user, login_required
from sqlalchemy import select

from models import Board, db
from moderation.workflow import health as figures
from moderation.workflow.queue import moderated_board_ids

from . import bp

# The chart's drawing box, in SVG user units (the picture scales to the page's width).
CHART_WIDTH, CHART_HEIGHT, CHART_TOP = 600, 150, 20


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    width: float
    height: float


def bars(daily: list[tuple[date, int]]) -> list[Bar]:
    """One bar per day, scaled to the busiest day; a day without decisions has no height."""
    busiest = max((n for _, n in daily), default=0) or 1
    slot = CHART_WIDTH / max(1, len(daily))
    usable = CHART_HEIGHT - CHART_TOP
    out = []
    for index, (day, count) in enumerate(daily):
        height = round(usable * count / busiest, 1)
        out.append(
            Bar(
                day,
                count,
                round(index * slot + 1, 1),
                CHART_HEIGHT - height,
                round(slot - 2, 1),
                height,
            )
        )
    return out


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return format_timedelta(timedelta(seconds=seconds), granularity="minute", threshold=1)


def percent(rate: float | None) -> str:
    return "—" if rate is None else format_percent(rate)


@bp.route("/moderation/health")
@login_required
def queue_health():  # type: ignore[no-untyped-def]
    allowed = moderated_board_ids(current_user)
    if not allowed:
        abort(403)
    boards = list(
        db.session.scalars(select(Board).where(Board.id.in_(allowed)).order_by(Board.name))
    )
    slug = request.args.get("board", "")
    board = next((b for b in boards if b.slug == slug), None) if slug else None
    if slug and board is None:
        abort(403)
    health = figures.queue_health([board.id] if board else allowed)
    return render_template(
        "review/health.html",
        health=health,
        board=board,
        boards=boards,
        bars=bars(health.daily),
        chart=(CHART_WIDTH, CHART_HEIGHT),
        duration=duration,
        percent=percent,
        day=lambda d: format_date(d, "medium"),
    )
