"""Start times: a wish may start at any minute on the 5-minute grid that the rules allow, and a
claim of ``optimal`` or a bound holds against every such week — checked here against an exact
model over every start, written independently of the matcher's model and timing code."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest
from ortools.sat.python import cp_model

from matcher import rules, solve, timing
from matcher.candidates import build_candidates
from matcher.domain import MINUTES_PER_DAY, Problem, Settings, Solution, WeeklyWindow
from tests.matcher.group_rules import every_rule_broken
from tests.support.factories import make_person, make_problem, make_shift, make_wish, near, wm

SUNDAY_AFTERNOON = (WeeklyWindow(6, 14 * 60, 17 * 60 + 30),)


def test_a_wish_may_start_right_after_another_and_the_walk() -> None:
    """Free Sunday 14:00–17:30: a 60-minute wish at 14:00, a 6-minute walk, then a 120-minute
    wish at 15:10. Back-to-back starts from 14:00 alone would fit only one of them."""
    person = make_person("p1", skills=("助老",), home=near(200), availability=SUNDAY_AFTERNOON)
    short = make_wish("short", skills=("助老",), first_day=6, duration=60, location=near(0))
    long = make_wish(
        "long", skills=("助老",), first_day=6, duration=120, location=near(450), household="h2"
    )
    problem = make_problem([person], [short, long])
    c = build_candidates(problem)
    assert c.walk(0, 1) == 6
    assert wm(6, "15:10") in c.starts(0, 1)  # the start an exhaustive search needs
    solution = solve(problem)
    assert sorted(a.demand_id for a in solution.assignments) == ["long", "short"]
    assert every_rule_broken(problem, solution) == []
    assert solution.status == "optimal" and solution.bound == solution.objective


def test_what_the_model_picks_but_does_not_fit_is_cut_off() -> None:
    """Two 45-minute wishes at one place and a 20-minute one 1 km away fit in a weekday evening's
    visiting hours (18:00–20:00) two at a time, and by their minutes all three — but not with
    the 13-minute walk. The model is told so and solved again."""
    person = make_person("p1", skills=("助老",), home=near(0))
    wishes = [
        make_wish("a", skills=("助老",), last_day=0, duration=45, location=near(0), household="a"),
        make_wish("b", skills=("助老",), last_day=0, duration=45, location=near(0), household="b"),
        make_wish(
            "c", skills=("助老",), last_day=0, duration=20, location=near(1000), household="c"
        ),
    ]
    solution = solve(make_problem([person], wishes))
    assert len(solution.assignments) == 2
    assert int(solution.stats["cuts"]) >= 1
    assert solution.status == "optimal"
    assert every_rule_broken(make_problem([person], wishes), solution) == []


def test_two_tasks_fit_exactly_when_some_pair_of_starts_does() -> None:
    """``timing.cannot_meet`` and ``timing.time_person`` against every pair of starts."""
    outcomes: list[bool] = []
    for seed in range(25):
        problem = packed_week(seed)
        c = build_candidates(problem)
        for p in range(len(problem.people)):
            tasks = [
                timing.Task(pair, segment)
                for pair in map(int, (c.person == p).nonzero()[0])
                for segment in c.segments(p, int(c.demand[pair]))
            ]
            for a, b in itertools.combinations(tasks, 2):
                da, db = int(c.demand[a.pair]), int(c.demand[b.pair])
                if da == db:
                    continue
                duration_a, duration_b = problem.demands[da].duration, problem.demands[db].duration
                some = any(
                    not rules.tasks_overlap(
                        sa, sa + duration_a, sb, sb + duration_b, c.walk(da, db)
                    )
                    for sa in every_start(problem, p, da)
                    if a.segment.start <= sa < a.segment.end
                    for sb in every_start(problem, p, db)
                    if b.segment.start <= sb < b.segment.end
                )
                assert bool(timing.cannot_meet(c, [a, b])[0, 1]) is not some
                assert (timing.time_person(c, [a, b]) is not None) == some
                outcomes.append(some)
    assert len(outcomes) > 300 and outcomes.count(False) > 50


# an exact reference: every start on the 5-minute grid ---------------------------------------


def packed_week(seed: int) -> Problem:
    """A few people with short free stretches and wishes of 30–120 minutes that pack tightly
    around fixed shifts, some with two helpers."""
    rng = random.Random(seed)
    skills = ("助老", "水电维修")
    stretches = [
        WeeklyWindow(6, 14 * 60, 17 * 60 + 30),
        WeeklyWindow(5, 9 * 60, 11 * 60 + 15),
        WeeklyWindow(2, 18 * 60, 20 * 60 + 30),
    ]
    people = [
        make_person(
            f"p{i}",
            skills=rng.sample(skills, rng.randint(1, 2)),
            home=near(rng.uniform(-500, 500), rng.uniform(-500, 500)),
            availability=tuple(rng.sample(stretches, rng.randint(1, 2))),
            weekly_task_cap=rng.randint(2, 3),
            weekly_hours_cap=rng.choice([3.0, 4.0, 6.0]),
            services_this_quarter=rng.randint(0, 4),
        )
        for i in range(rng.randint(2, 4))
    ]
    demands = []
    for j in range(rng.randint(4, 7)):
        location = near(rng.uniform(-500, 500), rng.uniform(-500, 500))
        if rng.random() < 0.25:
            day, start = rng.choice([(6, "15:00"), (5, "10:00"), (2, "19:00")])
            end = f"{int(start[:2]) + 1}:00"
            demands.append(
                make_shift(f"s{j}", weekday=day, start=start, end=end, location=location)
            )
        else:
            first = rng.choice([2, 5, 6])
            demands.append(
                make_wish(
                    f"w{j}",
                    skills=rng.sample(skills, 1),
                    first_day=first,
                    last_day=rng.choice([first, 6]),
                    location=location,
                    duration=rng.choice([30, 45, 60, 75, 90, 120]),
                    min_count=rng.choice([1, 1, 1, 2]),
                    household=f"h{j}",
                    priority=rng.choice([1.0, 3.0]),
                )
            )
    return make_problem(people, demands, settings=Settings(time_limit_s=5))


def free_for(problem: Problem, p: int, start: int, end: int) -> bool:
    """Inside one of the person's free windows on that day (the weeks here have no absences)."""
    day = start // MINUTES_PER_DAY
    begin, finish = start - day * MINUTES_PER_DAY, end - day * MINUTES_PER_DAY
    return any(
        w.weekday == day and w.start_minute <= begin and finish <= w.end_minute
        for w in problem.people[p].availability
    )


def every_start(problem: Problem, p: int, d: int) -> list[int]:
    """Every start the rules allow: free, inside the window and the day's visiting hours."""
    demand = problem.demands[d]
    if not demand.flexible:
        return [demand.window.start]
    opens, closes = problem.settings.visit_hours
    out = []
    for start in range(demand.window.start, demand.window.end - demand.duration + 1, 5):
        end = start + demand.duration
        base = start // MINUTES_PER_DAY * MINUTES_PER_DAY
        if base + opens <= start and end <= base + closes and free_for(problem, p, start, end):
            out.append(start)
    return out


def exact_best(
    problem: Problem, starts: Callable[[Problem, int, int], list[int]] = every_start
) -> int:
    """The best objective over every valid week: one boolean per pair and start on the grid."""
    c = build_candidates(problem)  # who may do what: the pairwise rules are not in question
    demands, people, weights = problem.demands, problem.people, problem.settings.weights
    model = cp_model.CpModel()
    options: list[tuple[int, int, cp_model.IntVar]] = []  # (pair, start, variable)
    for pair in range(len(c)):
        for start in starts(problem, int(c.person[pair]), int(c.demand[pair])):
            options.append((pair, start, model.new_bool_var("")))
    objective: list[cp_model.LinearExprT] = []
    by_person: dict[int, list[tuple[int, int, cp_model.IntVar]]] = {}
    for pair, start, var in options:
        by_person.setdefault(int(c.person[pair]), []).append((pair, start, var))
        objective.append(-int(c.cost[pair]) * var)
    for (d, r), group in itertools.groupby(
        sorted(options, key=lambda o: (int(c.demand[o[0]]), int(c.role[o[0]]))),
        key=lambda o: (int(c.demand[o[0]]), int(c.role[o[0]])),
    ):
        heads = [var for _, _, var in group]
        role = demands[d].roles[r]
        model.add(sum(heads) <= role.max_count)
        essential, extra = rules.head_values(demands[d], role, weights)
        filled_essential = model.new_int_var(0, role.min_count, "")
        model.add(filled_essential <= sum(heads))
        objective += [(essential - extra) * filled_essential, extra * sum(heads)]
    for d, demand in enumerate(demands):
        visits = [(start, var) for pair, start, var in options if int(c.demand[pair]) == d]
        if demand.all_or_nothing:
            staffed = model.new_bool_var("")
            model.add(sum(var for _, var in visits) == demand.headcount * staffed)
        if demand.flexible and demand.headcount > 1 and not demand.separate_visits:
            # one visit: every helper at the same start
            at = {start: model.new_bool_var("") for start, _ in visits}
            model.add_at_most_one(at.values())
            for start, var in visits:
                model.add_implication(var, at[start])
    for p, mine in by_person.items():
        person = people[p]
        for (pa, sa, va), (pb, sb, vb) in itertools.combinations(mine, 2):
            da, db = int(c.demand[pa]), int(c.demand[pb])
            walk = rules.walk_minutes(
                float(
                    rules.haversine_m(
                        demands[da].location.lat,
                        demands[da].location.lng,
                        demands[db].location.lat,
                        demands[db].location.lng,
                    )
                )
            )
            ea, eb = sa + demands[da].duration, sb + demands[db].duration
            if da == db or rules.tasks_overlap(sa, ea, sb, eb, walk):
                model.add_bool_or([va.Not(), vb.Not()])
        model.add(
            sum(demands[int(c.demand[pair])].duration * var for pair, _, var in mine)
            <= round(person.weekly_hours_cap * 60)
        )
        count = sum(var for _, _, var in mine)
        model.add(count <= person.weekly_task_cap)
        steps = rules.load_costs(person, problem.settings, person.weekly_task_cap)
        taken = [model.new_bool_var("") for _ in steps]
        model.add(count == sum(taken))
        for a, b in itertools.pairwise(taken):
            model.add_implication(b, a)
        objective += [-cost * var for cost, var in zip(steps, taken, strict=True)]
    model.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60
    solver.parameters.num_workers = 2
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def checked(problem: Problem, solution: Solution, best: int) -> None:
    assert every_rule_broken(problem, solution) == []
    assert solution.objective <= best <= solution.bound
    if solution.status == "optimal":
        assert solution.objective == best


@pytest.mark.parametrize("seed", range(40))
def test_optimal_is_never_claimed_above_the_true_optimum(seed: int) -> None:
    problem = packed_week(seed)
    checked(problem, solve(problem), exact_best(problem))


def back_to_back(problem: Problem, p: int, d: int) -> list[int]:
    """The starts the matcher used to offer: from the start of each free stretch, back to back,
    at most 6."""
    return [
        s
        for s in every_start(problem, p, d)
        if any(
            (s - w.start_minute) % problem.demands[d].duration == 0
            and s // MINUTES_PER_DAY == w.weekday
            and s % MINUTES_PER_DAY >= w.start_minute
            for w in problem.people[p].availability
        )
    ][:6]


def test_the_reference_counts_weeks_a_few_starts_would_miss() -> None:
    """The reference can tell: on the week of the first test, offering starts back to back
    from the start of each free stretch finds one wish where two fit."""
    person = make_person("p1", skills=("助老",), home=near(200), availability=SUNDAY_AFTERNOON)
    short = make_wish("short", skills=("助老",), first_day=6, duration=60, location=near(0))
    long = make_wish(
        "long", skills=("助老",), first_day=6, duration=120, location=near(450), household="h2"
    )
    week = make_problem([person], [short, long])
    assert exact_best(week, back_to_back) < exact_best(week) == solve(week).objective
