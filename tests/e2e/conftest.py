"""Shared by the end-to-end tests: Debian's Chromium, driven by Playwright."""

from __future__ import annotations

import shutil
import threading

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from forum.accounts.services import register
from tests.conftest import IN_CI, make_app

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
def page():
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is missing: `make test` installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR", viewport={"width": 414, "height": 900})
        page = context.new_page()
        page.other = browser.new_context(locale="fr-FR").new_page()  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()


@pytest.fixture
def live_server(tmp_path):
    # As in production: CSRF on (make_app turns it off for the other tests), the real model.
    app = make_app(
        f"sqlite:///{tmp_path / 'e2e.db'}",
        TESTING=False,
        WTF_CSRF_ENABLED=True,
        MODERATION_MODEL="bundled",
    )
    with app.app_context():
        upgrade()
    cli = app.test_cli_runner()
    result = cli.invoke(args=["forum", "seed-demo"])
    assert result.exit_code == 0, result.output
    # A volunteer moderator; on this board a newcomer's first post waits for one.
    with app.app_context():
        register("Veilleuse", "une autre phrase de passe")
    for args in (
        ["forum", "grant-moderator", "Veilleuse", "--board", "deuil"],
        ["moderation", "settings", "deuil", "--new-member-holds", "1"],
    ):
        result = cli.invoke(args=args)
        assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
