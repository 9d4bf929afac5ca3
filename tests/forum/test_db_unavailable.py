"""When the database cannot write (held lock, read-only, unreachable), a member gets a 503
with `Retry-After` and their own text back, ready to be sent again; nothing is half-written.
Real databases throughout: another SQLite connection holds the lock, PostgreSQL is opened
read-only, an unreachable database is really unreachable."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from models import Post, Thread, db, write_intent
from moderation.workflow import jobs
from tests import factories
from tests.conftest import make_app

SHORT_TIMEOUT_MS = 300
TITLE = "Quand <script>alert('ça')</script> revient & « déjà »"
BODY = (
    "Bonjour à tous.\n\nJ'écris </textarea><b>ceci</b> <script>alert(1)</script>"
    '\n— « Ça ira », dit-on ; 100 % & "guillemets"'
)
WARNING = "deuil <i>récent</i>"
ANSWER = "Merci <img src=x onerror=alert(1)> pour vos mots, Élodie."
SECRET = "mon secret très <b>long</b>"
OLD_TOKEN = "token-sent-with-the-form-0123456789"


class HeldLock:
    """Another program writing: a real sqlite3 connection holds BEGIN EXCLUSIVE in a thread
    and lets go after `seconds`."""

    def __init__(self, path: Path, seconds: float) -> None:
        self.path, self.seconds = path, seconds
        self.taken, self.released = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("BEGIN EXCLUSIVE")
            self.taken.set()
            time.sleep(self.seconds)
            connection.execute("ROLLBACK")
        finally:
            connection.close()
            self.released.set()

    @property
    def held(self) -> bool:
        return self.taken.is_set() and not self.released.is_set()

    def __enter__(self) -> HeldLock:
        self.thread.start()
        assert self.taken.wait(5), "the lock could not be taken"
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(self.seconds + 5)


class _FormReader(HTMLParser):
    """The fields of the page's form that sends the text again (#send-again), as a browser
    would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.inputs: list[dict[str, str | None]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "send-again":
            assert attributes.get("method") == "post"
            self._in_form, self.action = True, attributes.get("action")
        elif self._in_form and tag == "input" and attributes.get("name"):
            self.inputs.append(attributes)
            self.fields.append((attributes["name"] or "", attributes.get("value") or ""))
        elif self._in_form and tag == "textarea":
            self._textarea, self._text = attributes.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows <textarea>.
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False


def resend_form(response: Any) -> _FormReader:
    reader = _FormReader()
    reader.feed(response.get_data(as_text=True))
    assert reader.action, "the page offers no form to send the text again"
    return reader


def token_from(client: FlaskClient, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, url
    return match.group(1)


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Post)) or 0,
            db.session.scalar(select(func.count()).select_from(Thread)) or 0,
        )


def assert_text_back(response: Any, *texts: str) -> str:
    """503, Retry-After, and the member's words exactly as typed (escaped in the HTML)."""
    assert response.status_code == 503, response.data[:300]
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    page = factories.text(response)
    for words in texts:
        assert words in page
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    return page


@pytest.fixture
def sqlite_apps(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Apps on one SQLite file (tmp_path/entrenous.db), schema created."""
    made: list[Flask] = []

    def make(url: str | None = None, **config: Any) -> Flask:
        application = make_app(url or f"sqlite:///{tmp_path / 'entrenous.db'}", **config)
        made.append(application)
        if url is None:
            with application.app_context():
                db.create_all()
        return application

    yield make
    for application in made:
        jobs.stop(application)
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_held_lock_gives_503_and_the_text_back_and_the_page_sends_it_again(
    sqlite_apps: Callable[..., Flask], tmp_path: Path
) -> None:
    """CSRF on, as in production: the page's form carries a token that works."""
    app = sqlite_apps(SQLITE_BUSY_TIMEOUT_MS=SHORT_TIMEOUT_MS, WTF_CSRF_ENABLED=True)
    with app.app_context(), write_intent():
        world = factories.conversation(factories.board("deuil"))
    client = app.test_client()
    login_token = token_from(client, "/login")
    response = client.post(
        "/login",
        data={"pseudonym": "Lou", "password": factories.PASSWORD, "csrf_token": login_token},
    )
    assert response.status_code == 302
    token = token_from(client, "/boards/deuil/new")
    before = counts(app)

    with HeldLock(tmp_path / "entrenous.db", seconds=3) as lock:
        assert client.get(f"/threads/{world['thread']}").status_code == 200  # reads go on
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json()["status"] != "ok" and health.get_json()["database"] == "busy"
        started = client.post(
            "/boards/deuil/new",
            data={"title": TITLE, "body": BODY, "content_warning": WARNING, "csrf_token": token},
        )
        answered = client.post(
            f"/threads/{world['thread']}/reply",
            data={"body": ANSWER, "parent_id": str(world["answer"]), "csrf_token": token},
        )
        assert lock.held, "the lock was let go too early: this test proves nothing"
    assert not lock.held

    page = assert_text_back(started, TITLE, BODY, WARNING)
    assert "Le forum ne peut pas enregistrer pour le moment" in page  # French by default
    assert_text_back(answered, ANSWER)
    assert counts(app) == before  # nothing half-written
    assert client.get("/healthz").status_code == 200

    for response in (started, answered):
        form = resend_form(response)
        fields = dict(form.fields)
        assert fields.get("csrf_token")
        if form.action == "/boards/deuil/new":
            assert (fields["title"], fields["body"], fields["content_warning"]) == (
                TITLE,
                BODY,
                WARNING,
            )
        else:
            assert form.action == f"/threads/{world['thread']}/reply"
            assert (fields["body"], fields["parent_id"]) == (ANSWER, str(world["answer"]))
        assert client.post(form.action, data=fields).status_code == 302
    with app.app_context():
        thread = db.session.scalars(select(Thread).where(Thread.title == TITLE)).one()
        assert factories.root_post(thread).body == BODY
        reply = db.session.scalars(select(Post).where(Post.body == ANSWER)).one()
        assert reply.parent_id == world["answer"]
    assert counts(app) == (before[0] + 2, before[1] + 1)


def test_passwords_never_come_back(sqlite_apps: Callable[..., Flask], tmp_path: Path) -> None:
    app = sqlite_apps(SQLITE_BUSY_TIMEOUT_MS=SHORT_TIMEOUT_MS)
    with app.app_context(), write_intent():
        factories.user("Lou")
    member, visitor = app.test_client(), app.test_client()
    factories.login(member, "Lou")
    for browser in (member, visitor):
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with HeldLock(tmp_path / "entrenous.db", seconds=3) as lock:
        joined = visitor.post(
            "/register",
            data={
                "pseudonym": "Nouvelle Venue",
                "password": SECRET,
                "password_confirm": SECRET,
                "accept_charter": "y",
                "csrf_token": OLD_TOKEN,
            },
        )
        signed_in = visitor.post(
            "/login?next=/me",
            data={"pseudonym": "Lou", "password": SECRET, "csrf_token": OLD_TOKEN},
        )
        changed = member.post(
            "/me/password",
            data={"current_password": SECRET, "password": SECRET + "!", "password_confirm": SECRET},
        )
        assert lock.held
    for response, pseudonym in ((joined, "Nouvelle Venue"), (signed_in, "Lou"), (changed, None)):
        page = assert_text_back(response, *([pseudonym] if pseudonym else []))
        html = response.get_data(as_text=True)
        assert "The forum cannot save right now" in page
        assert SECRET not in page and "mon secret" not in html
        assert OLD_TOKEN not in html
        form = resend_form(response)
        typed_again = [i for i in form.inputs if "password" in (i.get("name") or "")]
        assert typed_again and all(
            i.get("type") == "password" and not i.get("value") for i in typed_again
        )
    assert resend_form(signed_in).action == "/login?next=/me"
    assert len(factories.database(app)["users"]) == 1  # nobody joined


def test_the_default_busy_timeout_waits_then_gives_up(
    sqlite_apps: Callable[..., Flask], tmp_path: Path
) -> None:
    """The real 10 s timeout: a write waits for a short lock, and gives the text back (503)
    when the lock is held longer, as in the issue (a 15 s `BEGIN EXCLUSIVE`)."""
    app = sqlite_apps()
    with app.app_context(), write_intent():
        world = factories.conversation(factories.board("deuil"))
    client = app.test_client()
    factories.login(client, "Sam")
    before = counts(app)
    with HeldLock(tmp_path / "entrenous.db", seconds=12.5) as lock:
        start = time.monotonic()
        refused = client.post(f"/threads/{world['thread']}/reply", data={"body": ANSWER})
        waited = time.monotonic() - start
        assert lock.held
        # Sent again while the lock is still held: it waits for it, then it is posted.
        posted = client.post(f"/threads/{world['thread']}/reply", data={"body": BODY})
    assert_text_back(refused, ANSWER)
    assert 9 < waited < 12
    assert posted.status_code == 302
    assert counts(app) == (before[0] + 1, before[1])
    with app.app_context():
        assert db.session.scalars(select(Post).where(Post.body == BODY)).one()


def _read_only_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///file:{tmp_path / 'entrenous.db'}?mode=ro&uri=true"
    url = make_url(request.config._entrenous_pg_url)  # type: ignore[attr-defined]
    options = f"{url.query['options']} -cdefault_transaction_read_only=on"
    return url.update_query_dict({"options": options}).render_as_string(hide_password=False)


def test_a_read_only_database_gives_503_and_keeps_the_text(
    app: Flask, backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with app.app_context(), write_intent():
        world = factories.conversation(factories.board("deuil"))
    before = factories.database(app)
    read_only = make_app(_read_only_url(backend, request, tmp_path))
    try:
        client = read_only.test_client()
        factories.login(client, "Lou")  # signing in only reads
        assert client.get(f"/threads/{world['thread']}").status_code == 200
        health = client.get("/healthz")
        assert health.status_code == 503
        assert (health.get_json()["status"], health.get_json()["database"]) == (
            "error",
            "read_only",
        )
        started = client.post(
            "/boards/deuil/new",
            data={"title": TITLE, "body": BODY, "content_warning": WARNING},
        )
        assert_text_back(started, TITLE, BODY, WARNING)
        assert dict(resend_form(started).fields)["body"] == BODY
        answered = client.post(
            f"/threads/{world['thread']}/reply",
            data={"body": ANSWER, "parent_id": str(world["root"])},
            headers={"Accept": "application/json"},
        )
        assert answered.status_code == 503 and answered.headers["Retry-After"]
        assert answered.get_json()["database"] == "read_only"
        visitor = read_only.test_client()
        joined = visitor.post(
            "/register",
            data={
                "pseudonym": "Nouvelle Venue",
                "password": SECRET,
                "password_confirm": SECRET,
                "accept_charter": "y",
            },
        )
        assert_text_back(joined, "Nouvelle Venue")
        assert "mon secret" not in joined.get_data(as_text=True)
    finally:
        jobs.stop(read_only)
        with read_only.app_context():
            db.session.remove()
            db.engine.dispose()
    assert factories.database(app) == before


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///{tmp}/no-such-folder/entrenous.db",
        "postgresql+psycopg://postgres@127.0.0.1:1/test",
    ],
    ids=["sqlite-cannot-open", "postgresql-refused"],
)
def test_an_unreachable_database_gives_503_and_the_page_needs_no_query(
    sqlite_apps: Callable[..., Flask], tmp_path: Path, url: str
) -> None:
    """A signed-in member whose session names them, the database gone: the page shows them
    signed in and gives their text back without asking the database anything."""
    working = sqlite_apps()
    with working.app_context(), write_intent():
        factories.user("Lou")
    client = working.test_client()
    factories.login(client, "Lou")
    cookie = client.get_cookie("session")
    assert cookie is not None
    gone = sqlite_apps(url.format(tmp=tmp_path))
    member, visitor = gone.test_client(), gone.test_client()
    member.set_cookie("session", cookie.value)

    page = assert_text_back(
        member.post("/boards/deuil/new", data={"title": TITLE, "body": BODY}), TITLE, BODY
    )
    assert "Votre compte" in page and "Se déconnecter" in page
    assert member.get("/").status_code == 503
    signed_in = visitor.post("/login", data={"pseudonym": "Lou", "password": SECRET})
    assert_text_back(signed_in, "Lou")
    assert "mon secret" not in signed_in.get_data(as_text=True)
    health = visitor.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "error"


def test_a_bad_query_is_still_a_server_error(app: Flask, client: FlaskClient) -> None:
    """Only the database's state is a 503: a bug (here, a missing table, which SQLite also
    reports as an OperationalError) stays a 500, logged."""

    @app.route("/broken", methods=["POST"])
    def broken() -> str:
        db.session.execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post("/broken", data={"body": BODY})
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
