"""Moderators' decisions at the domain level: quorum, claims, sanctions, appeals, races."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.boards import services
from models import (
    Board,
    Decision,
    ItemState,
    Post,
    PostStatus,
    Report,
    ReviewItem,
    Sanction,
    Thread,
    User,
    Vote,
    db,
    utcnow,
    write_intent,
)
from moderation.workflow import decisions, pipeline, queue, reports
from moderation.workflow.decisions import NotAllowed
from tests import factories
from tests.scorers import with_lexicon

pytestmark = with_lexicon

QUEUED = "Bof, je ne suis pas convaincue."  # published and queued
HELD = "Tu es vraiment un idiot."  # held for review


def grant(user: User, board: Board) -> None:
    factories.moderator(board, user)


@pytest.fixture
def team(ctx):  # type: ignore[no-untyped-def]
    """Board "entraide" (quorum 2), its author Lou, moderators A to D, and an admin."""
    board = factories.board("entraide")
    people = {"board": board, "lou": factories.user("Lou")}
    for name in "ABCD":
        people[name] = factories.user(f"Mod{name}")
        grant(people[name], board)
    people["admin"] = factories.user("Admin", is_admin=True)
    return people


def post_by(author: User, board: Board, body: str) -> Post:
    return factories.root_post(factories.thread(board, author, "Un sujet", body))


def item_of(post: Post) -> ReviewItem:
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.open_post_id == post.id))
    assert item is not None, "the post has no open item"
    return item


def refused(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed) as error:
        call(*args, **kwargs)
    return error.value.reason


def actions(post: Post) -> list[str]:
    return list(
        db.session.scalars(
            select(Decision.action).where(Decision.post_id == post.id).order_by(Decision.id)
        )
    )


def notified(user: User) -> list[str]:
    return [decision.action for _, decision in reversed(decisions.notices(user))]


def votes() -> int:
    return db.session.scalar(select(func.count()).select_from(Vote)) or 0


def test_removal_needs_the_quorum_and_the_first_voice_hides_the_post(team):
    post = post_by(team["lou"], team["board"], QUEUED)
    rita = factories.user("Rita", created_at=utcnow() - timedelta(days=60))
    reports.report(post, team["board"], rita, "judgment")
    item = item_of(post)

    first = decisions.decide(item, team["A"], "remove", reason="judgment", note="Parle en je.")
    assert (first.applied, first.votes, first.needed) == (False, 1, 2)
    assert db.session.get_one(Post, post.id).status == PostStatus.HIDDEN
    assert item_of(post).state == ItemState.OPEN
    assert actions(post) == ["hidden"]
    assert notified(team["lou"]) == ["hidden"]

    second = decisions.decide(item, team["B"], "remove", reason="judgment", note="Merci.")
    assert (second.applied, second.votes, second.needed) == (True, 2, 2)
    post = db.session.get_one(Post, post.id)
    assert post.status == PostStatus.REMOVED
    removed = second.decision
    assert (removed.action, removed.reason, removed.appealable) == ("removed", "judgment", True)
    assert removed.subject_id == team["lou"].id
    assert removed.note == "Parle en je.\n\nMerci."
    assert notified(team["lou"]) == ["hidden", "removed"]
    assert db.session.get_one(ReviewItem, item.id).outcome == "removed"
    assert db.session.scalars(select(Report.outcome)).all() == ["upheld"]


def test_with_a_quorum_of_one_a_single_moderator_removes(team):
    board = factories.board("petit", quorum=1)
    grant(team["A"], board)
    post = post_by(team["lou"], board, QUEUED)
    result = decisions.decide(item_of(post), team["A"], "remove", reason="attack")
    assert result.applied
    assert db.session.get_one(Post, post.id).status == PostStatus.REMOVED
    assert actions(post) == ["removed"]


def test_approving_a_held_post_publishes_it_and_tells_its_author(team):
    post = post_by(team["lou"], team["board"], HELD)
    assert post.status == PostStatus.PENDING
    item = item_of(post)
    result = decisions.decide(item, team["A"], "approve")
    assert result.applied and result.decision.action == "approved"
    post = db.session.get_one(Post, post.id)
    assert post.status == PostStatus.PUBLISHED
    assert db.session.get_one(Thread, post.thread_id).status == PostStatus.PUBLISHED
    assert db.session.get_one(ReviewItem, item.id).state == ItemState.CLOSED
    assert notified(team["lou"]) == ["approved"]


def test_approving_a_published_post_does_not_bother_its_author(team):
    post = post_by(team["lou"], team["board"], QUEUED)
    decisions.decide(item_of(post), team["A"], "approve")
    assert actions(post) == ["approved"]
    assert notified(team["lou"]) == []


def test_a_request_to_edit_needs_a_note_and_the_edit_comes_back_to_the_queue(team):
    post = post_by(team["lou"], team["board"], QUEUED)
    item = item_of(post)
    assert refused(decisions.decide, item, team["A"], "request_edit", note="  ") == "note_required"
    assert votes() == 0

    note = "Peux-tu parler de ton expérience plutôt que de la sienne ?"
    result = decisions.decide(item, team["A"], "request_edit", reason="judgment", note=note)
    assert (result.decision.action, result.decision.note) == ("edit_requested", note)
    post = db.session.get_one(Post, post.id)
    assert post.status == PostStatus.PENDING
    assert notified(team["lou"]) == ["edit_requested"]

    services.edit_post(post, "Moi, j'ai vécu ça autrement, et ça m'a aidée.")
    again = item_of(db.session.get_one(Post, post.id))
    assert again.id != item.id
    assert "edit_requested" in again.reasons


def test_an_escalated_item_is_for_admins_only(team):
    post = post_by(team["lou"], team["board"], QUEUED)
    item = item_of(post)
    assert queue.waiting(team["A"]) == [item]
    decisions.decide(item, team["A"], "escalate", reason="other", note="Je ne sais pas.")
    assert queue.waiting(team["A"]) == []
    assert queue.waiting(team["B"]) == []
    assert [i.id for i in queue.waiting(team["admin"])] == [item.id]
    assert refused(decisions.decide, item, team["B"], "approve") == "forbidden"
    assert decisions.decide(item, team["admin"], "approve").applied
    assert db.session.get_one(ReviewItem, item.id).outcome == "approved"


def test_only_the_boards_moderators_decide(team):
    post = post_by(team["lou"], team["board"], QUEUED)
    elsewhere = factories.user("Ailleurs")
    grant(elsewhere, factories.board("autre"))
    for someone in (elsewhere, factories.user("Membre")):
        assert refused(decisions.decide, item_of(post), someone, "approve") == "forbidden"
    assert refused(decisions.decide, item_of(post), team["A"], "delete") == "invalid_choice"
    assert refused(decisions.decide, item_of(post), team["A"], "remove") == "reason_required"
    assert votes() == 0


def test_nobody_decides_on_their_own_post_or_their_own_report(team):
    own = post_by(team["A"], team["board"], QUEUED)
    assert refused(decisions.decide, item_of(own), team["A"], "approve") == "own_post"
    assert (
        refused(decisions.sanction, item_of(own), team["A"], "warn", reason="attack") == "own_post"
    )
    post = post_by(team["lou"], team["board"], "Un message tout à fait gentil.")
    reports.report(post, team["board"], team["B"], "attack")
    assert refused(decisions.decide, item_of(post), team["B"], "remove", reason="attack") == (
        "own_report"
    )
    assert votes() == 0


def test_nobody_counts_twice(team):
    post = post_by(team["lou"], team["board"], QUEUED)
    item = item_of(post)
    decisions.decide(item, team["A"], "remove", reason="attack")
    assert refused(decisions.decide, item, team["A"], "remove", reason="attack") == "already_voted"
    assert refused(decisions.decide, item, team["A"], "approve") == "already_voted"
    assert votes() == 1
    assert db.session.get_one(Post, post.id).status == PostStatus.HIDDEN
    assert actions(post) == ["hidden"]


def test_a_stale_form_and_a_decided_item_are_refused(team):
    post = post_by(team["lou"], team["board"], HELD)
    item = item_of(post)
    seen = item.version
    decisions.sanction(item, team["A"], "warn", reason="attack")  # changes the item
    assert refused(decisions.decide, item, team["B"], "remove", reason="attack", version=seen) == (
        "stale"
    )
    assert decisions.decide(item, team["B"], "approve", version=item.version).applied
    assert refused(decisions.decide, item, team["C"], "approve") == "already_decided"
    assert actions(post) == ["approved"]


def test_after_a_voice_to_remove_keeping_the_post_needs_the_quorum_too(team):
    post = post_by(team["lou"], team["board"], QUEUED)
    reports.report(post, team["board"], factories.user("Rita"), "attack")
    item = item_of(post)
    decisions.decide(item, team["A"], "remove", reason="attack")
    kept = decisions.decide(item, team["B"], "approve")
    assert (kept.applied, kept.votes, kept.needed) == (False, 1, 2)
    assert db.session.get_one(Post, post.id).status == PostStatus.HIDDEN
    assert decisions.decide(item, team["C"], "approve").applied
    assert db.session.get_one(Post, post.id).status == PostStatus.PUBLISHED
    assert db.session.scalars(select(Report.outcome)).all() == ["rejected"]
    assert notified(team["lou"]) == ["hidden", "approved"]


def test_a_claim_keeps_others_away_until_it_expires(team):
    post = post_by(team["lou"], team["board"], HELD)
    item = item_of(post)
    assert queue.claim(item, team["A"])
    assert queue.claim(item, team["A"])  # renewing one's own claim
    assert not queue.claim(item, team["B"])
    assert queue.claimed_by_other(item, team["B"])
    assert refused(decisions.decide, item, team["B"], "approve") == "claimed"
    item.claimed_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert queue.claim(item, team["B"])
    assert refused(decisions.decide, item, team["A"], "approve") == "claimed"
    assert decisions.decide(item, team["B"], "approve").applied


def test_a_mute_needs_the_quorum_and_lasts_the_shortest_proposed_time(team):
    post = post_by(team["lou"], team["board"], QUEUED)
    item = item_of(post)
    assert refused(decisions.sanction, item, team["A"], "mute", days=2, reason="attack") == (
        "invalid_choice"
    )
    assert refused(decisions.sanction, item, team["A"], "mute", days=7) == "reason_required"
    first = decisions.sanction(item, team["A"], "mute", days=7, reason="attack")
    assert not first.applied
    pipeline.check_limits(team["lou"], team["board"])  # not muted yet
    second = decisions.sanction(item, team["B"], "mute", days=1, reason="attack")
    assert second.applied
    muted = db.session.scalars(select(Sanction)).one()
    assert (muted.kind, muted.user_id, muted.board_id) == ("mute", team["lou"].id, team["board"].id)
    assert abs(muted.until - (utcnow() + timedelta(days=1))) < timedelta(minutes=1)
    assert (second.decision.action, second.decision.appealable) == ("muted", True)
    assert notified(team["lou"]) == ["muted"]
    with pytest.raises(pipeline.Refused) as refusal:
        pipeline.check_limits(team["lou"], team["board"])
    assert refusal.value.reason == "muted"
    other = factories.board("ailleurs")
    pipeline.check_limits(team["lou"], other)  # a board's mute stays on that board


def test_different_sanctions_do_not_add_up_to_a_quorum(team):
    item = item_of(post_by(team["lou"], team["board"], QUEUED))
    decisions.sanction(item, team["A"], "warn", reason="attack")
    assert not decisions.sanction(item, team["B"], "ban", reason="attack").applied
    assert db.session.scalars(select(Sanction)).all() == []


def test_a_sanction_is_applied_once_however_many_agree(team):
    item = item_of(post_by(team["lou"], team["board"], QUEUED))
    for name in "AB":
        decisions.sanction(item, team[name], "mute", days=1, reason="attack")
    assert (
        refused(decisions.sanction, item, team["C"], "mute", days=1, reason="attack")
        == "already_decided"
    )
    assert refused(decisions.sanction, item, team["A"], "mute", days=1, reason="attack") == (
        "already_voted"
    )
    assert db.session.scalar(select(func.count()).select_from(Sanction)) == 1
    assert notified(team["lou"]) == ["muted"]


def test_a_sanction_may_follow_a_removal(team):
    post = post_by(team["lou"], team["board"], QUEUED)
    item = item_of(post)
    decisions.decide(item, team["A"], "remove", reason="attack")
    decisions.decide(item, team["B"], "remove", reason="attack")
    decisions.sanction(item, team["A"], "warn", reason="attack")
    assert decisions.sanction(item, team["B"], "warn", reason="attack").applied
    assert db.session.scalars(select(Sanction.kind)).all() == ["warn"]
    assert refused(decisions.decide, item, team["C"], "approve") == "already_decided"


def removed_post(team) -> tuple[Post, Decision]:  # type: ignore[no-untyped-def]
    post = post_by(team["lou"], team["board"], QUEUED)
    item = item_of(post)
    decisions.decide(item, team["A"], "remove", reason="attack")
    result = decisions.decide(item, team["B"], "remove", reason="attack")
    return db.session.get_one(Post, post.id), result.decision


def test_an_author_appeals_a_decision_once(team):
    post, removed = removed_post(team)
    hidden = db.session.scalar(select(Decision).where(Decision.action == "hidden"))
    assert refused(decisions.appeal, hidden, team["lou"], "Pourquoi ?") == "not_appealable"
    assert refused(decisions.appeal, removed, factories.user("Sam"), "Moi !") == "not_appealable"
    item = decisions.appeal(removed, team["lou"], "Je ne voulais blesser personne.")
    assert (item.kind, item.post_id, item.appeal_note) == (
        "appeal",
        post.id,
        "Je ne voulais blesser personne.",
    )
    assert refused(decisions.appeal, removed, team["lou"], "Encore") == "already_appealed"
    assert db.session.scalar(select(func.count()).where(ReviewItem.kind == "appeal")) == 1


def test_an_upheld_appeal_restores_the_post_and_only_others_decide_it(team):
    post, removed = removed_post(team)
    appeal = decisions.appeal(removed, team["lou"], "Je ne voulais blesser personne.")
    for name in "AB":
        assert refused(decisions.decide, appeal, team[name], "approve") == "took_decision"
    assert not decisions.decide(appeal, team["C"], "approve").applied
    assert db.session.get_one(Post, post.id).status == PostStatus.REMOVED
    result = decisions.decide(appeal, team["D"], "approve")
    assert result.applied and result.decision.subject_id == team["lou"].id
    assert db.session.get_one(Post, post.id).status == PostStatus.PUBLISHED
    assert len(notified(team["lou"])) == 3  # hidden, removed, and the appeal's outcome


def test_an_upheld_appeal_is_logged_as_appeal_upheld(team):
    _, removed = removed_post(team)
    appeal = decisions.appeal(removed, team["lou"], "Je ne voulais blesser personne.")
    decisions.decide(appeal, team["C"], "approve")
    result = decisions.decide(appeal, team["D"], "approve")
    assert result.decision.action == "appeal_upheld"
    assert db.session.get_one(ReviewItem, appeal.id).outcome == "appeal_upheld"


def test_a_rejected_appeal_keeps_the_decision(team):
    post, removed = removed_post(team)
    appeal = decisions.appeal(removed, team["lou"], "Ce n'est pas juste.")
    decisions.decide(appeal, team["C"], "remove")
    result = decisions.decide(appeal, team["D"], "remove")
    assert result.decision.action == "appeal_rejected"
    assert db.session.get_one(Post, post.id).status == PostStatus.REMOVED
    assert notified(team["lou"])[-1] == "appeal_rejected"


def test_an_upheld_appeal_lifts_the_sanction(team):
    item = item_of(post_by(team["lou"], team["board"], QUEUED))
    decisions.sanction(item, team["A"], "ban", reason="attack")
    banned = decisions.sanction(item, team["B"], "ban", reason="attack").decision
    with pytest.raises(pipeline.Refused):
        pipeline.check_limits(team["lou"], team["board"])
    appeal = decisions.appeal(banned, team["lou"], "Je m'excuse.")
    assert refused(decisions.decide, appeal, team["B"], "approve") == "took_decision"
    decisions.decide(appeal, team["C"], "approve")
    decisions.decide(appeal, team["D"], "approve")
    assert db.session.scalars(select(Sanction.lifted_at)).one() is not None
    pipeline.check_limits(team["lou"], team["board"])


def test_a_hidden_post_stays_out_of_sight_when_its_author_edits_it(team):
    post = post_by(team["lou"], team["board"], QUEUED)
    decisions.decide(item_of(post), team["A"], "remove", reason="attack")
    services.edit_post(db.session.get_one(Post, post.id), "Bof, je ne suis pas convaincue !")
    # Out of public sight still (hidden, or held for the moderators reviewing it).
    assert db.session.get_one(Post, post.id).status in (PostStatus.HIDDEN, PostStatus.PENDING)


@pytest.fixture
def overlapping(monkeypatch):  # type: ignore[no-untyped-def]
    """Two decisions at the very same moment: each waits (half a second at most) after casting
    its vote until the other has cast its own. SQLite lets one writer in at a time, so
    there the first goes on alone after the wait."""
    arrived = threading.Barrier(2)
    real = decisions._vote

    def vote(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            arrived.wait(timeout=0.5)

    monkeypatch.setattr(decisions, "_vote", vote)


def decide_at_once(app, item_id: int, moderator_ids: list[int], choice: str, **kwargs):  # type: ignore[no-untyped-def]
    """Each moderator decides in their own thread and app context."""
    db.session.commit()  # the test's own session holds nothing while they decide
    outcomes: dict[int, object] = {}

    def act(moderator_id: int) -> None:
        with app.app_context():
            try:
                with write_intent():  # as the POST route declares it
                    item = db.session.get_one(ReviewItem, item_id)
                    moderator = db.session.get_one(User, moderator_id)
                    outcomes[moderator_id] = decisions.decide(item, moderator, choice, **kwargs)
            except Exception as error:  # noqa: BLE001 - the assertions report it
                outcomes[moderator_id] = error
            finally:
                db.session.remove()

    workers = [threading.Thread(target=act, args=(mid,)) for mid in moderator_ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    db.session.expire_all()
    return [outcomes.get(mid) for mid in moderator_ids]


def test_two_moderators_approving_at_the_same_moment_have_one_effect(app, team, overlapping):
    post = post_by(team["lou"], team["board"], HELD)
    item_id = item_of(post).id
    outcomes = decide_at_once(app, item_id, [team["A"].id, team["B"].id], "approve")
    assert sum(isinstance(o, decisions.Result) for o in outcomes) == 1, outcomes
    assert votes() == 1
    assert actions(post) == ["approved"]
    assert notified(team["lou"]) == ["approved"]
    assert db.session.get_one(Post, post.id).status == PostStatus.PUBLISHED
    assert db.session.get_one(ReviewItem, item_id).state == ItemState.CLOSED


def test_the_second_of_two_simultaneous_approvals_gets_a_clear_refusal(app, team, overlapping):
    post = post_by(team["lou"], team["board"], HELD)
    outcomes = decide_at_once(app, item_of(post).id, [team["A"].id, team["B"].id], "approve")
    refusals = [o for o in outcomes if isinstance(o, NotAllowed)]
    assert len(refusals) == 1, outcomes
    assert refusals[0].reason == "already_decided"


def test_two_simultaneous_removal_votes_reach_the_quorum_once(app, team, overlapping):
    post = post_by(team["lou"], team["board"], QUEUED)
    outcomes = decide_at_once(
        app, item_of(post).id, [team["A"].id, team["B"].id], "remove", reason="attack"
    )
    assert all(isinstance(o, decisions.Result) for o in outcomes), outcomes
    assert db.session.get_one(Post, post.id).status == PostStatus.REMOVED
    assert actions(post) == ["hidden", "removed"]
    assert notified(team["lou"]) == ["hidden", "removed"]


def test_on_a_small_board_an_appeal_needs_only_those_who_may_settle_it(team):
    board = factories.board("petit")  # quorum 2, and only A and B moderate it
    for name in "AB":
        grant(team[name], board)
    item = item_of(post_by(team["lou"], board, QUEUED))
    decisions.decide(item, team["A"], "remove", reason="attack")
    removed = decisions.decide(item, team["B"], "remove", reason="attack").decision
    appeal = decisions.appeal(removed, team["lou"], "Je ne voulais blesser personne.")
    assert refused(decisions.decide, appeal, team["C"], "approve") == "forbidden"
    result = decisions.decide(appeal, team["admin"], "approve")
    assert (result.applied, result.needed) == (True, 1)
