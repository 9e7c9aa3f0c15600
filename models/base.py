"""The declarative base every table hangs from, and the column types they share.

Constraint names follow one naming convention so that a migration generated on SQLite names
every index, key and check exactly as PostgreSQL will, and later migrations can drop or alter
them by name on either database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


#: JSON on SQLite, JSONB on PostgreSQL
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time, always timezone-aware UTC in Python.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored as UTC
    text and given its zone back on the way out. Naive datetimes are refused: a wall-clock time
    without a zone is the commonest scheduling bug, and the community's zone lives on
    ``Community.timezone``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} (give it a time zone)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum: type[StrEnum], name: str) -> sa.Enum:
    """A string column limited to an enum's values by a named CHECK, on every database.

    Native PostgreSQL enums are avoided on purpose: adding a value to one needs its own
    migration dance, while a CHECK is dropped and recreated like any other constraint.
    """
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Timestamped:
    """``created_at`` and ``updated_at``, set by the application in UTC."""

    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=sa.func.now()
    )


def check(condition: str, name: str) -> sa.CheckConstraint:
    """A named CHECK; the naming convention prefixes it with ``ck_<table>_``."""
    return sa.CheckConstraint(condition, name=name)
