"""Hostile and unusual text from the shared security corpora, sent through the real pages.

The corpora live in ../shared/corpora/security and are read in place (never copied here).
Each corpus is posted in bulk (one thread, many replies; one board set, many threads) so
the module stays fast, and every page that shows the text is read with an HTML parser,
as a browser would read it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forum.accounts import pseudonyms
from forum.accounts.services import authenticate
from models import Board, Post, PostStatus, Thread, User, db
from moderation.rules import normalise
from tests import factories
from tests.conftest import shared_path

# Thousands of posts by one member in a few seconds: rate limits are not what is tested here.
BULK = {"RATE_LIMITS": "off"}
CHUNKS = 4  # the big XSS list is split so no single test runs long


def corpus(name: str) -> list[str]:
    path = shared_path("corpora", "security", name)
    if name.endswith(".json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else [s for v in data.values() for s in v]
    else:
        items = path.read_text(encoding="utf-8").split("\n")
    return [s for s in items if isinstance(s, str)]


def xss_payloads(name: str, chunk: int = 0, of: int = 1) -> list[str]:
    return [s for s in corpus(name) if s.strip()][chunk::of]


XSS_CHUNKS = [
    pytest.param("xss_payloads.txt", i, CHUNKS, id=f"xss_payloads-{i + 1}of{CHUNKS}")
    for i in range(CHUNKS)
] + [pytest.param("xss_multiline_owasp.json", 0, 1, id="xss_multiline_owasp")]


# --- reading pages as a browser does ------------------------------------------------------

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
    "keygen",
}
# Elements that run code, load things or submit data: a page may only have its own.
WATCHED = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "form",
    "base",
    "link",
    "meta",
    "img",
    "video",
    "audio",
    "source",
    "template",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "lowsrc",
    "dynsrc",
    "codebase",
    "cite",
    "ping",
    "srcset",
}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str | None]]
    chunks: list[str] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        value = dict(self.attrs).get(name)
        return default if value is None else value

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    @property
    def classes(self) -> set[str]:
        return set((self.get("class") or "").split())


class Page(HTMLParser):
    """Every element of a page with its (unescaped) attributes and text."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, attrs)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.chunks.append(data)

    def find_all(self, tag: str, *, cls: str | None = None, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag
            and (cls is None or cls in e.classes)
            and all(e.get(k) == v for k, v in attrs.items())
        ]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    def textarea(self, name: str) -> str:
        """The textarea's value as a browser sets it: CR/LF normalised, first newline dropped."""
        text = self.one("textarea", name=name).text.replace("\r\n", "\n").replace("\r", "\n")
        return text.removeprefix("\n")

    def input_value(self, name: str) -> str:
        return self.one("input", name=name).get("value") or ""


def _as_browser_reads_url(value: str) -> str:
    """Browsers drop whitespace and control characters before reading a URL's scheme."""
    return "".join(
        c for c in value if not (c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)
    ).lower()


def signature(page: Page) -> Counter:
    """The watched elements of a page; digits ignored (ids differ from page to page), and
    accessible names too (a reaction form is named after the post's author: text, not
    markup; a value that broke out of its attribute would still add attributes here)."""
    return Counter(
        (
            e.tag,
            tuple(
                sorted(
                    (k, "NAME" if k == "aria-label" else re.sub(r"\d+", "N", v or ""))
                    for k, v in e.attrs
                )
            ),
        )
        for e in page.elements
        if e.tag in WATCHED
    )


class Inspector:
    """Checks that a page carries no active content beyond the page's own."""

    def __init__(self, handlers: Iterable[str]) -> None:
        self.handlers = {h.strip().lower() for h in handlers if h.strip()}

    def assert_inert(self, response, baseline: Counter, where: str) -> Page:  # type: ignore[no-untyped-def]
        assert response.status_code in (200, 400), (where, response.status_code)
        page = Page(response.get_data(as_text=True))
        for e in page.elements:
            assert e.tag != "script", (where, e)
            for name, value in e.attrs:
                assert not name.startswith("on") and name not in self.handlers, (where, e)
                assert name not in ("style", "srcdoc"), (where, e)
                if name in URL_ATTRIBUTES and value:
                    assert not _as_browser_reads_url(value).startswith(BAD_SCHEMES), (where, e)
        assert signature(page) == baseline, (
            where,
            "elements not in a harmless page:",
            signature(page) - baseline,
            "elements missing:",
            baseline - signature(page),
        )
        return page


@pytest.fixture
def inspector() -> Inspector:
    return Inspector(corpus("html_event_handlers.txt"))


def baseline(client: FlaskClient, url: str) -> Counter:
    response = client.get(url)
    assert response.status_code == 200, url
    return signature(Page(response.get_data(as_text=True)))


# --- posting through the forms -------------------------------------------------------------


def post_reply(client: FlaskClient, thread_id: int, body: str, warning: str = "") -> int:
    response = client.post(
        f"/threads/{thread_id}/reply",
        # confirm: a nudge from the moderation pipeline must not stop the corpus.
        data={"body": body, "content_warning": warning, "confirm": "1"},
    )
    assert response.status_code == 302, (body, response.status_code)
    return int(re.fullmatch(r"/posts/(\d+)", response.headers["Location"]).group(1))  # type: ignore[union-attr]


def post_thread(client: FlaskClient, slug: str, title: str, body: str, warning: str = "") -> int:
    response = client.post(
        f"/boards/{slug}/new",
        data={"title": title, "body": body, "content_warning": warning, "confirm": "1"},
    )
    assert response.status_code == 302, (title, body, response.status_code)
    return int(re.fullmatch(r"/threads/(\d+)", response.headers["Location"]).group(1))  # type: ignore[union-attr]


def root_ids(app, thread_ids: list[int]) -> dict[int, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.execute(
            select(Post.thread_id, Post.id).where(
                Post.thread_id.in_(thread_ids), Post.parent_id.is_(None)
            )
        )
        return dict(rows.all())  # type: ignore[arg-type]


def statuses(app, model, ids: list[int]) -> dict[int, PostStatus]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return dict(
            db.session.execute(select(model.id, model.status).where(model.id.in_(ids))).all()
        )  # type: ignore[arg-type]


def member(app, client: FlaskClient) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        author = factories.user()
        pseudonym, author_id = author.pseudonym, author.id
    factories.login(client, pseudonym)
    return author_id


def fit(text: str, limit: int) -> str:
    """The text as a single-line field keeps it: stripped, then cut to the limit."""
    return text.strip()[:limit].strip()


# --- naughty strings ------------------------------------------------------------------------


def naughty_strings() -> list[str]:
    return corpus("naughty_strings_blns.json")


@pytest.mark.parametrize("app", [BULK], indirect=True)
def test_naughty_strings_come_back_intact_as_replies(app, client):
    author_id = member(app, client)
    # Texts that show nothing (controls, zero-width spaces) are refused: see test_invisible_text.
    strings = [s for s in naughty_strings() if normalise.visible(s)]
    with app.app_context():
        board = factories.board()
        thread_id = factories.thread(board, db.session.get_one(User, author_id)).id

    posted = []
    for text in strings:
        warning = text.strip() if len(text.strip()) <= 120 else ""
        posted.append((post_reply(client, thread_id, text, warning), text, warning))

    for post_id, text, warning in posted:
        page = Page(client.get(f"/posts/{post_id}/edit").get_data(as_text=True))
        assert page.textarea("body") == text.replace("\r\n", "\n")
        assert page.input_value("content_warning") == warning


@pytest.mark.parametrize("app", [BULK], indirect=True)
def test_naughty_strings_come_back_intact_as_new_threads(app, client):
    member(app, client)
    strings = [s for s in naughty_strings() if normalise.visible(s)]
    with app.app_context():
        slug = factories.board().slug

    posted = []
    for i, text in enumerate(strings):
        title = text.strip() if len(text.strip()) <= 200 else f"Sujet {i}"
        warning = text.strip() if len(text.strip()) <= 120 else ""
        posted.append((post_thread(client, slug, title, text, warning), text, title, warning))

    roots = root_ids(app, [thread_id for thread_id, *_ in posted])
    for thread_id, text, title, warning in posted:
        page = Page(client.get(f"/posts/{roots[thread_id]}/edit").get_data(as_text=True))
        assert page.textarea("body") == text.replace("\r\n", "\n")
        assert page.input_value("title") == title
        assert page.input_value("content_warning") == warning


def test_blank_naughty_strings_are_refused_with_the_form_back(app, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    author_id = member(app, client)
    blanks = [s for s in naughty_strings() if not s.strip()]
    assert blanks, "the corpus is expected to hold blank strings"
    with app.app_context():
        board = factories.board()
        slug = board.slug
        thread_id = factories.thread(board, db.session.get_one(User, author_id)).id
        before = (
            db.session.scalar(select(db.func.count(Post.id))),
            db.session.scalar(select(db.func.count(Thread.id))),
        )

    for text in blanks:
        attempts = [
            (f"/threads/{thread_id}/reply", {"body": text}, "body"),
            (f"/boards/{slug}/new", {"title": "Un sujet", "body": text}, "body"),
            (f"/boards/{slug}/new", {"title": text, "body": "Bonjour."}, "title"),
        ]
        for url, data, blank_field in attempts:
            response = client.post(url, data=data)
            assert response.status_code == 400, (url, data)
            page = Page(response.get_data(as_text=True))
            assert page.find_all("textarea", name="body"), "the form comes back"
            errors = page.find_all("ul", cls="errors", id=f"{blank_field}-errors")
            assert errors and "cannot be empty" in errors[0].text

    with app.app_context():
        after = (
            db.session.scalar(select(db.func.count(Post.id))),
            db.session.scalar(select(db.func.count(Thread.id))),
        )
    assert after == before


# --- XSS ------------------------------------------------------------------------------------


@pytest.mark.parametrize("app", [BULK], indirect=True)
@pytest.mark.parametrize("source, chunk, of", XSS_CHUNKS)
def test_xss_in_replies_stays_inert_on_thread_pages(app, client, inspector, source, chunk, of):
    """Many replies per page: what one payload opens, the next may try to use.

    Each page is compared with the same page once every text of the thread is made
    harmless, which tells the page's own forms and links from anything a payload brought.
    The other pages that show a post's text (edit form, reply form) are read for every
    payload by the next test, where each payload is a thread's first post.
    """
    payloads = xss_payloads(source, chunk, of)
    author_id = member(app, client)
    with app.app_context():
        board = factories.board()
        thread_id = factories.thread(board, db.session.get_one(User, author_id)).id
    posted = [post_reply(client, thread_id, p, fit(p, 120)) for p in payloads]

    pages = []
    while (
        response := client.get(f"/threads/{thread_id}?page={len(pages) + 1}")
    ).status_code != 404:
        pages.append(response)
    with app.app_context():
        harmless = {"body": "Sans piège.", "html": "<p>Sans piège.</p>"}
        in_thread = Post.thread_id == thread_id
        db.session.execute(update(Post).where(in_thread).values(**harmless))
        db.session.execute(
            update(Post)
            .where(in_thread, Post.content_warning.is_not(None))
            .values(content_warning="Avertissement")
        )
        db.session.commit()

    shown: set[str] = set()
    for number, response in enumerate(pages, start=1):
        page = inspector.assert_inert(
            response,
            baseline(client, f"/threads/{thread_id}?page={number}"),
            f"{source} thread page {number}",
        )
        shown |= {e.get("id") or "" for e in page.find_all("article")}
    assert {f"post-{post_id}" for post_id in posted} <= shown


@pytest.mark.parametrize("app", [BULK], indirect=True)
@pytest.mark.parametrize("source, chunk, of", XSS_CHUNKS)
def test_xss_in_new_threads_stays_inert(app, client, inspector, source, chunk, of):
    payloads = xss_payloads(source, chunk, of)
    author_id = member(app, client)
    boards = 20
    with app.app_context():
        slugs = [factories.board().slug for _ in range(boards)]
    home_baseline = baseline(client, "/")
    board_baseline = baseline(client, f"/boards/{slugs[0]}")
    page_baselines: dict[tuple[str, PostStatus], Counter] = {}

    def thread_baselines(status: PostStatus) -> dict[str, Counter]:
        """The author's pages of a harmless thread with the same status."""
        if ("thread", status) not in page_baselines:
            with app.app_context():
                harmless = factories.thread(
                    db.session.scalars(select(Board).where(Board.slug == slugs[0])).one(),
                    db.session.get_one(User, author_id),
                    "Sujet sans piège",
                    "Rien de spécial.",
                )
                harmless.status = status
                root = factories.root_post(harmless)
                root.status = status
                db.session.commit()
                harmless_id, root_id = harmless.id, root.id
            page_baselines["thread", status] = baseline(client, f"/threads/{harmless_id}")
            page_baselines["edit", status] = baseline(client, f"/posts/{root_id}/edit")
            page_baselines["reply", status] = baseline(
                client, f"/threads/{harmless_id}/reply?parent_id={root_id}"
            )
        return {kind: page_baselines[kind, status] for kind in ("thread", "edit", "reply")}

    posted: list[tuple[int, str, str]] = []
    for start in range(0, len(payloads), boards):
        batch = []
        for slug, payload in zip(slugs, payloads[start : start + boards], strict=False):
            title = fit(payload, 200)
            thread_id = post_thread(client, slug, title, payload, fit(payload, 120))
            batch.append((thread_id, payload, title))
        # The home page shows each board's latest thread: one round per board set.
        page = inspector.assert_inert(client.get("/"), home_baseline, f"{source} home")
        published = statuses(app, Thread, [t for t, _, _ in batch])
        latest = {
            e.text for e in page.find_all("a") if (e.get("href") or "").startswith("/threads/")
        }
        for thread_id, _payload, title in batch:
            if published[thread_id] == PostStatus.PUBLISHED:
                assert title in latest, f"home does not show {title!r}"
        posted += batch

    roots = root_ids(app, [t for t, _, _ in posted])
    thread_status = statuses(app, Thread, [t for t, _, _ in posted])
    for thread_id, payload, title in posted:
        where = f"{source} thread {payload!r}"
        expected = thread_baselines(thread_status[thread_id])
        page = inspector.assert_inert(
            client.get(f"/threads/{thread_id}"), expected["thread"], where
        )
        assert page.one("h1").text == title
        page = inspector.assert_inert(
            client.get(f"/posts/{roots[thread_id]}/edit"), expected["edit"], where
        )
        assert page.textarea("body") == payload.replace("\r\n", "\n")
        assert page.input_value("title") == title
        assert page.input_value("content_warning") == fit(payload, 120)
        inspector.assert_inert(
            client.get(f"/threads/{thread_id}/reply?parent_id={roots[thread_id]}"),
            expected["reply"],
            where,
        )

    listed: set[str] = set()
    for slug in slugs:
        number = 1
        while (response := client.get(f"/boards/{slug}?page={number}")).status_code != 404:
            page = inspector.assert_inert(response, board_baseline, f"{source} board {slug}")
            listed |= {e.text for e in page.find_all("a", cls="thread-title")}
            number += 1
    assert {t for i, _, t in posted if thread_status[i] == PostStatus.PUBLISHED} <= listed


def test_xss_as_pseudonym_is_refused_or_shown_inert(app, client, inspector):
    payloads = xss_payloads("xss_payloads.txt") + xss_payloads("xss_multiline_owasp.json")
    with app.app_context():
        board = factories.board()
        slug = board.slug
        known = factories.user()
        known_pseudonym = known.pseudonym
        harmless_thread = factories.thread(board, known).id
    refused_baseline = signature(
        Page(
            client.post(
                "/register",
                data={
                    "pseudonym": "x",
                    "password": factories.PASSWORD,
                    "password_confirm": factories.PASSWORD,
                    "accept_charter": "y",
                },
            ).get_data(as_text=True)
        )
    )
    factories.login(client, known_pseudonym)
    member_baselines = {
        url: baseline(client, url)
        for url in ("/", "/me", f"/boards/{slug}", f"/threads/{harmless_thread}")
    }
    client.post("/logout")

    accepted = []
    for payload in payloads:
        response = client.post(
            "/register",
            data={
                "pseudonym": payload,
                "password": factories.PASSWORD,
                "password_confirm": factories.PASSWORD,
                "accept_charter": "y",
            },
        )
        where = f"pseudonym {payload!r}"
        if response.status_code == 400:
            page = inspector.assert_inert(response, refused_baseline, where)
            assert page.input_value("pseudonym") == payload, "the form keeps what was typed"
            continue
        assert response.status_code == 302, where
        accepted.append(payload)
        shown = pseudonyms.normalize(payload)
        page = inspector.assert_inert(client.get("/"), member_baselines["/"], where)
        assert shown in {e.text for e in page.find_all("a")}
        inspector.assert_inert(client.get("/me"), member_baselines["/me"], where)
        thread_id = post_thread(client, slug, "Bonjour", "Je me présente.")
        page = inspector.assert_inert(
            client.get(f"/threads/{thread_id}"),
            member_baselines[f"/threads/{harmless_thread}"],
            where,
        )
        assert shown in {e.text for e in page.find_all("span", cls="pseudonym")}
        inspector.assert_inert(
            client.get(f"/boards/{slug}"), member_baselines[f"/boards/{slug}"], where
        )
        client.post("/logout")
    # Most payloads break the pseudonym rules; the ones that pass were checked on every page.
    assert len(accepted) < len(payloads)


# --- SQL injection --------------------------------------------------------------------------


def sqli_payloads() -> list[str]:
    return [s for s in corpus("sqli_payloads.txt") if s.strip()]


@pytest.mark.parametrize("app", [BULK], indirect=True)
def test_sql_injection_in_posting_fields_is_stored_verbatim(app, client):
    author_id = member(app, client)
    with app.app_context():
        board = factories.board()
        slug = board.slug
        thread_id = factories.thread(board, db.session.get_one(User, author_id)).id

    edits = []
    for payload in sqli_payloads():
        reply_id = post_reply(client, thread_id, payload, fit(payload, 120))
        new_thread = post_thread(client, slug, fit(payload, 200), payload, fit(payload, 120))
        with app.app_context():
            reply = db.session.get_one(Post, reply_id)
            assert (reply.body, reply.content_warning) == (payload, fit(payload, 120) or None)
            thread = db.session.get_one(Thread, new_thread)
            root = factories.root_post(thread)
            assert (root.body, thread.title) == (payload, fit(payload, 200))
            assert thread.content_warning == root.content_warning == (fit(payload, 120) or None)
            root_id = root.id

        edited = "Modifié : " + payload
        response = client.post(
            f"/posts/{root_id}/edit",
            data={
                "title": fit(edited, 200),
                "body": edited,
                "content_warning": fit(edited, 120),
                "confirm": "1",
            },
        )
        assert response.status_code == 302, payload
        edits.append((edited, new_thread))

    with app.app_context():
        for edited, new_thread in edits:
            thread = db.session.get_one(Thread, new_thread)
            root = factories.root_post(thread)
            assert (root.body, thread.title) == (edited, fit(edited, 200))
            assert thread.content_warning == root.content_warning == fit(edited, 120)


def test_sql_injection_in_account_fields_never_errors(app, client):
    with app.app_context():
        factories.user("Membre Fidele")
    registered = []
    for payload in sqli_payloads():
        password = payload.ljust(10, "!")
        visitor = app.test_client()
        response = visitor.post(
            "/register",
            data={
                "pseudonym": payload,
                "password": password,
                "password_confirm": password,
                "accept_charter": "y",
            },
        )
        assert response.status_code in (302, 400), payload
        if response.status_code == 302:
            registered.append(payload)
            visitor.post("/logout")
        response = visitor.post("/login", data={"pseudonym": payload, "password": password})
        assert response.status_code == (302 if payload in registered else 400), payload
    with app.app_context():
        stored = set(db.session.scalars(select(User.pseudonym)))
    assert stored == {"Membre Fidele"} | {pseudonyms.normalize(p) for p in registered}

    factories.login(client, "Membre Fidele")
    for payload in sqli_payloads():
        response = client.post(
            "/me/password",
            data={
                "current_password": payload,
                "password": payload.ljust(10, "!"),
                "password_confirm": payload.ljust(10, "!"),
            },
        )
        assert response.status_code == 400, payload
    with app.app_context():
        assert authenticate("Membre Fidele", factories.PASSWORD) is not None


def test_sql_injection_in_query_parameters_never_errors(app, client):
    author_id = member(app, client)
    with app.app_context():
        board = factories.board()
        slug = board.slug
        thread = factories.thread(board, db.session.get_one(User, author_id))
        thread_id, root_id = thread.id, factories.root_post(thread).id
    visitor = app.test_client()

    for payload in sqli_payloads():
        for url in (f"/boards/{slug}", f"/threads/{thread_id}"):
            response = client.get(url, query_string={"page": payload})
            assert response.status_code in (200, 404), (url, payload)
        response = client.get(f"/threads/{thread_id}/reply", query_string={"parent_id": payload})
        assert response.status_code in (200, 404), payload
        assert visitor.get("/login", query_string={"next": payload}).status_code == 200

        response = client.post(
            f"/threads/{thread_id}/reply", data={"body": "Réponse", "parent_id": payload}
        )
        assert response.status_code in (302, 400, 404), payload
        if response.status_code == 302:
            with app.app_context():
                post_id = int(response.headers["Location"].rsplit("/", 1)[1])
                assert db.session.get_one(Post, post_id).parent_id == int(payload.strip())
    with app.app_context():
        replies = db.session.scalars(select(Post.parent_id).where(Post.thread_id == thread_id))
        assert set(replies) <= {None, root_id}


# --- open redirects -------------------------------------------------------------------------


def assert_same_site(location: str) -> None:
    """A path on this site: no scheme, no host, nothing a browser reads as '//'."""
    seen = "".join(c for c in location if c not in "\t\n\r").strip("".join(map(chr, range(33))))
    assert seen == location, f"control characters in {location!r}"
    assert seen.startswith("/") and not seen.startswith(("//", "/\\")), location
    parts = urlsplit(seen)
    assert not parts.scheme and not parts.netloc, location


def redirect_values() -> list[str]:
    return [v for v in corpus("open_redirect_next_values.txt") if v.strip()]


def next_as(value: str) -> list[dict | str]:
    """The value as a literal `next`, and as it would sit, undecoded, in a crafted link."""
    return [{"next": value}, "next=" + value]


def test_login_next_never_leaves_the_site(app, client):
    with app.app_context():
        factories.user("Membre Fidele")
    factories.login(client, "Membre Fidele")
    for value in redirect_values():
        for query in next_as(value):
            response = client.get("/login", query_string=query)
            assert response.status_code == 302, query
            assert_same_site(response.headers["Location"])

            visitor = app.test_client()
            response = visitor.post(
                "/login",
                query_string=query,
                data={
                    "pseudonym": "Membre Fidele",
                    "password": factories.PASSWORD,
                },
            )
            assert response.status_code == 302, query
            assert_same_site(response.headers["Location"])


def test_register_next_never_leaves_the_site(app):
    for i, value in enumerate(redirect_values()):
        for j, query in enumerate(next_as(value)):
            visitor = app.test_client()
            response = visitor.post(
                "/register",
                query_string=query,
                data={
                    "pseudonym": f"Visiteur {i} {j}",
                    "password": factories.PASSWORD,
                    "password_confirm": factories.PASSWORD,
                    "accept_charter": "y",
                },
            )
            assert response.status_code == 302, query
            assert_same_site(response.headers["Location"])


def test_language_next_never_leaves_the_site(app, client):
    for value in redirect_values():
        response = client.post("/language", data={"lang": "en", "next": value})
        assert response.status_code == 302, value
        assert_same_site(response.headers["Location"])
        response = client.post(
            "/language",
            data="lang=fr&next=" + value,
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 302, value
        assert_same_site(response.headers["Location"])
        for query in next_as(value):  # the language links are plain GETs too
            response = client.get("/language", query_string=query)
            assert response.status_code == 302, query
            assert_same_site(response.headers["Location"])
