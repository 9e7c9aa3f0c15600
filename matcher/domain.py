"""The matcher's plain typed objects: one week of a community's work in, a schedule out.

Times inside the matcher are whole minutes from Monday 00:00 of the scheduled week
(``week_start``), so that overlap and walking checks are integer arithmetic. Dates are real
``datetime.date`` values; ``Problem.minute_of`` and ``Problem.date_of`` convert between them.
Nothing here knows of files, databases or HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, TypeVar

MINUTES_PER_DAY = 24 * 60
DAYS_PER_WEEK = 7
WEEK_MINUTES = DAYS_PER_WEEK * MINUTES_PER_DAY
WALK_METRES_PER_MINUTE = 80  # 1.2 km in 15 minutes, the "15-minute service circle"

#: The skill and service-category vocabulary (专长 / 服务类别), Chinese name → English name.
#: A scenario may add its own tags; anything else is rejected as an unknown skill.
SKILLS: dict[str, str] = {
    "纠纷调解": "mediation",
    "法律援助": "legal aid",
    "环保监督": "environmental watch",
    "帮困助弱": "helping the needy",
    "宣传教育": "publicity and education",
    "医疗卫生": "medical and health",
    "家政服务": "housekeeping",
    "家电维修": "appliance repair",
    "水电维修": "plumbing and wiring",
    "助老": "elderly care",
    "辅导功课": "homework tutoring",
    "心理疏导": "counselling",
    "治安巡逻": "security patrol",
    "垃圾分类": "waste sorting",
    "文艺演出": "performing arts",
    "理发": "haircuts",
    "摄影": "photography",
    "驾驶": "driving",
    "电脑手机": "computers and phones",
    "代购跑腿": "errands",
}

#: Weekday names, Monday = 0.
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class PersonKind(StrEnum):
    PARTY_MEMBER = "party_member"  # 在职党员
    VOLUNTEER = "volunteer"  # 志愿者
    SOCIAL_WORKER = "social_worker"  # 社工


PERSON_KIND_ZH = {
    PersonKind.PARTY_MEMBER: "在职党员",
    PersonKind.VOLUNTEER: "志愿者",
    PersonKind.SOCIAL_WORKER: "社工",
}


class DemandKind(StrEnum):
    WISH = "wish"  # 微心愿
    SHIFT = "shift"  # 服务岗位 shift
    ACTIVITY = "activity"  # 主题服务月 activity


DEMAND_KIND_ZH = {
    DemandKind.WISH: "微心愿",
    DemandKind.SHIFT: "服务岗位",
    DemandKind.ACTIVITY: "主题活动",
}

#: Beneficiary situations and how much they raise a wish's priority (see ``wish_priority``).
SITUATION_WEIGHTS: dict[str, float] = {
    "elderly_alone": 2.0,  # 独居老人
    "disabled": 2.0,  # 残疾人
    "seriously_ill": 2.0,  # 重病
    "poor_family": 1.0,  # 困难家庭
    "left_behind_child": 1.0,  # 留守儿童
    # the must-visit lists (六必访 / 四必访) add these; they matter most for standing pairs
    "dispute": 1.0,  # 矛盾纠纷
    "unemployed": 1.0,  # 失业人员
    "under_correction": 1.0,  # 刑满释放、社区矫正
    "new_arrival": 0.5,  # 新迁入
    "empty_nest": 1.0,  # 空巢老人
}
SITUATIONS_ZH = {
    "elderly_alone": "独居老人",
    "disabled": "残疾人",
    "seriously_ill": "重病患者",
    "poor_family": "困难家庭",
    "left_behind_child": "留守儿童",
    "dispute": "矛盾纠纷家庭",
    "unemployed": "失业人员家庭",
    "under_correction": "刑满释放或社区矫正人员",
    "new_arrival": "新迁入居民",
    "empty_nest": "空巢老人",
}


def wish_priority(situations: tuple[str, ...]) -> float:
    """Priority of a wish from its beneficiary's situations: 1 plus the weights, at most 5."""
    return min(5.0, 1.0 + sum(SITUATION_WEIGHTS.get(s, 0.0) for s in situations))


T = TypeVar("T")


def pickled_by_constructor(cls: type[T]) -> type[T]:
    """Pickled as the call that makes it: a frozen dataclass with slots otherwise pickles
    field by field, asking ``dataclasses.fields`` once per object, which made sending a
    Guiyang part and its strip to a Dask worker (10,000 people) take 1.3 s of processor time,
    twice this way's."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def __reduce__(self: T) -> tuple[type[T], tuple[Any, ...]]:
        return cls, tuple([getattr(self, name) for name in names])

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lng: float


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Window:
    """A time range in week minutes, ``start`` inclusive, ``end`` exclusive."""

    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """A recurring free time: weekday (Monday = 0) and minutes of the day, end exclusive."""

    weekday: int
    start_minute: int
    end_minute: int


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class TaskElsewhere:
    """A task the person has this week outside the problem: in their other community (双报到),
    published or drafted there, in week minutes of this problem. The person cannot be in two
    places: a task here keeps clear of it by the walk between the two places
    (``rules.tasks_overlap``), as two tasks of the problem do."""

    start: int
    end: int
    location: Location


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    kind: PersonKind
    skills: frozenset[str]
    home: Location
    grid: str = ""
    community: str = ""
    work_unit: str = ""
    availability: tuple[WeeklyWindow, ...] = ()
    unavailable_dates: frozenset[date] = frozenset()
    weekly_hours_cap: float = 6.0
    weekly_task_cap: int = 3
    preferred_categories: frozenset[str] = frozenset()
    services_this_quarter: int = 0
    #: households (beneficiary ids) this person has served before, for continuity
    served_households: frozenset[str] = frozenset()
    #: teams the person belongs to: a grid's party group (党小组), a specialist team (法律援助队
    #: …), a co-building unit (共建单位); a role that asks for a team takes only its members
    teams: frozenset[str] = frozenset()
    #: tasks in their other community this week (双报到); they block their time here with the
    #: walk to and from them. The caps are the caller's to lower: ``weekly_hours_cap`` and
    #: ``weekly_task_cap`` are what the person has left (``api.services.problem`` does so)
    tasks_elsewhere: tuple[TaskElsewhere, ...] = ()


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Role:
    """One kind of helper a demand needs: the skills every helper must have and how many.

    ``min_count`` heads are essential; heads from ``min_count`` up to ``max_count`` are welcome
    but worth less (a post's staff between its minimum and maximum).
    """

    skills: frozenset[str]
    min_count: int
    max_count: int
    name: str = ""
    #: only members of this team may take the role (a team-only role); empty: anyone
    team: str = ""


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Demand:
    """Anything that needs people: a micro-wish, a post shift or a themed-month activity.

    Fixed-time demands (shifts, activities) have ``window`` equal to their time and
    ``duration == window.minutes``. A wish's ``window`` spans its allowed days (from the
    earliest date to the deadline, clipped to the week) and the matcher chooses a start
    inside it that suits the assignee.
    """

    id: str
    kind: DemandKind
    title: str
    location: Location
    roles: tuple[Role, ...]
    window: Window
    duration: int
    category: str = ""
    grid: str = ""
    community: str = ""
    priority: float = 1.0
    party_members_only: bool = False
    radius_m: float | None = None
    #: all heads or none (a group claim of a wish); fixed demands take partial staff
    all_or_nothing: bool = False
    #: a wish whose helpers may come at different times; otherwise a wish with several heads
    #: is one visit, all its helpers at one start (moving a wardrobe takes them at once)
    separate_visits: bool = False
    household: str = ""
    #: a standing pair's visit (结对探访): only these people may take it while one of them can
    #: (the pairwise rule ``reserved`` in rules.py); others only when none of them can
    reserved_for: tuple[str, ...] = ()
    #: a regular-crew post's shift (定点定时定人): the people who held this weekly shift in the
    #: last published week; keeping them earns ``Weights.regular_crew`` each
    regulars: frozenset[str] = frozenset()
    #: beneficiary situations or responsible unit, for explanations
    note: str = ""

    @property
    def flexible(self) -> bool:
        return self.duration < self.window.minutes

    @property
    def headcount(self) -> int:
        return sum(r.max_count for r in self.roles)

    @property
    def together(self) -> bool:
        """Its helpers share one start time (a fixed-time demand's share its time anyway)."""
        return self.flexible and self.headcount > 1 and not self.separate_visits


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Locks:
    """Coordinator overrides. Pairs are ``(person_id, demand_id)``."""

    pinned: frozenset[tuple[str, str]] = frozenset()
    forbidden: frozenset[tuple[str, str]] = frozenset()
    #: the previously published assignment, kept where it costs little (stability)
    previous: frozenset[tuple[str, str]] = frozenset()


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Weights:
    """Objective weights, in points. Coverage dominates; the rest break ties among good plans.

    Defaults: one essential head of a priority-1 demand is worth 1000 points; a 1.2 km walk
    costs 120; each further task of the same person costs 40 more than the one before; a
    member below the quarter's minimum gains 150 for their first task; a stated preference
    gains 30, serving a household served before 60, keeping a published assignment 200.
    A regular-crew shift keeps last week's people for 250 each: more than the quarter bonus of a
    member far behind (150) plus the walk and load it may cost, so the crew stays unless one
    of them cannot come; far less than a head of coverage (1000), so it never leaves a seat
    empty (``docs/matcher.md``).
    """

    coverage: int = 1000
    extra_staff_fraction: float = 0.3
    walk_per_km: int = 100
    load_step: int = 40
    behind_quarter: int = 150
    preference: int = 30
    continuity: int = 60
    stability: int = 200
    regular_crew: int = 250


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Settings:
    radius_m: float = 1200.0
    weights: Weights = field(default_factory=Weights)
    time_limit_s: float = 10.0
    seed: int = 0
    #: services per member per quarter the community expects (fairness favours those behind)
    quarter_minimum: int = 3
    #: CP-SAT workers; one worker with linearization 2 is the measured best on 2 cores
    workers: int = 1
    #: house calls for wishes happen between these minutes of the day (08:00–20:00)
    visit_hours: tuple[int, int] = (8 * 60, 20 * 60)


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Problem:
    week_start: date
    people: tuple[Person, ...]
    demands: tuple[Demand, ...]
    locks: Locks = field(default_factory=Locks)
    settings: Settings = field(default_factory=Settings)
    name: str = ""

    def minute_of(self, day: date, minute_of_day: int = 0) -> int:
        return (day - self.week_start).days * MINUTES_PER_DAY + minute_of_day

    def date_of(self, minute: int) -> date:
        return self.week_start + timedelta(days=minute // MINUTES_PER_DAY)


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Reason:
    zh: str
    en: str


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Assignment:
    person_id: str
    demand_id: str
    role: int
    start: int
    end: int
    distance_m: float
    pinned: bool = False
    reasons: tuple[Reason, ...] = ()


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Gap:
    """A role of a demand left short of people, and why."""

    demand_id: str
    role: int
    missing: int
    essential_missing: int
    reason: Reason


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Solution:
    status: str  # "optimal" | "feasible" | "empty"
    assignments: tuple[Assignment, ...]
    gaps: tuple[Gap, ...]
    objective: int
    bound: int
    #: objective broken down per term (points, signed as they add up to ``objective``)
    breakdown: dict[str, int]
    weighted_coverage: float
    wall_time_s: float
    stats: dict[str, float | int | str] = field(default_factory=dict)
    warnings: tuple[Reason, ...] = ()

    @property
    def gap(self) -> float:
        """Relative distance from the proven bound: 0 means proven optimal."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)


class LockConflict(ValueError):
    """Coordinator locks that cannot all hold (e.g. one person pinned to two overlapping tasks)."""

    def __init__(self, reasons: list[Reason]):
        self.reasons = reasons
        super().__init__("; ".join(r.en for r in reasons))
