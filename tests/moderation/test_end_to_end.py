"""The whole path through the routes of CONTRACT.md: post → scored → queued → claimed →
decided with a quorum → author notified → appeal → public log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Board, Decision, Post, PostStatus, ReviewItem, User, Vote, db
from tests import factories
from tests.scorers import LEXICON


def _browser(app, pseudonym):  # type: ignore[no-untyped-def]
    client = app.test_client()
    factories.login(client, pseudonym)
    return client


def _item(app, **where) -> ReviewItem:  # type: ignore[no-untyped-def]
    with app.app_context():
        item = db.session.scalars(select(ReviewItem).filter_by(**where)).one()
        db.session.expunge(item)
        return item


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_a_hurtful_reply_goes_all_the_way_through_moderation(app):
    with app.app_context():
        board = factories.board("deuil", quorum=2)
        talk = factories.conversation(board)
        names = ("Alix", "Basile", "Coline", "Dany")
        factories.moderator(board, *(factories.user(name) for name in names))
    lou = _browser(app, "Lou")
    alix, basile, coline, dany = (_browser(app, name) for name in names)

    # Posted and scored: above the hold threshold, so it waits for a moderator.
    response = lou.post(
        f"/threads/{talk['thread']}/reply",
        data={"body": "Sam, tu es vraiment idiot.", "parent_id": str(talk["answer"])},
        follow_redirects=True,
    )
    assert "visible dès qu'un modérateur l'aura lu" in factories.text(response)
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.body.contains("idiot"))).one()
        assert post.status == PostStatus.PENDING
    item = _item(app, post_id=post.id)
    assert "toxicity" in item.reasons and item.score >= 0.9

    # Queued, then claimed by the first moderator who opens it.
    assert f"/moderation/items/{item.id}" in alix.get("/moderation").get_data(as_text=True)
    assert alix.get(f"/moderation/items/{item.id}").status_code == 200
    assert _item(app, id=item.id).claimed_by_id is not None
    refused = basile.post(
        f"/moderation/items/{item.id}/decide",
        data={"decision": "remove", "reason": "attack", "version": item.version},
    )
    assert refused.status_code in (302, 409)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Vote)) == 0

    # Two distinct moderators must agree to remove it; the first voice alone does not.
    item = _item(app, id=item.id)
    alix.post(
        f"/moderation/items/{item.id}/decide",
        data={
            "decision": "remove",
            "reason": "attack",
            "note": "Parlez de vous, pas de Sam.",
            "version": item.version,
        },
    )
    again = _item(app, id=item.id)
    assert again.state == "open"
    alix.post(
        f"/moderation/items/{item.id}/decide",
        data={"decision": "remove", "reason": "attack", "version": again.version},
    )
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Vote)) == 1  # not twice
        moderator = db.session.scalar(select(User).where(User.pseudonym == "Alix"))
        db.session.execute(
            db.update(ReviewItem)
            .where(ReviewItem.id == item.id)
            .values(claimed_by_id=None, claimed_until=None)
        )
        db.session.commit()
        assert moderator is not None
    basile.get(f"/moderation/items/{item.id}")
    again = _item(app, id=item.id)
    basile.post(
        f"/moderation/items/{item.id}/decide",
        data={"decision": "remove", "reason": "attack", "version": again.version},
    )
    assert _item(app, id=item.id).state == "closed"
    with app.app_context():
        assert db.session.get_one(Post, post.id).status == PostStatus.REMOVED
        removal = db.session.scalars(select(Decision).where(Decision.action == "removed")).one()

    # The author is told, kindly and in their language, and appeals once.
    notices = factories.text(lou.get("/me/notices"))
    assert "une attaque personnelle ou une insulte" in notices
    assert "Parlez de vous, pas de Sam." in notices
    assert "Alix" not in notices and "Basile" not in notices
    lou.post(f"/me/notices/{removal.id}/appeal", data={"note": "Je regrette, j'étais en colère."})
    appeal = _item(app, kind="appeal")
    assert appeal.decision_id == removal.id

    # Those who removed it do not settle the appeal; two others do.
    blocked = alix.post(
        f"/moderation/items/{appeal.id}/decide",
        data={"decision": "remove", "reason": "attack", "version": appeal.version},
    )
    assert blocked.status_code in (302, 403, 409)
    assert _item(app, id=appeal.id).state == "open"
    for moderator in (coline, dany):
        moderator.get(f"/moderation/items/{appeal.id}")
        current = _item(app, id=appeal.id)
        moderator.post(
            f"/moderation/items/{appeal.id}/decide",
            data={"decision": "remove", "reason": "attack", "version": current.version},
        )
        with app.app_context():
            db.session.execute(
                db.update(ReviewItem)
                .where(ReviewItem.id == appeal.id)
                .values(claimed_by_id=None, claimed_until=None)
            )
            db.session.commit()
    assert _item(app, id=appeal.id).state == "closed"
    assert "la décision est maintenue" in factories.text(lou.get("/me/notices"))

    # The public log: what and why, never who, never the words.
    log = factories.text(app.test_client().get("/boards/deuil/log"))
    assert "retiré" in log and "une attaque personnelle ou une insulte" in log
    for secret in ("Alix", "Basile", "Coline", "Dany", "Lou", "idiot", "Parlez de vous"):
        assert secret not in log
    with app.app_context():
        assert db.session.scalar(select(Board.quorum).where(Board.slug == "deuil")) == 2
