"""People: registration (报到), the member's own profile, and what coordinators see."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from api.schemas.common import (
    Latitude,
    Longitude,
    Name,
    RefId,
    ShortText,
    Skills,
    Strict,
    TimeWindow,
    UTCTime,
    clock,
    fail,
    minutes,
)
from api.schemas.passwords import check_password
from api.schemas.privacy import PRIVACY_NOTICE_VERSION
from matcher.domain import PersonKind
from models.person import Person

_PHONE = re.compile(r"^1[3-9]\d{9}$")


def as_mobile(text: str) -> str | None:
    """The 11 digits of a mainland mobile number written with spaces or dashes, else None."""
    digits = text.strip().replace(" ", "").replace("-", "")
    return digits if _PHONE.match(digits) else None


def _mobile(value: str) -> str:
    value = as_mobile(value) or ""
    if not value:
        raise fail("phone", "应为 11 位手机号，如 13812345678", "Must be an 11-digit mobile number")
    return value


def _no_overlap(windows: list[TimeWindow]) -> list[TimeWindow]:
    spans = sorted((w.weekday, minutes(w.start), minutes(w.end)) for w in windows)
    for (day_a, _, end_a), (day_b, start_b, _) in itertools.pairwise(spans):
        if day_a == day_b and start_b < end_a:
            raise fail("overlap", "空闲时间有重叠", "Free times overlap")
    return windows


Phone = Annotated[str, StringConstraints(max_length=20), AfterValidator(_mobile)]
#: length only here; ``RegistrationCreate`` checks the rest (``api.schemas.passwords``)
Password = Annotated[str, StringConstraints(max_length=128)]
Windows = Annotated[list[TimeWindow], Field(max_length=42), AfterValidator(_no_overlap)]
HoursCap = Annotated[float, Field(ge=0, le=40, allow_inf_nan=False)]
TaskCap = Annotated[int, Field(ge=0, le=21)]
MemberKind = Literal["party_member", "volunteer"]


class Location(Strict):
    lat: Latitude
    lng: Longitude


class Consent(Strict):
    """Agreement to the privacy notice (``GET /privacy-notice``): its version, and true."""

    version: Annotated[str, StringConstraints(max_length=32)]
    accepted: bool

    @field_validator("version")
    @classmethod
    def _current(cls, version: str) -> str:
        if version != PRIVACY_NOTICE_VERSION:
            raise fail(
                "consent_version",
                f"请阅读并同意当前版本（{PRIVACY_NOTICE_VERSION}）的隐私说明",
                f"Read and accept the current privacy notice ({PRIVACY_NOTICE_VERSION})",
            )
        return version

    @field_validator("accepted")
    @classmethod
    def _accepted(cls, accepted: bool) -> bool:
        if not accepted:
            raise fail("consent", "须同意隐私说明才能报到", "The privacy notice must be accepted")
        return accepted


class RegistrationCreate(Strict):
    """报到: an account and a person at the community where one lives. The mobile number is
    the login name: there is no username to make up."""

    phone: Phone
    password: Password
    name: Name
    kind: MemberKind
    community_id: RefId
    #: left out: the grid whose centre is nearest to the home
    grid_id: RefId | None = None
    #: the building (or estate) of the community's place directory one lives in
    home_place_id: RefId | None = None
    #: the home's coordinates (the phone's location); given with a place, they win
    home: Location | None = None
    #: the unit the quarterly service card goes to (``GET /work-units``)
    work_unit_id: RefId | None = None
    #: the employer in words, when it is not in the list
    work_unit: ShortText = ""
    skills: Skills = Field(default_factory=list)
    service_categories: Skills = Field(default_factory=list)
    availability: Windows = Field(default_factory=list)
    weekly_hours_cap: HoursCap = 6.0
    weekly_task_cap: TaskCap = 3
    consent: Consent

    @field_validator("password")
    @classmethod
    def _strong_password(cls, password: str, info: ValidationInfo) -> str:
        return check_password(password, phone=str(info.data.get("phone", "")))


class Approval(Strict):
    """报到审核: approve a registration; ``party_member`` confirms a claimed party membership
    (left false, the person serves as a volunteer)."""

    party_member: bool = False


class AvailabilityUpdate(Strict):
    """The weekly free times, replacing the old ones; dates one cannot serve, likewise."""

    availability: Windows
    unavailable_dates: Annotated[list[date], Field(max_length=366)] = Field(default_factory=list)


class TimeWindowPublic(BaseModel):
    weekday: int
    start: str
    end: str


@dataclass(frozen=True)
class PersonRows:
    """What a person's profile shows beyond the person's own row: the rows that hang off it
    and the names of what it links to. Read off a loaded ``Person`` (``of``), or for ``GET
    /me``, the busiest read, in one query (``api.services.people.own_rows``)."""

    unit_name: str | None
    skills: Iterable[str]
    categories: Iterable[str]
    #: (weekday, start minute, end minute)
    availability: Iterable[tuple[int, int, int]]
    unavailable: Iterable[date] = ()
    community_name: str = ""
    grid_name: str | None = None

    @classmethod
    def of(cls, person: Person, *, own: bool = False) -> PersonRows:
        """From the ORM person; ``own`` also reads the community, grid and days off, which
        only the person's own profile shows (a list of people would load them one by one)."""
        rows = cls(
            unit_name=person.unit.name if person.unit is not None else None,
            skills=person.skills,
            categories=person.preferred_categories,
            availability=[(a.weekday, a.start_minute, a.end_minute) for a in person.availability],
        )
        if not own:
            return rows
        return replace(
            rows,
            unavailable=person.unavailable_dates,
            community_name=person.community.name,
            grid_name=person.grid.name if person.grid is not None else None,
        )


class PersonUpdate(Strict):
    """A coordinator's correction of a person; a field left out stays. ``grid_id`` and
    ``work_unit_id`` may be cleared with ``null``."""

    name: Name | None = None
    grid_id: RefId | None = None
    work_unit: ShortText | None = None
    #: the unit record (``GET /work-units``); ``null`` unlinks it
    work_unit_id: RefId | None = None
    skills: Skills | None = None
    weekly_hours_cap: HoursCap | None = None
    weekly_task_cap: TaskCap | None = None


class PersonPublic(BaseModel):
    """A person as coordinators and grid leaders see them: the phone only masked."""

    id: int
    name: str
    kind: PersonKind
    community_id: int
    grid_id: int | None
    work_unit: str
    #: the unit record the quarterly card goes to, and its name
    work_unit_id: int | None
    work_unit_name: str | None
    skills: list[str]
    service_categories: list[str]
    availability: list[TimeWindowPublic]
    weekly_hours_cap: float
    weekly_task_cap: int
    phone_masked: str
    active: bool
    #: registered, waiting for a coordinator's approval (报到审核): not scheduled until then
    pending: bool

    @classmethod
    def of(cls, person: Person) -> PersonPublic:
        return cls(**_person_fields(person, PersonRows.of(person)))


class PersonListed(PersonPublic):
    """A person in a community's list: also their services this quarter, as the matcher
    counts them for the current week (done or confirmed, in published plans)."""

    services_this_quarter: int

    @classmethod
    def listed(cls, person: Person, services_this_quarter: int) -> PersonListed:
        return cls(
            **_person_fields(person, PersonRows.of(person)),
            services_this_quarter=services_this_quarter,
        )


class PersonSelf(PersonPublic):
    """A member's own profile: also their home location, consent and days off."""

    community_name: str
    grid_name: str | None
    home: Location
    home_place_id: int | None
    unavailable_dates: list[date]
    consent_version: str | None
    consent_at: UTCTime | None

    @classmethod
    def of(cls, person: Person, rows: PersonRows | None = None) -> PersonSelf:
        rows = rows or PersonRows.of(person, own=True)
        return cls(
            **_person_fields(person, rows),
            community_name=rows.community_name,
            grid_name=rows.grid_name,
            home=Location(lat=person.home_lat, lng=person.home_lng),
            home_place_id=person.home_place_id,
            unavailable_dates=sorted(rows.unavailable),
            consent_version=person.consent_version,
            consent_at=person.consent_at,
        )


def _person_fields(person: Person, rows: PersonRows) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "kind": person.kind,
        "community_id": person.community_id,
        "grid_id": person.grid_id,
        "work_unit": person.work_unit,
        "work_unit_id": person.work_unit_id,
        "work_unit_name": rows.unit_name,
        "skills": sorted(rows.skills),
        "service_categories": sorted(rows.categories),
        "availability": [
            TimeWindowPublic(weekday=weekday, start=clock(start), end=clock(end))
            for weekday, start, end in sorted(rows.availability)
        ],
        "weekly_hours_cap": person.weekly_hours_cap,
        "weekly_task_cap": person.weekly_task_cap,
        "phone_masked": person.masked_phone,
        "active": person.active,
        "pending": person.pending,
    }


class AccountPublic(BaseModel):
    """``GET /me``: the account, its reach, and for a member their profile."""

    id: int
    username: str
    role: str
    community_ids: list[int]
    grid_ids: list[int]
    person: PersonSelf | None
