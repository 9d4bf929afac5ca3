"""The schema comes from the migrations, and the migrations match the models."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from models import Base, db, search
from tests.conftest import BACKENDS, PG_URL, make_app


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    schema = f"entrenous_migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield (
        make_url(PG_URL)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_migrations_build_exactly_the_models(empty_database):
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            # The search index's FTS5 tables and expression indexes are made by
            # models.search, not declared as models (as migrations/env.py tells Alembic).
            context = MigrationContext.configure(
                conn, opts={"include_object": search.include_object}
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "boards", "threads", "posts", "reactions", "board_moderators"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    with app.app_context():
        db.engine.dispose()


SEARCH_TRIGGERS = {
    f"{name}_search_{event}"
    for name in ("post", "thread")
    for event in ("insert", "delete", "update")
}


def _search_machinery(engine) -> set[str]:  # type: ignore[no-untyped-def]
    """The search index's triggers (SQLite) or expression indexes (PostgreSQL)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            return {name for (name,) in rows}
        rows = conn.execute(
            text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        )
        return {name for (name,) in rows if name.endswith("_search")}


def test_the_search_index_survives_every_migration(empty_database):
    """A migration that rebuilds `posts` or `threads` (SQLite batch mode) drops the
    triggers that keep the index: after each step up and down, posts are still found."""
    from tests import factories

    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        expected = (
            SEARCH_TRIGGERS
            if db.engine.dialect.name == "sqlite"
            else {"ix_posts_search", "ix_threads_search"}
        )
        assert _search_machinery(db.engine) == expected
        downgrade(revision="-1")
        assert _search_machinery(db.engine) == expected
        upgrade()
        assert _search_machinery(db.engine) == expected
        board = factories.board("entraide")
        factories.thread(board, factories.user("Lou"), "Kinésithérapeute", "Une armoire pleine.")
    client = app.test_client()
    for word in ("armoire", "kinesitherapeute"):
        page = client.get(f"/search?q={word}").get_data(as_text=True)
        assert "Kinésithérapeute" in page, word
