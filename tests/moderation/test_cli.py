"""`flask moderation ...`: board settings, sweeping lost jobs, and the RQ scoring worker."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models import Assessment, Board, Post, PostStatus, db, utcnow
from moderation.workflow import pipeline
from tests import factories
from tests.conftest import IN_CI
from tests.scorers import with_lexicon

# A Redis database of its own, flushed before and after each test that uses it.
REDIS_URL = "redis://127.0.0.1:6379/13"
RQ = {
    "REDIS_URL": REDIS_URL,
    "MODERATION_MODEL": "tests.scorers:Lexicon",
    "MODERATION_WAIT_SECONDS": 0.2,
}
with_rq = pytest.mark.parametrize("app", [RQ], indirect=True)


@pytest.fixture
def board(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        factories.board("entraide", name="Entraide")
    return app


def _board(app) -> Board:  # type: ignore[no-untyped-def]
    with app.app_context():
        found = db.session.scalar(select(Board).where(Board.slug == "entraide"))
        db.session.expunge(found)
        return found


def test_settings_prints_the_effective_settings(runner, board) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["moderation", "settings", "entraide"])
    assert result.exit_code == 0, result.output
    assert "quorum:            2" in result.output
    assert "fallback:          publish_and_queue" in result.output
    toxicity = next(line for line in result.output.splitlines() if "  toxicity " in line)
    assert toxicity.split() == ["toxicity", "0.45", "0.6", "0.8"]
    assert "*" not in toxicity  # no value of the board's own yet


def test_settings_changes_the_given_values_only(runner, board) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        args=[
            "moderation",
            "settings",
            "entraide",
            "--quorum",
            "1",
            "--fallback",
            "hold",
            "--report-threshold",
            "3.5",
            "--threshold",
            "hold.toxicity=0.7",
            "--threshold",
            "queue.insult=0.2",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "changed" in result.output
    toxicity = next(line for line in result.output.splitlines() if "  toxicity " in line)
    assert toxicity.split() == ["toxicity", "0.45", "0.6", "0.7*"]
    changed = _board(board)
    assert (changed.quorum, changed.fallback, changed.report_threshold) == (1, "hold", 3.5)
    assert changed.new_member_holds == 0  # not given: unchanged
    assert changed.thresholds == {"hold": {"toxicity": 0.7}, "queue": {"insult": 0.2}}

    result = runner.invoke(
        args=["moderation", "settings", "entraide", "--threshold", "hold.toxicity=default"]
    )
    assert result.exit_code == 0, result.output
    assert _board(board).thresholds == {"queue": {"insult": 0.2}}
    result = runner.invoke(args=["moderation", "settings", "entraide", "--reset-thresholds"])
    assert result.exit_code == 0, result.output
    assert _board(board).thresholds is None
    assert _board(board).quorum == 1


BAD = [
    ["--quorum", "0"],
    ["--quorum", "10"],
    ["--quorum", "deux"],
    ["--new-member-holds", "-1"],
    ["--new-member-holds", "21"],
    ["--fallback", "delete"],
    ["--report-threshold", "nan"],
    ["--report-threshold", "0.1"],
    ["--report-threshold", "inf"],
    ["--threshold", "hold.toxicity=2"],
    ["--threshold", "hold.toxicity=nan"],
    ["--threshold", "hold.toxicity=-0.5"],
    ["--threshold", "hold.toxicity=beaucoup"],
    ["--threshold", "hold.toxicity"],
    ["--threshold", "block.toxicity=0.5"],
    ["--threshold", "hold.rudeness=0.5"],
    # Fine alone, but queue would sit above nudge (default 0.6).
    ["--threshold", "queue.toxicity=0.9"],
    # One good value does not get saved along with a bad one.
    ["--quorum", "1", "--threshold", "nudge.insult=0.9"],
]


@pytest.mark.parametrize("options", BAD, ids=" ".join)
def test_settings_refuses_bad_values_and_saves_nothing(runner, board, options) -> None:  # type: ignore[no-untyped-def]
    before = factories.database(board)
    result = runner.invoke(args=["moderation", "settings", "entraide", *options])
    assert result.exit_code != 0
    assert "Error" in result.output
    assert factories.database(board) == before


def test_settings_of_an_unknown_board(runner, board) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["moderation", "settings", "nowhere", "--quorum", "1"])
    assert result.exit_code == 1
    assert "No board with the slug 'nowhere'" in result.output


def test_worker_needs_redis(runner, app) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["moderation", "worker", "--burst"])
    assert result.exit_code == 1
    assert "scoring runs in-process; set REDIS_URL to use workers" in result.output


def test_sweep_reports_how_many(runner, app) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["moderation", "sweep"])
    assert result.exit_code == 0, result.output
    assert "0 post(s)" in result.output


@with_lexicon
def test_sweep_scores_lost_posts_in_process(runner, app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        board = factories.board("entraide")
        post = factories.root_post(factories.thread(board, factories.user("Lou"), body="bof"))
        # As if the process scoring it had died: the post still awaits its scores.
        db.session.add(
            Assessment(
                post_id=post.id,
                revision=post.revision,
                action="awaiting",
                reasons=[],
                source="rules",
                created_at=utcnow() - timedelta(minutes=10),
            )
        )
        db.session.commit()
        post_id = post.id
    result = runner.invoke(args=["moderation", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 post(s) submitted again" in result.output
    assert _verdict(app, post_id) == ("publish_and_queue", "model", PostStatus.PUBLISHED)


@pytest.fixture
def redis_db() -> Iterator[object]:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisDown:
        if IN_CI:
            pytest.fail("CI=true but Redis does not answer")
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@contextlib.contextmanager
def signals_kept() -> Iterator[None]:
    """The worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _post_awaiting_scores(app, body: str) -> int:  # type: ignore[no-untyped-def]
    """A post submitted to Redis while no worker runs: it keeps its provisional status."""
    with app.app_context():
        board = factories.board("entraide")
        author = factories.user("Lou")
        post = factories.root_post(factories.thread(board, author, "Un sujet", body))
        assert pipeline.latest_assessment(post).action == "awaiting"
        assert post.status == PostStatus.PUBLISHED  # provisional (publish_and_queue)
        return post.id


def _verdict(app, post_id: int) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        post = db.session.get_one(Post, post_id)
        final = pipeline.latest_assessment(post)
        return final.action, final.source, post.status


@with_rq
def test_worker_burst_scores_the_waiting_posts(runner, app, redis_db) -> None:  # type: ignore[no-untyped-def]
    post_id = _post_awaiting_scores(app, "Tu es vraiment un idiot.")
    with signals_kept():
        result = runner.invoke(args=["moderation", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "0 post(s) whose scoring was lost" in result.output
    assert _verdict(app, post_id) == ("hold", "model", PostStatus.PENDING)


@with_rq
def test_worker_submits_again_posts_whose_job_was_lost(runner, app, redis_db) -> None:  # type: ignore[no-untyped-def]
    post_id = _post_awaiting_scores(app, "Merci pour vos messages, bof.")
    redis_db.flushdb()  # the job is lost (Redis restarted empty, say)
    with app.app_context():
        long_ago = utcnow() - timedelta(minutes=10)
        db.session.execute(update(Assessment).values(created_at=long_ago))
        db.session.commit()
    with signals_kept():
        result = runner.invoke(args=["moderation", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "1 post(s) whose scoring was lost submitted again" in result.output
    assert _verdict(app, post_id) == ("publish_and_queue", "model", PostStatus.PUBLISHED)
