"""A scoring worker killed in the middle of a batch: nothing is lost, the jobs are retried,
every post ends up scored (published or held), and nothing is judged twice.

Real processes throughout: `flask moderation worker` is started, SIGKILLed while it holds a
job, and workers are started again, on Redis database 3.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from models import Assessment, Post, PostStatus, ReviewItem, Thread, db, set_write_intent, utcnow
from moderation import settings
from moderation.workflow import jobs
from tests import factories
from tests.conftest import ROOT, locked_redis
from tests.scorers import Steady

REDIS_URL = "redis://127.0.0.1:6379/3"
STEADY = {
    "MODERATION_MODEL": "tests.scorers:Steady",
    "REDIS_URL": REDIS_URL,
    "MODERATION_WAIT_SECONDS": 0,  # the writers do not wait for the verdicts
}
REPLIES = 30
HURTFUL = "Tu es vraiment un idiot."  # held by the Lexicon scores
KILL_AFTER = 8  # posts settled before the worker is killed
# Killed this soon after it took a job, the worker is still in the scorer's sleep.
JUST_STARTED = timedelta(seconds=Steady.DELAY / 4)
WAIT = 120.0  # the longest any step may take before the test gives up


@pytest.fixture
def redis3() -> Iterator[Any]:
    """Redis database 3, ours alone meanwhile (another test run on this machine waits for
    it), empty before and after."""
    with locked_redis(REDIS_URL) as connection:
        yield connection


class Worker:
    """`flask --app app moderation worker`, a real process in a process group of its own
    (with the RQ scheduler it forks), killed with it at the end whatever happens."""

    def __init__(self, app, log: Path, *, burst: bool) -> None:  # type: ignore[no-untyped-def]
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SECRET_KEY": "worker",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": app.config["REDIS_URL"],
            "MODERATION_MODEL": app.config["MODERATION_MODEL"],
        }
        command = [sys.executable, "-m", "flask", "--app", "app", "moderation", "worker"]
        self.log = log
        self._out = log.open("w")
        self.proc = subprocess.Popen(
            [*command, "--burst"] if burst else command,
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL: no clean-up, no goodbye, as the OOM killer or a power cut would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(WAIT)
        self._out.close()

    def finish(self) -> str:
        """Wait for a burst worker to empty the queue and stop; its output."""
        try:
            code = self.proc.wait(WAIT)
        finally:
            self.kill()
        output = self.log.read_text()
        assert code == 0, output
        return output


def settle_state() -> dict[int, list[str]]:
    """Each reply's assessments, oldest first (read in a fresh transaction)."""
    db.session.rollback()
    rows = db.session.execute(
        select(Assessment.post_id, Assessment.action)
        .join(Post, Post.id == Assessment.post_id)
        .where(Post.parent_id.is_not(None))
        .order_by(Assessment.id)
    ).all()
    state: dict[int, list[str]] = {}
    for post_id, action in rows:
        state.setdefault(post_id, []).append(action)
    db.session.rollback()
    return state


def awaiting(state: dict[int, list[str]]) -> set[int]:
    return {post_id for post_id, actions in state.items() if actions[-1] == "awaiting"}


def poll(check: Callable[[], Any], what: str, worker: Worker) -> Any:
    deadline = time.monotonic() + WAIT
    while not (found := check()):
        if worker.proc.poll() is not None:
            pytest.fail(f"the worker stopped before {what}:\n{worker.log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)
    return found


@pytest.mark.parametrize("app", [STEADY], indirect=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_judges_nothing_twice(app, redis3, tmp_path):
    from rq import Queue
    from rq.job import Job
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
    from rq.scheduler import RQScheduler

    queue = Queue(jobs.QUEUE_NAME, connection=redis3)
    started = StartedJobRegistry(queue=queue)
    with app.app_context():
        set_write_intent(False)  # the test only reads while workers write
        board = factories.board("entraide")
        lou, sam = factories.user("Lou"), factories.user("Sam")
        thread = factories.thread(board, lou, "Un sujet", "Bonjour à vous.")
        bodies = {}
        for n in range(REPLIES):
            body = HURTFUL if n % 3 == 0 else f"Merci, message {n}, ça m'aide."
            bodies[factories.reply(thread, sam, body).id] = body
        thread_id = thread.id
        assert awaiting(settle_state()) == set(bodies)
        # Provisionally published (the board's fallback), so readers see them meanwhile.
        assert db.session.get_one(Thread, thread_id).reply_count == REPLIES
    assert len(queue) == REPLIES + 1  # and the thread's first post

    def just_started() -> Job | None:
        """The job the worker began a moment ago: it is still scoring (Steady.DELAY)."""
        for job_id in started.get_job_ids():
            job = Job.fetch(job_id, connection=redis3)
            if job.started_at and datetime.now(UTC) - job.started_at < JUST_STARTED:
                return job
        return None

    # A worker starts on the batch and is killed while it scores a post.
    first = Worker(app, tmp_path / "first.log", burst=False)
    try:
        with app.app_context():
            poll(
                lambda: (
                    len(bodies) - len(awaiting(settle_state())) >= KILL_AFTER and just_started()
                ),
                f"{KILL_AFTER} posts scored and a job just started",
                first,
            )
    finally:
        first.kill()
    [abandoned] = started.get_job_ids()  # RQ still believes it runs
    abandoned_post = Job.fetch(abandoned, connection=redis3).args[0]
    with app.app_context():
        state = settle_state()
    left = awaiting(state)
    assert KILL_AFTER <= len(bodies) - len(left) < len(bodies)
    # The posts left are the one the worker was scoring, and those still queued.
    queued = {Job.fetch(job_id, connection=redis3).args[0] for job_id in queue.job_ids}
    assert left - {abandoned_post} <= queued

    # Two minutes later two workers come back at once. Each first submits again the posts
    # still awaiting their scores (the sweep), so many posts now have two or three jobs,
    # which the two workers run side by side.
    with app.app_context():
        db.session.execute(
            update(Assessment)
            .where(Assessment.action == "awaiting")
            .values(created_at=utcnow() - timedelta(seconds=settings.STALE_AFTER_SECONDS + 5))
        )
        db.session.commit()
    again = [Worker(app, tmp_path / f"again-{n}.log", burst=True) for n in range(2)]
    outputs = [worker.finish() for worker in again]
    assert any(f"{len(left)} post(s) whose scoring was lost" in out for out in outputs), outputs
    assert len(queue) == 0

    # RQ's own net: after its timeout, the abandoned job counts as failed and is retried;
    # by then its post is settled, and the retry changes nothing.
    assert abandoned in started.get_job_ids()
    job = Job.fetch(abandoned, connection=redis3)
    started.cleanup(timestamp=time.time() + job.timeout + 61)  # as RQ's maintenance will
    job.refresh()
    assert (job.get_status(), job.retries_left) == ("scheduled", 2)
    # The killed worker's scheduler left its lock, which lapses a minute after its last
    # heartbeat: until then no other scheduler enqueues retries. Let it lapse now.
    redis3.delete(RQScheduler.get_locking_key(jobs.QUEUE_NAME))
    due = ScheduledJobRegistry(queue=queue).get_scheduled_time(job)
    while (wait := due.timestamp() - time.time()) > 0:
        time.sleep(wait + 0.05)
    Worker(app, tmp_path / "retry.log", burst=True).finish()
    job.refresh()
    assert job.get_status() == "finished"
    assert job.return_value() == "done"  # its post was settled already: nothing written
    assert FailedJobRegistry(queue=queue).get_job_ids() == []

    with app.app_context():
        state = settle_state()
        assert awaiting(state) == set()
        # One verdict per post, never two: no post judged twice, none lost.
        assert {post_id: len(actions) for post_id, actions in state.items()} == dict.fromkeys(
            bodies, 2
        )
        posts = {p.id: p for p in db.session.scalars(select(Post).where(Post.id.in_(bodies)))}
        held = {post_id for post_id, body in bodies.items() if body == HURTFUL}
        for post_id, body in bodies.items():
            post = posts[post_id]
            assert post.body == body and post.deleted_at is None
            wanted = PostStatus.PENDING if post_id in held else PostStatus.PUBLISHED
            assert post.status == wanted, (post_id, state[post_id])
            assert state[post_id][-1] == ("hold" if post_id in held else "publish")
        sources = Counter(
            db.session.scalars(
                select(Assessment.source).where(
                    Assessment.post_id.in_(bodies), Assessment.action != "awaiting"
                )
            )
        )
        assert sources == {"model": REPLIES}
        # One review item per held post, no duplicate.
        items = db.session.scalars(select(ReviewItem.post_id)).all()
        assert sorted(items) == sorted(held)
        published = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(
                Post.thread_id == thread_id,
                Post.parent_id.is_not(None),
                Post.status == PostStatus.PUBLISHED,
            )
        )
        assert db.session.get_one(Thread, thread_id).reply_count == published
        assert published == REPLIES - len(held)
        assert jobs.awaiting_count() == 0


@pytest.mark.parametrize("app", [STEADY], indirect=True)
def test_two_jobs_for_one_post_run_side_by_side_settle_it_once(app, redis3, tmp_path):
    """The sweep and RQ's retry of an abandoned job both give a post a second job; two
    workers may run them at the same moment. The post is judged once, its thread's count
    moved once."""
    from rq import Queue

    queue = Queue(jobs.QUEUE_NAME, connection=redis3)
    with app.app_context():
        set_write_intent(False)
        board = factories.board("entraide")
        lou, sam = factories.user("Lou"), factories.user("Sam")
        thread = factories.thread(board, lou, "Un sujet", "Bonjour à vous.")
        bodies = {}
        for n in range(20):
            body = HURTFUL if n % 2 == 0 else f"Merci, message {n}."
            bodies[factories.reply(thread, sam, body).id] = body
        thread_id = thread.id
    queue.empty()
    for post_id in bodies:  # each post's two jobs next to each other: one per worker
        for _ in range(2):
            queue.enqueue("moderation.workflow.jobs.score_post", post_id, 1)
    workers = [Worker(app, tmp_path / f"worker-{n}.log", burst=True) for n in range(2)]
    for worker in workers:
        worker.finish()

    with app.app_context():
        state = settle_state()
        assert state == {
            post_id: ["awaiting", "hold" if body == HURTFUL else "publish"]
            for post_id, body in bodies.items()
        }
        held = sorted(post_id for post_id, body in bodies.items() if body == HURTFUL)
        assert sorted(db.session.scalars(select(ReviewItem.post_id))) == held
        assert db.session.get_one(Thread, thread_id).reply_count == len(bodies) - len(held)
