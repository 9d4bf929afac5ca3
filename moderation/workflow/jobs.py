"""Scoring runs off the request path, through a small job interface.

- In-process (default): one background thread per process scores posts one after another.
- RQ (when `REDIS_URL` is set): `flask moderation worker` processes score posts; jobs are
  retried when a worker dies or fails.

A posting request stores the post with a provisional status, submits it, and waits a few
seconds for the verdict (so a nudge can come back in the composer); when the scorer is
slow the page shows the provisional status and the job settles it later. Posts whose job
was lost (a crash, a restart) are found by `sweep` and submitted again: nothing is lost.
"""

from __future__ import annotations

import logging
import queue as queues
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from models import Assessment, Board, Post, Thread, db, utcnow, write_intent

from .. import scoring, settings
from . import pipeline

log = logging.getLogger(__name__)

QUEUE_NAME = "entrenous-scoring"
EXTENSION = "entrenous_jobs"
# One scoring thread per process: the scorer's own thread pool uses the cores.
_scoring_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="entrenous-scorer")


class Handle(Protocol):
    def wait(self, timeout: float) -> bool: ...


class Runner(Protocol):
    name: str

    def submit(self, post_id: int, revision: int) -> Handle: ...


def _score(
    spec: str, text: str, timeout: float, rank_from: float
) -> tuple[scoring.Scores, list[tuple[str, float]]]:
    scorer = scoring.registry.get(spec)
    future = _scoring_pool.submit(scoring.score_text, scorer, text, rank_from)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        raise TimeoutError(f"the scorer took longer than {timeout:g} s") from None


def _awaiting(post_id: int, revision: int, lock: bool = False) -> tuple[Post, Assessment] | str:
    """The post and its pending assessment, or why there is nothing to do (stale, done).

    `lock` takes the post's row lock first (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers): two jobs for one post (the sweep and RQ's retry of an abandoned
    job both make them) then settle it once, the second seeing the first's verdict.
    """
    post = db.session.get(Post, post_id, with_for_update=True if lock else None)
    if post is None or post.revision != revision or post.deleted_at is not None:
        return "stale"
    awaiting = pipeline.latest_assessment(post)
    if awaiting is None or awaiting.action != pipeline.Action.AWAITING:
        return "done"
    return post, awaiting


def score_post(post_id: int, revision: int) -> str:
    """The job: score the post's text and settle its status. Idempotent; never raises for
    one bad post (the post goes to the board's fallback instead)."""
    try:
        found = _awaiting(post_id, revision)
        if isinstance(found, str):
            return found
        text = found[0].body
        # Sentences are ranked only to show the author of a nudged post which weigh most:
        # from the board's lowest nudge threshold up.
        board_thresholds = db.session.scalar(
            select(Board.thresholds).join(Thread).where(Thread.id == found[0].thread_id)
        )
        rank_from = min(settings.thresholds(board_thresholds)["nudge"].values())
    finally:
        db.session.rollback()  # no transaction stays open while the scorer works

    scores: scoring.Scores | None = None
    sentences: list[tuple[str, float]] | None = None
    error = ""
    config = current_app.config
    try:
        scores, sentences = _score(
            config["MODERATION_MODEL"],
            text,
            float(config["MODERATION_SCORER_TIMEOUT"]),
            rank_from,
        )
    except Exception as failure:  # noqa: BLE001 - any failure goes to human review
        error = f"{failure.__class__.__name__}: {failure}"
        # A missing scorer is logged once a minute by the registry; anything else each time.
        level = logging.INFO if isinstance(failure, scoring.ScorerUnavailable) else logging.WARNING
        log.log(level, "scoring post %s failed, board fallback applies: %s", post_id, error)

    with write_intent():
        try:
            found = _awaiting(post_id, revision, lock=True)
            if isinstance(found, str):
                return found
            post, awaiting = found
            thread = db.session.get_one(Thread, post.thread_id)
            board = db.session.get_one(Board, thread.board_id)
            waited = (utcnow() - awaiting.created_at).total_seconds()
            unattended = waited > float(config["MODERATION_WAIT_SECONDS"])
            verdict = pipeline.conclude(
                post, board, scores, sentences, error, unattended=unattended
            )
            db.session.commit()
            return verdict.action.value
        except Exception:
            db.session.rollback()
            raise


class _Done:
    def __init__(self) -> None:
        self.event = threading.Event()

    def wait(self, timeout: float) -> bool:
        return self.event.wait(timeout)


class InProcessRunner:
    """A daemon thread per process, started on first use; it also sweeps now and then."""

    name = "in-process"
    SWEEP_EVERY = 60.0

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.jobs: queues.Queue[tuple[int, int, _Done]] = queues.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, post_id: int, revision: int) -> Handle:
        done = _Done()
        self.jobs.put((post_id, revision, done))
        self._start()
        return done

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="entrenous-moderation", daemon=True
                )
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the jobs already queued, then end the thread."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            self.jobs.put(self._STOP)
            thread.join(timeout)

    _STOP = (0, 0, _Done())

    def _work(self) -> None:
        last_sweep = time.monotonic()
        while True:
            try:
                job = self.jobs.get(timeout=self.SWEEP_EVERY)
            except queues.Empty:
                self._sweep()
                last_sweep = time.monotonic()
                continue
            if job is self._STOP:
                return
            post_id, revision, done = job
            with self.app.app_context():
                try:
                    score_post(post_id, revision)
                except Exception:  # noqa: BLE001 - the worker never dies on one post
                    log.exception("scoring job for post %s failed", post_id)
                finally:
                    db.session.remove()
                    done.event.set()
            if time.monotonic() - last_sweep > self.SWEEP_EVERY:
                self._sweep()
                last_sweep = time.monotonic()

    def _sweep(self) -> None:
        with self.app.app_context():
            try:
                for post_id, revision in stale(limit=100):
                    self.jobs.put((post_id, revision, _Done()))
            except Exception:  # noqa: BLE001
                log.exception("sweeping posts awaiting scores failed")
            finally:
                db.session.remove()


class _RQDone:
    FINAL = {"finished", "failed", "stopped", "canceled"}

    def __init__(self, job: Any) -> None:
        self.job = job

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.job.get_status(refresh=True)
            if getattr(status, "value", status) in self.FINAL:
                return True
            time.sleep(0.05)
        return False


class RQRunner:
    """Jobs on a Redis queue for `flask moderation worker` processes, retried on failure."""

    name = "rq"

    def __init__(self, url: str) -> None:
        from redis import Redis
        from rq import Queue

        self.redis = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self.queue = Queue(QUEUE_NAME, connection=self.redis)

    def submit(self, post_id: int, revision: int) -> Handle:
        from rq import Retry

        job = self.queue.enqueue(
            "moderation.workflow.jobs.score_post",
            post_id,
            revision,
            retry=Retry(max=3, interval=[5, 30, 120]),
            job_timeout=300,
            result_ttl=600,
            failure_ttl=7 * 24 * 3600,
        )
        return _RQDone(job)


def init_app(app: Flask) -> None:
    app.config.setdefault("MODERATION_WAIT_SECONDS", settings.SCORING_WAIT_SECONDS)
    app.config.setdefault("MODERATION_SCORER_TIMEOUT", 30.0)
    url = app.config.get("REDIS_URL")
    app.extensions[EXTENSION] = RQRunner(url) if url else InProcessRunner(app)


def stop(app: Flask) -> None:
    current = app.extensions.get(EXTENSION)
    if isinstance(current, InProcessRunner):
        current.stop()


def runner() -> Runner:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def submit_and_wait(post_id: int, revision: int) -> bool:
    """Submit the post for scoring and wait a little for its verdict. False when the wait
    ran out or the queue is unreachable (the sweeper submits it again later)."""
    try:
        handle = runner().submit(post_id, revision)
    except Exception:  # noqa: BLE001 - Redis down: the post keeps its provisional status
        log.exception("could not queue post %s for scoring; it will be swept up", post_id)
        return False
    return handle.wait(float(current_app.config["MODERATION_WAIT_SECONDS"]))


def stale(limit: int = 100, older_than: float | None = None) -> list[tuple[int, int]]:
    """(post id, revision) of posts whose latest assessment still awaits scores."""
    seconds = settings.STALE_AFTER_SECONDS if older_than is None else older_than
    cutoff = utcnow() - timedelta(seconds=seconds)
    later = aliased(Assessment)
    rows = db.session.execute(
        select(Post.id, Post.revision)
        .join(
            Assessment,
            and_(Assessment.post_id == Post.id, Assessment.revision == Post.revision),
        )
        .where(
            Assessment.action == pipeline.Action.AWAITING.value,
            Assessment.created_at <= cutoff,
            Post.deleted_at.is_(None),
            ~exists().where(
                later.post_id == Assessment.post_id,
                later.revision == Assessment.revision,
                later.id > Assessment.id,
            ),
        )
        .order_by(Post.id)
        .limit(limit)
    ).all()
    return [(post_id, revision) for post_id, revision in rows]


def awaiting_count() -> int:
    """Posts whose scores have not come back yet (capped at 10,000)."""
    return len(stale(limit=10_000, older_than=0))


def fallback_count(seconds: int) -> int:
    """Posts the board's fallback handled recently because the scorer failed or was missing."""
    since = utcnow() - timedelta(seconds=seconds)
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.source == "fallback", Assessment.created_at >= since)
        )
        or 0
    )


def sweep(limit: int = 1000) -> int:
    """Submit again every post whose scoring was lost. Returns how many."""
    found = stale(limit=limit)
    for post_id, revision in found:
        runner().submit(post_id, revision)
    return len(found)


def queue_depth() -> int | None:
    current = runner()
    return len(current.queue) if isinstance(current, RQRunner) else None
