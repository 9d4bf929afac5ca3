"""Rate-limit counters kept in the database, so that every worker of every server counts
the same failures when there is no Redis.

A counter is a (scope, key) pair; each counted event is one row, and a moving window is
the rows of the last N seconds. Keys are keyed hashes made by the application (of a client
address with the day, of a pseudonym): no address and no pseudonym is ever written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import BigInteger, Connection, Index, Integer, String, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class RateLimitHit(Base):
    """One event a rate limit counts (a failed guess, an account created)."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (
        # The window of one counter: the newest rows of a (scope, key).
        Index("ix_rate_limit_hits_counter", "scope", "key", "at"),
        # The purge of rows older than the longest window.
        Index("ix_rate_limit_hits_at", "at"),
    )

    # Rows are purged within the hour, but the sequence only grows: 64 bits where it can.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column()


def newest(
    connection: Connection, scope: str, key: str, since: datetime, limit: int
) -> list[datetime]:
    """The times of the counter's newest `limit` events after `since`, newest first.

    Fewer than `limit`: the counter has room. Exactly `limit`: it has room again once the
    last of them (the oldest) leaves the window.
    """
    return list(
        connection.scalars(
            select(RateLimitHit.at)
            .where(RateLimitHit.scope == scope, RateLimitHit.key == key, RateLimitHit.at > since)
            .order_by(RateLimitHit.at.desc())
            .limit(limit)
        )
    )


def record(
    connection: Connection, counters: Iterable[tuple[str, str]], at: datetime, expired: datetime
) -> None:
    """Counts one event on each (scope, key), and forgets every event before `expired`."""
    rows = [{"scope": scope, "key": key, "at": at} for scope, key in counters]
    if rows:
        connection.execute(insert(RateLimitHit), rows)
    connection.execute(delete(RateLimitHit).where(RateLimitHit.at < expired))
