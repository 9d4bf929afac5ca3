"""Petites victoires: a member marks their own post; the board gathers the marked posts on
a gentle page, "Well done" first, with no count per person and nothing a reader may not see."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forum.accounts import blocks
from forum.boards import victories
from models import Post, PostStatus, Reaction, Thread, User, db
from tests import factories

EN = {"Accept-Language": "en"}


def browser(app, pseudonym: str | None = None) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    if pseudonym:
        factories.login(client, pseudonym)
    return client


def member(pseudonym: str) -> User:
    return db.session.scalars(select(User).where(User.pseudonym == pseudonym)).one()


def is_victory(app, post_id: int) -> bool:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.get_one(Post, post_id).is_victory


def set_post(app, post_id: int, **values) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.execute(update(Post).where(Post.id == post_id).values(**values))
        db.session.commit()


def listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The texts of the small victories on the page, in order."""
    assert response.status_code == 200, response.status_code
    page = factories.text(response)
    return re.findall(r'<div class="body">\s*<p>([^<]*)</p>', page)


def article(page: str, post_id: int) -> str:
    found = re.search(rf'<article id="post-{post_id}"[^>]*>.*?</article>', page, re.S)
    assert found, f"post {post_id} is not on the page"
    return found.group(0)


def token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token"
    return found.group(1)


def reaction_order(fragment: str) -> list[str]:
    return re.findall(r'name="kind" value="([a-z_]+)"', fragment)


@pytest.fixture
def scene(app):  # type: ignore[no-untyped-def]
    """Lou's thread on a public board, Sam's reply, and Noa who reads."""
    with app.app_context():
        board = factories.board("entraide", name="Entraide")
        lou, sam = factories.user("Lou"), factories.user("Sam")
        factories.user("Noa")
        started = factories.thread(board, lou, "Le sujet de Lou", "J'ai dormi six heures.")
        answer = factories.reply(started, sam, "Je suis sorti marcher.")
        return {
            "board": board.slug,
            "thread": started.id,
            "root": factories.root_post(started).id,
            "answer": answer.id,
        }


# --- marking -------------------------------------------------------------------------------


def test_the_author_marks_and_unmarks_their_post(app, scene):
    lou, root = browser(app, "Lou"), scene["root"]
    response = lou.post(f"/posts/{root}/victory", data={"on": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/posts/{root}")
    assert is_victory(app, root)
    assert lou.post(f"/posts/{root}/victory", data={"on": "1"}).status_code == 302
    assert is_victory(app, root)  # idempotent
    assert lou.post(f"/posts/{root}/victory", data={"on": "0"}).status_code == 302
    assert not is_victory(app, root)
    assert lou.post(f"/posts/{root}/victory", data={"on": "0"}).status_code == 302
    assert not is_victory(app, root)
    lou.post(f"/posts/{root}/victory", headers=EN)  # without `on`: a toggle
    assert is_victory(app, root)
    page = factories.text(lou.get(f"/posts/{root}", headers=EN, follow_redirects=True))
    assert "Marked as a small victory." in page
    assert '<span class="victory-mark">Small victory</span>' in article(page, root)
    lou.post(f"/posts/{root}/victory")
    assert not is_victory(app, root)


def test_only_the_author_can_mark_a_post(app, scene):
    root = scene["root"]
    assert browser(app, "Sam").post(f"/posts/{root}/victory", data={"on": "1"}).status_code == 403
    visitor = browser(app).post(f"/posts/{root}/victory", data={"on": "1"})
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    assert browser(app, "Lou").post("/posts/999999/victory").status_code == 404
    assert not is_victory(app, root)


@pytest.mark.parametrize("value", ["2", "yes", "1" * 5000, "\x00"])
def test_a_malformed_choice_is_a_400_and_changes_nothing(app, scene, value):
    response = browser(app, "Lou").post(f"/posts/{scene['root']}/victory", data={"on": value})
    assert response.status_code == 400
    assert not is_victory(app, scene["root"])


def test_a_deleted_or_removed_post_takes_no_mark(app, scene):
    lou = browser(app, "Lou")
    assert lou.post(f"/posts/{scene['root']}/delete").status_code == 302
    response = lou.post(f"/posts/{scene['root']}/victory", data={"on": "1"}, headers=EN)
    assert response.status_code == 302
    assert not is_victory(app, scene["root"])
    page = factories.text(lou.get(response.headers["Location"], headers=EN, follow_redirects=True))
    assert "This message can no longer be marked." in page
    set_post(app, scene["answer"], status=PostStatus.REMOVED)
    sam = browser(app, "Sam")
    assert sam.post(f"/posts/{scene['answer']}/victory", data={"on": "1"}).status_code == 302
    assert not is_victory(app, scene["answer"])


def test_the_toggle_is_offered_to_the_author_only_and_no_mark_on_distress(app, scene):
    set_post(app, scene["answer"], is_victory=True)
    lou_page = factories.text(browser(app, "Lou").get(f"/threads/{scene['thread']}", headers=EN))
    assert "Mark as a small victory" in article(lou_page, scene["root"])
    assert f"/posts/{scene['answer']}/victory" not in lou_page
    assert "Small victory" in article(lou_page, scene["answer"])
    sam_page = factories.text(browser(app, "Sam").get(f"/threads/{scene['thread']}", headers=EN))
    assert "Remove the small victory mark" in article(sam_page, scene["answer"])
    # A post the crisis rule recognised is never celebrated: no mark, no toggle.
    set_post(app, scene["answer"], in_crisis=True)
    for client in (browser(app), browser(app, "Sam")):
        page = factories.text(client.get(f"/threads/{scene['thread']}", headers=EN))
        assert "victory" not in article(page, scene["answer"]).lower()


# --- the checkbox when writing -------------------------------------------------------------


def test_the_checkbox_on_reply_new_thread_and_edit(app, scene):
    sam = browser(app, "Sam")
    thread_page = factories.text(sam.get(f"/threads/{scene['thread']}", headers=EN))
    assert 'name="victory"' in thread_page and "This is a small victory" in thread_page
    response = sam.post(
        f"/threads/{scene['thread']}/reply", data={"body": "J'ai appelé ma sœur.", "victory": "y"}
    )
    assert response.status_code == 302
    plain = sam.post(f"/threads/{scene['thread']}/reply", data={"body": "Et j'ai dormi."})
    assert plain.status_code == 302
    with app.app_context():
        marks = dict(
            db.session.execute(
                select(Post.body, Post.is_victory).where(Post.author_id == member("Sam").id)
            ).all()
        )
    assert marks["J'ai appelé ma sœur."] is True
    assert marks["Et j'ai dormi."] is False

    created = sam.post(
        f"/boards/{scene['board']}/new",
        data={"title": "Un pas", "body": "Je suis allé à la réunion.", "victory": "y"},
    )
    assert created.status_code == 302
    with app.app_context():
        new_root = db.session.scalars(
            select(Post).where(Post.body == "Je suis allé à la réunion.")
        ).one()
        assert new_root.is_victory and new_root.parent_id is None
        new_id = new_root.id

    edit_page = factories.text(sam.get(f"/posts/{new_id}/edit"))
    assert re.search(r'<input checked id="victory" name="victory" type="checkbox"', edit_page)
    # Saving the edit without the box takes the mark back; the text changes too.
    edited = sam.post(f"/posts/{new_id}/edit", data={"title": "Un pas", "body": "J'y suis allé."})
    assert edited.status_code == 302
    assert not is_victory(app, new_id)
    assert 'name="victory" type="checkbox"' in factories.text(sam.get(f"/posts/{new_id}/edit"))


def test_a_refused_reply_keeps_the_box_ticked_and_stores_nothing(app, scene):
    response = browser(app, "Sam").post(
        f"/threads/{scene['thread']}/reply", data={"body": "", "victory": "y"}
    )
    assert response.status_code == 400
    assert re.search(r'<input checked id="victory" name="victory"', factories.text(response))
    with app.app_context():
        assert db.session.scalar(select(Post).where(Post.is_victory.is_(True))) is None


# --- the board's page ----------------------------------------------------------------------


@pytest.fixture
def gathered(app):  # type: ignore[no-untyped-def]
    """Victories in every state a reader must or must not see, on two boards."""
    with app.app_context():
        board = factories.board("entraide", name="Entraide")
        other = factories.board("ailleurs", name="Ailleurs")
        lou, sam, quillon = factories.user("Lou"), factories.user("Sam"), factories.user("Quillon")
        factories.user("Noa")
        started = factories.thread(board, lou, "Nos petits pas", "Premier pas.")
        states = {
            "shown_old": factories.reply(started, sam, "Victoire ancienne"),
            "shown_new": factories.reply(started, lou, "Victoire récente"),
            "not_marked": factories.reply(started, sam, "Pas une victoire"),
            "pending": factories.reply(started, sam, "Victoire en attente"),
            "draft": factories.reply(started, sam, "Victoire en brouillon"),
            "hidden": factories.reply(started, sam, "Victoire masquée"),
            "removed": factories.reply(started, sam, "Victoire retirée"),
            "deleted": factories.reply(started, sam, "Victoire supprimée"),
            "crisis": factories.reply(started, sam, "Victoire en détresse"),
            "blocked": factories.reply(started, quillon, "Victoire de Quillon"),
        }
        elsewhere = factories.thread(other, sam, "Ailleurs", "Victoire d'ailleurs")
        hidden_thread = factories.thread(board, sam, "Fil masqué", "Victoire d'un fil masqué")
        ids = {name: post.id for name, post in states.items()}
        ids["elsewhere"] = factories.root_post(elsewhere).id
        ids["hidden_thread"] = factories.root_post(hidden_thread).id
        ids["hidden_thread_reply"] = factories.reply(hidden_thread, lou, "Réponse du fil masqué").id
        hidden_thread_id = hidden_thread.id
        marked = [i for name, i in ids.items() if name != "not_marked"]
        db.session.execute(update(Post).where(Post.id.in_(marked)).values(is_victory=True))
        for name, status in [
            ("pending", PostStatus.PENDING),
            ("draft", PostStatus.DRAFT),
            ("hidden", PostStatus.HIDDEN),
            ("removed", PostStatus.REMOVED),
            ("hidden_thread", PostStatus.HIDDEN),
        ]:
            db.session.execute(update(Post).where(Post.id == ids[name]).values(status=status))
        db.session.execute(
            update(Thread).where(Thread.id == hidden_thread_id).values(status=PostStatus.HIDDEN)
        )
        db.session.execute(update(Post).where(Post.id == ids["crisis"]).values(in_crisis=True))
        db.session.commit()
        ids["thread"] = started.id
    browser(app, "Sam").post(f"/posts/{ids['deleted']}/delete")
    return ids


def test_the_page_lists_only_what_the_reader_may_see(app, gathered):
    for client in (browser(app), browser(app, "Sam"), browser(app, "Noa")):
        assert listed(client.get("/boards/entraide/victories", headers=EN)) == [
            "Victoire de Quillon",
            "Victoire récente",
            "Victoire ancienne",
        ]
    # Lou blocked Quillon: Quillon's victory is left out for Lou alone.
    with app.app_context():
        blocks.block(member("Lou"), member("Quillon").id)
    lou = browser(app, "Lou")
    shown = listed(lou.get("/boards/entraide/victories"))
    assert shown == ["Victoire récente", "Victoire ancienne"]
    assert listed(browser(app, "Noa").get("/boards/entraide/victories"))[0] == "Victoire de Quillon"
    assert listed(browser(app).get("/boards/ailleurs/victories")) == ["Victoire d'ailleurs"]


def test_moderators_see_no_more_than_members_here(app, gathered):
    with app.app_context():
        factories.user("Mo")
        factories.moderator("entraide", "Mo")
    page = browser(app, "Mo").get("/boards/entraide/victories")
    assert len(listed(page)) == 3


def test_each_victory_shows_its_author_date_and_a_link_to_it(app, gathered):
    page = factories.text(browser(app, "Noa").get("/boards/entraide/victories", headers=EN))
    entry = article(page, gathered["shown_new"])
    assert '<span class="pseudonym" dir="auto">Lou</span>' in entry
    assert "<time datetime=" in entry
    assert f'href="/posts/{gathered["shown_new"]}"' in entry
    assert "Read it in “Nos petits pas”" in entry


def test_well_done_comes_first_here_and_nowhere_else(app, gathered):
    noa = browser(app, "Noa")
    page = factories.text(noa.get("/boards/entraide/victories", headers=EN))
    assert reaction_order(article(page, gathered["shown_new"])) == [
        "bravo",
        "thanks",
        "me_too",
        "courage",
    ]
    thread = factories.text(noa.get(f"/threads/{gathered['thread']}", headers=EN))
    assert reaction_order(article(thread, gathered["shown_new"])) == [
        "thanks",
        "me_too",
        "courage",
        "bravo",
    ]


def test_per_post_counts_only_and_reacting_comes_back_here(app, gathered):
    noa = browser(app, "Noa")
    response = noa.post(
        f"/posts/{gathered['shown_old']}/react",
        data={"kind": "bravo", "next": f"/boards/entraide/victories#post-{gathered['shown_old']}"},
        headers=EN,
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/boards/entraide/victories#post-{gathered['shown_old']}"
    )
    page = factories.text(noa.get("/boards/entraide/victories", headers=EN))
    entry = article(page, gathered["shown_old"])
    pressed = r'value="bravo" aria-pressed="true">Well done <span class="count">1</span>'
    assert re.search(pressed, entry)
    assert 'name="next" value="/boards/entraide/victories#post-' in entry
    assert "Your “Well done” is added." in page  # beside the post it concerns
    # A visitor sees the count, and no button.
    visitor = factories.text(browser(app).get("/boards/entraide/victories", headers=EN))
    assert '<li class="reaction">Well done <span class="count">1</span></li>' in visitor


def test_an_outside_next_after_reacting_goes_to_the_post(app, gathered):
    response = browser(app, "Noa").post(
        f"/posts/{gathered['shown_old']}/react",
        data={"kind": "thanks", "next": "https://example.org/"},
    )
    assert response.headers["Location"].endswith(f"/posts/{gathered['shown_old']}")


def test_members_only_board_is_locked_for_visitors(app):
    with app.app_context():
        board = factories.board("cercle", members_only=True)
        lou = factories.user("Lou")
        started = factories.thread(board, lou, "Du cercle", "Victoire du cercle")
        root_id = factories.root_post(started).id
    set_post(app, root_id, is_victory=True)
    locked = browser(app).get("/boards/cercle/victories", headers=EN)
    assert locked.status_code == 403
    assert "Victoire du cercle" not in factories.text(locked)
    assert listed(browser(app, "Lou").get("/boards/cercle/victories")) == ["Victoire du cercle"]
    assert browser(app).get("/boards/nowhere/victories").status_code == 404


def test_empty_page_is_warm_and_the_board_links_to_it(app):
    with app.app_context():
        factories.board("entraide")
    client = browser(app)
    response = client.get("/boards/entraide/victories", headers=EN)
    assert listed(response) == []
    assert "No small victory shared here yet." in factories.text(response)
    board_page = factories.text(client.get("/boards/entraide", headers=EN))
    assert '<a href="/boards/entraide/victories">Small victories</a>' in board_page
    french = factories.text(client.get("/boards/entraide", headers={"Accept-Language": "fr"}))
    assert "/boards/entraide/victories" in french


def _many_victories(app, count: int, reactions: bool = False) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        board = factories.board("entraide")
        lou, sam = factories.user("Lou"), factories.user("Sam")
        started = factories.thread(board, lou, "Nos pas", "Le début.")
        for n in range(count):
            post = factories.reply(started, sam if n % 2 else lou, f"Pas numéro {n:02d}")
            post.is_victory = True
            if reactions:
                db.session.add(Reaction(post_id=post.id, user_id=lou.id, kind="bravo"))
                db.session.add(Reaction(post_id=post.id, user_id=sam.id, kind="thanks"))
        db.session.commit()


def test_pages_of_twenty_five_and_bad_page_numbers(app):
    _many_victories(app, victories.VICTORIES_PER_PAGE + 1)
    client = browser(app)
    first = listed(client.get("/boards/entraide/victories"))
    assert len(first) == 25 and first[0] == "Pas numéro 25"
    assert listed(client.get("/boards/entraide/victories?page=2")) == ["Pas numéro 00"]
    for bad in ["3", "0", "-1", "abc", "1" * 20, "2.5", ""]:
        assert client.get(f"/boards/entraide/victories?page={bad}").status_code == 404, bad


def test_export_carries_the_mark(app, scene):
    set_post(app, scene["root"], is_victory=True)
    lou = browser(app, "Lou")
    response = lou.get("/me/export")
    assert response.status_code == 200
    posts = {p["id"]: p for p in response.get_json()["posts"]}
    assert posts[scene["root"]]["is_victory"] is True
    sam_posts = browser(app, "Sam").get("/me/export").get_json()["posts"]
    assert [p["is_victory"] for p in sam_posts] == [False]


def test_query_count_does_not_grow_with_the_number_of_victories(app, count_queries):
    _many_victories(app, 3, reactions=True)
    client = browser(app, "Sam")

    def queries_for(url: str) -> int:
        before = count_queries.count
        assert client.get(url).status_code == 200
        return count_queries.count - before

    small = queries_for("/boards/entraide/victories")
    _many_victories_more(app, 40)
    assert queries_for("/boards/entraide/victories") == small
    assert queries_for("/boards/entraide/victories?page=2") == small


def _many_victories_more(app, count: int) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        lou, sam = member("Lou"), member("Sam")
        started = db.session.scalars(select(Thread)).first()
        for n in range(count):
            post = factories.reply(started, lou, f"Encore un pas {n}")
            post.is_victory = True
            db.session.add(Reaction(post_id=post.id, user_id=sam.id, kind="courage"))
        db.session.commit()


def test_sqlite_serves_the_page_from_the_victories_index(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
        board = factories.board("entraide")
        statement = (
            select(Post.id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(victories._shown(board, None))
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(25)
        )
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = " ".join(
            str(row[-1]) for row in db.session.execute(db.text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
        assert "ix_posts_victories" in plan, plan


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_marking_needs_the_pages_token(app, scene):
    lou = app.test_client()
    token = token_of(lou.get("/login").get_data(as_text=True))
    fields = {"pseudonym": "Lou", "password": factories.PASSWORD, "csrf_token": token}
    assert lou.post("/login", data=fields).status_code == 302
    refused = lou.post(f"/posts/{scene['root']}/victory", data={"on": "1"})
    assert refused.status_code == 400
    assert not is_victory(app, scene["root"])
    thread = lou.get(f"/threads/{scene['thread']}").get_data(as_text=True)
    form = re.search(rf'action="/posts/{scene["root"]}/victory".*?</form>', thread, re.S)
    assert form, "the toggle is on the thread page"
    token = token_of(form.group(0))
    done = lou.post(f"/posts/{scene['root']}/victory", data={"on": "1", "csrf_token": token})
    assert done.status_code == 302
    assert is_victory(app, scene["root"])
