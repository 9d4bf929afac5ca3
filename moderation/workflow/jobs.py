"""Scoring runs off the request path, through a small job interface.

- In-process (default): one background thread per process scores posts one after another.
- RQ (when `REDIS_URL` is set): `flask moderation worker` processes score posts; jobs are
  retried when a worker dies or fails.

A posting request stores the post with a provisional status, submits it, and waits a few
seconds for the verdict (so a nudge can come back in the composer); when the scorer is
slow the page shows the provisional status and the job settles it later. When the job
cannot even be queued (Redis down), the board's fallback applies at once.

Every process has a moderation thread from the moment the application is created (and
again in a child forked after that). A few seconds after it starts it sweeps: posts whose
job was lost (a crash, a restart) are submitted again, every one still awaiting on this
first sweep, since a process starts with no job of its own in flight; then every minute,
those awaiting for longer than a job can take. Posts still unscored after a grace period
get a review item, so that people read them even if scoring never comes back: nothing is
lost, nothing escapes review.
"""

from __future__ import annotations

import logging
import os
import queue as queues
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import ColumnElement, Select, String, and_, cast, exists, func, inspect, or_, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import aliased

from models import (
    Assessment,
    Board,
    ItemState,
    Post,
    ReviewItem,
    Thread,
    db,
    utcnow,
    write_intent,
)

from .. import settings
from ..classifier import scoring
from . import lifecycle, pipeline, queue

log = logging.getLogger(__name__)

QUEUE_NAME = "entrenous-scoring"
EXTENSION = "entrenous_jobs"
PERIODIC = "entrenous_periodic"
# The first sweep after a process starts: soon, since a restart is when jobs are lost, but
# not at once: `flask db upgrade` may still be creating the tables.
FIRST_SWEEP_SECONDS = 5.0
# One scoring thread per process: the scorer's own thread pool uses the cores.
_scoring_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="entrenous-scorer")


class Handle(Protocol):
    def wait(self, timeout: float) -> bool: ...


class Runner(Protocol):
    name: str

    def submit(self, post_id: int, revision: int) -> Handle: ...


def models_dir() -> Path:
    """Where `fetch-model` puts (and `original`, `unbiased`, `multilingual` load) the
    official weights: MODERATION_MODELS_DIR, or the instance folder's `models`."""
    configured = current_app.config.get("MODERATION_MODELS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "models"


def _score(
    spec: str, text: str, timeout: float, rank_from: float
) -> tuple[scoring.Scores, list[tuple[str, float]]]:
    scorer = scoring.registry.get(spec, models_dir())
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
    post = db.session.get(
        Post, post_id, with_for_update=True if lock else None, populate_existing=lock
    )
    if post is None or lifecycle.text_of(post, revision) is None:
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
        text = lifecycle.text_of(found[0], revision) or ""
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


# Moderation threads of this process, started again in a child forked after they started.
_threads: weakref.WeakSet[_Background] = weakref.WeakSet()
_fork_hook = threading.Lock()
_fork_hook_registered = False


def _watch_forks(background: _Background) -> None:
    global _fork_hook_registered
    _threads.add(background)
    with _fork_hook:
        if not _fork_hook_registered and hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_after_fork_in_child)
            _fork_hook_registered = True


def _after_fork_in_child() -> None:
    """A forked child (gunicorn --preload) has none of its parent's threads, and the locks
    those threads held stay held: it gets a scoring pool, a scorer lock and moderation
    threads of its own, and no pooled database connection of its parent's."""
    global _scoring_pool
    _scoring_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="entrenous-scorer")
    scoring.registry._lock = threading.Lock()  # the parent may have been loading the model
    for background in list(_threads):
        background.after_fork()


def _schema_ready() -> bool:
    return inspect(db.engine).has_table(Assessment.__tablename__)


class _Background:
    """This process's moderation thread: started with the application, started again in a
    child forked after that, ended by `stop`. It sweeps `MODERATION_FIRST_SWEEP_SECONDS`
    after it starts, then every SWEEP_EVERY."""

    SWEEP_EVERY = 60.0

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wanted = False  # whether this process should have the thread running

    def start(self) -> None:
        with self._lock:
            self._wanted = True
            if self._thread is None or not self._thread.is_alive():
                self._before_start()
                self._thread = threading.Thread(
                    target=self._work, name="entrenous-moderation", daemon=True
                )
                self._thread.start()
        _watch_forks(self)

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            self._wanted = False
            thread = self._thread
        if thread is not None and thread.is_alive():
            self._ask_to_stop()
            thread.join(timeout)

    def after_fork(self) -> None:
        self._lock = threading.Lock()
        self._thread = None
        self._fresh()
        with self.app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)  # the parent's connections stay the parent's
        if self._wanted:
            self.start()

    def _first_sweep_after(self) -> float:
        return float(self.app.config["MODERATION_FIRST_SWEEP_SECONDS"])

    def _sweep(self, first: bool) -> bool:
        """One sweep; False when it could not run (the next one tries again)."""
        with self.app.app_context():
            try:
                if not _schema_ready():
                    log.debug("no tables yet (a migration may be running): sweep skipped")
                    return False
                self._sweep_now(first)
                _run_periodic(self.app)
                return True
            except DatabaseError as error:
                # Unreachable, or a migration under way.
                log.warning("sweep skipped, the database did not answer: %s", error.orig)
            except Exception:  # noqa: BLE001 - the thread never dies
                log.exception("sweeping posts awaiting scores failed")
            finally:
                db.session.remove()
        return False

    def _fresh(self) -> None:
        """State of this process's own, after a fork: the parent's is not ours."""

    def _before_start(self) -> None:
        pass

    def _ask_to_stop(self) -> None:
        raise NotImplementedError

    def _work(self) -> None:
        raise NotImplementedError

    def _sweep_now(self, first: bool) -> None:
        raise NotImplementedError


class InProcessRunner(_Background):
    """A daemon thread per process, started with the application: it scores the posts
    submitted, one after another, and sweeps now and then."""

    name = "in-process"
    _STOP = (0, 0, _Done())

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self.jobs: queues.Queue[tuple[int, int, _Done]] = queues.Queue()
        self._pending: set[tuple[int, int]] = set()

    def submit(self, post_id: int, revision: int) -> Handle:
        done = _Done()
        with self._lock:
            self._pending.add((post_id, revision))
        self.jobs.put((post_id, revision, done))
        self.start()  # again, if it was stopped
        return done

    def pending(self, post_id: int, revision: int) -> bool:
        """Whether a job for this post is queued or running in this process."""
        with self._lock:
            return (post_id, revision) in self._pending

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the jobs already queued, then end the thread."""
        super().stop(timeout)

    def _fresh(self) -> None:
        # The jobs queued in the parent are the parent's to run.
        self.jobs = queues.Queue()
        self._pending = set()

    def _ask_to_stop(self) -> None:
        self.jobs.put(self._STOP)

    def _work(self) -> None:
        due = time.monotonic() + self._first_sweep_after()
        first = True
        while True:
            try:
                job = self.jobs.get(timeout=max(0.0, due - time.monotonic()))
            except queues.Empty:
                job = None
            if job is self._STOP:
                return
            if job is not None:
                self._run(*job)
            if time.monotonic() >= due:
                # Until one sweep has run, the next is still the first.
                first = first and not self._sweep(first)
                due = time.monotonic() + self.SWEEP_EVERY

    def _run(self, post_id: int, revision: int, done: _Done) -> None:
        with self.app.app_context():
            try:
                score_post(post_id, revision)
            except Exception:  # noqa: BLE001 - the worker never dies on one post
                log.exception("scoring job for post %s failed", post_id)
            finally:
                db.session.remove()
                with self._lock:
                    self._pending.discard((post_id, revision))
                done.event.set()

    def _sweep_now(self, first: bool) -> None:
        # The first sweep takes every post still awaiting: this process has no job in
        # flight yet, and another's, submitted twice, is settled once (score_post).
        sweep(limit=100, older_than=0 if first else None)


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


class RQRunner(_Background):
    """Jobs on a Redis queue for `flask moderation worker` processes, retried on failure.

    The workers submit lost jobs again; the thread of each web process only opens the
    review items of posts unscored past the grace period, which needs no Redis and no
    worker: if both are down, people still read what was posted."""

    name = "rq"

    def __init__(self, url: str, app: Flask) -> None:
        from redis import Redis
        from rq import Queue

        super().__init__(app)
        self.redis = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self.queue = Queue(QUEUE_NAME, connection=self.redis)
        self._stopping = threading.Event()

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

    def _fresh(self) -> None:
        self._stopping = threading.Event()

    def _before_start(self) -> None:
        self._stopping.clear()  # started again after a stop

    def _ask_to_stop(self) -> None:
        self._stopping.set()

    def _work(self) -> None:
        wait = self._first_sweep_after()
        while not self._stopping.wait(wait):
            self._sweep(first=False)
            wait = self.SWEEP_EVERY

    def _sweep_now(self, first: bool) -> None:
        flag_unscored()


def every_minute(app: Flask, task: Callable[[], object]) -> None:
    """Run `task` in every process's moderation thread, after each sweep (a few seconds
    after the process starts, then every minute), inside an application context. Every
    process runs it: a task must be safe to run at once in several (the database decides,
    by its unique keys and conditional updates, who does the work)."""
    app.extensions.setdefault(PERIODIC, []).append(task)


def _run_periodic(app: Flask) -> None:
    for task in app.extensions.get(PERIODIC, ()):
        try:
            task()
        except DatabaseError as error:
            db.session.rollback()
            log.warning("%s skipped, the database did not answer: %s", task, error.orig)
        except Exception:  # noqa: BLE001 - one task's failure must not stop the others
            db.session.rollback()
            log.exception("periodic task %s failed", task)
        finally:
            db.session.remove()


def init_app(app: Flask) -> None:
    app.config.setdefault("MODERATION_WAIT_SECONDS", settings.SCORING_WAIT_SECONDS)
    app.config.setdefault("MODERATION_SCORER_TIMEOUT", 30.0)
    app.config.setdefault("MODERATION_FIRST_SWEEP_SECONDS", FIRST_SWEEP_SECONDS)
    url = app.config.get("REDIS_URL")
    current = RQRunner(url, app) if url else InProcessRunner(app)
    app.extensions[EXTENSION] = current
    # With the application, in every process: after a crash or a restart nobody has to
    # post again for the lost jobs to be found.
    current.start()


def stop(app: Flask, timeout: float = 10.0) -> None:
    """End the application's moderation thread (the in-process runner first finishes the
    jobs already queued)."""
    current = app.extensions.get(EXTENSION)
    if isinstance(current, _Background):
        current.stop(timeout)


def runner() -> Runner:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def submit_and_wait(post_id: int, revision: int) -> bool:
    """Submit the post for scoring and wait a little for its verdict. False when the wait
    ran out. When the job cannot be queued (Redis down), the board's fallback applies at
    once, as when the scorer fails: the post gets its status and a review item, and is not
    scored later (people decide; it never stays published without an item meanwhile)."""
    # The caller committed the post; end any read transaction opened since (reading the
    # post's id opens one): SQLite would go on showing the caller a snapshot older than
    # the verdict, or a writing request would hold the write lock the job needs.
    db.session.commit()
    try:
        handle = runner().submit(post_id, revision)
    except Exception as failure:  # noqa: BLE001 - Redis down
        error = f"could not queue the scoring job: {failure.__class__.__name__}: {failure}"
        log.warning("post %s: %s (board fallback applies)", post_id, error)
        try:
            _fall_back(post_id, revision, error)
        except Exception:  # noqa: BLE001 - it stays awaiting: the sweep's grace item
            log.exception("post %s: the board fallback could not be applied", post_id)
            return False
        return True
    return handle.wait(float(current_app.config["MODERATION_WAIT_SECONDS"]))


def _fall_back(post_id: int, revision: int, error: str) -> str:
    """The board's fallback for a post awaiting its scores, as for a failing scorer."""
    with write_intent():
        try:
            found = _awaiting(post_id, revision, lock=True)
            if isinstance(found, str):
                db.session.rollback()
                return found
            post = found[0]
            board = db.session.scalars(
                select(Board).join(Thread).where(Thread.id == post.thread_id)
            ).one()
            verdict = pipeline.conclude(post, board, None, error=error)
            db.session.commit()
            return verdict.action.value
        except Exception:
            db.session.rollback()
            raise


def _latest_awaiting(columns: tuple[Any, ...], cutoff: datetime) -> Select[Any]:
    """Posts whose latest assessment of their current revision awaits scores since
    `cutoff` or earlier."""
    later = aliased(Assessment)
    return (
        select(*columns)
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
    )


def stale(limit: int = 100, older_than: float | None = None) -> list[tuple[int, int]]:
    """(post id, revision) of posts whose latest assessment still awaits scores."""
    seconds = settings.STALE_AFTER_SECONDS if older_than is None else older_than
    cutoff = utcnow() - timedelta(seconds=seconds)
    rows = db.session.execute(_latest_awaiting((Post.id, Post.revision), cutoff).limit(limit))
    return [(post_id, revision) for post_id, revision in rows]


def _mentions_unscored(item: Any) -> ColumnElement[bool]:
    # The reasons are a JSON list: its text holds "unscored", quoted, when it is one.
    return cast(item.reasons, String).like('%"unscored"%')


def flag_unscored(limit: int = 100) -> int:
    """Open a review item ("unscored") for each post whose scores have not come back after
    the grace period, once: people read it even if scoring never comes back. The post
    keeps its status (published or held by the board's fallback) and stays awaiting, so a
    later verdict still applies. Not again once people have reviewed this revision.
    Returns how many posts were flagged."""
    cutoff = utcnow() - timedelta(seconds=settings.UNSCORED_GRACE_SECONDS)
    item = aliased(ReviewItem)
    reviewed = exists().where(
        item.post_id == Post.id,
        or_(
            and_(item.state == ItemState.OPEN, _mentions_unscored(item)),
            item.closed_at >= Assessment.created_at,
        ),
    )
    found = db.session.execute(
        _latest_awaiting((Post.id, Post.revision, Thread.board_id), cutoff)
        .join(Thread, Thread.id == Post.thread_id)
        .where(~reviewed)
        .limit(limit)
    ).all()
    if not found:
        return 0
    db.session.commit()  # end the read: the writing transaction below starts as one
    flagged = 0
    with write_intent():
        try:
            for post_id, revision, board_id in found:
                locked = _awaiting(post_id, revision, lock=True)
                if isinstance(locked, str) or lifecycle.decided_by_people(locked[0], revision):
                    continue  # settled, or people decided: the verdict would only inform
                queue.open_item(locked[0], board_id, ["unscored"])
                flagged += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    if flagged:
        log.warning(
            "%d post(s) still without scores after %d s: review items opened",
            flagged,
            settings.UNSCORED_GRACE_SECONDS,
        )
    return flagged


def awaiting_count() -> int:
    """Posts whose scores have not come back yet (capped at 10,000)."""
    return len(stale(limit=10_000, older_than=0))


def unscored_open() -> int:
    """Open review items of posts the scorer did not judge (its fallback applied, or no
    verdict came within the grace period)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ReviewItem)
            .where(ReviewItem.state == ItemState.OPEN, _mentions_unscored(ReviewItem))
        )
        or 0
    )


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


def sweep(limit: int = 1000, older_than: float | None = None) -> int:
    """Open the review items of posts unscored past the grace period, and submit again
    every post whose scoring was lost (awaiting for longer than `older_than`, by default
    STALE_AFTER_SECONDS). Returns how many were submitted."""
    flag_unscored()
    current = runner()
    submitted = 0
    for post_id, revision in stale(limit=limit, older_than=older_than):
        if isinstance(current, InProcessRunner) and current.pending(post_id, revision):
            continue  # already queued here
        current.submit(post_id, revision)
        submitted += 1
    return submitted


def queue_depth() -> int | None:
    current = runner()
    return len(current.queue) if isinstance(current, RQRunner) else None
