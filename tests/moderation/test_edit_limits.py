"""Edits are judged and scored like new posts: they are limited like them, per post and per
member, counted in the database (so every worker sees the same counts)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Post, db
from moderation import settings
from tests import factories
from tests.scorers import LEXICON

LIMITED = pytest.mark.parametrize("app", [{**LEXICON, "RATE_LIMITS": "on"}], indirect=True)
KIND = "Merci pour vos messages, ils m'aident."


def _posts(app, author: str, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        board = factories.board("entraide")
        member = factories.user(author, created_at=factories.long_ago())
        return [
            factories.root_post(factories.thread(board, member, f"Sujet {n}", KIND)).id
            for n in range(count)
        ]


@LIMITED
def test_one_post_can_be_rewritten_only_so_often(client, app):
    [post_id] = _posts(app, "Lou", 1)
    factories.login(client, "Lou")
    [(most, _)] = settings.EDITS_PER_POST
    for n in range(most):
        response = client.post(f"/posts/{post_id}/edit", data={"body": f"Version {n}. {KIND}"})
        assert response.status_code == 302, n
    refused = client.post(f"/posts/{post_id}/edit", data={"body": "Encore une version."})
    assert refused.status_code == 429
    assert "Encore une version." in factories.text(refused)  # the text stays in the form
    with app.app_context():
        assert db.session.get_one(Post, post_id).body == f"Version {most - 1}. {KIND}"


@LIMITED
def test_a_member_cannot_flood_the_scorer_with_edits_across_posts(client, app):
    most = settings.EDIT_LIMITS[0][0]
    per_post = settings.EDITS_PER_POST[0][0]
    posts = _posts(app, "Lou", most // (per_post - 1) + 1)
    factories.login(client, "Lou")
    accepted = 0
    for n in range(most + 5):
        post_id = posts[n // (per_post - 1)]
        response = client.post(f"/posts/{post_id}/edit", data={"body": f"Version {n}."})
        if response.status_code == 429:
            break
        assert response.status_code == 302
        accepted += 1
    assert accepted == most
    # Another member is not slowed by Lou's edits.
    with app.app_context():
        factories.user("Sam", created_at=factories.long_ago())
    factories.login(client, "Sam")
    assert (
        client.post("/boards/entraide/new", data={"title": "Moi", "body": KIND}).status_code == 302
    )


@LIMITED
def test_a_crisis_edit_goes_past_the_edit_limit(client, app):
    [post_id] = _posts(app, "Lou", 1)
    factories.login(client, "Lou")
    for n in range(settings.EDITS_PER_POST[0][0]):
        client.post(f"/posts/{post_id}/edit", data={"body": f"Version {n}."})
    crisis = "Je ne serai plus là demain, je veux en finir."
    response = client.post(f"/posts/{post_id}/edit", data={"body": crisis})
    assert response.status_code == 302 and response.headers["Location"].endswith("#crisis-now")
    with app.app_context():
        assert db.session.scalar(select(Post.body).where(Post.id == post_id)) == crisis
