"""A community's week as the console reads it, built once and kept until something changes.

The board and a slot's candidates both start from the community's week as the matcher sees it
(``build_problem``): at 5,700 people that takes seconds to read and index. It is kept here per
database, community and week with the community's change counter (``models.versions``) it was
built at; any write to the community's people, demands, overrides or runs moves the counter, in
any process, and the next request builds the week again.

"Who could take this seat" needs only the people who live within walking distance of it and
whom the rules allow on it: the week keeps its people's homes in cells about one service radius
wide (``HomeIndex``); the pairwise rules are applied to the people in the cells around the seat
and this one demand, and the seat's candidates are ranked on a small problem of the people who
pass and the demands they already have that week (their walks between tasks need them). Every
pairwise rule looks at one person and one demand, so the ranking is the same as on the whole
week.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from weakref import WeakKeyDictionary

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, raiseload

from api.services.problem import DemandRefs, build_problem
from matcher.candidates import HomeIndex, build_candidates
from matcher.domain import Demand, Locks, Problem
from matcher.ranking import known_pairs
from models.schedule import Assignment, ScheduleRun
from models.versions import community_version

#: weeks kept per database; a coordinator looks at this week and the next, a few at once
MAX_WEEKS = 16


@dataclass(frozen=True, slots=True)
class CachedWeek:
    """One community's week, its demands by id and its people's homes in cells."""

    community_id: int
    week_start: date
    version: int
    problem: Problem
    refs: DemandRefs
    demands: Mapping[str, Demand]
    homes: HomeIndex
    #: answers made from this week and kept with it (the board as sent, per grid scope): they
    #: are as current as the week itself, and go with it when the counter moves
    answers: dict[object, bytes] = field(default_factory=dict, compare=False)

    def reach_of(self, demand: Demand) -> float:
        """The widest walk the rules may allow to this demand."""
        return max(demand.radius_m or 0.0, self.problem.settings.radius_m)

    def seat_problem(self, demand_id: str, booked: Mapping[str, Iterable[str]]) -> Problem:
        """The week cut down to one seat: the people living in the cells within reach of the
        demand whom the pairwise rules allow on it, and the demands those people already have
        (``booked``: person id → demand ids; their walks between tasks need them), in the
        week's order, so that ties break as on the whole week."""
        demand = self.demands[demand_id]
        nearby = self.homes.near(demand.location, self.reach_of(demand))
        people = tuple(self.problem.people[int(i)] for i in nearby)
        # the pairwise rules on this one demand: only the forbids of the coordinator count, as
        # in the ranking (a pin lets someone the rules refuse through)
        probe = replace(self.problem, people=people, demands=(demand,), locks=Locks())
        probe = replace(
            probe, locks=Locks(forbidden=known_pairs(probe, self.problem.locks.forbidden))
        )
        pairs = build_candidates(probe)
        allowed = {people[int(p)].id for p in pairs.person}
        people = tuple(p for p in people if p.id in allowed)
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
    found = weeks.get((community_id, week_start), version)
    if found is not None:
        return found
    problem, refs = build_problem(session=session, community_id=community_id, week_start=week_start)
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
    """A week as the cache keeps it: the problem, its demands by id, its homes in cells."""
    homes = HomeIndex(
        np.array([p.home.lat for p in problem.people], dtype=np.float64),
        np.array([p.home.lng for p in problem.people], dtype=np.float64),
        problem.settings.radius_m,
    )
    return CachedWeek(
        community_id=community_id,
        week_start=problem.week_start,
        version=version,
        problem=problem,
        refs=refs,
        demands={d.id: d for d in problem.demands},
        homes=homes,
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
