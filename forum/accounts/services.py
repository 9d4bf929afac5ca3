"""Account operations. Each function owns its transaction."""

from __future__ import annotations

import hmac
from functools import lru_cache

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from models import User, db, utcnow

from . import pseudonyms

CHARTER_VERSION = "2026-11-20"
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024
PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hash method name: werkzeug's memory-hard scrypt


def hash_password(password: str) -> str:
    # Tests may choose cheaper scrypt parameters through PASSWORD_HASH_METHOD.
    method = current_app.config.get("PASSWORD_HASH_METHOD", PASSWORD_METHOD)
    return generate_password_hash(password, method=method)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """Checked when a pseudonym is unknown, so both answers take about the same time."""
    return generate_password_hash("entrenous-timing-equaliser", method=method)


class PseudonymUnavailable(Exception):
    """The pseudonym is taken, or looks too much like one that is."""


def find_similar(pseudonym: str) -> User | None:
    """The member whose pseudonym is the same or confusable with this one, if any."""
    return db.session.scalar(
        select(User).where(
            (User.pseudonym_key == pseudonyms.identity_key(pseudonym))
            | (User.pseudonym_skeleton == pseudonyms.skeleton(pseudonym))
        )
    )


def register(pseudonym: str, password: str, locale: str | None = None) -> User:
    pseudonym = pseudonyms.normalize(pseudonym)
    user = User(
        pseudonym=pseudonym,
        pseudonym_key=pseudonyms.identity_key(pseudonym),
        pseudonym_skeleton=pseudonyms.skeleton(pseudonym),
        password_hash=hash_password(password),
        locale=locale,
        charter_version=CHARTER_VERSION,
        charter_accepted_at=utcnow(),
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # taken by a concurrent sign-up
        db.session.rollback()
        raise PseudonymUnavailable(pseudonym) from exc
    return user


def authenticate(pseudonym: str, password: str) -> User | None:
    user = db.session.scalar(
        select(User).where(User.pseudonym_key == pseudonyms.identity_key(pseudonym))
    )
    if user is None:
        check_password_hash(
            _dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD", PASSWORD_METHOD)), password
        )
        return None
    return user if check_password_hash(user.password_hash, password) else None


def change_password(user: User, current: str, new: str) -> bool:
    if not check_password_hash(user.password_hash, current):
        return False
    user.password_hash = hash_password(new)
    user.session_version += 1  # other sessions and remember-me cookies end here
    db.session.commit()
    return True


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id carries the session version, so old sessions lapse."""
    ident, _, version = user_id.partition(".")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not hmac.compare_digest(str(user.session_version), version):
        return None
    return user


def end_sessions(user: User) -> None:
    """Sign the member out everywhere: every session and remember-me cookie carrying the
    current version stops working (`load_user` refuses it)."""
    user.session_version += 1
    db.session.commit()
