"""Logs that keep no one: no client address, browser or referring page in any log line, and
no database error that repeats what a member wrote.

Every log record of the process is scrubbed as it is made (a log record factory), whatever
logger makes it (gunicorn's error and access logs, werkzeug, Flask's, SQLAlchemy's, ours) and
whatever handler writes it, even one added later: Flask's default handler writes into
gunicorn's error log through `wsgi.errors`, past any filter set on gunicorn's handlers.

A scrubbed record holds its final text only: the arguments are merged into the message and
a traceback is formatted, scrubbed, and kept as text (`exc_text`) instead of the exception.
What goes:
- IPv4 and IPv6 addresses, anywhere in a message or a traceback, become "-". Four numbers
  of at most 255 joined by dots look exactly like an address, so a version number such as
  1.2.3.4 goes too: a lost version costs an operator little, a kept address breaks the
  promise. Three-part versions, times (12:34:56) and longer dotted numbers stay. The only
  addresses kept are the server's own when it says where it listens (gunicorn's "Listening
  at", werkzeug's "Running on"); gunicorn's list of its settings (debug level) loses them.
- During a request, its User-Agent, Referer and forwarding headers' values, wherever they
  appear.
- In gunicorn's access log, the atoms that carry them (`h`, `a`, `f`, `{user-agent}i`,
  `{x-forwarded-for}i`, `{remote_addr}e`...), whatever `access_log_format` says.
- Invitation codes in addresses (/join/CODE, ?invitation=CODE), even percent-encoded in
  another page's `next`: the request line would otherwise tie a sign-up to a group.
- PostgreSQL's DETAIL of an error ("Failing row contains (...)", "Key (...)=(...)"), which
  quotes the row's values. SQLAlchemy's `hide_parameters` (app.py) keeps the statement's
  parameters out; together, a database error names the statement and the constraint, never
  the member's text.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, has_request_context, request
from gunicorn import glogging

REMOVED = "-"
DETAIL_REMOVED = "[detail withheld: it quotes the row's values]"
# What the request's headers say about the client; gunicorn names a header atom
# "{name}i" and an environ atom "{name}e".
CLIENT_HEADERS = frozenset(
    {
        "user-agent",
        "referer",
        "x-forwarded-for",
        "x-real-ip",
        "forwarded",
        "true-client-ip",
        "cf-connecting-ip",
        "x-client-ip",
        "x-cluster-client-ip",
    }
)
CLIENT_ENVIRON = frozenset(
    {"remote_addr", "remote_port"} | {"http_" + name.replace("-", "_") for name in CLIENT_HEADERS}
)
CLIENT_ATOMS = frozenset({"h", "a", "f"})
# Shorter header values are not searched for in messages: replacing every "curl" or "x"
# would mangle the log, and so short a value tells little about a device.
SHORTEST_VALUE = 6
# Records in which a server says where it listens: its own address, not a client's.
SERVER_ANNOUNCEMENTS = {
    "gunicorn.error": frozenset({"Listening at: %s (%s)", "Listening at: %s"}),
}
WITHHELD = "a log record was withheld: it could not be checked for addresses"
ARGUMENTS_WITHHELD = "[arguments withheld: they do not fit the message]"

_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)")
# A run of hex digits, colons and dots holding at least two colons (then checked by
# ipaddress), with an optional zone: "::1", "fe80::1%eth0", "::ffff:192.0.2.1".
_IPV6 = re.compile(r"(?<![\w:.%])(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]+(?:%[\w.-]+)?")
# werkzeug's development server starts each request line with the client: "ADDRESS - - [".
_WERKZEUG_CLIENT = re.compile(r"^\S+(?= - - \[)")
# Secrets that travel in addresses and leave with the request line: an invitation's code
# in its link (/join/CODE) and on the sign-up page (?invitation=CODE), raw or, when a page
# carries its own address in a `next` parameter, percent-encoded (once or twice).
_SLASH, _EQUALS, _QUERY = r"(?:/|%2F|%252F)", r"(?:=|%3D|%253D)", r"(?:[?&]|%3F|%26|%253F|%2526)"
_URL_SECRETS = (
    re.compile(rf"({_SLASH}join{_SLASH})[^\s\"'&?#]+", re.IGNORECASE),
    re.compile(rf"({_QUERY}invitation{_EQUALS})[^\s\"'&#]+", re.IGNORECASE),
    # A member's private calendar link (/calendar/KEY.ics): the key shows where a group meets.
    re.compile(rf"({_SLASH}calendar{_SLASH})[^\s\"'&?#]+", re.IGNORECASE),
)


def without_url_secrets(text: str) -> str:
    """The text with every invitation code and private calendar key in an address
    replaced by "-"."""
    for pattern in _URL_SECRETS:
        text = pattern.sub(rf"\g<1>{REMOVED}", text)
    return text


def _ipv4(match: re.Match[str]) -> str:
    try:
        ipaddress.IPv4Address(match.group(0))
    except ValueError:
        return match.group(0)
    return REMOVED


def _ipv6(match: re.Match[str]) -> str:
    text = match.group(0)
    address, _, zone = text.partition("%")
    core = address.rstrip(":.") if not address.endswith("::") else address
    try:
        ipaddress.IPv6Address(core)
    except ValueError:
        return text
    return REMOVED + address[len(core) :] if not zone else REMOVED


def without_addresses(text: str) -> str:
    """The text with every IPv4 and IPv6 address replaced by "-"."""
    return _IPV4.sub(_ipv4, _IPV6.sub(_ipv6, text))


def _request_values() -> list[str]:
    """The current request's client address and identifying headers, longest first."""
    if not has_request_context():
        return []
    values = {request.environ.get("REMOTE_ADDR"), request.remote_addr}
    values.update(request.headers.get(name) for name in CLIENT_HEADERS)
    return sorted((v for v in values if v and len(v) >= SHORTEST_VALUE), key=len, reverse=True)


def _blank_client_atoms(atoms: dict[str, Any]) -> None:
    """Empties gunicorn's access-log atoms that carry the client's address or headers, and
    any other atom repeating one of their values."""
    client: set[str] = set()
    for key, value in atoms.items():
        if _is_client_atom(key):
            if isinstance(value, str) and value != REMOVED:
                client.add(value)
            atoms[key] = REMOVED
    searched = [value for value in client if len(value) >= SHORTEST_VALUE]
    for key, value in atoms.items():
        if isinstance(value, str) and any(known in value for known in searched):
            atoms[key] = REMOVED


def _is_client_atom(key: str) -> bool:
    if key in CLIENT_ATOMS:
        return True
    if key.startswith("{") and key.endswith(("}i", "}e")):
        name = key[1:-2].lower()
        return name in (CLIENT_HEADERS if key.endswith("}i") else CLIENT_ENVIRON)
    return False


def _database_details(record: logging.LogRecord) -> list[str]:
    """The DETAIL of every database error the record carries (in its arguments or its
    exception, following causes and SQLAlchemy's `orig`)."""
    pending: list[object] = []
    if isinstance(record.args, Mapping):
        pending += list(record.args.values())
    elif isinstance(record.args, tuple):
        pending += list(record.args)
    if record.exc_info:
        pending.append(record.exc_info[1])
    details, seen = [], set()
    while pending:
        error = pending.pop()
        if not isinstance(error, BaseException) or id(error) in seen:
            continue
        seen.add(id(error))
        pending += [getattr(error, "orig", None), error.__cause__, error.__context__]
        detail = getattr(getattr(error, "diag", None), "message_detail", None)
        if isinstance(detail, str) and detail:
            details.append(detail)
    return sorted(details, key=len, reverse=True)


def _announces_server(record: logging.LogRecord) -> bool:
    if not isinstance(record.msg, str):
        return False
    if record.msg in SERVER_ANNOUNCEMENTS.get(record.name, ()):
        return True
    if record.name == "werkzeug":
        lines = record.msg.splitlines()[1:]
        return bool(lines) and all(line.startswith(" * Running on") for line in lines)
    return False


def _scrubbed(text: str, values: Iterable[str], details: Iterable[str], addresses: bool) -> str:
    for detail in details:
        text = text.replace(detail, DETAIL_REMOVED)
    for value in values:
        text = text.replace(value, REMOVED)
    text = without_url_secrets(text)
    return without_addresses(text) if addresses else text


def scrub(record: logging.LogRecord) -> None:
    """Takes the client and the member's words out of a log record, in place. Never
    raises: a record that cannot be checked is replaced by a fixed message."""
    try:
        _scrub(record)
    except Exception:  # noqa: BLE001 -- logging must not break the caller, nor leak
        record.msg, record.args = WITHHELD, None
        record.exc_info, record.exc_text, record.stack_info = None, None, None


def _scrub(record: logging.LogRecord) -> None:
    if isinstance(record.args, glogging.SafeAtoms):
        _blank_client_atoms(record.args)
    values = _request_values()
    details = _database_details(record)
    addresses = not _announces_server(record)
    try:
        message = record.getMessage()
    except (TypeError, ValueError, KeyError):  # logging would print the arguments to stderr
        message = f"{record.msg} {ARGUMENTS_WITHHELD}"
    if record.name == "werkzeug":
        message = _WERKZEUG_CLIENT.sub(REMOVED, message, count=1)
    record.msg, record.args = _scrubbed(message, values, details, addresses), None
    if record.exc_info:
        record.exc_text = record.exc_text or logging.Formatter().formatException(record.exc_info)
        # The text alone is kept: a handler formatting the exception itself would see the
        # unscrubbed one.
        record.exc_info = None
    if record.exc_text:
        record.exc_text = _scrubbed(record.exc_text, values, details, True)
    if record.stack_info:
        record.stack_info = _scrubbed(record.stack_info, values, details, True)


def install() -> None:
    """Scrubs every log record this process makes from now on (once per process)."""
    making = logging.getLogRecordFactory()
    if getattr(making, "keeps_no_one", False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = making(*args, **kwargs)
        scrub(record)
        return record

    make.keeps_no_one = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)


class GunicornLogger(glogging.Logger):
    """gunicorn's logger (`logger_class` in gunicorn.conf.py): the scrubbing starts in the
    master, before it logs anything, and its workers inherit it when they fork, before they
    load the app or read a request."""

    def setup(self, cfg: Any) -> None:
        install()
        super().setup(cfg)


def init_app(app: Flask) -> None:
    """For every way the app runs: `flask run`, gunicorn without gunicorn.conf.py, the CLI."""
    install()
