"""Fixtures: every test runs on SQLite and, when it answers, on PostgreSQL."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from app import create_app
from models import db
from moderation.workflow import jobs

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Cheap scrypt parameters: the tests create many accounts.
TEST_PASSWORD_METHOD = "scrypt:1024:8:1"


def _postgres_answers() -> bool:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


BACKENDS = ["sqlite"]
if _postgres_answers():
    BACKENDS.append("postgresql")
elif IN_CI:
    raise pytest.UsageError(f"CI=true but PostgreSQL does not answer at {PG_URL}")


def shared_path(*parts: str) -> Path:
    """A file of ../shared; skipped where absent (a user's clone), a failure in CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing, and CI=true requires it")
        pytest.skip(f"{path} is absent (shared material is not part of a clone)")
    return path


@contextlib.contextmanager
def locked_redis(url: str) -> Iterator[Any]:
    """A Redis database of its own for one test: empty before and after, and ours alone
    meanwhile (another test run on this machine waits for the file lock, which is released
    even if this process dies). Skipped where Redis does not answer; a failure in CI."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    lock_path = Path(tempfile.gettempdir()) / f"entrenous-tests-redis-{make_url(url).database}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        connection = Redis.from_url(url, socket_connect_timeout=2)
        try:
            connection.flushdb()
        except RedisDown:
            if IN_CI:
                pytest.fail(f"CI=true but Redis does not answer at {url}")
            pytest.skip(f"Redis does not answer at {url}")
        try:
            yield connection
        finally:
            connection.flushdb()
            connection.close()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """For PostgreSQL: a schema of our own for this session, dropped at the end."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    schema = f"entrenous_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    request.config._entrenous_pg_url = url.render_as_string(hide_password=False)  # type: ignore[attr-defined]
    engine = create_engine(request.config._entrenous_pg_url)  # type: ignore[attr-defined]
    from models import Base

    Base.metadata.create_all(engine)
    engine.dispose()
    try:
        yield "postgresql"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'entrenous.db'}"
    return request.config._entrenous_pg_url  # type: ignore[attr-defined]


# Every application made here, so that its moderation thread is stopped after the test.
_made: list = []


def make_app(url: str, **config):  # type: ignore[no-untyped-def]
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_METHOD,
        "SERVER_NAME": None,
        # Posting limits have their own tests, which turn them on.
        "RATE_LIMITS": "off",
        # The forum's tests are not the classifier's: its own tests and the browser test
        # load the real model; hostile corpora posted here must not depend on its opinion.
        "MODERATION_MODEL": "tests.scorers:Calm",
        # The moderation thread starts with each app; its sweep would race tests that lay
        # down posts awaiting scores. Those that want it (test_sweep_and_crash.py) say so.
        "MODERATION_FIRST_SWEEP_SECONDS": 3600,
    }
    settings.update(config)
    application = create_app(settings)
    _made.append(application)
    return application


@pytest.fixture(autouse=True)
def _stop_moderation_threads() -> Iterator[None]:
    """Stop the moderation thread of every app a test made, and close its connections,
    whatever the test did."""
    yield
    while _made:
        made = _made.pop()
        jobs.stop(made)
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(backend: str, request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    extra = getattr(request, "param", {}) or {}
    application = make_app(database_url(backend, request, tmp_path), **extra)
    with application.app_context():
        if backend == "sqlite":
            db.create_all()
        else:
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
    yield application
    jobs.stop(application)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):  # type: ignore[no-untyped-def]
    """An application context, for tests that call services directly."""
    with app.app_context():
        yield


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):  # type: ignore[no-untyped-def]
    """Counts the SQL statements run while the returned counter is active."""
    with app.app_context():
        engine = db.engine
    counter = QueryCounter()
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)
