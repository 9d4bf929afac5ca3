"""Bad input on every form: a 4xx with a clear message, and nothing written anywhere."""

from __future__ import annotations

import io

import pytest

from models import db
from tests import factories

EMPTY = "This field cannot be empty."
TOO_LONG = "This text is too long"
INVALID = "This text contains an invalid character."
NOT_FOUND = "Page not found"
BAD_REQUEST = "Something in this request was not right"
TOO_LARGE = "This is too large"
PARENT_GONE = "The message you answer could not be found."
PARENT_UNAVAILABLE = "The message you answer is no longer available."

UPLOAD = object()  # stands for a file sent in place of a text field
TEN_MB = "x" * (10 * 1024 * 1024)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A browser that reads English, so that the messages can be checked."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    """Lou (signed in) started a thread that Sam answered; Sam has a thread of his own."""
    with app.app_context():
        board = factories.board("deuil", name="Deuil")
        world = factories.conversation(board)
        sam = db.session.scalar(db.select(factories.User).where(factories.User.pseudonym == "Sam"))
        other = factories.thread(board, sam, "Le sujet de Sam", "Ailleurs.")
        world.update(other_thread=other.id, other_root=factories.root_post(other).id)
    factories.login(client, "Lou")
    return world


def send(client, url: str, fields: dict | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """POST the fields, leaving out those set to None and sending UPLOAD ones as a file."""
    if fields is not None:
        kwargs["data"] = {
            name: (io.BytesIO(b"Bonjour."), "message.txt") if value is UPLOAD else value
            for name, value in fields.items()
            if value is not None
        }
    return client.post(url, **kwargs)


def assert_refused(app, before, response, status: int, message: str, field: str | None = None):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    page = factories.text(response)
    assert message in page
    if field is not None:
        assert f'id="{field}-errors"' in page, f"the message is not shown by the {field} field"
    assert factories.database(app) == before


def assert_explained(response) -> None:  # type: ignore[no-untyped-def]
    """A refusal the reader can understand: field messages, or the friendly error page."""
    html = response.get_data(as_text=True)
    assert 'class="errors"' in html or 'class="error-page"' in html, html[:2000]


def with_changes(valid: dict, changes: dict) -> dict:
    return {**valid, **changes}


# --- posting forms --------------------------------------------------------------------------

COMPOSER_CASES = [
    pytest.param({"body": None}, "body", EMPTY, id="body-missing"),
    pytest.param({"body": ""}, "body", EMPTY, id="body-empty"),
    pytest.param({"body": " \r\n\t\u3000 "}, "body", EMPTY, id="body-whitespace"),
    pytest.param({"body": "x" * 20_001}, "body", TOO_LONG, id="body-20001"),
    pytest.param({"body": "Bon\x00jour"}, "body", INVALID, id="body-nul"),
    pytest.param({"body": UPLOAD}, "body", EMPTY, id="body-sent-as-a-file"),
    pytest.param({"content_warning": "x" * 121}, "content_warning", TOO_LONG, id="cw-121"),
    pytest.param({"content_warning": "deuil\x00"}, "content_warning", INVALID, id="cw-nul"),
]
TITLE_CASES = [
    pytest.param({"title": "x" * 201}, "title", TOO_LONG, id="title-201"),
    pytest.param({"title": "Un\x00sujet"}, "title", INVALID, id="title-nul"),
]
NEW_TITLE_CASES = [
    pytest.param({"title": None}, "title", EMPTY, id="title-missing"),
    pytest.param({"title": ""}, "title", EMPTY, id="title-empty"),
    pytest.param({"title": " \t\n\u00a0 "}, "title", EMPTY, id="title-whitespace"),
    pytest.param({"title": None, "body": None}, "title", EMPTY, id="all-missing"),
]
VALID_THREAD = {"title": "Un nouveau sujet", "body": "Bonjour à toutes et à tous."}
VALID_REPLY = {"body": "Merci pour ce partage."}
VALID_EDIT = {"title": "Un titre revu", "body": "Texte revu."}
PASSWORD = factories.PASSWORD
VALID_SIGN_UP = {
    "pseudonym": "Nouvelle Venue",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
    "accept_charter": "y",
}


def test_the_limits_themselves_are_accepted(app, client, world):
    """200, 20,000 and 120 characters pass: the refusals below are about one more."""
    response = client.post(
        f"/boards/{world['board']}/new",
        data={
            "title": "t" * 200,
            "body": "b" * 20_000,
            "content_warning": "c" * 120,
        },
    )
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("changes, field, message", NEW_TITLE_CASES + TITLE_CASES + COMPOSER_CASES)
def test_new_thread_refuses_bad_input(app, client, world, changes, field, message):
    before = factories.database(app)
    response = send(client, f"/boards/{world['board']}/new", with_changes(VALID_THREAD, changes))
    assert_refused(app, before, response, 400, message, field)
    assert 'name="body"' in response.get_data(as_text=True), "the form comes back"


@pytest.mark.parametrize("changes, field, message", COMPOSER_CASES)
def test_reply_refuses_bad_input(app, client, world, changes, field, message):
    before = factories.database(app)
    response = send(client, f"/threads/{world['thread']}/reply", with_changes(VALID_REPLY, changes))
    assert_refused(app, before, response, 400, message, field)
    assert 'name="body"' in response.get_data(as_text=True), "the form comes back"


@pytest.mark.parametrize("changes, field, message", TITLE_CASES + COMPOSER_CASES)
def test_edit_refuses_bad_input(app, client, world, changes, field, message):
    before = factories.database(app)
    response = send(client, f"/posts/{world['root']}/edit", with_changes(VALID_EDIT, changes))
    assert_refused(app, before, response, 400, message, field)
    assert 'name="body"' in response.get_data(as_text=True), "the form comes back"


@pytest.mark.parametrize(
    "parent_id",
    [
        pytest.param("abc", id="not-a-number"),
        pytest.param("99999999999", id="huge"),
        pytest.param(str(2**31), id="past-32-bits"),
        pytest.param("0", id="zero"),
        pytest.param("-1", id="negative"),
        pytest.param("1.5", id="decimal"),
        pytest.param("1\x00", id="nul"),
    ],
)
def test_reply_refuses_a_malformed_parent(app, client, world, parent_id):
    before = factories.database(app)
    response = client.post(
        f"/threads/{world['thread']}/reply", data={**VALID_REPLY, "parent_id": parent_id}
    )
    assert_refused(app, before, response, 400, PARENT_GONE)


@pytest.mark.parametrize(
    "parent",
    [
        pytest.param("other_root", id="post-of-another-thread"),
        pytest.param(None, id="post-that-does-not-exist"),
    ],
)
def test_reply_refuses_a_parent_outside_the_thread(app, client, world, parent):
    parent_id = world[parent] if parent else 424242
    before = factories.database(app)
    response = client.post(
        f"/threads/{world['thread']}/reply", data={**VALID_REPLY, "parent_id": str(parent_id)}
    )
    # The form comes back with the text kept, rather than a 404 that would lose it.
    assert_refused(app, before, response, 400, PARENT_UNAVAILABLE)
    assert VALID_REPLY["body"] in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["love", "", None, "THANKS", "thanks ", "thanks\x00"])
def test_unknown_reaction_is_refused(app, client, world, kind):
    before = factories.database(app)
    response = send(client, f"/posts/{world['answer']}/react", {"kind": kind})
    assert_refused(app, before, response, 400, BAD_REQUEST)


@pytest.mark.parametrize(
    "url, fields",
    [
        pytest.param("/boards/{board}/new", {"title": "caf\xe9", "body": "ok"}, id="new-thread"),
        pytest.param("/threads/{thread}/reply", {"body": "\xff\xfe ok"}, id="reply"),
        pytest.param("/posts/{root}/edit", {"title": "ok", "body": "caf\xe9"}, id="edit"),
        pytest.param("/posts/{answer}/react", {"kind": "thanks\xff"}, id="react"),
    ],
)
def test_invalid_utf8_is_refused(app, client, world, url, fields):
    """Raw bytes that are not UTF-8 (here Latin-1) in a urlencoded body."""
    body = "&".join(f"{name}={value}" for name, value in fields.items()).encode("latin-1")
    before = factories.database(app)
    response = client.post(
        url.format(**world), data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert_explained(response)
    assert factories.database(app) == before


@pytest.mark.parametrize(
    "json",
    [
        pytest.param(
            {"title": ["Un", "sujet"], "body": {"texte": "Bonjour"}}, id="list-and-object"
        ),
        pytest.param({"title": 5, "body": True}, id="number-and-boolean"),
        pytest.param({**VALID_THREAD, "content_warning": 12}, id="number-warning"),
        pytest.param(["Un sujet", "Bonjour"], id="array"),
        pytest.param("Un sujet", id="string"),
    ],
)
def test_new_thread_refuses_json_of_the_wrong_shape(app, client, world, json):
    """Flask-WTF reads JSON bodies too: their values must be text, like a form's."""
    before = factories.database(app)
    response = client.post(f"/boards/{world['board']}/new", json=json)
    assert response.status_code == 400
    assert_explained(response)
    assert factories.database(app) == before


@pytest.mark.parametrize(
    "url, fields",
    [
        pytest.param("/boards/{board}/new", {**VALID_THREAD, "title": UPLOAD}, id="new-title"),
        pytest.param(
            "/boards/{board}/new", {**VALID_THREAD, "content_warning": UPLOAD}, id="new-warning"
        ),
        pytest.param(
            "/threads/{thread}/reply", {**VALID_REPLY, "parent_id": UPLOAD}, id="reply-parent"
        ),
        pytest.param("/posts/{root}/edit", {**VALID_EDIT, "title": UPLOAD}, id="edit-title"),
        pytest.param("/posts/{answer}/react", {"kind": UPLOAD}, id="react-kind"),
        pytest.param(
            "/me/password",
            {"current_password": UPLOAD, "password": UPLOAD, "password_confirm": UPLOAD},
            id="password-change",
        ),
    ],
)
def test_a_file_in_place_of_a_text_field_is_refused(app, client, world, url, fields):
    before = factories.database(app)
    response = send(client, url.format(**world), fields)
    assert response.status_code == 400
    assert_explained(response)
    assert factories.database(app) == before


@pytest.mark.parametrize(
    "url, fields",
    [
        pytest.param("/login", {"pseudonym": UPLOAD, "password": PASSWORD}, id="login-pseudonym"),
        pytest.param("/login", {"pseudonym": "Lou", "password": UPLOAD}, id="login-password"),
        pytest.param("/register", {**VALID_SIGN_UP, "pseudonym": UPLOAD}, id="register-pseudonym"),
        pytest.param(
            "/register",
            {**VALID_SIGN_UP, "password": UPLOAD, "password_confirm": UPLOAD},
            id="register-password",
        ),
    ],
)
def test_a_file_in_place_of_an_account_field_is_refused(app, client, world, url, fields):
    client.post("/logout")
    before = factories.database(app)
    response = send(client, url, fields)
    assert response.status_code == 400
    assert_explained(response)
    assert factories.database(app) == before
    assert client.get("/me").status_code == 302, "nobody is signed in"


def test_a_file_as_language_changes_nothing(app, client, world):
    before = factories.database(app)
    response = send(client, "/language", {"lang": UPLOAD, "next": UPLOAD})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.headers["Location"] == "/"
    assert factories.database(app) == before


# --- accounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, message",
    [
        pytest.param({"pseudonym": None}, "pseudonym", EMPTY, id="pseudonym-missing"),
        pytest.param({"pseudonym": ""}, "pseudonym", EMPTY, id="pseudonym-empty"),
        pytest.param({"pseudonym": "   "}, "pseudonym", EMPTY, id="pseudonym-whitespace"),
        pytest.param({"pseudonym": "Al"}, "pseudonym", "3 to 32 characters", id="pseudonym-2"),
        pytest.param({"pseudonym": "A" * 33}, "pseudonym", "3 to 32 characters", id="pseudonym-33"),
        pytest.param({"pseudonym": "Lo\x00u"}, "pseudonym", INVALID, id="pseudonym-nul"),
        pytest.param(
            {"pseudonym": "Lou\u202e"}, "pseudonym", "Use letters and digits", id="pseudonym-bidi"
        ),
        pytest.param(
            {"pseudonym": "<b>Lou</b>"},
            "pseudonym",
            "Use letters and digits",
            id="pseudonym-markup",
        ),
        pytest.param({"pseudonym": "sam"}, "pseudonym", "is taken", id="pseudonym-taken"),
        pytest.param({"pseudonym": "Moderateur"}, "pseudonym", "reserved", id="pseudonym-reserved"),
        pytest.param(
            {"password": None, "password_confirm": None},
            "password",
            "at least 10 characters",
            id="password-missing",
        ),
        pytest.param(
            {"password": "court", "password_confirm": "court"},
            "password",
            "at least 10 characters",
            id="password-short",
        ),
        pytest.param(
            {"password": "x" * 1025, "password_confirm": "x" * 1025},
            "password",
            "cannot be used",
            id="password-1025",
        ),
        pytest.param(
            {"password": PASSWORD + "\x00", "password_confirm": PASSWORD + "\x00"},
            "password",
            "cannot be used",
            id="password-nul",
        ),
        pytest.param(
            {"password_confirm": PASSWORD + "!"},
            "password_confirm",
            "not the same",
            id="password-mismatch",
        ),
        pytest.param(
            {"accept_charter": None},
            "accept_charter",
            "accept the charter",
            id="charter-not-accepted",
        ),
    ],
)
def test_registration_refuses_bad_input(app, client, world, changes, field, message):
    client.post("/logout")
    before = factories.database(app)
    response = send(client, "/register", with_changes(VALID_SIGN_UP, changes))
    assert_refused(app, before, response, 400, message, field)
    assert client.get("/me").status_code == 302, "nobody is signed in"


@pytest.mark.parametrize(
    "fields, message",
    [
        pytest.param(
            {"pseudonym": "Lou", "password": "pas le bon"},
            "Pseudonym or password incorrect",
            id="wrong-password",
        ),
        pytest.param(
            {"pseudonym": "Personne", "password": PASSWORD},
            "Pseudonym or password incorrect",
            id="unknown-member",
        ),
        pytest.param({"pseudonym": "Lou"}, "Please enter your password", id="password-missing"),
        pytest.param({"password": PASSWORD}, EMPTY, id="pseudonym-missing"),
        pytest.param({"pseudonym": "Lou\x00", "password": PASSWORD}, INVALID, id="pseudonym-nul"),
        pytest.param({}, EMPTY, id="all-missing"),
    ],
)
def test_login_refuses_bad_input(app, client, world, fields, message):
    client.post("/logout")
    before = factories.database(app)
    response = client.post("/login", data=fields)
    assert_refused(app, before, response, 400, message)
    assert client.get("/me").status_code == 302, "nobody is signed in"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        pytest.param(
            {"current_password": "pas le bon"},
            "current_password",
            "not your current password",
            id="wrong-current",
        ),
        pytest.param(
            {"current_password": None},
            "current_password",
            "Please enter your password",
            id="current-missing",
        ),
        pytest.param(
            {"password": "court", "password_confirm": "court"},
            "password",
            "at least 10 characters",
            id="new-too-short",
        ),
        pytest.param(
            {"password_confirm": "autre chose encore"},
            "password_confirm",
            "not the same",
            id="mismatch",
        ),
        pytest.param(
            {"password": "nouveau\x00secret", "password_confirm": "nouveau\x00secret"},
            "password",
            "cannot be used",
            id="new-nul",
        ),
    ],
)
def test_password_change_refuses_bad_input(app, client, world, changes, field, message):
    valid = {
        "current_password": PASSWORD,
        "password": "un tout nouveau secret",
        "password_confirm": "un tout nouveau secret",
    }
    before = factories.database(app)
    response = send(client, "/me/password", with_changes(valid, changes))
    assert_refused(app, before, response, 400, message, field)
    assert client.get("/me").status_code == 200, "the member is still signed in"


def test_unknown_language_changes_nothing(app, client, world):
    before = factories.database(app)
    response = client.post("/language", data={"lang": "xx", "next": "/"})
    assert response.status_code == 302
    assert factories.database(app) == before
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


# --- sizes, ids and pages -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/boards/{board}/new",
        "/threads/{thread}/reply",
        "/posts/{root}/edit",
        "/posts/{root}/delete",
        "/posts/{answer}/react",
        "/me/password",
        "/language",
        "/logout",
    ],
)
def test_ten_megabytes_are_refused_with_413(app, client, world, url):
    before = factories.database(app)
    response = client.post(url.format(**world), data={"body": TEN_MB, "kind": "thanks"})
    assert_refused(app, before, response, 413, TOO_LARGE)
    assert client.get("/me").status_code == 200, "the member is still signed in"


@pytest.mark.parametrize("url", ["/login", "/register"])
def test_ten_megabytes_are_refused_with_413_before_signing_in(app, client, world, url):
    client.post("/logout")
    before = factories.database(app)
    response = client.post(url, data={**VALID_SIGN_UP, "pseudonym": "Lou", "body": TEN_MB})
    assert_refused(app, before, response, 413, TOO_LARGE)
    assert client.get("/me").status_code == 302, "nobody is signed in"


@pytest.mark.parametrize(
    "url",
    [
        "/threads/0",
        "/threads/-1",
        "/threads/99999999999",
        "/threads/abc",
        "/threads/424242",
        "/threads/424242/reply",
        "/posts/0",
        "/posts/99999999999",
        "/posts/424242",
        "/posts/abc/edit",
        "/posts/424242/edit",
        "/boards/nulle-part",
        "/boards/nulle-part/new",
    ],
)
def test_unknown_ids_are_404(app, client, world, url):
    before = factories.database(app)
    assert_refused(app, before, client.get(url), 404, NOT_FOUND)


@pytest.mark.parametrize(
    "url, fields",
    [
        ("/threads/424242/reply", VALID_REPLY),
        ("/threads/99999999999/reply", VALID_REPLY),
        ("/posts/424242/edit", VALID_EDIT),
        ("/posts/424242/delete", {}),
        ("/posts/99999999999/delete", {}),
        ("/posts/424242/react", {"kind": "thanks"}),
        ("/posts/abc/react", {"kind": "thanks"}),
        ("/boards/nulle-part/new", VALID_THREAD),
    ],
)
def test_posting_to_unknown_ids_is_404(app, client, world, url, fields):
    before = factories.database(app)
    assert_refused(app, before, client.post(url, data=fields), 404, NOT_FOUND)


@pytest.mark.parametrize(
    "page", ["-1", "0", "abc", "999999", "1.5", "1e3", "", " 1", "9" * 30, "1\x00"]
)
@pytest.mark.parametrize("where", ["board", "thread"])
def test_odd_page_numbers_are_404_or_the_first_page(app, client, world, where, page):
    url = f"/boards/{world['board']}" if where == "board" else f"/threads/{world['thread']}"
    response = client.get(url, query_string={"page": page})
    assert response.status_code in (200, 404)
    if response.status_code == 200:  # then it is the first page
        assert "Le sujet de Lou" in factories.text(response)
    else:
        assert NOT_FOUND in factories.text(response)
