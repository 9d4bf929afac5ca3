"""The moderation seam: every new post and every edit passes through pipeline.review."""

import pytest
from sqlalchemy import select

from forum.boards import services
from models import Post, PostStatus, Thread, db
from moderation import pipeline
from tests import factories


@pytest.fixture
def reviewed(monkeypatch):
    """Records each call to the real review() (a spy: the real function still decides)."""
    calls = []
    real = pipeline.review

    def spy(text, **kwargs):
        decision = real(text, **kwargs)
        calls.append((text, kwargs, decision))
        return decision

    monkeypatch.setattr(services, "review", spy)
    return calls


def test_every_post_and_edit_is_reviewed_once(client, app, reviewed):
    with app.app_context():
        factories.board("deuil")
        factories.user("Galet")
    factories.login(client, "Galet")
    thread_url = client.post("/boards/deuil/new", data={"title": "T", "body": "premier"}).headers[
        "Location"
    ]
    client.post(f"{thread_url}/reply", data={"body": "deuxième"})
    with app.app_context():
        reply_id = db.session.scalar(select(Post.id).where(Post.parent_id.is_not(None)))
    client.post(f"/posts/{reply_id}/edit", data={"body": "deuxième, corrigé"})
    assert [(text, kw["is_edit"]) for text, kw, _ in reviewed] == [
        ("premier", False),
        ("deuxième", False),
        ("deuxième, corrigé", True),
    ]
    assert all(d.action is pipeline.Action.PUBLISH for *_, d in reviewed)
    assert reviewed[2][1]["post_id"] == reply_id  # the text is stored before it is judged


def test_a_held_post_is_kept_and_shown_only_to_its_author(client, app):
    """What the seam's HOLD means for readers (the moderation issue will produce it)."""
    with app.app_context():
        board = factories.board("deuil")
        lou, sam = factories.user("Lou"), factories.user("Sam")
        thread = factories.thread(board, lou, "Sujet")
        post = factories.reply(thread, sam, "Message retenu")
        post.status = PostStatus.PENDING
        thread_row = db.session.get(Thread, thread.id)
        thread_row.reply_count -= 1
        db.session.commit()
        tid = thread.id
    assert "Message retenu" not in client.get(f"/threads/{tid}").get_data(as_text=True)
    factories.login(client, "Lou")
    assert "Message retenu" not in client.get(f"/threads/{tid}").get_data(as_text=True)
    client.post("/logout")
    factories.login(client, "Sam")
    page = factories.text(client.get(f"/threads/{tid}"))
    assert "Message retenu" in page and "En attente de relecture" in page


def test_server_error_page_is_friendly_and_rolls_back(app, client):
    @app.route("/boom")
    def boom():
        db.session.add(factories.Board(slug="half", name="Half", theme="x"))
        db.session.flush()
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Rien de ce que vous avez écrit n'est perdu" in factories.text(response)
    with app.app_context():
        assert (
            db.session.scalar(select(factories.Board).where(factories.Board.slug == "half")) is None
        )
