"""A newcomer's first visit, in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import pytest

from models import Post, ReviewItem, db

pytestmark = pytest.mark.browser


def test_newcomer_signs_up_is_approved_by_a_moderator_and_replies_to_a_reply(live_server, page):
    app, base = live_server
    # Reads a public board without an account.
    page.goto(base + "/")
    assert "Besoin d'aide maintenant" in page.inner_text("body")
    page.click("a.board-name:text-is('Deuil')")
    assert page.url.endswith("/boards/deuil")
    # A member's story: the pinned "Entre deux rencontres" thread is the moderators' own.
    stories = page.locator("ul.threads li").filter(has_not=page.locator(".badge:not(.cw-badge)"))
    stories.locator("a.thread-title").first.click()
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
    page.goto(base + "/boards/deuil")
    page.click("text=Lancer une discussion")
    page.fill("#title", "Première fois que j'écris ici")
    page.fill("#body", "Je lis depuis des semaines. Merci à vous **toutes et tous**.")
    page.click("button:has-text('Publier')")
    assert "/threads/" in page.url
    assert page.locator("article.post.depth-0 strong").inner_text() == "toutes et tous"
    # A newcomer's first post waits for a moderator; they see it, marked as such, and why,
    # beside the post.
    assert page.locator("article.post.depth-0 + .beside-post[role=status]").count() == 1
    assert page.locator("#reply").count() == 0

    # A volunteer moderator opens it from the queue and approves it.
    with app.app_context():
        post_id = db.session.scalar(
            db.select(Post.id).where(Post.body.contains("Je lis depuis des semaines"))
        )
        item_id = db.session.scalar(db.select(ReviewItem.id).where(ReviewItem.post_id == post_id))
    moderator = page.other
    moderator.goto(f"{base}/login")
    moderator.fill("#pseudonym", "Veilleuse")
    moderator.fill("#password", "une autre phrase de passe")
    moderator.click("main button[type=submit]")
    moderator.goto(f"{base}/moderation?board=deuil")
    moderator.click(f"a[href='/moderation/items/{item_id}']")
    assert "Je lis depuis des semaines" in moderator.inner_text("main")
    moderator.check("input[name=decision][value=approve]")
    moderator.click("form[action$='/decide'] button[type=submit]")
    assert moderator.url.endswith("/moderation")
    page.reload()
    assert page.locator("#reply").count() == 1

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
