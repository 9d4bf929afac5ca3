"""A member's data rights: a copy of everything they wrote and set, and erasure."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, insert, or_, select, update

from forum.accounts import blocks, recovery
from forum.boards import services as posting
from models import (
    Assessment,
    Block,
    Board,
    Decision,
    Notice,
    Post,
    PostStatus,
    Reaction,
    ReactionKind,
    RecoveryCode,
    Report,
    ReviewItem,
    Sanction,
    Thread,
    User,
    Vote,
    board_moderators,
    db,
    utcnow,
)
from models.tree import segment
from moderation.workflow import decisions, queue, reports
from tests import factories

EN = {"Accept-Language": "en"}

# Ondine is the member who exports and erases; the others must not show in her copy,
# except Quillon, whom she blocked.
ONDINE_ROOT = "Le premier message d'Ondine, ouvert à toutes et tous."
ONDINE_REPLY = "Ondine répond au sujet de l'autre espace."
ONDINE_HELD = "Un message retenu en attente de relecture."
ONDINE_DRAFT = "Mon numéro est le 06 12 34 56 78, appelez-moi."
ONDINE_CRISIS = "Ce soir je veux en finir, je n'en peux plus."
ONDINE_TITLE = "Un sujet ouvert par elle"
HELD_TITLE = "Un sujet en attente"
OTHER_ROOT = "Le message d'ouverture de quelqu'un d'autre."
OTHER_REPLY = "Une réponse d'une autre personne, qui doit rester lisible."
QUILLON_BODY = "Un message écrit par le membre bloqué."
REPORT_NOTE = "Ma note de signalement pour les modérateurs."
REPORT_ON_HER = "Un signalement d'une autre personne sur son message."
NOTICE_NOTE = "Une note des modérateurs à son intention."
SENTENCES = [["Une phrase pesante citée par la vérification.", 0.91]]
OTHERS = ("Samarcande", "Xandrine", "Zephyrin")


def member(pseudonym: str) -> User:
    return db.session.scalars(select(User).where(User.pseudonym == pseudonym)).one()


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    """Ondine wrote, reacted, reported, blocked and was told of a decision; others wrote
    around her."""
    with app.app_context():
        entraide = factories.board("entraide", name="Entraide")
        accueil = factories.board("accueil", name="Accueil", new_member_holds=1)
        ondine = factories.user("Ondine")
        samarcande = factories.user("Samarcande")
        quillon = factories.user("Quillon")
        xandrine = factories.user("Xandrine")
        factories.user("Zephyrin")
        factories.moderator(entraide, "Zephyrin")

        hers = factories.thread(entraide, ondine, ONDINE_TITLE, ONDINE_ROOT)
        her_root = factories.root_post(hers)
        answer = factories.reply(hers, samarcande, OTHER_REPLY, her_root)
        crisis = factories.reply(hers, ondine, ONDINE_CRISIS, her_root)
        theirs = factories.thread(entraide, samarcande, "Un autre sujet", OTHER_ROOT)
        their_root = factories.root_post(theirs)
        her_reply = factories.reply(theirs, ondine, ONDINE_REPLY, their_root)
        draft = factories.reply(theirs, ondine, ONDINE_DRAFT, their_root)
        from_quillon = factories.reply(theirs, quillon, QUILLON_BODY, their_root)
        held_thread = factories.thread(accueil, ondine, HELD_TITLE, ONDINE_HELD)
        held = factories.root_post(held_thread)
        assert draft.status == PostStatus.DRAFT
        assert held.status == PostStatus.PENDING
        assert crisis.status == PostStatus.PUBLISHED

        posting.toggle_reaction(ondine, answer, ReactionKind.THANKS)
        posting.toggle_reaction(samarcande, her_root, ReactionKind.COURAGE)
        reports.report(their_root, entraide, ondine, "judgment", REPORT_NOTE, rate_limits=False)
        reports.report(her_reply, entraide, samarcande, "attack", REPORT_ON_HER, rate_limits=False)
        blocks.block(ondine, quillon.id)
        blocks.block(xandrine, ondine.id)
        decision = Decision(
            board_id=entraide.id,
            post_id=her_reply.id,
            subject_id=ondine.id,
            action="warned",
            reason="judgment",
            note=NOTICE_NOTE,
            appealable=True,
        )
        db.session.add(decision)
        db.session.flush()
        db.session.add(Notice(user_id=ondine.id, decision_id=decision.id))
        db.session.add(
            Sanction(user_id=ondine.id, board_id=entraide.id, decision_id=decision.id, kind="warn")
        )
        her_posts = [her_root.id, crisis.id, her_reply.id, draft.id, held.id]
        db.session.execute(
            update(Assessment).where(Assessment.post_id.in_(her_posts)).values(sentences=SENTENCES)
        )
        db.session.commit()
        codes = recovery.issue(ondine)
        return {
            "ondine": ondine.id,
            "samarcande": samarcande.id,
            "quillon": quillon.id,
            "xandrine": xandrine.id,
            "her_thread": hers.id,
            "their_thread": theirs.id,
            "held_thread": held_thread.id,
            "her_root": her_root.id,
            "crisis": crisis.id,
            "her_reply": her_reply.id,
            "draft": draft.id,
            "held": held.id,
            "answer": answer.id,
            "their_root": their_root.id,
            "from_quillon": from_quillon.id,
            "her_posts": her_posts,
            "codes": codes,
            "decision": decision.id,
        }


def signed_in_as(app, pseudonym: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    factories.login(client, pseudonym)
    return client


# --- export ---------------------------------------------------------------------------------


def test_export_is_a_downloaded_json_file_of_everything_she_wrote_and_set(app, world):
    response = signed_in_as(app, "Ondine").get("/me/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert re.search(r'filename="entrenous-\d{4}-\d{2}-\d{2}\.json"', disposition)
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data(as_text=True))

    assert data["account"]["pseudonym"] == "Ondine"
    assert data["account"]["recovery_codes_left"] == 10
    assert {t["title"] for t in data["threads"]} == {ONDINE_TITLE, HELD_TITLE}
    posts = {p["id"]: p for p in data["posts"]}
    assert set(posts) == set(world["her_posts"])
    assert posts[world["her_root"]]["body"] == ONDINE_ROOT
    assert posts[world["her_reply"]]["body"] == ONDINE_REPLY
    assert posts[world["crisis"]]["body"] == ONDINE_CRISIS
    assert posts[world["held"]]["body"] == ONDINE_HELD
    assert posts[world["held"]]["status"] == "pending"
    assert posts[world["draft"]]["body"] == ONDINE_DRAFT
    assert posts[world["draft"]]["status"] == "draft"
    assert posts[world["her_reply"]]["in_reply_to"] == world["their_root"]
    assert posts[world["held"]]["board"] == "accueil"
    assert [(r["post_id"], r["kind"]) for r in data["reactions"]] == [(world["answer"], "thanks")]
    assert [(r["post_id"], r["reason"], r["note"]) for r in data["reports"]] == [
        (world["their_root"], "judgment", REPORT_NOTE)
    ]
    assert data["blocked_members"] == ["Quillon"]
    assert [(n["post_id"], n["action"], n["note"]) for n in data["notices"]] == [
        (world["her_reply"], "warned", NOTICE_NOTE)
    ]
    assert [s["kind"] for s in data["sanctions"]] == ["warn"]


def test_export_keeps_secrets_and_other_members_out(app, world):
    raw = signed_in_as(app, "Ondine").get("/me/export").get_data(as_text=True)
    with app.app_context():
        ondine = db.session.get_one(User, world["ondine"])
        password_hash = ondine.password_hash
        digests = list(
            db.session.scalars(select(RecoveryCode.digest).where(RecoveryCode.user_id == ondine.id))
        )
    assert len(digests) == 10
    assert password_hash not in raw
    assert "scrypt" not in raw
    assert "password" not in raw
    for digest in digests:
        assert digest not in raw
    for code in world["codes"]:
        assert code not in raw
    for body in (OTHER_ROOT, OTHER_REPLY, QUILLON_BODY, REPORT_ON_HER):
        assert body not in raw
    for pseudonym in OTHERS:
        assert pseudonym not in raw, pseudonym
    assert "Quillon" in raw  # the one member she chose to block


def test_each_member_exports_only_their_own(app, world):
    data = signed_in_as(app, "Samarcande").get("/me/export").get_json()
    assert data["account"]["pseudonym"] == "Samarcande"
    bodies = {p["body"] for p in data["posts"]}
    assert bodies == {OTHER_ROOT, OTHER_REPLY}
    raw = json.dumps(data, ensure_ascii=False)
    for secret in (ONDINE_ROOT, ONDINE_DRAFT, ONDINE_HELD, REPORT_NOTE, NOTICE_NOTE, "Ondine"):
        assert secret not in raw
    assert data["blocked_members"] == []
    assert [r["note"] for r in data["reports"]] == [REPORT_ON_HER]


def test_visitors_are_sent_to_sign_in_for_the_export(client, world):
    response = client.get("/me/export")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "application/json" not in response.headers.get("Content-Type", "")


# --- erasure refused ------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["pas le bon mot de passe", ""])
def test_erasure_needs_the_password(app, world, password):
    ondine = signed_in_as(app, "Ondine")
    before = factories.database(app)
    response = ondine.post("/me/delete", data={"password": password}, headers=EN)
    assert response.status_code == 400
    page = factories.text(response)
    assert 'action="/me/delete"' in page
    assert re.search(r'<details class="danger-zone" open>', page)
    assert factories.database(app) == before
    assert ondine.get("/me").status_code == 200


def test_erasure_is_post_only_and_for_members(app, world, client):
    before = factories.database(app)
    assert signed_in_as(app, "Ondine").get("/me/delete").status_code == 405
    response = client.post("/me/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert factories.database(app) == before


# --- erasure --------------------------------------------------------------------------------


def erase(app, pseudonym: str = "Ondine") -> FlaskClient:  # type: ignore[no-untyped-def]
    client = signed_in_as(app, pseudonym)
    response = client.post("/me/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 302, factories.text(response)[:2000]
    assert response.headers["Location"] == "/"
    return client


def published_replies(thread_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(
                Post.thread_id == thread_id,
                Post.parent_id.is_not(None),
                Post.status == PostStatus.PUBLISHED,
                Post.deleted_at.is_(None),
            )
        )
        or 0
    )


def assert_reply_counts_consistent() -> None:
    for thread in db.session.scalars(select(Thread)):
        assert thread.reply_count == published_replies(thread.id), thread.id


def test_erasure_removes_the_account_and_signs_out(app, world):
    client = erase(app)
    assert client.get("/me").status_code == 302
    with app.app_context():
        assert db.session.get(User, world["ondine"]) is None
        assert db.session.scalar(select(User).where(User.pseudonym == "Ondine")) is None
        for model, column in (
            (RecoveryCode, RecoveryCode.user_id),
            (Notice, Notice.user_id),
            (Sanction, Sanction.user_id),
            (Reaction, Reaction.user_id),
        ):
            count = db.session.scalar(
                select(func.count()).select_from(model).where(column == world["ondine"])
            )
            assert count == 0, model.__name__
        assert (
            db.session.scalar(select(Decision.subject_id).where(Decision.id == world["decision"]))
            is None
        )
    # The pseudonym is free again.
    newcomer = app.test_client()
    response = newcomer.post(
        "/register",
        data={
            "pseudonym": "Ondine",
            "password": factories.PASSWORD,
            "password_confirm": factories.PASSWORD,
            "accept_charter": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        again = db.session.scalars(select(User).where(User.pseudonym == "Ondine")).one()
        assert again.id != world["ondine"]
        # The new account inherits nothing.
        assert (
            db.session.scalar(
                select(func.count()).select_from(Post).where(Post.author_id == again.id)
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Block)
                .where(or_(Block.blocker_id == again.id, Block.blocked_id == again.id))
            )
            == 0
        )
    assert newcomer.get("/me/export").get_json()["posts"] == []


def test_erasure_empties_every_post_but_keeps_its_place(app, world):
    erase(app)
    with app.app_context():
        for post_id in world["her_posts"]:
            post = db.session.get(Post, post_id)
            assert post is not None, post_id
            assert (post.body, post.html, post.content_warning) == ("", "", None), post_id
            assert post.deleted_at is not None, post_id
            assert post.author_id is None, post_id
        for thread_id in (world["her_thread"], world["held_thread"]):
            thread = db.session.get_one(Thread, thread_id)
            assert thread.title == "" and thread.author_id is None
        # Others' posts and threads are untouched.
        assert db.session.get_one(Post, world["answer"]).body == OTHER_REPLY
        assert db.session.get_one(Post, world["their_root"]).body == OTHER_ROOT
        assert db.session.get_one(Thread, world["their_thread"]).title == "Un autre sujet"
        assert_reply_counts_consistent()
        assert db.session.get_one(Thread, world["her_thread"]).reply_count == 1  # Samarcande's
        assert db.session.get_one(Thread, world["their_thread"]).reply_count == 1  # Quillon's


def test_the_thread_page_shows_her_places_and_others_replies(app, world):
    erase(app)
    reader = signed_in_as(app, "Samarcande")
    response = reader.get(f"/threads/{world['her_thread']}")
    assert response.status_code == 200
    page = factories.text(response)
    assert "(sujet supprimé)" in page
    assert "Message supprimé par son auteur." in page
    assert OTHER_REPLY in page
    for gone in ("Ondine", ONDINE_ROOT, ONDINE_CRISIS, ONDINE_TITLE):
        assert gone not in page
    root = re.search(rf'<article id="post-{world["her_root"]}".*?</article>', page, re.S)
    assert root and "Message supprimé par son auteur." in root.group(0)
    answer = re.search(rf'<article id="post-{world["answer"]}".*?</article>', page, re.S)
    assert answer and OTHER_REPLY in answer.group(0) and "Samarcande" in answer.group(0)
    # A visitor reads the same.
    visitor = factories.text(app.test_client().get(f"/threads/{world['her_thread']}"))
    assert OTHER_REPLY in visitor and "Ondine" not in visitor
    other = factories.text(app.test_client().get(f"/threads/{world['their_thread']}"))
    assert OTHER_ROOT in other and ONDINE_REPLY not in other and "Ondine" not in other


def test_erasure_takes_reactions_and_report_notes_and_keeps_reports_on_her(app, world):
    erase(app)
    with app.app_context():
        # Her reactions, and reactions to her posts.
        assert db.session.scalar(select(func.count()).select_from(Reaction)) == 0
        mine = db.session.scalars(select(Report).where(Report.post_id == world["their_root"])).one()
        assert (mine.reporter_id, mine.note, mine.reason) == (None, "", "judgment")
        on_her = db.session.scalars(
            select(Report).where(Report.post_id == world["her_reply"])
        ).one()
        assert (on_her.reporter_id, on_her.note) == (world["samarcande"], REPORT_ON_HER)


def test_erasure_drops_the_sentences_the_check_quoted(app, world):
    with app.app_context():
        quoted = db.session.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.post_id.in_(world["her_posts"]), Assessment.sentences.is_not(None))
        )
        assert quoted >= len(world["her_posts"])
    erase(app)
    with app.app_context():
        rows = db.session.scalars(
            select(Assessment).where(Assessment.post_id.in_(world["her_posts"]))
        ).all()
        assert rows  # the scores stay with the empty place
        assert all(row.sentences is None for row in rows)
        raw = json.dumps([row.sentences for row in db.session.scalars(select(Assessment))])
        assert "phrase pesante" not in raw


def test_erasure_closes_the_open_review_items_on_her_posts(app, world):
    with app.app_context():
        items = db.session.scalars(
            select(ReviewItem).where(ReviewItem.post_id.in_(world["her_posts"]))
        ).all()
        open_items = {item.post_id: item.is_crisis for item in items if item.state == "open"}
        # Held, crisis, privacy and reported posts are waiting for the moderators.
        assert open_items.get(world["crisis"]) is True
        assert world["held"] in open_items
        assert world["her_reply"] in open_items
    erase(app)
    with app.app_context():
        items = db.session.scalars(
            select(ReviewItem).where(ReviewItem.post_id.in_(world["her_posts"]))
        ).all()
        assert items
        for item in items:
            assert item.state == "closed", (item.post_id, item.reasons)
            assert item.open_post_id is None
        # Samarcande's reported post still waits.
        theirs = db.session.scalars(
            select(ReviewItem).where(ReviewItem.post_id == world["their_root"])
        ).one()
        assert theirs.state == "open"


def test_erasure_closes_her_open_appeal_and_drops_its_note(app, world):
    with app.app_context():
        decision = Decision(
            board_id=db.session.scalar(select(Board.id).where(Board.slug == "entraide")),
            post_id=world["her_reply"],
            subject_id=world["ondine"],
            action="removed",
            reason="attack",
            appealable=True,
        )
        db.session.add(decision)
        db.session.commit()
        item = decisions.appeal(decision, db.session.get_one(User, world["ondine"]), "Mon appel.")
        item_id = item.id
    erase(app)
    with app.app_context():
        item = db.session.get_one(ReviewItem, item_id)
        assert item.appeal_note is None
        assert item.state == "closed", "an appeal by an erased member still waits for moderators"


def test_erasure_removes_blocks_both_ways(app, world):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Block)) == 2
    erase(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Block)) == 0
    # Xandrine's account page no longer lists anyone.
    page = signed_in_as(app, "Xandrine").get("/me").get_data(as_text=True)
    assert "blocked-list" not in page


def test_a_moderator_can_be_erased_and_their_votes_go(app, world):
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == "entraide"))
        board.quorum = 2
        db.session.commit()
        item = db.session.scalars(
            select(ReviewItem).where(ReviewItem.open_post_id == world["from_quillon"])
        ).one_or_none()
        if item is None:
            reports.report(
                db.session.get_one(Post, world["from_quillon"]),
                board,
                db.session.get_one(User, world["samarcande"]),
                "spam",
                rate_limits=False,
            )
            item = db.session.scalars(
                select(ReviewItem).where(ReviewItem.open_post_id == world["from_quillon"])
            ).one()
        zephyrin = member("Zephyrin")
        result = decisions.decide(item, zephyrin, "remove", reason="spam")
        assert not result.applied  # one voice of two
        assert queue_claim(item.id, zephyrin.id)
        zephyrin_id, item_id = zephyrin.id, item.id
        assert (
            db.session.scalar(
                select(func.count()).select_from(Vote).where(Vote.moderator_id == zephyrin_id)
            )
            == 1
        )
    erase(app, "Zephyrin")
    with app.app_context():
        assert db.session.get(User, zephyrin_id) is None
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 0
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(board_moderators)
                .where(board_moderators.c.user_id == zephyrin_id)
            )
            == 0
        )
        item = db.session.get_one(ReviewItem, item_id)
        assert item.state == "open" and item.claimed_by_id is None
        # Ondine's data is untouched by someone else's erasure.
        assert db.session.get_one(Post, world["her_root"]).body == ONDINE_ROOT


def queue_claim(item_id: int, moderator_id: int) -> bool:
    item = db.session.get_one(ReviewItem, item_id)
    return queue.claim(item, db.session.get_one(User, moderator_id))


def test_a_member_with_many_posts_is_erased_in_full(app):
    """More posts than one batch of the erasure (500), made straight in the database."""
    total = 650
    with app.app_context():
        board = factories.board("entraide")
        prolific, other = factories.user("Prolifique"), factories.user("Lecteur")
        threads = [
            factories.thread(board, prolific, f"Sujet {n}", f"Ouverture {n}.") for n in range(3)
        ]
        theirs = factories.thread(board, other, "Le sujet du lecteur", "Bonjour.")
        roots = {t.id: factories.root_post(t) for t in [*threads, theirs]}
        now = utcnow()
        rows = []
        for n in range(total):
            thread = [*threads, theirs][n % 4]
            root = roots[thread.id]
            rows.append(
                {
                    "thread_id": thread.id,
                    "author_id": prolific.id,
                    "parent_id": root.id,
                    "depth": 1,
                    "path": root.path + segment(10**9 + n),
                    "body": f"Message en masse numéro {n}.",
                    "html": f"<p>Message en masse numéro {n}.</p>",
                    "status": PostStatus.PUBLISHED,
                    "created_at": now - timedelta(minutes=n),
                    "revision": 1,
                }
            )
        db.session.execute(insert(Post), rows)
        for thread in [*threads, theirs]:
            thread.reply_count = published_replies(thread.id)
        answer = factories.reply(theirs, other, "La réponse du lecteur.")
        db.session.commit()
        theirs_id, answer_id = theirs.id, answer.id
        written = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.author_id == prolific.id)
        )
        assert written == total + 3
        prolific_id = prolific.id
    erase(app, "Prolifique")
    with app.app_context():
        assert db.session.get(User, prolific_id) is None
        left = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(or_(Post.body.like("Message en masse%"), Post.body.like("Ouverture%")))
        )
        assert left == 0
        erased = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.author_id.is_(None), Post.deleted_at.is_not(None), Post.body == "")
        )
        assert erased == total + 3
        assert db.session.get_one(Post, answer_id).body == "La réponse du lecteur."
        assert db.session.get_one(Thread, theirs_id).reply_count == 1
        assert_reply_counts_consistent()


# --- CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_erasure_needs_the_form_token(app, world):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def token(url: str) -> str:
        page = client.get(url).get_data(as_text=True)
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        assert len(tokens) == 1
        return tokens.pop()

    response = client.post(
        "/login",
        data={"pseudonym": "Ondine", "password": factories.PASSWORD, "csrf_token": token("/login")},
    )
    assert response.status_code == 302
    before = factories.database(app)
    response = client.post("/me/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 400
    assert "This form has expired or was not sent from this site" in factories.text(response)
    response = client.post(
        "/me/delete", data={"password": factories.PASSWORD, "csrf_token": "forged" + "A" * 40}
    )
    assert response.status_code == 400
    assert factories.database(app) == before
    assert client.get("/me").status_code == 200
    # With the page's own token, it works.
    response = client.post(
        "/me/delete", data={"password": factories.PASSWORD, "csrf_token": token("/me")}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, world["ondine"]) is None
