"""People who serve: in-service party members, volunteers and social workers.

A person registers (报到) with the community they live in and keeps their work unit (工作单位):
"工作在单位、活动在社区". Skills, preferred categories and unavailable dates are rows of small
tables rather than JSON lists, so "who in grid 3 can do legal aid?" is an indexed query that
reads the same on SQLite and PostgreSQL; ``Person.skills`` still reads and writes as a set.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.domain import PersonKind
from models.base import Base, Timestamped, UTCDateTime, check, enum_type, utcnow
from models.crypto import EncryptedString, mask_id_number, mask_phone

if TYPE_CHECKING:
    from models.community import Community, Grid
    from models.place import Place
    from models.work_unit import WorkUnit

DEFAULT_WEEKLY_HOURS_CAP = 6.0
DEFAULT_WEEKLY_TASK_CAP = 3


class Person(Timestamped, Base):
    __tablename__ = "person"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "external_id"),
        check("weekly_hours_cap >= 0", "weekly_hours_cap"),
        check("weekly_task_cap >= 0", "weekly_task_cap"),
        check("(consent_version IS NULL) = (consent_at IS NULL)", "consent_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PersonKind] = mapped_column(enum_type(PersonKind, "person_kind"))
    name: Mapped[str] = mapped_column(sa.String(100))
    #: the community of residence, where the person registered (报到)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="RESTRICT"), index=True
    )
    grid_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("grid.id", ondelete="SET NULL"), index=True
    )
    #: the employer as written (the roster, older registrations); ``work_unit_id`` links the
    #: unit record the quarterly service card goes to
    work_unit: Mapped[str] = mapped_column(sa.String(200), default="")
    work_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("work_unit.id", ondelete="SET NULL"), index=True
    )
    #: the building (or estate) of the place directory the home is in, if named
    home_place_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("place.id", ondelete="SET NULL"), index=True
    )
    home_lat: Mapped[float]
    home_lng: Mapped[float]
    weekly_hours_cap: Mapped[float] = mapped_column(default=DEFAULT_WEEKLY_HOURS_CAP)
    weekly_task_cap: Mapped[int] = mapped_column(default=DEFAULT_WEEKLY_TASK_CAP)
    phone: Mapped[str | None] = mapped_column(EncryptedString())
    id_number: Mapped[str | None] = mapped_column(EncryptedString())
    #: where messages also go by e-mail, if the person gave one
    email: Mapped[str | None] = mapped_column(EncryptedString())
    #: the language of their messages: "zh" (the default) or "en"
    language: Mapped[str] = mapped_column(sa.String(8), default="zh", server_default="zh")
    #: the version of the privacy notice the person agreed to, and when
    consent_version: Mapped[str | None] = mapped_column(sa.String(32))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: false once the person has left; their history stays
    active: Mapped[bool] = mapped_column(default=True)
    #: registered on their own and not yet approved by a coordinator (报到审核): never
    #: scheduled, and a claimed party membership is not yet believed
    pending: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    external_id: Mapped[str | None] = mapped_column(sa.String(64))

    community: Mapped[Community] = relationship()
    grid: Mapped[Grid | None] = relationship()
    unit: Mapped[WorkUnit | None] = relationship()
    home_place: Mapped[Place | None] = relationship()
    availability: Mapped[list[Availability]] = relationship(
        back_populates="person",
        order_by="(Availability.weekday, Availability.start_minute)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    skill_rows: Mapped[set[PersonSkill]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    category_rows: Mapped[set[PersonCategory]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    unavailable_rows: Mapped[set[UnavailableDate]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    skills: AssociationProxy[set[str]] = association_proxy(
        "skill_rows", "skill", creator=lambda skill: PersonSkill(skill=skill)
    )
    preferred_categories: AssociationProxy[set[str]] = association_proxy(
        "category_rows", "category", creator=lambda category: PersonCategory(category=category)
    )
    unavailable_dates: AssociationProxy[set[date]] = association_proxy(
        "unavailable_rows", "day", creator=lambda day: UnavailableDate(day=day)
    )

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def give_consent(self, version: str, at: datetime | None = None) -> None:
        """Record agreement to a version of the privacy notice."""
        self.consent_version = version
        self.consent_at = at or utcnow()

    def __repr__(self) -> str:
        # no phone, no ID number: reprs end up in logs
        return f"Person(id={self.id!r}, name={self.name!r}, kind={self.kind!r})"


class Availability(Base):
    """A weekly free time: weekday (Monday = 0) and minutes of the day, end exclusive."""

    __tablename__ = "person_availability"
    __table_args__ = (
        check("weekday BETWEEN 0 AND 6", "weekday"),
        check("start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440", "window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]

    person: Mapped[Person] = relationship(back_populates="availability")


class PersonSkill(Base):
    """A skill (专长) of a person, a tag of the catalogue in ``matcher.domain.SKILLS``."""

    __tablename__ = "person_skill"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)


class PersonCategory(Base):
    """A service category the person prefers."""

    __tablename__ = "person_category"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(sa.String(32), primary_key=True)


class UnavailableDate(Base):
    """A date the person cannot serve (travel, duty at work)."""

    __tablename__ = "person_unavailable_date"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
