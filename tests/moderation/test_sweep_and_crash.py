"""Lost scoring jobs: after a crash, a restart, or with Redis down, every post is settled or
in front of people, with nobody posting again.

Real processes where it matters: gunicorn serving a SQLite file, its worker SIGKILLed in
the middle of scoring a post (with and without `--preload`), then the whole server killed
and started again; a child process forked after the app was made.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from models import Assessment, ItemState, PostStatus, ReviewItem, db, utcnow
from moderation import settings
from moderation.workflow import jobs, queue
from tests import factories
from tests.conftest import ROOT, locked_redis, make_app
from tests.moderation.test_jobs import HURTFUL, KIND, latest, lose_the_job, posted, status_of
from tests.moderation.test_jobs import wait_for as wait_for_db
from tests.scorers import LEXICON

WAIT = 90.0  # the longest any step may take before the test gives up
SETTLED_WITHIN = 60.0  # the promise: after a crash or a restart, a lost post is settled by then
DOWN = LEXICON | {"REDIS_URL": "redis://127.0.0.1:1/0", "MODERATION_WAIT_SECONDS": 0.1}
REDIS_URL = "redis://127.0.0.1:6379/5"
NO_WORKER = LEXICON | {"REDIS_URL": REDIS_URL, "MODERATION_WAIT_SECONDS": 0.1}


def poll(check: Callable[[], Any], timeout: float = WAIT) -> Any:
    """`check()` once it gives something true, or its last answer when time runs out."""
    deadline = time.monotonic() + timeout
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def items_of(post_id: int) -> list[tuple[list[str], ItemState]]:
    rows = db.session.scalars(
        select(ReviewItem).where(ReviewItem.post_id == post_id).order_by(ReviewItem.id)
    )
    return [(row.reasons, row.state) for row in rows]


def age(post_id: int, seconds: float) -> None:
    """As if the post had been stored `seconds` ago and its scores never came back."""
    db.session.execute(
        update(Assessment)
        .where(Assessment.post_id == post_id, Assessment.action == "awaiting")
        .values(created_at=utcnow() - timedelta(seconds=seconds))
    )
    db.session.commit()


# The thread starts with the application, in every process


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_a_restarted_process_settles_the_posts_left_awaiting_with_nobody_posting(app):
    with app.app_context():
        lou = factories.user("Lou")
        post = factories.root_post(factories.thread(factories.board("entraide"), lou))
        lose_the_job(post, HURTFUL)  # stored a moment ago; its process died before scoring it
        post_id = post.id
    started = time.monotonic()
    restarted = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], **LEXICON, MODERATION_FIRST_SWEEP_SECONDS=0.2
    )
    with restarted.app_context():
        assert wait_for_db(lambda: latest(post_id).action != "awaiting", timeout=10)
        took = time.monotonic() - started
        assert (latest(post_id).source, latest(post_id).action) == ("model", "hold")
        assert status_of(post_id) == PostStatus.PENDING
    assert took < 5


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_a_child_forked_after_the_app_was_made_sweeps_with_its_own_thread(app):
    """gunicorn --preload makes the app, then forks its workers: no thread survives a fork."""
    with app.app_context():
        lou = factories.user("Lou")
        post = factories.root_post(factories.thread(factories.board("entraide"), lou))
        lose_the_job(post, HURTFUL)
        post_id = post.id
        db.session.remove()
    # Read by the child's thread when it starts; the parent's sweeps in an hour.
    app.config["MODERATION_FIRST_SWEEP_SECONDS"] = 0.2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # forking a threaded process
        pid = os.fork()
    if pid == 0:
        code = 1
        try:
            with app.app_context():
                settled = wait_for_db(lambda: latest(post_id).action != "awaiting", timeout=20)
                code = 0 if settled else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)  # the child gives up after 20 s
    assert os.waitstatus_to_exitcode(status) == 0
    with app.app_context():
        assert (latest(post_id).source, latest(post_id).action) == ("model", "hold")


def test_the_first_sweep_waits_quietly_for_the_tables(tmp_path, caplog):
    """`flask db upgrade` on an empty database makes the app too: its sweep must not fill
    the terminal with tracebacks while the tables are being created."""
    caplog.set_level(logging.DEBUG, logger=jobs.__name__)
    make_app(f"sqlite:///{tmp_path / 'empty.db'}", MODERATION_FIRST_SWEEP_SECONDS=0.05)
    assert poll(lambda: any("no tables yet" in r.getMessage() for r in caplog.records), 10)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# Redis down when the member posts


@pytest.mark.parametrize("app", [DOWN], indirect=True)
@pytest.mark.parametrize(
    ("fallback", "status"),
    [("publish_and_queue", PostStatus.PUBLISHED), ("hold", PostStatus.PENDING)],
)
def test_with_redis_down_at_posting_time_the_board_fallback_applies_at_once(
    client, app, fallback, status
):
    with app.app_context():
        factories.board("entraide", fallback=fallback)
        factories.user("Lou")
    factories.login(client, "Lou")
    post_id, _ = posted(client, "entraide", HURTFUL)  # a redirect to the post: no error page
    with app.app_context():
        assert status_of(post_id) == status
        row = latest(post_id)
        assert (row.source, row.action) == ("fallback", fallback)
        assert "could not queue the scoring job" in (row.error or "")
        assert items_of(post_id) == [(["unscored"], ItemState.OPEN)]
        assert jobs.stale(older_than=0) == []  # settled: people decide from here
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["redis"] == "error"
    moderation = health.get_json()["moderation"]
    assert moderation["fallback_last_hour"] == 1
    assert moderation["unscored_open"] == 1
    assert moderation["awaiting_scores"] == 0


@pytest.mark.parametrize("app", [DOWN], indirect=True)
def test_with_redis_down_a_web_process_still_opens_the_items_of_unscored_posts(app):
    """No Redis, so no worker: the web process's own thread puts the post before people."""
    with app.app_context():
        lou = factories.user("Lou")
        post = factories.root_post(factories.thread(factories.board("entraide"), lou))
        db.session.execute(delete(ReviewItem))
        db.session.commit()
        lose_the_job(post, KIND, age=settings.UNSCORED_GRACE_SECONDS + 5)
        post_id = post.id
    restarted = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], **DOWN, MODERATION_FIRST_SWEEP_SECONDS=0.2
    )
    with restarted.app_context():
        assert wait_for_db(lambda: items_of(post_id), timeout=10)
        assert items_of(post_id) == [(["unscored"], ItemState.OPEN)]
        assert latest(post_id).action == "awaiting"


# The grace item: scores that never come back


@pytest.fixture
def redis5() -> Iterator[Any]:
    """Redis database 5, ours alone meanwhile, empty before and after."""
    with locked_redis(REDIS_URL) as connection:
        yield connection


@pytest.mark.parametrize("app", [NO_WORKER], indirect=True)
def test_a_post_unscored_past_the_grace_period_gets_one_review_item(client, app, redis5):
    """No worker runs: the jobs wait in Redis and the scores never come back."""
    with app.app_context():
        factories.board("entraide")
        factories.user("Lou")
    factories.login(client, "Lou")
    old, _ = posted(client, "entraide", HURTFUL)
    recent, _ = posted(client, "entraide", KIND)
    with app.app_context():
        age(old, settings.UNSCORED_GRACE_SECONDS + 5)
        age(recent, settings.UNSCORED_GRACE_SECONDS - 30)
        for _ in range(3):
            jobs.sweep()
        assert items_of(old) == [(["unscored"], ItemState.OPEN)]
        assert items_of(recent) == []  # its grace period is not over
        # The post stays as it was, and awaiting: a verdict may still come.
        assert status_of(old) == PostStatus.PUBLISHED
        assert latest(old).action == "awaiting"
    moderation = client.get("/healthz").get_json()["moderation"]
    assert (moderation["unscored_open"], moderation["awaiting_scores"]) == (1, 2)

    with app.app_context():
        # A worker comes back: the verdict applies, in the same item.
        assert jobs.score_post(old, 1) == "hold"
        assert status_of(old) == PostStatus.PENDING
        assert items_of(old) == [(["unscored", "toxicity"], ItemState.OPEN)]
        # A moderator who read an unscored post is not asked again at every sweep.
        age(recent, settings.UNSCORED_GRACE_SECONDS + 5)
        jobs.sweep()
        [item] = db.session.scalars(select(ReviewItem).where(ReviewItem.post_id == recent))
        assert queue.close(item, "approved")
        db.session.commit()
        jobs.sweep()
        assert items_of(recent) == [(["unscored"], ItemState.CLOSED)]
    assert client.get("/healthz").get_json()["moderation"]["unscored_open"] == 1


# gunicorn, killed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect comes back as its status


class Server:
    """`gunicorn -w 1 'app:create_app()'`, in a process group of its own."""

    def __init__(self, site: Site, name: str, preload: bool) -> None:
        self.log = site.folder / f"{name}.log"
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{site.port}",
            *(["--preload"] if preload else []),
            "app:create_app()",
        ]
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=site.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL to the master and its worker at once: a crash, a power cut."""
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(WAIT)


class Site:
    """The forum on a SQLite file, served by gunicorn, scored by `tests.scorers:Gated`
    (held back while `gate` exists), with a member's browser (cookies, CSRF tokens)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.database = folder / "forum.db"
        self.gate = folder / "gate"
        self.port = _free_port()
        self.env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_APP")}
        self.env |= {
            "PYTHONPATH": str(ROOT),
            "SECRET_KEY": "crash-test",
            "DATABASE_URL": f"sqlite:///{self.database}",
            "MODERATION_MODEL": "tests.scorers:Gated",
            "RATE_LIMITS": "off",
            "ENTRENOUS_SCORER_GATE": str(self.gate),
        }
        self.servers: list[Server] = []
        self.browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def flask(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=WAIT,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr, done.stderr

    def serve(self, preload: bool = False) -> Server:
        server = Server(self, f"gunicorn-{len(self.servers)}", preload)
        self.servers.append(server)
        return server

    def answers(self) -> bool:
        try:
            self.browser.open(f"http://127.0.0.1:{self.port}/login", timeout=5).close()
            return True
        except OSError:
            return False

    def send(self, path: str, fields: dict[str, str]) -> int:
        """Fill in the form at `path` and send it; the response's status."""
        url = f"http://127.0.0.1:{self.port}{path}"
        with self.browser.open(url, timeout=WAIT) as form:
            page = form.read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token is not None, page[:500]
        data = urllib.parse.urlencode({**fields, "csrf_token": token.group(1)}).encode()
        try:
            with self.browser.open(url, data, timeout=WAIT) as response:
                return int(response.status)
        except urllib.error.HTTPError as answer:
            return answer.code

    def sign_up(self, pseudonym: str) -> None:
        password = "un mot de passe bien long"
        fields = {"pseudonym": pseudonym, "password": password, "password_confirm": password}
        assert self.send("/register", fields | {"accept_charter": "y"}) == 302

    def post_in_background(self, body: str) -> threading.Thread:
        """Post a thread, from another thread: the test kills the server meanwhile."""

        def post() -> None:
            # The worker dies under the request: the member sees an error.
            with suppress(OSError, http.client.HTTPException):
                self.send("/boards/entraide/new", {"title": "Un sujet", "body": body})

        poster = threading.Thread(target=post, daemon=True)
        poster.start()
        return poster

    def marks(self, kind: str) -> set[int]:
        """Process ids that began (`scoring`) or finished (`scored`) scoring a text."""
        return {int(p.name.rsplit(".", 1)[1]) for p in self.folder.glob(f"gate.{kind}.*")}

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(self.database, timeout=10)) as connection:
            return connection.execute(sql, args).fetchall()

    def post_id(self, body: str) -> int:
        [(post_id,)] = self.query("SELECT id FROM posts WHERE body = ?", body)
        return int(post_id)

    def verdict(self, post_id: int) -> tuple[str, str] | None:
        """(source, action) of the post's verdict once it has one."""
        rows = self.query(
            "SELECT source, action FROM assessments WHERE post_id = ? ORDER BY id DESC LIMIT 1",
            post_id,
        )
        return (rows[0][0], rows[0][1]) if rows and rows[0][1] != "awaiting" else None

    def open_items(self, post_id: int) -> int:
        return len(
            self.query("SELECT id FROM review_items WHERE post_id = ? AND state = 'open'", post_id)
        )

    def logs(self) -> str:
        return "\n".join(f"--- {s.log.name}\n{s.log.read_text()[-3000:]}" for s in self.servers)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    site = Site(tmp_path)
    site.flask("db", "upgrade")
    site.flask("forum", "create-board", "--slug", "entraide", "--name", "Entraide", "--theme", "x")
    # Not held as a newcomer's post: only the sweep can settle the test's post.
    site.flask("moderation", "settings", "entraide", "--new-member-holds", "0")
    try:
        yield site
    finally:
        for server in site.servers:
            server.kill()


def _post_while_scoring(site: Site, server: Server, body: str) -> int:
    """Post with the scorer held back; the id of the process scoring the post."""
    site.gate.touch()
    before = site.marks("scoring")
    site.post_in_background(body)
    scoring = poll(lambda: site.marks("scoring") - before - {server.proc.pid})
    assert scoring, f"no worker began scoring the post\n{site.logs()}"
    [pid] = scoring
    return int(pid)


def _settles(site: Site, post_id: int, since: float) -> float:
    """Nobody posts, nobody even reads: the seconds until the post is settled."""
    assert site.verdict(post_id) is None
    assert site.open_items(post_id) == 0  # published, unscored, unreviewed: the bug
    verdict = poll(lambda: site.verdict(post_id), SETTLED_WITHIN)
    took = time.monotonic() - since
    assert verdict == ("model", "publish"), f"not settled in {took:.0f} s\n{site.logs()}"
    print(f"post {post_id} settled {took:.1f} s after the crash")
    return took


@pytest.mark.parametrize("preload", [False, True], ids=["fork-then-app", "preload"])
def test_a_worker_killed_mid_post_leaves_no_post_unsettled(site, preload):
    server = site.serve(preload)
    assert poll(site.answers), f"gunicorn did not start\n{site.logs()}"
    started = time.monotonic()
    site.sign_up("Lou")
    if preload:
        # The master made the app and has its own thread: let its first sweep pass, so
        # that only the new worker's can settle the post.
        time.sleep(max(0.0, started + jobs.FIRST_SWEEP_SECONDS + 1 - time.monotonic()))
    body = "Merci à vous, vos messages m'aident beaucoup."
    worker = _post_while_scoring(site, server, body)
    os.kill(worker, signal.SIGKILL)  # mid-post: the request waits for the verdict
    killed = time.monotonic()
    site.gate.unlink()  # the next worker's scorer answers at once
    post_id = site.post_id(body)  # stored before the kill: nothing is lost
    _settles(site, post_id, killed)
    # The master started a new worker, and that worker's own thread settled the post.
    assert site.marks("scored") - {worker, server.proc.pid}, site.logs()
    assert server.proc.poll() is None


def test_a_post_made_just_before_a_full_restart_is_settled(site):
    server = site.serve()
    assert poll(site.answers), f"gunicorn did not start\n{site.logs()}"
    site.sign_up("Lou")
    body = "Bonjour à tous, je découvre ce groupe."
    worker = _post_while_scoring(site, server, body)
    server.kill()  # the whole server, master and worker
    site.gate.unlink()
    restarted = time.monotonic()
    again = site.serve()
    post_id = site.post_id(body)
    _settles(site, post_id, restarted)
    assert site.marks("scored") - {worker, server.proc.pid, again.proc.pid}, site.logs()
