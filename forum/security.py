"""HTTP hardening: response headers, cookies, limits on signing in and up, address-free logs.

No IP address is kept anywhere: rate limits count a keyed hash of the address that changes
every day, and the access logs of the development server and of gunicorn lose it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

import flask
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import ngettext
from flask_limiter import Limiter
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter
from werkzeug.exceptions import TooManyRequests

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

# Only failures count: a member who types the right password is never slowed down. A
# success resets nothing either, so nobody ever gets more than these guesses per window.
LOGIN_FAILURES_PER_ACCOUNT = parse("10 per 15 minutes")
LOGIN_FAILURES_PER_CLIENT = parse("50 per 15 minutes")
# Accounts created, not forms sent: a typo in the password confirmation costs nothing.
REGISTRATIONS_PER_CLIENT = parse("5 per hour")
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


class WithoutClientAddress(logging.Filter):
    """Removes client addresses from access log lines.

    werkzeug's development server writes "ADDRESS - - [date] request"; gunicorn's access
    log (off unless `--access-logfile` is given) fills its format from a dict of atoms:
    `h`, the forwarding headers (`{x-forwarded-for}i`) and environ values
    (`{remote_addr}e`) carry addresses.
    """

    _WERKZEUG = re.compile(r"^\S+(?= - - \[)")
    _FORWARDING = frozenset(
        {"x-forwarded-for", "x-real-ip", "forwarded", "remote_addr"}
        | {"http_x_forwarded_for", "http_x_real_ip", "http_forwarded"}
    )

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self._WERKZEUG.sub("-", record.msg, count=1)
        if isinstance(record.args, dict):
            atoms = record.args
            address = atoms.get("h") if atoms.get("h") not in (None, "", "-") else None
            for key, value in list(atoms.items()):
                name = key[1:-2] if key.startswith("{") else key
                if (
                    key == "h"
                    or name in self._FORWARDING
                    or (address and isinstance(value, str) and str(address) in value)
                ):
                    atoms[key] = "-"
        return True


def _keep_addresses_out_of_logs() -> None:
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithoutClientAddress) for f in logger.filters):
            logger.addFilter(WithoutClientAddress())


@dataclass
class Limits:
    """The app's rate-limit counters, kept by Flask-Limiter's storage (Redis when
    `REDIS_URL` is set, so the limits hold across workers; else this process's memory).
    When Redis fails, this process's memory stands in rather than letting every guess in
    or locking every member out."""

    limiter: Limiter
    prefix: str
    _fallback: RateLimiter = field(
        default_factory=lambda: MovingWindowRateLimiter(MemoryStorage()), repr=False
    )
    _retry_storage_at: float = 0.0

    def _call(self, method: str, item: RateLimitItem, *key: str) -> Any:
        if time.monotonic() >= self._retry_storage_at:
            try:
                return getattr(self.limiter.limiter, method)(item, self.prefix, *key)
            except Exception:  # noqa: BLE001 - storage down: degrade, never fail the request
                log.warning(
                    "rate-limit storage unavailable; counting in this process for %d s",
                    STORAGE_RETRY_SECONDS,
                    exc_info=True,
                )
                self._retry_storage_at = time.monotonic() + STORAGE_RETRY_SECONDS
        return getattr(self._fallback, method)(item, self.prefix, *key)

    def wait(self, *counters: tuple[RateLimitItem, str, str]) -> int:
        """Seconds until every counter has room for one more; 0 when they have it now."""
        if not self.limiter.enabled:
            return 0
        wait = 0.0
        for item, scope, key in counters:
            if not self._call("test", item, scope, key):
                reset = self._call("get_window_stats", item, scope, key).reset_time
                wait = max(wait, reset - time.time(), 1)
        return math.ceil(wait)

    def count(self, *counters: tuple[RateLimitItem, str, str]) -> None:
        if self.limiter.enabled:
            for item, scope, key in counters:
                self._call("hit", item, scope, key)


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


def _login_counters(pseudonym: str) -> tuple[tuple[RateLimitItem, str, str], ...]:
    return (
        (LOGIN_FAILURES_PER_ACCOUNT, "login-account", account_key(pseudonym)),
        (LOGIN_FAILURES_PER_CLIENT, "login-client", client_key()),
    )


def login_wait(pseudonym: str) -> int:
    """Seconds before this client may try to sign in to this pseudonym again; 0: now."""
    return _limits().wait(*_login_counters(pseudonym))


def count_login_failure(pseudonym: str) -> None:
    _limits().count(*_login_counters(pseudonym))


def check_registration_rate() -> None:
    """Refuses (429) a client that created too many accounts in the last hour."""
    wait = _limits().wait((REGISTRATIONS_PER_CLIENT, "register", client_key()))
    if wait:
        raise TooManyRequests(retry_after=wait)


def count_registration() -> None:
    _limits().count((REGISTRATIONS_PER_CLIENT, "register", client_key()))


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
    _keep_addresses_out_of_logs()

    app.config["RATELIMIT_ENABLED"] = str(app.config.get("RATE_LIMITS", "on")).lower() != "off"
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "entrenous")
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        # A Redis that does not answer must not hang a sign-in.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 2, "socket_connect_timeout": 2}
        )
    # One limiter per app, not a module-level one: Flask-Limiter keeps the storage on the
    # instance, and each app (each worker, each test) has its own configuration. The
    # limits are checked by the views, which alone know whether a sign-in failed.
    limiter = Limiter(key_func=client_key, auto_check=False)
    limiter.init_app(app)
    app.extensions[EXTENSION] = Limits(limiter, app.config["RATELIMIT_KEY_PREFIX"])
