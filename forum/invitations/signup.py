"""Signing up with an invitation code: what the sign-up page calls when a code is given.

With a code that works, the per-network sign-up limit does not apply (a meeting room's
wifi is one network for the whole group); every other check of the form does. A code that
does not work is counted against this client (`security.count_invitation_code_failure`),
so that codes cannot be guessed through the form, and the form comes back with a message:
the person can correct the code, or leave it empty and sign up as anyone would.

Nothing of the invitation is kept with the account, in the session or in the logs
(forum/logs.py scrubs the code out of request lines).
"""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _

from .. import security
from . import codes, services


class Refused(Exception):
    """The code was not accepted: the message for the form, the status, seconds to wait."""

    def __init__(self, message: str, status: int = 400, wait: int = 0) -> None:
        super().__init__(message)
        self.message, self.status, self.wait = message, status, wait


def prefill() -> dict[str, str]:
    """The form's initial invitation field, from a link's `?invitation=` (a valid-looking
    code only, shown as XXXX-XXXX; anything else is left out)."""
    code = codes.normalize(request.args.get("invitation"))
    return {"invitation": codes.display(code)} if code else {}


def register(code: str, pseudonym: str, password: str, locale: str | None) -> services.Joined:
    """The account, made with one place of the invitation. Raises Refused, or
    `accounts.services.PseudonymUnavailable` (then no place was used)."""
    wait = security.invitation_code_wait()
    if wait:
        raise Refused(security.too_many_attempts(wait), 429, wait)
    try:
        return services.register(code, pseudonym, password, locale)
    except services.NotUsable:
        security.count_invitation_code_failure()
        raise Refused(
            _(
                "This invitation code does not work: it may be mistyped, used up, expired or "
                "revoked. You can also leave the field empty to join without it."
            )
        ) from None


def board_url(joined: services.Joined) -> str:
    return url_for("boards.board", slug=joined.board_slug)
