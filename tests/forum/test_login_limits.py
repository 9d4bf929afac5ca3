"""Limits on guessing passwords and on creating accounts, and what they keep: no address."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from models import User, db
from moderation.workflow import jobs
from tests import factories
from tests.conftest import IN_CI, database_url, make_app

ON = {"RATE_LIMITS": "on"}
# A Redis database of its own, flushed before and after each test that uses it.
REDIS_URL = "redis://127.0.0.1:6379/11"
ON_REDIS = {**ON, "REDIS_URL": REDIS_URL}
limits_on = pytest.mark.parametrize("app", [ON], indirect=True)
on_redis = pytest.mark.parametrize("app", [ON_REDIS], indirect=True)
ENGLISH = {"Accept-Language": "en"}
WRONG = "pas le bon mot de passe"
JOIN = {"password": "une phrase de passe", "password_confirm": "une phrase de passe"}


def attempt(client, pseudonym: str, password: str = WRONG, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        "/login",
        data={"pseudonym": pseudonym, "password": password},
        headers=ENGLISH,
        environ_base={"REMOTE_ADDR": address},
    )


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


@limits_on
def test_ten_failures_then_even_the_right_password_waits(client, members):
    fail(client, "Galet", 10)
    response = attempt(client, "Galet", factories.PASSWORD)
    assert refused(response)
    assert 'name="pseudonym"' in response.get_data(as_text=True)  # the sign-in page again
    assert client.get("/me").status_code == 302  # not signed in
    assert attempt(client, "galet", factories.PASSWORD).status_code == 429  # any case


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


@limits_on
def test_one_client_may_fail_fifty_times_whatever_the_accounts(client, members):
    for number in range(50):
        assert attempt(client, f"Inconnu{number}").status_code == 400
    assert refused(attempt(client, "Ruisseau", factories.PASSWORD))
    assert attempt(client, "Ruisseau", factories.PASSWORD, address="192.0.2.44").status_code == 302


@limits_on
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


@limits_on
def test_memory_storage_holds_no_address_and_no_pseudonym(app, client, members):
    address = "198.51.100.23"
    fail(client, "Galet", 3, address=address)
    storage = app.extensions["entrenous.limits"].limiter.limiter.storage
    kept = repr(storage.events) + repr(dict(storage.storage))
    assert "login-client" in kept and "login-account" in kept  # something was counted
    assert address not in kept and "galet" not in kept.lower()


@pytest.fixture
def redis_db() -> Iterator[object]:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisDown:
        if IN_CI:
            pytest.fail("CI=true but Redis does not answer")
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def second_worker(app, backend, request, tmp_path):  # type: ignore[no-untyped-def]
    """Another app on the same database and the same settings: another worker."""
    other = make_app(database_url(backend, request, tmp_path), **ON_REDIS)
    yield other
    jobs.stop(other)
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


@on_redis
def test_on_redis_the_limits_hold_across_workers(app, second_worker, members, redis_db):
    first, second = app.test_client(), second_worker.test_client()
    for _ in range(5):
        assert attempt(first, "Galet").status_code == 400
        assert attempt(second, "Galet").status_code == 400
    assert refused(attempt(first, "Galet", factories.PASSWORD))
    assert refused(attempt(second, "Galet", factories.PASSWORD))
    assert attempt(second, "Ruisseau", factories.PASSWORD).status_code == 302


@on_redis
def test_redis_holds_no_address_and_no_pseudonym(app, client, members, redis_db):
    address = "198.51.100.23"
    fail(client, "Galet", 3, address=address)
    assert join(app, "Colibri", address=address).status_code == 302
    keys = [key.decode() for key in redis_db.keys("*")]
    assert any("login-client" in key for key in keys) and any("register" in key for key in keys)
    values = [
        str(redis_db.lrange(key, 0, -1) if redis_db.type(key) == b"list" else redis_db.get(key))
        for key in keys
    ]
    kept = " ".join(keys + values)
    assert address not in kept and "127.0.0.1" not in kept and "galet" not in kept.lower()


@pytest.mark.parametrize("app", [{**ON, "REDIS_URL": "redis://127.0.0.1:9/0"}], indirect=True)
def test_without_redis_each_worker_still_counts(client, members, caplog):
    fail(client, "Galet", 10)
    assert refused(attempt(client, "Galet", factories.PASSWORD))
    assert attempt(client, "Ruisseau", factories.PASSWORD).status_code == 302
    warnings = [r for r in caplog.records if "rate-limit storage unavailable" in r.getMessage()]
    assert len(warnings) == 1  # then the process stops knocking for a while
