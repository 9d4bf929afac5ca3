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
