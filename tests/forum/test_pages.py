import re

import pytest
from sqlalchemy import func, select

from models import Board, Post, Thread, User, db
from tests import factories


def test_french_by_default(client):
    page = factories.text(client.get("/"))
    assert '<html lang="fr">' in page and "Besoin d'aide maintenant\u00a0?" in page


def test_browser_language_is_followed(client):
    page = factories.text(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}))
    assert '<html lang="en">' in page and "Need help now?" in page


def test_language_choice_is_remembered(client):
    response = client.post("/language", data={"lang": "en", "next": "/charter"})
    assert response.status_code == 302 and response.headers["Location"] == "/charter"
    assert "The Entrenous charter" in factories.text(client.get("/charter"))
    client.post("/language", data={"lang": "xx", "next": "/"})
    assert "The Entrenous charter" in factories.text(client.get("/charter"))


def test_members_keep_their_language_across_sessions(app):
    with app.app_context():
        factories.user("Galet")
    first = app.test_client()
    factories.login(first, "Galet")
    first.post("/language", data={"lang": "en", "next": "/"})
    second = app.test_client()
    factories.login(second, "Galet")
    assert "Sign out" in factories.text(second.get("/"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_english_and_french_pages_are_complete(client, app, lang):
    """No page shows a string of the other language's catalogue."""
    with app.app_context():
        board = factories.board("deuil", name="Deuil")
        member = factories.user("Galet")
        thread = factories.thread(board, member, "Titre", "Corps")
        factories.reply(thread, member, "Réponse")
        tid = thread.id
    client.post("/language", data={"lang": lang, "next": "/"})
    factories.login(client, "Galet")
    english_only = ["Need help now?", "Sign out", "Reply", "Edit", "Charter", "Thank you"]
    french_only = ["Besoin d'aide", "Se déconnecter", "Répondre", "Modifier", "Charte", "Merci"]
    unwanted = english_only if lang == "fr" else french_only
    for url in [
        "/",
        "/charter",
        "/help",
        "/boards/deuil",
        f"/threads/{tid}",
        "/me",
        "/boards/deuil/new",
    ]:
        page = factories.text(client.get(url))
        assert f'<html lang="{lang}">' in page
        for word in unwanted:
            assert f">{word}<" not in page, (url, word)


def test_charter_and_crisis_resources(client):
    charter = factories.text(client.get("/charter"))
    assert "Je parle en «\u00a0je\u00a0»." in charter
    help_page = factories.text(client.get("/help"))
    for number in (
        "3114",
        "09 72 39 40 50",
        "0800 32 123",
        "143",
        "1 866 APPELLE",
        "988",
        "112",
        "911",
    ):
        assert number in help_page
    assert 'href="/help"' in factories.text(client.get("/boards/none"))  # on every page, even a 404


def test_home_groups_boards_by_theme_with_recent_activity(client, app):
    with app.app_context():
        member = factories.user("Galet")
        deuil = factories.board("deuil", name="Deuil", theme="emotions")
        factories.board("alcool", name="Alcool", theme="addictions")
        factories.thread(deuil, member, "Le premier anniversaire")
    page = factories.text(client.get("/"))
    assert (
        page.index("Émotions et épreuves de la vie")
        < page.index("Deuil")
        < page.index("Addictions")
    )
    assert "Le premier anniversaire" in page


@pytest.mark.parametrize(
    ("method", "url", "status", "message"),
    [
        ("get", "/nowhere", 404, "Page introuvable"),
        ("get", "/threads/99999999999999", 404, "Page introuvable"),
        ("post", "/", 405, "Ce n'est pas possible ici"),
        ("get", "/me", 302, None),
    ],
)
def test_friendly_error_pages(client, method, url, status, message):
    response = getattr(client, method)(url)
    assert response.status_code == status
    if message:
        assert message in factories.text(response)


def test_too_large_request_is_413_with_a_friendly_page(client, app):
    with app.app_context():
        factories.user("Galet")
        factories.board("deuil")
    factories.login(client, "Galet")
    response = client.post(
        "/boards/deuil/new", data={"title": "x", "body": "x" * (10 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert "trop volumineux" in factories.text(response)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["moderation"]["runner"] == "in-process"
    assert body["moderation"]["awaiting_scores"] == 0


@pytest.mark.parametrize("app", [{"MODERATION_MODEL": "/nowhere/model"}], indirect=True)
def test_healthz_tells_operators_when_the_scorer_is_missing(client, app):
    """Posts go to the board's fallback; operators see it in /healthz."""
    with app.app_context():
        factories.conversation(factories.board("deuil"))
    moderation = client.get("/healthz").get_json()["moderation"]
    assert moderation["scorer"] == "unavailable"
    assert moderation["fallback_last_hour"] == 2


@pytest.mark.parametrize("app", [{"REDIS_URL": "redis://127.0.0.1:6379/9"}], indirect=True)
def test_healthz_checks_redis_when_it_is_set(client):
    body = client.get("/healthz").get_json()
    assert body["redis"] == "ok" and body["moderation"]["runner"] == "rq"


@pytest.mark.parametrize("app", [{"REDIS_URL": "redis://127.0.0.1:1/0"}], indirect=True)
def test_healthz_fails_when_redis_does_not_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["redis"] == "error"


def test_healthz_reports_a_dead_database(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path}/missing-dir/nope.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_seed_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["forum", "seed-demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        counts = [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Board, Thread, Post, User)
        ]
        assert counts[0] >= 8 and counts[1] >= 16 and counts[2] > counts[1]
        assert db.session.scalar(select(func.count()).select_from(Board).where(Board.members_only))
    second = runner.invoke(args=["forum", "seed-demo"])
    assert second.exit_code == 0 and "0 new boards, 0 new threads, 0 new posts" in second.output
    with app.app_context():
        again = [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Board, Thread, Post, User)
        ]
    assert again == counts


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--slug", "Bad Slug", "--name", "X", "--theme", "emotions"], "--slug"),
        (["--slug", "ok", "--name", " ", "--theme", "emotions"], "--name"),
        (["--slug", "ok", "--name", "X", "--theme", "émotions!"], "--theme"),
        (["--slug", "ok", "--name", "X"], "--theme"),
    ],
)
def test_create_board_refuses_bad_input(app, runner, args, error):
    result = runner.invoke(args=["forum", "create-board", *args])
    assert result.exit_code != 0 and error in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Board)) == 0


def test_create_board(app, runner, client):
    result = runner.invoke(
        args=[
            "forum",
            "create-board",
            "--slug",
            "jeu",
            "--name",
            "Jeu",
            "--theme",
            "addictions",
            "--members-only",
        ]
    )
    assert result.exit_code == 0, result.output
    assert client.get("/boards/jeu").status_code == 403  # members only: a locked door
    again = runner.invoke(
        args=["forum", "create-board", "--slug", "jeu", "--name", "J", "--theme", "x"]
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_pages_use_no_third_party_resource(client, app):
    with app.app_context():
        factories.board("deuil")
    for url in ["/", "/boards/deuil", "/register", "/login", "/charter"]:
        html = client.get(url).get_data(as_text=True)
        for src in re.findall(r'(?:src|href)="([^"]+)"', html):
            # tel: dials a crisis line on the phone itself: no request leaves the page.
            assert src.startswith(("/", "#", "tel:")), (url, src)
            if src.startswith("tel:"):
                assert re.fullmatch(r"tel:\+?[0-9]+", src), (url, src)
        assert "<script" not in html


def test_visitors_are_given_no_cookie(client, app):
    with app.app_context():
        board = factories.board("deuil")
        thread = factories.thread(board, factories.user("Galet"), "Sujet")
        tid = thread.id
    for url in ["/", "/boards/deuil", f"/threads/{tid}", "/charter", "/help", "/nowhere"]:
        response = client.get(url)
        assert "Set-Cookie" not in response.headers, url
    choice = client.get("/language", query_string={"lang": "en", "next": "/help"})
    assert choice.status_code == 302 and choice.headers["Location"] == "/help"
    assert "session=" in choice.headers["Set-Cookie"]
