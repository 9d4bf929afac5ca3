"""Security headers, cookies, sessions that end everywhere, and logs without addresses."""

from __future__ import annotations

import datetime
import logging
import re
import threading
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import factories

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
EVERY_RESPONSE = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
DENIED_FEATURES = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "interest-cohort",
    "browsing-topics",
]
HSTS = "max-age=63072000; includeSubDomains"
HTTPS = "https://localhost"
behind_a_proxy = pytest.mark.parametrize("app", [{"TRUSTED_PROXIES": "1"}], indirect=True)


def assert_hardened(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, name
    policy = dict(
        item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(",")
    )
    for feature in DENIED_FEATURES:
        assert policy.get(feature) == "()", feature


def cookies(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Set-Cookie lines by cookie name."""
    return {line.split("=", 1)[0]: line for line in response.headers.getlist("Set-Cookie")}


@pytest.fixture
def member(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        factories.user("Galet")
    return "Galet"


def sign_in(client, remember: bool = False, base_url: str | None = None):  # type: ignore[no-untyped-def]
    data = {"pseudonym": "Galet", "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    kwargs = {"base_url": base_url} if base_url else {}
    response = client.post("/login", data=data, **kwargs)
    assert response.status_code == 302
    return response


def test_a_visitor_page_carries_every_header_and_may_be_cached(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_hardened(response)
    assert "Strict-Transport-Security" not in response.headers
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Set-Cookie" not in response.headers


def test_the_policy_allows_no_inline_code_and_no_template_needs_it():
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    inline = re.compile(r"<script|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I)
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if inline.search(line)
    ]
    assert offenders == []


def test_a_signed_in_member_pages_are_never_stored(client, member):
    response = sign_in(client)
    assert response.headers["Cache-Control"] == "no-store"  # it sets the session cookie
    for path in ("/", "/me", "/nowhere"):
        response = client.get(path)
        assert_hardened(response)
        assert response.headers["Cache-Control"] == "no-store", path


def test_a_response_that_sets_a_cookie_is_never_stored(client):
    response = client.get("/language", query_string={"lang": "en"})
    assert response.status_code == 302
    assert "session" in cookies(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("signed_in", [False, True])
def test_static_files_carry_the_headers_and_stay_cacheable(client, member, signed_in):
    if signed_in:
        sign_in(client)
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert_hardened(response)
        assert "no-store" not in response.headers.get("Cache-Control", "")
        assert response.headers.get("ETag") or response.headers.get("Last-Modified")


def test_error_pages_carry_the_headers(client):
    response = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert_hardened(response)
    page = factories.text(response)
    assert "Page not found" in page and 'class="site"' in page  # the site's own layout


def test_over_https_transport_security_is_required_and_cookies_are_secure(client, member):
    response = client.get("/", base_url=HTTPS)
    assert response.headers["Strict-Transport-Security"] == HSTS
    set_cookies = cookies(sign_in(client, remember=True, base_url=HTTPS))
    assert {"session", "remember_token"} <= set(set_cookies)
    for line in set_cookies.values():
        assert "; Secure" in line and "; HttpOnly" in line and "SameSite=Lax" in line
    assert client.get("/me", base_url=HTTPS).status_code == 200
    response = client.post("/logout", base_url=HTTPS)
    for line in cookies(response).values():  # the cookies are taken back securely too
        assert "; Secure" in line


def test_over_plain_http_no_transport_security_and_no_secure_flag(client, member):
    response = sign_in(client, remember=True)
    assert "Strict-Transport-Security" not in response.headers
    set_cookies = cookies(response)
    assert {"session", "remember_token"} <= set(set_cookies)
    assert not any("Secure" in line for line in set_cookies.values())


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(client, member):
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in client.get("/", headers=forwarded).headers
    response = client.post(
        "/login", data={"pseudonym": "Galet", "password": factories.PASSWORD}, headers=forwarded
    )
    assert "Secure" not in cookies(response)["session"]


@behind_a_proxy
def test_behind_a_trusted_proxy_https_is_seen(client, member):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert client.get("/", headers=forwarded).headers["Strict-Transport-Security"] == HSTS
    response = client.post(
        "/login", data={"pseudonym": "Galet", "password": factories.PASSWORD}, headers=forwarded
    )
    assert "; Secure" in cookies(response)["session"]


def test_signing_out_ends_the_member_other_sessions(app, member):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here)
    sign_in(elsewhere)
    assert elsewhere.get("/me").status_code == 200
    assert here.post("/logout").status_code == 302
    assert here.get("/me").status_code == 302
    response = elsewhere.get("/me")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    sign_in(elsewhere)  # signing in again works
    assert elsewhere.get("/me").status_code == 200


def test_signing_out_ends_remember_me_cookies_elsewhere(app, member):
    kept, other = app.test_client(), app.test_client()
    sign_in(kept, remember=True)
    kept.delete_cookie("session")  # the browser was closed: only the remember-me cookie is left
    assert kept.get("/me").status_code == 200
    kept.delete_cookie("session")
    sign_in(other)
    other.post("/logout")
    assert kept.get_cookie("remember_token") is not None
    assert kept.get("/me").status_code == 302


def test_the_development_server_logs_no_client_address(app, caplog):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app)
    worker = threading.Thread(target=server.handle_request)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        worker.start()
        try:
            opener.open(f"http://127.0.0.1:{server.port}/static/style.css", timeout=10).read()
        finally:
            worker.join(10)
            server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /static/style.css" in line for line in lines), lines
    assert not any("127.0.0.1" in line for line in lines), lines


def test_gunicorn_access_log_keeps_no_client_address(app, tmp_path):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set(
        "access_log_format",
        '%(h)s %(l)s "%(r)s" %(s)s %({x-forwarded-for}i)s %({remote_addr}e)s %(a)s',
    )
    logger = Logger(cfg)
    access = logging.getLogger("gunicorn.access")
    try:
        environ = {
            "REMOTE_ADDR": "198.51.100.23",
            "REQUEST_METHOD": "GET",
            "RAW_URI": "/a-page",
            "PATH_INFO": "/a-page",
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_USER_AGENT": "test-agent",
        }
        request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "203.0.113.9, 198.51.100.23")])
        response = SimpleNamespace(status="200 OK", sent=12, headers=[])
        logger.access(response, request, environ, datetime.timedelta(milliseconds=3))
        for handler in access.handlers:
            handler.flush()
    finally:
        for handler in list(access.handlers):
            access.removeHandler(handler)
            handler.close()
        access.propagate = True
    line = (tmp_path / "access.log").read_text()
    assert '"GET /a-page HTTP/1.1" 200' in line
    assert "test-agent" not in line  # the browser is no more kept than the address
    assert "198.51.100.23" not in line and "203.0.113.9" not in line
