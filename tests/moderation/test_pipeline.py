"""The pipeline through the routes: what a member sees after posting, and what is recorded.

The deterministic Lexicon scorer (tests/scorers.py) decides: "bof" is in the queue band,
"nul"/"nulle" in the nudge band, "idiot" above the hold threshold.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import (
    Assessment,
    Board,
    PendingRevision,
    Post,
    PostStatus,
    ReviewItem,
    Sanction,
    Thread,
    User,
    db,
    utcnow,
)
from moderation.workflow import decisions, queue
from tests import factories
from tests.scorers import LEXICON

lexicon = pytest.mark.parametrize("app", [LEXICON], indirect=True)

KIND = "Merci à tous pour votre soutien, ça me touche beaucoup."
NUDGED = "Merci pour ton message. Mais ton idée est nulle."
CRISIS = "Je veux en finir, tout le monde serait mieux sans moi"


def grant(pseudonym: str, slug: str) -> None:
    """Make a member moderator of a board, as `flask forum grant-moderator` does."""
    factories.moderator(slug, pseudonym)


@pytest.fixture
def world(app):
    """Board "entraide" with Lou (author), Sam (member) and Mo (its moderator)."""
    with app.app_context():
        factories.board("entraide")
        for name in ("Lou", "Sam", "Mo"):
            factories.user(name)
        grant("Mo", "entraide")
    return app


def new_thread(client, body: str, title: str = "Un sujet", slug: str = "entraide", **extra):  # type: ignore[no-untyped-def]
    return client.post(f"/boards/{slug}/new", data={"title": title, "body": body, **extra})


def thread_id(response) -> int:  # type: ignore[no-untyped-def]
    # A crisis lands on the crisis lines first (#crisis-now), any other post on the thread.
    match = re.fullmatch(r"/threads/(\d+)(?:#crisis-now)?", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def root_of(tid: int) -> Post:
    return db.session.scalars(
        select(Post).where(Post.thread_id == tid, Post.parent_id.is_(None))
    ).one()


def last_post() -> Post:
    return db.session.scalars(select(Post).order_by(Post.id.desc()).limit(1)).one()


def item_of(post_id: int) -> ReviewItem | None:
    return db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post_id))


def trail(post_id: int) -> list[tuple[int, str, str]]:
    """The audit trail of a post: (revision, source, action) in order."""
    rows = db.session.scalars(
        select(Assessment).where(Assessment.post_id == post_id).order_by(Assessment.id)
    )
    return [(a.revision, a.source, a.action) for a in rows]


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def as_member(client, name: str):  # type: ignore[no-untyped-def]
    client.post("/logout")
    factories.login(client, name)
    return client


@lexicon
def test_a_kind_post_is_published_with_its_assessment(client, world):
    factories.login(client, "Lou")
    response = new_thread(client, KIND)
    assert response.status_code == 302
    tid = thread_id(response)
    page = client.get(response.headers["Location"])
    assert KIND in factories.text(page)
    assert "crisis-panel" not in page.get_data(as_text=True)
    with world.app_context():
        post = root_of(tid)
        assert post.status == PostStatus.PUBLISHED
        assert trail(post.id) == [(1, "rules", "awaiting"), (1, "model", "publish")]
        final = db.session.scalars(select(Assessment).order_by(Assessment.id.desc())).first()
        assert final.scores["toxicity"] == pytest.approx(0.01)
        assert item_of(post.id) is None


@lexicon
def test_a_post_in_the_queue_band_is_published_and_queued(client, world):
    factories.login(client, "Lou")
    tid = thread_id(new_thread(client, "Bof, je ne sais pas quoi en penser."))
    as_member(client, "Sam")
    assert "Bof, je ne sais pas" in factories.text(client.get(f"/threads/{tid}"))
    with world.app_context():
        post = root_of(tid)
        assert post.status == PostStatus.PUBLISHED
        item = item_of(post.id)
        assert item is not None and item.state == "open"
        assert item.reasons == ["toxicity"]
        assert item.score == pytest.approx(0.5)
        assert trail(post.id)[-1] == (1, "model", "publish_and_queue")


@lexicon
def test_a_hurtful_reply_is_held_and_seen_only_by_its_author_and_moderators(client, world):
    factories.login(client, "Lou")
    tid = thread_id(new_thread(client, KIND))
    as_member(client, "Sam")
    response = client.post(f"/threads/{tid}/reply", data={"body": "Tu es vraiment un idiot."})
    assert response.status_code == 302
    with world.app_context():
        held = last_post()
        pid = held.id
        assert held.status == PostStatus.PENDING
        assert item_of(pid).reasons == ["toxicity"]
        assert db.session.get(Thread, tid).reply_count == 0
    own = factories.text(client.get(f"/threads/{tid}"))
    article = own.split(f'id="post-{pid}"', 1)[1].split("</article>", 1)[0]
    assert "Tu es vraiment un idiot." in article
    assert 'class="badge"' in article  # marked as waiting for review
    as_member(client, "Mo")
    assert client.get(f"/posts/{pid}").status_code == 302
    assert "Tu es vraiment un idiot." in factories.text(client.get(f"/threads/{tid}"))
    as_member(client, "Lou")
    assert client.get(f"/posts/{pid}").status_code == 404
    assert "idiot" not in factories.text(client.get(f"/threads/{tid}"))
    client.post("/logout")
    assert client.get(f"/posts/{pid}").status_code == 404
    assert "idiot" not in factories.text(client.get(f"/threads/{tid}"))


@lexicon
def test_a_nudge_brings_the_composer_back_and_a_rephrasing_publishes_the_same_post(client, world):
    factories.login(client, "Lou")
    response = new_thread(client, NUDGED, title="Mon avis")
    assert response.status_code == 200
    page = factories.text(response)
    assert NUDGED in page  # the text is intact in the composer
    assert "<mark>Mais ton idée est nulle.</mark>" in page
    assert "<mark>Merci pour ton message.</mark>" not in page
    assert 'name="confirm" value="1"' in page
    with world.app_context():
        draft = last_post()
        pid, tid = draft.id, draft.thread_id
        assert draft.status == PostStatus.DRAFT
        assert db.session.get(Thread, tid).status == PostStatus.DRAFT
        assert item_of(pid) is None
        assert trail(pid) == [(1, "rules", "awaiting"), (1, "model", "nudge")]
    assert f'name="draft" value="{pid}"' in page
    assert client.get(f"/threads/{tid}").status_code == 200  # its author sees it
    as_member(client, "Sam")
    assert client.get(f"/threads/{tid}").status_code == 404
    assert client.get(f"/posts/{pid}").status_code == 404
    as_member(client, "Mo")
    assert client.get(f"/threads/{tid}").status_code == 404

    as_member(client, "Lou")
    rephrased = "Merci pour ton message. Je vois les choses autrement, voilà pourquoi."
    response = new_thread(client, rephrased, title="Mon avis, reformulé", draft=str(pid))
    assert response.status_code == 302
    assert thread_id(response) == tid
    with world.app_context():
        assert count(Post) == 1 and count(Thread) == 1
        post = db.session.get_one(Post, pid)
        assert (post.status, post.revision, post.body) == (PostStatus.PUBLISHED, 2, rephrased)
        assert db.session.get_one(Thread, tid).title == "Mon avis, reformulé"
        assert trail(pid)[-1] == (2, "model", "publish")
        assert item_of(pid) is None


@lexicon
def test_posting_anyway_after_a_nudge_holds_the_same_reply(client, world):
    factories.login(client, "Lou")
    tid = thread_id(new_thread(client, KIND))
    as_member(client, "Sam")
    response = client.post(f"/threads/{tid}/reply", data={"body": NUDGED})
    assert response.status_code == 200
    with world.app_context():
        pid = last_post().id
    again = client.post(
        f"/threads/{tid}/reply", data={"body": NUDGED, "draft": str(pid), "confirm": "1"}
    )
    assert again.status_code == 302
    assert again.headers["Location"] == f"/posts/{pid}"
    with world.app_context():
        assert count(Post) == 2
        post = db.session.get_one(Post, pid)
        assert post.status == PostStatus.PENDING
        assert item_of(pid).reasons == ["toxicity", "confirmed"]
        last = db.session.scalars(
            select(Assessment).where(Assessment.post_id == pid).order_by(Assessment.id.desc())
        ).first()
        assert (last.revision, last.action, last.confirmed) == (2, "hold", True)


@lexicon
def test_personal_data_warns_first_then_confirming_publishes_and_queues(client, world):
    factories.login(client, "Lou")
    body = "Si quelqu'un veut en parler, appelle-moi au 06 12 34 56 78."
    response = new_thread(client, body)
    assert response.status_code == 200
    page = factories.text(response)
    assert body in page
    assert "<mark>06 12 34 56 78</mark>" in page
    with world.app_context():
        draft = last_post()
        pid = draft.id
        assert draft.status == PostStatus.DRAFT
        assert trail(pid) == [(1, "rules", "privacy")]  # warned before any scoring
        assert item_of(pid) is None
    response = new_thread(client, body, draft=str(pid), confirm="1")
    assert response.status_code == 302
    with world.app_context():
        assert count(Post) == 1
        post = db.session.get_one(Post, pid)
        assert post.status == PostStatus.PUBLISHED
        assert item_of(pid).reasons == ["privacy"]
        assert trail(pid)[-1] == (2, "model", "publish_and_queue")


@lexicon
def test_removing_the_personal_data_publishes_without_review(client, world):
    factories.login(client, "Lou")
    new_thread(client, "Écris-moi : lou.martin@example.fr")
    with world.app_context():
        pid = last_post().id
    response = new_thread(client, "Écris-moi en message privé.", draft=str(pid))
    assert response.status_code == 302
    with world.app_context():
        assert db.session.get_one(Post, pid).status == PostStatus.PUBLISHED
        assert item_of(pid) is None


@lexicon
def test_a_crisis_is_published_at_once_with_resources_and_goes_first_in_the_queue(client, world):
    factories.login(client, "Sam")
    new_thread(client, "Tu es vraiment un idiot.")  # held, with a high score
    as_member(client, "Lou")
    response = new_thread(client, CRISIS)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "crisis-panel" in html and "3114" in html
    assert "crisis-panel" not in client.get(response.headers["Location"]).get_data(as_text=True)
    with world.app_context():
        post = root_of(thread_id(response))
        assert post.status == PostStatus.PUBLISHED
        mo = db.session.scalar(select(User).where(User.pseudonym == "Mo"))
        waiting = queue.waiting(mo)
        assert len(waiting) == 2
        assert waiting[0].post_id == post.id
        assert waiting[0].is_crisis and "crisis" in waiting[0].reasons
        assert waiting[1].score > waiting[0].score
    as_member(client, "Sam")
    assert "mieux sans moi" in factories.text(client.get(response.headers["Location"]))


@lexicon
def test_a_new_members_first_posts_wait_for_a_moderator(client, app):
    with app.app_context():
        factories.board("accueil", new_member_holds=2)
        factories.user("Nouvelle")
        factories.user("Mo")
        grant("Mo", "accueil")
    factories.login(client, "Nouvelle")
    first = thread_id(new_thread(client, KIND, slug="accueil"))
    second = thread_id(new_thread(client, "Et encore merci.", slug="accueil"))
    with app.app_context():
        mo = db.session.scalar(select(User).where(User.pseudonym == "Mo"))
        for tid in (first, second):
            post = root_of(tid)
            assert post.status == PostStatus.PENDING
            item = item_of(post.id)
            assert "new_member" in item.reasons
            decisions.decide(item, mo, "approve")
        assert all(root_of(tid).status == PostStatus.PUBLISHED for tid in (first, second))
    third = thread_id(new_thread(client, "Me revoilà.", slug="accueil"))
    with app.app_context():
        post = root_of(third)
        assert post.status == PostStatus.PUBLISHED
        assert item_of(post.id) is None


@lexicon
def test_a_new_member_is_still_held_while_their_posts_wait(client, app):
    with app.app_context():
        factories.board("accueil", new_member_holds=2)
        factories.user("Nouvelle")
    factories.login(client, "Nouvelle")
    for body in ("Un.", "Deux.", "Trois."):
        new_thread(client, body, slug="accueil")
    with app.app_context():
        statuses = db.session.scalars(select(Post.status).order_by(Post.id)).all()
        assert statuses == [PostStatus.PENDING] * 3


@pytest.mark.parametrize("app", [LEXICON | {"RATE_LIMITS": "on"}], indirect=True)
def test_a_new_member_posting_too_fast_is_refused_and_keeps_the_text(client, app):
    with app.app_context():
        factories.board("entraide")
        factories.user("Nouvelle")
        factories.user("Ancienne", created_at=utcnow() - timedelta(days=30))
    factories.login(client, "Nouvelle")
    for n in range(3):
        assert new_thread(client, f"Message {n}.").status_code == 302
    before = factories.database(app)
    response = new_thread(client, "Mon quatrième message, que je ne veux pas perdre.")
    assert response.status_code == 429
    assert "Mon quatrième message, que je ne veux pas perdre." in factories.text(response)
    assert factories.database(app) == before
    as_member(client, "Ancienne")  # older members have a wider allowance
    for n in range(4):
        assert new_thread(client, f"Message {n}.").status_code == 302


@pytest.mark.parametrize(
    ("kind", "until", "board_wide", "status"),
    [
        ("mute", timedelta(days=1), True, 403),
        ("mute", None, False, 403),  # site-wide, no end
        ("ban", None, True, 403),
        ("warn", None, True, 302),
        ("mute", -timedelta(minutes=1), True, 302),  # over
    ],
)
@lexicon
def test_sanctions_refuse_posting_clearly_and_keep_the_text(
    client, world, kind, until, board_wide, status
):
    with world.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == "entraide"))
        tid = factories.thread(board, factories.user("Autre")).id
        lou = db.session.scalar(select(User).where(User.pseudonym == "Lou"))
        db.session.add(
            Sanction(
                user_id=lou.id,
                board_id=board.id if board_wide else None,
                kind=kind,
                until=utcnow() + until if until is not None else None,
            )
        )
        db.session.commit()
    factories.login(client, "Lou")
    before = factories.database(world)
    body = "Ce que j'avais à dire, et que je garde."
    for response in (
        new_thread(client, body),
        client.post(f"/threads/{tid}/reply", data={"body": body}),
    ):
        assert response.status_code == status
        if status == 403:
            assert body in factories.text(response)
    if status == 403:
        assert factories.database(world) == before


@lexicon
def test_a_lifted_ban_no_longer_refuses(client, world):
    with world.app_context():
        lou = db.session.scalar(select(User).where(User.pseudonym == "Lou"))
        db.session.add(Sanction(user_id=lou.id, kind="ban", lifted_at=utcnow()))
        db.session.commit()
    factories.login(client, "Lou")
    assert new_thread(client, KIND).status_code == 302


@lexicon
def test_an_edit_goes_through_the_pipeline_again(client, world):
    factories.login(client, "Lou")
    tid = thread_id(new_thread(client, KIND))
    with world.app_context():
        pid = root_of(tid).id
    response = client.post(f"/posts/{pid}/edit", data={"body": "Vous êtes tous des idiots. Idiot."})
    assert response.status_code == 302
    with world.app_context():
        # Readers keep the version they know; the new one waits for a moderator.
        post = db.session.get_one(Post, pid)
        assert (post.status, post.revision, post.body) == (PostStatus.PUBLISHED, 2, KIND)
        assert post.edited_at is None
        pending = db.session.get_one(PendingRevision, pid)
        assert (pending.number, pending.body) == (2, "Vous êtes tous des idiots. Idiot.")
        assert item_of(pid).reasons == ["toxicity"]
        assert trail(pid) == [
            (1, "rules", "awaiting"),
            (1, "model", "publish"),
            (2, "rules", "awaiting"),
            (2, "model", "hold"),
        ]
    response = client.post(f"/posts/{pid}/edit", data={"body": "Ton avis est nul."})
    assert response.status_code == 200  # a nudge on an edit too
    assert "Ton avis est nul." in factories.text(response)


@lexicon
def test_every_new_post_and_every_edit_is_assessed_for_its_revision(client, world):
    factories.login(client, "Lou")
    tid = thread_id(new_thread(client, KIND))
    as_member(client, "Sam")
    client.post(f"/threads/{tid}/reply", data={"body": "Bof."})
    with world.app_context():
        reply_id = last_post().id
    client.post(f"/posts/{reply_id}/edit", data={"body": "Merci Lou."})
    client.post(f"/posts/{reply_id}/edit", data={"body": "Merci Lou, vraiment."})
    with world.app_context():
        revisions = {
            (post.id, revision)
            for post in db.session.scalars(select(Post))
            for revision in range(1, post.revision + 1)
        }
        assessed = {
            (a.post_id, a.revision): a
            for a in db.session.scalars(select(Assessment).where(Assessment.source == "model"))
        }
        assert (
            revisions
            == set(assessed)
            == {
                (root_of(tid).id, 1),
                (reply_id, 1),
                (reply_id, 2),
                (reply_id, 3),
            }
        )
        assert all(a.scores and set(a.scores) >= {"toxicity", "insult"} for a in assessed.values())
        assert db.session.get_one(Post, reply_id).status == PostStatus.PUBLISHED


@pytest.mark.parametrize("app", [{"MODERATION_MODEL": "tests.scorers:Broken"}], indirect=True)
@pytest.mark.parametrize(
    ("fallback", "status"),
    [("hold", PostStatus.PENDING), ("publish_and_queue", PostStatus.PUBLISHED)],
)
def test_when_the_scorer_fails_the_post_is_kept_and_the_board_fallback_applies(
    client, app, fallback, status
):
    with app.app_context():
        factories.board("entraide", fallback=fallback)
        factories.user("Lou")
    factories.login(client, "Lou")
    response = new_thread(client, KIND)
    assert response.status_code == 302
    with app.app_context():
        post = root_of(thread_id(response))
        assert (post.status, post.body) == (status, KIND)
        assert item_of(post.id).reasons == ["unscored"]
        last = db.session.scalars(select(Assessment).order_by(Assessment.id.desc())).first()
        assert (last.source, last.action, last.scores) == (
            "fallback",
            "hold" if fallback == "hold" else "publish_and_queue",
            None,
        )
        assert last.error == "RuntimeError: the model crashed"


@pytest.mark.parametrize("app", [{"MODERATION_MODEL": "tests.scorers:Broken"}], indirect=True)
def test_a_crisis_is_published_even_on_a_hold_board_without_a_scorer(client, app):
    with app.app_context():
        factories.board("entraide", fallback="hold")
        factories.user("Lou")
    factories.login(client, "Lou")
    response = new_thread(client, CRISIS)
    with app.app_context():
        post = root_of(thread_id(response))
        assert post.status == PostStatus.PUBLISHED
        assert item_of(post.id).is_crisis


def test_server_error_page_is_friendly_and_rolls_back(app, client):
    @app.route("/boom")
    def boom():
        db.session.add(Board(slug="half", name="Half", theme="x"))
        db.session.flush()
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Rien de ce que vous avez écrit n'est perdu" in factories.text(response)
    with app.app_context():
        assert db.session.scalar(select(Board).where(Board.slug == "half")) is None


@pytest.mark.parametrize("added", [" Mon 06 12 34 56 78.", " Et ton avis est nul."])
@lexicon
def test_a_warned_edit_leaves_the_published_thread_in_place(client, world, added):
    factories.login(client, "Lou")
    tid = thread_id(new_thread(client, KIND))
    as_member(client, "Sam")
    client.post(f"/threads/{tid}/reply", data={"body": "Je suis là pour toi."})
    as_member(client, "Lou")
    with world.app_context():
        pid = root_of(tid).id
    response = client.post(f"/posts/{pid}/edit", data={"body": KIND + added})
    assert response.status_code == 200  # warned: the composer comes back
    assert KIND + added in factories.text(response)
    as_member(client, "Sam")
    page = client.get(f"/threads/{tid}")
    assert page.status_code == 200
    assert "Je suis là pour toi." in factories.text(page)
    assert added.strip() not in factories.text(page)  # not published before it is confirmed
