"""Members' reports: once each, weighed, hiding a post past the board's threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.boards import services
from models import Decision, Notice, Post, PostStatus, Report, ReviewItem, User, db, utcnow
from moderation.workflow import reports
from moderation.workflow.reports import ReportRefused
from tests import factories
from tests.scorers import with_lexicon

pytestmark = with_lexicon

KIND = "Je partage ce qui m'a aidée cette semaine."


def older(name: str) -> User:
    """A member of two months: their reports count fully."""
    return factories.user(name, created_at=utcnow() - timedelta(days=60))


@pytest.fixture
def scene(ctx):  # type: ignore[no-untyped-def]
    board = factories.board("entraide")
    lou = factories.user("Lou")
    post = factories.root_post(factories.thread(board, lou, "Un sujet", KIND))
    assert post.status == PostStatus.PUBLISHED
    return {"board": board, "lou": lou, "post": post}


def refused(post: Post, board, reporter: User, reason: str = "attack", **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ReportRefused) as error:
        reports.report(post, board, reporter, reason, **kwargs)
    return error.value.reason


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def item_of(post: Post) -> ReviewItem | None:
    return db.session.scalar(select(ReviewItem).where(ReviewItem.open_post_id == post.id))


def test_a_report_queues_the_post_with_its_reason_and_note(scene):
    sam = older("Sam")
    filed = reports.report(scene["post"], scene["board"], sam, "judgment", "  Il juge.  ")
    assert (filed.reason, filed.note, filed.weight, filed.outcome) == (
        "judgment",
        "Il juge.",
        1.0,
        None,
    )
    assert item_of(scene["post"]).reasons == ["report"]
    assert db.session.get_one(Post, scene["post"].id).status == PostStatus.PUBLISHED


def test_a_member_reports_a_post_once(scene):
    sam = older("Sam")
    reports.report(scene["post"], scene["board"], sam, "attack")
    assert refused(scene["post"], scene["board"], sam, "spam") == "already_reported"
    assert count(Report) == 1


def test_nobody_reports_their_own_post(scene):
    assert refused(scene["post"], scene["board"], scene["lou"]) == "own_post"
    assert count(Report) == 0


@pytest.mark.parametrize("reason", ["", "insult", "SPAM", "spam ", "crisis\n", None])
def test_the_reason_must_be_one_of_the_list(scene, reason):
    assert refused(scene["post"], scene["board"], older("Sam"), reason) == "invalid_reason"
    assert count(Report) == 0 and item_of(scene["post"]) is None


def test_posts_out_of_sight_cannot_be_reported(scene):
    sam = older("Sam")
    held = factories.root_post(
        factories.thread(scene["board"], scene["lou"], "Autre", "Tu es un idiot.")
    )
    assert held.status == PostStatus.PENDING
    assert refused(held, scene["board"], sam) == "not_reportable"
    services.delete_post(scene["post"])
    assert refused(scene["post"], scene["board"], sam) == "not_reportable"


def test_the_note_is_kept_short(scene):
    filed = reports.report(scene["post"], scene["board"], older("Sam"), "other", "x" * 2000)
    assert len(filed.note) == reports.NOTE_MAX


def test_a_new_members_report_weighs_half(scene):
    assert reports.weight_of(factories.user("Nouveau")) == 0.5
    assert reports.weight_of(older("Ancien")) == 1.0


def settle(reporter: User, outcomes: list[str], board, author: User) -> None:  # type: ignore[no-untyped-def]
    """Past reports of this member, already settled by moderators."""
    for n, outcome in enumerate(outcomes):
        post = factories.root_post(factories.thread(board, author, f"Sujet {n}", KIND))
        db.session.add(
            Report(post_id=post.id, reporter_id=reporter.id, reason="attack", outcome=outcome)
        )
    db.session.commit()


@pytest.mark.parametrize(
    ("outcomes", "weight"),
    [
        (["rejected", "rejected"], 1.0),  # too few to judge
        (["upheld", "upheld", "rejected"], pytest.approx(2 / 3, abs=0.001)),
        (["rejected", "rejected", "rejected", "upheld"], 0.25),
        (["rejected"] * 5, 0.25),  # never below the floor
    ],
)
def test_a_reporter_whose_reports_were_mostly_rejected_weighs_less(scene, outcomes, weight):
    rita = older("Rita")
    settle(rita, outcomes, scene["board"], scene["lou"])
    assert reports.weight_of(rita) == weight


def test_past_the_threshold_the_post_is_hidden_and_its_author_told(scene):
    post, board = scene["post"], scene["board"]
    assert board.report_threshold == 2.0
    reports.report(post, board, older("Sam"), "attack", "note privée de Sam")
    reports.report(post, board, factories.user("Nouveau"), "attack")  # 0.5
    assert db.session.get_one(Post, post.id).status == PostStatus.PUBLISHED
    assert count(Decision) == 0
    reports.report(post, board, older("Rita"), "judgment")
    assert db.session.get_one(Post, post.id).status == PostStatus.HIDDEN
    decision = db.session.scalars(select(Decision)).one()
    assert (decision.action, decision.reason, decision.post_id) == ("hidden", "reports", post.id)
    assert decision.subject_id == scene["lou"].id
    assert decision.note == ""  # reporters' notes stay with the moderators
    assert decision.item_id == item_of(post).id
    notices = db.session.scalars(select(Notice)).all()
    assert [(n.user_id, n.decision_id) for n in notices] == [(scene["lou"].id, decision.id)]


def test_reports_on_a_hidden_post_do_not_hide_it_again(scene):
    post, board = scene["post"], scene["board"]
    for name in ("Sam", "Rita", "Noa"):
        reports.report(post, board, older(name), "attack")
    assert db.session.get_one(Post, post.id).status == PostStatus.HIDDEN
    assert count(Decision) == 1 and count(Notice) == 1


def test_a_board_may_hide_sooner(ctx):
    board = factories.board("sensible", report_threshold=1.0)
    post = factories.root_post(factories.thread(board, factories.user("Lou"), "S", KIND))
    reports.report(post, board, older("Sam"), "privacy")
    assert db.session.get_one(Post, post.id).status == PostStatus.HIDDEN


def test_crisis_reports_never_hide_but_bring_the_post_first(scene):
    post, board = scene["post"], scene["board"]
    for name in ("Sam", "Rita", "Noa", "Eli"):
        reports.report(post, board, older(name), "crisis")
    assert db.session.get_one(Post, post.id).status == PostStatus.PUBLISHED
    item = item_of(post)
    assert item.is_crisis
    assert item.reasons == ["report", "crisis"]
    assert count(Decision) == 0 and count(Notice) == 0


def test_crisis_reports_do_not_count_toward_hiding(scene):
    post, board = scene["post"], scene["board"]
    reports.report(post, board, older("Sam"), "crisis")
    reports.report(post, board, older("Rita"), "attack")
    assert db.session.get_one(Post, post.id).status == PostStatus.PUBLISHED


def test_a_burst_of_reports_is_slowed_down(ctx):
    board = factories.board("entraide")
    lou, sam = factories.user("Lou"), older("Sam")
    posts = [
        factories.root_post(factories.thread(board, lou, f"Sujet {n}", KIND)) for n in range(7)
    ]
    for post in posts[:5]:
        reports.report(post, board, sam, "spam")
    assert refused(posts[5], board, sam, "spam") == "too_many"
    assert count(Report) == 5
    # With limits off (load tests), the same report goes through.
    reports.report(posts[5], board, sam, "spam", rate_limits=False)
    assert count(Report) == 6


def test_reports_an_hour_old_do_not_count_toward_a_burst(ctx):
    board = factories.board("entraide")
    lou, sam = factories.user("Lou"), older("Sam")
    posts = [
        factories.root_post(factories.thread(board, lou, f"Sujet {n}", KIND)) for n in range(6)
    ]
    for post in posts[:5]:
        reports.report(post, board, sam, "spam")
    for filed in db.session.scalars(select(Report)):
        filed.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    reports.report(posts[5], board, sam, "spam")
    assert count(Report) == 6


def test_a_post_hidden_by_reports_stays_out_of_sight_when_its_author_edits_it(scene):
    post, board = scene["post"], scene["board"]
    for name in ("Sam", "Rita"):
        reports.report(post, board, older(name), "attack")
    services.edit_post(db.session.get_one(Post, post.id), KIND + " Voilà.")
    # Out of public sight still (hidden, or held for the moderators reviewing it).
    assert db.session.get_one(Post, post.id).status in (PostStatus.HIDDEN, PostStatus.PENDING)
