"""GET /search: the form, its tips, and the results the reader may read.

Whatever comes in (too long, only punctuation, an unknown board, a page that does not
exist), the page answers with the form and a message: 200, 400 or 404, never a 500.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from . import bp, index
from .excerpts import excerpt
from .query import MAX_CHARS, MAX_TERMS, Problem, clean, parse

PROBLEMS = {
    Problem.TOO_LONG: lambda: _(
        "Your search is too long. Please keep it under %(num)d characters.", num=MAX_CHARS
    ),
    Problem.TOO_MANY: lambda: _(
        "Your search has too many words. Please keep it to %(num)d words or phrases.",
        num=MAX_TERMS,
    ),
    Problem.ONLY_COMMON: lambda: _(
        "Your search only holds very common words (such as “the” or “my”), which are left "
        "out. Add a word that says more, or put an expression between quotes."
    ),
    Problem.ONLY_EXCLUDED: lambda: _(
        "Your search only says what to leave out. Add a word to look for."
    ),
    Problem.EMPTY: lambda: _("There is nothing to look for in these characters. Try a word."),
}


def _page_number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 6 else None


@bp.route("/search")
def search():  # type: ignore[no-untyped-def]
    raw = request.args.get("q", "")
    boards = index.readable_boards(current_user)
    slug = request.args.get("board", "")
    board = next((b for b in boards if b.slug == slug), None)
    shown = clean(raw[: MAX_CHARS * 5])[: MAX_CHARS * 2]
    page = {
        "q": shown,
        "boards": boards,
        "board": board,
        "message": None,
        "query": None,
        "results": None,
        "excerpts": {},
    }
    if slug and board is None:
        # Unknown, or members-only for a visitor: the same answer, nothing revealed.
        page["message"] = _("This board does not exist, or you cannot read it.")
        return render_template("search/results.html", **page), 404
    number = _page_number(request.args.get("page", "1"))
    if number is None:
        page["message"] = _("This page number is not valid.")
        return render_template("search/results.html", **page), 400
    if not raw.strip():  # the form and its tips
        return render_template("search/results.html", **page)
    query = parse(raw)
    if not query.ok:
        status = 400 if query.problem in (Problem.TOO_LONG, Problem.TOO_MANY) else 200
        page["message"] = PROBLEMS[query.problem]()  # type: ignore[index]
        return render_template("search/results.html", **page), status
    try:
        results = index.search(query, current_user, number, board)
    except index.PageNotFound:
        page["message"] = _("There is no such page of results.")
        return render_template("search/results.html", **page), 404
    terms = query.highlight_terms()
    page.update(
        query=query,
        results=results,
        excerpts={hit.id: excerpt(hit.body, terms) for hit in results.hits},
    )
    return render_template("search/results.html", **page)
