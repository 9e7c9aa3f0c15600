"""Private fields: ciphertext at rest, plaintext through the ORM, masks for display."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Person, crypto
from models.audit import snapshot
from models.crypto import (
    DecryptionError,
    SecretKeyError,
    blind_index,
    decrypt,
    encrypt,
    mask_id_number,
    mask_phone,
)
from tests.support.rows import add_community, add_household, add_person

PHONE = "13812345678"
ID_NUMBER = "110101199003071234"


def test_the_table_holds_ciphertext_and_the_orm_plaintext(session: Session) -> None:
    community = add_community(session)
    person = add_person(session, community, phone=PHONE, id_number=ID_NUMBER)
    household = add_household(session, community)

    raw = session.execute(
        sa.text("SELECT phone, id_number FROM person WHERE id = :id"), {"id": person.id}
    ).one()
    raw_household = session.execute(
        sa.text("SELECT address, phone FROM household WHERE id = :id"), {"id": household.id}
    ).one()

    for value in (*raw, *raw_household):
        assert value.startswith("gAAAA")  # a Fernet token
    assert PHONE not in raw.phone and ID_NUMBER not in raw.id_number
    assert "黄金花园" not in raw_household.address
    session.expunge_all()
    got = session.get(Person, person.id)
    assert got is not None
    assert (got.phone, got.id_number) == (PHONE, ID_NUMBER)


def test_equal_values_encrypt_differently() -> None:
    assert encrypt(PHONE) != encrypt(PHONE)
    assert decrypt(encrypt(PHONE)) == PHONE
    assert decrypt(encrypt("黄金花园3栋2单元501")) == "黄金花园3栋2单元501"


def test_none_stays_none(session: Session) -> None:
    person = add_person(session, add_community(session))
    raw = session.execute(sa.text("SELECT phone FROM person WHERE id = :id"), {"id": person.id})
    assert raw.scalar_one() is None
    assert person.masked_phone == ""


def test_another_key_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    token = encrypt(PHONE)
    monkeypatch.setenv(crypto.SECRET_ENV, "x" * 40)
    with pytest.raises(DecryptionError, match="TONGXIN_SECRET_KEY"):
        decrypt(token)
    assert decrypt(encrypt(PHONE)) == PHONE


def test_production_without_a_key_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(crypto.ENV_ENV, "production")
    monkeypatch.delenv(crypto.SECRET_ENV, raising=False)
    with pytest.raises(SecretKeyError, match="TONGXIN_SECRET_KEY must be set"):
        crypto.require_key()
    with pytest.raises(SecretKeyError):
        encrypt(PHONE)
    from models.db import make_engine

    with pytest.raises(SecretKeyError):
        make_engine("sqlite://")


def test_production_refuses_a_published_secret_and_short_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(crypto.ENV_ENV, "production")
    for published in crypto.PUBLISHED_SECRETS:
        monkeypatch.setenv(crypto.SECRET_ENV, published)
        with pytest.raises(SecretKeyError, match="published"):
            crypto.require_key()
    monkeypatch.setenv(crypto.SECRET_ENV, "short")
    with pytest.raises(SecretKeyError, match="too short"):
        crypto.require_key()
    monkeypatch.setenv(crypto.SECRET_ENV, "a-long-random-secret-from-the-vault-0123456789")
    crypto.require_key()
    assert decrypt(encrypt(PHONE)) == PHONE


def test_development_makes_a_secret_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(crypto.ENV_ENV, raising=False)
    monkeypatch.delenv(crypto.SECRET_ENV, raising=False)
    monkeypatch.setenv(crypto.SECRET_FILE_ENV, str(tmp_path / "one" / "tongxin.db.secret"))
    made = crypto.secret()
    kept = tmp_path / "one" / "tongxin.db.secret"
    assert kept.read_text().strip() == made
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # its owner's only
    assert len(made) >= 32 and made not in crypto.PUBLISHED_SECRETS
    monkeypatch.setenv(crypto.ENV_ENV, "test")
    assert crypto.secret() == made  # the same secret every time: data stays readable
    # another machine (another file) makes another secret
    monkeypatch.setenv(crypto.SECRET_FILE_ENV, str(tmp_path / "two.secret"))
    assert crypto.secret() != made


def test_the_secret_file_lies_beside_the_default_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(crypto.SECRET_FILE_ENV, raising=False)
    # whichever database a process opens, processes started in one place share one secret
    monkeypatch.setenv("TONGXIN_DATABASE_URL", "sqlite:////srv/tongxin/data.db")
    assert str(crypto.secret_file()) == "tongxin.db.secret"
    monkeypatch.setenv(crypto.SECRET_FILE_ENV, "/srv/tongxin/secret")
    assert str(crypto.secret_file()) == "/srv/tongxin/secret"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("+8613812345678", "+86*******5678"),
        ("22812345", "******45"),  # a short landline: only the end
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("110101199003071234", "110***********1234"),
        ("11010119900307123X", "110***********123X"),
        ("110101900307123", "110********7123"),  # the old 15-digit card
        (None, ""),
    ],
)
def test_mask_id_number(id_number: str | None, masked: str) -> None:
    assert mask_id_number(id_number) == masked


def test_audit_snapshots_mask_private_fields(session: Session) -> None:
    community = add_community(session)
    person = add_person(session, community, phone=PHONE, id_number=ID_NUMBER)
    household = add_household(session, community)

    values = snapshot(person)
    assert values["phone"] == values["id_number"] == "***"
    assert values["name"] == "张伟"
    assert values["kind"] == "party_member"
    assert PHONE not in str(values) and ID_NUMBER not in str(values)
    assert snapshot(household)["address"] == "***"


def test_the_blind_index_finds_equal_values_and_depends_on_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = blind_index(PHONE)
    assert index == blind_index(PHONE) and len(index) == 64
    assert index != blind_index("13812345679")
    assert PHONE not in index
    # not a plain hash anyone could compute from a list of phone numbers
    assert index != hashlib.sha256(PHONE.encode()).hexdigest()
    monkeypatch.setenv(crypto.SECRET_ENV, "y" * 40)
    assert blind_index(PHONE) != index
