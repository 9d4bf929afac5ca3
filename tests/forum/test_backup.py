"""`flask forum backup`: a consistent copy of the live SQLite database, and its restore;
PostgreSQL's own tools (pg_dump, pg_restore) for PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from forum import backup as backups
from models import Post, Thread, User, db, write_intent
from moderation.workflow import jobs
from tests import factories
from tests.conftest import BACKENDS, IN_CI, PG_URL, make_app

WRITTEN_BEFORE = 30  # replies the writer commits before the backup starts
WRITTEN_AFTER = 30  # and after it ended


@pytest.fixture
def sqlite_app(tmp_path):  # type: ignore[no-untyped-def]
    """An app on a SQLite file, with a board, two members and a thread."""
    application = make_app(f"sqlite:///{tmp_path / 'live.db'}")
    application.instance_path = str(tmp_path / "instance")
    with application.app_context():
        db.create_all()
        board = factories.board("entraide")
        lou = factories.user("Lou")
        factories.user("Sam")
        factories.thread(board, lou, "Un sujet", "Bonjour à vous.")
    yield application
    jobs.stop(application)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def live_file(app) -> Path:  # type: ignore[no-untyped-def]
    return Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)


def ids(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The ids of the fixture's thread and of Sam, who replies in it."""
    with app.app_context():
        found = {
            "thread": db.session.scalars(select(Thread.id)).one(),
            "sam": db.session.scalars(select(User.id).where(User.pseudonym == "Sam")).one(),
        }
        db.session.remove()
        return found


def stored_replies(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.parent_id.is_not(None))
        )
        db.session.remove()
        return count


class Writer(threading.Thread):
    """A member who keeps replying, each reply its own transaction (post, assessment and
    the thread's reply count together), until told to stop."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.app = app
        self.written = 0
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.progress = threading.Condition()

    def run(self) -> None:
        known = ids(self.app)
        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    with write_intent():
                        thread = db.session.get_one(Thread, known["thread"])
                        sam = db.session.get_one(User, known["sam"])
                        factories.reply(thread, sam, f"Réponse numéro {self.written}.")
                    db.session.remove()
                    with self.progress:
                        self.written += 1
                        self.progress.notify_all()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error
            with self.progress:
                self.progress.notify_all()

    def wait_for(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(
                lambda: self.written >= count or self.error is not None, timeout=60
            )
        assert self.error is None, self.error

    def finish(self) -> None:
        self.stop.set()
        self.join(60)
        assert self.error is None, self.error


def check_copy(path: Path, thread_id: int) -> dict[str, int]:
    """What a consistent copy must be; returns its row counts."""
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        orphans = copy.execute(
            "SELECT count(*) FROM posts LEFT JOIN threads ON threads.id = posts.thread_id "
            "WHERE threads.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
        replies = copy.execute(
            "SELECT count(*) FROM posts WHERE thread_id = ? AND parent_id IS NOT NULL",
            (thread_id,),
        ).fetchone()[0]
        published = copy.execute(
            "SELECT count(*) FROM posts WHERE thread_id = ? AND parent_id IS NOT NULL "
            "AND status = 'published' AND deleted_at IS NULL",
            (thread_id,),
        ).fetchone()[0]
        (reply_count,) = copy.execute(
            "SELECT reply_count FROM threads WHERE id = ?", (thread_id,)
        ).fetchone()
        assert reply_count == published == replies
        # Every reply was judged in its own transaction: never a post without its verdict.
        unjudged = copy.execute(
            "SELECT count(*) FROM posts WHERE NOT EXISTS "
            "(SELECT 1 FROM assessments WHERE assessments.post_id = posts.id)"
        ).fetchone()[0]
        assert unjudged == 0
        return {
            "replies": replies,
            "users": copy.execute("SELECT count(*) FROM users").fetchone()[0],
        }
    finally:
        copy.close()


def no_leftovers(output: Path) -> None:
    """Nothing but the backup itself (if made) next to it: no partial copy, no WAL files."""
    around = [p.name for p in output.parent.iterdir() if output.name in p.name]
    assert around in ([], [output.name])


def test_a_backup_taken_while_a_member_writes_is_one_consistent_snapshot(sqlite_app, tmp_path):
    app = sqlite_app
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    writer = Writer(app)
    writer.start()
    try:
        writer.wait_for(WRITTEN_BEFORE)
        before = stored_replies(app)
        output = tmp_path / "backups" / "copy.db"
        result = app.test_cli_runner().invoke(args=["forum", "backup", "--output", str(output)])
        after = stored_replies(app)
        writer.wait_for(writer.written + WRITTEN_AFTER)
    finally:
        writer.finish()
    assert result.exit_code == 0, result.output
    assert f"Backup written to {output}" in result.output
    assert "integrity ok" in result.output
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    no_leftovers(output)

    counts = check_copy(output, ids(app)["thread"])
    # The copy is the database at one instant between the two counts...
    assert before >= WRITTEN_BEFORE
    assert before <= counts["replies"] <= after
    # ...and the live database went on meanwhile.
    assert stored_replies(app) > counts["replies"]
    assert counts["users"] == 2


def test_restoring_is_copying_the_file_back_and_the_app_reads_it(sqlite_app, tmp_path):
    app = sqlite_app
    known = ids(app)
    with app.app_context():
        thread = db.session.get_one(Thread, known["thread"])
        sam = db.session.get_one(User, known["sam"])
        kept = factories.reply(thread, sam, "Écrit avant la sauvegarde.").id
    output = tmp_path / "copy.db"
    result = app.test_cli_runner().invoke(args=["forum", "backup", "--output", str(output)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        thread = db.session.get_one(Thread, known["thread"])
        sam = db.session.get_one(User, known["sam"])
        lost = factories.reply(thread, sam, "Écrit après la sauvegarde.").id
        assert db.session.get_one(Thread, known["thread"]).reply_count == 2

    # The documented restore: stop the server, remove the WAL files, copy the backup back.
    jobs.stop(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    live = live_file(app)
    for leftover in (Path(f"{live}-wal"), Path(f"{live}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(output, live)

    restored = make_app(f"sqlite:///{live}")
    try:
        with restored.app_context():
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert db.session.get(Post, kept) is not None
            assert db.session.get(Post, lost) is None
            assert db.session.get_one(Thread, known["thread"]).reply_count == 1
        client = restored.test_client()
        factories.login(client, "Sam")
        page = factories.text(client.get(f"/threads/{known['thread']}"))
        assert "Écrit avant la sauvegarde." in page
        assert "Écrit après la sauvegarde." not in page
        # And it goes on from there.
        response = client.post(f"/threads/{known['thread']}/reply", data={"body": "De retour."})
        assert response.status_code == 302
        with restored.app_context():
            assert db.session.get_one(Thread, known["thread"]).reply_count == 2
    finally:
        jobs.stop(restored)
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_default_output_is_a_dated_file_in_the_instance_folder(sqlite_app):
    result = sqlite_app.test_cli_runner().invoke(args=["forum", "backup"])
    assert result.exit_code == 0, result.output
    folder = Path(sqlite_app.instance_path) / "backups"
    [made] = list(folder.iterdir())
    assert made.name.startswith("entrenous-") and made.suffix == ".db"
    stamp = made.stem.removeprefix("entrenous-")
    assert len(stamp) == 15 and stamp[8] == "-" and stamp.replace("-", "").isdigit()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    check_copy(made, ids(sqlite_app)["thread"])


def test_an_existing_file_is_kept_unless_forced(sqlite_app, tmp_path):
    output = tmp_path / "copy.db"
    output.write_bytes(b"an older backup")
    runner = sqlite_app.test_cli_runner()
    refused = runner.invoke(args=["forum", "backup", "--output", str(output)])
    assert refused.exit_code == 1
    assert "already exists" in refused.output and "--force" in refused.output
    assert output.read_bytes() == b"an older backup"
    no_leftovers(output)

    forced = runner.invoke(args=["forum", "backup", "--output", str(output), "--force"])
    assert forced.exit_code == 0, forced.output
    check_copy(output, ids(sqlite_app)["thread"])
    no_leftovers(output)


def test_a_path_under_a_file_is_refused(sqlite_app, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = sqlite_app.test_cli_runner().invoke(
        args=["forum", "backup", "--output", str(blocker / "copy.db")]
    )
    assert result.exit_code == 1
    assert "not a directory" in result.output or "Cannot create" in result.output


def _backup_as(uid: int | None, source: Path, output: Path) -> tuple[int, str]:
    """Run the backup in a child process, as another user when `uid` is given (root
    writes anywhere, whatever a folder's mode says)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no return from here
        code = 0
        try:
            os.close(read)
            if uid is not None:
                os.setgid(uid)
                os.setuid(uid)
            try:
                backups.backup_sqlite(source, output)
                message = "written"
            except backups.BackupRefused as refusal:
                message, code = str(refusal), 1
            os.write(write, message.encode())
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        message = fh.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), message


def test_a_folder_that_cannot_be_written_is_refused_and_nothing_is_left(sqlite_app, tmp_path):
    shared = Path(f"/tmp/entrenous-backup-{uuid.uuid4().hex[:8]}")  # noqa: S108
    folder = shared / "locked"
    folder.mkdir(parents=True)
    try:
        shared.chmod(0o755)
        folder.chmod(0o555)
        uid = 65534 if os.geteuid() == 0 else None  # nobody
        code, message = _backup_as(uid, live_file(sqlite_app), folder / "copy.db")
        assert code == 1
        assert f"Cannot write in {folder}" in message
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)
        shutil.rmtree(shared)


def test_the_output_cannot_be_the_database_itself(sqlite_app):
    live = live_file(sqlite_app)
    before = live.stat().st_size
    result = sqlite_app.test_cli_runner().invoke(
        args=["forum", "backup", "--output", str(live), "--force"]
    )
    assert result.exit_code == 1
    assert "the database itself" in result.output
    assert live.stat().st_size == before


# PostgreSQL

needs_postgres = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason=f"PostgreSQL does not answer at {PG_URL}"
)


@needs_postgres
def test_on_postgresql_the_command_refuses_and_gives_the_pg_dump_commands(tmp_path):
    app = make_app(PG_URL)
    app.instance_path = str(tmp_path)
    try:
        output = tmp_path / "copy.db"
        result = app.test_cli_runner().invoke(args=["forum", "backup", "--output", str(output)])
        assert result.exit_code == 1
        assert "PostgreSQL" in result.output
        assert "pg_dump --format=custom" in result.output
        assert "pg_restore --clean --if-exists" in result.output
        assert "postgresql://" in result.output and "+psycopg" not in result.output
        assert list(tmp_path.iterdir()) == []
    finally:
        with app.app_context():
            db.engine.dispose()


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if IN_CI:
            pytest.fail(f"CI=true but {name} is not installed (Debian: postgresql-client)")
        pytest.skip(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


@pytest.fixture
def pg_schema():  # type: ignore[no-untyped-def]
    """A schema of our own in the test database, with the tables; dropped at the end."""
    schema = f"entrenous_backup_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(url)
    db.metadata.create_all(engine)
    engine.dispose()
    try:
        yield schema, url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@needs_postgres
def test_pg_dump_and_pg_restore_bring_the_database_back(pg_schema, tmp_path):
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    schema, url = pg_schema
    libpq = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    app = make_app(url)
    try:
        with app.app_context():
            board = factories.board("entraide")
            ids = factories.conversation(board)
            sam = db.session.scalars(select(User).where(User.pseudonym == "Sam")).one()
            factories.reply(db.session.get_one(Thread, ids["thread"]), sam, "Encore moi.")
            sam_id = sam.id
        snapshot = factories.database(app)
        dump = tmp_path / "entrenous.dump"
        subprocess.run(
            [pg_dump, "--format=custom", f"--schema={schema}", f"--file={dump}", libpq],
            check=True,
            capture_output=True,
            timeout=120,
        )
        with app.app_context():
            thread = db.session.get_one(Thread, ids["thread"])
            sam = db.session.get_one(User, sam_id)
            factories.reply(thread, sam, "Écrit après la sauvegarde.")
        assert factories.database(app) != snapshot

        # The documented restore, the server stopped.
        jobs.stop(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        subprocess.run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", f"--dbname={libpq}", str(dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        assert factories.database(app) == snapshot
        client = app.test_client()
        factories.login(client, "Lou")
        page = factories.text(client.get(f"/threads/{ids['thread']}"))
        assert "Encore moi." in page and "Écrit après la sauvegarde." not in page
        # The identity sequences came back too: new rows do not collide with restored ones.
        response = client.post(f"/threads/{ids['thread']}/reply", data={"body": "De retour."})
        assert response.status_code == 302
        with app.app_context():
            assert db.session.get_one(Thread, ids["thread"]).reply_count == 3
    finally:
        jobs.stop(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
