"""The moderators' review pages, through the routes: who gets in, what the queue and an item
show (and never show), and decisions, sanctions and appeals reaching their quorum."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import (
    Board,
    Decision,
    ItemState,
    Notice,
    Post,
    PostStatus,
    ReviewItem,
    Sanction,
    User,
    Vote,
    db,
    set_status,
    utcnow,
)
from moderation.workflow import decisions, queue, reports
from tests import factories
from tests.scorers import with_lexicon

pytestmark = with_lexicon

HURTFUL = "Tu es un idiot, voilà."  # held by the Lexicon scorer (toxicity 0.95)
QUEUED = "Bof, franchement bof."  # published and queued (toxicity 0.5)


def moderate(member: User, board: Board) -> None:
    factories.moderator(board, member)


def member(name: str, *boards: Board, **fields) -> User:  # type: ignore[no-untyped-def]
    """A member reading in English, moderator of the given boards."""
    user = factories.user(name, locale="en", **fields)
    for board in boards:
        moderate(user, board)
    return user


def post_item(board: Board, author: User, body: str) -> dict[str, int]:
    """A reply by `author` that the pipeline sends to the queue: the ids tests refer to."""
    thread = factories.thread(board, author, "Un sujet", "Bonjour à toutes et tous.")
    post = factories.reply(thread, author, body)
    item_id = db.session.scalar(select(ReviewItem.id).where(ReviewItem.open_post_id == post.id))
    assert item_id is not None, "the pipeline did not queue the post"
    return {"post": post.id, "item": item_id, "thread": thread.id}


def signed_in(app, name: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    factories.login(client, name)
    return client


def version_on(page) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True))
    assert found, "no version field on the page"
    return found.group(1)


def flashed(client) -> str:  # type: ignore[no-untyped-def]
    """The queue page after a redirect: where the flash message shows."""
    return factories.text(client.get("/moderation"))


def item_row(item_id: int) -> ReviewItem:
    db.session.expire_all()
    return db.session.get_one(ReviewItem, item_id)


def post_status(post_id: int) -> PostStatus:
    db.session.expire_all()
    return db.session.get_one(Post, post_id).status


def votes_on(item_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Vote).where(Vote.item_id == item_id))


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    """Board A (`entraide`, quorum 2) moderated by Ana, Ben, Cy and Eve; board B (`deuil`)
    moderated by Dora; Lou writes, Max is a plain member. One held post on each board."""
    with app.app_context():
        a = factories.board("entraide", name="Entraide", quorum=2)
        b = factories.board("deuil", name="Deuil", quorum=2)
        for name in ("Ana", "Ben", "Cy", "Eve"):
            member(name, a)
        member("Dora", b)
        lou = member("Lou")
        member("Max")
        return {"a": post_item(a, lou, HURTFUL), "b": post_item(b, lou, HURTFUL)}


def test_only_moderators_and_admins_reach_the_queue(app, client, world):
    response = client.get("/moderation")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(f"/moderation/items/{world['a']['item']}").status_code == 302

    max_ = signed_in(app, "Max")
    assert max_.get("/moderation").status_code == 403
    assert max_.get(f"/moderation/items/{world['a']['item']}").status_code == 404
    assert ">Moderation</a>" not in max_.get("/").get_data(as_text=True)

    ana = signed_in(app, "Ana")
    assert ">Moderation</a>" in ana.get("/").get_data(as_text=True)
    page = ana.get("/moderation")
    assert page.status_code == 200
    assert f'id="item-{world["a"]["item"]}"' in page.get_data(as_text=True)
    text = factories.text(page)
    assert "You reviewed 0 items today." in text and "Take breaks" in text
    assert "/moderation/health" in text and "/boards/entraide/log" in text

    with app.app_context():
        member("Root", is_admin=True)
    admin_page = signed_in(app, "Root").get("/moderation").get_data(as_text=True)
    assert f'id="item-{world["a"]["item"]}"' in admin_page
    assert f'id="item-{world["b"]["item"]}"' in admin_page


def test_a_moderator_of_one_board_neither_sees_nor_acts_on_another(app, world):
    theirs = world["a"]["item"]
    dora = signed_in(app, "Dora")
    page = dora.get("/moderation").get_data(as_text=True)
    assert f'id="item-{world["b"]["item"]}"' in page and f'id="item-{theirs}"' not in page
    assert dora.get("/moderation?board=entraide").status_code == 404
    before = factories.database(app)
    assert dora.get(f"/moderation/items/{theirs}").status_code == 404
    for action, data in (
        ("decide", {"decision": "approve"}),
        ("decide", {"decision": "remove", "reason": "attack"}),
        ("sanction", {"kind": "ban", "reason": "attack"}),
        ("release", {}),
    ):
        assert dora.post(f"/moderation/items/{theirs}/{action}", data=data).status_code == 404
    assert factories.database(app) == before


def test_queue_puts_crisis_first_then_score_then_waiting_time_and_folds_distress(app, world):
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == "entraide"))
        lou = db.session.scalar(select(User).where(User.pseudonym == "Lou"))
        thread = factories.thread(board, lou, "Autre sujet", "Bonjour.")
        ids = {}
        for key, body, reasons, score, age in (
            ("old_low", "Une vieille question anodine.", ["report"], 0.3, 60),
            ("new_low", "Une question récente et anodine.", ["report"], 0.3, 5),
            ("crisis", "Une pensée très sombre ce soir.", ["crisis"], 0.0, 1),
        ):
            post = factories.reply(thread, lou, body)
            item = queue.open_item(post, board.id, reasons, score)
            item.opened_at = utcnow() - timedelta(minutes=age)
            db.session.commit()
            ids[key] = item.id
    page = signed_in(app, "Ana").get("/moderation").get_data(as_text=True)
    order = [int(n) for n in re.findall(r'id="item-(\d+)"', page)]
    assert order == [ids["crisis"], world["a"]["item"], ids["old_low"], ids["new_low"]]
    # Crisis and high scores are folded until clicked; the others show an excerpt at once.
    folded = re.findall(r'<details class="fold">.*?</details>', page, re.S)
    assert len(folded) == 2 and "Show the message" in folded[0]
    assert any("pensée très sombre" in factories.text_of(f) for f in folded)
    assert any("idiot" in f for f in folded)
    unfolded = factories.text_of(
        re.sub(r'<details class="fold">.*?</details>', "", page, flags=re.S)
    )
    assert "vieille question anodine" in unfolded and "récente et anodine" in unfolded
    assert "pensée très sombre" not in unfolded and "idiot" not in unfolded


def test_item_page_shows_scores_reports_and_history_but_never_the_reporters(app, world):
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == "entraide"))
        lou = db.session.scalar(select(User).where(User.pseudonym == "Lou"))
        ids = post_item(board, lou, QUEUED)
        post = db.session.get_one(Post, ids["post"])
        for name, reason, note in (
            ("Signaleuse", "attack", "Ça m'a blessée."),
            ("Veilleur", "judgment", ""),
        ):
            reports.report(post, board, member(name), reason, note, rate_limits=False)
    page = signed_in(app, "Ana").get(f"/moderation/items/{ids['item']}")
    assert page.status_code == 200
    text = factories.text(page)
    assert "toxicity" in text and "0.50" in text  # the Lexicon's score for "bof"
    assert "It attacks or insults someone" in text and "Ça m'a blessée." in text
    assert "It judges or lectures someone" in text and "weight 0.50" in text
    assert "Signaleuse" not in text and "Veilleur" not in text
    assert "Lou" in text and "Un sujet" in text and "Bonjour à toutes et tous." in text
    assert "published, then queued for review" in text
    with app.app_context():
        assert item_row(ids["item"]).claimed_by_id is not None  # opening it claimed it


def test_a_claim_is_shown_to_a_second_moderator_without_a_name(app, world):
    item_id = world["a"]["item"]
    ana, ben = signed_in(app, "Ana"), signed_in(app, "Ben")
    ana.get(f"/moderation/items/{item_id}")
    page = ben.get(f"/moderation/items/{item_id}")
    text = factories.text(page)
    assert "Another moderator has this item open; it is released in 5 minutes." in text
    assert "Ana" not in text
    assert "being read by another moderator" in factories.text(ben.get("/moderation"))
    assert 'name="decision"' not in page.get_data(as_text=True)  # nothing to decide meanwhile
    refused = ben.post(f"/moderation/items/{item_id}/decide", data={"decision": "approve"})
    assert refused.status_code == 409 and "Another moderator has this item open" in factories.text(
        refused
    )
    assert ana.post(f"/moderation/items/{item_id}/release").status_code == 302
    page = ben.get(f"/moderation/items/{item_id}")
    assert "Another moderator" not in factories.text(page)
    done = ben.post(
        f"/moderation/items/{item_id}/decide",
        data={"decision": "approve", "version": version_on(page)},
    )
    assert done.status_code == 302
    assert "Approved." in flashed(ben)
    with app.app_context():
        assert post_status(world["a"]["post"]) == PostStatus.PUBLISHED
        assert item_row(item_id).state == ItemState.CLOSED


def test_removing_takes_two_moderators_and_nobody_counts_twice(app, world):
    item_id, post_id = world["a"]["item"], world["a"]["post"]
    with app.app_context():  # a published post: the first voice hides it
        set_status(db.session.get_one(Post, post_id), PostStatus.PUBLISHED)
        db.session.commit()
    ana, ben = signed_in(app, "Ana"), signed_in(app, "Ben")
    data = {"decision": "remove", "reason": "attack", "note": "Merci de parler de toi."}
    page = ana.get(f"/moderation/items/{item_id}")
    first = ana.post(
        f"/moderation/items/{item_id}/decide", data={**data, "version": version_on(page)}
    )
    assert first.status_code == 302
    assert "Your vote is counted: 1 of 2; the message is hidden meanwhile." in flashed(ana)
    assert "You reviewed 1 item today." in flashed(ana)
    with app.app_context():
        assert post_status(post_id) == PostStatus.HIDDEN

    page = ana.get(f"/moderation/items/{item_id}")
    assert "1 of 2 moderators agree to remove" in factories.text(page)
    again = ana.post(
        f"/moderation/items/{item_id}/decide", data={**data, "version": version_on(page)}
    )
    assert again.status_code == 409
    assert "You already gave your voice on this item: it is counted once." in factories.text(again)
    with app.app_context():
        assert votes_on(item_id) == 1
    ana.post(f"/moderation/items/{item_id}/release")

    page = ben.get(f"/moderation/items/{item_id}")
    assert "1 of 2 moderators agree to remove" in factories.text(page)
    assert "Ana" not in factories.text(page)
    second = ben.post(
        f"/moderation/items/{item_id}/decide", data={**data, "version": version_on(page)}
    )
    assert second.status_code == 302
    assert "Removed: 2 of 2 moderators agreed." in flashed(ben)
    with app.app_context():
        assert post_status(post_id) == PostStatus.REMOVED
        assert item_row(item_id).state == ItemState.CLOSED
        removed = db.session.scalar(select(Decision).where(Decision.action == "removed"))
        assert removed is not None and removed.reason == "attack"
        lou = db.session.scalar(select(User).where(User.pseudonym == "Lou"))
        assert db.session.scalar(
            select(Notice.id).where(Notice.user_id == lou.id, Notice.decision_id == removed.id)
        )
    assert f'id="item-{item_id}"' not in ben.get("/moderation").get_data(as_text=True)


def test_request_edit_needs_a_note_for_the_author(app, world):
    item_id, post_id = world["a"]["item"], world["a"]["post"]
    ana = signed_in(app, "Ana")
    version = version_on(ana.get(f"/moderation/items/{item_id}"))
    missing = ana.post(
        f"/moderation/items/{item_id}/decide",
        data={"decision": "request_edit", "note": "   ", "version": version},
    )
    assert missing.status_code == 400
    assert "Please write a note telling the author what to change." in factories.text(missing)
    with app.app_context():
        assert votes_on(item_id) == 0 and item_row(item_id).state == ItemState.OPEN
    note = "Peux-tu reformuler sans insulte ? Merci."
    sent = ana.post(
        f"/moderation/items/{item_id}/decide",
        data={"decision": "request_edit", "note": note, "version": version},
    )
    assert sent.status_code == 302
    assert "Sent back to the author with your note." in flashed(ana)
    with app.app_context():
        decision = db.session.scalar(select(Decision).where(Decision.action == "edit_requested"))
        assert decision is not None and decision.note == note
        assert post_status(post_id) == PostStatus.PENDING


def test_a_stale_form_changes_nothing_and_says_why(app, world):
    item_id = world["a"]["item"]
    ana, ben = signed_in(app, "Ana"), signed_in(app, "Ben")
    old = version_on(ana.get(f"/moderation/items/{item_id}"))
    ana.post(f"/moderation/items/{item_id}/release")
    page = ben.get(f"/moderation/items/{item_id}")
    ben.post(
        f"/moderation/items/{item_id}/decide",
        data={"decision": "remove", "reason": "attack", "version": version_on(page)},
    )
    stale = ana.post(
        f"/moderation/items/{item_id}/decide",
        data={"decision": "remove", "reason": "attack", "version": old},
    )
    assert stale.status_code == 409
    text = factories.text(stale)
    assert "This item changed since you opened it" in text
    assert version_on(stale) != old  # the page shown again carries the fresh version
    with app.app_context():
        assert votes_on(item_id) == 1 and item_row(item_id).state == ItemState.OPEN


def test_deciding_a_closed_item_again_is_a_clear_conflict(app, world):
    item_id = world["a"]["item"]
    ana, ben = signed_in(app, "Ana"), signed_in(app, "Ben")
    ana.post(f"/moderation/items/{item_id}/decide", data={"decision": "approve"})
    before = factories.database(app)
    late = ben.post(f"/moderation/items/{item_id}/decide", data={"decision": "approve"})
    assert late.status_code == 409
    assert "already decided" in factories.text(late)
    assert factories.database(app) == before
    assert "This item is closed" in factories.text(ben.get(f"/moderation/items/{item_id}"))


def test_unknown_items_are_not_found(app, world):
    ana = signed_in(app, "Ana")
    for path in ("999999", "0", "-1", "99999999999", "abc"):
        assert ana.get(f"/moderation/items/{path}").status_code == 404, path
        for action in ("decide", "sanction", "release"):
            response = ana.post(
                f"/moderation/items/{path}/{action}", data={"decision": "approve", "kind": "warn"}
            )
            assert response.status_code == 404, (path, action)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("decide", {"decision": "delete"}),
        ("decide", {"decision": ""}),
        ("decide", {}),
        ("decide", {"decision": "approve", "version": "abc"}),
        ("decide", {"decision": "remove", "reason": "nonsense"}),
        ("decide", {"decision": "approve", "note": "x\x00y"}),
        ("decide", {"decision": "request_edit", "note": "x" * 1001}),
        ("decide", {"decision": "remove"}),
        ("sanction", {"kind": "kill", "reason": "attack"}),
        ("sanction", {"kind": "mute", "days": "3", "reason": "attack"}),
        ("sanction", {"kind": "mute", "days": "sept", "reason": "attack"}),
        ("sanction", {"kind": "warn"}),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_changes_nothing(app, world, action, data):
    item_id = world["a"]["item"]
    ana = signed_in(app, "Ana")
    before = factories.database(app)
    response = ana.post(f"/moderation/items/{item_id}/{action}", data=data)
    assert response.status_code == 400
    assert 'class="errors"' in response.get_data(as_text=True)
    assert factories.database(app) == before


def test_an_escalated_item_leaves_the_moderators_queue_for_the_admins(app, world):
    item_id = world["a"]["item"]
    ana = signed_in(app, "Ana")
    assert ana.post(
        f"/moderation/items/{item_id}/decide", data={"decision": "escalate"}
    ).status_code == (302)
    assert "Passed to the administrators." in flashed(ana)
    assert f'id="item-{item_id}"' not in ana.get("/moderation").get_data(as_text=True)
    assert signed_in(app, "Ben").get(f"/moderation/items/{item_id}").status_code == 404
    with app.app_context():
        member("Root", is_admin=True)
    root = signed_in(app, "Root")
    page = root.get("/moderation").get_data(as_text=True)
    assert f'id="item-{item_id}"' in page and "escalated" in page
    opened = root.get(f"/moderation/items/{item_id}")
    assert opened.status_code == 200 and "escalated" in factories.text(opened)


def test_a_sanction_takes_effect_at_the_quorum(app, world):
    item_id = world["a"]["item"]
    data = {"kind": "mute", "days": "7", "reason": "attack", "note": "Une semaine de pause."}
    ana, ben = signed_in(app, "Ana"), signed_in(app, "Ben")
    ana.get(f"/moderation/items/{item_id}")
    assert ana.post(f"/moderation/items/{item_id}/sanction", data=data).status_code == 302
    assert "Your vote is counted: 1 of 2." in flashed(ana)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Sanction)) == 0
    page = ben.get(f"/moderation/items/{item_id}")
    assert "1 of 2 moderators agree to mute the author" in factories.text(page)
    assert (
        ben.post(
            f"/moderation/items/{item_id}/sanction", data={**data, "version": version_on(page)}
        ).status_code
        == 302
    )
    assert "The author is muted on this board for 7 days. 2 of 2 moderators agreed." in flashed(ben)
    with app.app_context():
        sanction = db.session.scalars(select(Sanction)).one()
        assert sanction.kind == "mute" and sanction.until is not None
        lou = db.session.scalar(select(User).where(User.pseudonym == "Lou"))
        assert sanction.user_id == lou.id
    twice = ana.post(f"/moderation/items/{item_id}/sanction", data=data)
    assert twice.status_code == 409 and "counted once" in factories.text(twice)


def test_an_appeal_is_settled_by_moderators_who_took_no_part(app, world):
    item_id, post_id = world["a"]["item"], world["a"]["post"]
    with app.app_context():  # Ana and Ben remove the post; Lou appeals
        lou = db.session.scalar(select(User).where(User.pseudonym == "Lou"))
        for name in ("Ana", "Ben"):
            moderator = db.session.scalar(select(User).where(User.pseudonym == name))
            decisions.decide(item_row(item_id), moderator, "remove", reason="attack")
        removed = db.session.scalar(select(Decision).where(Decision.action == "removed"))
        appeal = decisions.appeal(removed, lou, "Je parlais de moi-même, relisez svp.")
        appeal_id = appeal.id
    ana = signed_in(app, "Ana")
    page = ana.get(f"/moderation/items/{appeal_id}")
    text = factories.text(page)
    assert "Je parlais de moi-même, relisez svp." in text and "a personal attack" in text
    assert "You took part in the decision under appeal" in text
    assert "Accept the appeal (undo the decision)" not in text  # no form she could not use
    refused = ana.post(f"/moderation/items/{appeal_id}/decide", data={"decision": "approve"})
    assert refused.status_code == 403
    assert "You took part in the decision contested here" in factories.text(refused)

    cy, eve = signed_in(app, "Cy"), signed_in(app, "Eve")
    text = factories.text(cy.get(f"/moderation/items/{appeal_id}"))
    assert "Accept the appeal (undo the decision)" in text and "Keep the decision" in text
    cy.post(f"/moderation/items/{appeal_id}/decide", data={"decision": "approve"})
    assert "Your vote is counted: 1 of 2." in flashed(cy)
    cy.post(f"/moderation/items/{appeal_id}/release")
    with app.app_context():
        assert post_status(post_id) == PostStatus.REMOVED
    eve.get(f"/moderation/items/{appeal_id}")
    eve.post(f"/moderation/items/{appeal_id}/decide", data={"decision": "approve"})
    assert "Appeal accepted: the decision is undone." in flashed(eve)
    with app.app_context():
        assert post_status(post_id) == PostStatus.PUBLISHED
        assert item_row(appeal_id).state == ItemState.CLOSED


def test_a_crisis_item_guides_the_moderator_and_lists_the_crisis_lines(app, world):
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == "entraide"))
        lou = db.session.scalar(select(User).where(User.pseudonym == "Lou"))
        ids = post_item(board, lou, "Je veux mourir, je n'en peux plus.")
        assert item_row(ids["item"]).is_crisis
    text = factories.text(signed_in(app, "Ana").get(f"/moderation/items/{ids['item']}"))
    assert "Someone may be in danger: how to answer" in text
    assert "You are a peer, not a counsellor" in text
    assert "3114" in text and "988" in text


def test_a_voice_after_the_quorum_does_not_sanction_twice(app, world):
    item_id = world["a"]["item"]
    for name in ("Ana", "Ben", "Cy"):
        client = signed_in(app, name)
        client.post(
            f"/moderation/items/{item_id}/sanction", data={"kind": "warn", "reason": "attack"}
        )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Sanction)) == 1
