"""The sign-in and sign-up limits hold under real gunicorn workers, without Redis.

Issue 16, finding 4: each worker counted in its own memory, so with 2 workers the first
429 came at the 19th wrong password instead of the 11th, and 7 accounts were made from one
address against a limit of 5. Here `gunicorn -w 2` serves the app as the README's example
does (no REDIS_URL, CSRF on), on a SQLite file and on PostgreSQL, every request on a fresh
connection so that both workers answer; the access log names the worker of each request.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models import db
from tests import factories
from tests.conftest import BACKENDS, PG_URL, ROOT, make_app
from tests.http_browser import Browser

WORKERS = 2
START_TIMEOUT = 90
# The app's settings and gunicorn's that must come from this test alone.
OWN_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "RATE_LIMITS",
    "SECRET_KEY",
    "MODERATION_MODEL",
    "MODERATION_MODELS_DIR",
    "TRUSTED_PROXIES",
    "FORWARDED_ALLOW_IPS",
    "GUNICORN_CMD_ARGS",
    "PYTHONPATH",
}
# The README's numbers: wrong passwords per account and client in 15 minutes, accounts
# created per client in an hour.
PER_ACCOUNT_AND_CLIENT = 10
REGISTRATIONS = 5
BIRDS = ["Colibri", "Mésange", "Pinson", "Fauvette", "Linotte", "Bouvreuil", "Verdier"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _flask(url: str, *command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *command],
        cwd=ROOT,
        env=_environment(url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _environment(url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in OWN_VARIABLES}
    env.update(
        DATABASE_URL=url,
        SECRET_KEY="workers-test-secret",
        MODERATION_MODEL="tests.scorers:Calm",
        PYTHONPATH=str(ROOT),  # gunicorn's workers import the app and tests.scorers from here
    )
    return env


@pytest.fixture(scope="module", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A database made as an operator makes one: `flask db upgrade` (the migrations)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('workers') / 'entrenous.db'}"
        return
    schema = f"entrenous_workers_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(PG_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Server:
    port: int
    access_log: Path

    @contextlib.contextmanager
    def one_worker_held(self) -> Iterator[None]:
        """Keep one sync worker busy (a request whose headers never end) until the block
        ends: meanwhile every request goes to the other one."""
        stalled = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        try:
            stalled.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            time.sleep(0.3)  # accepted before the next connection comes
            yield
        finally:
            stalled.close()

    def on_both_workers(self, first_half: Any, second_half: Any) -> None:
        """Run `first_half()` on one worker and `second_half()` on the other, for sure: hold
        worker A, run the first half (on B), hold B, release A, run the second half (on A)."""
        holding_a = self.one_worker_held()
        holding_a.__enter__()
        try:
            first_half()
            with self.one_worker_held():
                holding_a.__exit__(None, None, None)
                holding_a = None
                time.sleep(0.3)  # A is back at accept()
                second_half()
        finally:
            if holding_a is not None:
                holding_a.__exit__(None, None, None)

    def workers_of(self, method: str, path: str) -> set[str]:
        """The process ids of the workers that answered these requests."""
        lines = self.access_log.read_text().splitlines()
        return {line.split()[0] for line in lines if line.split()[1:3] == [method, path]}


@pytest.fixture(scope="module")
def server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`gunicorn -c gunicorn.conf.py -w 2`, stopped at the end whatever happens."""
    _flask(database, "db", "upgrade")
    folder = tmp_path_factory.mktemp("gunicorn")
    port, access_log, output = _free_port(), folder / "access.log", folder / "gunicorn.log"
    args = ["-c", "gunicorn.conf.py", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}"]
    # No control socket: its default path is shared by every gunicorn of this user.
    args += ["--no-control-socket", "--access-logfile", str(access_log)]
    args += ["--access-logformat", "%(p)s %(m)s %(U)s %(s)s"]
    with output.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *args, "app:create_app()"],
            cwd=ROOT,
            env=_environment(database),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited ({process.returncode}):\n{output.read_text()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if Browser(port).request("GET", "/static/style.css")[0] == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer in {START_TIMEOUT} s:\n{output.read_text()}")
            time.sleep(0.2)
        yield Server(port, access_log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def refused(status: int, headers: Any, page: str) -> bool:
    return (
        status == 429
        and int(headers["Retry-After"]) > 0
        and "Too many attempts. Please wait" in factories.text_of(page)
    )


def test_wrong_passwords_are_counted_once_whichever_worker_answers(server: Server, database: str):
    app = make_app(database)
    with app.app_context():
        factories.user("Galet")
        db.session.remove()
        db.engine.dispose()
    statuses = []

    def attempts(count: int) -> None:
        for _ in range(count):
            status, headers, page = Browser(server.port).submit(
                "/login", pseudonym="Galet", password="pas le bon mot de passe"
            )
            statuses.append(status)
            if status == 429:
                assert refused(status, headers, page)

    # Half of the guesses on each worker: counted in one process's memory, the second
    # worker would start again from zero.
    half = PER_ACCOUNT_AND_CLIENT // 2
    server.on_both_workers(lambda: attempts(half), lambda: attempts(half + 3))
    assert statuses.index(429) == PER_ACCOUNT_AND_CLIENT  # the 11th attempt, not the 19th
    assert statuses == [400] * PER_ACCOUNT_AND_CLIENT + [429] * 3
    assert len(server.workers_of("POST", "/login")) == WORKERS, "one worker answered them all"
    # Even the right password waits, from this client.
    assert (
        Browser(server.port).submit("/login", pseudonym="Galet", password=factories.PASSWORD)[0]
        == 429
    )


def test_exactly_the_documented_number_of_accounts_from_one_address(server: Server):
    statuses = []

    def sign_ups(birds: list[str]) -> None:
        for bird in birds:
            response = Browser(server.port).submit(
                "/register",
                pseudonym=f"{bird} Tranquille",
                password="une phrase de passe",
                password_confirm="une phrase de passe",
                accept_charter="y",
            )
            statuses.append(response[0])

    half = REGISTRATIONS // 2 + 1
    server.on_both_workers(lambda: sign_ups(BIRDS[:half]), lambda: sign_ups(BIRDS[half:]))
    assert statuses == [302] * REGISTRATIONS + [429] * (len(BIRDS) - REGISTRATIONS)
    assert len(server.workers_of("POST", "/register")) == WORKERS, "one worker answered them all"
