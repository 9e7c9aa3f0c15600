"""Importing a checked roster into a community: entries matched to its people by phone, then
written all or nothing, with an audit entry per person and one for the file (a dry run only
counts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.services.people import nearest_grid
from api.services.places import directory
from api.services.roster.columns import COLUMN_BY_KEY, COLUMNS
from api.services.roster.errors import RosterRejected, RowProblem
from api.services.roster.reading import RosterEntry, read_roster
from models import audit
from models.community import Community, Grid
from models.crypto import mask_phone
from models.person import DEFAULT_WEEKLY_HOURS_CAP, DEFAULT_WEEKLY_TASK_CAP, Availability, Person
from models.user import UserAccount


@dataclass
class RosterOutcome:
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    dry_run: bool = False


def _duplicate_phones(entries: Iterable[RosterEntry]) -> list[RowProblem]:
    first_row: dict[str, int] = {}
    problems = []
    for entry in entries:
        if entry.phone in first_row:
            problems.append(
                RowProblem(
                    row=entry.row,
                    column=COLUMN_BY_KEY["phone"].header,
                    value=mask_phone(entry.phone),
                    zh=f"手机号与第 {first_row[entry.phone]} 行重复：每人只能占一行",
                    en=f"The same phone as row {first_row[entry.phone]}: one row per person",
                )
            )
        else:
            first_row[entry.phone] = entry.row
    return problems


def _people_by_phone(session: Session, community_id: int) -> dict[str, list[Person]]:
    # phones are encrypted with a fresh IV each time, so they cannot be matched in SQL: the
    # community's people are read once and compared in memory
    people = session.scalars(
        sa.select(Person)
        .where(Person.community_id == community_id, Person.phone.is_not(None))
        .options(selectinload(Person.availability), selectinload(Person.skill_rows))
        .order_by(Person.id)
    ).all()
    found: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        if person.phone:
            found[person.phone].append(person)
    return found


def _shared_phones(
    entries: Iterable[RosterEntry], known: dict[str, list[Person]]
) -> list[RowProblem]:
    return [
        RowProblem(
            row=entry.row,
            column=COLUMN_BY_KEY["phone"].header,
            value=mask_phone(entry.phone),
            zh=f"社区里已有 {len(known[entry.phone])} 人使用这个手机号，无法确定更新哪一位："
            "请先在系统中处理重复的人员",
            en=f"{len(known[entry.phone])} people of the community already share this phone, "
            "so it is unclear whom to update: resolve the duplicates first",
        )
        for entry in entries
        if len(known.get(entry.phone, ())) > 1
    ]


def _windows_of(person: Person) -> tuple[tuple[int, int, int], ...]:
    return tuple(sorted((a.weekday, a.start_minute, a.end_minute) for a in person.availability))


def _desired(entry: RosterEntry, person: Person | None, grids: Sequence[Grid]) -> dict[str, Any]:
    """The values the person should have after the import; blank cells keep ``person``'s."""

    def keep(value: Any, attribute: str, default: Any) -> Any:
        if value is not None:
            return value
        return getattr(person, attribute) if person is not None else default

    if entry.grid is not None:
        grid_id: int | None = entry.grid.id
    elif person is not None:
        grid_id = person.grid_id
    else:
        nearest = nearest_grid(grids, entry.home_lat, entry.home_lng)
        grid_id = nearest.id if nearest is not None else None
    return {
        "name": entry.name,
        "kind": entry.kind,
        "grid_id": grid_id,
        "home_place_id": entry.home_place_id,
        "home_lat": entry.home_lat,
        "home_lng": entry.home_lng,
        "work_unit": keep(entry.work_unit, "work_unit", ""),
        "weekly_hours_cap": keep(
            entry.weekly_hours_cap, "weekly_hours_cap", DEFAULT_WEEKLY_HOURS_CAP
        ),
        "weekly_task_cap": keep(entry.weekly_task_cap, "weekly_task_cap", DEFAULT_WEEKLY_TASK_CAP),
        "active": True,
        "skills": entry.skills
        if entry.skills is not None
        else frozenset(person.skills if person is not None else ()),
        "availability": tuple(sorted(entry.availability))
        if entry.availability is not None
        else (_windows_of(person) if person is not None else ()),
    }


def _current(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "kind": person.kind,
        "grid_id": person.grid_id,
        "home_place_id": person.home_place_id,
        "home_lat": person.home_lat,
        "home_lng": person.home_lng,
        "work_unit": person.work_unit,
        "weekly_hours_cap": person.weekly_hours_cap,
        "weekly_task_cap": person.weekly_task_cap,
        "active": person.active,
        "skills": frozenset(person.skills),
        "availability": _windows_of(person),
    }


def _audited(person: Person) -> dict[str, Any]:
    """The person as the audit log keeps them: columns (phone masked), skills, free times."""
    return {
        **audit.snapshot(person),
        "skills": sorted(person.skills),
        "availability": [
            {"weekday": weekday, "start_minute": start, "end_minute": end}
            for weekday, start, end in _windows_of(person)
        ],
    }


def _write(person: Person, values: dict[str, Any]) -> None:
    for key in (
        "name",
        "kind",
        "grid_id",
        "home_place_id",
        "home_lat",
        "home_lng",
        "work_unit",
        "weekly_hours_cap",
        "weekly_task_cap",
        "active",
    ):
        setattr(person, key, values[key])
    wanted_skills: frozenset[str] = values["skills"]
    stored_skills = set(person.skills)
    # the skill rows' key is (person, skill): remove and add only what differs, so a kept
    # skill is never deleted and inserted again in the same flush
    for skill in stored_skills - wanted_skills:
        person.skills.discard(skill)
    for skill in sorted(wanted_skills - stored_skills):
        person.skills.add(skill)
    if _windows_of(person) != values["availability"]:
        person.availability = [
            Availability(weekday=weekday, start_minute=start, end_minute=end)
            for weekday, start, end in values["availability"]
        ]


def import_roster(
    *,
    session: Session,
    community: Community,
    content: bytes,
    actor: UserAccount | None,
    dry_run: bool = False,
) -> RosterOutcome:
    """Import a roster file into ``community``: every row or none (``RosterRejected``).

    With ``dry_run`` the file is checked and counted but nothing is written.
    """
    grids = list(
        session.scalars(sa.select(Grid).where(Grid.community_id == community.id).order_by(Grid.id))
    )
    entries, problems = read_roster(
        content=content, grids=grids, places=directory(session, community.id)
    )
    problems += _duplicate_phones(entries)
    known = _people_by_phone(session, community.id)
    problems += _shared_phones(entries, known)
    if problems:
        order = {column.header: position for position, column in enumerate(COLUMNS)}
        problems.sort(key=lambda p: (p.row, order.get(p.column, -1)))
        raise RosterRejected(problems)

    outcome = RosterOutcome(dry_run=dry_run)
    # (person, what it was before; None for a new person), written below in one flush
    changes: list[tuple[Person, dict[str, Any] | None]] = []
    for entry in entries:
        matches = known.get(entry.phone)
        person = matches[0] if matches else None
        values = _desired(entry, person, grids)
        if person is not None and values == _current(person):
            outcome.skipped += 1
            continue
        if person is None:
            outcome.imported += 1
        else:
            outcome.updated += 1
        if dry_run:
            continue
        before = _audited(person) if person is not None else None
        if person is None:
            person = Person(community_id=community.id, phone=entry.phone)
            _write(person, values)
            # added once complete: each change to a person in the session cascades through it
            session.add(person)
        else:
            _write(person, values)
        changes.append((person, before))
    if dry_run:
        return outcome

    session.flush()
    for person, before in changes:
        audit.record(
            session,
            action="person.import" if before is None else "person.update",
            row=person,
            actor=actor,
            community_id=community.id,
            before=before,
            after=_audited(person),
        )
    audit.record(
        session,
        action="roster.import",
        row=community,
        actor=actor,
        community_id=community.id,
        after={
            "imported": outcome.imported,
            "updated": outcome.updated,
            "skipped": outcome.skipped,
        },
    )
    return outcome
