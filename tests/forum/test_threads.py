import re

import pytest
from sqlalchemy import func, select

from forum.boards import queries
from models import Post, Reaction, Thread, db, tree
from tests import factories


@pytest.fixture
def world(app):
    """A board, two members, and a thread by the first one."""
    with app.app_context():
        board = factories.board("deuil", name="Deuil")
        lou = factories.user("Lou")
        factories.user("Sam")
        thread = factories.thread(
            board, lou, "Ses habits dans l'armoire", "Je n'arrive pas à trier."
        )
        return {"board": board.slug, "thread": thread.id, "lou": "Lou", "sam": "Sam"}


def post_ids_in_order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article id="post-(\d+)"', html)]


def test_newcomer_reads_a_public_board_and_thread_without_an_account(client, world):
    board = client.get(f"/boards/{world['board']}")
    assert board.status_code == 200
    assert "Ses habits dans l'armoire" in factories.text(board)
    page = client.get(f"/threads/{world['thread']}")
    assert page.status_code == 200
    assert "Je n'arrive pas à trier." in factories.text(page)
    assert 'action="/threads/' not in page.get_data(as_text=True)  # no reply form for visitors


def test_start_a_thread_redirects_to_it(client, app, world):
    factories.login(client, "Sam")
    response = client.post(
        f"/boards/{world['board']}/new",
        data={"title": "Premier Noël sans maman", "body": "Je redoute le **24**."},
    )
    assert response.status_code == 302
    assert re.fullmatch(r"/threads/\d+", response.headers["Location"])
    page = client.get(response.headers["Location"])
    assert "<strong>24</strong>" in page.get_data(as_text=True)


def test_replies_form_a_tree(client, app, world):
    factories.login(client, "Sam")
    tid = world["thread"]
    first = client.post(f"/threads/{tid}/reply", data={"body": "Réponse au sujet"})
    first_id = int(first.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/threads/{tid}/reply", data={"body": "Autre réponse au sujet"})
    nested = client.post(
        f"/threads/{tid}/reply", data={"body": "Réponse à la réponse", "parent_id": str(first_id)}
    )
    nested_id = int(nested.headers["Location"].rsplit("/", 1)[1])
    html = client.get(f"/threads/{tid}").get_data(as_text=True)
    order = post_ids_in_order(html)
    # depth-first: the nested reply comes right after the post it answers
    assert order.index(nested_id) == order.index(first_id) + 1
    assert f'id="post-{nested_id}" class="post depth-2"' in html
    with app.app_context():
        assert db.session.get(Thread, tid).reply_count == 3


def test_deep_replies_are_flattened_with_an_in_reply_to_link(client, app, world):
    with app.app_context():
        thread = db.session.get(Thread, world["thread"])
        sam = db.session.scalar(select(factories.User).where(factories.User.pseudonym == "Sam"))
        parent = factories.root_post(thread)
        chain = []
        for i in range(tree.MAX_DEPTH + 3):
            parent = factories.reply(thread, sam, f"niveau {i + 1}", parent)
            chain.append(parent.id)
    html = client.get(f"/threads/{world['thread']}").get_data(as_text=True)
    assert post_ids_in_order(html)[1:] == chain
    deepest = chain[-1]
    assert f'id="post-{deepest}" class="post depth-{tree.MAX_DEPTH}"' in html
    article = html[html.index(f'id="post-{deepest}"') :]
    article = article[: article.index("</article>")]
    assert "en réponse à Sam" in factories.text_of(article)
    assert f'href="/posts/{chain[-2]}"' in article


def test_permalink_leads_to_the_right_page(client, app, world):
    with app.app_context():
        thread = db.session.get(Thread, world["thread"])
        sam = db.session.scalar(select(factories.User).where(factories.User.pseudonym == "Sam"))
        last = None
        for i in range(queries.POSTS_PER_PAGE + 5):
            last = factories.reply(thread, sam, f"message {i}")
        last_id = last.id
    response = client.get(f"/posts/{last_id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/threads/{world['thread']}?page=2#post-{last_id}"
    page2 = client.get(f"/threads/{world['thread']}?page=2").get_data(as_text=True)
    assert f'id="post-{last_id}"' in page2
    assert client.get(f"/threads/{world['thread']}?page=3").status_code == 404


def test_thread_page_query_count_does_not_grow_with_the_thread(app, client, count_queries):
    """A page of a 2,000-reply thread costs as many queries as a page of a small one."""
    with app.app_context():
        board = factories.board("grand")
        authors = [factories.user(f"Auteur{i}") for i in range(5)]
        small = factories.thread(board, authors[0], "Petit")
        factories.reply(small, authors[1], "une réponse")
        big = factories.thread(board, authors[0], "Grand")
        root = factories.root_post(big)
        # Built through the real service: replies, replies to replies, deep chains.
        parents = [root]
        for i in range(2000):
            parent = parents[(i * 7) % len(parents)]
            post = factories.reply(big, authors[i % 5], f"réponse {i}", parent)
            parents.append(post)
            db.session.add(
                Reaction(post_id=post.id, user_id=authors[(i + 1) % 5].id, kind="thanks")
            )
        db.session.commit()
        small_id, big_id = small.id, big.id
        assert db.session.get(Thread, big_id).reply_count == 2000
    factories.login(client, "Auteur1")

    def queries_for(url: str) -> int:
        """Reads only: a first visit also writes the member's read marks (once)."""
        before = count_queries.count
        assert client.get(url).status_code == 200
        return sum(
            not s.lstrip().upper().startswith("UPDATE") for s in count_queries.statements[before:]
        )

    baseline = queries_for(f"/threads/{small_id}")
    assert queries_for(f"/threads/{big_id}") == baseline
    last_page = -(-2001 // queries.POSTS_PER_PAGE)
    assert queries_for(f"/threads/{big_id}?page={last_page}") == baseline
    # Session and member, thread, count, page, reactions, own reactions, unread notices.
    assert baseline <= 9


def test_board_lists_pinned_first_then_by_last_activity(client, app, world):
    with app.app_context():
        board = db.session.scalar(select(factories.Board))
        sam = db.session.scalar(select(factories.User).where(factories.User.pseudonym == "Sam"))
        old = factories.thread(board, sam, "Ancien sujet")
        factories.thread(board, sam, "Sujet récent")
        factories.reply(old, sam, "je relance")  # the old thread becomes the most active
        pinned = factories.thread(board, sam, "Épinglé")
        pinned.is_pinned = True
        db.session.commit()
    page = factories.text(client.get(f"/boards/{world['board']}"))
    positions = [page.index(t) for t in ("Épinglé", "Ancien sujet", "Sujet récent", "Ses habits")]
    assert positions == sorted(positions)
    assert "1 réponse" in page


def test_board_pagination(client, app, world):
    with app.app_context():
        board = db.session.scalar(select(factories.Board))
        sam = db.session.scalar(select(factories.User).where(factories.User.pseudonym == "Sam"))
        for i in range(queries.THREADS_PER_PAGE + 3):
            factories.thread(board, sam, f"Sujet numéro {i}")
    first = factories.text(client.get(f"/boards/{world['board']}"))
    second = factories.text(client.get(f"/boards/{world['board']}?page=2"))
    assert "Sujet numéro 27" in first and "Sujet numéro 27" not in second
    assert "Ses habits dans l'armoire" in second
    assert client.get(f"/boards/{world['board']}?page=9").status_code == 404


def test_author_edits_and_the_edit_form_shows_the_source(client, app, world):
    factories.login(client, "Lou")
    with app.app_context():
        post_id = factories.root_post(db.session.get(Thread, world["thread"])).id
    form = factories.text(client.get(f"/posts/{post_id}/edit"))
    assert "Je n'arrive pas à trier." in form
    response = client.post(
        f"/posts/{post_id}/edit",
        data={"title": "Nouveau titre", "body": "Finalement *j'ai commencé*."},
    )
    assert response.status_code == 302
    page = client.get(f"/threads/{world['thread']}").get_data(as_text=True)
    assert "<em>j&#39;ai commencé</em>" in page or "<em>j'ai commencé</em>" in page
    assert "Nouveau titre" in page and "modifié" in page


def test_delete_keeps_the_place_in_the_tree(client, app, world):
    factories.login(client, "Sam")
    tid = world["thread"]
    first = client.post(f"/threads/{tid}/reply", data={"body": "Un message que je regrette"})
    first_id = int(first.headers["Location"].rsplit("/", 1)[1])
    client.post("/logout")
    factories.login(client, "Lou")
    child = client.post(
        f"/threads/{tid}/reply", data={"body": "Ma réponse", "parent_id": str(first_id)}
    )
    child_id = int(child.headers["Location"].rsplit("/", 1)[1])
    client.post("/logout")
    factories.login(client, "Sam")
    assert client.post(f"/posts/{first_id}/delete").status_code == 302
    html = client.get(f"/threads/{tid}").get_data(as_text=True)
    assert "Un message que je regrette" not in html
    assert "Message supprimé par son auteur." in html
    assert post_ids_in_order(html) == [post_ids_in_order(html)[0], first_id, child_id]
    with app.app_context():
        post = db.session.get(Post, first_id)
        assert post.body == "" and post.deleted_at is not None
        assert db.session.get(Thread, tid).reply_count == 1
    assert client.get(f"/posts/{first_id}/edit").status_code == 403


def test_reactions_toggle_and_count(client, app, world):
    with app.app_context():
        post_id = factories.root_post(db.session.get(Thread, world["thread"])).id
    factories.login(client, "Sam")
    for kind in ("thanks", "courage", "thanks"):  # thanks twice = undone
        assert client.post(f"/posts/{post_id}/react", data={"kind": kind}).status_code == 302
    with app.app_context():
        kinds = db.session.scalars(select(Reaction.kind)).all()
        assert [k.value for k in kinds] == ["courage"]
    html = client.get(f"/threads/{world['thread']}").get_data(as_text=True)
    assert re.search(
        r'value="courage" aria-pressed="true">Courage <span class="count">1</span>', html
    )
    assert 'value="thanks" aria-pressed="false">Merci</button>' in html
    assert client.post(f"/posts/{post_id}/react", data={"kind": "downvote"}).status_code == 400


def test_content_warning_folds_the_body(client, app, world):
    factories.login(client, "Sam")
    response = client.post(
        f"/boards/{world['board']}/new",
        data={"title": "Dur", "body": "Le récit", "content_warning": "évocation de suicide"},
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    summary = html.index("<summary>")
    assert "évocation de suicide" in html[summary : summary + 200]
    assert html.index("<details") < html.index("Le récit") < html.index("</details>")
    board = factories.text(client.get(f"/boards/{world['board']}"))
    assert "Avertissement\u00a0: évocation de suicide" in board


def test_members_only_board_shows_no_thread_to_visitors(client, app):
    with app.app_context():
        board = factories.board("lgbtq", name="Espace LGBTQ+", members_only=True)
        thread = factories.thread(board, factories.user("Noa"), "Mon coming out")
        tid = thread.id
    assert "Mon coming out" not in factories.text(client.get("/"))
    assert client.get("/boards/lgbtq").status_code == 403
    locked = client.get(f"/threads/{tid}")
    assert locked.status_code == 403 and "Mon coming out" not in factories.text(locked)
    factories.login(client, "Noa")
    assert "Espace LGBTQ+" in factories.text(client.get("/"))
    page = client.get("/boards/lgbtq")
    assert page.status_code == 200 and '<meta name="robots" content="noindex">' in page.get_data(
        as_text=True
    )


def test_reply_counts_only_what_visitors_can_see(app, world):
    with app.app_context():
        thread = db.session.get(Thread, world["thread"])
        sam = db.session.scalar(select(factories.User).where(factories.User.pseudonym == "Sam"))
        for _ in range(3):
            factories.reply(thread, sam)
        visible = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(
                Post.thread_id == thread.id, Post.parent_id.is_not(None), Post.deleted_at.is_(None)
            )
        )
        db.session.refresh(thread)
        assert thread.reply_count == visible == 3
