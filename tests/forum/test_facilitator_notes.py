"""Facilitators' hand-over notes: the board's moderators, as peers, keep private notes for
the next meeting; nobody else reaches them; they are erased after the board's retention."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, select, update

from forum.accounts import data
from forum.review import notes
from models import Board, FacilitatorNote, User, db, utcnow
from moderation.workflow import jobs
from tests import factories

EN = {"Accept-Language": "en"}
SECRET = "Suivre doucement Quillon après la rencontre de jeudi."


def browser(app, pseudonym: str | None = None) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    if pseudonym:
        factories.login(client, pseudonym)
    return client


def board_id(slug: str) -> int:
    return db.session.scalars(select(Board.id).where(Board.slug == slug)).one()


def user(pseudonym: str) -> User:
    return db.session.scalars(select(User).where(User.pseudonym == pseudonym)).one()


def rows(app) -> list[tuple[int, int | None, str]]:  # type: ignore[no-untyped-def]
    """(board, author, body) of every note."""
    with app.app_context():
        return [
            (n.board_id, n.author_id, n.body)
            for n in db.session.scalars(select(FacilitatorNote).order_by(FacilitatorNote.id))
        ]


def add(app, slug: str, author: str, body: str, days_ago: float = 0) -> int:  # type: ignore[no-untyped-def]
    """A note written through the service, last changed `days_ago`."""
    with app.app_context():
        board = db.session.get_one(Board, board_id(slug))
        note = notes.add_note(board, user(author), body)
        if days_ago:
            when = utcnow() - timedelta(days=days_ago)
            db.session.execute(
                update(FacilitatorNote)
                .where(FacilitatorNote.id == note.id)
                .values(created_at=when, updated_at=when)
            )
            db.session.commit()
        return note.id


@pytest.fixture
def scene(app):  # type: ignore[no-untyped-def]
    """Mo and Lia moderate "entraide"; Max moderates "ailleurs"; Noa is a member."""
    with app.app_context():
        factories.board("entraide", name="Entraide")
        factories.board("ailleurs", name="Ailleurs")
        for name in ("Mo", "Lia", "Max", "Noa"):
            factories.user(name)
        factories.moderator("entraide", "Mo", "Lia")
        factories.moderator("ailleurs", "Max")


URL = "/moderation/boards/entraide/notes"


# --- the moderators, as peers --------------------------------------------------------------


def test_moderators_add_edit_and_delete_each_others_notes(app, scene):
    mo, lia = browser(app, "Mo"), browser(app, "Lia")
    response = mo.post(URL, data={"body": SECRET}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    [(_, author, body)] = rows(app)
    assert body == SECRET
    with app.app_context():
        assert author == user("Mo").id
        note = db.session.scalars(select(FacilitatorNote)).one()
        note_id, written = note.id, note.updated_at

    page = factories.text(lia.get(URL, headers=EN))
    assert SECRET in page
    assert '<span class="pseudonym" dir="auto">Mo</span>' in page
    assert "Notes are erased 90 days after their last change." in page
    assert "Use pseudonyms. No real names" in page

    edit_page = lia.get(f"{URL}/{note_id}/edit", headers=EN)
    assert edit_page.status_code == 200 and SECRET in factories.text(edit_page)
    changed = lia.post(f"{URL}/{note_id}/edit", data={"body": "Quillon va mieux."})
    assert changed.status_code == 302
    with app.app_context():
        note = db.session.get_one(FacilitatorNote, note_id)
        assert note.body == "Quillon va mieux."
        assert note.author_id == user("Mo").id  # who wrote it first
        assert note.updated_at > written  # the retention counts from the change

    assert lia.post(f"{URL}/{note_id}/delete").status_code == 302
    assert rows(app) == []
    assert "No note for now." in factories.text(mo.get(URL, headers=EN))


def test_newest_first(app, scene):
    add(app, "entraide", "Mo", "La plus ancienne", days_ago=3)
    add(app, "entraide", "Lia", "La plus récente", days_ago=1)
    page = factories.text(browser(app, "Mo").get(URL))
    assert page.index("La plus récente") < page.index("La plus ancienne")


def test_a_site_admin_moderates_every_board(app, scene):
    with app.app_context():
        factories.user("Admin", is_admin=True)
    add(app, "entraide", "Mo", SECRET)
    assert SECRET in factories.text(browser(app, "Admin").get(URL))


# --- nobody else ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["Max", "Noa", None])
def test_others_reach_nothing_and_write_nothing(app, scene, who):
    note_id = add(app, "entraide", "Mo", SECRET)
    before = factories.database(app)
    client = browser(app, who)
    expected = 403 if who else 302  # a visitor is sent to sign in
    attempts = [
        client.get(URL),
        client.post(URL, data={"body": "Une note d'intrus."}),
        client.get(f"{URL}/{note_id}/edit"),
        client.post(f"{URL}/{note_id}/edit", data={"body": "Réécrite."}),
        client.post(f"{URL}/{note_id}/delete"),
        client.post(f"{URL}/retention", data={"days": "7"}),
    ]
    for response in attempts:
        assert response.status_code == expected, response.request.path
        assert SECRET not in factories.text(response)
        if not who:
            assert "/login" in response.headers["Location"]
    assert factories.database(app) == before


def test_a_note_of_another_board_is_not_found_through_this_one(app, scene):
    elsewhere = add(app, "ailleurs", "Max", "Note d'ailleurs")
    mo = browser(app, "Mo")
    assert mo.get(f"{URL}/{elsewhere}/edit").status_code == 404
    assert mo.post(f"{URL}/{elsewhere}/delete").status_code == 404
    assert mo.post(f"{URL}/{elsewhere}/edit", data={"body": "x"}).status_code == 404
    assert mo.get(f"{URL}/999999/edit").status_code == 404
    assert mo.get("/moderation/boards/nowhere/notes").status_code == 404
    assert rows(app)[0][2] == "Note d'ailleurs"
    assert "Note d'ailleurs" not in factories.text(mo.get(URL))


def test_never_shown_to_members_searched_exported_or_logged(app, scene):
    add(app, "entraide", "Mo", "Mot très singulier: zanzibarque.")
    with app.app_context():
        started = factories.thread(
            db.session.get_one(Board, board_id("entraide")),
            user("Noa"),
            "Un sujet",
            "Un autre zanzibarque, public.",
        )
        thread_id = started.id
    for who in ("Noa", "Mo"):
        client = browser(app, who)
        found = factories.text(client.get("/search?q=zanzibarque"))
        assert "Un autre" in found  # search works, and finds the post only
        for url in (
            "/search?q=zanzibarque",
            "/search?q=singulier",
            "/boards/entraide",
            "/boards/entraide/log",
            f"/threads/{thread_id}",
            "/me/export",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "Mot très singulier" not in factories.text(response), (who, url)


def test_the_queue_links_to_the_notes_of_each_moderated_board(app, scene):
    page = factories.text(browser(app, "Mo").get("/moderation", headers=EN))
    assert f'href="{URL}"' in page
    assert "/moderation/boards/ailleurs/notes" not in page


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "This field cannot be empty."),
        ("   \n  ", "This field cannot be empty."),
        ("\u200b\u200b\u2060", "only invisible characters"),
        ("x" * (notes.NOTE_MAX + 1), "This text is too long"),
        ("une note\x00", "invalid character"),
    ],
)
def test_bad_notes_write_nothing_and_say_why(app, scene, body, message):
    note_id = add(app, "entraide", "Mo", SECRET)
    before = factories.database(app)
    mo = browser(app, "Mo")
    for response in (
        mo.post(URL, data={"body": body}, headers=EN),
        mo.post(f"{URL}/{note_id}/edit", data={"body": body}, headers=EN),
    ):
        assert response.status_code == 400
        assert message in factories.text(response)
    assert factories.database(app) == before


def test_a_note_of_exactly_the_limit_is_kept(app, scene):
    body = "é" * notes.NOTE_MAX
    assert browser(app, "Mo").post(URL, data={"body": body}).status_code == 302
    assert rows(app)[0][2] == body


@pytest.mark.parametrize("days", ["6", "366", "0", "-7", "abc", "", "30.5", "1e2", "9" * 40])
def test_bad_retention_changes_nothing(app, scene, days):
    before = factories.database(app)
    response = browser(app, "Lia").post(f"{URL}/retention", data={"days": days}, headers=EN)
    assert response.status_code == 400
    assert "Please enter a whole number from 7 to 365." in factories.text(response)
    assert factories.database(app) == before


def test_any_moderator_sets_the_retention(app, scene):
    lia = browser(app, "Lia")
    for days in ("7", "365", "30"):
        assert lia.post(f"{URL}/retention", data={"days": days}).status_code == 302
    with app.app_context():
        assert db.session.get_one(Board, board_id("entraide")).notes_retention_days == 30
        assert db.session.get_one(Board, board_id("ailleurs")).notes_retention_days == 90
    page = factories.text(browser(app, "Mo").get(URL, headers=EN))
    assert "Notes are erased 30 days after their last change." in page


# --- retention -----------------------------------------------------------------------------


@pytest.fixture
def aged(app, scene):  # type: ignore[no-untyped-def]
    """Notes of various ages on a board keeping them 90 days and one keeping them 7."""
    with app.app_context():
        db.session.execute(
            update(Board).where(Board.slug == "ailleurs").values(notes_retention_days=7)
        )
        db.session.commit()
    ids = {
        "old": add(app, "entraide", "Mo", "Vieille de 91 jours", days_ago=91),
        "kept": add(app, "entraide", "Mo", "De 89 jours", days_ago=89),
        "week_old": add(app, "ailleurs", "Max", "De 8 jours", days_ago=8),
        "recent": add(app, "ailleurs", "Max", "De 6 jours", days_ago=6),
        "new": add(app, "entraide", "Lia", "Du jour"),
    }
    # Written 200 days ago, changed yesterday: the retention counts from the change.
    ids["revived"] = add(app, "entraide", "Lia", "Reprise hier", days_ago=200)
    with app.app_context():
        db.session.execute(
            update(FacilitatorNote)
            .where(FacilitatorNote.id == ids["revived"])
            .values(updated_at=utcnow() - timedelta(days=1))
        )
        db.session.commit()
    return ids


def remaining(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {body for _, _, body in rows(app)}


def test_the_purge_erases_exactly_the_notes_past_their_boards_retention(app, aged):
    with app.app_context():
        assert notes.purge_expired() == 2
        assert notes.purge_expired() == 0
    assert remaining(app) == {"De 89 jours", "De 6 jours", "Du jour", "Reprise hier"}


def test_a_shorter_retention_erases_more_at_the_next_purge(app, aged):
    assert browser(app, "Mo").post(f"{URL}/retention", data={"days": "30"}).status_code == 302
    with app.app_context():
        assert notes.purge_expired() == 3
    assert remaining(app) == {"De 6 jours", "Du jour", "Reprise hier"}


def test_the_purge_runs_with_every_processs_periodic_tasks(app, aged):
    assert notes.purge_expired in app.extensions[jobs.PERIODIC]
    with app.app_context():  # as the moderation thread's sweep runs them
        jobs._run_periodic(app)
    assert remaining(app) == {"De 89 jours", "De 6 jours", "Du jour", "Reprise hier"}


def test_concurrent_purges_erase_each_note_once_without_error(app, aged):
    """Four purges released at once, right before their transactions start (SQLite: all
    queue for the write lock) or their DELETEs run (PostgreSQL: all delete the same rows
    concurrently, the losers find them gone)."""
    workers = 4
    with app.app_context():
        engine = db.engine
        first = "BEGIN IMMEDIATE" if engine.dialect.name == "sqlite" else "DELETE FROM facilitator"
    barrier = threading.Barrier(workers, timeout=20)
    purging = threading.local()
    released = []

    def hold(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if getattr(purging, "on", False) and statement.startswith(first):
            purging.on = False
            released.append(barrier.wait())

    def purge() -> int:
        with app.app_context():
            purging.on = True
            try:
                return notes.purge_expired()
            finally:
                db.session.remove()

    event.listen(engine, "before_cursor_execute", hold)
    try:
        with ThreadPoolExecutor(workers) as pool:
            erased = list(pool.map(lambda _: purge(), range(workers)))
    finally:
        event.remove(engine, "before_cursor_execute", hold)
    assert len(released) == workers  # every purge reached the race
    assert sum(erased) == 2
    assert remaining(app) == {"De 89 jours", "De 6 jours", "Du jour", "Reprise hier"}


def test_the_page_says_when_each_note_will_be_erased(app, scene):
    add(app, "entraide", "Mo", SECRET, days_ago=10)
    with app.app_context():
        from flask_babel import force_locale

        from forum.templating import day

        with app.test_request_context(headers=EN), force_locale("en"):
            expected = day(utcnow() + timedelta(days=80))
    page = factories.text(browser(app, "Mo").get(URL, headers=EN))
    assert f"Erased on {expected} unless it changes." in page


# --- accounts that go ----------------------------------------------------------------------


def test_a_deleted_moderators_notes_stay_for_the_others(app, scene):
    add(app, "entraide", "Mo", SECRET)
    with app.app_context():
        data.erase(user("Mo"))
    assert rows(app) == [(rows(app)[0][0], None, SECRET)]
    page = factories.text(browser(app, "Lia").get(URL, headers=EN))
    assert SECRET in page
    assert '<span class="pseudonym gone">former moderator</span>' in page


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_every_notes_form_needs_the_pages_token(app, scene):
    note_id = add(app, "entraide", "Mo", SECRET)
    mo = app.test_client()
    login_page = mo.get("/login").get_data(as_text=True)
    [token] = re.findall(r'name="csrf_token" value="([^"]+)"', login_page)
    fields = {"pseudonym": "Mo", "password": factories.PASSWORD, "csrf_token": token}
    assert mo.post("/login", data=fields).status_code == 302
    before = factories.database(app)
    for url, fields in [
        (URL, {"body": "Sans jeton."}),
        (f"{URL}/{note_id}/edit", {"body": "Sans jeton."}),
        (f"{URL}/{note_id}/delete", {}),
        (f"{URL}/retention", {"days": "30"}),
    ]:
        assert mo.post(url, data=fields).status_code == 400, url
    assert factories.database(app) == before
    page = mo.get(URL).get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert len(tokens) == 1  # every form of the page carries it
    fields = {"body": "Avec jeton.", "csrf_token": tokens.pop()}
    assert mo.post(URL, data=fields).status_code == 302
    assert "Avec jeton." in {body for _, _, body in rows(app)}
