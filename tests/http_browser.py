"""A browser for tests that talk HTTP to a real server (gunicorn, werkzeug): its cookies,
a new connection for every request, and forms sent with their CSRF token."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    """One browser: its cookies, and a new connection for every request."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, Any, str]:
        headers = {"Accept-Language": "en", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = response.read().decode()
        finally:
            connection.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, page

    def submit(self, path: str, **fields: str) -> tuple[int, Any, str]:
        """Opens the page, then sends its form with its CSRF token."""
        status, _headers, page = self.request("GET", path)
        assert status == 200, (path, status)
        token = CSRF_TOKEN.search(page)
        assert token, f"no CSRF token on {path}"
        return self.request("POST", path, {"csrf_token": token.group(1), **fields})
