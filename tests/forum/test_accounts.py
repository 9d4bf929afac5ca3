import pytest
from sqlalchemy import func, select

from forum.accounts.services import CHARTER_VERSION
from models import User, db
from tests import factories

GOOD = {
    "pseudonym": "Colibri Serein",
    "password": "une phrase de passe",
    "password_confirm": "une phrase de passe",
    "accept_charter": "y",
}


def users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_sign_up_records_charter_and_signs_in(client, app):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.pseudonym == "Colibri Serein"
        assert user.charter_version == CHARTER_VERSION
        assert user.charter_accepted_at is not None
        assert user.password_hash.startswith("scrypt:")
        assert "une phrase de passe" not in user.password_hash
    assert "Colibri Serein" in client.get("/").get_data(as_text=True)


def test_sign_up_form_offers_a_pseudonym_suggestion(client):
    page = client.get("/register").get_data(as_text=True)
    assert "Par exemple" in page
    assert 'name="pseudonym"' in page and "e-mail" in page and 'name="email"' not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pseudonym": "ab"}, "de 3 à 32 caractères"),
        ({"pseudonym": "admin"}, "réservé"),
        ({"pseudonym": "Modérateur"}, "réservé"),
        ({"pseudonym": "bi\u202edi"}, "Utilisez des lettres"),
        ({"password": "court", "password_confirm": "court"}, "au moins 10 caractères"),
        ({"password_confirm": "autre chose encore"}, "pas identiques"),
        ({"accept_charter": ""}, "accepter la charte"),
        ({"pseudonym": ""}, "ne peut pas être vide"),
    ],
)
def test_sign_up_refuses_bad_input_with_a_clear_message(client, app, change, message):
    response = client.post("/register", data={**GOOD, **change})
    assert response.status_code == 400
    assert message in factories.text(response)
    assert users(app) == 0


@pytest.mark.parametrize("lookalike", ["ALICE", "\u0410lice", "AIice", "A.lice", " alice "])
def test_nobody_can_pose_as_an_existing_member(client, app, lookalike):
    with app.app_context():
        factories.user("Alice")
    response = client.post("/register", data={**GOOD, "pseudonym": lookalike})
    assert response.status_code == 400
    assert "trop proche" in factories.text(response)
    assert users(app) == 1


def test_login_by_pseudonym_any_case(client, app):
    with app.app_context():
        factories.user("Marche Lente")
    response = client.post(
        "/login", data={"pseudonym": "marche lente", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert "Marche Lente" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("pseudonym", ["Marche Lente", "Inconnu"])
def test_login_failure_says_the_same_for_unknown_and_wrong_password(client, app, pseudonym):
    with app.app_context():
        factories.user("Marche Lente")
    response = client.post(
        "/login", data={"pseudonym": pseudonym, "password": "mauvais mot de passe"}
    )
    assert response.status_code == 400
    assert "Pseudonyme ou mot de passe incorrect." in factories.text(response)


def test_login_renews_the_session(client, app):
    with app.app_context():
        factories.user("Galet")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    factories.login(client, "Galet")
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/boards/deuil", "/boards/deuil"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_leads_to_same_site_paths(client, app, target, expected):
    with app.app_context():
        factories.user("Galet")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"pseudonym": "Galet", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_remember_me_sets_a_lasting_cookie_only_when_asked(client, app):
    with app.app_context():
        factories.user("Galet")
    response = client.post("/login", data={"pseudonym": "Galet", "password": factories.PASSWORD})
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    client.post("/logout")
    response = client.post(
        "/login", data={"pseudonym": "Galet", "password": factories.PASSWORD, "remember": "y"}
    )
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    assert "remember_token=" in cookies and "HttpOnly" in cookies


def test_logout_is_post_only(client, app):
    with app.app_context():
        factories.user("Galet")
    factories.login(client, "Galet")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/me").status_code == 302  # back to the login page


def test_password_change_ends_other_sessions(app):
    with app.app_context():
        factories.user("Galet")
    here, elsewhere = app.test_client(), app.test_client()
    factories.login(here, "Galet")
    factories.login(elsewhere, "Galet")
    response = here.post(
        "/me/password",
        data={
            "current_password": factories.PASSWORD,
            "password": "un tout nouveau secret",
            "password_confirm": "un tout nouveau secret",
        },
    )
    assert response.status_code == 302
    assert here.get("/me").status_code == 200
    assert elsewhere.get("/me").status_code == 302
    here.post("/logout")
    factories.login(here, "Galet", "un tout nouveau secret")


def test_password_change_refuses_a_wrong_current_password(client, app):
    with app.app_context():
        factories.user("Galet")
    factories.login(client, "Galet")
    response = client.post(
        "/me/password",
        data={
            "current_password": "pas le bon du tout",
            "password": "x" * 12,
            "password_confirm": "x" * 12,
        },
    )
    assert response.status_code == 400
    assert "n'est pas votre mot de passe actuel" in factories.text(response)
    client.post("/logout")
    factories.login(client, "Galet")


def test_cli_grants_roles(app, runner):
    with app.app_context():
        factories.user("Galet")
        factories.board("deuil")
    assert (
        runner.invoke(args=["forum", "grant-moderator", "galet", "--board", "deuil"]).exit_code == 0
    )
    assert runner.invoke(args=["forum", "grant-admin", "Galet"]).exit_code == 0
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.is_admin
        assert [b.slug for b in user.moderated_boards] == ["deuil"]
    result = runner.invoke(args=["forum", "grant-admin", "Personne"])
    assert result.exit_code != 0 and "No member" in result.output
    result = runner.invoke(args=["forum", "grant-moderator", "Galet", "--board", "nulle-part"])
    assert result.exit_code != 0 and "No board" in result.output
