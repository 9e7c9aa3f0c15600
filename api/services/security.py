"""Passwords, login tokens and the login rate limit.

- Passwords are hashed with argon2id (``argon2-cffi``'s defaults).
- A login token is a JWT (HS256) with the account id as ``sub`` and a short ``exp``; its key is
  derived from ``TONGXIN_SECRET_KEY`` for this purpose only, so it is not the field key.
- Logging in with an unknown username costs the same as with a wrong password: the password is
  checked against a dummy hash, so response times do not reveal which usernames exist.
- Failed logins are counted per username and per client address in a sliding window, in the
  database (``LoginThrottle``); past a limit the answer is 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from functools import cache
from math import ceil
from typing import Any

import jwt
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from models.user import LoginFailure

ALGORITHM = "HS256"

#: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane): about 0.1 s of one core per
#: hash here, against 0.8 s for the library's default (64 MiB, 3 passes, 4 lanes), which a
#: registration drive of a few hundred people at once cannot afford on two cores. Hashes made
#: with other parameters are still accepted, and rehashed at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("tongxin-no-such-user")


def verify_password(password: str, password_hash: str | None) -> bool:
    """True if ``password`` matches; with no hash, spend the same time and answer False."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _token_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"tongxin login token v1", hashlib.sha256).digest()


def create_access_token(
    user_id: int, *, secret_key: str, minutes: int, now: datetime | None = None
) -> str:
    issued = now or datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": issued, "exp": issued + timedelta(minutes=minutes)}
    return jwt.encode(claims, _token_key(secret_key), algorithm=ALGORITHM)


def read_access_token(token: str, *, secret_key: str) -> int | None:
    """The account id in a valid, unexpired token; None for anything else."""
    try:
        claims = jwt.decode(
            token,
            _token_key(secret_key),
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    return user_id if 0 < user_id < 2**31 else None


class LoginThrottle:
    """Failed logins in a sliding window, per username and per client address, counted in the
    database so that every web process of a deployment counts the same; past either limit the
    answer is 429 with ``Retry-After`` until the oldest failure that counts leaves the window.

    The address limit is higher: many people may share one office or campus address, but one
    address trying username after username is stopped all the same.
    """

    def __init__(self, *, per_username: int, per_address: int, window_seconds: float):
        self.per_username = per_username
        self.per_address = per_address
        self.window = timedelta(seconds=window_seconds)

    def _wait(self, session: Session, column: Any, value: str, limit: int, now: datetime) -> int:
        recent = (
            sa.select(LoginFailure.at)
            .where(column == value, LoginFailure.at > now - self.window)
            .order_by(LoginFailure.at.desc())
            .limit(limit)
        )
        times = list(session.scalars(recent))
        if len(times) < limit:
            return 0
        # the limit-th most recent failure must leave the window before another try
        return max(1, ceil((times[-1] + self.window - now).total_seconds()))

    def retry_after(self, session: Session, *, username: str, address: str, now: datetime) -> int:
        """Seconds to wait before this username, or anyone from this address, may try again."""
        return max(
            self._wait(session, LoginFailure.username, username, self.per_username, now),
            self._wait(session, LoginFailure.address, address, self.per_address, now),
        )

    def failed(self, session: Session, *, username: str, address: str, now: datetime) -> None:
        """Count a failure (and forget those that left the window)."""
        session.execute(sa.delete(LoginFailure).where(LoginFailure.at <= now - self.window))
        session.add(LoginFailure(username=username[:64], address=address[:64], at=now))
        session.flush()

    def succeeded(self, session: Session, *, username: str) -> None:
        """A right password clears the username's failures (the address keeps its count)."""
        session.execute(sa.delete(LoginFailure).where(LoginFailure.username == username))
