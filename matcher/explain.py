"""Why this person, and why this gap: reasons in Chinese and English.

A gap's reason names the binding rule. The people of the community are narrowed rule by rule,
in the order of the pairwise rules table (``rules.PAIR_RULES``: skill, party membership,
radius, free time, coordinator's forbids); the first rule that leaves nobody is the one named,
with every condition up to it, e.g. "1.2公里内没有具备「法律援助」专长且周三19:00–21:00有空的人员".
A rule without a phrase of its own here is worded by its label in the table. If some people
pass every rule, the gap is explained by what the week already asks of them (caps, other tasks
at that time).
"""

from __future__ import annotations

import numpy as np

from matcher import rules
from matcher.candidates import Candidates
from matcher.domain import (
    MINUTES_PER_DAY,
    SKILLS,
    WEEKDAYS_EN,
    WEEKDAYS_ZH,
    Demand,
    Gap,
    Reason,
    Role,
)
from matcher.timetable import Booking, Timetable


def clock(minute: int) -> str:
    m = minute % MINUTES_PER_DAY if minute % MINUTES_PER_DAY or minute == 0 else MINUTES_PER_DAY
    return f"{m // 60:02d}:{m % 60:02d}"


def skill_en(skill: str) -> str:
    return f"{skill} ({SKILLS[skill]})" if skill in SKILLS else skill


def time_phrase(c: Candidates, demand: Demand) -> tuple[str, str]:
    if demand.flexible:
        last = c.problem.date_of(demand.window.end - 1)
        minutes = demand.duration
        opens, closes = (clock(m) for m in c.problem.settings.visit_hours)
        return (
            f"在{last.month}月{last.day}日前的探访时间（{opens}–{closes}）内有{minutes}分钟空闲",
            f"free for {minutes} minutes within visiting hours ({opens}–{closes}) by {last.isoformat()}",
        )
    day = demand.window.start // MINUTES_PER_DAY
    span_zh = f"{WEEKDAYS_ZH[day]}{clock(demand.window.start)}–{clock(demand.window.end)}"
    span_en = f"{WEEKDAYS_EN[day]} {clock(demand.window.start)}–{clock(demand.window.end)}"
    return f"{span_zh}有空", f"free on {span_en}"


def funnel(c: Candidates, d: int, r: int) -> tuple[list[tuple[str, int]], np.ndarray]:
    """People left after each pairwise rule that applies, in the order a coordinator would ask."""
    demand = c.problem.demands[d]
    role = demand.roles[r]
    left = np.arange(len(c.problem.people))
    steps: list[tuple[str, int]] = []
    for rule in rules.PAIR_RULES:
        if rule.applies(demand, role):
            left = left[~rule.refused(rules.Shortlist(c.pool, demand, left), role)]
            steps.append((rule.key, left.size))
    return steps, left


def nobody_reason(
    c: Candidates, demand: Demand, role: Role, steps: list[tuple[str, int]]
) -> Reason:
    radius_km = (demand.radius_m or c.problem.settings.radius_m) / 1000
    where_zh, where_en = "社区内", "in the community"
    who_zh: list[str] = []
    who_en: list[str] = []
    for name, count in steps:
        if name == "skill":
            who_zh.append("具备" + "".join(f"「{s}」" for s in sorted(role.skills)) + "专长")
            who_en.append("with skill " + ", ".join(skill_en(s) for s in sorted(role.skills)))
        elif name == "member":
            who_zh.insert(0, "党员中")
            who_en.append("among party members")
        elif name == "radius":
            where_zh, where_en = f"{radius_km:g}公里内", f"within {radius_km:g} km"
        elif name == "time":
            zh, en = time_phrase(c, demand)
            who_zh.append(zh)
            who_en.append(en)
        elif name == "forbidden":
            return Reason(
                zh="符合条件的人员都已被协调员排除",
                en="everyone eligible was forbidden here by the coordinator",
            )
        else:
            label = rules.RULE_BY_KEY[name].label
            who_zh.append(label.zh)
            who_en.append(label.en)
        if count == 0:
            break
    zh_who = "且".join(w for w in who_zh if w != "党员中")
    prefix = "党员中" if "党员中" in who_zh else ""
    zh = (
        f"{where_zh}{prefix}没有{zh_who}的人员" if zh_who else f"{where_zh}{prefix}没有可安排的人员"
    )
    en = f"nobody {where_en} " + " and ".join(who_en) if who_en else f"nobody available {where_en}"
    return Reason(zh=zh, en=en.strip())


def busy_reason(
    c: Candidates, table: Timetable, d: int, r: int, eligible: np.ndarray, filled: int
) -> Reason:
    """Everyone who passes the rules is taken: say by what."""
    demand = c.problem.demands[d]
    at_cap = elsewhere = hours = free = here = 0
    for p in eligible:
        person = c.problem.people[int(p)]
        bookings = table.by_person.get(int(p), [])
        if any(int(c.demand[b.pair]) == d for b in bookings):
            here += 1  # already on this demand (in this or another role)
            continue
        if rules.over_weekly_tasks(table.tasks(int(p)) + 1, person):
            at_cap += 1
        elif rules.over_weekly_hours(table.minutes.get(int(p), 0) + demand.duration, person):
            hours += 1
        elif busy_then(c, table, int(p), d):
            elsewhere += 1
        else:
            free += 1
    n = len(eligible)
    if demand.together and filled == 0:
        most = table.most_at_once(d, [int(p) for p in eligible])
        if most < demand.headcount:
            return Reason(
                zh=f"需要{demand.headcount}人同一时间上门，任何时候最多只有{most}人能同时到场（共{n}人符合条件）",
                en=f"needs {demand.headcount} people at one time; at most {most} can come at once ({n} eligible)",
            )
    elif demand.all_or_nothing and filled == 0:
        apart = "（可分开上门）" if demand.separate_visits else ""
        return Reason(
            zh=f"需要{demand.headcount}人{apart}，能安排的符合条件人员不足（共{n}人符合条件）",
            en=f"needs {demand.headcount} people{' (separate visits)' if apart else ''}; "
            f"too few eligible people are free ({n} eligible)",
        )
    if free and not (at_cap or hours or elsewhere):
        return Reason(
            zh=f"还有{free}人可以安排，但会加重个人负担或步行过远，得分低于留空（公平与距离优先）",
            en=f"{free} more could go, but the added load or walk outweighs this head (fairness and distance)",
        )
    parts_zh, parts_en = [], []
    if here:
        parts_zh.append(f"{here}人已在此任务中")
        parts_en.append(f"{here} already on it")
    if at_cap:
        parts_zh.append(f"{at_cap}人已达每周任务上限")
        parts_en.append(f"{at_cap} at their weekly task cap")
    if hours:
        parts_zh.append(f"{hours}人已达每周工时上限")
        parts_en.append(f"{hours} at their weekly hours cap")
    if elsewhere:
        parts_zh.append(f"{elsewhere}人同时段另有更重要的任务")
        parts_en.append(f"{elsewhere} busy with a more valuable task at that time")
    if free:
        parts_zh.append(f"{free}人可安排但得分更低")
        parts_en.append(f"{free} free but scored lower than leaving it open")
    return Reason(
        zh=f"符合条件的{n}人中：" + "，".join(parts_zh),
        en=f"of the {n} eligible: " + ", ".join(parts_en),
    )


def busy_then(c: Candidates, table: Timetable, p: int, d: int) -> bool:
    """The person's other tasks leave no time for this demand, walks counted."""
    return table.clear_start(p, d) is None


def explain_gaps(c: Candidates, table: Timetable) -> list[Gap]:
    gaps = []
    for d, demand in enumerate(c.problem.demands):
        for r, role in enumerate(demand.roles):
            filled = table.role_count.get((d, r), 0)
            if filled >= role.max_count:
                continue
            steps, eligible = funnel(c, d, r)
            if eligible.size == 0:
                reason = nobody_reason(c, demand, role, steps)
            else:
                reason = busy_reason(c, table, d, r, eligible, filled)
            gaps.append(
                Gap(
                    demand_id=demand.id,
                    role=r,
                    missing=role.max_count - filled,
                    essential_missing=max(0, role.min_count - filled),
                    reason=reason,
                )
            )
    return gaps


def explain_booking(c: Candidates, table: Timetable, b: Booking) -> tuple[Reason, ...]:
    """Why this person: the rules they meet and the goals the choice serves."""
    tasks = table.tasks(int(c.person[b.pair]))  # held tasks (elsewhere in a city) count too
    pinned = [Reason(zh="协调员指定", en="pinned by the coordinator")] if c.pinned[b.pair] else []
    return (*pinned, *why_this_person(c, b.pair, tasks), *with_others(c, table, b))


def with_others(c: Candidates, table: Timetable, b: Booking) -> list[Reason]:
    """A group wish that comes at once: how many come with this person."""
    d = int(c.demand[b.pair])
    if not c.problem.demands[d].together:
        return []
    others = sum(table.role_count.get((d, r), 0) for r in range(len(c.problem.demands[d].roles)))
    others -= 1
    if others <= 0:
        return []
    return [
        Reason(
            zh=f"与另外{others}人同一时间上门",
            en=f"comes with {others} other{'s' if others > 1 else ''} at the same time",
        )
    ]


def why_this_person(c: Candidates, pair: int, tasks: int) -> list[Reason]:
    """Skill, distance and walk, the week's load (``tasks`` counting this one), and every soft
    goal the pair serves; also used to rank stand-ins after a decline."""
    problem, weights = c.problem, c.problem.settings.weights
    p, d, r = int(c.person[pair]), int(c.demand[pair]), int(c.role[pair])
    person, demand, role = problem.people[p], problem.demands[d], problem.demands[d].roles[r]
    reasons = []
    if role.skills:
        reasons.append(
            Reason(
                zh="具备" + "".join(f"「{s}」" for s in sorted(role.skills)) + "专长",
                en="has skill " + ", ".join(skill_en(s) for s in sorted(role.skills)),
            )
        )
    km = float(c.distance_m[pair]) / 1000
    walk = rules.walk_minutes(float(c.distance_m[pair]))
    reasons.append(
        Reason(
            zh=f"距离{km:.2f}公里，步行约{walk}分钟",
            en=f"{km:.2f} km away, about a {walk}-minute walk",
        )
    )
    reasons.append(
        Reason(
            zh=f"本周共{tasks}项任务（上限{person.weekly_task_cap}项）",
            en=f"{tasks} task(s) this week (cap {person.weekly_task_cap})",
        )
    )
    if rules.quarter_behind_bonus(person, problem.settings):
        reasons.append(
            Reason(
                zh=f"本季度已服务{person.services_this_quarter}次，低于要求的{problem.settings.quarter_minimum}次，优先安排",
                en=f"served {person.services_this_quarter} times this quarter, below the minimum of "
                f"{problem.settings.quarter_minimum}: asked first",
            )
        )
    if rules.preference_bonus(person, demand, weights):
        reasons.append(
            Reason(
                zh=f"本人愿意参与「{demand.category}」类服务",
                en=f"prefers {skill_en(demand.category)} work",
            )
        )
    if rules.regular_crew_bonus(person, demand, weights):
        reasons.append(
            Reason(zh="固定班组：上周也在此班", en="regular crew: on this shift last week too")
        )
    elif rules.continuity_bonus(person, demand, weights):
        reasons.append(Reason(zh="曾服务过这户居民", en="has served this household before"))
    if c.previous[pair]:
        reasons.append(Reason(zh="保持已发布的安排", en="keeps the published assignment"))
    return reasons
