"""A kinder first visit, what the eye and the fingers meet: crisis numbers a phone can dial,
no "well done" under a cry for help, numbers and dates written as the reader writes them,
a short way to the reply box, reactions each named for their post, and two colour themes
that both keep AA contrast."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.crisis_lines import Number
from models import Post, Reaction, ReactionKind, Thread, User, db
from tests import factories
from tests.scorers import with_lexicon

STYLE = Path(__file__).resolve().parents[2] / "static" / "style.css"
CRISIS_TEXT = "Bonjour à tous. J'ai envie de mourir ce soir."
EN = {"Accept-Language": "en"}


def article(page: str, post_id: int) -> str:
    """The HTML of one post on a thread page."""
    start = page.index(f'<article id="post-{post_id}"')
    return page[start : page.index("</article>", start)]


def reaction_buttons(page: str, post_id: int) -> list[str]:
    return re.findall(r'<button type="submit" name="kind" value="(\w+)"', article(page, post_id))


# ---- crisis numbers are tel: links -------------------------------------------------------


def test_every_crisis_number_is_a_tel_link_with_its_text_as_written(client):
    page = client.get("/help").get_data(as_text=True)
    panel = page[page.index('<section class="crisis"') :]
    panel = panel[: panel.index("</section>")]
    links = dict(re.findall(r'<a href="(tel:[^"]*)"><strong>([^<]*)</strong></a>', panel))
    assert links == {
        "tel:3114": "3114",
        "tel:+33972394050": "09 72 39 40 50",
        "tel:080032123": "0800 32 123",
        "tel:143": "143",
        "tel:+18662773553": "1 866 APPELLE",
        "tel:988": "988",
        "tel:112": "112",
        "tel:911": "911",
    }
    # Every number shown is one of those links: none is left as bare text.
    assert len(re.findall(r"<strong>", panel)) == len(links)


def test_a_line_a_phone_cannot_dial_stays_text():
    assert Number("3114").tel == "tel:3114"
    assert Number("1 866 APPELLE", dial="+18662773553").tel == "tel:+18662773553"
    assert Number("1 866 APPELLE").tel == ""  # letters: no guessing
    assert Number("suicide.ca").tel == ""
    assert Number("SMS 114").tel == ""


# ---- no "bravo" under a crisis post ------------------------------------------------------


@pytest.fixture
def crisis_thread(app):  # type: ignore[no-untyped-def]
    """Lou's thread; Sam answers calmly, then Lou writes a message in crisis. Max reads in
    English. The ids tests refer to."""
    with app.app_context():
        board = factories.board("entraide")
        lou, sam = factories.user("Lou"), factories.user("Sam")
        factories.user("Max", locale="en")
        started = factories.thread(board, lou, "Un soir difficile", "Bonjour.")
        calm = factories.reply(started, sam, "Je pense à toi.")
        crisis = factories.reply(started, lou, CRISIS_TEXT)
        return {"thread": started.id, "calm": calm.id, "crisis": crisis.id, "lou": lou.id}


def test_the_crisis_rule_marks_the_post_for_good(app, crisis_thread):
    with app.app_context():
        crisis = db.session.get_one(Post, crisis_thread["crisis"])
        assert crisis.in_crisis is True
        assert db.session.get_one(Post, crisis_thread["calm"]).in_crisis is False
        factories.posting.edit_post(crisis, "Ça va un peu mieux, merci à vous.")
        db.session.expire_all()
        assert db.session.get_one(Post, crisis_thread["crisis"]).in_crisis is True


def test_no_bravo_button_under_a_crisis_post_the_other_reactions_stay(app, crisis_thread):
    client = app.test_client()
    factories.login(client, "Max")
    page = client.get(f"/threads/{crisis_thread['thread']}").get_data(as_text=True)
    assert reaction_buttons(page, crisis_thread["crisis"]) == ["thanks", "me_too", "courage"]
    assert reaction_buttons(page, crisis_thread["calm"]) == ["thanks", "me_too", "courage", "bravo"]


def test_bravo_on_a_crisis_post_is_refused_and_nothing_is_written(app, crisis_thread):
    client = app.test_client()
    factories.login(client, "Max")
    crisis_id = crisis_thread["crisis"]
    response = client.post(f"/posts/{crisis_id}/react", data={"kind": "bravo"})
    assert response.status_code == 302
    after = factories.text(client.get(response.headers["Location"], follow_redirects=True))
    assert "This message cannot receive reactions." in after
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reaction)) == 0
    # The kind reactions still work on it, and bravo on another post too.
    assert client.post(f"/posts/{crisis_id}/react", data={"kind": "courage"}).status_code == 302
    calm_id = crisis_thread["calm"]
    assert client.post(f"/posts/{calm_id}/react", data={"kind": "bravo"}).status_code == 302
    with app.app_context():
        given = db.session.execute(select(Reaction.post_id, Reaction.kind)).all()
        assert sorted(given) == sorted(
            [(crisis_id, ReactionKind.COURAGE), (calm_id, ReactionKind.BRAVO)]
        )


def test_a_bravo_given_before_still_shows_as_a_count_not_a_button(app, crisis_thread):
    with app.app_context():
        db.session.add(
            Reaction(
                post_id=crisis_thread["crisis"],
                user_id=crisis_thread["lou"],
                kind=ReactionKind.BRAVO,
            )
        )
        db.session.commit()
    client = app.test_client()
    factories.login(client, "Max")
    page = client.get(f"/threads/{crisis_thread['thread']}").get_data(as_text=True)
    post = article(page, crisis_thread["crisis"])
    assert "bravo" not in reaction_buttons(page, crisis_thread["crisis"])
    assert '<span class="reaction">Well done <span class="count">1</span></span>' in post


# ---- French and English formats ----------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "shown"), [("fr", "20 novembre 2026"), ("en", "November 20, 2026")]
)
def test_dates_are_written_in_the_readers_language(app, locale, shown):
    with app.app_context():
        factories.user("Lou", locale=locale, created_at=datetime(2026, 11, 20, 10, 0))
    client = app.test_client()
    factories.login(client, "Lou")
    page = factories.text(client.get("/me"))
    assert shown in page


@with_lexicon
@pytest.mark.parametrize(("locale", "score"), [("fr", "0,50"), ("en", "0.50")])
def test_scores_are_written_in_the_readers_language(app, locale, score):
    with app.app_context():
        board = factories.board("entraide")
        reader = factories.user("Ana", locale=locale)
        factories.moderator(board, reader)
        lou = factories.user("Lou")
        started = factories.thread(board, lou, "Un sujet", "Bonjour.")
        factories.reply(started, lou, "Bof, franchement bof.")  # toxicity 0.5: queued
    client = app.test_client()
    factories.login(client, "Ana")
    queue = factories.text(client.get("/moderation"))
    item = re.search(r'href="/moderation/items/(\d+)"', queue)
    assert item, "the queued reply is not in the queue"
    assert score in queue
    page = client.get(f"/moderation/items/{item[1]}").get_data(as_text=True)
    assert f"<td>{score}</td>" in page


def test_the_filters_follow_the_locale(app):
    from forum.templating import day, decimal, when

    moment = datetime(2026, 11, 20, 13, 5)  # UTC: 14:05 in Paris
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert (day(moment), decimal(0.0213)) == ("20 novembre 2026", "0,02")
        assert when(moment) == "20 novembre 2026, 14:05"
        assert decimal(12345.5) == "12\u202f345,50"
    with app.test_request_context(headers=EN):
        assert (day(moment), decimal(0.0213)) == ("November 20, 2026", "0.02")
        assert when(moment).replace("\u202f", " ") == "November 20, 2026, 2:05 PM"


# ---- the way to the reply box, and reactions named for their post ------------------------


def test_a_skip_link_leads_to_the_reply_box(app, crisis_thread):
    url = f"/threads/{crisis_thread['thread']}"
    visitor = app.test_client().get(url).get_data(as_text=True)
    assert '<a class="skip" href="#reply">' in visitor
    assert '<section id="reply"' in visitor and 'id="reply-title"' in visitor
    member = app.test_client()
    factories.login(member, "Max")
    page = member.get(url).get_data(as_text=True)
    skip = re.search(r'<a class="skip" href="#(\w+)">', page[page.index("<main") :])
    assert skip, "no skip link in the page's content"
    target = re.search(rf'<textarea[^>]*\bid="{skip[1]}"', page)
    assert target and page.index('<section id="reply"') < target.start()
    # The skip link is the first thing of the content: before the posts.
    assert skip.start() + page.index("<main") < page.index("<article")


def test_every_reaction_form_has_a_label_of_its_own(app, crisis_thread):
    with app.app_context():
        started = db.session.get_one(Thread, crisis_thread["thread"])
        sam = db.session.scalars(select(User).where(User.pseudonym == "Sam")).one()
        factories.reply(started, sam, "Encore moi.")  # Sam's second message
    client = app.test_client()
    factories.login(client, "Max")
    page = factories.text(client.get(f"/threads/{crisis_thread['thread']}"))
    forms = re.findall(
        r'<form method="post" action="/posts/\d+/react"[^>]*aria-label="([^"]*)"', page
    )
    assert len(forms) == 4
    assert len(set(forms)) == 4, forms
    assert any(label.startswith("Reactions to the message of Sam") for label in forms)
    # No two landmarks or labelled elements of the page share a name.
    labels = re.findall(r'aria-label="([^"]*)"', page)
    assert len(labels) == len(set(labels)), labels


# ---- colours: two themes, AA contrast ----------------------------------------------------

TEXT_PAIRS = [  # (text, background): 4.5:1
    ("fg", "bg"),
    ("fg", "surface"),
    ("fg", "soft"),
    ("fg", "warn-bg"),
    ("fg", "mark-bg"),
    ("muted", "bg"),
    ("muted", "surface"),
    ("muted", "soft"),
    ("accent", "bg"),
    ("accent", "surface"),
    ("accent", "soft"),
    ("accent", "warn-bg"),
    ("accent-fg", "accent"),
    ("accent-fg", "error"),
    ("warn", "warn-bg"),
    ("error", "bg"),
    ("error", "surface"),
    ("error", "error-bg"),
]
UI_PAIRS = [  # (border or ring, what it sits on): 3:1
    ("border", "surface"),
    ("border", "bg"),
    ("focus", "bg"),
    ("focus", "surface"),
    ("focus", "soft"),
    ("focus", "warn-bg"),
]


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", block))


def themes() -> dict[str, dict[str, str]]:
    css = re.sub(r"/\*.*?\*/", "", STYLE.read_text(), flags=re.S)
    light = re.search(r"(?<![\w-]):root\s*\{(.*?)\}", css, re.S)
    dark = re.search(
        r"@media\s*\(prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{(.*?)\}", css, re.S
    )
    assert light and dark, "style.css needs a :root block and a dark one"
    return {"light": _variables(light[1]), "dark": {**_variables(light[1]), **_variables(dark[1])}}


def _luminance(colour: str) -> float:
    hex_ = colour.lstrip("#")
    if len(hex_) == 3:
        hex_ = "".join(c * 2 for c in hex_)
    channels = [int(hex_[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_both_themes_keep_aa_contrast(theme):
    colours = themes()[theme]
    failing = [
        (a, b, round(contrast(colours[a], colours[b]), 2))
        for pairs, least in ((TEXT_PAIRS, 4.5), (UI_PAIRS, 3.0))
        for a, b in pairs
        if contrast(colours[a], colours[b]) < least
    ]
    assert not failing, f"{theme} theme: {failing}"


def test_the_dark_theme_redefines_every_colour_and_rules_use_only_variables():
    light, dark = themes()["light"], themes()["dark"]
    assert {name for name in light if light[name] == dark[name]} == set()
    css = re.sub(r"/\*.*?\*/", "", STYLE.read_text(), flags=re.S)
    rules = re.sub(r"--[\w-]+:\s*#[0-9a-fA-F]{3,6}\b", "", css)
    assert re.findall(r"#[0-9a-fA-F]{3,6}\b|\brgba?\(|\bhsla?\(", rules) == []


def test_pages_declare_both_colour_schemes(client):
    page = client.get("/").get_data(as_text=True)
    assert '<meta name="color-scheme" content="light dark">' in page
