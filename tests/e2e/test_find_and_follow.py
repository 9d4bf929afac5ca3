"""A newcomer finds a story through search, joins, follows the discussion, and sees the
reply that reaches them: in a real headless Chromium, CSRF on, the real model."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_newcomer_searches_signs_up_follows_and_sees_the_reply(live_server, page):
    app, base = live_server
    # Here every first message is published at once (holds have their own test).
    result = app.test_cli_runner().invoke(
        args=["moderation", "settings", "deuil", "--new-member-holds", "0"]
    )
    assert result.exit_code == 0, result.output

    # A visitor on a phone searches from the header, without accents.
    page.goto(base + "/")
    page.fill("#site-search-q", "habits armoire")
    page.click("form.site-search button")
    assert "/search?" in page.url
    results = page.locator("ol.search-results > li")
    assert results.count() >= 1
    story = results.filter(has_text="Ses habits sont toujours dans l'armoire").first
    assert [m.lower() for m in story.locator("mark").all_inner_texts()][:2] == [
        "habits",
        "armoire",
    ]
    story.locator("a.thread-title").click()
    assert re.search(r"/threads/\d+", page.url)
    thread_url = page.url.split("#")[0]
    assert "chaque fois que j'ouvre cette armoire" in page.inner_text("main")
    # A visitor has nothing to follow yet.
    assert page.locator("form.follow-control").count() == 0

    # Joins under a pseudonym, then goes back to the story.
    page.click("header.site >> text=Rejoindre")
    page.fill("#pseudonym", "Hirondelle")
    page.fill("#password", "une phrase de passe longue")
    page.fill("#password_confirm", "une phrase de passe longue")
    page.check("#accept_charter")
    page.click("button:has-text('Créer mon compte')")
    assert "Bienvenue, Hirondelle" in page.inner_text("body")
    page.goto(thread_url)

    # Follows the discussion, and is told so near the button.
    page.click("form.follow-control button:has-text('Suivre')")
    assert page.url.split("#")[0] == thread_url
    assert "Vous suivez cette discussion" in page.locator("form.follow-control").inner_text()

    # Writes a reply; it is published and confirmed beside it.
    page.fill("#body", "Je me reconnais dans ton armoire. Moi aussi je n'arrive pas à trier.")
    page.click("#reply button:has-text('Répondre')")
    mine = page.locator("article.post", has_text="Je me reconnais dans ton armoire")
    assert mine.count() == 1
    mine_id = mine.get_attribute("id")
    assert "Votre réponse est publiée" in page.locator(f"#{mine_id} + [role=status]").inner_text()

    # Another member answers that reply, in another browser.
    other = page.other
    other.goto(f"{base}/login")
    other.fill("#pseudonym", "Veilleuse")
    other.fill("#password", "une autre phrase de passe")
    other.click("main button[type=submit]")
    other.goto(f"{base}/posts/{mine_id.removeprefix('post-')}")
    other.locator(f"#{mine_id} a:has-text('Répondre')").click()
    other.fill("#body", "Bienvenue, Hirondelle. Tu n'as pas à trier avant d'être prête.")
    other.click("button:has-text('Répondre')")
    assert "Bienvenue, Hirondelle" in other.inner_text("main")

    # The newcomer sees it come: a count in the header, then the notification.
    page.goto(base + "/")
    link = page.locator("header.site a[href='/me/notifications']")
    assert link.locator(".count").inner_text() == "1"
    link.click()
    notification = page.locator("li.notification.unread")
    assert notification.count() == 1
    assert "Veilleuse" in notification.inner_text()
    assert "Tu n'as pas à trier" in notification.inner_text()
    notification.locator("a").first.click()
    assert re.search(r"/threads/\d+#post-\d+$", page.url)
    answer_id = page.url.rsplit("#", 1)[1]
    assert "Tu n'as pas à trier" in page.locator(f"#{answer_id}").inner_text()
    # Seen: the badge is gone, and "Mes fils" has nothing new in the story.
    assert page.locator("header.site a[href='/me/notifications'] .count").count() == 0
    page.goto(base + "/me/threads")
    row = page.locator("main li", has_text="Ses habits sont toujours dans l'armoire")
    assert row.count() == 1
    assert "rien de nouveau" in row.inner_text().lower()
