"""Queue health: figures on constructed data, and the page moderators and admins read."""

from __future__ import annotations

import random
import re
import statistics
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete

from models import (
    Assessment,
    Board,
    Decision,
    ItemKind,
    ItemState,
    ReviewItem,
    User,
    db,
    utcnow,
)
from moderation.workflow import health
from tests import factories

NOW = datetime(2025, 3, 15, 12, 0)
SINCE = datetime(2025, 2, 14)  # midnight, 29 days before NOW's day


def test_percentile_interpolates_between_ranks() -> None:
    assert health.percentile([], 0.5) is None
    assert health.percentile([7.0], 0.9) == 7.0
    assert health.percentile([1.0, 3.0, 2.0, 10.0], 0.5) == statistics.median([1, 3, 2, 10])
    values = [random.uniform(0, 1000) for _ in range(101)]  # noqa: S311
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    assert health.percentile(values, 0.9) == pytest.approx(deciles[-1])


def _item(board: Board, post_id: int, opened: datetime, seconds: float | None, **fields) -> None:  # type: ignore[no-untyped-def]
    closed = None if seconds is None else opened + timedelta(seconds=seconds)
    db.session.add(
        ReviewItem(
            board_id=board.id,
            post_id=post_id,
            open_post_id=post_id if closed is None else None,
            kind=fields.pop("kind", ItemKind.POST),
            reasons=fields.pop("reasons", ["new_member"]),
            state=ItemState.OPEN if closed is None else ItemState.CLOSED,
            opened_at=opened,
            closed_at=closed,
            outcome=fields.pop("outcome", None if closed is None else "approved"),
            **fields,
        )
    )


def _decision(board: Board, action: str, reason: str, at: datetime) -> None:
    db.session.add(Decision(board_id=board.id, action=action, reason=reason, created_at=at))


@pytest.fixture
def boards(app):  # type: ignore[no-untyped-def]
    """Boards A and B with posts; the queue items and decisions are laid down by hand."""
    with app.app_context():
        a, b = factories.board("board-a"), factories.board("board-b")
        author = factories.user("Lou")
        posts = [
            factories.root_post(factories.thread(a, author, f"Sujet {n}")).id for n in range(8)
        ]
        other = factories.root_post(factories.thread(b, author)).id
        # Posting opened items of its own (no scorer here): start from an empty queue.
        for table in (ReviewItem, Decision, Assessment):
            db.session.execute(delete(table))
        db.session.commit()
        yield a, b, posts, other


def test_time_to_decision_covers_the_window_only(boards) -> None:  # type: ignore[no-untyped-def]
    a, b, posts, other = boards
    day = NOW - timedelta(days=2)
    for post_id, seconds in zip(posts, (60, 120, 180, 240, 3600), strict=False):
        _item(a, post_id, day, seconds)
    _item(a, posts[5], NOW - timedelta(days=40), 99_999)  # closed before the window
    _item(a, posts[6], SINCE - timedelta(seconds=5_001), 5_000)  # closed a second before it
    _item(a, posts[6], SINCE - timedelta(seconds=3), 3)  # closed at its first moment: counted
    _item(a, posts[7], NOW - timedelta(hours=1), None)  # waiting
    _item(b, other, day, 7_777)  # another board
    _item(b, other, day, None)
    db.session.commit()

    figures = health.queue_health([a.id], now=NOW)
    assert figures.waiting == 1
    assert figures.decided == 6
    assert figures.median_seconds == 150.0  # 3, 60, 120 | 180, 240, 3600
    assert figures.p90_seconds == pytest.approx(240 + 0.5 * (3600 - 240))
    both = health.queue_health([a.id, b.id], now=NOW)
    assert (both.waiting, both.decided) == (2, 7)


def test_decisions_by_reason_action_and_day(boards) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = boards
    yesterday = NOW - timedelta(days=1)
    _decision(a, "removed", "attack", yesterday)
    _decision(a, "removed", "attack", yesterday)
    _decision(a, "approved", "", yesterday)
    _decision(a, "edit_requested", "judgment", NOW - timedelta(days=3))
    _decision(a, "hidden", "reports", SINCE)  # the window's first moment
    _decision(a, "removed", "spam", SINCE - timedelta(seconds=1))  # just before it
    _decision(a, "removed", "spam", NOW - timedelta(days=40))
    _decision(b, "banned", "spam", yesterday)
    db.session.commit()

    figures = health.queue_health([a.id], now=NOW)
    assert figures.by_action == [
        ("removed", 2),
        ("approved", 1),
        ("edit_requested", 1),
        ("hidden", 1),
    ]
    assert figures.by_reason == [("attack", 2), ("judgment", 1), ("reports", 1)]
    assert len(figures.daily) == 30
    assert figures.daily[0] == (SINCE.date(), 1)
    assert figures.daily[-1] == (NOW.date(), 0)
    per_day = dict(figures.daily)
    assert per_day[yesterday.date()] == 3
    assert per_day[(NOW - timedelta(days=3)).date()] == 1
    assert (figures.decisions, figures.busiest_day) == (5, 3)


def test_agreement_between_the_model_and_moderators(boards) -> None:  # type: ignore[no-untyped-def]
    a, _, posts, _ = boards
    day = NOW - timedelta(days=5)
    # Flagged by the model: moderators removed one, asked to rephrase one, approved one.
    _item(a, posts[0], day, 60, reasons=["toxicity"], outcome="removed")
    _item(a, posts[1], day, 60, reasons=["toxicity"], outcome="edit_requested")
    _item(a, posts[2], day, 60, reasons=["toxicity"], outcome="approved")
    # Reported by members: the model had flagged the first (an earlier assessment), and the
    # second both flagged and reported; it missed the third.
    _item(a, posts[3], day, 60, reasons=["report"], outcome="removed")
    db.session.add(
        Assessment(post_id=posts[3], revision=1, action="publish_and_queue",
                   reasons=["toxicity"], source="model")
    )  # fmt: skip
    _item(a, posts[4], day, 60, reasons=["toxicity", "report"], outcome="removed")
    _item(a, posts[5], day, 60, reasons=["report"], outcome="approved")
    db.session.add(
        Assessment(post_id=posts[5], revision=1, action="publish", reasons=[], source="model")
    )
    # Not counted: an appeal, an item still open, and one decided before the window.
    _item(a, posts[6], day, 60, kind=ItemKind.APPEAL, reasons=["toxicity"], outcome="removed")
    _item(a, posts[7], day, None, reasons=["toxicity", "report"])
    _item(a, posts[7], NOW - timedelta(days=45), 60, reasons=["toxicity"], outcome="removed")
    db.session.commit()

    agreement = health.queue_health([a.id], now=NOW).agreement
    assert (agreement.flagged, agreement.flagged_upheld) == (4, 3)
    assert agreement.flagged_upheld_rate == 0.75
    assert (agreement.reported, agreement.reported_flagged) == (3, 2)
    assert agreement.reported_flagged_rate == pytest.approx(2 / 3)


def test_no_board_and_no_data(boards) -> None:  # type: ignore[no-untyped-def]
    a, *_ = boards
    for figures in (health.queue_health([], now=NOW), health.queue_health([a.id], now=NOW)):
        assert (figures.waiting, figures.decided, figures.decisions) == (0, 0, 0)
        assert figures.median_seconds is None and figures.p90_seconds is None
        assert figures.agreement.flagged_upheld_rate is None
        assert figures.agreement.reported_flagged_rate is None
        assert [n for _, n in figures.daily] == [0] * 30


def _grant(user_id: int, board: Board) -> None:
    factories.moderator(board, db.session.get_one(User, user_id))


@pytest.fixture
def people(app, boards):  # type: ignore[no-untyped-def]
    a, b, posts, _ = boards
    mo = factories.user("Mo")
    factories.user("Ada", is_admin=True)
    factories.user("Sam")
    _grant(mo.id, a)
    today = utcnow()
    _decision(a, "removed", "attack", today - timedelta(days=1))
    _decision(b, "banned", "spam", today - timedelta(days=1))
    _item(a, posts[0], today - timedelta(days=1), 5400, reasons=["toxicity"], outcome="removed")
    db.session.commit()
    return a, b


def test_health_page_is_for_moderators_and_admins(client, people) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/moderation/health").status_code == 302  # sign in first
    factories.login(client, "Sam")
    assert client.get("/moderation/health").status_code == 403
    assert client.get("/moderation/health?board=board-a").status_code == 403
    client.post("/logout")
    factories.login(client, "Mo")
    assert client.get("/moderation/health").status_code == 200
    assert client.get("/moderation/health?board=board-a").status_code == 200
    assert client.get("/moderation/health?board=board-b").status_code == 403
    assert client.get("/moderation/health?board=nowhere").status_code == 403
    client.post("/logout")
    factories.login(client, "Ada")
    assert client.get("/moderation/health?board=board-b").status_code == 200


def test_health_page_shows_the_figures_and_an_accessible_chart(client, people) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Mo")
    response = client.get("/moderation/health?board=board-a", headers={"Accept-Language": "en"})
    page = factories.text(response)
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0) and "<title" in svg.group(0)
    assert len(re.findall(r"<rect ", svg.group(0))) == 1  # one day with decisions
    assert "style=" not in page and "<script" not in page
    # The day-by-day table: 30 rows besides its header.
    table = re.search(r"<details>.*?</details>", page, re.S)
    assert table is not None and table.group(0).count("<tr>") == 31
    assert "removed" in page and "a personal attack or an insult" in page
    assert "100" in page  # the one flag from the model was confirmed
    assert "member banned" not in page  # board B's decision is not on board A's page
