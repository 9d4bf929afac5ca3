"""Reports from members, and the notices authors receive about decisions, with appeals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import (
    Decision,
    Notice,
    Post,
    PostStatus,
    Report,
    ReviewItem,
    Thread,
    User,
    db,
)
from moderation.workflow import decisions
from tests import factories


def _moderate(board_slug: str, *pseudonyms: str) -> None:
    factories.moderator(board_slug, *pseudonyms)


@pytest.fixture
def talk(app):
    with app.app_context():
        ids = factories.conversation(factories.board("deuil", quorum=1))
        factories.user("Nour")
        factories.user("Modo")
        _moderate("deuil", "Modo")
    return ids


def test_a_member_reports_a_post_once_and_is_thanked(client, app, talk):
    factories.login(client, "Nour")
    data = {"reason": "judgment", "note": "Ce message juge Lou."}
    response = client.post(f"/posts/{talk['answer']}/report", data=data, follow_redirects=True)
    assert "Merci. Les modérateurs vont lire ce message avec attention." in factories.text(response)
    again = client.post(f"/posts/{talk['answer']}/report", data=data, follow_redirects=True)
    assert "Vous avez déjà signalé ce message" in factories.text(again)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Report)) == 1
        item = db.session.scalars(
            select(ReviewItem).where(ReviewItem.post_id == talk["answer"])
        ).one()
        assert "report" in item.reasons


def test_the_report_form_is_offered_on_others_posts_only(client, talk):
    factories.login(client, "Sam")
    page = factories.text(client.get(f"/threads/{talk['thread']}"))
    assert f'action="/posts/{talk["root"]}/report"' in page
    assert f'action="/posts/{talk["answer"]}/report"' not in page  # Sam's own answer
    assert "L'auteur ou l'autrice semble en danger" in page


@pytest.mark.parametrize(
    "data", [{}, {"reason": "nope"}, {"reason": "spam", "note": "x" * 501}, {"reason": "spam\x00"}]
)
def test_bad_reports_are_refused_and_change_nothing(client, app, talk, data):
    factories.login(client, "Nour")
    before = factories.database(app)
    assert client.post(f"/posts/{talk['answer']}/report", data=data).status_code == 400
    assert factories.database(app) == before


def test_reporting_ones_own_post_is_explained(client, app, talk):
    factories.login(client, "Sam")
    response = client.post(
        f"/posts/{talk['answer']}/report", data={"reason": "spam"}, follow_redirects=True
    )
    assert "Vous ne pouvez pas signaler votre propre message" in factories.text(response)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Report)) == 0


def test_visitors_cannot_report(client, talk):
    response = client.post(f"/posts/{talk['answer']}/report", data={"reason": "spam"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _remove(app, talk, note: str = "Merci de parler de votre vécu.") -> int:
    with app.app_context():
        post = db.session.get_one(Post, talk["answer"])
        board_id = db.session.get_one(Thread, post.thread_id).board_id
        item = decisions.queue.open_item(post, board_id, ["report"])
        db.session.commit()
        moderator = db.session.scalar(select(User).where(User.pseudonym == "Modo"))
        result = decisions.decide(item, moderator, "remove", reason="judgment", note=note)
        assert result.applied
        return result.decision.id


def test_the_author_reads_the_decision_in_their_language_and_appeals_once(client, app, talk):
    decision_id = _remove(app, talk)
    factories.login(client, "Sam")
    page = factories.text(client.get("/me/notices"))
    assert "juger les autres plutôt que parler de soi" in page
    assert "Merci de parler de votre vécu." in page
    assert "Modo" not in page  # moderators are never named
    response = client.post(
        f"/me/notices/{decision_id}/appeal",
        data={"note": "Je parlais de moi."},
        follow_redirects=True,
    )
    assert "Votre demande est envoyée" in factories.text(response)
    again = client.post(f"/me/notices/{decision_id}/appeal", data={"note": "Encore."})
    assert again.status_code == 302
    with app.app_context():
        appeals = db.session.scalars(select(ReviewItem).where(ReviewItem.kind == "appeal")).all()
        assert len(appeals) == 1 and appeals[0].appeal_note == "Je parlais de moi."
        assert db.session.scalar(select(Notice.read_at).limit(1)) is not None


def test_the_notices_page_is_in_english_for_an_english_member(client, app, talk):
    _remove(app, talk)
    with app.app_context():
        sam = db.session.scalar(select(User).where(User.pseudonym == "Sam"))
        sam.locale = "en"
        db.session.commit()
    factories.login(client, "Sam")
    page = factories.text(client.get("/me/notices"))
    assert "judging others rather than speaking of oneself" in page


def test_nobody_appeals_someone_elses_decision(client, app, talk):
    decision_id = _remove(app, talk)
    factories.login(client, "Nour")
    before = factories.database(app)
    assert client.post(f"/me/notices/{decision_id}/appeal", data={"note": "x"}).status_code == 404
    assert client.post("/me/notices/2147483000/appeal", data={"note": "x"}).status_code == 404
    assert factories.database(app) == before


def test_an_unread_notice_shows_in_the_menu(client, app, talk):
    _remove(app, talk)
    factories.login(client, "Sam")
    assert '<span class="count">1</span>' in client.get("/").get_data(as_text=True)
    client.get("/me/notices")
    assert '<span class="count">' not in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get_one(Post, talk["answer"]).status == PostStatus.REMOVED
        assert db.session.scalars(select(Decision)).one().action == "removed"
