"""Invitations: create, revoke, list, claim one use, purge.

An invitation is never linked to the accounts made with it: claiming a use only adds one
to its count, in the same transaction as the new account, so that a sign-up that fails
(a pseudonym just taken) uses nothing, and an invitation is never used past its count,
whatever the number of people signing up at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from models import Board, Invitation, User, db, utcnow, write_intent

from ..accounts import services as accounts
from . import codes

USES = (1, 50)
DEFAULT_USES = 15
# Hours an invitation works, as offered by the form: the meeting, the day, up to 24 h.
VALIDITY_HOURS = (2, 8, 24)
DEFAULT_HOURS = 24
# Working invitations a board may have at once: enough for every facilitator, not a flood.
MAX_LIVE = 20
# Expired or revoked invitations stay listed this long, then go for good.
KEEP_FOR = timedelta(days=7)
_ATTEMPTS = 5  # a new code drawn again on the (rare) clash with an existing one


class TooMany(Exception):
    """The board already has MAX_LIVE working invitations."""


class NotUsable(Exception):
    """The code does not work: unknown, expired, revoked or used up."""


@dataclass(frozen=True)
class Joined:
    user: User
    board_slug: str


def _usable(now: datetime) -> ColumnElement[bool]:
    return and_(
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
        Invitation.uses < Invitation.max_uses,
    )


def is_live(invitation: Invitation, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        invitation.revoked_at is None
        and invitation.expires_at > now
        and invitation.uses < invitation.max_uses
    )


def live(board: Board) -> list[Invitation]:
    """The board's invitations that still work, the soonest to expire first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.board_id == board.id, _usable(utcnow()))
            .order_by(Invitation.expires_at, Invitation.id)
        )
    )


def recent(board: Board, limit: int = 20) -> list[Invitation]:
    """The board's invitations that no longer work (until the purge takes them)."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.board_id == board.id, ~_usable(utcnow()))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
            .limit(limit)
        )
    )


def create(board: Board, creator: User, max_uses: int, hours: int) -> Invitation:
    """A new invitation for the board, with a code of its own."""
    now = utcnow()
    working = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.board_id == board.id, _usable(now))
    )
    if (working or 0) >= MAX_LIVE:
        db.session.rollback()
        raise TooMany
    for attempt in range(_ATTEMPTS):
        invitation = Invitation(
            board_id=board.id,
            code=codes.generate(),
            created_by_id=creator.id,
            max_uses=max_uses,
            uses=0,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        db.session.add(invitation)
        try:
            db.session.commit()
        except IntegrityError:  # the code exists already: draw another one
            db.session.rollback()
            if attempt == _ATTEMPTS - 1:
                raise
        else:
            return invitation
    raise AssertionError("unreachable")


def revoke(invitation: Invitation) -> bool:
    """Stop the invitation at once. False when it was revoked already."""
    done = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return done == 1


def find_live(code: str) -> tuple[Invitation, Board] | None:
    """The working invitation with this (normalised) code, and its board. Reads only."""
    found = db.session.execute(
        select(Invitation, Board)
        .join(Board, Board.id == Invitation.board_id)
        .where(Invitation.code == code, _usable(utcnow()))
    ).first()
    return (found[0], found[1]) if found else None


def register(code: str, pseudonym: str, password: str, locale: str | None) -> Joined:
    """Create the account and use one place of the invitation, in one transaction.

    The conditional UPDATE claims a place only while one is left and the invitation works;
    the database serialises concurrent claims on the row, so the count is never passed.
    `accounts.register` then adds the account and commits both; when the pseudonym was
    just taken it rolls both back (and raises `PseudonymUnavailable`): nothing is used.
    Raises NotUsable when the code does not work."""
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.code == code, _usable(utcnow()))
        .values(uses=Invitation.uses + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise NotUsable
    slug = db.session.scalars(
        select(Board.slug)
        .join(Invitation, Invitation.board_id == Board.id)
        .where(Invitation.code == code)
    ).one()
    user = accounts.register(pseudonym, password, locale)
    return Joined(user, slug)


def purge(now: datetime | None = None) -> int:
    """Delete the invitations expired or revoked more than KEEP_FOR ago. Safe to run in
    several processes at once: a row is deleted once, the others find nothing."""
    cutoff = (now or utcnow()) - KEEP_FOR
    old = or_(Invitation.expires_at < cutoff, Invitation.revoked_at < cutoff)
    # A read first: most minutes there is nothing to purge, and no write lock is taken.
    anything = db.session.scalar(select(exists().where(old)))
    db.session.rollback()
    if not anything:
        return 0
    with write_intent():
        try:
            deleted = db.session.execute(delete(Invitation).where(old)).rowcount
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return int(deleted or 0)
