"""A newcomer's first visit, in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import shutil
import threading

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from tests.conftest import IN_CI, make_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'e2e.db'}", TESTING=False)
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["forum", "seed-demo"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page():
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is missing: `make test` installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR", viewport={"width": 414, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def test_newcomer_reads_signs_up_starts_a_thread_and_replies_to_a_reply(live_server, page):
    # Reads a public board without an account.
    page.goto(live_server + "/")
    assert "Besoin d'aide maintenant" in page.inner_text("body")
    page.click("a.board-name:text-is('Deuil')")
    assert page.url.endswith("/boards/deuil")
    page.locator("ul.threads a.thread-title").first.click()
    assert page.locator("article.post").count() >= 2

    # Signs up under a pseudonym.
    page.click("header.site >> text=Rejoindre")
    page.fill("#pseudonym", "Luciole Tranquille")
    page.fill("#password", "une phrase de passe longue")
    page.fill("#password_confirm", "une phrase de passe longue")
    page.check("#accept_charter")
    page.click("button:has-text('Créer mon compte')")
    assert "Bienvenue, Luciole Tranquille" in page.inner_text("body")

    # Starts a thread.
    page.goto(live_server + "/boards/deuil")
    page.click("text=Lancer une discussion")
    page.fill("#title", "Première fois que j'écris ici")
    page.fill("#body", "Je lis depuis des semaines. Merci à vous **toutes et tous**.")
    page.click("button:has-text('Publier')")
    assert "/threads/" in page.url
    assert page.locator("article.post.depth-0 strong").inner_text() == "toutes et tous"

    # Replies to the thread, then to that reply.
    page.fill("#body", "Je me réponds : ça fait du bien d'écrire.")
    page.click("#reply button:has-text('Répondre')")
    first = page.locator("article.post.depth-1").first
    first.locator("a:has-text('Répondre')").click()
    page.fill("#body", "Et une réponse à ma réponse.")
    page.click("button:has-text('Répondre')")
    nested = page.locator("article.post.depth-2")
    assert nested.count() == 1
    assert "Et une réponse à ma réponse." in nested.inner_text()
    # The permalink anchor is the nested post.
    assert page.url.split("#")[1] == nested.get_attribute("id")
