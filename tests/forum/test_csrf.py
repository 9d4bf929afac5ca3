"""With CSRF protection on (as in production), every POST needs the token of its own session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from models import Post, Reaction, Thread, User, db
from tests import factories

pytestmark = pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)

REFUSED = "This form has expired or was not sent from this site"
NEW_PASSWORD = "un tout nouveau secret"


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A browser that reads English, so that the messages can be checked."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


def token_from(client: FlaskClient, url: str) -> str:
    """The csrf_token a page's forms carry, as a browser would submit it."""
    response = client.get(url)
    assert response.status_code == 200, url
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)))
    assert len(tokens) == 1, f"{url} should carry one token, found {tokens}"
    return tokens.pop()


def sign_in(client: FlaskClient, pseudonym: str) -> None:
    token = token_from(client, "/login")
    response = client.post(
        "/login", data={"pseudonym": pseudonym, "password": factories.PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    """Lou started a thread on a public board; Sam answered it."""
    with app.app_context():
        return factories.conversation(factories.board("deuil", name="Deuil"))


def signed_in(client: FlaskClient) -> bool:
    return client.get("/me").status_code == 200


def page_language(client: FlaskClient) -> str:
    return re.search(r'<html lang="(\w+)"', client.get("/").get_data(as_text=True)).group(1)  # type: ignore[union-attr]


@dataclass
class Action:
    """A POST as a member (or a visitor) makes it from a page, and how to see it worked."""

    name: str
    member: str | None  # who is signed in, None for a visitor
    form_page: str  # where the token comes from
    url: str
    fields: dict[str, str]

    def done(self, app, client: FlaskClient, world: dict) -> bool:  # type: ignore[no-untyped-def]
        with app.app_context():
            if self.name == "new thread":
                return (
                    db.session.scalar(select(Thread).where(Thread.title == "Un nouveau sujet"))
                    is not None
                )
            if self.name == "reply":
                return db.session.scalar(select(Post).where(Post.body == "Merci.")) is not None
            if self.name == "edit":
                return db.session.get_one(Post, world["root"]).body == "Texte revu."
            if self.name == "delete":
                return db.session.get_one(Post, world["root"]).deleted_at is not None
            if self.name == "react":
                return db.session.scalar(select(db.func.count()).select_from(Reaction)) == 1
            if self.name == "password":
                return (
                    db.session.scalar(select(User.session_version).where(User.pseudonym == "Lou"))
                    > 1
                )
            if self.name == "register":
                return (
                    db.session.scalar(select(User).where(User.pseudonym == "Nouvelle Venue"))
                    is not None
                )
        if self.name == "login":
            return signed_in(client)
        if self.name == "logout":
            return not signed_in(client)
        if self.name == "language":
            return page_language(client) == "fr"
        raise AssertionError(self.name)


ACTIONS = [
    Action(
        "new thread",
        "Lou",
        "/boards/{board}/new",
        "/boards/{board}/new",
        {"title": "Un nouveau sujet", "body": "Bonjour à toutes et à tous."},
    ),
    Action("reply", "Lou", "/threads/{thread}", "/threads/{thread}/reply", {"body": "Merci."}),
    Action("edit", "Lou", "/posts/{root}/edit", "/posts/{root}/edit", {"body": "Texte revu."}),
    Action("delete", "Lou", "/threads/{thread}", "/posts/{root}/delete", {}),
    Action("react", "Lou", "/threads/{thread}", "/posts/{answer}/react", {"kind": "thanks"}),
    Action(
        "password",
        "Lou",
        "/me",
        "/me/password",
        {
            "current_password": factories.PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    ),
    Action("logout", "Lou", "/", "/logout", {}),
    Action("language", "Lou", "/", "/language", {"lang": "fr", "next": "/"}),
    Action("login", None, "/login", "/login", {"pseudonym": "Lou", "password": factories.PASSWORD}),
    Action(
        "register",
        None,
        "/register",
        "/register",
        {
            "pseudonym": "Nouvelle Venue",
            "password": factories.PASSWORD,
            "password_confirm": factories.PASSWORD,
            "accept_charter": "y",
        },
    ),
]


def prepare(client: FlaskClient, world: dict[str, Any], action: Action) -> tuple[str, str]:
    if action.member:
        sign_in(client, action.member)
    return action.url.format(**world), token_from(client, action.form_page.format(**world))


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_a_post_without_token_is_refused_and_changes_nothing(app, client, world, action):
    url, _token = prepare(client, world, action)
    before = factories.database(app)
    response = client.post(url, data=action.fields)
    assert response.status_code == 400
    assert REFUSED in factories.text(response)
    assert factories.database(app) == before
    assert not action.done(app, client, world)
    assert signed_in(client) == bool(action.member)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_a_post_with_a_forged_token_is_refused(app, client, world, action):
    url, token = prepare(client, world, action)
    before = factories.database(app)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = client.post(url, data={**action.fields, "csrf_token": forged})
    assert response.status_code == 400
    assert REFUSED in factories.text(response)
    assert factories.database(app) == before
    assert not action.done(app, client, world)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_a_token_from_another_session_is_refused(app, client, world, action):
    """An attacker's own valid token does not work in the victim's session."""
    attacker = app.test_client()
    with app.app_context():
        factories.user("Intrus")
    sign_in(attacker, "Intrus")
    foreign = token_from(attacker, "/")
    url, _token = prepare(client, world, action)
    before = factories.database(app)
    response = client.post(url, data={**action.fields, "csrf_token": foreign})
    assert response.status_code == 400
    assert factories.database(app) == before
    assert not action.done(app, client, world)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_a_post_with_the_page_token_works(app, client, world, action):
    url, token = prepare(client, world, action)
    response = client.post(url, data={**action.fields, "csrf_token": token})
    assert response.status_code == 302, factories.text(response)[:3000]
    assert action.done(app, client, world)


def test_the_token_of_a_visitor_does_not_survive_signing_in(app, client, world):
    """A session is new at sign-in, so a token planted before it is worth nothing after."""
    before_login = token_from(client, "/login")
    sign_in(client, "Lou")
    before = factories.database(app)
    response = client.post(
        f"/threads/{world['thread']}/reply", data={"body": "Merci.", "csrf_token": before_login}
    )
    assert response.status_code == 400
    assert factories.database(app) == before
