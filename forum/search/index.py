"""The search itself, in each database's own dialect (models.search keeps the index).

A post is found when its body matches, or when it opens a thread whose title matches.

Speed, whatever the word: a common word matches most posts, so nothing ranks or counts
every match. Each branch walks its index newest first (FTS5 hands rowids out in order;
PostgreSQL reads the GIN index, or the primary key backwards for a common word) and stops
at CAP posts the reader may read. Fewer than CAP: they are ranked (bm25 on SQLite, ts_rank
on PostgreSQL) and paged. CAP or more: bm25 would read every match of the word to weigh
it (4 ms for a word in every post of 500,000, whatever the LIMIT), so the newest CAP are
listed title matches first, then newest first, and the page says "more than CAP results,
refine your search".

What the reader may read is decided in the same statement, as forum.boards.queries and
forum.permissions decide it for the pages: boards for members only to members, threads
whose first post is not published to their author only, held and draft posts to their
author only, never removed, hidden or erased text, nothing by a member the reader blocked.
Moderators get nothing more here: held posts reach them through their queues.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import DateTime, Integer, String, bindparam, select, text

from models import Board, db
from models.search import PG_CONFIG

from ..boards.queries import Page, PageNotFound
from .query import Query, fts5_excluded, fts5_match, websearch, websearch_excluded

CAP = 300
PER_PAGE = 20
TITLE_WEIGHT = 2.0  # a title match weighs like a body match twice as strong

_VISIBLE = """
    p.deleted_at IS NULL
    AND (p.status = 'published'
         OR (p.author_id = :viewer AND p.status IN ('pending', 'draft')))
    AND (t.status = 'published' OR t.author_id = :viewer)
"""
_MEMBERS_ONLY_HIDDEN = " AND NOT b.members_only "
_NOT_BLOCKED = """
    AND (p.author_id IS NULL OR p.author_id NOT IN
         (SELECT blocked_id FROM blocks WHERE blocker_id = :viewer))
"""
_ONE_BOARD = " AND t.board_id = :board_id "
# The thread's first post, through the (thread_id, path, ...) index.
_FIRST_POST = (
    "p.id = (SELECT f.id FROM posts AS f WHERE f.thread_id = t.id ORDER BY f.path LIMIT 1)"
)

# Two shapes per dialect, from one template. "candidates": the newest CAP matching posts
# the reader may read, each marked when its thread's title matched; cheap, whatever the
# word. "ranked": the same posts with their rank (sorted and paged in Python); run only when the
# candidates are fewer than CAP, because ranking reads every match of every term (bm25
# weighs each term by how rare it is), which a common word cannot afford.
_SQLITE = """
WITH body_hits AS (
    SELECT p.id AS post_id, {body_score} AS score
    FROM post_search
    CROSS JOIN posts AS p ON p.id = post_search.rowid
    CROSS JOIN threads AS t ON t.id = p.thread_id
    CROSS JOIN boards AS b ON b.id = t.board_id
    WHERE post_search MATCH :match AND {visible} {body_extra}
    ORDER BY post_search.rowid DESC
    LIMIT :cap
),
title_hits AS (
    SELECT p.id AS post_id, {title_score} AS score
    FROM thread_search
    CROSS JOIN threads AS t ON t.id = thread_search.rowid
    CROSS JOIN posts AS p ON {first_post}
    CROSS JOIN boards AS b ON b.id = t.board_id
    WHERE thread_search MATCH :match AND {visible} {title_extra}
    ORDER BY thread_search.rowid DESC
    LIMIT :cap
)
{tail}
"""
# The newest CAP posts of the two branches, each with its best score...
_BEST = """
, best AS (
    SELECT post_id, {best}(score) AS score
    FROM (SELECT * FROM body_hits UNION ALL SELECT * FROM title_hits) AS both_hits
    GROUP BY post_id
    ORDER BY post_id DESC
    LIMIT :cap
)"""
# ...then either how many there are, or one page of them with what a result shows.
_TAILS = {
    "page": """
SELECT p.id, p.body, p.status, p.content_warning, p.created_at,
       t.title, b.name AS board_name, u.pseudonym AS author_name, p.signed_as,
       (SELECT count(*) FROM best) AS total
FROM best
JOIN posts AS p ON p.id = best.post_id
JOIN threads AS t ON t.id = p.thread_id
JOIN boards AS b ON b.id = t.board_id
LEFT JOIN users AS u ON u.id = p.author_id
ORDER BY best.score {direction}, p.id DESC
LIMIT :limit OFFSET :offset""",
}
_SQLITE_SCORES = {
    # bm25 is negative, lower is better: a title match counts double.
    "ranked": ("bm25(post_search)", f"{TITLE_WEIGHT} * bm25(thread_search)", "MIN"),
    "candidates": ("0", "1", "MAX"),
}
# The excluded words leave out a first post whose title holds them, and a title match
# whose first post's body holds them (each branch already excludes them from its field).
_SQLITE_BODY_EXCLUDED = """
    AND (p.parent_id IS NOT NULL OR NOT EXISTS (
        SELECT 1 FROM thread_search AS x WHERE x.thread_search MATCH :excluded AND x.rowid = t.id))
"""
_SQLITE_TITLE_EXCLUDED = """
    AND NOT EXISTS (
        SELECT 1 FROM post_search AS x WHERE x.post_search MATCH :excluded AND x.rowid = p.id)
"""

# Written exactly as the GIN expression indexes are (models.search), so they serve.
_BODY_VECTOR = f"to_tsvector('{PG_CONFIG}'::regconfig, p.body)"
_TITLE_VECTOR = f"to_tsvector('{PG_CONFIG}'::regconfig, t.title)"
_QUERY = f"websearch_to_tsquery('{PG_CONFIG}'::regconfig, :match)"
_PG = f"""
WITH body_hits AS (
    SELECT p.id AS post_id, {{body_score}} AS score
    FROM posts AS p
    JOIN threads AS t ON t.id = p.thread_id
    JOIN boards AS b ON b.id = t.board_id
    WHERE {_BODY_VECTOR} @@ {_QUERY} AND {{visible}} {{body_extra}}
    ORDER BY p.id DESC
    LIMIT :cap
),
title_hits AS (
    SELECT p.id AS post_id, {{title_score}} AS score
    FROM threads AS t
    JOIN posts AS p ON {{first_post}}
    JOIN boards AS b ON b.id = t.board_id
    WHERE {_TITLE_VECTOR} @@ {_QUERY} AND {{visible}} {{title_extra}}
    ORDER BY t.id DESC
    LIMIT :cap
)
{{tail}}
"""  # noqa: S608 (fixed fragments only; every value is a bound parameter)
_PG_SCORES = {
    # ts_rank is positive, higher is better.
    "ranked": (
        f"ts_rank({_BODY_VECTOR}, {_QUERY})",
        f"{TITLE_WEIGHT} * ts_rank({_TITLE_VECTOR}, {_QUERY})",
        "MAX",
    ),
    "candidates": ("0", "1", "MAX"),
}
_PG_EXCLUDED = f"websearch_to_tsquery('{PG_CONFIG}'::regconfig, :excluded)"
_PG_BODY_EXCLUDED = f"AND (p.parent_id IS NOT NULL OR NOT ({_TITLE_VECTOR} @@ {_PG_EXCLUDED}))"
_PG_TITLE_EXCLUDED = f"AND NOT ({_BODY_VECTOR} @@ {_PG_EXCLUDED})"


@cache
def _statement(dialect: str, kind: str, member: bool, one_board: bool, excluding: bool):  # type: ignore[no-untyped-def]
    """One statement per kind, built once; every value is a bound parameter. Both kinds
    give one page of the newest CAP posts the reader may read that match, with their
    number (up to CAP). "newest": title matches first, then newest first; cheap, whatever
    the word. "ranked": by relevance; run only when the matches are fewer than CAP,
    because ranking reads every match of every term (bm25 weighs each term by how rare it
    is), which a common word cannot afford."""
    visible = _VISIBLE + (_NOT_BLOCKED if member else _MEMBERS_ONLY_HIDDEN)
    if one_board:
        visible += _ONE_BOARD
    if dialect == "sqlite":
        template, scores = _SQLITE, _SQLITE_SCORES["ranked" if kind == "ranked" else "candidates"]
        body_extra = _SQLITE_BODY_EXCLUDED if excluding else ""
        title_extra = _SQLITE_TITLE_EXCLUDED if excluding else ""
    else:
        template, scores = _PG, _PG_SCORES["ranked" if kind == "ranked" else "candidates"]
        body_extra = _PG_BODY_EXCLUDED if excluding else ""
        title_extra = _PG_TITLE_EXCLUDED if excluding else ""
    # bm25 is negative (lower is better); ts_rank and the title mark: higher is better.
    direction = "ASC" if dialect == "sqlite" and kind == "ranked" else "DESC"
    tail = (_BEST + "\n" + _TAILS["page"]).format(best=scores[2], direction=direction)
    sql = template.format(
        visible=f"({visible})",
        body_extra=body_extra,
        title_extra=title_extra,
        first_post=_FIRST_POST,
        body_score=scores[0],
        title_score=scores[1],
        tail=tail,
    )
    statement = text(sql).bindparams(bindparam("viewer", type_=db.Integer))
    return statement.columns(
        id=Integer,
        body=String,
        status=String,
        content_warning=String,
        created_at=DateTime,
        title=String,
        board_name=String,
        author_name=String,
        signed_as=String,
        total=Integer,
    )


@dataclass
class Hit:
    """What one result shows: the post's columns, its thread's title and board's name."""

    id: int
    body: str
    status: str
    content_warning: str | None
    created_at: datetime
    title: str
    board_name: str
    author_name: str | None
    signed_as: str | None = None  # "moderators": shown without a pseudonym


@dataclass
class Results(Page):
    """One page of results; `total` is at most CAP."""

    hits: list[Hit] = field(default_factory=list)

    @property
    def capped(self) -> bool:
        return self.total >= CAP


def search(query: Query, user: Any, number: int, board: BoardChoice | None = None) -> Results:
    """The page `number` of what `user` may read that matches `query` (which must be ok).

    Ranked by relevance (bm25, ts_rank; a title match counts double) when there are fewer
    than CAP matches. Past CAP the word is too common for relevance to mean much (nearly
    every post holds it) or to be affordable: the newest CAP come first those whose
    thread's title matched, then newest first, and the page asks to refine. One query for
    a common word; a second one ranks the matches of a rarer one."""
    if number < 1 or (number - 1) * PER_PAGE >= CAP:
        raise PageNotFound(number)
    member = bool(getattr(user, "is_authenticated", False))
    dialect = db.engine.dialect.name
    excluding = query.has_exclusions
    params: dict[str, Any] = {"viewer": user.id if member else None, "cap": CAP}
    if dialect == "sqlite":
        params["match"] = fts5_match(query)
        if excluding:
            params["excluded"] = fts5_excluded(query)
    else:
        params["match"] = websearch(query)
        if excluding:
            params["excluded"] = websearch_excluded(query)
    if board is not None:
        params["board_id"] = board.id
    shape = (member, board is not None, excluding)
    page = {**params, "limit": PER_PAGE, "offset": (number - 1) * PER_PAGE}
    rows = db.session.execute(_statement(dialect, "newest", *shape), page).all()
    total = rows[0].total if rows else 0
    if 0 < total < CAP:
        rows = db.session.execute(_statement(dialect, "ranked", *shape), page).all()
    if not rows and number > 1:
        raise PageNotFound(number)
    return Results(number, PER_PAGE, total, [Hit(*row[:-1]) for row in rows])


@dataclass(frozen=True)
class BoardChoice:
    id: int
    slug: str
    name: str


def readable_boards(user: Any) -> list[BoardChoice]:
    """The boards offered in the filter: those the reader may read."""
    query = select(Board.id, Board.slug, Board.name).order_by(Board.position, Board.name)
    if not getattr(user, "is_authenticated", False):
        query = query.where(Board.members_only.is_(False))
    return [BoardChoice(*row) for row in db.session.execute(query)]
