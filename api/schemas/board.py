"""The coordinator console's views of a week: the board of demands, the candidates for one
slot, what a re-solve moved, and the community map.

No schema here carries a phone, an ID number or a resident's address: people appear by id and
name, wishes by title, and homes only as counts per cell of about 200 m.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from matcher.domain import DemandKind
from models.schedule import AssignmentStatus, RunStatus
from models.wish import WishStatus

Fill = Literal["full", "partial", "empty"]
Change = Literal["added", "removed"]


class Text(BaseModel):
    """A message in Chinese and English."""

    zh: str
    en: str


# the week board ------------------------------------------------------------------------------


class RoleSlot(BaseModel):
    """One kind of helper a demand needs, and how many it has in the run the board shows."""

    role: int
    #: the skill tag(s) every helper needs (joined with 、 when several), or null for anyone
    skill: str | None
    skill_zh: str
    skill_en: str
    skills: list[str]
    needed: int
    #: heads that must be there (a post's minimum staff); the rest are welcome
    essential: int
    filled: int
    gap_reason: Text | None


class SlotPerson(BaseModel):
    assignment_id: int
    person_id: int
    person_name: str
    role: int
    status: AssignmentStatus
    pinned: bool
    #: set when the coordinator put this person on by hand: the reason given (and, for
    #: someone a rule kept off, the rule broken)
    override_reason: str | None = None
    starts_at: datetime
    ends_at: datetime


class DemandSlot(BaseModel):
    """One demand of the week. A wish's place is never shown here: ``place`` is empty."""

    demand_kind: DemandKind
    demand_id: int
    title: str
    day: date
    #: a wish: its time in the run if someone has it, else the span it may be done in
    starts_at: datetime
    ends_at: datetime
    #: a wish may be done any time in its span; shifts and activities have a fixed time
    flexible: bool
    place: str
    grid_id: int | None
    category: str
    priority: float
    party_members_only: bool
    essential: bool
    roles: list[RoleSlot]
    fill: Fill
    gap_reason: Text | None
    people: list[SlotPerson]


class WeekBoard(BaseModel):
    community_id: int
    week_start: date
    draft_run_id: int | None
    published_run_id: int | None
    solving_run_id: int | None
    #: the run the board is filled from: the draft, else the published run, else none
    shown_run_id: int | None
    demands: list[DemandSlot]


class SlotCandidate(BaseModel):
    person_id: int
    name: str
    kind: str
    distance_m: float
    services_this_quarter: int
    #: hours of the person's other tasks in the run the board shows
    hours_this_week: float
    tasks_this_week: int
    #: already on this demand in this role
    assigned: bool
    score: int = Field(description="objective points this choice adds; higher is better")
    starts_at: datetime
    ends_at: datetime
    reasons: list[Text]
    rank: int


# what a re-solve moved -----------------------------------------------------------------------


#: the rule that keeps a near miss off a seat: a pairwise rule or a rule of the week
NearMissRule = Literal[
    "skill",
    "member",
    "team",
    "radius",
    "time",
    "reserved",
    "forbidden",
    "task_cap",
    "hours_cap",
    "busy",
]


class NearMissCandidate(BaseModel):
    """Someone exactly one hard rule keeps off the seat, with that rule and what putting them
    on anyway means."""

    person_id: int
    name: str
    kind: str
    rule: NearMissRule
    why: Text
    consequence: Text
    distance_m: float
    services_this_quarter: int
    hours_this_week: float
    tasks_this_week: int
    starts_at: datetime
    ends_at: datetime


class MovedPair(BaseModel):
    person_id: int
    person_name: str
    demand_kind: DemandKind
    demand_id: int
    title: str
    role: int
    change: Change


class RunMoves(BaseModel):
    run_id: int
    status: RunStatus
    #: the run this one is compared with; null when the week had none before it
    against_run_id: int | None
    moved: list[MovedPair]


# the map -------------------------------------------------------------------------------------


class MapPoint(BaseModel):
    lat: float
    lng: float


class GridPoint(BaseModel):
    id: int
    name: str
    lat: float | None
    lng: float | None
    #: active people registered in the grid
    people: int


class WishPoint(BaseModel):
    id: int
    title: str
    status: WishStatus
    lat: float
    lng: float
    grid_id: int | None


class HomeCell(BaseModel):
    """How many people live in one cell of about 200 m; the point is the cell's centre."""

    lat: float
    lng: float
    count: int


class CommunityMap(BaseModel):
    #: the middle of the grids' centres (else of the homes); null for an empty community
    center: MapPoint | None
    radius_m: float
    #: side of a home cell, in metres; cells with fewer than ``min_per_cell`` people are left out
    cell_m: float
    min_per_cell: int
    grids: list[GridPoint]
    #: open and assigned wishes, for a coordinator of the community only; empty for others
    wishes: list[WishPoint]
    homes: list[HomeCell]
