"""Recovery codes: shown once after sign-up or when renewed, kept as digests only, each one
sets a new password once."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash

from forum.accounts import recovery
from models import RecoveryCode, User, db, utcnow
from tests import factories

CODE = re.compile(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>")
NEW_PASSWORD = "un tout nouveau secret"
JOIN = {
    "pseudonym": "Colibri Serein",
    "password": factories.PASSWORD,
    "password_confirm": factories.PASSWORD,
    "accept_charter": "y",
}


def codes_in(response) -> list[str]:  # type: ignore[no-untyped-def]
    return CODE.findall(response.get_data(as_text=True))


def digests(app, pseudonym: str) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(RecoveryCode.digest)
                .join(User, User.id == RecoveryCode.user_id)
                .where(User.pseudonym == pseudonym)
            )
        )


def unused(app, pseudonym: str) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .join(User, User.id == RecoveryCode.user_id)
            .where(User.pseudonym == pseudonym, RecoveryCode.used_at.is_(None))
        )


def has_password_field(response) -> bool:  # type: ignore[no-untyped-def]
    return 'name="password"' in response.get_data(as_text=True)


def can_login(app, pseudonym: str, password: str) -> bool:  # type: ignore[no-untyped-def]
    response = app.test_client().post("/login", data={"pseudonym": pseudonym, "password": password})
    return response.status_code == 302


def signed_in(client: FlaskClient) -> bool:
    return client.get("/me").status_code == 200


# --- the first codes, right after sign-up ---------------------------------------------------


def test_sign_up_leads_to_the_first_codes_without_the_password(app, client):
    response = client.post("/register", data=JOIN)
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/recovery-codes"
    page = client.get("/me/recovery-codes")
    assert page.status_code == 200
    assert not has_password_field(page)
    assert 'method="post"' in page.get_data(as_text=True)
    assert digests(app, "Colibri Serein") == []  # looking issues nothing

    response = client.post("/me/recovery-codes", data={})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    codes = codes_in(response)
    assert len(codes) == 10 and len(set(codes)) == 10

    stored = digests(app, "Colibri Serein")
    assert len(stored) == 10
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in stored)
    everything = repr(factories.database(app))
    for code in codes:
        assert code not in everything
        assert code.replace("-", "") not in everything
    assert unused(app, "Colibri Serein") == 10


def test_the_sign_up_destination_is_kept_for_later(app, client):
    response = client.post("/register", query_string={"next": "/boards/entraide"}, data=JOIN)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/me/recovery-codes?next=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="/boards/entraide"' in page


def test_the_codes_page_is_for_members(client):
    response = client.get("/me/recovery-codes")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/me/recovery-codes").status_code == 302


def test_new_codes_need_the_password_once_codes_were_made(app, client):
    client.post("/register", data=JOIN)
    first = codes_in(client.post("/me/recovery-codes"))
    first_digests = digests(app, "Colibri Serein")
    assert len(first) == 10

    page = client.get("/me/recovery-codes")
    assert has_password_field(page)
    for data in ({}, {"password": "pas le bon mot de passe"}):
        response = client.post("/me/recovery-codes", data=data)
        assert response.status_code == 400
        assert codes_in(response) == []
        assert digests(app, "Colibri Serein") == first_digests

    response = client.post("/me/recovery-codes", data={"password": factories.PASSWORD})
    assert response.status_code == 200
    second = codes_in(response)
    assert len(second) == 10 and not set(second) & set(first)
    renewed = digests(app, "Colibri Serein")
    assert len(renewed) == 10 and not set(renewed) & set(first_digests)
    # The earlier codes no longer work.
    response = app.test_client().post(
        "/recover",
        data={
            "pseudonym": "Colibri Serein",
            "code": first[0],
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert can_login(app, "Colibri Serein", factories.PASSWORD)


def test_an_older_account_without_codes_must_type_the_password(app, client):
    with app.app_context():
        factories.user("Galet", created_at=utcnow() - timedelta(hours=2))
    factories.login(client, "Galet")
    assert has_password_field(client.get("/me/recovery-codes"))
    response = client.post("/me/recovery-codes", data={})
    assert response.status_code == 400
    assert codes_in(response) == [] and digests(app, "Galet") == []
    response = client.post("/me/recovery-codes", data={"password": factories.PASSWORD})
    assert response.status_code == 200
    assert len(codes_in(response)) == 10 and len(digests(app, "Galet")) == 10


# --- setting a new password with a code -----------------------------------------------------


@pytest.fixture
def galet(app):  # type: ignore[no-untyped-def]
    """Galet's ten codes."""
    with app.app_context():
        member = factories.user("Galet")
        factories.user("Ruisseau")
        return recovery.issue(member)


def recover(
    client: FlaskClient,
    code: str,
    pseudonym: str = "Galet",
    password: str = NEW_PASSWORD,
    confirm: str | None = None,
):  # type: ignore[no-untyped-def]
    return client.post(
        "/recover",
        data={
            "pseudonym": pseudonym,
            "code": code,
            "password": password,
            "password_confirm": password if confirm is None else confirm,
        },
    )


def test_a_code_sets_a_new_password_and_signs_in(app, galet):
    here, elsewhere = app.test_client(), app.test_client()
    factories.login(here, "Galet")
    factories.login(elsewhere, "Galet")
    with app.app_context():
        version = db.session.scalar(select(User.session_version).where(User.pseudonym == "Galet"))

    browser = app.test_client()
    assert browser.get("/recover").status_code == 200
    response = recover(browser, galet[3])
    assert response.status_code == 302
    assert response.headers["Location"] == "/me"
    assert signed_in(browser)
    # Every other session ends.
    assert not signed_in(here) and not signed_in(elsewhere)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym == "Galet"))
        assert user.session_version > version
        used = db.session.scalars(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_not(None)
            )
        ).all()
        assert len(used) == 1
    assert unused(app, "Galet") == 9
    assert can_login(app, "Galet", NEW_PASSWORD)
    assert not can_login(app, "Galet", factories.PASSWORD)
    # Ruisseau's account is untouched.
    assert can_login(app, "Ruisseau", factories.PASSWORD)


def test_a_code_works_once(app, galet):
    assert recover(app.test_client(), galet[0]).status_code == 302
    before = factories.database(app)
    response = recover(app.test_client(), galet[0], password="encore un autre secret")
    assert response.status_code == 400
    assert factories.database(app) == before
    assert can_login(app, "Galet", NEW_PASSWORD)
    assert not can_login(app, "Galet", "encore un autre secret")


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code.upper(),
        lambda code: code.replace("-", ""),
        lambda code: f"  {code.upper().replace('-', ' ')}  ",
    ],
    ids=["upper", "no-dashes", "spaces"],
)
def test_codes_may_be_typed_loosely(app, galet, typed):
    response = recover(app.test_client(), typed(galet[5]), pseudonym="galet")
    assert response.status_code == 302
    assert can_login(app, "Galet", NEW_PASSWORD)
    assert unused(app, "Galet") == 9


def test_unknown_pseudonym_and_wrong_code_look_the_same(app, galet):
    before = factories.database(app)
    typed = [
        ("Galet", "zzzz-yyyy-xxxx-wwww"),  # a code that is nobody's
        ("Personne", galet[0]),  # no such member
        ("Ruisseau", galet[0]),  # another member's code
    ]
    responses = [recover(app.test_client(), code, pseudonym=name) for name, code in typed]
    assert [r.status_code for r in responses] == [400, 400, 400]
    assert factories.database(app) == before

    def neutral(response, name: str, code: str) -> str:  # type: ignore[no-untyped-def]
        page = response.get_data(as_text=True)
        page = re.sub(r'name="csrf_token" value="[^"]*"', "", page)
        return page.replace(code, "CODE").replace(name, "PSEUDONYM")

    pages = {neutral(r, *t) for r, t in zip(responses, typed, strict=True)}
    assert len(pages) == 1
    assert "PSEUDONYM" in pages.pop()
    assert can_login(app, "Galet", factories.PASSWORD)
    assert can_login(app, "Ruisseau", factories.PASSWORD)
    assert unused(app, "Galet") == 10


def test_the_new_password_follows_the_usual_rules(app, galet):
    before = factories.database(app)
    response = recover(app.test_client(), galet[0], password="court")
    assert response.status_code == 400
    assert "au moins 10 caractères" in factories.text(response)
    response = recover(app.test_client(), galet[0], confirm="pas la même chose")
    assert response.status_code == 400
    assert "pas identiques" in factories.text(response)
    assert factories.database(app) == before
    assert unused(app, "Galet") == 10


def test_a_signed_in_member_is_sent_to_their_account(app, galet, client):
    factories.login(client, "Ruisseau")
    response = client.get("/recover")
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    before = factories.database(app)
    response = recover(client, galet[0])
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    assert factories.database(app) == before


def test_few_codes_left_leads_to_new_ones(app, galet):
    with app.app_context():
        galet_id = db.session.scalar(select(User.id).where(User.pseudonym == "Galet"))
        spent = [recovery._digest(code) for code in galet[:8]]
        db.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.user_id == galet_id, RecoveryCode.digest.in_(spent))
            .values(used_at=utcnow())
        )
        db.session.commit()
    browser = app.test_client()
    response = recover(browser, galet[8])
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/recovery-codes"
    assert unused(app, "Galet") == 1
    # The account has had codes: new ones need the (new) password.
    assert has_password_field(browser.get("/me/recovery-codes"))


def test_the_same_code_sent_twice_at_once_works_once(app, galet):
    attempts = 2
    barrier = threading.Barrier(attempts)
    clients = [app.test_client() for _ in range(attempts)]
    statuses: list[int] = []
    passwords = [f"le secret numéro {n} ici" for n in range(attempts)]

    def attempt(n: int) -> None:
        barrier.wait()
        statuses.append(recover(clients[n], galet[2], password=passwords[n]).status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [302, 400]
    working = [p for p in passwords if can_login(app, "Galet", p)]
    assert len(working) == 1
    assert sum(signed_in(c) for c in clients) == 1
    assert unused(app, "Galet") == 9


@pytest.mark.parametrize("app", [{"RATE_LIMITS": "on"}], indirect=True)
def test_guessing_codes_is_slowed_down_apart_from_passwords(app, galet):
    """recovery.py: "attempts are also rate-limited like logins, on counters of their own".
    Past the limits (10 failures per account and client in 15 minutes), guesses are
    refused; the member's password is another counter, which wrong codes never fill."""
    browser = app.test_client()
    statuses = [
        recover(browser, f"aaaa-bbbb-cccc-{n:04d}".replace("0", "a").replace("1", "b")).status_code
        for n in range(60)
    ]
    assert 429 in statuses, "60 wrong recovery codes in a row were all checked"
    # Even the right code waits now: nothing is learnt by guessing faster.
    assert recover(browser, galet[0]).status_code == 429
    assert unused(app, "Galet") == 10
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym == "Galet"))
        assert check_password_hash(user.password_hash, factories.PASSWORD)
    # Whoever guessed codes, the member still signs in with their password.
    assert can_login(app, "Galet", factories.PASSWORD)
