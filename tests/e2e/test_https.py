"""Signing up, in and posting over HTTPS, with CSRF on, as production runs: gunicorn with
gunicorn.conf.py, serving TLS itself or behind a reverse proxy, and a real Chromium.

Over HTTPS, Flask-WTF wants a same-origin Referer on every form (WTF_CSRF_SSL_STRICT);
a page whose Referrer-Policy withheld it left nobody able to sign in. gunicorn, for its
part, believes X-Forwarded-Proto from 127.0.0.1 unless gunicorn.conf.py says otherwise.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from tests.conftest import IN_CI, ROOT
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

HSTS = "max-age=63072000; includeSubDomains"
BOARD = "deuil"  # a public board of forum/demo_content.py
PASSWORD = "une phrase de passe longue"
# What the proxy tests' requests look like: a browser at https://forum.example, through a
# proxy that passes the Host on and says who the client is and that it spoke HTTPS.
SITE = "forum.example"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
# Variables of the app, of gunicorn.conf.py and of gunicorn that must come from the test
# alone, not from the shell that runs it.
OWN_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "RATE_LIMITS",
    "SECRET_KEY",
    "MODERATION_MODEL",
    "MODERATION_MODELS_DIR",
    "TRUSTED_PROXIES",
    "FORWARDED_ALLOW_IPS",
    "GUNICORN_CMD_ARGS",
    "PYTHONPATH",
}
START_TIMEOUT = 60
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def environment(database: Path, **extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in OWN_VARIABLES}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY="https-test-secret",
        MODERATION_MODEL="tests.scorers:Calm",
        PYTHONPATH=str(ROOT),  # so that the app, and gunicorn's workers, find tests.scorers
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh SQLite database, made as an operator makes one: migrations, then the demo.
    On the test board a newcomer's first posts are not held, so a thread is open at once."""
    path = tmp_path_factory.mktemp("https") / "entrenous.db"
    for command in (
        ["db", "upgrade"],
        ["forum", "seed-demo"],
        ["moderation", "settings", BOARD, "--new-member-holds", "0"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *command],
            cwd=ROOT,
            env=environment(path),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    return path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    done = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return cert, key


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[Any]) -> None:
    """Ends gunicorn's master and its workers: they share the process group it leads."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        os.killpg(process.pid, signal.SIGKILL)  # whatever is left of the group
    except ProcessLookupError:
        pass
    process.wait()


class Server:
    def __init__(self, base: str, context: ssl.SSLContext | None) -> None:
        self.base = base
        self.address = urlsplit(base)
        self.context = context

    def connection(self) -> http.client.HTTPConnection:
        host, port = self.address.hostname or "", self.address.port or 0
        if self.context is not None:
            return http.client.HTTPSConnection(host, port, timeout=10, context=self.context)
        return http.client.HTTPConnection(host, port, timeout=10)

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, str]:
        connection = self.connection()
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response, response.read().decode()
        finally:
            connection.close()


@pytest.fixture
def gunicorn(database: Path, certificate: tuple[Path, Path], tmp_path: Path) -> Iterator[Callable]:
    """Starts `gunicorn -c gunicorn.conf.py` (TLS when asked) on a free port, and stops it
    at teardown whatever happened."""
    started: list[subprocess.Popen[bytes]] = []

    def start(tls: bool = False, **env: str) -> Server:
        port = _free_port()
        args = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "2"]
        # No control socket: its default path is shared by every gunicorn of this user.
        args += ["-b", f"127.0.0.1:{port}", "--no-control-socket"]
        context = None
        if tls:
            args += ["--certfile", str(certificate[0]), "--keyfile", str(certificate[1])]
            context = ssl.create_default_context(cafile=str(certificate[0]))
        log = tmp_path / f"gunicorn-{port}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*args, "app:create_app()"],
                cwd=ROOT,
                env=environment(database, **env),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        server = Server(f"{'https' if tls else 'http'}://127.0.0.1:{port}", context)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited ({process.returncode}):\n{log.read_text()}")
            try:
                if server.get("/static/style.css")[0].status == 200:
                    return server
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer in {START_TIMEOUT} s:\n{log.read_text()}")
            time.sleep(0.1)

    try:
        yield start
    finally:
        for process in started:
            _stop(process)


class ProxiedBrowser:
    """A browser at https://forum.example, as gunicorn sees it through a TLS proxy: every
    request carries the forwarding headers, the site's Host, and the browser's cookies
    and same-origin Referer.

    Chromium itself cannot play this part over plain HTTP: it would send an http://
    Referer, which the CSRF check rightly refuses once the request counts as HTTPS.
    """

    def __init__(self, server: Server) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}
        self.page = "/"

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, **headers: str
    ) -> tuple[http.client.HTTPResponse, str]:
        sent = {"Host": SITE, "Referer": f"https://{SITE}{self.page}", **FORWARDED, **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = self.server.connection()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        if method == "GET":
            self.page = path
        return response, text

    def token(self, page: str) -> str:
        """Opens a page and reads the CSRF token of its forms."""
        response, text = self.request("GET", page)
        assert response.status == 200, (page, response.status)
        token = CSRF_TOKEN.search(text)
        assert token, f"no CSRF token on {page}"
        return token.group(1)

    def submit(self, path: str, page: str | None = None, **fields: str) -> http.client.HTTPResponse:
        """Sends the form of `page` (by default, the page at `path`) to `path`."""
        token = self.token(page or path)
        return self.request("POST", path, {"csrf_token": token, **fields})[0]


def set_cookies(response: http.client.HTTPResponse) -> list[str]:
    return response.headers.get_all("Set-Cookie") or []


def sign_up_post_and_reply(browser: ProxiedBrowser, pseudonym: str) -> list[str]:
    """Signs up, starts a thread, replies, signs out and in again; returns every
    Set-Cookie line seen on the way."""
    cookies: list[str] = []
    response = browser.submit(
        "/register",
        pseudonym=pseudonym,
        password=PASSWORD,
        password_confirm=PASSWORD,
        accept_charter="y",
    )
    assert response.status == 302, response.status
    cookies += set_cookies(response)

    response = browser.submit(f"/boards/{BOARD}/new", title="Par le proxy", body="Premier mot.")
    assert response.status == 302, response.status
    thread = response.headers["Location"]
    assert re.fullmatch(r"/threads/\d+", thread), thread
    response = browser.submit(f"{thread}/reply", page=thread, body="Et une réponse.")
    assert response.status == 302, response.status
    page = browser.request("GET", thread)[1]
    assert "Premier mot." in page and "Et une réponse." in page

    response = browser.submit("/logout", page=thread)  # the sign-out button of every page
    assert response.status == 302, response.status
    assert browser.request("GET", "/me")[0].status == 302  # signed out
    response = browser.submit("/login", pseudonym=pseudonym, password=PASSWORD, remember="y")
    assert response.status == 302, response.status
    cookies += set_cookies(response)
    assert browser.request("GET", "/me")[0].status == 200
    return cookies


@pytest.fixture
def chromium() -> Iterator:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is missing: `make test` installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def send(page, button: str):  # type: ignore[no-untyped-def]
    """Clicks a form's button; the POST must be accepted (302), with our own Referer."""
    with page.expect_response(lambda response: response.request.method == "POST") as sent:
        page.click(button)
    response = sent.value
    page.wait_for_load_state()
    if response.status != 302:
        meta = page.locator("meta[name=referrer]")
        policies = [response.headers.get("referrer-policy")]
        policies += [meta.get_attribute("content")] if meta.count() else []
        pytest.fail(
            f"{response.url}: {response.status}, sent with Referer "
            f"{response.request.headers.get('referer')!r} (referrer policies: {policies})"
        )
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(page.url))
    assert response.request.headers["referer"].startswith(origin)
    return response


def test_over_https_a_browser_signs_up_posts_replies_and_signs_in_again(gunicorn, chromium):
    server = gunicorn(tls=True)
    context = chromium.new_context(locale="fr-FR", ignore_https_errors=True)
    page = context.new_page()

    home = page.goto(server.base + "/")
    assert home is not None and home.status == 200
    assert home.headers["strict-transport-security"] == HSTS
    page.click("header.site >> text=Rejoindre")
    page.fill("#pseudonym", "Mésange Sereine")
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.check("#accept_charter")
    send(page, "button:has-text('Créer mon compte')")
    assert "Bienvenue, Mésange Sereine" in page.inner_text("body")

    page.goto(f"{server.base}/boards/{BOARD}")
    page.click("text=Lancer une discussion")
    page.fill("#title", "Écrit en HTTPS")
    page.fill("#body", "Le formulaire est bien passé.")
    send(page, "button:has-text('Publier')")
    assert re.search(r"/threads/\d+$", page.url), page.url
    thread = page.url
    page.fill("#body", "Et la réponse aussi.")
    send(page, "#reply button:has-text('Répondre')")
    page.goto(thread)
    posts = page.locator("article.post").all_inner_texts()
    assert any("Le formulaire est bien passé." in post for post in posts), posts
    assert any("Et la réponse aussi." in post for post in posts), posts

    send(page, "header.site button:has-text('Se déconnecter')")
    page.click("header.site >> text=Se connecter")
    page.fill("#pseudonym", "Mésange Sereine")
    page.fill("#password", PASSWORD)
    page.check("#remember")
    send(page, "main button[type=submit]")
    assert "Mésange Sereine" in page.inner_text("header.site")

    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert {"session", "remember_token"} <= set(cookies)
    for cookie in cookies.values():
        assert cookie["secure"] and cookie["httpOnly"], cookie
    context.close()


def test_behind_a_trusted_proxy_members_sign_up_sign_in_and_post(gunicorn):
    server = gunicorn(TRUSTED_PROXIES="1")
    browser = ProxiedBrowser(server)
    response, _ = browser.request("GET", "/")
    assert response.headers["Strict-Transport-Security"] == HSTS
    assert response.headers["Referrer-Policy"] == "same-origin"
    # Only X-Forwarded-Proto, the proxy's header, tells HTTPS: not a client's X-Forwarded-Ssl.
    response, _ = server.get("/", {"X-Forwarded-Ssl": "on", "X-Forwarded-For": "203.0.113.9"})
    assert response.status == 200 and "Strict-Transport-Security" not in response.headers

    cookies = sign_up_post_and_reply(browser, "Héron Paisible")
    assert {line.split("=", 1)[0] for line in cookies} >= {"session", "remember_token"}
    for line in cookies:
        assert "; Secure" in line, line

    # CSRF is on: the same form is refused without the site's own Referer, sent otherwise.
    new = f"/boards/{BOARD}/new"
    fields = {"csrf_token": browser.token(new), "title": "Ailleurs", "body": "Un mot."}
    for referer in ("", "https://elsewhere.example/new", f"http://{SITE}{new}"):
        assert browser.request("POST", new, fields, Referer=referer)[0].status == 400, referer
    assert browser.request("POST", new, fields)[0].status == 302


@pytest.mark.parametrize("trusted", ["0", None], ids=["TRUSTED_PROXIES=0", "unset"])
def test_without_trusted_proxies_forwarded_headers_are_ignored(gunicorn, trusted):
    # FORWARDED_ALLOW_IPS alone must not bring trust back.
    env = {"FORWARDED_ALLOW_IPS": "127.0.0.1"}
    if trusted is not None:
        env["TRUSTED_PROXIES"] = trusted
    browser = ProxiedBrowser(gunicorn(**env))
    response, _ = browser.request("GET", "/")
    assert response.status == 200
    assert "Strict-Transport-Security" not in response.headers

    pseudonym = "Loutre Calme" if trusted else "Loutre Discrète"
    cookies = sign_up_post_and_reply(browser, pseudonym)
    assert {line.split("=", 1)[0] for line in cookies} >= {"session", "remember_token"}
    for line in cookies:
        assert "Secure" not in line, line


def test_an_invalid_trusted_proxies_stops_gunicorn_at_start(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket"]
        + ["-b", f"127.0.0.1:{_free_port()}", "app:create_app()"],
        cwd=ROOT,
        env=environment(tmp_path / "unused.db", TRUSTED_PROXIES="yes"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        _stop(process)
    assert process.returncode != 0
    assert "TRUSTED_PROXIES must be a number of proxies" in stderr
    # Refused by gunicorn.conf.py, before gunicorn listens: not by each worker in turn.
    assert "Listening at" not in stderr and "Booting worker" not in stderr
