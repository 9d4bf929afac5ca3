"""Blocking a member: their posts fold away for the blocker, and they cannot reply to the
blocker's posts. Nobody else sees a difference."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forum.accounts import blocks
from models import Block, Post, PostStatus, Thread, User, db
from tests import factories

EN = {"Accept-Language": "en"}
LOU_ROOT = "Bonjour de Lou, qui ouvre la discussion."
QUILLON_WORDS = "Les mots que Quillon écrit ici."
SAM_WORDS = "Les mots que Sam écrit ici."
REFUSED_TEXT = "Une réponse que Lou ne recevra pas."


def browser(app, pseudonym: str | None = None) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    if pseudonym:
        factories.login(client, pseudonym)
    return client


def user_id(pseudonym: str) -> int:
    return db.session.scalars(select(User.id).where(User.pseudonym == pseudonym)).one()


def block_rows(app) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [
            (row.blocker_id, row.blocked_id)
            for row in db.session.scalars(select(Block).order_by(Block.blocker_id))
        ]


def post_count(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Post)) or 0


def article(page: str, post_id: int) -> str:
    """The HTML of one post on a thread page."""
    found = re.search(rf'<article id="post-{post_id}"[^>]*>.*?</article>', page, re.S)
    assert found, f"post {post_id} is not on the page"
    return found.group(0)


def header(fragment: str) -> str:
    found = re.search(r"<header>.*?</header>", fragment, re.S)
    assert found
    return found.group(0)


@pytest.fixture
def scene(app):  # type: ignore[no-untyped-def]
    """Lou's thread on a public board; Quillon and Sam answer Lou's first post."""
    with app.app_context():
        board = factories.board("entraide", name="Entraide")
        lou, quillon, sam = factories.user("Lou"), factories.user("Quillon"), factories.user("Sam")
        started = factories.thread(board, lou, "Le sujet de Lou", LOU_ROOT)
        root = factories.root_post(started)
        from_quillon = factories.reply(started, quillon, QUILLON_WORDS, root)
        from_sam = factories.reply(started, sam, SAM_WORDS, root)
        return {
            "board": board.slug,
            "thread": started.id,
            "root": root.id,
            "quillon_post": from_quillon.id,
            "sam_post": from_sam.id,
            "lou": lou.id,
            "quillon": quillon.id,
            "sam": sam.id,
        }


def lou_blocks_quillon(app, scene) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        blocks.block(db.session.get_one(User, scene["lou"]), scene["quillon"])


# --- blocking ------------------------------------------------------------------------------


def test_blocking_a_post_blocks_its_author_once(app, scene):
    lou = browser(app, "Lou")
    response = lou.post(f"/posts/{scene['quillon_post']}/block")
    assert response.status_code == 302
    assert block_rows(app) == [(scene["lou"], scene["quillon"])]
    # Idempotent: the same click again, or through another post of the same member.
    with app.app_context():
        thread = db.session.get_one(Thread, scene["thread"])
        quillon = db.session.get_one(User, scene["quillon"])
        other = factories.reply(thread, quillon, "Encore.", db.session.get(Post, scene["sam_post"]))
        other_id = other.id
    assert lou.post(f"/posts/{scene['quillon_post']}/block").status_code == 302
    assert lou.post(f"/posts/{other_id}/block").status_code == 302
    assert block_rows(app) == [(scene["lou"], scene["quillon"])]


def test_nobody_blocks_themselves(app, scene):
    lou = browser(app, "Lou")
    response = lou.post(f"/posts/{scene['root']}/block", headers=EN, follow_redirects=True)
    assert response.status_code == 200
    assert "You cannot block yourself." in factories.text(response)
    assert block_rows(app) == []


def test_blocking_through_an_unknown_post_is_a_404(app, scene):
    lou = browser(app, "Lou")
    assert lou.post("/posts/999999/block").status_code == 404
    assert block_rows(app) == []


def test_visitors_cannot_block(app, scene):
    response = browser(app).post(f"/posts/{scene['quillon_post']}/block")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert block_rows(app) == []


def test_the_block_control_is_offered_under_others_posts_only(app, scene):
    page = browser(app, "Lou").get(f"/threads/{scene['thread']}").get_data(as_text=True)
    assert f'action="/posts/{scene["quillon_post"]}/block"' in article(page, scene["quillon_post"])
    assert f'action="/posts/{scene["sam_post"]}/block"' in article(page, scene["sam_post"])
    assert "/block" not in article(page, scene["root"])
    visitor = browser(app).get(f"/threads/{scene['thread']}").get_data(as_text=True)
    assert "/block" not in visitor


# --- what the blocker sees, and what others see ---------------------------------------------


def test_blocked_members_posts_fold_away_for_the_blocker(app, scene):
    lou_blocks_quillon(app, scene)
    page = browser(app, "Lou").get(f"/threads/{scene['thread']}").get_data(as_text=True)
    folded = article(page, scene["quillon_post"])
    details = re.search(r'<details class="folded">.*?</details>', folded, re.S)
    assert details, folded
    assert QUILLON_WORDS in factories.text_of(details.group(0))  # opened on request
    assert "Quillon" not in header(folded)
    assert f"/posts/{scene['quillon_post']}/block" not in folded  # already blocked
    # Everyone else's posts are as before.
    for other in (scene["root"], scene["sam_post"]):
        assert 'class="folded"' not in article(page, other)
    assert "Sam" in header(article(page, scene["sam_post"]))
    assert SAM_WORDS in factories.text_of(article(page, scene["sam_post"]))


@pytest.mark.parametrize("who", [None, "Sam", "Quillon"])
def test_others_see_the_blocked_members_posts_as_before(app, scene, who):
    lou_blocks_quillon(app, scene)
    page = browser(app, who).get(f"/threads/{scene['thread']}").get_data(as_text=True)
    assert 'class="folded"' not in page
    shown = article(page, scene["quillon_post"])
    assert "Quillon" in header(shown)
    assert QUILLON_WORDS in factories.text_of(shown)


def test_blocking_does_not_add_queries_to_the_thread_page(app, scene, count_queries):
    with app.app_context():
        thread = db.session.get_one(Thread, scene["thread"])
        quillon = db.session.get_one(User, scene["quillon"])
        for n in range(10):
            factories.reply(thread, quillon, f"Réponse de Quillon numéro {n}.")
    lou = browser(app, "Lou")
    url = f"/threads/{scene['thread']}"

    def queries() -> tuple[int, str]:
        before = count_queries.count
        response = lou.get(url)
        assert response.status_code == 200
        # Reads only: the first visit also writes Lou's read marks (once).
        return sum(
            not s.lstrip().upper().startswith("UPDATE") for s in count_queries.statements[before:]
        ), response.get_data(as_text=True)

    unblocked, page = queries()
    assert 'class="folded"' not in page
    lou_blocks_quillon(app, scene)
    blocked, page = queries()
    assert page.count('<details class="folded">') == 11
    assert blocked == unblocked
    assert blocked <= 9


# --- replies from the blocked member --------------------------------------------------------


def refused_reply(app, client: FlaskClient, scene, data: dict) -> None:  # type: ignore[no-untyped-def]
    before = post_count(app)
    with app.app_context():
        count_before = db.session.get_one(Thread, scene["thread"]).reply_count
    response = client.post(f"/threads/{scene['thread']}/reply", data=data, headers=EN)
    assert response.status_code == 403
    page = factories.text(response)
    assert re.search(r"<textarea[^>]*name=\"body\"[^>]*>\s*" + re.escape(data["body"]), page), page
    assert "does not receive replies from you" in page
    assert post_count(app) == before
    with app.app_context():
        assert db.session.get_one(Thread, scene["thread"]).reply_count == count_before
        assert db.session.scalar(select(Post).where(Post.body == data["body"])) is None


def test_the_blocked_member_cannot_reply_to_the_blockers_post(app, scene):
    lou_blocks_quillon(app, scene)
    quillon = browser(app, "Quillon")
    refused_reply(app, quillon, scene, {"body": REFUSED_TEXT, "parent_id": str(scene["root"])})


def test_the_blocked_member_cannot_answer_the_blockers_thread(app, scene):
    """Without parent_id, a reply answers the thread's first post: Lou's."""
    lou_blocks_quillon(app, scene)
    refused_reply(app, browser(app, "Quillon"), scene, {"body": REFUSED_TEXT})


def test_the_blocked_member_cannot_reply_to_the_blockers_reply_elsewhere(app, scene):
    """In Sam's thread, Lou's reply cannot be answered by Quillon either."""
    lou_blocks_quillon(app, scene)
    with app.app_context():
        board = db.session.scalar(select(factories.Board))
        sam = db.session.get_one(User, scene["sam"])
        lou = db.session.get_one(User, scene["lou"])
        other = factories.thread(board, sam, "Le sujet de Sam", "Bonjour de Sam.")
        lou_reply = factories.reply(other, lou, "Lou répond à Sam.")
        other_id, lou_reply_id = other.id, lou_reply.id
    quillon = browser(app, "Quillon")
    before = post_count(app)
    response = quillon.post(
        f"/threads/{other_id}/reply", data={"body": REFUSED_TEXT, "parent_id": str(lou_reply_id)}
    )
    assert response.status_code == 403
    assert post_count(app) == before
    # Sam's own first post can still be answered.
    response = quillon.post(f"/threads/{other_id}/reply", data={"body": "Pour Sam."})
    assert response.status_code == 302
    assert post_count(app) == before + 1


def test_the_blocked_member_still_replies_to_others(app, scene):
    lou_blocks_quillon(app, scene)
    quillon = browser(app, "Quillon")
    response = quillon.post(
        f"/threads/{scene['thread']}/reply",
        data={"body": "Une réponse pour Sam.", "parent_id": str(scene["sam_post"])},
    )
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(Post).where(Post.body == "Une réponse pour Sam.")).one()
        assert stored.parent_id == scene["sam_post"]
        assert stored.author_id == scene["quillon"]
        assert stored.status == PostStatus.PUBLISHED


def test_the_blocker_may_still_reply_to_the_blocked_member(app, scene):
    lou_blocks_quillon(app, scene)
    response = browser(app, "Lou").post(
        f"/threads/{scene['thread']}/reply",
        data={"body": "Lou répond quand même.", "parent_id": str(scene["quillon_post"])},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Post).where(Post.body == "Lou répond quand même."))


def test_a_draft_written_before_the_block_cannot_be_published_after_it(app, scene):
    """A privacy warning keeps Quillon's reply to Lou as a draft; Lou then blocks Quillon.
    Posting the draft anyway must be refused like any new reply."""
    quillon = browser(app, "Quillon")
    body = "Appelle-moi au 06 12 34 56 78 si tu veux."
    response = quillon.post(
        f"/threads/{scene['thread']}/reply", data={"body": body, "parent_id": str(scene["root"])}
    )
    assert response.status_code == 200  # the privacy warning: the composer comes back
    with app.app_context():
        draft = db.session.scalars(select(Post).where(Post.body == body)).one()
        assert draft.status == PostStatus.DRAFT
        draft_id = draft.id
    lou_blocks_quillon(app, scene)
    response = quillon.post(
        f"/threads/{scene['thread']}/reply",
        data={
            "body": body,
            "parent_id": str(scene["root"]),
            "draft": str(draft_id),
            "confirm": "1",
        },
    )
    with app.app_context():
        draft = db.session.get_one(Post, draft_id)
        assert draft.status == PostStatus.DRAFT, "the blocked member's draft got published"
    assert response.status_code == 403


# --- unblocking and the account page --------------------------------------------------------


def test_the_account_page_lists_blocked_members(app, scene):
    lou_blocks_quillon(app, scene)
    page = browser(app, "Lou").get("/me").get_data(as_text=True)
    section = re.search(r'<section id="blocked">.*?</section>', page, re.S)
    assert section
    listed = factories.text_of(section.group(0))
    assert "Quillon" in listed and "Sam" not in listed
    assert f'action="/me/blocks/{scene["quillon"]}/remove"' in listed
    # Sam blocked nobody; Quillon is not told.
    for who in ("Sam", "Quillon"):
        other = browser(app, who).get("/me").get_data(as_text=True)
        other_section = re.search(r'<section id="blocked">.*?</section>', other, re.S)
        assert other_section and "blocked-list" not in other_section.group(0)


def test_unblocking_restores_everything(app, scene):
    lou_blocks_quillon(app, scene)
    lou = browser(app, "Lou")
    response = lou.post(f"/me/blocks/{scene['quillon']}/remove")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me#blocked")
    assert block_rows(app) == []
    page = lou.get(f"/threads/{scene['thread']}").get_data(as_text=True)
    assert 'class="folded"' not in page
    assert "Quillon" in header(article(page, scene["quillon_post"]))
    assert "blocked-list" not in lou.get("/me").get_data(as_text=True)
    response = browser(app, "Quillon").post(
        f"/threads/{scene['thread']}/reply",
        data={"body": "De nouveau possible.", "parent_id": str(scene["root"])},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Post).where(Post.body == "De nouveau possible."))


def test_unblocking_only_removes_ones_own_block(app, scene):
    lou_blocks_quillon(app, scene)
    with app.app_context():
        blocks.block(db.session.get_one(User, scene["sam"]), scene["quillon"])
    browser(app, "Sam").post(f"/me/blocks/{scene['quillon']}/remove")
    assert block_rows(app) == [(scene["lou"], scene["quillon"])]
    assert browser(app, "Sam").post("/me/blocks/999999/remove").status_code == 302
    assert block_rows(app) == [(scene["lou"], scene["quillon"])]
