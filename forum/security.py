"""HTTP hardening: response headers, cookies, limits on signing in and up, address-free logs.

No IP address is kept anywhere: rate limits count a keyed hash of the address that changes
every day, and the access logs of the development server and of gunicorn lose it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple, Protocol, TypeVar

import flask
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import ngettext
from flask_limiter import Limiter
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter
from werkzeug.exceptions import TooManyRequests

from models import db, rate_limit, utcnow, write_intent

from . import logs
from .accounts import pseudonyms

log = logging.getLogger(__name__)

# Templates carry no inline script or style and every asset is served from static/, so
# nothing needs 'unsafe-inline' or another origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
# Same-origin, not no-referrer: over HTTPS, Flask-WTF refuses a form whose Referer is
# missing or from another origin (WTF_CSRF_SSL_STRICT), so a page must tell the browser to
# send it to the forum itself. No other site ever learns which page a member came from.
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"

# Guessing a secret: the OWASP Authentication Cheat Sheet ("Login Throttling", "Account
# Lockout": count failures against the account, but never let that counter lock its owner
# out) and OWASP ASVS 4.0.3 2.2.1 (rate limits that stop brute force *and* account lockout
# attacks; no more than 100 failed attempts per hour on one account). Only failures count:
# the right password is never slowed down by failures it did not make. Each secret counts
# - per account and client: a guesser at one address, or the member's own typos;
# - per client, whatever the accounts: one address trying pseudonym after pseudonym;
# - per account, from every client: guessers spread over many addresses. This cap stops only
#   the clients that already failed on the account within its window: a client without a
#   failure on it (the member's own, usually) still signs in, so nobody can lock a member
#   out with their public pseudonym; a new address gets one try before the cap holds it.
# Passwords and recovery codes are counted apart, so wrong codes never block the password.
# A password typed again while signed in (/me/password, /me/recovery-codes, /me/delete) is
# counted as a sign-in to that account: a stolen session guesses no faster than a stranger.


@dataclass(frozen=True)
class Guessing:
    """The limits on guessing one kind of secret."""

    scope: str
    per_account_and_client: RateLimitItem
    per_client: RateLimitItem
    per_account: RateLimitItem

    @property
    def failed_here(self) -> RateLimitItem:
        """A failure from this client on the account within the per-account window."""
        return type(self.per_account)(1, self.per_account.multiples)


# 10 per account and client: far more than a member trying their usual passwords needs.
# 50 per client: a shared address (a shelter, a library) with several members who mistype.
# 50 per account and hour: with the one try each new address gets, under ASVS's 100.
PASSWORDS = Guessing(
    "password", parse("10 per 15 minutes"), parse("50 per 15 minutes"), parse("50 per hour")
)
# The same numbers, counted apart. 79 random bits cannot be guessed through anyway.
RECOVERY_CODES = Guessing(
    "recovery-code", parse("10 per 15 minutes"), parse("50 per 15 minutes"), parse("50 per hour")
)
# Accounts created, not forms sent: a typo in the password confirmation costs nothing.
REGISTRATIONS_PER_CLIENT = parse("5 per hour")
# Invitation codes that do not work, typed at sign-up or followed to /join/<code>, per
# client: 31^8 codes leave nothing to guess at this pace, and a meeting room whose members
# mistype one has room to spare.
INVITATION_CODES_PER_CLIENT = parse("20 per 15 minutes")
# Counted events are forgotten after the longest window.
LONGEST_WINDOW = timedelta(
    seconds=max(
        REGISTRATIONS_PER_CLIENT.get_expiry(),
        INVITATION_CODES_PER_CLIENT.get_expiry(),
        *(
            rule.get_expiry()
            for kind in (PASSWORDS, RECOVERY_CODES)
            for rule in (kind.per_account_and_client, kind.per_client, kind.per_account)
        ),
    )
)
# 64 bits of HMAC-SHA256: enough to keep counters apart, useless without the secret key.
KEY_LENGTH = 16
EXTENSION = "entrenous.limits"
# After a storage failure, how long this process counts on its own before trying again.
STORAGE_RETRY_SECONDS = 30


class Response(flask.Response):
    """Every cookie set while answering an HTTPS request is Secure, and a response that
    sets a cookie is never stored by a cache.

    Flask saves the session after every `after_request` hook has run, Flask-Login's hook
    for the remember-me cookie may run after ours, and their `*_COOKIE_SECURE` settings
    cannot depend on the request: `set_cookie` is the one place every cookie goes through.
    """

    def set_cookie(self, key: str, *args: Any, **kwargs: Any) -> None:
        if has_request_context() and request.is_secure:
            kwargs["secure"] = True
        super().set_cookie(key, *args, **kwargs)
        self.headers["Cache-Control"] = "no-store"


def _security_headers(response: flask.Response) -> flask.Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    # A member's pages are theirs alone: no browser or proxy keeps them. Static files are
    # the same for everyone and stay cacheable.
    if request.endpoint != "static" and "_user_id" in session:
        response.headers["Cache-Control"] = "no-store"
    return response


class Counter(NamedTuple):
    rule: RateLimitItem
    scope: str
    key: str


class Store(Protocol):
    def waits(self, counters: Sequence[Counter]) -> list[float]:
        """Seconds until each counter has room for one more event; 0 when it has now."""

    def hit(self, counters: Sequence[Counter]) -> None:
        """Counts one event on each counter."""


@dataclass
class LimiterStore:
    """Flask-Limiter's moving windows: in Redis, or in this process's memory."""

    strategy: RateLimiter
    prefix: str

    def waits(self, counters: Sequence[Counter]) -> list[float]:
        waits = []
        for rule, scope, key in counters:
            stats = self.strategy.get_window_stats(rule, self.prefix, scope, key)
            waits.append(0.0 if stats.remaining > 0 else max(stats.reset_time - time.time(), 1))
        return waits

    def hit(self, counters: Sequence[Counter]) -> None:
        for rule, scope, key in counters:
            self.strategy.hit(rule, self.prefix, scope, key)


class DatabaseStore:
    """Moving windows in the `rate_limit_hits` table, which every worker shares.

    Each call is a short transaction on a connection of its own. On SQLite a writer holds
    the one write lock, and a POST begins the request's transaction IMMEDIATE: that one
    must end before the counter writes (after a failed check it has nothing to save), or
    the two would wait for each other until the busy timeout.
    """

    def waits(self, counters: Sequence[Counter]) -> list[float]:
        now = utcnow()
        waits = []
        with write_intent(False), db.engine.connect() as connection:
            for rule, scope, key in counters:
                window = timedelta(seconds=rule.get_expiry())
                newest = rate_limit.newest(connection, scope, key, now - window, rule.amount)
                full = len(newest) >= rule.amount
                waits.append(max((newest[-1] + window - now).total_seconds(), 1) if full else 0.0)
        return waits

    def hit(self, counters: Sequence[Counter]) -> None:
        request_session = db.session()
        if request_session.in_transaction():
            request_session.commit()
        now = utcnow()
        with write_intent(True), db.engine.begin() as connection:
            rate_limit.record(
                connection,
                [(scope, key) for _rule, scope, key in counters],
                now,
                now - LONGEST_WINDOW,
            )


T = TypeVar("T")


@dataclass
class Limits:
    """The app's rate-limit counters: in Redis when `REDIS_URL` is set, else in the
    database, so that the limits hold across workers either way. When that store fails,
    this process's memory stands in for a while rather than letting every guess in or
    locking every member out."""

    store: Store
    prefix: str
    enabled: bool = True
    _fallback: Store = field(init=False, repr=False)
    _retry_storage_at: float = 0.0

    def __post_init__(self) -> None:
        self._fallback = LimiterStore(MovingWindowRateLimiter(MemoryStorage()), self.prefix)

    def _use(self, operation: Callable[[Store], T]) -> T:
        if time.monotonic() >= self._retry_storage_at:
            try:
                return operation(self.store)
            except Exception:  # noqa: BLE001 - storage down: degrade, never fail the request
                log.warning(
                    "rate-limit storage unavailable; counting in this process for %d s",
                    STORAGE_RETRY_SECONDS,
                    exc_info=True,
                )
                self._retry_storage_at = time.monotonic() + STORAGE_RETRY_SECONDS
        return operation(self._fallback)

    def waits(self, *counters: Counter) -> list[float]:
        if not self.enabled:
            return [0.0] * len(counters)
        return self._use(lambda store: store.waits(counters))

    def count(self, *counters: Counter) -> None:
        if self.enabled:
            self._use(lambda store: store.hit(counters))


def _limits() -> Limits:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def _keyed(*parts: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    message = "\x1f".join(parts).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:KEY_LENGTH]


def client_key() -> str:
    """This client, as a keyed hash of its address that changes every day (UTC)."""
    return _keyed("client", time.strftime("%Y-%m-%d", time.gmtime()), request.remote_addr or "")


def account_key(pseudonym: str) -> str:
    """The account a sign-in aims at, computed alike whether or not it exists."""
    return _keyed("account", pseudonyms.identity_key(pseudonym))


def _guess_counters(kind: Guessing, pseudonym: str) -> tuple[Counter, ...]:
    account, client = account_key(pseudonym), client_key()
    pair = _keyed("pair", account, client)
    return (
        Counter(kind.per_account_and_client, f"{kind.scope}/account-client", pair),
        Counter(kind.per_client, f"{kind.scope}/client", client),
        Counter(kind.per_account, f"{kind.scope}/account", account),
        Counter(kind.failed_here, f"{kind.scope}/failed-here", pair),
    )


def guess_wait(kind: Guessing, pseudonym: str) -> int:
    """Seconds before this client may try this account's secret again; 0: now."""
    pair, client, account, failed_here = _limits().waits(*_guess_counters(kind, pseudonym))
    wait = max(pair, client)
    if account and failed_here:
        # Full, and this client failed on the account lately: it waits until either lapses.
        wait = max(wait, min(account, failed_here))
    return math.ceil(wait)


def count_failed_guess(kind: Guessing, pseudonym: str) -> None:
    _limits().count(*_guess_counters(kind, pseudonym))


def login_wait(pseudonym: str) -> int:
    """Seconds before this client may give a password for this pseudonym again; 0: now."""
    return guess_wait(PASSWORDS, pseudonym)


def count_login_failure(pseudonym: str) -> None:
    count_failed_guess(PASSWORDS, pseudonym)


def recovery_code_wait(pseudonym: str) -> int:
    return guess_wait(RECOVERY_CODES, pseudonym)


def count_recovery_code_failure(pseudonym: str) -> None:
    count_failed_guess(RECOVERY_CODES, pseudonym)


def _registrations() -> Counter:
    return Counter(REGISTRATIONS_PER_CLIENT, "register", client_key())


def check_registration_rate() -> None:
    """Refuses (429) a client that created too many accounts in the last hour."""
    (wait,) = _limits().waits(_registrations())
    if wait:
        raise TooManyRequests(retry_after=math.ceil(wait))


def count_registration() -> None:
    _limits().count(_registrations())


def _invitation_codes() -> Counter:
    return Counter(INVITATION_CODES_PER_CLIENT, "invitation-code", client_key())


def invitation_code_wait() -> int:
    """Seconds before this client may try an invitation code again; 0: now."""
    (wait,) = _limits().waits(_invitation_codes())
    return math.ceil(wait)


def count_invitation_code_failure() -> None:
    _limits().count(_invitation_codes())


def too_many_attempts(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many attempts. Please wait %(num)d minute before trying again.",
        "Too many attempts. Please wait %(num)d minutes before trying again.",
        minutes,
    )


def init_app(app: Flask) -> None:
    app.response_class = Response
    app.after_request(_security_headers)
    logs.init_app(app)

    app.config["RATELIMIT_ENABLED"] = str(app.config.get("RATE_LIMITS", "on")).lower() != "off"
    # Flask-Limiter's storage when one is named (Redis); else the database, which every
    # worker and server shares as it is.
    storage = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL")
    app.config["RATELIMIT_STORAGE_URI"] = storage or "memory://"
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "entrenous")
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        # A Redis that does not answer must not hang a sign-in.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 2, "socket_connect_timeout": 2}
        )
    prefix = app.config["RATELIMIT_KEY_PREFIX"]
    store: Store = DatabaseStore()
    if storage and app.config["RATELIMIT_ENABLED"]:  # (disabled, Flask-Limiter builds none)
        # One limiter per app, not a module-level one: Flask-Limiter keeps the storage on
        # the instance, and each app (each worker, each test) has its own configuration.
        # The limits are checked by the views, which alone know whether a sign-in failed.
        limiter = Limiter(key_func=client_key, auto_check=False)
        limiter.init_app(app)
        store = LimiterStore(limiter.limiter, prefix)
    app.extensions[EXTENSION] = Limits(store, prefix, enabled=app.config["RATELIMIT_ENABLED"])
