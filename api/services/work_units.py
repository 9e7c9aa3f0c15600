"""Work units (工作单位) and their quarterly service cards (服务登记卡).

A unit is one record for the whole deployment (``models.work_unit``): members of many
communities may work at one unit, and the unit gets one letter a quarter that lists all of
them. Coordinators and street admins add units and correct their contact; members pick one
at registration.

Each quarter, ``send_quarter_cards`` writes for every unit with a contact e-mail one letter
with the card of each of its members (``reports.service_record``: the services done, with
the hours checked in or approved by a coordinator) and puts it in the outbox, channel
``email``, to the unit's contact. The card names the member, their community, and per
service the date, the task and the hours; never a phone, never a resident's address or
phone. A card is written once per unit and quarter (unique in the database), so the job run
twice sends nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.schemas.work_units import WorkUnitCreate, WorkUnitUpdate
from api.services import messages
from api.services.changes import apply_changes, refuse_nulls
from api.services.errors import Conflict, Invalid, NotFound
from api.services.reports import ServiceRecord, service_record
from matcher.domain import PERSON_KIND_ZH, PersonKind
from models import audit
from models.db import insert_ignoring_duplicates
from models.person import Person
from models.user import UserAccount
from models.work_unit import ServiceCard, WorkUnit

#: the outbox's name for a unit: what the e-mail channel resolves to the unit's contact
RECIPIENT_PREFIX = "work_unit:"
CARD_KIND = "service_card"
KIND_EN = {
    PersonKind.PARTY_MEMBER: "party member",
    PersonKind.VOLUNTEER: "volunteer",
    PersonKind.SOCIAL_WORKER: "social worker",
}


# the units -----------------------------------------------------------------------------------


def list_units(*, session: Session, include_inactive: bool = False) -> list[WorkUnit]:
    """The units by name; the active ones only unless asked."""
    query = sa.select(WorkUnit).order_by(WorkUnit.name, WorkUnit.id)
    if not include_inactive:
        query = query.where(WorkUnit.active.is_(True))
    return list(session.scalars(query))


def get_unit(*, session: Session, unit_id: int) -> WorkUnit:
    unit = session.get(WorkUnit, unit_id)
    if unit is None:
        raise NotFound()
    return unit


def offered_unit(session: Session, unit_id: int) -> WorkUnit:
    """The active unit a member or coordinator picked; 422 naming ``work_unit_id`` if none."""
    unit = session.get(WorkUnit, unit_id)
    if unit is None or not unit.active:
        raise Invalid("没有这个工作单位", "No such work unit", "work_unit_id")
    return unit


def _name_free(session: Session, name: str, but: int | None = None) -> None:
    query = sa.select(WorkUnit.id).where(sa.func.lower(WorkUnit.name) == name.lower())
    if but is not None:
        query = query.where(WorkUnit.id != but)
    if session.scalar(query) is not None:
        raise Conflict("已有同名的工作单位", "A work unit of that name exists")


def create_unit(*, session: Session, data: WorkUnitCreate, actor: UserAccount) -> WorkUnit:
    """Add a unit (409 if its name is taken); audited."""
    _name_free(session, data.name)
    unit = WorkUnit(
        name=data.name,
        contact_name=data.contact_name or "",
        contact_email=data.contact_email or None,
    )
    session.add(unit)
    session.flush()
    audit.record(session, action="work_unit.create", row=unit, actor=actor)
    return unit


def update_unit(
    *, session: Session, unit: WorkUnit, data: WorkUnitUpdate, actor: UserAccount
) -> WorkUnit:
    """Correct a unit's name, contact or whether it is offered; audited."""
    changes = data.model_dump(exclude_unset=True)
    refuse_nulls(changes, frozenset({"contact_email"}))
    if "name" in changes:
        _name_free(session, changes["name"], but=unit.id)
    if "contact_email" in changes:
        changes["contact_email"] = changes["contact_email"] or None
    apply_changes(
        session=session,
        row=unit,
        changes=changes,
        set_fields=frozenset(),
        action="work_unit.update",
        actor=actor,
        community_id=None,
    )
    return unit


def members(*, session: Session, unit: WorkUnit) -> list[Person]:
    """The unit's members whose registration was approved, by name."""
    return list(
        session.scalars(
            sa.select(Person)
            .where(Person.work_unit_id == unit.id, Person.pending.is_(False))
            .options(selectinload(Person.community))
            .order_by(Person.name, Person.id)
        )
    )


# quarters ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``2026Q1`` (or ``2026-Q1``, ``2026q1``)."""
        cleaned = text.strip().upper().replace("-", "")
        year, _, quarter = cleaned.partition("Q")
        if not (year.isdigit() and quarter.isdigit() and 1 <= int(quarter) <= 4):
            raise Invalid(
                f"季度应写成 2026Q1 这样，收到 {text!r}",
                f"A quarter is written like 2026Q1, got {text!r}",
                "quarter",
            )
        return cls(int(year), int(quarter))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)
        )


# the cards -----------------------------------------------------------------------------------


def _card_lines(record: ServiceRecord, kind: PersonKind) -> tuple[list[str], list[str]]:
    zh_kind, en_kind = PERSON_KIND_ZH[kind], KIND_EN[kind]
    if not record.entries:
        return (
            [f"{record.name}（{zh_kind}，{record.community}）：本季度没有服务记录"],
            [f"{record.name} ({en_kind}, {record.community}): no service this quarter"],
        )
    reached_zh = "已达到" if record.meets_minimum else "未达到"
    reached_en = "met" if record.meets_minimum else "not met"
    zh = [
        f"{record.name}（{zh_kind}，{record.community}）：{record.services} 次，"
        f"{record.hours:g} 小时（社区期望每季度 {record.quarter_minimum} 次：{reached_zh}）"
    ]
    en = [
        f"{record.name} ({en_kind}, {record.community}): {record.services} services, "
        f"{record.hours:g} hours (the community expects {record.quarter_minimum} a quarter: "
        f"{reached_en})"
    ]
    for entry in record.entries:
        day_zh, day_en = messages.day_words(entry.day)
        zh.append(f"  {day_zh}  {entry.title}  {entry.hours:g} 小时")
        en.append(f"  {day_en}  {entry.title}  {entry.hours:g} h")
    return zh, en


@dataclass(frozen=True, slots=True)
class Letter:
    subject: str
    body: str
    people: int
    services: int
    hours: float


def letter(*, session: Session, unit: WorkUnit, quarter: Quarter) -> Letter | None:
    """The text of the unit's letter for the quarter, in Chinese then English; None when the
    unit has nobody to report (no approved member, none active or with a service)."""
    records: list[tuple[ServiceRecord, PersonKind]] = []
    for person in members(session=session, unit=unit):
        record = service_record(
            session=session, person_id=person.id, year=quarter.year, quarter=quarter.quarter
        )
        if person.active or record.entries:
            records.append((record, person.kind))
    if not records:
        return None
    greeting = f"{unit.name} {unit.contact_name}".strip()
    zh = [
        f"{greeting}：",
        "",
        f"以下是贵单位人员 {quarter.year} 年第 {quarter.quarter} 季度在居住社区参加志愿服务的"
        "登记卡（服务登记卡）。只计已签到或经社区协调员认可的服务时长。",
        "",
    ]
    en = [
        f"To {greeting}:",
        "",
        f"The service record of your staff in the communities where they live, "
        f"{quarter.year} Q{quarter.quarter}. Only hours checked in or approved by the "
        "community's coordinator count.",
        "",
    ]
    for record, kind in records:
        lines_zh, lines_en = _card_lines(record, kind)
        zh += [*lines_zh, ""]
        en += [*lines_en, ""]
    zh.append("如有疑问，请联系成员所在社区。")
    en.append("For questions, please contact the member's community.")
    services = sum(r.services for r, _ in records)
    hours = round(sum(r.hours for r, _ in records), 2)
    subject = (
        f"服务登记卡 {quarter.year}年第{quarter.quarter}季度 · {unit.name} · "
        f"Service record {quarter.year} Q{quarter.quarter}"
    )
    return Letter(
        subject=subject[:200],
        body="\n".join([*zh, "", "——", "", *en]),
        people=len(records),
        services=services,
        hours=hours,
    )


def card_key(unit_id: int, quarter: Quarter) -> str:
    """The outbox key of a unit's letter of a quarter."""
    return f"{messages.EMAIL}:{CARD_KIND}:{unit_id}:{quarter}"


@dataclass(frozen=True, slots=True)
class QuarterRun:
    """What a run of the quarter's cards did."""

    quarter: Quarter
    #: units whose letter was written now
    sent: list[int]
    #: units that already had their letter of the quarter
    already: list[int]
    #: units with members but no contact e-mail: nothing is sent until one is given
    no_address: list[int]


def send_quarter_cards(*, session: Session, quarter: Quarter, now: datetime) -> QuarterRun:
    """Write each unit's letter of ``quarter`` once and put it in the outbox (the caller
    commits)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"naive datetime {now.isoformat()} (give it a time zone)")
    sent: list[int] = []
    already: list[int] = []
    no_address: list[int] = []
    done = set(
        session.scalars(
            sa.select(ServiceCard.work_unit_id).where(
                ServiceCard.year == quarter.year, ServiceCard.quarter == quarter.quarter
            )
        )
    )
    for unit in list_units(session=session, include_inactive=True):
        if unit.id in done:
            already.append(unit.id)
            continue
        if not unit.contact_email:
            if members(session=session, unit=unit):
                no_address.append(unit.id)
            continue
        written = letter(session=session, unit=unit, quarter=quarter)
        if written is None:
            continue
        insert_ignoring_duplicates(
            session,
            ServiceCard,
            [
                {
                    "work_unit_id": unit.id,
                    "year": quarter.year,
                    "quarter": quarter.quarter,
                    "people": written.people,
                    "services": written.services,
                    "hours": written.hours,
                    "subject": written.subject,
                    # encrypted by the column type: a Core insert binds through it too
                    "body": written.body,
                    "created_at": now,
                }
            ],
            ["work_unit_id", "year", "quarter"],
        )
        card = session.scalars(
            sa.select(ServiceCard).where(
                ServiceCard.work_unit_id == unit.id,
                ServiceCard.year == quarter.year,
                ServiceCard.quarter == quarter.quarter,
            )
        ).one()
        messages.enqueue(
            session=session,
            channel=messages.EMAIL,
            kind=CARD_KIND,
            recipient=f"{RECIPIENT_PREFIX}{unit.id}",
            payload={"card_id": card.id},
            dedupe_key=card_key(unit.id, quarter),
            now=now,
        )
        sent.append(unit.id)
    return QuarterRun(quarter=quarter, sent=sent, already=already, no_address=no_address)
