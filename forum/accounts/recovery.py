"""Recovery codes: since there is no e-mail, a member sets a new password with one of
ten single-use codes shown once, when they are made. Only their SHA-256 digests are kept.

A code carries 79 random bits (16 characters of a 31-letter alphabet), so a fast digest
cannot be reversed or guessed through; attempts are also rate-limited like logins,
on counters of their own (a wrong code never keeps the password out).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from models import RecoveryCode, User, db, utcnow

from . import pseudonyms, services

COUNT = 10
# No 0/O, 1/I/L: codes are copied by hand.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 4, 4
# Right after sign-up, a member sees their first codes without typing the password again.
FIRST_CODES_WINDOW = timedelta(hours=1)


def _normalise(code: str) -> str:
    """What a member may type: any case, with or without dashes and spaces."""
    return "".join(ch for ch in code.lower() if ch.isalnum())[: GROUPS * GROUP_LENGTH + 8]


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(raw[i : i + GROUP_LENGTH] for i in range(0, len(raw), GROUP_LENGTH))


def issue(user: User) -> list[str]:
    """Ten new codes, replacing any earlier ones. The plain codes exist only in the answer."""
    codes = [_new_code() for _ in range(COUNT)]
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, digest=_digest(c)) for c in codes)
    db.session.commit()
    return codes


def remaining(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def ever_issued(user: User) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)
        )
    )


def may_see_first_codes(user: User) -> bool:
    """A new account that never had codes: the member who just signed up sees them once."""
    return not ever_issued(user) and user.created_at >= utcnow() - FIRST_CODES_WINDOW


def recover(pseudonym: str, code: str, new_password: str) -> tuple[User, int] | None:
    """Spend one code to set a new password: (member, codes left), or None for any wrong
    pseudonym or code (the same answer, so nobody learns which pseudonyms exist). Every
    other session of the member ends."""
    user = db.session.scalar(
        select(User).where(User.pseudonym_key == pseudonyms.identity_key(pseudonym))
    )
    digest = _digest(code)
    # Compare with every unused code of the account, in constant time each.
    candidates = (
        db.session.scalars(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
        if user is not None
        else []
    )
    match = None
    for candidate in candidates:
        if hmac.compare_digest(candidate.digest, digest):
            match = candidate
    if user is None or match is None:
        return None
    # Spent at most once, even when the same code arrives twice at the same moment.
    spent = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not spent:
        db.session.rollback()
        return None
    user.password_hash = services.hash_password(new_password)
    user.session_version += 1
    db.session.commit()
    return user, remaining(user)
