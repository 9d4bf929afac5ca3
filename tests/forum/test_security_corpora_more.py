"""The XSS corpus in the free-text fields test_security_corpora.py leaves out: report notes,
moderators' notes to an author, appeal notes, and the account-recovery and erasure forms.

Each note is sent through its real form, read back from the database (stored as typed,
within its cap) and on the page that shows it, with the same `inspector` as the other
corpus tests: no script, no handler, no javascript:/data: URL, no element a payload brought.
"""

from __future__ import annotations

from collections import Counter

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forum.accounts import recovery
from forum.accounts.services import authenticate
from models import Board, Decision, Notice, Report, ReviewItem, Thread, User, db
from moderation.workflow import decisions, queue
from moderation.workflow import reports as report_rules
from tests import factories
from tests.forum import test_security_corpora as corpora
from tests.forum.test_security_corpora import (
    BULK,
    XSS_CHUNKS,
    Inspector,
    Page,
    signature,
    xss_payloads,
)

inspector = corpora.inspector  # the same fixture: pages read as a browser reads them

# Every other payload of the big list (in 4 tests, as the other module splits it) and all the
# multi-line ones: about 450 per field, so the module stays near a minute per backend.
SAMPLE = [
    pytest.param("xss_payloads.txt", i, 8, id=f"xss_payloads-{i // 2 + 1}of4")
    for i in range(0, 8, 2)
] + [p for p in XSS_CHUNKS if p.id == "xss_multiline_owasp"]

HARMLESS = "Sans piège."
NEW_PASSWORD = "un nouveau mot de passe solide"
NOTICES_PER_AUTHOR = 40  # the notices page shows the latest 50


def stored(payload: str, cap: int) -> str:
    """What a note keeps of the payload sent cut to its cap: CRLF as LF, then stripped."""
    return payload[:cap].replace("\r\n", "\n").strip()


def signed_in(app, name: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    factories.login(client, name)
    return client


def page_signature(client: FlaskClient, url: str) -> Counter:
    response = client.get(url)
    assert response.status_code == 200, url
    return signature(Page(response.get_data(as_text=True)))


def replies(thread_id: int, author_id: int, count: int) -> list[int]:
    """Published replies by the author (in an app context)."""
    thread = db.session.get_one(Thread, thread_id)
    author = db.session.get_one(User, author_id)
    return [factories.reply(thread, author, f"Message {i}.").id for i in range(count)]


def open_items(board_id: int, post_ids: list[int]) -> list[int]:
    """An open review item for each post, as a report or the pipeline opens it."""
    from models import Post

    ids = [
        queue.open_item(db.session.get_one(Post, post_id), board_id, ["report"])
        for post_id in post_ids
    ]
    db.session.commit()
    return [item.id for item in ids]


# --- 1. report notes, on the moderator's item page ----------------------------------------


@pytest.mark.parametrize("app", [BULK], indirect=True)
@pytest.mark.parametrize("source, chunk, of", SAMPLE)
def test_xss_in_report_notes_stays_inert_for_moderators(
    app, inspector: Inspector, source, chunk, of
):
    payloads = xss_payloads(source, chunk, of)
    cap = report_rules.NOTE_MAX
    with app.app_context():
        board = factories.board()
        author = factories.user("Lou")
        factories.user("Rae")
        factories.user("Mod")
        factories.moderator(board, "Mod")
        thread_id = factories.thread(board, author).id
        posts = replies(thread_id, author.id, len(payloads) + 1)
    rae, mod = signed_in(app, "Rae"), signed_in(app, "Mod")

    def report(post_id: int, note: str) -> int:
        response = rae.post(f"/posts/{post_id}/report", data={"reason": "judgment", "note": note})
        assert response.status_code == 302, (note, response.status_code)
        with app.app_context():
            return db.session.scalars(
                select(ReviewItem.id).where(ReviewItem.post_id == post_id)
            ).one()

    expected = page_signature(mod, f"/moderation/items/{report(posts[-1], HARMLESS)}")
    pairs = zip(posts, payloads, strict=False)
    sent = [(report(post_id, p[:cap]), post_id, p) for post_id, p in pairs]
    with app.app_context():
        notes = dict(
            db.session.execute(
                select(Report.post_id, Report.note).where(Report.post_id.in_(posts))
            ).all()
        )
    for item_id, post_id, payload in sent:
        assert notes[post_id] == stored(payload, cap), payload
        page = inspector.assert_inert(
            mod.get(f"/moderation/items/{item_id}"), expected, f"{source} report {payload!r}"
        )
        assert [e.text for e in page.find_all("p", cls="note")] == [stored(payload, cap)]


# --- 2. a moderator's note, on the author's notices page ----------------------------------


@pytest.mark.parametrize("app", [BULK], indirect=True)
@pytest.mark.parametrize("source, chunk, of", SAMPLE)
def test_xss_in_decision_notes_stays_inert_for_authors(
    app, inspector: Inspector, source, chunk, of
):
    payloads = xss_payloads(source, chunk, of)
    cap = decisions.NOTE_MAX
    with app.app_context():
        board = factories.board()
        board_id = board.id
        factories.user("Mod")
        factories.moderator(board, "Mod")
    mod = signed_in(app, "Mod")

    for start in range(0, len(payloads), NOTICES_PER_AUTHOR):
        batch = payloads[start : start + NOTICES_PER_AUTHOR]
        name = f"Auteur {start}"
        with app.app_context():
            author = factories.user(name)
            author_id = author.id
            thread_id = factories.thread(db.session.get_one(Board, board_id), author).id
            items = open_items(board_id, replies(thread_id, author_id, len(batch)))
        for item_id, payload in zip(items, batch, strict=True):
            response = mod.post(
                f"/moderation/items/{item_id}/decide",
                data={"decision": "request_edit", "reason": "judgment", "note": payload[:cap]},
            )
            assert response.status_code == 302, (payload, response.status_code)
        with app.app_context():
            notes = dict(
                db.session.execute(
                    select(Decision.item_id, Decision.note).where(Decision.item_id.in_(items))
                ).all()
            )
        assert [notes[i] for i in items] == [stored(p, cap) for p in batch]

        author_client = signed_in(app, name)
        response = author_client.get("/me/notices")
        # The same page once every note is harmless (and unread again) tells the page's own
        # elements from anything a payload brought.
        with app.app_context():
            db.session.execute(
                update(Decision).where(Decision.item_id.in_(items)).values(note=HARMLESS)
            )
            db.session.execute(
                update(Notice).where(Notice.user_id == author_id).values(read_at=None)
            )
            db.session.commit()
        expected = page_signature(author_client, "/me/notices")
        page = inspector.assert_inert(response, expected, f"{source} notices from {start}")
        shown = [e.text for e in page.find_all("blockquote", cls="mod-note")]
        assert len(shown) == len(batch)
        # Newest first; each quote opens with its label, then the note as written.
        for text, payload in zip(shown, reversed(batch), strict=True):
            assert text.endswith(stored(payload, cap)), payload


# --- 3. an appeal's note, on the moderators' item page ------------------------------------


@pytest.mark.parametrize("app", [BULK], indirect=True)
@pytest.mark.parametrize("source, chunk, of", SAMPLE)
def test_xss_in_appeal_notes_stays_inert_for_moderators(
    app, inspector: Inspector, source, chunk, of
):
    payloads = xss_payloads(source, chunk, of)
    cap = decisions.NOTE_MAX
    with app.app_context():
        board = factories.board(quorum=1)
        board_id = board.id
        author = factories.user("Lou")
        for name in ("Ana", "Ben"):
            factories.user(name)
            factories.moderator(board, name)
        ana_id = db.session.scalars(select(User.id).where(User.pseudonym == "Ana")).one()
        thread_id = factories.thread(board, author).id
        items = open_items(board_id, replies(thread_id, author.id, len(payloads) + 1))
        removals = []
        for item_id in items:  # Ana removes every post: each removal can be appealed
            result = decisions.decide(
                db.session.get_one(ReviewItem, item_id),
                db.session.get_one(User, ana_id),
                "remove",
                reason="judgment",
            )
            assert result.applied and result.decision is not None
            removals.append(result.decision.id)
    lou, ben = signed_in(app, "Lou"), signed_in(app, "Ben")

    def appeal(decision_id: int, note: str) -> int:
        response = lou.post(f"/me/notices/{decision_id}/appeal", data={"note": note})
        assert response.status_code == 302, (note, response.status_code)
        with app.app_context():
            return db.session.scalars(
                select(ReviewItem.id).where(ReviewItem.decision_id == decision_id)
            ).one()

    expected = page_signature(ben, f"/moderation/items/{appeal(removals[-1], HARMLESS)}")
    sent = [(appeal(d, p[:cap]), p) for d, p in zip(removals, payloads, strict=False)]
    with app.app_context():
        notes = dict(
            db.session.execute(
                select(ReviewItem.id, ReviewItem.appeal_note).where(
                    ReviewItem.id.in_([i for i, _ in sent])
                )
            ).all()
        )
    for appeal_id, payload in sent:
        assert notes[appeal_id] == stored(payload, cap), payload
        page = inspector.assert_inert(
            ben.get(f"/moderation/items/{appeal_id}"), expected, f"{source} appeal {payload!r}"
        )
        assert stored(payload, cap) in [e.text for e in page.find_all("p", cls="note")]


# --- 4. account recovery and erasure ------------------------------------------------------


def all_payloads() -> list[str]:
    return xss_payloads("xss_payloads.txt")[::2] + xss_payloads("xss_multiline_owasp.json")


def test_xss_in_the_recovery_form_is_refused_inert_and_changes_nothing(app, inspector):
    payloads = all_payloads()
    with app.app_context():
        member = factories.user("Membre Fidele")
        code = recovery.issue(member)[0]
    visitor = app.test_client()
    refused = visitor.post(
        "/recover",
        data={
            "pseudonym": "Membre Fidele",
            "code": "pas-le-bon-code",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert refused.status_code == 400
    expected = signature(Page(refused.get_data(as_text=True)))
    before = factories.database(app)

    for payload in payloads:
        password = payload.ljust(10, "!")
        attempts = [
            # Everything hostile: most of it fails the form's own checks.
            {"pseudonym": payload, "code": payload, "password": payload},
            # A real member, a hostile code: reaches the recovery itself.
            {"pseudonym": "Membre Fidele", "code": payload[:64], "password": password},
            # A hostile pseudonym with a code that is valid for someone else.
            {"pseudonym": payload[:200], "code": code, "password": NEW_PASSWORD},
        ]
        for data in attempts:
            response = visitor.post("/recover", data={**data, "password_confirm": data["password"]})
            where = f"recover {data!r}"
            assert response.status_code == 400, where
            inspector.assert_inert(response, expected, where)
    assert factories.database(app) == before


def test_xss_as_the_password_to_erase_an_account_erases_nothing(app, inspector):
    payloads = all_payloads()
    with app.app_context():
        factories.user("Membre Fidele")
    client = signed_in(app, "Membre Fidele")
    refused = client.post("/me/delete", data={"password": "pas le bon"})
    assert refused.status_code == 400
    expected = signature(Page(refused.get_data(as_text=True)))
    before = factories.database(app)

    for payload in payloads:
        response = client.post("/me/delete", data={"password": payload})
        assert response.status_code == 400, payload
        inspector.assert_inert(response, expected, f"erase with {payload!r}")
    assert factories.database(app) == before
    with app.app_context():
        assert authenticate("Membre Fidele", factories.PASSWORD) is not None
