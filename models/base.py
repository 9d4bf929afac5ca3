"""Declarative base, the unbound `db` extension and SQLite connection settings."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


# Whether the transactions opened in this context will write. On SQLite a writing
# transaction must take the write lock when it begins (BEGIN IMMEDIATE): upgrading a
# read transaction later fails at once with "database is locked" when another writer
# got there first, whereas BEGIN IMMEDIATE waits for the busy timeout.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "entrenous_write_intent", default=False
)


def set_write_intent(value: bool) -> None:
    _write_intent.set(value)


@contextlib.contextmanager
def write_intent(value: bool = True) -> Iterator[None]:
    """Transactions begun inside write (True) or only read (False)."""
    token = _write_intent.set(value)
    try:
        yield
    finally:
        _write_intent.reset(token)


# How long a SQLite writer waits for another one's lock before giving up ("database is
# locked"); the app's SQLITE_BUSY_TIMEOUT_MS setting overrides it.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def configure_sqlite(engine: Engine, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    """WAL, foreign keys, a busy timeout and explicit BEGIN [IMMEDIATE] on every connection.

    pysqlite's own transaction handling is switched off (isolation_level=None) so that
    SQLAlchemy's "begin" event decides how each transaction starts, as the SQLAlchemy
    documentation recommends for SQLite.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
