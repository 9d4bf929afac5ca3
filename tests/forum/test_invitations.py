"""Invitations at a meeting: a link or a short code that lets a group sign up together past
the per-network limit, used at most its count of times, never linked to the accounts made
with it, and shown to the group with a QR code drawn by the server."""

from __future__ import annotations

import contextlib
import html
import json
import logging
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
import segno
from sqlalchemy import func, select, update
from werkzeug.serving import make_server

from forum import logs
from forum.accounts import services as accounts
from forum.invitations import codes, services
from models import Board, Invitation, User, db, utcnow
from moderation.workflow import jobs
from tests import factories
from tests.conftest import database_url, make_app
from tests.http_browser import Browser

EN = {"Accept-Language": "en"}
ON = {"RATE_LIMITS": "on"}
limits_on = pytest.mark.parametrize("app", [ON], indirect=True)
PASSWORD = "une phrase de passe"
NOT_WORKING = "This invitation code does not work"
NOT_A_CODE = "This is not an invitation code"
GONE = "This invitation no longer works"
WELCOME = "You have been invited to join Entrenous by the group “Entraide”"


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    """Entraide, moderated by Phare; Deuil, moderated by Balise; Galet, a member."""
    with app.app_context():
        entraide = factories.board("entraide", name="Entraide")
        deuil = factories.board("deuil", name="Deuil")
        factories.moderator(entraide, factories.user("Phare"))
        factories.moderator(deuil, factories.user("Balise"))
        factories.user("Galet")


def invite(app, max_uses: int = 10, hours: int = 24, slug: str = "entraide") -> str:  # type: ignore[no-untyped-def]
    """A new invitation of the board, made by its moderator: its code."""
    with app.app_context():
        board = db.session.scalars(select(Board).where(Board.slug == slug)).one()
        creator = db.session.scalars(select(User).where(User.pseudonym == "Phare")).one()
        return services.create(board, creator, max_uses, hours).code


def stored(app, code: str) -> Invitation:  # type: ignore[no-untyped-def]
    with app.app_context():
        invitation = db.session.scalars(select(Invitation).where(Invitation.code == code)).one()
        db.session.expunge(invitation)
        return invitation


def change(app, code: str, **values) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.execute(update(Invitation).where(Invitation.code == code).values(**values))
        db.session.commit()


def accounts_count(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count(User.id))) or 0


def sign_up(app, pseudonym: str, code: str | None = None, address: str = "127.0.0.1", client=None):  # type: ignore[no-untyped-def]
    """Sign up from a fresh browser (or `client`), with an invitation code when given, as
    the link's page sends it (/register?invitation=CODE)."""
    data = {
        "pseudonym": pseudonym,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "accept_charter": "y",
    }
    url = "/register"
    if code is not None:
        data["invitation"] = code
        url += "?" + urlencode({"invitation": code})
    browser = client or app.test_client()
    return browser.post(url, data=data, headers=EN, environ_base={"REMOTE_ADDR": address})


def signed_in_as(app, pseudonym: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    factories.login(client, pseudonym)
    return client


# --- codes ---------------------------------------------------------------------------------


def test_codes_are_eight_unambiguous_characters():
    drawn = {codes.generate() for _ in range(2000)}
    assert len(drawn) == 2000
    assert all(len(code) == 8 and set(code) <= set(codes.ALPHABET) for code in drawn)
    assert not set("0O1IL") & set(codes.ALPHABET)
    assert codes.display("ABCDEF23") == "ABCD-EF23"


@pytest.mark.parametrize(
    "typed", ["ABCD-EF23", "abcd-ef23", "abcdef23", " Abcd Ef23 ", "AB-CD EF-23", "abcd\u00a0ef23"]
)
def test_codes_are_read_whatever_the_case_spaces_and_dashes(typed):
    assert codes.normalize(typed) == "ABCDEF23"


HOSTILE = [
    "ABCD-EF2",  # too short
    "ABCD-EF234",  # too long
    "ABCD-EF2O",  # O is not in the alphabet
    "ABCD-EF21",  # nor is 1
    "\u017fBCD-EF23",  # long s: "ſ".upper() is "S"
    "ＡBCD-EF23",  # fullwidth A
    "ABCD\u200bEF23",  # zero-width space
    "ABCD\u202eEF23",  # right-to-left override
    "ABCD\x00EF23",
    "A" * 100_000,
    "' OR 1=1 --",
    "ABCD'; DROP TABLE invitations; --",
    "../../etc/passwd",
    "%2e%2e%2fetc%2fpasswd",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("typed", HOSTILE)
def test_anything_else_is_not_a_code(typed):
    assert codes.normalize(typed) is None


# --- the moderators' pages -----------------------------------------------------------------


def test_a_moderator_creates_an_invitation_and_sees_it_listed(app, world):
    phare = signed_in_as(app, "Phare")
    assert "Invitations to “Entraide”" in factories.text(
        phare.get("/moderation/boards/entraide/invitations")
    )
    response = phare.post(
        "/moderation/boards/entraide/invitations", data={"uses": "12", "hours": "8"}
    )
    assert response.status_code == 302
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        assert (invitation.max_uses, invitation.uses, invitation.revoked_at) == (12, 0, None)
        hours = (invitation.expires_at - invitation.created_at) / timedelta(hours=1)
        assert hours == 8
        assert response.headers["Location"] == f"/moderation/invitations/{invitation.id}"
    page = factories.text(phare.get("/moderation/boards/entraide/invitations"))
    assert codes.display(invitation.code) in page and "Places used: 0 of 12" in page
    # The queue page leads to it.
    assert "/moderation/boards/entraide/invitations" in phare.get("/moderation").get_data(True)


def test_the_form_offers_fifteen_people_and_a_day_by_default(app, world):
    page = signed_in_as(app, "Phare").get("/moderation/boards/entraide/invitations")
    markup = page.get_data(as_text=True)
    assert re.search(r'name="uses"[^>]*value="15"', markup)
    assert re.search(r'name="hours" value="24" checked', markup)


@pytest.mark.parametrize(
    "uses, hours",
    [
        ("0", "24"),
        ("51", "24"),
        ("", "24"),
        ("douze", "24"),
        ("١٢", "24"),  # Arabic-Indic digits: int() would take them
        ("9" * 40, "24"),
        ("-3", "24"),
        ("12", "25"),
        ("12", "0"),
        ("12", ""),
        ("12", "24.0"),
    ],
)
def test_the_form_refuses_numbers_out_of_range_and_writes_nothing(app, world, uses, hours):
    before = factories.database(app)
    response = signed_in_as(app, "Phare").post(
        "/moderation/boards/entraide/invitations", data={"uses": uses, "hours": hours}
    )
    assert response.status_code == 400
    page = factories.text(response)
    assert "Please enter a whole number from 1 to 50." in page or (
        "Please choose one of the options offered." in page
    )
    assert factories.database(app)["invitations"] == before["invitations"] == []


def test_a_board_has_at_most_twenty_working_invitations(app, world):
    for _ in range(services.MAX_LIVE):
        invite(app)
    response = signed_in_as(app, "Phare").post(
        "/moderation/boards/entraide/invitations", data={"uses": "5", "hours": "2"}
    )
    assert response.status_code == 400
    assert "already has 20 invitations that work" in factories.text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == services.MAX_LIVE


def test_visitors_are_sent_to_sign_in(app, world):
    code = invite(app)
    invitation_id = stored(app, code).id
    client = app.test_client()
    for url in (
        "/moderation/boards/entraide/invitations",
        f"/moderation/invitations/{invitation_id}",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"/moderation/invitations/{invitation_id}/revoke")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert stored(app, code).revoked_at is None


@pytest.mark.parametrize("who", ["Galet", "Balise"])  # a member; another board's moderator
def test_only_the_boards_moderators_see_and_change_its_invitations(app, world, who):
    code = invite(app)
    invitation_id = stored(app, code).id
    client = signed_in_as(app, who)
    assert client.get("/moderation/boards/entraide/invitations").status_code == 403
    made = client.post("/moderation/boards/entraide/invitations", data={"uses": "5", "hours": "2"})
    assert made.status_code == 403
    page = client.get(f"/moderation/invitations/{invitation_id}")
    assert page.status_code == 403 and code not in page.get_data(as_text=True)
    assert client.post(f"/moderation/invitations/{invitation_id}/revoke").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 1
    assert stored(app, code).revoked_at is None


def test_unknown_boards_and_invitations_are_not_found(app, world):
    phare = signed_in_as(app, "Phare")
    assert phare.get("/moderation/boards/nowhere/invitations").status_code == 404
    assert phare.get("/moderation/invitations/999").status_code == 404
    assert phare.get(f"/moderation/invitations/{2**40}").status_code == 404
    assert phare.post("/moderation/invitations/999/revoke").status_code == 404


def _svg(page: str) -> str:
    found = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert len(found) == 1, found
    return found[0]


def _dark_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules segno's path draws, as (column, row) of the symbol (no border)."""
    path = re.search(r'<path[^>]*stroke="#000"[^>]*\bd="([^"]+)"', svg)
    assert path, svg[:300]
    x = y = 0.0
    dark = set()
    for command, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", path.group(1)):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            length = float(a) if command == "h" else float(a) - x
            dark.update((int(x) + i - 4, int(y) - 4) for i in range(int(length)))
            x += length
    return dark


def test_the_facilitators_page_shows_the_link_the_code_and_a_qr_code_of_the_link(app, world):
    code = invite(app, max_uses=15)
    invitation_id = stored(app, code).id
    change(app, code, uses=3)
    response = signed_in_as(app, "Phare").get(f"/moderation/invitations/{invitation_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    link = f"http://localhost/join/{code}"
    assert f'href="{link}"' in page and codes.display(code) in page
    assert "12 places left, of 15" in factories.text(response)
    svg = _svg(page)
    # Inline, and nothing to fetch: no address, no image, no link, no script, no style.
    for outside in ("http", "href", "<image", "<use", "<script", "<style", "url(", "style="):
        assert outside not in svg, outside
    # An accessible name, and the same modules as segno's own code of the link.
    assert "<title>QR code of the invitation link</title>" in svg
    assert _dark_modules(svg) == {
        (column, row)
        for row, values in enumerate(segno.make(link, error="m").matrix)
        for column, value in enumerate(values)
        if value
    }
    assert _dark_modules(svg) != {
        (column, row)
        for row, values in enumerate(segno.make(link + "X", error="m").matrix)
        for column, value in enumerate(values)
        if value
    }


def test_a_revoked_invitation_stops_working_at_once(app, world):
    code = invite(app)
    invitation_id = stored(app, code).id
    phare = signed_in_as(app, "Phare")
    response = phare.post(f"/moderation/invitations/{invitation_id}/revoke")
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/boards/entraide/invitations"
    revoked_at = stored(app, code).revoked_at
    assert revoked_at is not None
    page = factories.text(phare.get("/moderation/boards/entraide/invitations"))
    assert "No invitation works at the moment." in page and "revoked" in page
    shown = factories.text(phare.get(f"/moderation/invitations/{invitation_id}"))
    assert "This invitation was revoked" in shown and "<svg" not in shown
    phare.post(f"/moderation/invitations/{invitation_id}/revoke")  # again: nothing changes
    assert stored(app, code).revoked_at == revoked_at
    assert app.test_client().get(f"/join/{code}").status_code == 404


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_with_csrf_on_the_real_form_creates_an_invitation(app, world):
    client = app.test_client()
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    login = token.search(client.get("/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    signed = client.post(
        "/login", data={"pseudonym": "Phare", "password": factories.PASSWORD, "csrf_token": login}
    )
    assert signed.status_code == 302
    url = "/moderation/boards/entraide/invitations"
    assert client.post(url, data={"uses": "5", "hours": "2"}).status_code == 400  # no token
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0
    form = token.findall(client.get(url).get_data(as_text=True))[-1]
    made = client.post(url, data={"uses": "5", "hours": "2", "csrf_token": form})
    assert made.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Invitation.max_uses)).all() == [5]


# --- the link and the sign-up --------------------------------------------------------------


@pytest.mark.parametrize("written", [str.upper, str.lower, codes.display])
def test_the_link_opens_a_warm_page_and_uses_nothing(app, world, written):
    code = invite(app)
    before = factories.database(app)
    response = app.test_client().get(f"/join/{written(code)}", headers=EN)
    assert response.status_code == 200
    page = factories.text(response)
    assert WELCOME in page and "You choose your pseudonym alone" in page
    assert f'href="/register?invitation={code}"' in response.get_data(as_text=True)
    assert factories.database(app) == before


def test_the_sign_up_page_fills_in_the_code_from_the_link(app, world):
    code = invite(app)
    page = app.test_client().get(f"/register?invitation={code.lower()}", headers=EN)
    assert f'value="{codes.display(code)}"' in page.get_data(as_text=True)
    assert "Invitation code (optional)" in factories.text(page)
    hostile = app.test_client().get("/register?" + urlencode({"invitation": "<b>x</b>" * 50}))
    assert hostile.status_code == 200 and "&lt;b&gt;" not in hostile.get_data(as_text=True)


def test_signing_up_with_an_invitation_uses_one_place_and_leads_to_the_board(app, world):
    code = invite(app, max_uses=3)
    response = sign_up(app, "Colibri", codes.display(code).lower())
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/recovery-codes?next=/boards/entraide"
    assert stored(app, code).uses == 1
    with app.app_context():
        assert db.session.scalars(select(User).where(User.pseudonym == "Colibri")).one()


@limits_on
def test_an_invitation_lets_a_group_sign_up_past_the_per_network_limit(app, world):
    for number in range(5):
        assert sign_up(app, f"Colibri{number}").status_code == 302
    refused = sign_up(app, "Colibri5")
    assert refused.status_code == 429
    code = invite(app, max_uses=10)
    for number in range(5, 15):
        assert sign_up(app, f"Colibri{number}", code).status_code == 302, number
    beyond = sign_up(app, "Colibri15", code)
    assert beyond.status_code == 400 and NOT_WORKING in factories.text(beyond)
    assert sign_up(app, "Colibri15").status_code == 429  # without it, the usual limit holds
    assert sign_up(app, "Colibri15", address="192.0.2.44").status_code == 302  # elsewhere
    assert stored(app, code).uses == 10
    assert accounts_count(app) == 3 + 16


def test_an_invitation_is_never_used_past_its_count_by_concurrent_sign_ups(
    app, world, backend, monkeypatch
):
    code = invite(app, max_uses=2)
    people = 6
    if backend == "postgresql":
        # Make the race happen where it matters: all six claim a place at the same moment.
        # (On SQLite a writing request holds the database's one write lock from its first
        # statement: the six are serialised by design, and the barrier below starts them.)
        at_claim = threading.Barrier(people, timeout=30)
        monkeypatch.setattr(
            "forum.invitations.signup.security.invitation_code_wait",
            lambda: at_claim.wait() * 0,
        )
    start = threading.Barrier(people, timeout=30)
    clients = [app.test_client() for _ in range(people)]
    results: list = [None] * people

    def join(number: int) -> None:
        start.wait()
        results[number] = sign_up(app, f"Ensemble{number}", code, client=clients[number])

    threads = [threading.Thread(target=join, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(response.status_code for response in results)
    assert statuses == [302, 302] + [400] * (people - 2)
    for response in results:
        if response.status_code == 400:
            assert NOT_WORKING in factories.text(response)
    assert stored(app, code).uses == 2
    with app.app_context():
        made = db.session.scalars(select(User.pseudonym).where(User.pseudonym.like("Ensemble%")))
        assert len(made.all()) == 2


@pytest.mark.parametrize("state", ["expired", "revoked", "used up"])
def test_an_invitation_that_ended_opens_a_kind_page_and_signs_nobody_up(app, world, state):
    code = invite(app, max_uses=4)
    values = {
        "expired": {"expires_at": utcnow() - timedelta(minutes=1)},
        "revoked": {"revoked_at": utcnow()},
        "used up": {"uses": 4},
    }[state]
    change(app, code, **values)
    page = app.test_client().get(f"/join/{code}", headers=EN)
    assert page.status_code == 404
    text = factories.text(page)
    assert GONE in text and "You can still join Entrenous" in text and "Entraide" not in text
    before = factories.database(app)
    response = sign_up(app, "Colibri", code)
    assert response.status_code == 400
    text = factories.text(response)
    assert NOT_WORKING in text and 'value="Colibri"' in response.get_data(as_text=True)
    assert PASSWORD not in response.get_data(as_text=True)  # passwords are typed again
    assert factories.database(app) == before


@pytest.mark.parametrize("typed", HOSTILE)
def test_hostile_codes_get_a_clear_answer_and_write_nothing(app, world, typed):
    invite(app)
    before = factories.database(app)
    response = sign_up(app, "Colibri", typed)
    assert response.status_code == 400
    assert NOT_A_CODE in factories.text(response)
    page = app.test_client().get("/join/" + quote(typed, safe=""), headers=EN)
    assert page.status_code == 404
    assert GONE in factories.text(page) or "Page not found" in factories.text(page)
    assert factories.database(app) == before


@pytest.mark.parametrize(
    "path", ["/join/../../etc/passwd", "/join/..%2F..%2Fetc%2Fpasswd", "/join/%00", "/join/"]
)
def test_odd_join_addresses_are_not_found(app, world, path):
    before = factories.database(app)
    assert app.test_client().get(path).status_code == 404
    assert factories.database(app) == before


def test_a_pseudonym_taken_uses_no_place(app, world, monkeypatch):
    code = invite(app, max_uses=3)
    taken = sign_up(app, "Galet", code)
    assert taken.status_code == 400 and stored(app, code).uses == 0
    # Taken between the form's check and the insert (a concurrent sign-up): the place the
    # claim took is given back with the rolled-back account.
    monkeypatch.setattr(accounts, "find_similar", lambda _value: None)
    raced = sign_up(app, "Galet", code)
    assert raced.status_code == 400
    assert "This pseudonym was just taken" in factories.text(raced)
    assert stored(app, code).uses == 0
    assert accounts_count(app) == 3


@limits_on
def test_wrong_codes_are_counted_and_guessing_is_throttled(app, world):
    code = invite(app)
    for _ in range(5):  # not codes at all: nothing to guess, nothing counted
        assert sign_up(app, "Colibri", "nope").status_code == 400
    guesser = app.test_client()
    for letter in codes.ALPHABET[:10]:  # well-formed, and nobody's
        assert sign_up(app, "Colibri", f"ABCD-{letter}XYZ", client=guesser).status_code == 400
    for letter in codes.ALPHABET[10:20]:
        assert guesser.get(f"/join/ABCD{letter}XYZ").status_code == 404
    blocked = sign_up(app, "Colibri", code)  # the right code, once the client is blocked
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts" in factories.text(blocked)
    page = app.test_client().get(f"/join/{code}", headers=EN)
    assert page.status_code == 429 and "Too many attempts" in factories.text(page)
    assert stored(app, code).uses == 0
    assert sign_up(app, "Colibri", code, address="192.0.2.44").status_code == 302  # elsewhere


# --- nothing links the account to the invitation -------------------------------------------


@contextlib.contextmanager
def served(app) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Browser(server.port)
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()


def test_nothing_links_the_new_account_to_the_invitation(app, world, caplog):
    code = invite(app, max_uses=5)
    before = factories.database(app)
    caplog.set_level(logging.DEBUG)
    form = {
        "pseudonym": "Colibri",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "accept_charter": "y",
        "invitation": codes.display(code),
    }
    with served(app) as browser:
        assert browser.request("GET", f"/join/{code}")[0] == 200
        # The page's own links carry its address (language, sign in): percent-encoded.
        assert browser.request("GET", f"/language?lang=fr&next=%2Fjoin%2F{code}")[0] == 302
        assert browser.request("GET", f"/register?invitation={code}")[0] == 200
        assert browser.request("POST", f"/register?invitation={code}", form)[0] == 302
        status, _headers, exported = browser.request("GET", "/me/export")
        assert status == 200
        session = app.session_interface.get_signing_serializer(app).loads(  # type: ignore[attr-defined]
            browser.cookies["session"]
        )
    after = factories.database(app)

    # In the database: one more account, one more place used, nothing else.
    changed = {table for table in after if after[table] != before[table]}
    assert changed == {"users", "invitations"}
    (was,), (now,) = before["invitations"], after["invitations"]
    columns = [c.name for c in Invitation.__table__.columns]
    differ = {name for name, old, new in zip(columns, was, now, strict=True) if old != new}
    assert differ == {"uses"}
    (user_row,) = [row for row in after["users"] if row not in before["users"]]
    traces = {code, codes.display(code), "entraide", "Entraide"}
    assert not any(trace in str(value) for value in user_row for trace in traces)

    # In the session, in the member's copy of their data: nothing.
    assert "_user_id" in session
    kept = repr(session)
    assert code not in kept and "invit" not in kept.lower() and "entraide" not in kept
    copy = json.dumps(json.loads(exported), ensure_ascii=False)
    assert '"pseudonym": "Colibri"' in copy
    for trace in (*traces, "invitation", "Invitation"):
        assert trace not in copy, trace

    # In the logs: the request lines are there, without the code.
    requests = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET /join/- HTTP/1.1" 200' in line for line in requests), requests
    assert any("POST /register?invitation=- HTTP/1.1" in line for line in requests)
    assert any("GET /language?lang=fr&next=/join/- HTTP/1.1" in line for line in requests)
    written = "\n".join(record.getMessage() for record in caplog.records)
    assert code not in written and codes.display(code) not in written


def test_request_lines_lose_the_code_in_every_form(app):
    from gunicorn.glogging import SafeAtoms

    code = "ABCDEF23"
    lines = [
        (f"GET /join/{code} HTTP/1.1", "GET /join/- HTTP/1.1"),
        (f"POST /register?invitation={code} HTTP/1.1", "POST /register?invitation=- HTTP/1.1"),
        ("GET /register?invitation=abcd-ef23&next=/x", "GET /register?invitation=-&next=/x"),
        (f"GET /language?lang=en&next=%2Fjoin%2F{code}", "GET /language?lang=en&next=%2Fjoin%2F-"),
        (
            f"GET /login?next=%2Fregister%3Finvitation%3D{code}",
            "GET /login?next=%2Fregister%3Finvitation%3D-",
        ),
        ("GET /boards/joinery HTTP/1.1", "GET /boards/joinery HTTP/1.1"),
    ]
    for line, kept in lines:
        assert logs.without_url_secrets(line) == kept

    # As the servers write them: werkzeug's request line, and gunicorn's atoms.
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    keep = Keep()
    for name in ("werkzeug", "gunicorn.access"):
        logging.getLogger(name).addHandler(keep)
    try:
        logging.getLogger("werkzeug").warning(
            '%s - - [%s] "%s" %s -', "192.0.2.8", "now", f"GET /join/{code} HTTP/1.1", 200
        )
        atoms = SafeAtoms(
            {
                "r": f"GET /register?invitation={code} HTTP/1.1",
                "U": "/register",
                "q": f"invitation={code}",
                "s": "200",
            }
        )
        logging.getLogger("gunicorn.access").warning('"%(r)s" %(s)s %(U)s?%(q)s', atoms)
    finally:
        for name in ("werkzeug", "gunicorn.access"):
            logging.getLogger(name).removeHandler(keep)
    assert seen == [
        '- - - [now] "GET /join/- HTTP/1.1" 200 -',
        '"GET /register?invitation=- HTTP/1.1" 200 /register?invitation=-',
    ]


# --- the purge -----------------------------------------------------------------------------


def test_invitations_ended_a_week_ago_are_purged_by_a_periodic_task(app, world):
    assert services.purge in app.extensions[jobs.PERIODIC]
    now = utcnow()
    expired_long, revoked_long, expired_lately, revoked_lately, working = (
        invite(app) for _ in range(5)
    )
    change(app, expired_long, expires_at=now - timedelta(days=7, minutes=1))
    change(app, revoked_long, revoked_at=now - timedelta(days=8))
    change(app, expired_lately, expires_at=now - timedelta(days=6))
    change(app, revoked_lately, revoked_at=now - timedelta(days=1))
    with app.app_context():
        assert services.purge() == 2
        assert services.purge() == 0  # another process, a moment later: nothing left
        left = set(db.session.scalars(select(Invitation.code)))
    assert left == {expired_lately, revoked_lately, working}


def test_the_purge_is_safe_in_several_processes_at_once(app, world, backend, request, tmp_path):
    """Two apps (as two processes would be) purge the same rows at the same moment."""
    now = utcnow()
    for _ in range(20):
        change(app, invite(app), expires_at=now - timedelta(days=9))
    other = make_app(database_url(backend, request, tmp_path))
    start = threading.Barrier(2, timeout=30)
    counts: list[int] = []
    failures: list[BaseException] = []

    def purge(application) -> None:  # type: ignore[no-untyped-def]
        with application.app_context():
            start.wait()
            try:
                counts.append(services.purge())
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=purge, args=(a,)) for a in (app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == [] and sum(counts) == 20
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_the_join_page_escapes_the_board_name(app, world):
    with app.app_context():
        board = db.session.scalars(select(Board).where(Board.slug == "entraide")).one()
        board.name = "<img src=x onerror=alert(1)>"
        db.session.commit()
    code = invite(app)
    page = app.test_client().get(f"/join/{code}").get_data(as_text=True)
    assert "<img src=x" not in page and html.escape("<img src=x") in page
