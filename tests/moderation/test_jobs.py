"""Scoring off the request path: the in-process runner and RQ workers, for real."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from forum.boards import services
from models import (
    Assessment,
    Board,
    Post,
    PostStatus,
    ReviewItem,
    Thread,
    db,
    set_write_intent,
    utcnow,
)
from moderation import settings
from moderation.workflow import jobs
from tests import factories
from tests.conftest import ROOT, locked_redis
from tests.scorers import LEXICON

SLOW = {"MODERATION_MODEL": "tests.scorers:Slow", "MODERATION_WAIT_SECONDS": 0.2}
REDIS_URL = "redis://127.0.0.1:6379/7"
RQ = LEXICON | {"REDIS_URL": REDIS_URL, "MODERATION_WAIT_SECONDS": 0.1}
HURTFUL = "Tu es vraiment un idiot."
KIND = "Merci pour vos messages, ils m'aident."


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll the database until `check` gives something true (each try in a fresh
    transaction, so that another thread's or process's commits are seen)."""
    set_write_intent(False)  # only reads here: never hold SQLite's write lock while polling
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        result = check()
        db.session.rollback()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def latest(post_id: int) -> Assessment:
    return db.session.scalars(
        select(Assessment).where(Assessment.post_id == post_id).order_by(Assessment.id.desc())
    ).first()


def status_of(post_id: int) -> PostStatus:
    return db.session.get_one(Post, post_id).status


def posted(client, slug: str, body: str) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """Post a thread; the id of its first post and how long the request took."""
    started = time.monotonic()
    response = client.post(f"/boards/{slug}/new", data={"title": "Un sujet", "body": body})
    took = time.monotonic() - started
    assert response.status_code == 302, response.data[:300]
    tid = int(response.headers["Location"].rsplit("/", 1)[1])
    with client.application.app_context():
        post_id = db.session.scalar(
            select(Post.id).where(Post.thread_id == tid, Post.parent_id.is_(None))
        )
    return post_id, took


# In-process runner


@pytest.mark.parametrize("app", [SLOW], indirect=True)
@pytest.mark.parametrize(
    ("fallback", "body", "provisional", "final", "action"),
    [
        ("publish_and_queue", HURTFUL, PostStatus.PUBLISHED, PostStatus.PENDING, "hold"),
        ("hold", KIND, PostStatus.PENDING, PostStatus.PUBLISHED, "publish"),
    ],
)
def test_a_slow_scorer_gives_a_provisional_status_then_the_final_one(
    client, app, fallback, body, provisional, final, action
):
    with app.app_context():
        factories.board("entraide", fallback=fallback)
        factories.user("Lou")
    factories.login(client, "Lou")
    post_id, took = posted(client, "entraide", body)
    assert took < 1.2  # the scorer takes 1.5 s; the request waited 0.2 s
    with app.app_context():
        assert status_of(post_id) == provisional
        assert latest(post_id).action == "awaiting"
        assert jobs.awaiting_count() == 1
        assert wait_for(lambda: latest(post_id).action != "awaiting")
        assert status_of(post_id) == final
        assert (latest(post_id).source, latest(post_id).action) == ("model", action)
        assert jobs.awaiting_count() == 0


@pytest.mark.parametrize("app", [SLOW], indirect=True)
def test_a_nudge_that_comes_too_late_holds_the_post_rather_than_hiding_it(client, app):
    with app.app_context():
        factories.board("entraide")
        factories.user("Lou")
    factories.login(client, "Lou")
    post_id, _ = posted(client, "entraide", "Ton idée est nulle.")
    with app.app_context():
        assert status_of(post_id) == PostStatus.PUBLISHED
        assert wait_for(lambda: latest(post_id).action != "awaiting")
        assert status_of(post_id) == PostStatus.PENDING


@pytest.fixture
def lou_post(ctx):  # type: ignore[no-untyped-def]
    """A published post by Lou, already scored."""
    board = factories.board("entraide")
    lou = factories.user("Lou")
    post = factories.root_post(factories.thread(board, lou, "Un sujet", KIND))
    assert latest(post.id).source == "model"
    return post


def lose_the_job(post: Post, body: str | None = None, age: float = 0) -> None:
    """As if the post had been stored and its scoring job lost (a crash, a restart)."""
    if body is not None:
        post.body = body
    db.session.add(
        Assessment(
            post_id=post.id,
            revision=post.revision,
            action="awaiting",
            reasons=[],
            source="rules",
            created_at=utcnow() - timedelta(seconds=age),
        )
    )
    db.session.commit()


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_a_job_for_an_older_revision_is_ignored(lou_post):
    services.edit_post(lou_post, "Nouvelle version, toujours gentille.")
    post = db.session.get_one(Post, lou_post.id)
    assert post.revision == 2
    before = len(db.session.scalars(select(Assessment)).all())
    assert jobs.score_post(post.id, 1) == "stale"
    assert jobs.score_post(post.id + 1000, 1) == "stale"
    assert len(db.session.scalars(select(Assessment)).all()) == before


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_a_board_with_low_nudge_thresholds_still_points_at_the_sentences(lou_post):
    # Sentences are ranked from the board's lowest nudge threshold, not the defaults' (0.2).
    board = db.session.get_one(Board, db.session.get_one(Thread, lou_post.thread_id).board_id)
    board.thresholds = {"queue": {"toxicity": 0.05}, "nudge": {"toxicity": 0.1}}
    db.session.commit()
    lose_the_job(lou_post, "Une première phrase tranquille. Franchement grmbl.")
    assert jobs.score_post(lou_post.id, 1) == "nudge"
    assert latest(lou_post.id).sentences == [["Franchement grmbl.", 0.12]]


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_scoring_is_idempotent(lou_post):
    lose_the_job(lou_post, HURTFUL)
    assert jobs.score_post(lou_post.id, 1) == "hold"
    assert jobs.score_post(lou_post.id, 1) == "done"
    rows = db.session.scalars(select(Assessment).where(Assessment.post_id == lou_post.id)).all()
    assert [row.action for row in rows] == ["awaiting", "publish", "awaiting", "hold"]
    assert status_of(lou_post.id) == PostStatus.PENDING
    items = db.session.scalars(select(ReviewItem)).all()
    assert len(items) == 1


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_a_deleted_post_is_not_scored(lou_post):
    lose_the_job(lou_post)
    services.delete_post(db.session.get_one(Post, lou_post.id))
    assert jobs.score_post(lou_post.id, 1) == "stale"
    assert jobs.stale(older_than=0) == []


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_posts_left_awaiting_are_found_and_scored_again(lou_post):
    assert jobs.stale(older_than=0) == []
    lose_the_job(lou_post, HURTFUL, age=5)
    assert jobs.stale() == []  # not yet: its job may still be running
    assert jobs.stale(older_than=0) == [(lou_post.id, 1)]
    lose_the_job(db.session.get_one(Post, lou_post.id), age=settings.STALE_AFTER_SECONDS + 5)
    assert jobs.stale() == [(lou_post.id, 1)]
    assert jobs.sweep() == 1
    assert wait_for(lambda: latest(lou_post.id).action != "awaiting")
    assert latest(lou_post.id).action == "hold"
    assert status_of(lou_post.id) == PostStatus.PENDING
    assert jobs.stale(older_than=0) == []
    assert jobs.sweep() == 0


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_an_older_revision_left_awaiting_is_not_stale(lou_post):
    lose_the_job(lou_post, age=settings.STALE_AFTER_SECONDS + 5)
    services.edit_post(db.session.get_one(Post, lou_post.id), "Une autre version.")
    assert jobs.stale(older_than=0) == []


# RQ runner, with a real Redis and a real worker process


@pytest.fixture
def redis7() -> Iterator[Any]:
    """Redis database 7, ours alone meanwhile, empty before and after."""
    with locked_redis(REDIS_URL) as connection:
        yield connection


WORKER = """
import sys
from redis import Redis
from rq import Queue, SimpleWorker
from app import create_app
from moderation.workflow import jobs, pipeline

database_url, redis_url, model, mode = sys.argv[1:5]
if mode == "crash":
    def crash(*args, **kwargs):
        raise RuntimeError("the worker lost its database")
    pipeline.conclude = crash
app = create_app({
    "SECRET_KEY": "worker", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
    "MODERATION_MODEL": model,
})
with app.app_context():
    connection = Redis.from_url(redis_url)
    queue = Queue(jobs.QUEUE_NAME, connection=connection)
    SimpleWorker([queue], connection=connection).work(burst=True)
"""


def run_worker(app, mode: str = "normal") -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """One RQ worker process, in burst mode: it handles what is queued, then exits."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            WORKER,
            app.config["SQLALCHEMY_DATABASE_URI"],
            app.config["REDIS_URL"],
            app.config["MODERATION_MODEL"],
            mode,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def rq_queue(connection):  # type: ignore[no-untyped-def]
    from rq import Queue

    return Queue(jobs.QUEUE_NAME, connection=connection)


@pytest.mark.parametrize("app", [RQ], indirect=True)
def test_posts_are_scored_by_an_rq_worker_process(client, app, redis7):
    with app.app_context():
        assert isinstance(jobs.runner(), jobs.RQRunner)
        factories.board("entraide")
        factories.user("Lou")
    factories.login(client, "Lou")
    hurtful, _ = posted(client, "entraide", HURTFUL)
    kind, _ = posted(client, "entraide", KIND)
    queued = rq_queue(redis7)
    assert len(queued) == 2
    with app.app_context():
        assert jobs.queue_depth() == 2
        assert status_of(hurtful) == PostStatus.PUBLISHED  # provisional
        assert latest(hurtful).action == "awaiting"
    run_worker(app)
    assert len(queued) == 0
    with app.app_context():
        assert status_of(hurtful) == PostStatus.PENDING
        assert (latest(hurtful).source, latest(hurtful).action) == ("model", "hold")
        assert status_of(kind) == PostStatus.PUBLISHED
        assert latest(kind).action == "publish"
        assert jobs.awaiting_count() == 0


@pytest.mark.parametrize("app", [RQ], indirect=True)
def test_a_failing_rq_job_is_retried_and_the_post_is_not_lost(client, app, redis7):
    from rq.job import Job

    with app.app_context():
        factories.board("entraide")
        factories.user("Lou")
    factories.login(client, "Lou")
    post_id, _ = posted(client, "entraide", HURTFUL)
    [job_id] = rq_queue(redis7).job_ids
    crashed = run_worker(app, "crash")
    assert "the worker lost its database" in crashed.stderr
    job = Job.fetch(job_id, connection=redis7)
    assert job.get_status() == "scheduled"  # retried later, 2 tries left
    assert job.retries_left == 2
    with app.app_context():
        post = db.session.get_one(Post, post_id)
        assert (post.status, post.body) == (PostStatus.PUBLISHED, HURTFUL)
        assert latest(post_id).action == "awaiting"
        assert jobs.stale(older_than=0) == [(post_id, 1)]
        # The sweeper submits it again; a healthy worker settles it.
        for row in db.session.scalars(select(Assessment).where(Assessment.post_id == post_id)):
            row.created_at = utcnow() - timedelta(seconds=settings.STALE_AFTER_SECONDS + 5)
        db.session.commit()
        assert jobs.sweep() == 1
    run_worker(app)
    with app.app_context():
        assert status_of(post_id) == PostStatus.PENDING
        assert latest(post_id).action == "hold"


FAST_SWEEP = {"MODERATION_FIRST_SWEEP_SECONDS": 0.05}


@pytest.mark.parametrize("app", [FAST_SWEEP, RQ | FAST_SWEEP], indirect=True)
def test_every_process_runs_the_periodic_tasks_from_its_moderation_thread(app, redis7):
    """The per-minute tasks (between-meetings threads, purges) run from the moderation
    thread with either runner, in an application context; one task failing does not stop
    the next, nor the thread."""
    import threading

    from flask import current_app

    ran = threading.Event()
    seen: list[str] = []

    def failing() -> None:
        raise RuntimeError("this task fails")

    def recording() -> None:
        seen.append(current_app.name)
        ran.set()

    jobs.stop(app)
    jobs.every_minute(app, failing)
    jobs.every_minute(app, recording)
    with app.app_context():
        jobs.runner().start()  # type: ignore[attr-defined]
    assert ran.wait(10), "the periodic tasks did not run"
    assert seen and seen[0] == app.name
