"""A moderator sets their group's meetings through the real form, on a phone (390 px),
CSRF on: the board then shows the next meeting, members see the place, visitors do not."""

from __future__ import annotations

import re

import pytest

from models import utcnow

pytestmark = pytest.mark.browser

PLACE = "Maison de quartier, 5 rue du Midi, salle du fond"


def test_a_moderator_sets_the_meetings_and_the_board_shows_the_next_one(live_server, page):
    app, base = live_server
    result = app.test_cli_runner().invoke(
        args=["forum", "grant-moderator", "Veilleuse", "--board", "anxiete"]
    )
    assert result.exit_code == 0, result.output
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{base}/login")
    page.fill("#pseudonym", "Veilleuse")
    page.fill("#password", "une autre phrase de passe")
    page.click("main button[type=submit]")

    # No meeting yet: the moderator is offered to set them, from the board page.
    page.goto(f"{base}/boards/anxiete")
    assert "Prochaine rencontre" not in page.inner_text("main")
    page.click("text=Indiquer les rencontres du groupe")
    assert page.url.endswith("/boards/anxiete/meetings/schedule")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A first try at 02:30 on Sundays: the spring change skips it, and the form says when.
    page.select_option("#frequency", "weekly")
    page.select_option("#weekday", "6")
    page.fill("#time", "02:30")
    page.fill("#duration", "90")
    page.select_option("#timezone", "Europe/Brussels")
    page.check("input[name=mode][value=in_person]")
    page.fill("#place", PLACE)
    page.fill("#starts_on", utcnow().date().isoformat())
    page.click("button:has-text('Enregistrer les rencontres')")
    error = page.locator("#time-errors").inner_text()
    assert "n'existe pas à Bruxelles (passage à l'heure d'été)" in error
    assert page.locator("#time").get_attribute("aria-invalid") == "true"

    # Wednesdays at 20:30, Brussels time.
    page.select_option("#weekday", "2")
    page.fill("#time", "20:30")
    page.click("button:has-text('Enregistrer les rencontres')")
    assert page.url.endswith("/boards/anxiete/meetings")
    main = page.inner_text("main").replace("\u00a0", " ")
    assert "Les rencontres de cet espace sont enregistrées." in page.inner_text("body")
    assert "Chaque semaine, le mercredi, à 20 h 30 (heure de Bruxelles)" in main
    assert PLACE in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The board page shows the next meeting, and links to the meetings.
    page.goto(f"{base}/boards/anxiete")
    line = page.locator("p.next-meeting").inner_text().replace("\u00a0", " ")
    assert re.fullmatch(
        r"Prochaine rencontre : mercredi \d{1,2} \w+( \d{4})?, 20 h 30 \(heure de Bruxelles\)",
        line,
    ), line
    page.click("p.next-meeting a")
    assert page.url.endswith("/boards/anxiete/meetings")

    # A visitor, in another browser, sees the meetings but not the place.
    visitor = page.other
    visitor.goto(f"{base}/boards/anxiete/meetings")
    seen = visitor.inner_text("main")
    assert "mercredi" in seen and "20 h 30" in seen.replace("\u00a0", " ")
    assert PLACE not in seen
