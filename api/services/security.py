"""Passwords, login tokens and the login rate limit.

- Passwords are hashed with argon2id (``argon2-cffi``'s defaults).
- A login token is a JWT (HS256) with the account id as ``sub`` and a short ``exp``; its key is
  derived from ``TONGXIN_SECRET_KEY`` for this purpose only, so it is not the field key.
- Logging in with an unknown username costs the same as with a wrong password: the password is
  checked against a dummy hash, so response times do not reveal which usernames exist.
- Failed logins are counted per username and client address in a sliding window; past the
  limit the answer is 429 with ``Retry-After`` until the oldest failure leaves the window.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ALGORITHM = "HS256"

_hasher = PasswordHasher()


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


class LoginLimiter:
    """Failed logins per key in a sliding window, in memory (one per server process).

    Several worker processes each keep their own count, so the effective limit is
    ``attempts`` × workers; a shared store would be needed to make it exact.
    """

    #: keys kept at most; the stalest are forgotten first when an attack sprays many names
    MAX_KEYS = 100_000

    def __init__(
        self, attempts: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ):
        self.attempts = attempts
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, key: str) -> int:
        """Seconds to wait before ``key`` may try again; 0 if it may now."""
        with self._lock:
            now = self.clock()
            failures = self._recent(key, now)
            if len(failures) < self.attempts:
                return 0
            return max(1, int(failures[0] + self.window - now + 0.999))

    def failed(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            failures = self._recent(key, now)
            failures.append(now)
            self._failures.pop(key, None)
            self._failures[key] = failures  # most recent last, for pruning
            while len(self._failures) > self.MAX_KEYS:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
