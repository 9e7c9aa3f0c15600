"""Work units (工作单位) and the service cards (服务登记卡) sent to them each quarter.

"工作在单位、活动在社区": a member serves where they live and their unit hears, once a quarter,
what they did. A unit is one row for the whole deployment, not one per community: a district
hospital's staff live in many communities, and the hospital should get one letter a quarter
listing all of them, not one letter per community. Coordinators of any community pick a unit
from the same list (or add it); every change is in the audit log.

``Person.work_unit_id`` links a member to their unit; the free text ``Person.work_unit`` stays
(the roster import and older registrations fill it) and is what the pages show when no unit
is linked.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamped, UTCDateTime, check, utcnow
from models.crypto import EncryptedString


class WorkUnit(Timestamped, Base):
    __tablename__ = "work_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the unit's name as members know it ("区人民医院"); unique
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: who at the unit reads the cards (a party branch secretary, the HR office)
    contact_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    #: where the cards go; a person's work address, so encrypted like every contact
    contact_email: Mapped[str | None] = mapped_column(EncryptedString())
    #: false once the unit is no longer offered at registration; its members stay linked
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    def __repr__(self) -> str:
        return f"WorkUnit(id={self.id!r}, name={self.name!r})"


class ServiceCard(Base):
    """The letter of one quarter to one unit: its members' cards, written once.

    ``(work_unit_id, year, quarter)`` is unique, so a quarter's job run twice, or by two
    processes at once, writes one card and sends one e-mail. The text names members and what
    they did (dates, tasks, hours), never a phone or a resident's address; it is encrypted at
    rest all the same, like every message.
    """

    __tablename__ = "service_card"
    __table_args__ = (
        sa.UniqueConstraint("work_unit_id", "year", "quarter"),
        check("quarter BETWEEN 1 AND 4", "quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("work_unit.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    quarter: Mapped[int]
    #: members on the card, their services and hours, for the console and the logs
    people: Mapped[int] = mapped_column(default=0)
    services: Mapped[int] = mapped_column(default=0)
    hours: Mapped[float] = mapped_column(default=0.0)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(EncryptedString())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    work_unit: Mapped[WorkUnit] = relationship()

    def __repr__(self) -> str:
        return (
            f"ServiceCard(id={self.id!r}, work_unit_id={self.work_unit_id!r}, "
            f"{self.year!r}Q{self.quarter!r})"
        )
