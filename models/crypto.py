"""Encryption at rest for private fields, and the masks shown in their place.

Phones, ID numbers and residents' addresses are stored as Fernet tokens (AES-128-CBC with an
HMAC-SHA256, from the ``cryptography`` package): a copy of the database file, a backup or a
careless ``SELECT`` shows only ciphertext. The key is derived with HKDF-SHA256 from the secret
in ``TONGXIN_SECRET_KEY``.

Without a secret, development and tests make a random one the first time it is needed and
keep it in a file only its owner may read (``TONGXIN_SECRET_FILE``, by default
``tongxin.db.secret`` beside the default SQLite database ``tongxin.db``), so that a fresh checkout runs at once and no key is
ever published; any other ``TONGXIN_ENV`` (``production``, ``staging`` …) refuses to start
without ``TONGXIN_SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import time
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

SECRET_ENV = "TONGXIN_SECRET_KEY"
SECRET_FILE_ENV = "TONGXIN_SECRET_FILE"
ENV_ENV = "TONGXIN_ENV"
#: environments that may run on a secret made on this machine, kept in a file
DEVELOPMENT_ENVS = frozenset({"development", "test"})
#: secrets that were once published (early versions shipped a fixed development secret):
#: refused everywhere, since anyone can sign tokens or decrypt fields with them
PUBLISHED_SECRETS = frozenset({"tongxin-development-secret-do-not-use-in-production"})
MIN_SECRET_LENGTH = 32
_HKDF_SALT = b"tongxin"
_HKDF_INFO = b"tongxin field encryption v1"
#: a key of its own for the blind index, so the index never reveals the encryption key
_HKDF_INDEX_INFO = b"tongxin blind index v1"

log = logging.getLogger(__name__)


class SecretKeyError(RuntimeError):
    """No usable secret key where one is required."""


class DecryptionError(ValueError):
    """Ciphertext that the current key cannot open (wrong key, or tampered data)."""


def environment() -> str:
    """``TONGXIN_ENV``, ``development`` when unset."""
    return os.environ.get(ENV_ENV, "development").strip().lower() or "development"


def secret() -> str:
    """The secret to derive the field key from; raises ``SecretKeyError`` where it must.

    Outside development a secret is required, must not be the development one and must be at
    least ``MIN_SECRET_LENGTH`` characters.
    """
    value = os.environ.get(SECRET_ENV, "")
    env = environment()
    if value in PUBLISHED_SECRETS:
        raise SecretKeyError(
            f"不能使用公开过的密钥，请为 {SECRET_ENV} 设置新的值 "
            f"(a secret that was published cannot be used; set a new {SECRET_ENV})"
        )
    if env in DEVELOPMENT_ENVS:
        return value or local_secret()
    if not value:
        raise SecretKeyError(
            f"{ENV_ENV}={env} 时必须设置 {SECRET_ENV}，否则无法加密电话、身份证号和地址 "
            f"({SECRET_ENV} must be set when {ENV_ENV}={env}: phones, ID numbers and "
            "addresses are encrypted with it)"
        )
    if len(value) < MIN_SECRET_LENGTH:
        raise SecretKeyError(
            f"{SECRET_ENV} 太短，至少需要 {MIN_SECRET_LENGTH} 个字符 "
            f"({SECRET_ENV} is too short: at least {MIN_SECRET_LENGTH} characters)"
        )
    return value


#: beside the default SQLite database, in the working directory: every process started there
#: (the server, the scheduler, ``tongxin load``, tests with databases of their own) shares it
DEFAULT_SECRET_FILE = "tongxin.db.secret"


def secret_file() -> Path:
    """Where development keeps its secret: ``TONGXIN_SECRET_FILE``, else
    ``DEFAULT_SECRET_FILE``."""
    return Path(os.environ.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE)


def local_secret() -> str:
    """This machine's development secret: read from ``secret_file()``, made the first time
    (random, readable by its owner only; two processes starting at once agree on one)."""
    return _local_secret_at(secret_file())


@cache
def _local_secret_at(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        text = ""
    if text:
        return text
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # another process made it just now: wait for it to be written
        for _ in range(100):
            if text := path.read_text(encoding="utf-8").strip():
                return text
            time.sleep(0.01)
        raise SecretKeyError(f"{path} 为空 ({path} is empty)") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_urlsafe(48) + "\n")
    log.warning(
        "未设置 %s：已生成本机开发密钥，保存在 %s (no %s: made a development secret for this "
        "machine, kept in %s)",
        SECRET_ENV,
        path,
        SECRET_ENV,
        path,
    )
    return path.read_text(encoding="utf-8").strip()


@cache
def _fernet(secret_value: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        secret_value.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def require_key() -> None:
    """Fail now, at start-up, if private fields could not be encrypted later."""
    _fernet(secret())


def encrypt(plaintext: str) -> str:
    """A Fernet token for ``plaintext``; a new random IV each time, so equal values differ."""
    return _fernet(secret()).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet(secret()).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise DecryptionError(
            f"无法解密隐私字段：{SECRET_ENV} 与加密时的不同，或数据已被改动 "
            f"(cannot decrypt a private field: {SECRET_ENV} differs from the one it was "
            "encrypted with, or the data was altered)"
        ) from None


@cache
def _index_key(secret_value: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INDEX_INFO
    ).derive(secret_value.encode("utf-8"))


def blind_index(value: str) -> str:
    """A keyed hash (HMAC-SHA256, 64 hex digits) of ``value``, to find a row by an encrypted
    field without decrypting every row: equal values give equal hashes, and without
    ``TONGXIN_SECRET_KEY`` nobody can tell which value a hash stands for. Callers normalise
    the value first (a phone as its 11 digits)."""
    return hmac.new(_index_key(secret()), value.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedString(TypeDecorator[str]):
    """A string column stored as ciphertext; the ORM reads and writes plaintext.

    The database cannot compare or search these values (each encryption differs), so never
    filter on them; look people up by other columns.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value)


# masks ---------------------------------------------------------------------------------------


def _mask(value: str, head: int, tail: int) -> str:
    """Show ``head`` and ``tail`` characters if at least four stay hidden, else a quarter."""
    hidden = len(value) - head - tail
    if hidden >= 4:
        return value[:head] + "*" * hidden + value[len(value) - tail :]
    keep = len(value) // 4
    return "*" * (len(value) - keep) + value[len(value) - keep :]


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``: the carrier prefix and the last four digits."""
    if not phone:
        return ""
    return _mask(phone.strip(), 3, 4)


def mask_id_number(id_number: str | None) -> str:
    """``110101199003071234`` → ``110***********1234``: birthplace and birthday hidden."""
    if not id_number:
        return ""
    return _mask(id_number.strip(), 3, 4)
