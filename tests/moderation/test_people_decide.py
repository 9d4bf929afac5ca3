"""People have the last word: a scoring job that ends after a person decided records its
verdict and changes nothing readers see; an edit never shows, then hides, a text.

The bad timing is made to happen, not hoped for: in-process, the scorer is held behind a
gate (tests.scorers:Gated) until the moderators have decided; on RQ, a real worker process
runs the job only after they have. Both databases, through the fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.accounts import data
from forum.boards import services
from models import (
    Assessment,
    Decision,
    PendingRevision,
    Post,
    PostStatus,
    ReviewItem,
    Thread,
    User,
    db,
    set_write_intent,
    utcnow,
)
from moderation.workflow import decisions, jobs, lifecycle, queue, reports
from tests import factories
from tests.moderation.test_jobs import REDIS_URL, redis7, run_worker, wait_for  # noqa: F401
from tests.scorers import LEXICON

HURTFUL = "Tu es vraiment un idiot."  # held by the Lexicon scores
KIND = "Merci pour vos messages, ils m'aident."
GATED = {"MODERATION_MODEL": "tests.scorers:Gated", "MODERATION_WAIT_SECONDS": 0.1}
RQ = LEXICON | {"REDIS_URL": REDIS_URL, "MODERATION_WAIT_SECONDS": 0.1}
RUNNERS = pytest.mark.parametrize("app", [GATED, RQ], indirect=True, ids=["in-process", "rq"])


@pytest.fixture
def gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """While this file exists, the Gated scorer holds every job in its scorer."""
    path = tmp_path / "gate"
    path.touch()
    monkeypatch.setenv("ENTRENOUS_SCORER_GATE", str(path))
    yield path
    path.unlink(missing_ok=True)


@pytest.fixture
def late(app, gate, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """`late()` lets the pending scoring jobs finish, after whatever was decided."""
    if app.config.get("REDIS_URL"):
        request.getfixturevalue("redis7")

    def finish() -> None:
        if app.config.get("REDIS_URL"):
            db.session.rollback()
            run_worker(app)
        else:
            gate.unlink()
            assert wait_for(lambda: jobs.awaiting_count() == 0, timeout=30)
        set_write_intent(True)
        db.session.expire_all()

    return finish


def people(quorum: int = 2, new_member_holds: int = 0):  # type: ignore[no-untyped-def]
    board = factories.board("entraide", quorum=quorum, new_member_holds=new_member_holds)
    lou = factories.user("Lou")
    mo, max_ = factories.user("Mo"), factories.user("Max")
    factories.moderator(board, mo, max_)
    return board, lou, mo, max_


def model_rows(post_id: int) -> list[tuple[int, str, list[str]]]:
    return [
        (row.revision, row.action, list(row.reasons))
        for row in db.session.scalars(
            select(Assessment)
            .where(Assessment.post_id == post_id, Assessment.source == "model")
            .order_by(Assessment.id)
        )
    ]


def log_of(post_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Decision.action).where(Decision.post_id == post_id).order_by(Decision.id)
        )
    )


def open_items(post_id: int) -> list[ReviewItem]:
    return list(
        db.session.scalars(
            select(ReviewItem).where(ReviewItem.post_id == post_id, ReviewItem.state == "open")
        )
    )


@RUNNERS
def test_an_approval_stands_when_the_verdict_comes_after(app, ctx, late):
    board, lou, mo, _ = people(quorum=2, new_member_holds=1)
    thread = factories.thread(board, lou, "Un sujet", HURTFUL)
    post = factories.root_post(thread)
    assert post.status == PostStatus.PENDING  # a newcomer's first post waits
    assert lifecycle.stage_of(post) == lifecycle.Stage.AWAITING_SCORES
    [item] = open_items(post.id)
    assert decisions.decide(item, mo, "approve").applied
    late()  # the model would hold it: too late, a person decided
    post = db.session.get_one(Post, post.id)
    assert post.status == PostStatus.PUBLISHED
    assert db.session.get_one(Thread, thread.id).status == PostStatus.PUBLISHED
    assert open_items(post.id) == []
    assert model_rows(post.id) == [(1, "hold", ["new_member", "toxicity", "after_decision"])]
    assert log_of(post.id) == ["approved"]
    assert jobs.awaiting_count() == 0 and jobs.stale(older_than=0) == []


@RUNNERS
def test_a_removal_at_quorum_stands_when_the_verdict_comes_after(app, ctx, late):
    board, lou, mo, max_ = people(quorum=2)
    thread = factories.thread(board, lou, "Un sujet", KIND)
    sam = factories.user("Sam")
    reply = factories.reply(thread, sam, "Je voulais dire merci, simplement.")
    assert reply.status == PostStatus.PUBLISHED  # provisional: its scores have not come
    reports.report(reply, board, lou, "judgment")
    [item] = open_items(reply.id)
    assert not decisions.decide(item, mo, "remove", reason="judgment").applied
    assert decisions.decide(item, max_, "remove", reason="judgment").applied
    late()  # the model finds it kind: too late, the quorum removed it
    reply = db.session.get_one(Post, reply.id)
    assert reply.status == PostStatus.REMOVED
    assert open_items(reply.id) == []
    assert model_rows(reply.id) == [(1, "publish", ["after_decision"])]
    assert log_of(reply.id) == ["hidden", "removed"]
    assert lifecycle.stage_of(reply) == lifecycle.Stage.REMOVED


@RUNNERS
def test_reports_that_hide_a_post_are_not_undone_by_a_late_verdict(app, ctx, late):
    board, lou, _, _ = people(quorum=2)
    thread = factories.thread(board, lou, "Un sujet", KIND)
    reply = factories.reply(thread, factories.user("Sam"), "Une réponse tranquille.")
    long_ago = utcnow() - timedelta(days=30)  # seasoned members: their reports weigh 1
    for name in ("R1", "R2"):
        reports.report(reply, board, factories.user(name, created_at=long_ago), "attack")
    assert db.session.get_one(Post, reply.id).status == PostStatus.HIDDEN
    late()
    assert db.session.get_one(Post, reply.id).status == PostStatus.HIDDEN
    assert [item.reasons for item in open_items(reply.id)] == [["report"]]


@RUNNERS
def test_an_edit_while_the_first_version_is_scored_is_the_one_judged(app, ctx, late):
    board, lou, _, _ = people()
    thread = factories.thread(board, lou, "Un sujet", KIND)
    post = factories.root_post(thread)
    assert lifecycle.stage_of(post) == lifecycle.Stage.AWAITING_SCORES
    services.edit_post(post, HURTFUL)
    post = db.session.get_one(Post, post.id)
    # Never judged, never accepted: the first text is replaced, not kept behind an edit.
    assert (post.revision, post.body) == (2, HURTFUL)
    assert db.session.get(PendingRevision, post.id) is None
    late()
    post = db.session.get_one(Post, post.id)
    assert post.status == PostStatus.PENDING
    assert model_rows(post.id) == [(2, "hold", ["toxicity"])]  # the first job was stale


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_an_edit_of_a_published_post_waits_beside_it_until_accepted(ctx):
    board, lou, mo, _ = people(quorum=1)
    post = factories.root_post(factories.thread(board, lou, "Un sujet", KIND))
    assert post.status == PostStatus.PUBLISHED
    outcome = services.edit_post(post, HURTFUL, title="Un autre titre")
    assert outcome.verdict.action == "hold"
    post = db.session.get_one(Post, post.id)
    thread = db.session.get_one(Thread, post.thread_id)
    # Readers keep the version they know: it was never applied, so never taken back.
    assert (post.status, post.body, thread.title) == (PostStatus.PUBLISHED, KIND, "Un sujet")
    assert db.session.get_one(PendingRevision, post.id).body == HURTFUL
    [item] = open_items(post.id)
    # The moderator reads the new version and keeps it: now readers see it.
    assert decisions.decide(item, mo, "approve").applied
    post = db.session.get_one(Post, post.id)
    thread = db.session.get_one(Thread, post.thread_id)
    assert (post.status, post.body, thread.title) == (
        PostStatus.PUBLISHED,
        HURTFUL,
        "Un autre titre",
    )
    assert post.edited_at is not None
    assert db.session.get(PendingRevision, post.id) is None


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_a_kind_edit_is_applied_and_a_nudged_one_waits_for_its_author(ctx):
    board, lou, _, _ = people()
    post = factories.root_post(factories.thread(board, lou, "Un sujet", KIND))
    kept = "Une nouvelle version, toujours gentille."
    services.edit_post(post, kept)
    post = db.session.get_one(Post, post.id)
    assert (post.body, post.revision) == (kept, 2)
    outcome = services.edit_post(post, "Ton idée est nulle.")
    assert outcome.asks_again
    post = db.session.get_one(Post, post.id)
    assert (post.status, post.body) == (
        PostStatus.PUBLISHED,
        "Une nouvelle version, toujours gentille.",
    )
    assert db.session.get_one(PendingRevision, post.id).body == "Ton idée est nulle."
    assert open_items(post.id) == []
    # The waiting edit is the member's own words: in their export, gone with the post.
    [exported] = data.export(db.session.get_one(User, lou.id))["posts"]
    assert exported["body"] == kept
    assert exported["pending_edit"]["body"] == "Ton idée est nulle."
    services.delete_post(post)
    assert db.session.get(PendingRevision, post.id) is None
    [exported] = data.export(db.session.get_one(User, lou.id))["posts"]
    assert exported["pending_edit"] is None and exported["body"] == ""


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_a_nudged_draft_never_reaches_the_queue_nor_the_log(ctx):
    board, lou, mo, _ = people(quorum=1, new_member_holds=2)
    outcome = services.create_thread(lou, board, "Un sujet", "Ton idée est nulle.")
    assert outcome.asks_again
    post = db.session.get_one(Post, outcome.post.id)
    assert post.status == PostStatus.DRAFT
    assert open_items(post.id) == []  # the newcomer's item was withdrawn with the nudge
    assert queue.waiting(mo) == []
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post.id))
    assert item is not None and item.outcome == "withdrawn"
    with pytest.raises(decisions.NotAllowed):
        decisions.decide(item, mo, "approve")
    assert log_of(post.id) == []
    # Sent anyway, it is held for a moderator: now there is something to read.
    services.edit_post(post, "Ton idée est nulle.", title="Un sujet", confirmed=True)
    post = db.session.get_one(Post, post.id)
    assert post.status == PostStatus.PENDING
    [item] = open_items(post.id)
    assert decisions.decide(item, mo, "approve").applied
    assert log_of(post.id) == ["approved"]


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_moves_outside_the_post_life_are_refused(ctx):
    board, lou, _, _ = people()
    post = factories.root_post(factories.thread(board, lou, "Un sujet", KIND))
    with pytest.raises(lifecycle.IllegalMove):
        lifecycle.move(post, PostStatus.REMOVED, lifecycle.Actor.MODERATOR)  # needs a quorum
    with pytest.raises(lifecycle.IllegalMove):
        lifecycle.move(post, PostStatus.DRAFT, lifecycle.Actor.REPORTS)
    lifecycle.move(post, PostStatus.HIDDEN, lifecycle.Actor.REPORTS)
    assert post.decided_revision == post.revision
    db.session.rollback()


@pytest.mark.parametrize("app", [{**LEXICON, "RATE_LIMITS": "on"}], indirect=True)
def test_a_crisis_at_the_rate_limit_is_kept_first_in_the_queue_with_the_lines(client, app):
    with app.app_context():
        board, lou, mo, _ = people(quorum=1, new_member_holds=0)
        for n in range(3):  # a new member's limit: 3 posts in 10 minutes
            factories.thread(board, db.session.get_one(User, lou.id), f"Sujet {n}", KIND)
        other = factories.thread(board, factories.user("Sam"), "Un autre", HURTFUL)
        other_post = factories.root_post(other)
        assert open_items(other_post.id)  # a toxic post waits in the queue already
        mo_id = mo.id
    factories.login(client, "Lou")
    refused = client.post("/boards/entraide/new", data={"title": "Encore", "body": KIND})
    assert refused.status_code == 429  # the limit holds for ordinary messages
    crisis_text = "je n'en peux plus, je pense à en finir ce soir"
    response = client.post("/boards/entraide/new", data={"title": "Ce soir", "body": crisis_text})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#crisis-now")
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "crisis-panel" in html and "3114" in html
    assert crisis_text in factories.text(page)
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.body == crisis_text)).one()
        assert post.status == PostStatus.PUBLISHED
        first = queue.waiting(db.session.get_one(User, mo_id))[0]
        assert first.post_id == post.id and first.is_crisis
        assert "rate_limited" in first.reasons


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_a_muted_member_in_crisis_is_held_for_moderators_not_refused(client, app):
    from models import Sanction

    with app.app_context():
        board, lou, mo, _ = people(quorum=1)
        db.session.add(Sanction(user_id=lou.id, board_id=board.id, kind="mute"))
        db.session.commit()
    factories.login(client, "Lou")
    refused = client.post("/boards/entraide/new", data={"title": "Coucou", "body": KIND})
    assert refused.status_code == 403
    crisis_text = "Je ne serai plus là demain, j'ai tout préparé pour en finir."
    response = client.post("/boards/entraide/new", data={"title": "Adieu", "body": crisis_text})
    assert response.status_code == 302 and response.headers["Location"].endswith("#crisis-now")
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.body == crisis_text)).one()
        assert post.status == PostStatus.PENDING  # seen by its author and the moderators
        [item] = open_items(post.id)
        assert item.is_crisis and "muted" in item.reasons


@pytest.mark.parametrize("app", [LEXICON], indirect=True)
def test_a_refused_crisis_reply_keeps_the_text_under_the_crisis_lines(client, app):
    with app.app_context():
        board, lou, _, _ = people()
        thread = factories.thread(board, lou, "Un sujet", KIND)
        sam = factories.user("Sam")
        from forum.accounts import blocks

        blocks.block(db.session.get_one(User, lou.id), sam.id)
        tid = thread.id
    factories.login(client, "Sam")
    crisis_text = "j'ai envie de mourir, je n'en peux plus"
    response = client.post(f"/threads/{tid}/reply", data={"body": crisis_text})
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert html.index("crisis-panel") < html.index('name="body"')
    assert "3114" in html and crisis_text in factories.text(response)
