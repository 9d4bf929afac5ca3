"""The privacy page, robots.txt, and boards that ask search engines to stay away."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import Board, db
from tests import factories

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}
NOINDEX = '<meta name="robots" content="noindex">'
SETTINGS = {
    "quorum": "2",
    "new_member_holds": "0",
    "fallback": "publish_and_queue",
    "report_threshold": "3",
}


def noindex_of(app, slug: str) -> bool:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalars(select(Board.noindex).where(Board.slug == slug)).one()


# --- privacy --------------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "lang"), [(FR, "fr"), (EN, "en"), ({}, "fr")])
def test_privacy_page_is_open_to_everyone(client, headers, lang):
    response = client.get("/privacy", headers=headers)
    assert response.status_code == 200
    page = factories.text(response)
    assert f'<html lang="{lang}">' in page
    assert "IP" in page
    assert "scrypt" in page
    assert "SHA-256" in page
    assert 'href="/me' not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_privacy_page_leads_members_to_their_data(app, client):
    with app.app_context():
        factories.user("Galet")
    factories.login(client, "Galet")
    page = client.get("/privacy").get_data(as_text=True)
    assert 'href="/me#my-data"' in page


def test_every_page_links_to_the_privacy_page(app, client):
    with app.app_context():
        board = factories.board("entraide", name="Entraide")
        member = factories.user("Galet")
        thread = factories.thread(board, member, "Un sujet", "Bonjour.")
        tid = thread.id
    visitor_pages = [
        "/",
        "/charter",
        "/help",
        "/privacy",
        "/login",
        "/register",
        "/recover",
        "/boards/entraide",
        f"/threads/{tid}",
        "/boards/entraide/log",
        "/no-such-page",
    ]
    for url in visitor_pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        footer = re.search(
            r'<footer class="site">.*?</footer>', response.get_data(as_text=True), re.S
        )
        assert footer and 'href="/privacy"' in footer.group(0), url
    factories.login(client, "Galet")
    for url in ("/me", "/me/recovery-codes", f"/threads/{tid}", "/boards/entraide/new"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'href="/privacy"' in response.get_data(as_text=True), url


# --- robots.txt -----------------------------------------------------------------------------


def test_robots_txt_keeps_crawlers_off_members_pages(app, client):
    with app.app_context():
        factories.board("entraide", name="Entraide")
        factories.board("cercle-secret", name="Cercle secret", members_only=True)
        factories.board("discret", name="Discret", noindex=True)
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    for path in ("/me", "/moderation", "/login", "/register", "/recover"):
        assert f"Disallow: {path}" in lines, path
    assert "Disallow: /" not in lines  # the public boards stay open
    text = "\n".join(lines)
    for name in ("cercle-secret", "Cercle secret", "discret", "Discret"):
        assert name not in text


# --- boards that ask not to be indexed ------------------------------------------------------


@pytest.fixture
def boards(app):  # type: ignore[no-untyped-def]
    """Two public boards with a thread each; Ada is a site admin."""
    with app.app_context():
        factories.user("Ada", is_admin=True)
        author = factories.user("Galet")
        threads = {}
        for slug in ("discret", "entraide"):
            board = factories.board(slug, name=slug.title())
            threads[slug] = factories.thread(board, author, f"Sujet de {slug}", "Bonjour.").id
        return threads


def pages_of(slug: str, thread_id: int) -> list[str]:
    return [f"/boards/{slug}", f"/threads/{thread_id}", f"/boards/{slug}/log"]


def robots_meta_on(client, urls: list[str]) -> list[bool]:  # type: ignore[no-untyped-def]
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found.append(NOINDEX in response.get_data(as_text=True))
    return found


def test_public_boards_are_indexable_by_default(app, client, boards):
    assert not noindex_of(app, "discret")
    assert robots_meta_on(client, pages_of("discret", boards["discret"])) == [False] * 3


def test_an_admin_sets_noindex_on_the_settings_page(app, client, boards):
    factories.login(client, "Ada")
    url = "/moderation/boards/discret/settings"
    page = client.get(url).get_data(as_text=True)
    assert 'name="noindex"' in page and 'type="checkbox"' in page
    assert not re.search(
        r'<input[^>]*checked[^>]*name="noindex"|<input[^>]*name="noindex"[^>]*checked', page
    )

    response = client.post(url, data={**SETTINGS, "noindex": "y"})
    assert response.status_code == 302, factories.text(response)[:2000]
    assert noindex_of(app, "discret")
    assert not noindex_of(app, "entraide")
    page = client.get(url).get_data(as_text=True)
    assert re.search(
        r'<input[^>]*checked[^>]*name="noindex"|<input[^>]*name="noindex"[^>]*checked', page
    )

    visitor = app.test_client()
    assert robots_meta_on(visitor, pages_of("discret", boards["discret"])) == [True] * 3
    assert robots_meta_on(visitor, pages_of("entraide", boards["entraide"])) == [False] * 3
    # Members see the same pages with the same request to search engines.
    assert robots_meta_on(client, pages_of("discret", boards["discret"])) == [True] * 3
    # The board stays open to visitors.
    assert "Sujet de discret" in factories.text(visitor.get("/boards/discret"))

    # An unticked box takes it back.
    response = client.post(url, data=SETTINGS)
    assert response.status_code == 302
    assert not noindex_of(app, "discret")
    assert robots_meta_on(visitor, pages_of("discret", boards["discret"])) == [False] * 3


def test_only_site_admins_change_noindex(app, client, boards):
    with app.app_context():
        factories.user("Mo")
        factories.moderator("discret", "Mo")
    factories.login(client, "Mo")
    response = client.post("/moderation/boards/discret/settings", data={**SETTINGS, "noindex": "y"})
    assert response.status_code == 403
    assert not noindex_of(app, "discret")


def test_cli_toggles_noindex(app, runner, boards):
    result = runner.invoke(args=["moderation", "settings", "discret"])
    assert result.exit_code == 0, result.output
    assert re.search(r"search engines:\s+yes", result.output)

    result = runner.invoke(args=["moderation", "settings", "discret", "--noindex"])
    assert result.exit_code == 0, result.output
    assert re.search(r"search engines:\s+no", result.output)
    assert noindex_of(app, "discret") and not noindex_of(app, "entraide")
    visitor = app.test_client()
    assert robots_meta_on(visitor, pages_of("discret", boards["discret"])) == [True] * 3

    # Other settings leave it as it is.
    result = runner.invoke(args=["moderation", "settings", "discret", "--quorum", "1"])
    assert result.exit_code == 0, result.output
    assert noindex_of(app, "discret")

    result = runner.invoke(args=["moderation", "settings", "discret", "--index"])
    assert result.exit_code == 0, result.output
    assert re.search(r"search engines:\s+yes", result.output)
    assert not noindex_of(app, "discret")
    assert robots_meta_on(visitor, pages_of("discret", boards["discret"])) == [False] * 3


def test_members_only_boards_never_get_indexed(app, runner):
    with app.app_context():
        factories.board("cercle", members_only=True)
        factories.user("Galet")
    result = runner.invoke(args=["moderation", "settings", "cercle", "--index"])
    assert result.exit_code == 0, result.output
    assert re.search(r"search engines:\s+no", result.output)
    client = app.test_client()
    factories.login(client, "Galet")
    assert NOINDEX in client.get("/boards/cercle").get_data(as_text=True)
