"""Notifications: who is told of a new message, when, and when it is taken back.

Every path that makes a post readable or unreadable (posting, the scoring job, a
moderator, reports, a quorum, the author erasing it, an account deletion) goes through
the session listener in forum.following.events, in the same transaction."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts import blocks
from forum.accounts import data as account_data
from forum.boards import services as posting
from models import (
    Board,
    Notification,
    NotificationKind,
    Post,
    PostStatus,
    ReviewItem,
    Thread,
    User,
    db,
    utcnow,
)
from moderation.workflow import decisions, reports
from tests import factories

EN = {"Accept-Language": "en"}
BADGE = re.compile(r'<span class="count">(\d+)</span>')


def browser(app, pseudonym: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    factories.login(client, pseudonym)
    return client


def member(name: str) -> User:
    return db.session.scalars(select(User).where(User.pseudonym == name)).one()


def notes(name: str) -> list[tuple[int, str]]:
    """(post id, kind) of a member's notifications, oldest first."""
    rows = db.session.execute(
        select(Notification.post_id, Notification.kind)
        .join(User, User.id == Notification.user_id)
        .where(User.pseudonym == name)
        .order_by(Notification.id)
    ).all()
    return [(post_id, NotificationKind(kind).value) for post_id, kind in rows]


def badge(client: FlaskClient) -> int:
    page = client.get("/", headers=EN).get_data(as_text=True)
    header = page.split("</header>")[0]
    found = BADGE.search(header)
    return int(found.group(1)) if found else 0


@pytest.fixture
def talk(app):  # type: ignore[no-untyped-def]
    """Lou starts a thread; Sam answers Lou; Noa, a third member, has not posted."""
    with app.app_context():
        board = factories.board("entraide")
        lou, sam = factories.user("Lou"), factories.user("Sam")
        factories.user("Noa")
        started = factories.thread(board, lou, "Est-ce normal ?", "Je dors mal depuis un mois.")
        root = factories.root_post(started)
        answer = factories.reply(started, sam, "Oui, cela m'est arrivé aussi.", root)
        return {"board": board.id, "thread": started.id, "root": root.id, "answer": answer.id}


def test_a_reply_reaches_the_author_of_the_post_it_answers(app, talk):
    with app.app_context():
        assert notes("Lou") == [(talk["answer"], "reply")]
        assert notes("Sam") == []  # never to the author of the post


def test_a_new_message_reaches_every_follower_once(app, talk):
    with app.app_context():
        thread = db.session.get_one(Thread, talk["thread"])
        answer = db.session.get_one(Post, talk["answer"])
        # Noa answers Sam: Sam gets a reply, Lou (following) a thread message.
        noa_post = factories.reply(thread, member("Noa"), "Moi aussi, courage.", answer)
        assert notes("Sam") == [(noa_post.id, "reply")]
        assert notes("Lou") == [(talk["answer"], "reply"), (noa_post.id, "thread")]
        assert notes("Noa") == []


def test_nothing_to_oneself_even_in_a_followed_thread(app, talk):
    with app.app_context():
        thread = db.session.get_one(Thread, talk["thread"])
        root = db.session.get_one(Post, talk["root"])
        own = factories.reply(thread, member("Lou"), "Merci à vous.", root)
        assert (own.id, "reply") not in notes("Lou")
        assert all(post_id != own.id for post_id, _ in notes("Lou"))
        assert notes("Sam") == [(own.id, "thread")]


def test_a_muted_thread_sends_nothing_not_even_replies(app, talk):
    lou = browser(app, "Lou")
    assert lou.post(f"/threads/{talk['thread']}/follow", data={"mode": "mute"}).status_code == 302
    with app.app_context():
        assert notes("Lou") == []  # what was waiting goes too
        thread = db.session.get_one(Thread, talk["thread"])
        root = db.session.get_one(Post, talk["root"])
        answer = db.session.get_one(Post, talk["answer"])
        factories.reply(thread, member("Noa"), "Une réponse à Lou.", root)  # a reply
        factories.reply(thread, member("Noa"), "Une réponse à Sam.", answer)  # a new message
        assert notes("Lou") == []
        assert len(notes("Sam")) == 2  # Sam, who follows, hears of both


def test_nothing_from_a_member_one_has_blocked(app, talk):
    with app.app_context():
        blocks.block(member("Lou"), member("Noa").id)
        thread = db.session.get_one(Thread, talk["thread"])
        answer = db.session.get_one(Post, talk["answer"])
        factories.reply(thread, member("Noa"), "Une réponse à Sam.", answer)
        assert [kind for _, kind in notes("Lou")] == ["reply"]  # Sam's answer only
        assert len(notes("Sam")) == 1


def test_blocking_later_hides_what_is_waiting(app, talk):
    with app.app_context():
        thread = db.session.get_one(Thread, talk["thread"])
        factories.reply(thread, member("Noa"), "Un message de Noa.")
    lou = browser(app, "Lou")
    assert badge(lou) == 2
    with app.app_context():
        blocks.block(member("Lou"), member("Noa").id)
    assert badge(lou) == 1
    page = factories.text(lou.get("/me/notifications", headers=EN))
    assert "Un message de Noa" not in page and "Noa" not in page.split("</header>")[1]
    assert "m'est arrivé aussi" in page


def test_held_posts_notify_nobody_until_a_moderator_approves(app, talk):
    with app.app_context():
        board = db.session.get_one(Board, talk["board"])
        board.new_member_holds = 2
        db.session.commit()
        factories.user("Nouvelle")  # created now: a new member, held
        factories.user("Mo")
        factories.moderator(board, "Mo")
        thread = db.session.get_one(Thread, talk["thread"])
        root = db.session.get_one(Post, talk["root"])
        held = factories.reply(thread, member("Nouvelle"), "Je découvre le forum.", root)
        assert held.status == PostStatus.PENDING
        assert notes("Lou") == [(talk["answer"], "reply")]
        assert notes("Sam") == []
        item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == held.id))
        decisions.decide(item, member("Mo"), "approve")
        assert db.session.get_one(Post, held.id).status == PostStatus.PUBLISHED
        assert notes("Lou") == [(talk["answer"], "reply"), (held.id, "reply")]
        assert notes("Sam") == [(held.id, "thread")]


def test_a_draft_notifies_nobody_until_its_author_confirms_it(app, talk):
    with app.app_context():
        thread = db.session.get_one(Thread, talk["thread"])
        outcome = posting.create_reply(
            member("Noa"), thread, "Écrivez-moi : noa.martin@example.org, ou au 06 12 34 56 78."
        )
        draft = outcome.post
        assert draft.status == PostStatus.DRAFT
        assert [p for p, _ in notes("Lou")] == [talk["answer"]]
        confirmed = posting.edit_post(draft, draft.body, confirmed=True).post
        assert confirmed.status == PostStatus.PUBLISHED
        assert (confirmed.id, "reply") in notes("Lou")


def test_the_scoring_job_publishing_a_post_notifies(app, talk):
    """A board that holds until scored: the job, in its worker thread, publishes it."""
    with app.app_context():
        board = db.session.get_one(Board, talk["board"])
        board.fallback = "hold"
        db.session.commit()
        thread = db.session.get_one(Thread, talk["thread"])
        post = factories.reply(thread, member("Noa"), "Tenez bon, ça passe.")
        db.session.expire_all()
        assert db.session.get_one(Post, post.id).status == PostStatus.PUBLISHED
        assert (post.id, "reply") in notes("Lou")  # it answers Lou's first message
        assert (post.id, "thread") in notes("Sam")


def test_reports_hiding_a_post_withdraw_its_notifications(app, talk):
    with app.app_context():
        board = db.session.get_one(Board, talk["board"])
        board.report_threshold = 0.1
        db.session.commit()
        answer = db.session.get_one(Post, talk["answer"])
        reports.report(answer, board, member("Noa"), "attack", rate_limits=False)
        assert db.session.get_one(Post, talk["answer"]).status == PostStatus.HIDDEN
        assert notes("Lou") == []
    assert badge(browser(app, "Lou")) == 0


def test_removal_by_moderators_withdraws_its_notifications(app, talk):
    with app.app_context():
        board = db.session.get_one(Board, talk["board"])
        board.quorum = 1
        db.session.commit()
        factories.user("Mo")
        factories.moderator(board, "Mo")
        answer = db.session.get_one(Post, talk["answer"])
        reports.report(answer, board, member("Noa"), "attack", rate_limits=False)
        item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == answer.id))
        decisions.decide(item, member("Mo"), "remove", reason="attack")
        assert db.session.get_one(Post, talk["answer"]).status == PostStatus.REMOVED
        assert notes("Lou") == []


def test_erasing_a_post_withdraws_its_notifications(app, talk):
    with app.app_context():
        posting.delete_post(db.session.get_one(Post, talk["answer"]))
        assert notes("Lou") == []


def test_deleting_an_account_withdraws_its_notifications_and_drops_its_own(app, talk):
    with app.app_context():
        thread = db.session.get_one(Thread, talk["thread"])
        factories.reply(thread, member("Lou"), "Merci Sam.")
        assert notes("Sam")
        account_data.erase(member("Sam"))
        assert notes("Lou") == []
        assert db.session.scalar(select(Notification.id)) is None  # Sam's own went too


def test_the_header_badge_counts_unread_and_the_page_marks_them_read(app, talk):
    with app.app_context():
        thread = db.session.get_one(Thread, talk["thread"])
        answer = db.session.get_one(Post, talk["answer"])
        factories.reply(thread, member("Noa"), "Un deuxième message.", answer)
    lou = browser(app, "Lou")
    assert badge(lou) == 2
    first = lou.get("/me/notifications", headers=EN).get_data(as_text=True)
    assert first.count('class="notification unread"') == 2
    assert "<bdi>Sam</bdi> answered your message in" in factories.text_of(first)
    assert "<bdi>Noa</bdi> wrote in" in factories.text_of(first)
    assert f'href="/posts/{talk["answer"]}"' in first
    assert badge(lou) == 0
    again = lou.get("/me/notifications", headers=EN).get_data(as_text=True)
    assert "notification unread" not in again and again.count('class="notification"') == 2


def test_the_badge_adds_moderation_notices_and_links_to_the_notifications(app, talk):
    with app.app_context():
        board = db.session.get_one(Board, talk["board"])
        board.report_threshold = 0.1
        db.session.commit()
        root = db.session.get_one(Post, talk["root"])
        reports.report(root, board, member("Noa"), "attack", rate_limits=False)
    sam = browser(app, "Sam")  # Sam got nothing: the notice is Lou's
    assert badge(sam) == 0
    lou = browser(app, "Lou")
    page = lou.get("/", headers=EN).get_data(as_text=True)
    assert 'href="/me/notifications">Notifications <span class="count">1</span>' in page
    listing = lou.get("/me/notifications", headers=EN).get_data(as_text=True)
    assert 'href="/me/notices">Messages from the moderators <span class="count">1</span>' in (
        listing
    )


def test_visiting_the_thread_marks_its_notifications_read(app, talk):
    lou = browser(app, "Lou")
    assert badge(lou) == 1
    page = lou.get(f"/threads/{talk['thread']}", headers=EN).get_data(as_text=True)
    # The page that shows the reply already counts it as read.
    assert not BADGE.search(page.split("</header>")[0])
    assert badge(lou) == 0
    with app.app_context():
        assert db.session.scalar(select(Notification.read_at)) is not None


def test_the_excerpt_is_plain_escaped_text_and_a_content_warning_hides_it(app, talk):
    with app.app_context():
        thread = db.session.get_one(Thread, talk["thread"])
        root = db.session.get_one(Post, talk["root"])
        factories.reply(thread, member("Noa"), "**Gras** et <script>alert(1)</script> " * 20, root)
        posting.create_reply(
            member("Sam"), thread, "Un récit difficile.", root, content_warning="deuil"
        )
    page = browser(app, "Lou").get("/me/notifications", headers=EN).get_data(as_text=True)
    assert "<script>" not in page and "<strong>" not in page.split("</header>")[1]
    excerpt = re.search(r'<p class="excerpt" dir="auto">(.*?)</p>', page, re.S)
    assert excerpt and excerpt.group(1).startswith("Gras et")
    assert len(factories.text_of(excerpt.group(1))) <= 141
    assert "Un récit difficile" not in factories.text_of(page)
    assert "deuil" in factories.text_of(page)


def test_the_notifications_page_is_paginated_newest_first(app, talk):
    with app.app_context():
        thread = db.session.get_one(Thread, talk["thread"])
        root = db.session.get_one(Post, talk["root"])
        noa = member("Noa")
        last = None
        for n in range(26):
            last = factories.reply(thread, noa, f"Message numéro {n}.", root)
    lou = browser(app, "Lou")
    assert badge(lou) == 27
    first = lou.get("/me/notifications", headers=EN).get_data(as_text=True)
    assert first.count('class="notification unread"') == 25
    assert first.index(f'/posts/{last.id}"') < first.index("Message numéro 24")
    assert 'rel="next" href="/me/notifications?page=2"' in first
    assert badge(lou) == 2  # only the shown ones are read
    second = lou.get("/me/notifications?page=2", headers=EN).get_data(as_text=True)
    assert second.count('class="notification unread"') == 2
    assert f'/posts/{talk["answer"]}"' in second
    assert lou.get("/me/notifications?page=3").status_code == 404
    assert lou.get("/me/notifications?page=abc").status_code == 404


def test_the_notifications_page_is_for_members(client):
    response = client.get("/me/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_late_notification_keeps_its_own_time(app, talk):
    """Notifications created at approval carry that moment (newest first by id)."""
    with app.app_context():
        before = utcnow()
        thread = db.session.get_one(Thread, talk["thread"])
        post = factories.reply(thread, member("Noa"), "Plus tard.")
        created = db.session.scalar(
            select(Notification.created_at).where(Notification.post_id == post.id).limit(1)
        )
        assert created is not None and created >= before.replace(microsecond=0)
