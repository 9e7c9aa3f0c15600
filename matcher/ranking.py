"""Who could take one seat (a role of a demand), best first, as the matcher scores a choice.

Used to find a stand-in after a decline and to offer a coordinator candidates for an open
seat. Only people every hard rule allows are ranked: the pairwise rules table
(``rules.PAIR_RULES``, through the candidate pairs), then the week as it stands (``Timetable``):
the weekly caps and no clash, walk included, with the tasks each person already has, and for a
group wish some helpers are already on, its start: the others come then too. The score
is what the choice adds to the objective: the pair's walk and bonuses, less the next task's
fairness cost (``timetable.marginal_load``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from matcher import explain, rules, timing
from matcher.candidates import Candidates, build_candidates
from matcher.domain import Demand, Locks, Person, Problem, Reason, Role
from matcher.timetable import Held, Timetable, marginal_load

FREE_THEN = Reason(zh="此时有空", en="free at that time")


@dataclass(frozen=True, slots=True)
class Booked:
    """A task already on a person's week, in week minutes."""

    start: int
    end: int
    #: the demand's id; None (or an id the problem does not hold) for a task outside the
    #: problem, to and from which no walk is counted
    demand_id: str | None = None
    #: the role taken, when ``demand_id`` is the seat's demand
    role: int | None = None


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    person_id: str
    #: points the choice adds to the week: walk and bonuses, less the next task's fairness cost
    score: int
    #: metres from home, to a tenth of a metre (the ranking breaks ties on this figure)
    distance_m: float
    #: week minutes of the first start that fits the person's week, and its end
    start: int
    end: int
    reasons: tuple[Reason, ...]
    #: the person's other tasks this week and their minutes (the seat's own task left out)
    tasks_this_week: int
    minutes_this_week: int
    #: already on this seat (only when the ranking was asked to keep them)
    assigned: bool = False


def rank_candidates(
    *,
    problem: Problem,
    demand_id: str,
    role: int,
    booked: Mapping[str, Sequence[Booked]],
    keep_assigned: bool = False,
) -> list[RankedCandidate]:
    """Who could serve role ``role`` of demand ``demand_id``, best first.

    ``booked`` is what each person (by id) already does this week. People already on the
    demand are left out, or with ``keep_assigned`` those on this role are ranked too, marked
    ``assigned`` and measured without that task. Of the problem's locks only the forbids count:
    who declined or was taken off stays off, and a pin would let someone the rules refuse
    through. Ties go to the nearer person, then to the one listed first in the problem.
    """
    week = _seat_week(problem, demand_id, role, booked, keep_assigned)
    c, d, demand, table = week.c, week.d, week.demand, week.table
    on_demand, on_role = week.on_demand, week.on_role

    ranked: list[RankedCandidate] = []
    for pair in map(int, np.flatnonzero((c.demand == d) & (c.role == role))):
        p = int(c.person[pair])
        person = problem.people[p]
        assigned = person.id in on_role
        if person.id in on_demand and not (keep_assigned and assigned):
            continue
        start = table.first_fitting_start(pair)
        if start is None:
            continue
        tasks = table.tasks(p)
        ranked.append(
            RankedCandidate(
                person_id=person.id,
                score=-int(c.cost[pair]) - marginal_load(c, p, tasks),
                distance_m=round(float(c.distance_m[pair]), 1),
                start=start,
                end=start + demand.duration,
                reasons=(*explain.why_this_person(c, pair, tasks + 1), FREE_THEN),
                tasks_this_week=tasks,
                minutes_this_week=table.minutes.get(p, 0),
                assigned=assigned,
            )
        )
    position = {person.id: i for i, person in enumerate(problem.people)}
    ranked.sort(key=lambda cand: (-cand.score, cand.distance_m, position[cand.person_id]))
    return ranked


#: the rules of the week as it stands, after the pairwise ones, in the order they are checked
WEEK_RULES = ("task_cap", "hours_cap", "busy")


@dataclass(frozen=True, slots=True)
class NearMiss:
    """Someone one rule keeps from a seat: every other hard rule allows them."""

    person_id: str
    #: the rule broken: a key of ``rules.PAIR_RULES`` or one of ``WEEK_RULES``
    rule: str
    #: what the person lacks, with its figure ("300 m beyond the walking radius")
    why: Reason
    #: what putting them on anyway means
    consequence: Reason
    distance_m: float
    #: week minutes the task would take them, as a direct assignment would book it
    start: int
    end: int
    tasks_this_week: int
    minutes_this_week: int
    #: for ``busy``: the demand (id) they have at that time
    busy_with: str | None = None


def near_misses(
    *,
    problem: Problem,
    demand_id: str,
    role: int,
    booked: Mapping[str, Sequence[Booked]],
) -> list[NearMiss]:
    """Everyone exactly one hard rule keeps from role ``role`` of ``demand_id``, given the week
    ``booked``: a pairwise rule of ``rules.PAIR_RULES`` (read from the table, never restated)
    or a rule of the week (``WEEK_RULES``: the task cap, the hours cap, another task then).
    People who break none are candidates (``rank_candidates``); two or more, nobody's near.
    Grouped by rule in the table's order, then nearest first."""
    week = _seat_week(problem, demand_id, role, booked, keep_assigned=False)
    c, d, demand, table = week.c, week.d, week.demand, week.table
    seat = demand.roles[role]
    rows = np.arange(len(problem.people))
    shortlist = rules.Shortlist(c.pool, demand, rows)
    refused = {
        rule.key: rule.refused(shortlist, seat)
        for rule in rules.PAIR_RULES
        if rule.applies(demand, seat)
    }
    distances = shortlist.distances_m
    found: list[NearMiss] = []
    for p in map(int, rows):
        person = problem.people[p]
        if person.id in week.on_demand:
            continue
        broken = [key for key, mask in refused.items() if mask[p]]
        if len(broken) > 1:
            continue
        start = table.clear_start(p, d)
        busy_with = None if start is not None else _busy_with(c, table, p, d)
        tasks, minutes = table.tasks(p), table.minutes.get(p, 0)
        week_broken = [
            key
            for key, breaks in (
                ("task_cap", rules.over_weekly_tasks(tasks + 1, person)),
                ("hours_cap", rules.over_weekly_hours(minutes + demand.duration, person)),
                ("busy", start is None),
            )
            if breaks
        ]
        if len(broken) + len(week_broken) != 1:
            continue
        rule = (broken or week_broken)[0]
        if start is None:
            start = c.segments(p, d)[0].start
        distance = float(distances[p])
        why, consequence = _words(
            c, demand, seat, person, rule, distance, tasks, minutes, busy_with
        )
        found.append(
            NearMiss(
                person_id=person.id,
                rule=rule,
                why=why,
                consequence=consequence,
                distance_m=round(distance, 1),
                start=start,
                end=start + demand.duration,
                tasks_this_week=tasks,
                minutes_this_week=minutes,
                busy_with=busy_with,
            )
        )
    order = [rule.key for rule in rules.PAIR_RULES] + list(WEEK_RULES)
    position = {person.id: i for i, person in enumerate(problem.people)}
    found.sort(key=lambda m: (order.index(m.rule), m.distance_m, position[m.person_id]))
    return found


def _busy_with(c: Candidates, table: Timetable, p: int, d: int) -> str | None:
    """The demand (id) of the person's task that leaves no time for demand ``d``."""
    demand = c.problem.demands[d]
    starts = [s.start for s in c.segments(p, d)] or [demand.window.start]
    for busy in table.busy(p):
        if busy.demand is not None and any(timing.clashes(c, d, s, busy) for s in starts):
            return c.problem.demands[busy.demand].id
    return None


def _words(
    c: Candidates,
    demand: Demand,
    seat: Role,
    person: Person,
    rule: str,
    distance_m: float,
    tasks: int,
    minutes: int,
    busy_with: str | None,
) -> tuple[Reason, Reason]:
    """The broken rule and its consequence, as a coordinator would say them."""
    if rule == "skill":
        missing = sorted(seat.skills - person.skills)
        names = "".join(f"「{s}」" for s in missing)
        return (
            Reason(zh=f"缺少{names}专长", en="lacks " + ", ".join(map(explain.skill_en, missing))),
            Reason(
                zh="请先确认本人能胜任这项服务",
                en="check first that they can do this work",
            ),
        )
    if rule == "member":
        return (
            Reason(zh="不是党员", en="not a party member"),
            Reason(zh="这项任务仅限党员参加", en="the task is for party members only"),
        )
    if rule == "team":
        return (
            Reason(zh=f"不属于「{seat.team}」团队", en=f"not in the team “{seat.team}”"),
            Reason(zh="这项任务要求由该团队的成员承担", en="the task asks for that team's members"),
        )
    if rule == "reserved":
        return (
            Reason(zh="这是结对党员的走访", en="a visit kept for the household's standing pair"),
            Reason(
                zh="结对党员能去时应由其上门，请先与其确认",
                en="the paired member should go while they can; ask them first",
            ),
        )
    if rule == "radius":
        radius = demand.radius_m if demand.radius_m is not None else c.problem.settings.radius_m
        # to the nearest 10 m: a straight line is no more exact than that on foot
        beyond = max(10, round((distance_m - radius) / 10) * 10)
        walk = rules.walk_minutes(distance_m)
        return (
            Reason(
                zh=f"超出步行范围{beyond}米",
                en=f"{beyond} m beyond the walking radius",
            ),
            Reason(zh=f"步行约{walk}分钟才能到达", en=f"about a {walk}-minute walk to get there"),
        )
    if rule == "time":
        zh, en = explain.time_phrase(c, demand)
        return (
            Reason(zh=f"未登记{zh}", en=f"not stated as {en}"),
            Reason(zh="请先与本人确认能否到场", en="ask them first whether they can come"),
        )
    if rule == "forbidden":
        return (
            Reason(zh="已被协调员排除", en="forbidden here by the coordinator"),
            Reason(zh="指派后这项排除即撤销", en="assigning them withdraws the forbid"),
        )
    if rule == "task_cap":
        return (
            Reason(
                zh=f"本周已有{tasks}项任务（上限{person.weekly_task_cap}项）",
                en=f"already {tasks} task(s) this week (cap {person.weekly_task_cap})",
            ),
            Reason(zh="将超出本人每周任务上限", en="goes over their weekly task cap"),
        )
    if rule == "hours_cap":
        hours, cap = minutes / 60, person.weekly_hours_cap
        return (
            Reason(
                zh=f"本周已排{hours:g}小时（上限{cap:g}小时）",
                en=f"already {hours:g} h this week (cap {cap:g} h)",
            ),
            Reason(zh="将超出本人每周服务时长上限", en="goes over their weekly hours cap"),
        )
    title = (
        c.problem.demands[c.demand_index[busy_with]].title
        if busy_with is not None
        else "另一项任务"
    )
    return (
        Reason(zh=f"此时正在「{title}」", en=f"busy with {title} at that time"),
        Reason(
            zh=f"两项任务时间冲突，需先把本人从「{title}」撤下",
            en=f"the two tasks clash: take them off {title} first",
        ),
    )


def known_pairs(problem: Problem, pairs: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """The (person, demand) pairs whose person and demand are both in the problem."""
    people = {p.id for p in problem.people}
    demands = {d.id for d in problem.demands}
    return frozenset((p, d) for p, d in pairs if p in people and d in demands)


@dataclass(frozen=True, slots=True)
class _SeatWeek:
    """The week around one seat: the candidate pairs and a timetable holding ``booked``."""

    c: Candidates
    d: int
    demand: Demand
    table: Timetable
    on_demand: set[str]
    on_role: set[str]


def _seat_week(
    problem: Problem,
    demand_id: str,
    role: int,
    booked: Mapping[str, Sequence[Booked]],
    keep_assigned: bool,
) -> _SeatWeek:
    problem = replace(problem, locks=Locks(forbidden=known_pairs(problem, problem.locks.forbidden)))
    c = build_candidates(problem)
    if demand_id not in c.demand_index:
        raise ValueError(f"the problem has no demand {demand_id!r}")
    d = c.demand_index[demand_id]
    demand = problem.demands[d]
    if not 0 <= role < len(demand.roles):
        raise ValueError(f"demand {demand_id!r} has no role {role}")

    table = Timetable(c)
    on_demand: set[str] = set()
    on_role: set[str] = set()
    for person_id, their_tasks in booked.items():
        p = c.person_index.get(person_id)
        for task in their_tasks:
            if task.demand_id == demand_id:
                on_demand.add(person_id)
                if task.role == role:
                    on_role.add(person_id)
                # a group wish under way: whoever joins comes when the others do
                table.meet_at(d, task.start)
                if keep_assigned:
                    continue  # measured without the task they would be ranked for
            if p is not None:
                other = c.demand_index.get(task.demand_id) if task.demand_id is not None else None
                table.hold(p, Held(task.start, task.end, other))

    return _SeatWeek(c, d, demand, table, on_demand, on_role)
