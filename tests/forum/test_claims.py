"""Claims go to the moderators who can act: opening an item claims it only for someone who
may decide on it, and the page offers each moderator only what they may do, saying why
when that is nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Board, Decision, ItemState, Post, PostStatus, ReviewItem, User, db
from moderation.workflow import decisions, eligibility, queue, reports
from tests import factories
from tests.scorers import with_lexicon

pytestmark = with_lexicon

HURTFUL = "Tu es un idiot, voilà."  # held by the Lexicon scorer
QUEUED = "Bof, franchement bof."  # published and queued
DECISION_FORM = 'name="decision"'
SANCTION_FORM = 'name="kind"'


def named(name: str) -> User:
    return db.session.scalars(select(User).where(User.pseudonym == name)).one()


def held_item(board: Board, author: User, body: str = HURTFUL) -> dict[str, int]:
    thread = factories.thread(board, author, "Un sujet", "Bonjour à toutes et tous.")
    post = factories.reply(thread, author, body)
    item_id = db.session.scalar(select(ReviewItem.id).where(ReviewItem.open_post_id == post.id))
    assert item_id is not None, "the pipeline did not queue the post"
    return {"post": post.id, "item": item_id}


def claimant(item_id: int) -> int | None:
    db.session.expire_all()
    return db.session.get_one(ReviewItem, item_id).claimed_by_id


def signed_in(app, name: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    factories.login(client, name)
    return client


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    """Board `entraide` (quorum 2) moderated by Ana, Ben, Cy and Eve, all reading in
    English; Lou writes there."""
    with app.app_context():
        board = factories.board("entraide", name="Entraide", quorum=2)
        for name in ("Ana", "Ben", "Cy", "Eve"):
            factories.moderator(board, factories.user(name, locale="en"))
        factories.user("Lou", locale="en")
        return {"board": board.id}


def board_of(world) -> Board:  # type: ignore[no-untyped-def]
    return db.session.get_one(Board, world["board"])


def test_a_moderator_who_voted_claims_nothing_and_the_next_decides_at_once(app, world):
    with app.app_context():
        ids = held_item(board_of(world), named("Lou"))
    ana, ben = signed_in(app, "Ana"), signed_in(app, "Ben")
    assert ana.get(f"/moderation/items/{ids['item']}").status_code == 200
    with app.app_context():
        assert claimant(ids["item"]) == named("Ana").id  # she could decide: she holds it
    voted = ana.post(
        f"/moderation/items/{ids['item']}/decide", data={"decision": "remove", "reason": "attack"}
    )
    assert voted.status_code == 302

    again = ana.get(f"/moderation/items/{ids['item']}")
    html = again.get_data(as_text=True)
    assert "You already gave your voice on this message; other moderators will complete" in (
        factories.text(again)
    )
    assert DECISION_FORM not in html  # no form she could not use
    assert SANCTION_FORM in html  # a sanction is another question: her voice is still open
    assert "Leave this item for another moderator" not in factories.text(again)
    with app.app_context():
        assert claimant(ids["item"]) is None

    page = ben.get(f"/moderation/items/{ids['item']}")
    assert "Another moderator has this item open" not in factories.text(page)
    assert DECISION_FORM in page.get_data(as_text=True)
    done = ben.post(
        f"/moderation/items/{ids['item']}/decide", data={"decision": "remove", "reason": "attack"}
    )
    assert done.status_code == 302
    with app.app_context():
        db.session.expire_all()
        assert db.session.get_one(Post, ids["post"]).status == PostStatus.REMOVED
        assert db.session.get_one(ReviewItem, ids["item"]).state == ItemState.CLOSED


def test_the_author_moderator_sees_why_and_claims_nothing(app, world):
    with app.app_context():
        ids = held_item(board_of(world), named("Ana"))
    ana = signed_in(app, "Ana")
    page = ana.get(f"/moderation/items/{ids['item']}")
    html = page.get_data(as_text=True)
    assert "You wrote this message, so other moderators decide on it." in factories.text(page)
    assert DECISION_FORM not in html and SANCTION_FORM not in html
    with app.app_context():
        assert claimant(ids["item"]) is None
    ben = signed_in(app, "Ben")
    assert DECISION_FORM in ben.get(f"/moderation/items/{ids['item']}").get_data(as_text=True)
    assert (
        ben.post(
            f"/moderation/items/{ids['item']}/decide", data={"decision": "approve"}
        ).status_code
        == 302
    )


def test_the_reporter_moderator_sees_why_and_claims_nothing(app, world):
    with app.app_context():
        ids = held_item(board_of(world), named("Lou"), QUEUED)
        post = db.session.get_one(Post, ids["post"])
        reports.report(post, board_of(world), named("Ben"), "attack", rate_limits=False)
    ben = signed_in(app, "Ben")
    page = ben.get(f"/moderation/items/{ids['item']}")
    html = page.get_data(as_text=True)
    assert "You reported this message, so other moderators decide on it." in factories.text(page)
    assert DECISION_FORM not in html and SANCTION_FORM not in html
    with app.app_context():
        assert claimant(ids["item"]) is None
    refused = ben.post(f"/moderation/items/{ids['item']}/decide", data={"decision": "approve"})
    assert refused.status_code == 403  # the rule holds on submit too, with the same words
    assert "You reported this message: other moderators decide." in factories.text(refused)
    cy = signed_in(app, "Cy")
    assert DECISION_FORM in cy.get(f"/moderation/items/{ids['item']}").get_data(as_text=True)
    with app.app_context():
        assert claimant(ids["item"]) == named("Cy").id


def test_an_appeal_is_claimed_only_by_those_who_may_settle_it(app, world):
    with app.app_context():
        ids = held_item(board_of(world), named("Lou"))
        for name in ("Ana", "Ben"):
            item = db.session.get_one(ReviewItem, ids["item"])
            decisions.decide(item, named(name), "remove", reason="attack")
        removed = db.session.scalars(select(Decision).where(Decision.action == "removed")).one()
        appeal_id = decisions.appeal(removed, named("Lou"), "Relisez-moi, svp.").id
    ana = signed_in(app, "Ana")
    page = ana.get(f"/moderation/items/{appeal_id}")
    assert "You took part in the decision under appeal" in factories.text(page)
    assert DECISION_FORM not in page.get_data(as_text=True)
    with app.app_context():
        assert claimant(appeal_id) is None

    cy = signed_in(app, "Cy")
    page = cy.get(f"/moderation/items/{appeal_id}")
    assert "Another moderator has this item open" not in factories.text(page)
    assert "Accept the appeal (undo the decision)" in factories.text(page)
    assert cy.post(
        f"/moderation/items/{appeal_id}/decide", data={"decision": "approve"}
    ).status_code == (302)
    assert "Your vote is counted: 1 of 2." in factories.text(cy.get("/moderation"))


def test_the_page_and_the_decision_follow_the_same_rules(app, world):
    """Whatever keeps a moderator from deciding, the page's reason is the refusal's."""
    with app.app_context():
        board = board_of(world)
        own = held_item(board, named("Ana"))
        reported = held_item(board, named("Lou"), QUEUED)
        reports.report(
            db.session.get_one(Post, reported["post"]),
            board,
            named("Ben"),
            "attack",
            rate_limits=False,
        )
        voted = held_item(board, named("Lou"))
        decisions.decide(
            db.session.get_one(ReviewItem, voted["item"]), named("Cy"), "remove", reason="attack"
        )
        claimed = held_item(board, named("Lou"))
        queue.claim(db.session.get_one(ReviewItem, claimed["item"]), named("Eve"))
        decided = held_item(board, named("Lou"))
        decisions.decide(db.session.get_one(ReviewItem, decided["item"]), named("Eve"), "approve")
        appealed = held_item(board, named("Lou"))
        for name in ("Ana", "Ben"):
            item = db.session.get_one(ReviewItem, appealed["item"])
            decisions.decide(item, named(name), "remove", reason="attack")
        removal = db.session.scalars(
            select(Decision).where(
                Decision.action == "removed", Decision.item_id == appealed["item"]
            )
        ).one()
        appeal = {"item": decisions.appeal(removal, named("Lou"), "").id}
        elsewhere = factories.user("Dora")
        factories.moderator(factories.board("deuil"), elsewhere)
        cases = [
            (own, "Ana", "own_post"),
            (reported, "Ben", "own_report"),
            (voted, "Cy", "already_voted"),
            (claimed, "Ben", "claimed"),
            (decided, "Ben", "already_decided"),
            (appeal, "Ana", "took_decision"),
            (own, "Dora", "forbidden"),
        ]
        for ids, name, reason in cases:
            item = db.session.get_one(ReviewItem, ids["item"])
            can = eligibility.actions_for(item, named(name))
            assert (can.choices, can.reason) == (frozenset(), reason), name
            with pytest.raises(decisions.NotAllowed) as refusal:
                decisions.decide(item, named(name), "approve")
            assert refusal.value.reason == reason, name
            db.session.rollback()
        free = eligibility.actions_for(db.session.get_one(ReviewItem, own["item"]), named("Ben"))
        assert free.choices == {"approve", "remove", "request_edit", "escalate"}
        assert free.may_sanction and free.reason is None
