"""Logs that keep no one: no client address, browser or referring page in any log line,
no member's text in a database error, no hash of address and browser in the session.

The first test runs gunicorn as production does (gunicorn.conf.py, a SQLite file made by
the migrations) and reads every file it wrote; the others look at the app in process.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import current_app, request
from sqlalchemy import text

from forum import logs
from models import db
from tests import factories
from tests.conftest import IN_CI, ROOT

CLIENT = "127.0.0.1"  # every request below leaves from this address...
SERVER = "127.0.0.2"  # ...to gunicorn, listening here (Linux answers on all of 127/8)
USER_AGENT = "EntrenousProbe/7.3 (device-fingerprint-Q9Z)"
REFERER = "https://referer.example/came-from-Q9Z"
FORWARDED_FOR = "203.0.113.77"
PROBE = {"User-Agent": USER_AGENT, "Referer": REFERER, "X-Forwarded-For": FORWARDED_FOR}
# What a member wrote, sent with a statement the database refuses.
MEMBER_TEXT = "Ce que j'ai écrit ne doit jamais finir dans un journal Q9Z"
NEVER_LOGGED = [CLIENT, USER_AGENT, "device-fingerprint-Q9Z", REFERER, "came-from-Q9Z"]
NEVER_LOGGED += [FORWARDED_FOR, MEMBER_TEXT, "jamais finir"]
PASSWORD = "une phrase de passe longue"
BOARD = "entraide"
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# Variables of the app, of gunicorn.conf.py and of gunicorn that must come from this test.
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
START_TIMEOUT = 60
COMMAND_TIMEOUT = 120


def _environment(database: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in OWN_VARIABLES}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY="logs-test-secret",
        MODERATION_MODEL="tests.scorers:Calm",
        PYTHONPATH=str(ROOT),  # the app, and gunicorn's workers, find tests.scorers
    )
    return env


def _flask(database: Path, *command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *command],
        cwd=ROOT,
        env=_environment(database),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        try:
            probe.bind((SERVER, 0))
        except OSError as error:  # macOS answers on 127.0.0.1 alone
            if IN_CI:
                raise
            pytest.skip(f"cannot listen on {SERVER}: {error}")
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[Any]) -> None:
    """Ends gunicorn's master and its worker: they share the process group it leads."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
        os.killpg(process.pid, signal.SIGKILL)  # whatever is left of the group
    except ProcessLookupError:
        pass
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)


class Browser:
    """Requests from 127.0.0.1 with a telling User-Agent, Referer and X-Forwarded-For,
    keeping cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = dict(PROBE)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(
            SERVER, self.port, timeout=30, source_address=(CLIENT, 0)
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = response.read().decode()
        finally:
            connection.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response.status, page

    def submit(self, path: str, **fields: str) -> int:
        status, page = self.request("GET", path)
        assert status == 200, (path, status)
        token = CSRF_TOKEN.search(page)
        assert token, f"no CSRF token on {path}"
        return self.request("POST", path, {"csrf_token": token.group(1), **fields})[0]

    def malformed(self) -> bytes:
        """A request line gunicorn cannot parse, on a raw socket."""
        with socket.create_connection(
            (SERVER, self.port), timeout=30, source_address=(CLIENT, 0)
        ) as raw:
            raw.sendall(
                b"THIS IS NOT HTTP AT ALL\r\nUser-Agent: " + USER_AGENT.encode() + b"\r\n\r\n"
            )
            return raw.recv(1024)


class Served:
    """A running gunicorn: a browser to it, its database, the folder of its logs."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, database: Path, logs: Path):
        self.process = process
        self.browser = Browser(port)
        self.database = database
        self.logs = logs

    def stop(self) -> dict[str, str]:
        """Stops gunicorn (its files are then complete) and reads every log it wrote."""
        _stop(self.process)
        return _read(self.logs)


def _read(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(errors="replace") for path in sorted(folder.glob("*.log"))}


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Served]:
    """gunicorn -c gunicorn.conf.py, one worker, access and error logs in files (and its
    output in a third); stopped at teardown whatever happened."""
    port = _free_port()
    database = tmp_path / "entrenous.db"
    _flask(database, "db", "upgrade")
    _flask(
        database,
        "forum",
        "create-board",
        "--slug",
        BOARD,
        "--name",
        "Entraide",
        "--theme",
        "emotions",
    )
    folder = tmp_path / "logs"
    folder.mkdir()
    args = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "1"]
    args += ["-b", f"{SERVER}:{port}", "--no-control-socket", "--log-level", "debug"]
    args += ["--access-logfile", str(folder / "access.log")]
    args += ["--error-logfile", str(folder / "error.log")]
    with (folder / "output.log").open("wb") as output:
        process = subprocess.Popen(
            [*args, "app:create_app()"],
            cwd=ROOT,
            env=_environment(database),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(process, port, database, folder)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited ({process.returncode}): {_read(folder)}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if served.browser.request("GET", "/static/style.css")[0] == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer in {START_TIMEOUT} s: {_read(folder)}")
            time.sleep(0.2)
        yield served
    finally:
        _stop(process)


def test_gunicorn_logs_keep_no_address_browser_referer_nor_member_text(gunicorn):
    browser = gunicorn.browser
    assert browser.request("GET", "/")[0] == 200
    assert browser.request("GET", "/no-such-page")[0] == 404
    assert browser.malformed().startswith(b"HTTP/1.1 400")
    status = browser.submit(
        "/register",
        pseudonym="Héron Discret",
        password=PASSWORD,
        password_confirm=PASSWORD,
        accept_charter="y",
    )
    assert status == 302, status
    # From now on the database refuses every new post: a bug, as far as the app can tell.
    with contextlib.closing(sqlite3.connect(gunicorn.database, timeout=30)) as connection:
        connection.execute(
            "CREATE TRIGGER refuse_posts BEFORE INSERT ON posts "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
        connection.commit()
    status = browser.submit(f"/boards/{BOARD}/new", title="Un titre", body=MEMBER_TEXT)
    assert status == 500, status

    written = gunicorn.stop()
    everything = "\n".join(written.values())
    for secret in NEVER_LOGGED:
        leaks = [line for line in everything.splitlines() if secret in line]
        assert not leaks, (secret, leaks)

    # Still a useful log: what was asked, how it went, what went wrong.
    access = written["access.log"]
    assert '"GET /static/style.css HTTP/1.1" 200' in access
    assert '"GET /no-such-page HTTP/1.1" 404' in access
    assert '"POST /register HTTP/1.1" 302' in access
    assert f'"POST /boards/{BOARD}/new HTTP/1.1" 500' in access
    error = written["error.log"]
    assert "Invalid request from ip=-: Invalid HTTP request line" in error
    assert f"Exception on /boards/{BOARD}/new [POST]" in error
    assert "refused by the test" in error and "INSERT INTO posts" in error
    assert "[SQL parameters hidden due to hide_parameters=True]" in error
    # The server's own address, where it listens, is not a client's: it stays.
    assert f"Listening at: http://{SERVER}:" in error


# --- in process --------------------------------------------------------------------------------


@pytest.fixture
def failing(app):  # type: ignore[no-untyped-def]
    """The app with one more page, which logs who asked (as careless code might) then runs
    a statement the database refuses, carrying a member's text. Unhandled errors are
    logged, as in production, instead of reaching the test."""

    @app.post("/test-only/failing")
    def _failing():  # type: ignore[no-untyped-def]
        current_app.logger.warning(
            "asked by %s with %s from %s", request.remote_addr, request.user_agent, request.referrer
        )
        db.session.execute(text("INSERT INTO posts (body) VALUES (:body)"), {"body": MEMBER_TEXT})
        return "not reached"

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_a_database_error_logs_neither_the_members_text_nor_the_client(failing, caplog, backend):
    caplog.set_level(logging.INFO)  # SQLAlchemy's statement log too: its parameters are hidden
    response = failing.test_client().post(
        "/test-only/failing",
        headers={"User-Agent": USER_AGENT, "Referer": REFERER},
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    assert response.status_code == 500
    assert MEMBER_TEXT not in response.get_data(as_text=True)
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    for secret in [MEMBER_TEXT, "jamais finir", "198.51.100.23", USER_AGENT, REFERER]:
        assert secret not in logged, secret
    assert "asked by - with - from -" in logged
    assert "Exception on /test-only/failing [POST]" in logged
    assert "IntegrityError" in logged and "INSERT INTO posts (body)" in logged
    assert "[SQL parameters hidden due to hide_parameters=True]" in logged
    if backend == "postgresql":  # its DETAIL quotes the refused row: withheld
        assert logs.DETAIL_REMOVED in logged


def _session(app, client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("session")
    assert cookie is not None
    return dict(app.session_interface.get_signing_serializer(app).loads(cookie.value))


def test_the_session_cookie_holds_no_hash_of_address_and_browser(app, client):
    with app.app_context():
        factories.user("Lou")
    headers = {"User-Agent": USER_AGENT}
    response = client.post(
        "/login",
        data={"pseudonym": "Lou", "password": factories.PASSWORD, "remember": "y"},
        headers=headers,
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    assert response.status_code == 302
    device = hashlib.sha512(f"198.51.100.23|{USER_AGENT.encode()}".encode()).hexdigest()
    signed_in = _session(app, client)
    assert "_user_id" in signed_in
    assert "_id" not in signed_in and device not in repr(signed_in)

    # The browser was closed: only the remember-me cookie brings the member back.
    client.delete_cookie("session")
    assert client.get("/me", headers=headers).status_code == 200
    again = _session(app, client)
    assert "_user_id" in again and "_id" not in again and device not in repr(again)


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Invalid request from ip=192.0.2.7: bad", "Invalid request from ip=-: bad"),
        ("Invalid request from ip=::1: bad", "Invalid request from ip=-: bad"),
        ("[2001:db8::7]:8000 and fe80::1%eth0", "[-]:8000 and -"),
        ("::ffff:192.0.2.7 connected", "- connected"),
        ("at 12:34:56, version 1.2.3", "at 12:34:56, version 1.2.3"),  # times, versions stay
        ("version 1.2.3.4", "version -"),  # four parts: an address for all anyone can tell
        ("oid 1.3.6.1.4.1 and 10.0.0.256", "oid 1.3.6.1.4.1 and 10.0.0.256"),
    ],
)
def test_addresses_are_taken_out_of_any_text(line, kept):
    assert logs.without_addresses(line) == kept


def test_any_logger_loses_addresses_and_a_custom_access_format_brings_none_back(app, caplog):
    from gunicorn.glogging import SafeAtoms

    caplog.set_level(logging.INFO)
    logging.getLogger("entrenous.anything").warning("client %s said %r", "198.51.100.23", "hi")
    atoms = SafeAtoms(
        {
            "h": "198.51.100.23",
            "a": USER_AGENT,
            "f": REFERER,
            "r": "GET /a-page HTTP/1.1",
            "s": "200",
            "{x-forwarded-for}i": f"{FORWARDED_FOR}, 198.51.100.23",
            "{user-agent}i": USER_AGENT,
            "{http_referer}e": REFERER,
            "{remote_addr}e": "198.51.100.23",
        }
    )
    fmt = '%(h)s "%(r)s" %(s)s %(a)s %(f)s %({x-forwarded-for}i)s %({http_referer}e)s %(U)s'
    logging.getLogger("gunicorn.access").info(fmt, atoms)
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0] == "client - said 'hi'"
    assert lines[1] == '- "GET /a-page HTTP/1.1" 200 - - - - -'
