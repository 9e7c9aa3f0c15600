"""Registration (报到), a member's own data, and the people lists coordinators read."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.schemas.common import TimeWindow, minutes
from api.schemas.people import PersonRows, PersonUpdate, RegistrationCreate
from api.services.changes import apply_changes, check_grid, refuse_nulls
from api.services.errors import Conflict, Invalid
from api.services.places import locate
from api.services.problem import services_this_quarter
from api.services.scope import grids_of, readable_people
from api.services.security import hash_password, verify_password
from api.services.work_units import offered_unit
from matcher import rules
from matcher.domain import PersonKind
from models import audit
from models.community import Community, Grid
from models.crypto import blind_index
from models.person import Availability, Person, PersonCategory, PersonSkill, UnavailableDate
from models.user import UserAccount, UserRole
from models.work_unit import WorkUnit


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres, as the matcher measures a walk."""
    return float(rules.haversine_m(lat1, lng1, lat2, lng2))


def nearest_grid(grids: Sequence[Grid], lat: float, lng: float) -> Grid | None:
    """The grid whose centre is nearest to a home (the lower id on a tie); None if no grid
    has a centre. Registration and the roster import both place a home by it."""
    centred = [g for g in grids if g.center_lat is not None and g.center_lng is not None]
    return min(
        centred,
        key=lambda g: (haversine_m(lat, lng, g.center_lat or 0.0, g.center_lng or 0.0), g.id),
        default=None,
    )


def _windows(windows: Sequence[TimeWindow]) -> list[Availability]:
    return [
        Availability(weekday=w.weekday, start_minute=minutes(w.start), end_minute=minutes(w.end))
        for w in windows
    ]


def register(*, session: Session, data: RegistrationCreate) -> UserAccount:
    """Create a member's person, pending a coordinator's approval (报到审核), and their account,
    whose login name is the phone.

    422 for an unknown community, grid or work unit; 409 for a phone that already has an
    account. Sending the same registration again (a retry after a time-out) answers with the
    account it made.
    """
    # hashed before the first query: on SQLite a writing request holds the write lock from
    # its first statement, and hashing is the slow part
    password_hash = hash_password(data.password)
    community = session.get(Community, data.community_id)
    if community is None:
        raise Invalid("没有这个社区", "No such community", "community_id")
    if data.home_place_id is None and data.home is None:
        raise Invalid(
            "请选择住在哪个小区、哪栋楼（或使用当前位置）",
            "Choose the estate and building of your home (or use your location)",
            "home_place_id",
        )
    home = locate(
        session,
        community.id,
        data.home_place_id,
        data.home.lat if data.home else None,
        data.home.lng if data.home else None,
        "home_place_id",
    )
    if data.grid_id is not None:
        grid = check_grid(session, community.id, data.grid_id)
    else:
        grid = nearest_grid(grids_of(session, community.id), home.lat, home.lng)
    unit = None if data.work_unit_id is None else offered_unit(session, data.work_unit_id)
    phone_key = blind_index(data.phone)
    taken = account_by_phone(session, data.phone)
    if taken is not None:
        if _same_registration(taken, data):
            return taken
        raise Conflict(
            "这个手机号已经报到过，请直接用手机号登录",
            "This mobile number is registered already; log in with it",
        )

    person = Person(
        kind=PersonKind(data.kind),
        name=data.name,
        community=community,
        grid=grid,
        work_unit=data.work_unit or (unit.name if unit is not None else ""),
        unit=unit,
        home_place=home.place,
        home_lat=home.lat,
        home_lng=home.lng,
        weekly_hours_cap=data.weekly_hours_cap,
        weekly_task_cap=data.weekly_task_cap,
        phone=data.phone,
        availability=_windows(data.availability),
    )
    person.skills = set(data.skills)
    person.preferred_categories = set(data.service_categories)
    person.give_consent(data.consent.version)
    person.pending = True
    account = UserAccount(
        # the login name is the phone; the username is only an inner name, never shown
        username=f"m{secrets.token_hex(8)}",
        login_phone_key=phone_key,
        password_hash=password_hash,
        role=UserRole.MEMBER,
        person=person,
    )
    session.add(account)
    session.flush()  # a phone registered meanwhile fails here, inside the request
    return account


def account_by_phone(session: Session, phone: str) -> UserAccount | None:
    """The account whose login is this phone (11 digits), found by its blind index."""
    return session.scalars(
        sa.select(UserAccount).where(UserAccount.login_phone_key == blind_index(phone))
    ).one_or_none()


def _same_registration(account: UserAccount, data: RegistrationCreate) -> bool:
    """The account was made by this very registration, sent before: same person, same
    community, same password (so nobody learns anything by guessing a registered phone)."""
    person = account.person
    return (
        person is not None
        and person.community_id == data.community_id
        and person.name == data.name
        and verify_password(data.password, account.password_hash)
    )


@cache
def _own_rows_query() -> sa.CompoundSelect[Any]:
    """The query of ``own_rows``, built once (building it cost more than running it), for the
    parameter ``person_id``."""
    person_id = sa.bindparam("person_id", type_=sa.Integer)
    # every part of the query gives the same columns, NULL where that part has nothing
    columns = {
        "weekday": sa.Integer,
        "start": sa.Integer,
        "end": sa.Integer,
        "text": sa.String,
        "grid": sa.String,
        "unit": sa.String,
        "day": sa.Date,
    }

    def part(tag: str, **given: Any) -> sa.Select[Any]:
        return sa.select(
            sa.literal(tag, sa.String),
            *(given.get(name, sa.cast(sa.null(), kind)) for name, kind in columns.items()),
        )

    return sa.union_all(
        part(
            "window",
            weekday=Availability.weekday,
            start=Availability.start_minute,
            end=Availability.end_minute,
        ).where(Availability.person_id == person_id),
        part("skill", text=PersonSkill.skill).where(PersonSkill.person_id == person_id),
        part("category", text=PersonCategory.category).where(PersonCategory.person_id == person_id),
        part("day off", day=UnavailableDate.day).where(UnavailableDate.person_id == person_id),
        part("names", text=Community.name, grid=Grid.name, unit=WorkUnit.name)
        .select_from(Person)
        .join(Community, Community.id == Person.community_id)
        .outerjoin(Grid, Grid.id == Person.grid_id)
        .outerjoin(WorkUnit, WorkUnit.id == Person.work_unit_id)
        .where(Person.id == person_id),
    )


def own_rows(*, session: Session, person_id: int) -> PersonRows:
    """What a member's own profile shows beyond their person row, in one query: their free
    times, skills, categories and days off, and the names of their community, grid and work
    unit. (Loaded as ORM collections it takes five queries, and ``GET /me`` is the busiest
    read there is.)"""
    windows: list[tuple[int, int, int]] = []
    texts: dict[str, list[str]] = {"skill": [], "category": []}
    days_off: list[date] = []
    names: tuple[str, str | None, str | None] = ("", None, None)
    rows = session.execute(_own_rows_query(), {"person_id": person_id})
    for tag, weekday, start, end, text, grid, unit, day in rows:
        if tag == "window":
            windows.append((weekday, start, end))
        elif tag == "day off":
            days_off.append(day)
        elif tag == "names":
            names = (text, grid, unit)
        else:
            texts[tag].append(text)
    community_name, grid_name, unit_name = names
    return PersonRows(
        unit_name=unit_name,
        skills=texts["skill"],
        categories=texts["category"],
        availability=windows,
        unavailable=days_off,
        community_name=community_name,
        grid_name=grid_name,
    )


def pending_people(*, session: Session, community_id: int) -> list[Person]:
    """Those who registered with the community and wait for a coordinator, oldest first."""
    return list(
        session.scalars(
            sa.select(Person)
            .where(
                Person.community_id == community_id,
                Person.pending.is_(True),
                Person.active.is_(True),
            )
            .order_by(Person.created_at, Person.id)
        )
    )


def approve(
    *, session: Session, person: Person, party_member: bool | None, actor: UserAccount
) -> Person:
    """A coordinator approves a registration (报到审核): the person may now be scheduled.

    A claimed party membership stands only if ``party_member`` confirms it; ``False`` (or a
    volunteer's registration) makes the person a volunteer.
    """
    if not person.pending:
        raise Conflict("这位人员已通过审核", "This person is already approved")
    before = audit.snapshot(person)
    person.pending = False
    if person.kind == PersonKind.PARTY_MEMBER and not party_member:
        person.kind = PersonKind.VOLUNTEER
    audit.record(
        session,
        action="person.approve",
        row=person,
        actor=actor,
        community_id=person.community_id,
        before=before,
    )
    return person


def reject(*, session: Session, person: Person, actor: UserAccount) -> Person:
    """A coordinator turns a registration down: the person and their account are closed."""
    if not person.pending:
        raise Conflict("这位人员已通过审核，不能再驳回", "This person is approved already")
    before = audit.snapshot(person)
    person.active = False
    for account in session.scalars(
        sa.select(UserAccount).where(UserAccount.person_id == person.id)
    ):
        account.active = False
    audit.record(
        session,
        action="person.reject",
        row=person,
        actor=actor,
        community_id=person.community_id,
        before=before,
    )
    return person


#: fields of ``PersonUpdate`` that ``null`` may clear
NULLABLE_PERSON = frozenset({"grid_id", "work_unit_id"})


def update_person(
    *, session: Session, person: Person, data: PersonUpdate, actor: UserAccount
) -> Person:
    """A coordinator corrects a person (name, grid, work unit and its record, skills, weekly
    caps); audited."""
    changes = data.model_dump(exclude_unset=True)
    refuse_nulls(changes, NULLABLE_PERSON)
    if "grid_id" in changes:
        check_grid(session, person.community_id, changes["grid_id"])
    if changes.get("work_unit_id") is not None:
        offered_unit(session, changes["work_unit_id"])
    apply_changes(
        session=session,
        row=person,
        changes=changes,
        set_fields=frozenset({"skills"}),
        action="person.update",
        actor=actor,
        community_id=person.community_id,
    )
    return person


def set_active(*, session: Session, person: Person, active: bool, actor: UserAccount) -> Person:
    """Deactivate a person (no longer scheduled, their account closed) or take them back.
    Nothing is deleted: their services, assignments and records stay as history."""
    if person.pending:
        raise Conflict(
            "这位人员的报到尚待审核，请先通过或驳回", "This registration waits for review first"
        )
    before = audit.snapshot(person)
    person.active = active
    for account in session.scalars(
        sa.select(UserAccount).where(UserAccount.person_id == person.id)
    ):
        account.active = active
    audit.record(
        session,
        action="person.activate" if active else "person.deactivate",
        row=person,
        actor=actor,
        community_id=person.community_id,
        before=before,
    )
    return person


def set_availability(
    *, session: Session, person: Person, windows: Sequence[TimeWindow], unavailable: Sequence
) -> Person:
    """Replace a person's weekly free times and days off."""
    person.availability = _windows(windows)
    person.unavailable_dates = set(unavailable)
    session.flush()
    return person


#: digits of a phone a search must give before it looks at phones (fewer match too many)
PHONE_DIGITS = 4


def _phone_matches(session: Session, community: Community, digits: str) -> list[int]:
    """Ids of the community's people whose phone holds ``digits``. Phones are encrypted at
    rest, so they are read and compared here, never in a query."""
    return [
        person_id
        for person_id, phone in session.execute(
            sa.select(Person.id, Person.phone).where(
                Person.community_id == community.id, Person.phone.is_not(None)
            )
        )
        if phone and digits in re.sub(r"\D", "", phone)
    ]


def list_people(
    *,
    session: Session,
    user: UserAccount,
    community: Community,
    week_start: date,
    q: str | None = None,
    grid_id: int | None = None,
    skill: str | None = None,
    kind: PersonKind | None = None,
    min_services: int | None = None,
    max_services: int | None = None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Person, int]], int]:
    """One page of a community's people the account may read, each with their services this
    quarter (as counted for the week of ``week_start``), and how many there are."""
    counted = services_this_quarter(community, week_start)
    services = sa.func.coalesce(counted.c.services, 0)
    query = (
        readable_people(user)
        .where(Person.community_id == community.id)
        .outerjoin(counted, counted.c.person_id == Person.id)
        .add_columns(services.label("services_this_quarter"))
    )
    if q:
        # a name, or part of one; four digits or more also look through the phones
        found = Person.name.contains(q, autoescape=True)
        digits = re.sub(r"\D", "", q)
        if len(digits) >= PHONE_DIGITS and digits == q.replace(" ", "").replace("-", ""):
            found = sa.or_(found, Person.id.in_(_phone_matches(session, community, digits)))
        query = query.where(found)
    if grid_id is not None:
        query = query.where(Person.grid_id == grid_id)
    if kind is not None:
        query = query.where(Person.kind == kind)
    if skill is not None:
        query = query.where(
            sa.exists().where(PersonSkill.person_id == Person.id, PersonSkill.skill == skill)
        )
    if min_services is not None:
        query = query.where(services >= min_services)
    if max_services is not None:
        query = query.where(services <= max_services)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Person.id).limit(limit).offset(offset))
    return [(person, int(count)) for person, count in rows], total
