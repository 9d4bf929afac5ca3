"""An author sees, on the thread page, what happened to their own post (removed, with the
reason and a way to appeal; held; hidden after reports) and never an edit link the edit page
would refuse. Other readers see what they always saw: a placeholder, no reason."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Board, Decision, Post, PostStatus, ReviewItem, Thread, User, db, utcnow
from moderation.workflow import decisions, reports
from tests import factories
from tests.scorers import with_lexicon

pytestmark = with_lexicon

HURTFUL = "Tu es un idiot, voilà."  # held by the Lexicon scorer
QUEUED = "Bof, franchement bof."  # published and queued
NOTE = "Merci de parler de votre vécu."
APPEAL_FORM = re.compile(r'<form method="post" action="(/me/notices/(\d+)/appeal)"')


def named(name: str) -> User:
    return db.session.scalars(select(User).where(User.pseudonym == name)).one()


def signed_in(app, name: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    factories.login(client, name)
    return client


def remove(post_id: int) -> int:
    """Ana removes the post on its one-moderator board: the decision's id."""
    item = db.session.scalars(select(ReviewItem).where(ReviewItem.open_post_id == post_id)).one()
    result = decisions.decide(item, named("Ana"), "remove", reason="attack", note=NOTE)
    assert result.applied and result.decision is not None
    return result.decision.id


@pytest.fixture
def scene(app):  # type: ignore[no-untyped-def]
    """Board `petit` (quorum 1) moderated by Ana; Lou (reading in French) starts a thread and
    answers in it with a post the moderators then remove; Max is another member."""
    with app.app_context():
        board = factories.board("petit", name="Petit", quorum=1)
        factories.moderator(board, factories.user("Ana", locale="en"))
        lou = factories.user("Lou", locale="fr")
        factories.user("Max", locale="en")
        thread = factories.thread(board, lou, "Mon sujet", "Bonjour à vous.")
        removed = factories.reply(thread, lou, QUEUED)
        return {
            "board": board.id,
            "thread": thread.id,
            "root": factories.root_post(thread).id,
            "removed": removed.id,
            "decision": remove(removed.id),
        }


def thread_page(client, scene):  # type: ignore[no-untyped-def]
    response = client.get(f"/threads/{scene['thread']}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def article(html: str, post_id: int) -> str:
    found = re.search(rf'<article id="post-{post_id}".*?</article>', html, re.S)
    assert found, f"post {post_id} is not on the page"
    return found.group(0)


def test_the_author_sees_the_removal_its_reason_and_how_to_appeal(app, scene):
    lou = signed_in(app, "Lou")
    mine = article(thread_page(lou, scene), scene["removed"])
    text = factories.text_of(mine)
    assert "Les modérateurs ont retiré ce message\u00a0: il n'est plus visible que pour vous." in (
        text
    )
    assert "La raison donnée\u00a0: une attaque personnelle ou une insulte." in text
    assert NOTE in text
    found = APPEAL_FORM.search(mine)
    assert found and int(found.group(2)) == scene["decision"]
    assert f"/posts/{scene['removed']}/edit" not in mine  # the edit page would refuse it
    assert lou.get(f"/posts/{scene['removed']}/edit").status_code == 403
    # Her other post is hers to edit as before.
    assert f"/posts/{scene['root']}/edit" in article(thread_page(lou, scene), scene["root"])


def test_the_appeal_sent_from_the_thread_page_reaches_the_moderators(app, scene):
    lou = signed_in(app, "Lou")
    action = APPEAL_FORM.search(article(thread_page(lou, scene), scene["removed"])).group(1)
    sent = lou.post(action, data={"note": "Je parlais de moi."})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/me/notices")
    with app.app_context():
        appeal = db.session.scalars(
            select(ReviewItem).where(ReviewItem.decision_id == scene["decision"])
        ).one()
        assert (appeal.kind, appeal.appeal_note) == ("appeal", "Je parlais de moi.")
    mine = article(thread_page(lou, scene), scene["removed"])
    assert "Vous avez demandé le réexamen de cette décision." in factories.text_of(mine)
    assert not APPEAL_FORM.search(mine)  # once only


@pytest.mark.parametrize("reader", ["Max", "Ana", None])
def test_other_readers_learn_nothing_of_the_reason(app, scene, reader):
    client = signed_in(app, reader) if reader else app.test_client()
    theirs = article(thread_page(client, scene), scene["removed"])
    text = factories.text_of(theirs)
    for detail in ("a personal attack", "attaque personnelle", NOTE, "/appeal", "/edit"):
        assert detail not in text and detail not in theirs, (reader, detail)
    if reader != "Ana":  # a moderator reads the text, as before; others a placeholder
        assert '<p class="placeholder">' in theirs and "Bof" not in text


def test_a_held_post_says_who_sees_it_and_stays_editable(app, scene):
    with app.app_context():
        thread = db.session.get_one(Thread, scene["thread"])
        held = factories.reply(thread, named("Lou"), HURTFUL)
        assert held.status == PostStatus.PENDING
        held_id = held.id
    lou = signed_in(app, "Lou")
    mine = article(thread_page(lou, scene), held_id)
    assert "En attente de relecture\u00a0: seuls vous et les modérateurs le voyez" in (
        factories.text_of(mine)
    )
    assert f"/posts/{held_id}/edit" in mine
    assert f'id="post-{held_id}"' not in thread_page(signed_in(app, "Max"), scene)


def test_a_post_hidden_by_reports_tells_its_author_until_when(app, scene):
    with app.app_context():
        board = db.session.get_one(Board, scene["board"])
        thread = db.session.get_one(Thread, scene["thread"])
        post = factories.reply(thread, named("Lou"), "Merci à vous, ça m'aide.")
        post_id = post.id
        for name in ("Rita", "Sacha"):  # two members of long standing: weight 1 each
            reporter = factories.user(name, created_at=utcnow() - timedelta(days=60))
            reports.report(post, board, reporter, "judgment", rate_limits=False)
        assert db.session.get_one(Post, post_id).status == PostStatus.HIDDEN
    lou = signed_in(app, "Lou")
    mine = article(thread_page(lou, scene), post_id)
    assert (
        "Masqué pour l'instant\u00a0: les autres membres ne voient pas ce message tant qu'un "
        "modérateur ne l'a pas lu." in factories.text_of(mine)
    )
    assert f"/posts/{post_id}/edit" in mine  # editing a hidden post is allowed
    theirs = factories.text_of(article(thread_page(signed_in(app, "Max"), scene), post_id))
    assert "This message is hidden while moderators review it." in theirs
    assert "Hidden for now" not in theirs and "ça m'aide" not in theirs


def test_the_removals_on_a_page_cost_one_query_however_many(app, scene, count_queries):
    """The decisions behind the author's removed posts load together, not one per post."""
    lou = signed_in(app, "Lou")

    def queries() -> int:
        before = count_queries.count
        thread_page(lou, scene)
        return count_queries.count - before

    one = queries()
    with app.app_context():
        thread = db.session.get_one(Thread, scene["thread"])
        for body in ("Bof, encore.", "Bof, et encore."):
            remove(factories.reply(thread, named("Lou"), body).id)
        assert db.session.scalar(select(db.func.count()).where(Decision.action == "removed")) == 3
    assert queries() == one
