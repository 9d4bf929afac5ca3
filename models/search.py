"""The full-text index of posts and thread titles, kept by the database itself.

SQLite: two FTS5 tables (`post_search`, `thread_search`) with the posts and threads as
external content (the text is not stored twice), kept in step by triggers. The tokenizer
folds case and accents (`remove_diacritics 2`): "pere" finds "père".

PostgreSQL: GIN expression indexes on `to_tsvector('entrenous_fr', ...)`, a copy of the
`french` configuration that first removes accents (`unaccent`), then stems.

Either way the index changes in the same transaction as the text: a create, an edit, an
erasure or an account deletion is searchable (or gone) exactly when it commits, whatever
code path wrote it. What a reader may see is decided when searching (forum.search).
`create_all` (tests) and the migration run the same statements, from here.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from .post import Post, Thread

PG_CONFIG = "entrenous_fr"

# Fixed names only (never input): the f-strings below build DDL, not queries.
INDEXED = (("post", "posts", "body"), ("thread", "threads", "title"))
SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {name}_search USING fts5(
        {column}, content='{table}', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2")"""
    for name, table, column in INDEXED
] + [
    statement
    for name, table, column in INDEXED
    for statement in (
        f"""CREATE TRIGGER IF NOT EXISTS {name}_search_insert AFTER INSERT ON {table} BEGIN
            INSERT INTO {name}_search(rowid, {column}) VALUES (new.id, new.{column});
        END""",  # noqa: S608
        f"""CREATE TRIGGER IF NOT EXISTS {name}_search_delete AFTER DELETE ON {table} BEGIN
            INSERT INTO {name}_search({name}_search, rowid, {column})
            VALUES ('delete', old.id, old.{column});
        END""",  # noqa: S608
        f"""CREATE TRIGGER IF NOT EXISTS {name}_search_update AFTER UPDATE OF {column} ON {table}
        BEGIN
            INSERT INTO {name}_search({name}_search, rowid, {column})
            VALUES ('delete', old.id, old.{column});
            INSERT INTO {name}_search(rowid, {column}) VALUES (new.id, new.{column});
        END""",  # noqa: S608
    )
]
SQLITE_REBUILD = [
    "INSERT INTO post_search(post_search) VALUES ('rebuild')",
    "INSERT INTO thread_search(thread_search) VALUES ('rebuild')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}_search_{event}"
    for name in ("post", "thread")
    for event in ("insert", "delete", "update")
] + ["DROP TABLE IF EXISTS post_search", "DROP TABLE IF EXISTS thread_search"]

# unaccent is a "trusted" extension (PostgreSQL 13+): a database owner may create it. It is
# put in `public` once per database; the text search configuration lives in the schema
# being created, and names the dictionary with its schema.
PG_CONFIG_CREATE = f"""
DO $$
DECLARE
    ext_schema text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
        BEGIN
            CREATE EXTENSION unaccent SCHEMA public;
        EXCEPTION WHEN unique_violation OR duplicate_object THEN
            NULL;  -- another session created it at the same moment
        END;
    END IF;
    SELECT n.nspname INTO ext_schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'unaccent';
    IF NOT EXISTS (
        SELECT 1 FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
         WHERE c.cfgname = '{PG_CONFIG}' AND n.nspname = current_schema()
    ) THEN
        CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = pg_catalog.french);
        EXECUTE format(
            'ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} '
            'ALTER MAPPING FOR hword, hword_part, word WITH %I.unaccent, french_stem',
            ext_schema);
    END IF;
END
$$
"""  # noqa: S608
PG_INDEXES_CREATE = [
    f"CREATE INDEX IF NOT EXISTS ix_posts_search ON posts "
    f"USING gin (to_tsvector('{PG_CONFIG}'::regconfig, body))",
    f"CREATE INDEX IF NOT EXISTS ix_threads_search ON threads "
    f"USING gin (to_tsvector('{PG_CONFIG}'::regconfig, title))",
]
PG_DROP = [
    "DROP INDEX IF EXISTS ix_posts_search",
    "DROP INDEX IF EXISTS ix_threads_search",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIG}",
]


# What the index is made of that no model declares (FTS5 makes its own shadow tables,
# post_search_data and the like): Alembic's comparison leaves them alone.
_OWN_TABLES = ("post_search", "thread_search")
_OWN_INDEXES = frozenset({"ix_posts_search", "ix_threads_search"})


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Alembic's `include_object` hook (migrations/env.py, tests): False for the search
    index's own tables and indexes, found in the database and absent from the models."""
    if not (reflected and compare_to is None and name):
        return True
    if type_ == "table":
        return not name.startswith(_OWN_TABLES)
    return not (type_ == "index" and name in _OWN_INDEXES)


def create_statements(dialect: str) -> list[str]:
    """Everything the search index needs, for a schema whose tables exist."""
    if dialect == "sqlite":
        return [*SQLITE_CREATE, *SQLITE_REBUILD]
    if dialect == "postgresql":
        return [PG_CONFIG_CREATE, *PG_INDEXES_CREATE]
    return []


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return SQLITE_DROP
    if dialect == "postgresql":
        return PG_DROP
    return []


def _attach() -> None:
    """metadata.create_all (the tests) builds the index with the tables it belongs to."""
    for dialect in ("sqlite", "postgresql"):

        def create(target, connection, _dialect=dialect, **kw):  # type: ignore[no-untyped-def]
            if connection.dialect.name == _dialect:
                for statement in create_statements(_dialect):
                    connection.execute(DDL(statement.replace("%", "%%")))

        def drop(target, connection, _dialect=dialect, **kw):  # type: ignore[no-untyped-def]
            if connection.dialect.name == _dialect:
                for statement in drop_statements(_dialect):
                    connection.execute(DDL(statement))

        # Posts are created after threads (they refer to them) and dropped before them.
        event.listen(Post.__table__, "after_create", create)
        event.listen(Thread.__table__, "before_drop", drop)


_attach()
