"""Consistent backups of the SQLite database while the server runs.

SQLite's online backup API copies the database page by page inside one read transaction:
in WAL mode writers go on meanwhile, and the copy is the database as it stood at one
instant (every committed transaction before it, none after). The copy is written to a
temporary file next to its destination, checked (`PRAGMA integrity_check`, then
`foreign_key_check`), made readable by its owner only, and only then renamed into place:
a backup file either is whole and checked, or does not exist.

PostgreSQL has its own tools for this (`pg_dump`, `pg_restore`), which the command points to.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL

# Readers and writers of the live database wait for each other this long before failing.
BUSY_TIMEOUT_MS = 10_000
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


class BackupRefused(Exception):
    """The backup cannot or must not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    tables: dict[str, int]


def default_output(instance_path: str | Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path(instance_path) / "backups" / f"entrenous-{stamp}.db"


def postgres_instructions(url: URL) -> str:
    """The pg_dump and pg_restore commands for this database (no password in them)."""
    target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dump = f"entrenous-{stamp}.dump"
    return (
        "The database is PostgreSQL: back it up with pg_dump, which gives a consistent "
        "snapshot while the server runs (the password, if any, from PGPASSWORD or ~/.pgpass):\n"
        f"  pg_dump --format=custom --file={dump} '{target}'\n"
        "Restore it (server stopped; --clean replaces the tables that are in the dump):\n"
        f"  pg_restore --clean --if-exists --no-owner --dbname='{target}' {dump}"
    )


def sqlite_file(url: URL) -> Path:
    """The database file of a SQLite URL; refused for anything else."""
    if url.get_backend_name() == "postgresql":
        raise BackupRefused(postgres_instructions(url))
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(f"Backups of {url.get_backend_name()} databases are not supported.")
    if url.database in (None, "", ":memory:") or (url.query.get("mode") == "memory"):
        raise BackupRefused("The database is in memory: there is no file to back up.")
    path = Path(url.database)
    if not path.is_file():
        raise BackupRefused(f"The database file {path} does not exist.")
    return path


def _target_directory(output: Path) -> Path:
    """The output's folder, created (owner only) if missing."""
    directory = output.parent
    if not directory.exists():
        try:
            directory.mkdir(mode=DIRECTORY_MODE, parents=True)
        except OSError as error:
            raise BackupRefused(
                f"Cannot create the directory {directory}: {error.strerror or error}."
            ) from error
    if not directory.is_dir():
        raise BackupRefused(f"{directory} is not a directory.")
    return directory


def _check(copy: sqlite3.Connection) -> dict[str, int]:
    """Integrity and foreign keys of the copy; its tables' row counts."""
    problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupRefused("The copy failed its integrity check: " + "; ".join(problems[:5]))
    orphans = copy.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        raise BackupRefused(f"The copy has {len(orphans)} rows whose foreign keys point nowhere.")
    names = [
        row[0]
        for row in copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    # The names come from the copy's own catalogue, quoted as identifiers.
    return {
        name: copy.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
        for name in names
    }


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be synced
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _place(partial: Path, output: Path, force: bool) -> None:
    """Give the finished copy its name in one step."""
    if force:
        os.replace(partial, output)
        return
    try:
        # A hard link fails if the name was taken meanwhile: never overwrite a file unasked.
        os.link(partial, output)
    except FileExistsError as error:
        raise BackupRefused(f"{output} already exists (use --force to replace it).") from error


def backup_sqlite(source: Path, output: Path, *, force: bool = False) -> Backup:
    """Copy the live database `source` to `output`, checked, atomically, mode 0600."""
    output = output.absolute()
    if output.resolve() == source.resolve():
        raise BackupRefused("The output is the database itself.")
    directory = _target_directory(output)
    if output.is_dir():
        raise BackupRefused(f"{output} is a directory.")
    if output.exists() and not force:
        raise BackupRefused(f"{output} already exists (use --force to replace it).")
    try:
        fd, name = tempfile.mkstemp(
            dir=directory, prefix=f".{output.name}.", suffix=".partial"
        )  # created with mode 0600
    except OSError as error:
        raise BackupRefused(f"Cannot write in {directory}: {error.strerror or error}.") from error
    os.close(fd)
    partial = Path(name)
    try:
        live = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            copy = sqlite3.connect(partial, isolation_level=None)
            try:
                # pages=-1: one step, so the copy is one snapshot; in WAL mode it never
                # blocks the writers.
                live.backup(copy, pages=-1)
                # A single self-contained file: no -wal next to it, whatever the source used.
                copy.execute("PRAGMA journal_mode = DELETE")
                tables = _check(copy)
            finally:
                copy.close()
        finally:
            live.close()
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(partial, FILE_MODE)
        _place(partial, output, force)
    except sqlite3.Error as error:
        raise BackupRefused(f"The copy failed: {error}.") from error
    except OSError as error:
        raise BackupRefused(f"The copy failed: {error.strerror or error}.") from error
    finally:
        for leftover in (partial, *(Path(f"{partial}{s}") for s in ("-journal", "-wal", "-shm"))):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    _fsync_directory(directory)
    return Backup(path=output, size=output.stat().st_size, tables=tables)
