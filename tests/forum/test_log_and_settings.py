"""The public moderation log of a board, and the admins' page for a board's settings."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Board, Decision, ReviewItem, db
from moderation.settings import DEFAULT_THRESHOLDS
from moderation.workflow import decisions, reports
from tests import factories

EN = {"Accept-Language": "en"}
BODY = "Un message que le journal ne doit jamais montrer."
NOTE = "Une note pour l'autrice, jamais publique."


def _grant(pseudonym: str, slug: str) -> None:
    factories.moderator(slug, pseudonym)


@pytest.fixture
def decided(app):  # type: ignore[no-untyped-def]
    """On board "entraide" (quorum 1), Xandrine reported Quillon's reply and Zephyrin,
    its moderator, removed it."""
    with app.app_context():
        board = factories.board("entraide", quorum=1)
        author, reporter = factories.user("Quillon"), factories.user("Xandrine")
        moderator = factories.user("Zephyrin")
        _grant("Zephyrin", "entraide")
        thread = factories.thread(board, reporter, "Titre confidentiel")
        post = factories.reply(thread, author, BODY)
        reports.report(post, board, reporter, "attack", "Cela me semble blessant.")
        item = db.session.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()
        db.session.refresh(moderator)
        result = decisions.decide(item, moderator, "remove", reason="attack", note=NOTE)
        assert result.applied
    return app


def test_log_shows_what_and_why_but_never_who_or_what_was_written(client, decided) -> None:  # type: ignore[no-untyped-def]
    page = factories.text(client.get("/boards/entraide/log", headers=EN))
    assert "removed" in page
    assert "a personal attack or an insult" in page  # the reason category
    for secret in ("Zephyrin", "Quillon", "Xandrine", BODY, NOTE, "blessant", "confidentiel"):
        assert secret not in page, secret
    assert 'name="robots"' not in page  # a public board's log may be indexed
    board_page = client.get("/boards/entraide", headers=EN).get_data(as_text=True)
    assert 'href="/boards/entraide/log"' in board_page


def test_log_of_a_members_only_board_is_for_members(client, app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        board = factories.board("cercle", members_only=True)
        db.session.add(Decision(board_id=board.id, action="approved"))
        db.session.commit()
        factories.user("Lou")
    assert client.get("/boards/cercle/log").status_code == 404
    assert client.get("/boards/nowhere/log").status_code == 404
    factories.login(client, "Lou")
    response = client.get("/boards/cercle/log", headers=EN)
    assert response.status_code == 200
    page = factories.text(response)
    assert '<meta name="robots" content="noindex">' in page
    assert "published after review" in page


def test_log_pages_hold_fifty_entries(client, app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        board = factories.board("entraide")
        db.session.add_all(
            Decision(board_id=board.id, action="removed", reason="spam") for _ in range(50)
        )
        db.session.add(Decision(board_id=board.id, action="warned", reason="judgment"))
        db.session.commit()
    first = factories.text(client.get("/boards/entraide/log", headers=EN))
    assert first.count("<tr>") == 51  # a header and 50 entries
    assert "member warned" in first  # newest first
    second = client.get("/boards/entraide/log?page=2", headers=EN)
    assert second.status_code == 200
    assert factories.text(second).count("<tr>") == 2
    for page in ("3", "0", "-1", "abc", "9" * 30):
        assert client.get(f"/boards/entraide/log?page={page}").status_code == 404, page


def test_an_empty_log_has_one_page(client, app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        factories.board("entraide")
    assert client.get("/boards/entraide/log").status_code == 200
    assert client.get("/boards/entraide/log?page=2").status_code == 404


VALID = {
    "quorum": "1",
    "new_member_holds": "5",
    "fallback": "hold",
    "report_threshold": "3,5",
    "hold_toxicity": "0.7",
    "queue_insult": "0.2",
    "nudge_threat": "",
}


@pytest.fixture
def admin(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        factories.board("entraide", new_member_holds=2)
        factories.user("Ada", is_admin=True)
        factories.user("Mo")
        factories.user("Sam")
        _grant("Mo", "entraide")
    return app


def _board(app) -> Board:  # type: ignore[no-untyped-def]
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == "entraide"))
        db.session.expunge(board)
        return board


def test_settings_are_for_site_admins_only(client, admin) -> None:  # type: ignore[no-untyped-def]
    url = "/moderation/boards/entraide/settings"
    assert client.get(url).status_code == 302  # sign in first
    for pseudonym in ("Sam", "Mo"):  # a member, and the board's own moderator
        factories.login(client, pseudonym)
        assert client.get(url).status_code == 403
        assert client.post(url, data=VALID).status_code == 403
        client.post("/logout")
    assert _board(admin).quorum == 2
    factories.login(client, "Ada")
    assert client.get("/moderation/boards/nowhere/settings").status_code == 404


def test_admin_sees_and_saves_the_settings(client, admin) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Ada")
    url = "/moderation/boards/entraide/settings"
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert 'name="quorum"' in page and 'value="2"' in page
    assert f'placeholder="{DEFAULT_THRESHOLDS["hold"]["severe_toxicity"]}"' in page
    assert "1 is for small boards" in page
    assert "style=" not in page

    response = client.post(url, data=VALID)
    assert response.status_code == 302, factories.text(response)
    board = _board(admin)
    assert (board.quorum, board.new_member_holds, board.fallback) == (1, 5, "hold")
    assert board.report_threshold == 3.5
    assert board.thresholds == {"hold": {"toxicity": 0.7}, "queue": {"insult": 0.2}}
    page = client.get(url).get_data(as_text=True)
    assert 'name="hold_toxicity"' in page and 'value="0.7"' in page

    # Blank boxes: back to the defaults.
    data = {**VALID, "hold_toxicity": "", "queue_insult": " "}
    assert client.post(url, data=data).status_code == 302
    assert _board(admin).thresholds is None


BAD = [
    {"quorum": "0"},
    {"quorum": "10"},
    {"quorum": "-1"},
    {"quorum": "deux"},
    {"quorum": "1.5"},
    {"quorum": ""},
    {"quorum": "9" * 5000},
    {"new_member_holds": "21"},
    {"new_member_holds": "NaN"},
    {"fallback": "delete"},
    {"fallback": ""},
    {"report_threshold": "0.4"},
    {"report_threshold": "20.5"},
    {"report_threshold": "nan"},
    {"report_threshold": "inf"},
    {"report_threshold": "1e3"},
    {"report_threshold": "-2"},
    {"hold_toxicity": "1.5"},
    {"hold_toxicity": "-0.1"},
    {"hold_toxicity": "NaN"},
    {"hold_toxicity": "0x1"},
    {"hold_toxicity": "½"},
    {"hold_toxicity": "0." + "1" * 400},
    # Each value is fine alone, but queue would sit above nudge (default 0.6).
    {"queue_toxicity": "0.9"},
    {"nudge_insult": "0.8", "hold_insult": "0.7"},
]


@pytest.mark.parametrize(
    "change", BAD, ids=lambda c: ",".join(f"{k}={v[:10]}" for k, v in c.items())
)
def test_bad_settings_are_refused_and_nothing_changes(client, admin, change) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Ada")
    before = factories.database(admin)
    response = client.post("/moderation/boards/entraide/settings", data={**VALID, **change})
    assert response.status_code == 400
    assert 'class="errors' in response.get_data(as_text=True)
    assert factories.database(admin) == before


def test_missing_fields_are_refused(client, admin) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Ada")
    before = factories.database(admin)
    response = client.post("/moderation/boards/entraide/settings", data={})
    assert response.status_code == 400
    assert factories.database(admin) == before
