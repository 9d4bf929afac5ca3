"""Limits on guessing passwords and recovery codes and on creating accounts, which nobody
can turn against a member, and what they keep: no address, no pseudonym."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select

from forum.accounts import recovery
from models import RateLimitHit, User, db
from moderation.workflow import jobs
from tests import factories
from tests.conftest import database_url, locked_redis, make_app

ON = {"RATE_LIMITS": "on"}
# A Redis database of its own, flushed before and after each test that uses it, and held
# by one test run at a time on this machine (a file lock, released even if pytest dies).
REDIS_URL = "redis://127.0.0.1:6379/11"
ON_REDIS = {**ON, "REDIS_URL": REDIS_URL}
DEAD_REDIS = "redis://127.0.0.1:9/0"
limits_on = pytest.mark.parametrize("app", [ON], indirect=True)
on_redis = pytest.mark.parametrize("app", [ON_REDIS], indirect=True)
# The default storage (the database, what `gunicorn -w 4` without Redis uses) and Redis.
both_storages = pytest.mark.parametrize(
    "app", [ON, ON_REDIS], indirect=True, ids=["database", "redis"]
)
ENGLISH = {"Accept-Language": "en"}
WRONG = "pas le bon mot de passe"
JOIN = {"password": "une phrase de passe", "password_confirm": "une phrase de passe"}
OWNER, OTHER = "192.0.2.10", "198.51.100.66"  # the member's address, someone else's


def attempt(client, pseudonym: str, password: str = WRONG, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        "/login",
        data={"pseudonym": pseudonym, "password": password},
        headers=ENGLISH,
        environ_base={"REMOTE_ADDR": address},
    )


def try_code(client, pseudonym: str, code: str, address: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/recover",
        data={
            "pseudonym": pseudonym,
            "code": code,
            "password": "un autre mot de passe",
            "password_confirm": "un autre mot de passe",
        },
        headers=ENGLISH,
        environ_base={"REMOTE_ADDR": address},
    )


def wrong_code(number: int) -> str:
    """A well-formed code that is nobody's (its letters are not in the codes' alphabet)."""
    return f"iiii-llll-oooo-{number:04d}".replace("0", "o").replace("1", "l")


def fail(client, pseudonym: str, times: int, address: str = "127.0.0.1") -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        assert attempt(client, pseudonym, address=address).status_code == 400


def join(app, pseudonym: str, address: str = "127.0.0.1", forwarded_for: str | None = None):  # type: ignore[no-untyped-def]
    """Sign up from a fresh browser (a signed-in one is sent home instead)."""
    headers = {**ENGLISH, **({"X-Forwarded-For": forwarded_for} if forwarded_for else {})}
    return app.test_client().post(
        "/register",
        data={**JOIN, "pseudonym": pseudonym, "accept_charter": "y"},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def refused(response) -> bool:  # type: ignore[no-untyped-def]
    page = factories.text(response)
    return (
        response.status_code == 429
        and int(response.headers["Retry-After"]) > 0
        and re.search(r"Too many attempts\. Please wait \d+ minutes? before trying again", page)
        is not None
    )


def same_page(first, second, *pseudonyms: str) -> bool:  # type: ignore[no-untyped-def]
    """The two pages are the same, once the pseudonym typed and the CSRF token are set aside."""

    def neutral(response) -> str:  # type: ignore[no-untyped-def]
        page = response.get_data(as_text=True)
        page = re.sub(r'name="csrf_token" value="[^"]*"', "", page)
        for pseudonym in pseudonyms:
            page = page.replace(pseudonym, "PSEUDONYM")
        return page

    return first.status_code == second.status_code and neutral(first) == neutral(second)


@pytest.fixture
def members(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        factories.user("Galet")
        factories.user("Ruisseau")


def redis_11() -> contextlib.AbstractContextManager[Redis]:
    """Redis database 11, ours alone meanwhile, empty before and after."""
    return locked_redis(REDIS_URL)


@pytest.fixture(autouse=True)
def storage(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[Redis | None]:
    """Redis database 11 for a test whose app counts there; and for every test, a check
    that the storage answered: one that failed would count in this process's memory and
    pass these tests without holding across workers."""
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    if app is not None and app.config.get("REDIS_URL") == REDIS_URL:
        with redis_11() as connection:
            yield connection
    else:
        yield None
    if app is not None and app.config.get("REDIS_URL") != DEAD_REDIS:
        fallbacks = [r for r in caplog.records if "rate-limit storage" in r.getMessage()]
        assert not fallbacks, fallbacks[0].exc_text


def browser(app, address: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    """A browser of its own at `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@both_storages
def test_ten_failures_then_even_the_right_password_waits(client, members):
    fail(client, "Galet", 10)
    response = attempt(client, "Galet", factories.PASSWORD)
    assert refused(response)
    assert 'name="pseudonym"' in response.get_data(as_text=True)  # the sign-in page again
    assert client.get("/me").status_code == 302  # not signed in
    assert attempt(client, "galet", factories.PASSWORD).status_code == 429  # any case


@both_storages
def test_nobody_can_lock_a_member_out_with_their_pseudonym(app, members):
    """Issue 16, finding 3: 30 wrong recovery codes from another client used to make the
    member's right password wait. Now codes and passwords are counted apart, and failures
    per account and client: the other client is stopped, the member is not."""
    statuses = [
        try_code(app.test_client(), "Galet", wrong_code(n), OTHER).status_code for n in range(30)
    ]
    assert statuses == [400] * 10 + [429] * 20
    statuses = [attempt(app.test_client(), "Galet", address=OTHER).status_code for _ in range(30)]
    assert statuses == [400] * 10 + [429] * 20
    assert refused(attempt(app.test_client(), "Galet", factories.PASSWORD, address=OTHER))
    for _ in range(6):
        owner = app.test_client()
        assert attempt(owner, "Galet", factories.PASSWORD, address=OWNER).status_code == 302
        assert owner.get("/me").status_code == 200


@both_storages
def test_wrong_codes_never_count_against_the_password(app, members):
    for n in range(10):
        assert try_code(app.test_client(), "Galet", wrong_code(n), OWNER).status_code == 400
    assert refused(try_code(app.test_client(), "Galet", wrong_code(10), OWNER))
    # The same client, the same account: its password is another counter.
    assert attempt(app.test_client(), "Galet", factories.PASSWORD, OWNER).status_code == 302


@both_storages
def test_many_clients_reach_the_account_cap_but_a_clean_client_signs_in(app, members):
    """Per account, from every client: 50 failures an hour. Past that, a client that has
    failed on the account waits, even with the right password; one that never failed on it
    (the member's own, usually) signs in."""
    for n in range(5):
        fail(app.test_client(), "Galet", 10, address=f"203.0.113.{n}")
    late = "203.0.113.77"
    assert attempt(app.test_client(), "Galet", address=late).status_code == 400  # one try
    assert refused(attempt(app.test_client(), "Galet", factories.PASSWORD, address=late))
    assert attempt(app.test_client(), "Galet", factories.PASSWORD, OWNER).status_code == 302
    # Another account is another cap.
    assert attempt(app.test_client(), "Ruisseau", factories.PASSWORD, late).status_code == 302


@both_storages
def test_one_client_may_fail_fifty_times_whatever_the_accounts(client, members):
    for number in range(50):
        assert attempt(client, f"Inconnu{number}").status_code == 400
    assert refused(attempt(client, "Ruisseau", factories.PASSWORD))
    assert attempt(client, "Ruisseau", factories.PASSWORD, address="192.0.2.44").status_code == 302


@limits_on
def test_other_accounts_are_not_affected(client, members):
    fail(client, "Galet", 10)
    assert attempt(client, "Ruisseau", factories.PASSWORD).status_code == 302


@limits_on
def test_right_passwords_are_not_counted(app, members):
    for _ in range(12):
        browser = app.test_client()
        assert attempt(browser, "Galet", factories.PASSWORD).status_code == 302
    assert attempt(app.test_client(), "Galet", factories.PASSWORD).status_code == 302


@limits_on
def test_unknown_and_known_pseudonyms_get_the_same_answers(client, members):
    wrong, unknown = attempt(client, "Galet"), attempt(client, "Gilet")
    assert wrong.status_code == 400 and same_page(wrong, unknown, "Galet", "Gilet")
    fail(client, "Galet", 9)
    fail(client, "Gilet", 9)
    blocked, blocked_unknown = attempt(client, "Galet"), attempt(client, "Gilet")
    assert refused(blocked) and same_page(blocked, blocked_unknown, "Galet", "Gilet")


RE_ENTRIES = {
    "/me/password": lambda password: {
        "current_password": password,
        "password": "un mot de passe tout neuf",
        "password_confirm": "un mot de passe tout neuf",
    },
    "/me/recovery-codes": lambda password: {"password": password},
    "/me/delete": lambda password: {"password": password},
}


@pytest.mark.parametrize("path", list(RE_ENTRIES))
@both_storages
def test_a_signed_in_session_cannot_guess_the_password(app, members, path):
    """Issue 16, finding 5: a stolen session could try passwords where the member types
    theirs again, without end. These count as sign-ins to the account from this client."""
    form = RE_ENTRIES[path]
    with app.app_context():
        recovery.issue(db.session.scalars(select(User).where(User.pseudonym == "Galet")).one())
    thief = browser(app, OTHER)
    factories.login(thief, "Galet")
    for _ in range(10):
        assert thief.post(path, data=form(WRONG)).status_code == 400
    response = thief.post(path, data=form(factories.PASSWORD))  # even the right one waits
    assert refused(response)
    # Nothing changed, and this client's sign-in to the account waits as well...
    assert thief.get("/me").status_code == 200
    assert refused(attempt(app.test_client(), "Galet", factories.PASSWORD, address=OTHER))
    # ...but not the member's, elsewhere.
    owner = browser(app, OWNER)
    factories.login(owner, "Galet")
    assert owner.post(path, data=form(factories.PASSWORD)).status_code in (200, 302)


@both_storages
def test_wrong_passwords_while_signed_in_and_at_sign_in_share_one_budget(app, members):
    thief = browser(app, OTHER)
    factories.login(thief, "Galet")
    fail(app.test_client(), "Galet", 6, address=OTHER)
    for _ in range(4):
        assert thief.post("/me/delete", data={"password": WRONG}).status_code == 400
    assert refused(thief.post("/me/delete", data={"password": factories.PASSWORD}))
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 2  # nothing was erased


@both_storages
def test_five_accounts_per_hour_from_one_client(app):
    for number in range(5):
        assert join(app, f"Colibri{number}").status_code == 302
    response = join(app, "Colibri5")
    assert refused(response)
    page = factories.text(response)
    assert "Too many requests" in page and 'class="error-page"' in page  # the error template
    assert join(app, "Colibri6", address="192.0.2.44").status_code == 302  # another client
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 6


@limits_on
def test_failed_sign_ups_are_not_counted(app):
    for _ in range(8):
        response = join(app, "x")  # too short
        assert response.status_code == 400
    assert join(app, "Colibri").status_code == 302


@pytest.mark.parametrize("app", [{**ON, "TRUSTED_PROXIES": 1}], indirect=True)
def test_behind_a_trusted_proxy_clients_are_told_apart(app):
    for number in range(5):
        assert join(app, f"Colibri{number}", forwarded_for="203.0.113.9").status_code == 302
    assert join(app, "Colibri5", forwarded_for="203.0.113.9").status_code == 429
    assert join(app, "Colibri6", forwarded_for="198.51.100.4").status_code == 302


@limits_on
def test_forwarded_addresses_are_ignored_without_trusted_proxies(app):
    for number in range(5):
        assert join(app, f"Colibri{number}", forwarded_for=f"203.0.113.{number}").status_code == 302
    assert join(app, "Colibri5", forwarded_for="198.51.100.4").status_code == 429


def test_rate_limits_off_disables_them(app, client, members):
    assert app.config["RATE_LIMITS"] == "off" and app.config["RATELIMIT_ENABLED"] is False
    fail(client, "Galet", 15)
    assert attempt(client, "Galet", factories.PASSWORD).status_code == 302
    for number in range(7):
        assert join(app, f"Colibri{number}").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(RateLimitHit.id))) == 0


def counted(app) -> list[RateLimitHit]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session.scalars(select(RateLimitHit)))


@limits_on
def test_the_database_holds_no_address_and_no_pseudonym(app, client, members):
    address = "198.51.100.23"
    fail(client, "Galet", 3, address=address)
    try_code(client, "Galet", wrong_code(1), address)
    assert join(app, "Colibri", address=address).status_code == 302
    rows = counted(app)
    scopes = {row.scope for row in rows}
    assert {"password/account-client", "password/client", "password/account"} <= scopes
    assert {"recovery-code/account-client", "register"} <= scopes
    kept = " ".join(f"{row.scope} {row.key}" for row in rows)
    assert address not in kept and "127.0.0.1" not in kept and "galet" not in kept.lower()
    assert all(re.fullmatch(r"[0-9a-f]{16}", row.key) for row in rows)


def earlier(app, delay: timedelta) -> None:  # type: ignore[no-untyped-def]
    """As if every failure counted so far had happened `delay` earlier."""
    with app.app_context():
        for row in db.session.scalars(select(RateLimitHit)):
            row.at -= delay
        db.session.commit()


@limits_on
def test_the_window_moves_and_old_counts_are_purged(app, members):
    fail(app.test_client(), "Galet", 10, address=OTHER)
    assert refused(attempt(app.test_client(), "Galet", address=OTHER))
    earlier(app, timedelta(minutes=16))
    # Fifteen minutes later: ten more tries for this client (the account counts 50 an hour).
    fail(app.test_client(), "Galet", 10, address=OTHER)
    assert refused(attempt(app.test_client(), "Galet", address=OTHER))
    earlier(app, timedelta(hours=1))
    assert len(counted(app)) == 80
    fail(app.test_client(), "Galet", 1, address=OTHER)  # its count purges the expired ones
    assert len(counted(app)) == 4


@on_redis
def test_redis_holds_no_address_and_no_pseudonym(app, client, members, storage):
    address = "198.51.100.23"
    fail(client, "Galet", 3, address=address)
    try_code(client, "Galet", wrong_code(1), address)
    assert join(app, "Colibri", address=address).status_code == 302
    keys = [key.decode() for key in storage.keys("*")]
    for scope in ("password/client", "password/account-client", "recovery-code/", "register"):
        assert any(scope in key for key in keys), scope
    values = [
        str(storage.lrange(key, 0, -1) if storage.type(key) == b"list" else storage.get(key))
        for key in keys
    ]
    kept = " ".join(keys + values)
    assert address not in kept and "127.0.0.1" not in kept and "galet" not in kept.lower()
    assert counted(app) == []  # nothing in the database meanwhile


@pytest.fixture
def second_worker(app, backend, request, tmp_path):  # type: ignore[no-untyped-def]
    """Another app on the same database and the same settings: another worker."""
    settings = request.node.callspec.params["app"]
    other = make_app(database_url(backend, request, tmp_path), **settings)
    yield other
    jobs.stop(other)
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


@both_storages
def test_the_limits_hold_across_workers(app, second_worker, members):
    first, second = app.test_client(), second_worker.test_client()
    for _ in range(5):
        assert attempt(first, "Galet").status_code == 400
        assert attempt(second, "Galet").status_code == 400
    assert refused(attempt(first, "Galet", factories.PASSWORD))
    assert refused(attempt(second, "Galet", factories.PASSWORD))
    assert attempt(second, "Ruisseau", factories.PASSWORD).status_code == 302
    for number in range(5):
        assert join((app, second_worker)[number % 2], f"Colibri{number}").status_code == 302
    assert refused(join(app, "Colibri9"))
    assert refused(join(second_worker, "Pinson9"))


@pytest.mark.parametrize("app", [{**ON, "REDIS_URL": DEAD_REDIS}], indirect=True)
def test_without_redis_each_worker_still_counts(client, members, caplog):
    fail(client, "Galet", 10)
    assert refused(attempt(client, "Galet", factories.PASSWORD))
    assert attempt(client, "Ruisseau", factories.PASSWORD).status_code == 302
    warnings = [r for r in caplog.records if "rate-limit storage unavailable" in r.getMessage()]
    assert len(warnings) == 1  # then the process stops knocking for a while
