"""A community's week as the console reads it, built once and kept until something changes.

The board and a slot's candidates both start from the community's week as the matcher sees it
(``build_problem``): at 5,700 people that takes seconds to read and index. It is kept here per
database, community and week with the community's change counter (``models.versions``) it was
built at; any write to the community's people, demands, overrides or runs moves the counter, in
any process, and the next request builds the week again.

"Who could take this seat" needs only the people whom the pairwise rules allow on it: the
week's pairs are built once (``build_candidates``, the first time a seat is asked for), and a
seat's candidates are ranked on a small problem of the people allowed on it and the demands
they already have that week (their walks between tasks need them). Every pairwise rule looks at
one person and one demand, so the ranking is the same as on the whole week. What is made from a
week (the board as sent, the pairs, the shown run's tasks) is kept with it in ``answers``.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, raiseload

from api.services.problem import DemandRefs, build_problem
from matcher.candidates import build_candidates
from matcher.domain import Demand, Locks, Problem
from matcher.ranking import known_pairs
from models.schedule import Assignment, ScheduleRun
from models.versions import community_version

T = TypeVar("T")

#: weeks kept per database; a coordinator looks at this week and the next, a few at once
MAX_WEEKS = 16
#: the key of the week's pairs among a cached week's answers
ALLOWED = "allowed"


@dataclass(frozen=True, slots=True)
class CachedWeek:
    """One community's week, its demands by id, and what has been made from it."""

    community_id: int
    week_start: date
    version: int
    problem: Problem
    refs: DemandRefs
    demands: Mapping[str, Demand]
    #: what has been made from this week, kept with it (the board as sent per grid scope, the
    #: pairs, the shown run's tasks): as current as the week, and gone with it when the counter
    #: moves
    answers: dict[object, Any] = field(default_factory=dict, compare=False)
    making: threading.RLock = field(default_factory=threading.RLock, compare=False)

    def kept(self, key: object, make: Callable[[], T]) -> T:
        """What ``make`` makes from this week, made once: a request asking meanwhile waits for
        it rather than making it too (two hundred coordinators open the same board at 9:00)."""
        if key not in self.answers:
            with self.making:
                if key not in self.answers:
                    self.answers[key] = make()
        found: T = self.answers[key]
        return found

    def allowed_on(self, demand_id: str) -> np.ndarray:
        """The people (indices, in the week's order) whom the pairwise rules allow on the
        demand, counting only the coordinator's forbids (a pin lets someone the rules refuse
        through, and the ranking does not count pins): the week's pairs, built once."""

        def by_demand() -> dict[str, np.ndarray]:
            problem = self.problem
            probe = replace(
                problem, locks=Locks(forbidden=known_pairs(problem, problem.locks.forbidden))
            )
            pairs = build_candidates(probe)
            order = np.lexsort((pairs.person, pairs.demand))
            demands, people = pairs.demand[order], pairs.person[order]
            cuts = np.flatnonzero(np.diff(demands)) + 1
            allowed = {
                problem.demands[int(group_demands[0])].id: np.unique(group_people)
                for group_demands, group_people in zip(
                    np.split(demands, cuts), np.split(people, cuts), strict=True
                )
                if group_demands.size
            }
            return allowed

        allowed = self.kept(ALLOWED, by_demand)
        found: np.ndarray = allowed.get(demand_id, np.zeros(0, dtype=np.int64))
        return found

    def seat_problem(self, demand_id: str, booked: Mapping[str, Iterable[str]]) -> Problem:
        """The week cut down to one seat: the people whom the pairwise rules allow on it, and
        the demands those people already have (``booked``: person id → demand ids; their walks
        between tasks need them), in the week's order, so that ties break as on the whole
        week."""
        people = tuple(self.problem.people[int(i)] for i in self.allowed_on(demand_id))
        wanted = {demand_id}
        for person in people:
            wanted.update(d for d in booked.get(person.id, ()) if d in self.demands)
        demands = tuple(d for d in self.problem.demands if d.id in wanted)
        return replace(self.problem, people=people, demands=demands)


class _Weeks:
    """The weeks of one database, newest use last, at most ``MAX_WEEKS``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.weeks: OrderedDict[tuple[int, date], CachedWeek] = OrderedDict()
        #: one lock per week being built: the requests that find it missing wait for one build
        self.building: dict[tuple[int, date], threading.Lock] = {}

    def builder(self, key: tuple[int, date]) -> threading.Lock:
        with self.lock:
            return self.building.setdefault(key, threading.Lock())

    def get(self, key: tuple[int, date], version: int) -> CachedWeek | None:
        with self.lock:
            found = self.weeks.get(key)
            if found is None or found.version != version:
                return None
            self.weeks.move_to_end(key)
            return found

    def put(self, week: CachedWeek) -> None:
        with self.lock:
            self.weeks[(week.community_id, week.week_start)] = week
            self.weeks.move_to_end((week.community_id, week.week_start))
            while len(self.weeks) > MAX_WEEKS:
                self.weeks.popitem(last=False)


# one cache per engine: two databases (tests make many) never share a week
_by_engine: WeakKeyDictionary[Engine, _Weeks] = WeakKeyDictionary()
_by_engine_lock = threading.Lock()


def _weeks_of(session: Session) -> _Weeks:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _by_engine_lock:
        weeks = _by_engine.get(engine)
        if weeks is None:
            weeks = _by_engine[engine] = _Weeks()
        return weeks


def cached_week(*, session: Session, community_id: int, week_start: date) -> CachedWeek:
    """The community's week, from the cache while its change counter has not moved."""
    weeks = _weeks_of(session)
    # the counter is read first: a change committed while the week is read leaves the week
    # under the old counter, which the next request no longer matches
    version = community_version(session, community_id)
    key = (community_id, week_start)
    found = weeks.get(key, version)
    if found is not None:
        return found
    with weeks.builder(key):
        # whoever waited here finds the week the first one built
        found = weeks.get(key, version)
        if found is not None:
            return found
        problem, refs = build_problem(
            session=session, community_id=community_id, week_start=week_start, reading=True
        )
        week = week_of(problem, refs, community_id=community_id, version=version)
        weeks.put(week)
    # a week of 5,700 people is millions of small objects: left to the cyclic collector, every
    # full collection walks them all, and the request that happens to trigger one waits about
    # a second. Frozen (after collecting what is already garbage) they are skipped; dropping
    # the week still frees them, since they hold no cycles.
    gc.collect()
    gc.freeze()
    return week


def week_of(problem: Problem, refs: DemandRefs, *, community_id: int, version: int) -> CachedWeek:
    """A week as the cache keeps it: the problem and its demands by id."""
    return CachedWeek(
        community_id=community_id,
        week_start=problem.week_start,
        version=version,
        problem=problem,
        refs=refs,
        demands={d.id: d for d in problem.demands},
    )


def booked_in(session: Session, run: ScheduleRun | None) -> list[Assignment]:
    """A run's assignments as the ranking reads them: times, role and demand, no person rows."""
    if run is None:
        return []
    return list(
        session.scalars(
            sa.select(Assignment)
            .where(Assignment.run_id == run.id)
            .options(raiseload(Assignment.person))
            .order_by(Assignment.id)
        )
    )


def forget_weeks(session: Session) -> None:
    """Drop every cached week of the session's database (for benchmarks that time a cold start)."""
    weeks = _weeks_of(session)
    with weeks.lock:
        weeks.weeks.clear()
