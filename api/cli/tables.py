"""Presentation of a solved week: a JSON-ready dict and rich tables for the terminal.

Pure functions of a ``Problem`` and its ``Solution``; nothing here solves or loads anything.
Beneficiaries' addresses and phone numbers never appear in any output: the schedule names
people and tasks, and a wish is shown by its public title only.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from matcher.domain import (
    DEMAND_KIND_ZH,
    MINUTES_PER_DAY,
    PERSON_KIND_ZH,
    WEEKDAYS_ZH,
    Assignment,
    Demand,
    DemandKind,
    Gap,
    Person,
    Problem,
    Reason,
    Solution,
)

#: Above either size only the summary, the worst gaps and per-grid fill counts are printed.
BIG_GRIDS = 60
BIG_PEOPLE = 400
TOP_GAPS = 30

STATUS_LABELS: dict[str, str] = {
    "optimal": "最优 optimal",
    "feasible": "可行 feasible",
    "empty": "空 empty",
    "infeasible": "无解 infeasible",
    "unknown": "未知 unknown",
}

#: Names of the objective's terms (``matcher.timetable.evaluate``); a term the matcher adds
#: later is shown by its key.
TERM_LABELS: dict[str, str] = {
    "coverage": "覆盖 coverage",
    "walk": "步行 walking",
    "fairness": "负担均衡 fairness",
    "quarter": "季度补足 behind on quarter",
    "preference": "意向 preferences",
    "continuity": "老对象 continuity",
    "stability": "沿用已发布 stability",
}

#: Keys that could carry a beneficiary's contact details; dropped from anything echoed back.
PRIVATE_KEYS = frozenset(
    {
        "address",
        "addr",
        "phone",
        "tel",
        "telephone",
        "mobile",
        "contact",
        "id_card",
        "地址",
        "电话",
        "手机",
        "联系方式",
        "身份证",
    }
)

NO_GRID = "社区层面 community-wide"


# --------------------------------------------------------------------------------------------
# Time helpers


def clock(minute: int) -> str:
    """``"HH:MM"`` of a week minute."""
    of_day = minute % MINUTES_PER_DAY
    return f"{of_day // 60:02d}:{of_day % 60:02d}"


def end_clock(minute: int) -> str:
    """``"HH:MM"`` of an exclusive end: midnight that closes a day reads ``"24:00"``."""
    if minute > 0 and minute % MINUTES_PER_DAY == 0:
        return "24:00"
    return clock(minute)


def day_label(day: date) -> str:
    """Short date with the Chinese weekday, e.g. ``"03-08 周六"``."""
    return f"{day:%m-%d} {WEEKDAYS_ZH[day.weekday()]}"


def week_label(problem: Problem) -> str:
    last = problem.week_start + timedelta(days=6)
    return f"{problem.week_start.isoformat()} – {last.isoformat()}"


# --------------------------------------------------------------------------------------------
# Counting filled heads


@dataclass(frozen=True, slots=True)
class Fill:
    """How far a demand (or a group of demands) is staffed."""

    filled: int
    heads: int
    essential_filled: int
    essential: int

    def __add__(self, other: Fill) -> Fill:
        return Fill(
            self.filled + other.filled,
            self.heads + other.heads,
            self.essential_filled + other.essential_filled,
            self.essential + other.essential,
        )

    @property
    def text(self) -> str:
        return f"{self.filled}/{self.heads}"

    @property
    def style(self) -> str:
        if self.essential_filled < self.essential:
            return "red"
        if self.filled < self.heads:
            return "yellow"
        return "green"


EMPTY_FILL = Fill(0, 0, 0, 0)


def demand_fill(demand: Demand, assignments: Iterable[Assignment]) -> Fill:
    per_role = Counter(a.role for a in assignments)
    filled = essential_filled = 0
    for index, role in enumerate(demand.roles):
        got = per_role.get(index, 0)
        filled += min(got, role.max_count)
        essential_filled += min(got, role.min_count)
    essential = sum(r.min_count for r in demand.roles)
    return Fill(filled, demand.headcount, essential_filled, essential)


def _by_demand(solution: Solution) -> dict[str, list[Assignment]]:
    grouped: dict[str, list[Assignment]] = defaultdict(list)
    for a in sorted(solution.assignments, key=lambda a: (a.start, a.person_id)):
        grouped[a.demand_id].append(a)
    return grouped


def total_fill(problem: Problem, solution: Solution) -> Fill:
    grouped = _by_demand(solution)
    total = EMPTY_FILL
    for demand in problem.demands:
        total = total + demand_fill(demand, grouped.get(demand.id, ()))
    return total


# --------------------------------------------------------------------------------------------
# JSON


def _reason(reason: Reason) -> dict[str, str]:
    return {"zh": reason.zh, "en": reason.en}


def _role_name(demand: Demand | None, role: int) -> str:
    if demand is None or not 0 <= role < len(demand.roles):
        return ""
    r = demand.roles[role]
    return r.name or "、".join(sorted(r.skills))


def _without_private(value: Any) -> Any:
    """A copy of plain JSON data with every contact-detail key removed, at any depth."""
    if isinstance(value, Mapping):
        return {
            k: _without_private(v)
            for k, v in value.items()
            if not (isinstance(k, str) and k.lower() in PRIVATE_KEYS)
        }
    if isinstance(value, list | tuple):
        return [_without_private(v) for v in value]
    return value


def _scenario_summary(data: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario's own header and grid names, never its people, households or addresses."""
    keep = ("format_version", "name", "description", "week_start")
    summary: dict[str, Any] = {k: data[k] for k in keep if k in data}
    grids = [
        {k: g[k] for k in ("id", "name", "community") if k in g}
        for g in data.get("grids") or ()
        if isinstance(g, Mapping)
    ]
    if grids:
        summary["grids"] = grids
    cleaned: dict[str, Any] = _without_private(summary)
    return cleaned


def grid_names(scenario_data: Mapping[str, Any] | None) -> dict[str, str]:
    """Grid id → display name (e.g. ``"g3"`` → ``"第三网格"``) from raw scenario data."""
    if not scenario_data:
        return {}
    return {
        str(g["id"]): str(g["name"])
        for g in scenario_data.get("grids") or ()
        if isinstance(g, Mapping) and "id" in g and "name" in g
    }


def _beneficiary_names(scenario_data: Mapping[str, Any] | None) -> dict[str, str]:
    """Wish id → the beneficiary's name, which is public (their address and phone are not)."""
    if not scenario_data:
        return {}
    names: dict[str, str] = {}
    for wish in scenario_data.get("wishes") or ():
        if not isinstance(wish, Mapping):
            continue
        beneficiary = wish.get("beneficiary")
        if "id" in wish and isinstance(beneficiary, Mapping) and "name" in beneficiary:
            names[str(wish["id"])] = str(beneficiary["name"])
    return names


def _demand_dict(
    demand_id: str,
    demand: Demand | None,
    grids: Mapping[str, str],
    beneficiaries: Mapping[str, str],
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": demand_id,
        "title": demand.title if demand else demand_id,
        "kind": str(demand.kind) if demand else "",
        "grid": demand.grid if demand else "",
    }
    if demand is not None and demand.grid in grids:
        out["grid_name"] = grids[demand.grid]
    if demand_id in beneficiaries:
        out["beneficiary"] = beneficiaries[demand_id]
    return out


def solution_to_dict(
    problem: Problem, solution: Solution, scenario_data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Everything ``tongxin solve --json`` prints. Safe to publish: no contact details."""
    people = {p.id: p for p in problem.people}
    demands = {d.id: d for d in problem.demands}
    fill = total_fill(problem, solution)
    grids = grid_names(scenario_data)
    beneficiaries = _beneficiary_names(scenario_data)

    assignments: list[dict[str, Any]] = []
    for a in sorted(solution.assignments, key=lambda a: (a.start, a.demand_id, a.person_id)):
        person = people.get(a.person_id)
        demand = demands.get(a.demand_id)
        assignments.append(
            {
                "person": {
                    "id": a.person_id,
                    "name": person.name if person else a.person_id,
                    "kind": str(person.kind) if person else "",
                },
                "demand": _demand_dict(a.demand_id, demand, grids, beneficiaries),
                "role": a.role,
                "role_name": _role_name(demand, a.role),
                "date": problem.date_of(a.start).isoformat(),
                "start": clock(a.start),
                "end": end_clock(a.end),
                "minutes": a.end - a.start,
                "distance_m": round(a.distance_m, 1),
                "pinned": a.pinned,
                "reasons": [_reason(r) for r in a.reasons],
            }
        )

    gaps: list[dict[str, Any]] = []
    for g in solution.gaps:
        demand = demands.get(g.demand_id)
        gaps.append(
            {
                "demand": _demand_dict(g.demand_id, demand, grids, beneficiaries),
                "role": g.role,
                "role_name": _role_name(demand, g.role),
                "missing": g.missing,
                "essential_missing": g.essential_missing,
                "reason": _reason(g.reason),
            }
        )

    result: dict[str, Any] = {
        "problem": {
            "name": problem.name,
            "week_start": problem.week_start.isoformat(),
            "week_end": (problem.week_start + timedelta(days=6)).isoformat(),
            "people": len(problem.people),
            "demands": len(problem.demands),
        },
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": round(solution.gap, 6),
        "weighted_coverage": solution.weighted_coverage,
        "weighted_coverage_possible": round(possible_coverage(problem), 6),
        "wall_time_s": round(solution.wall_time_s, 3),
        "filled_heads": fill.filled,
        "total_heads": fill.heads,
        "essential_filled": fill.essential_filled,
        "essential_heads": fill.essential,
        "breakdown": dict(solution.breakdown),
        "stats": dict(solution.stats),
        "warnings": [_reason(w) for w in solution.warnings],
        "assignments": assignments,
        "gaps": gaps,
    }
    if scenario_data is not None:
        result["scenario"] = _scenario_summary(scenario_data)
    return result


# --------------------------------------------------------------------------------------------
# Terminal


def _natural_key(text: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _grid_key(demand: Demand) -> tuple[str, str]:
    return (demand.community, demand.grid)


def _grid_title(
    key: tuple[str, str], several_communities: bool, names: Mapping[str, str] | None = None
) -> str:
    community, grid = key
    if several_communities and community and not grid:
        return f"{community} · 社区层面"
    grid_text = (names or {}).get(grid, grid) or NO_GRID
    if several_communities and community:
        return f"{community} · {grid_text}"
    return grid_text


def _sorted_grids(keys: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(keys, key=lambda k: (_natural_key(k[0]), k[1] == "", _natural_key(k[1])))


def _when(problem: Problem, demand: Demand, assigned: list[Assignment]) -> tuple[str, str]:
    """Date and time text of a demand: its chosen slot, or the window it may still take."""
    if assigned:
        first = assigned[0]
        extra = len({(a.start, a.end) for a in assigned}) > 1
        time = f"{clock(first.start)}–{end_clock(first.end)}" + (" …" if extra else "")
        return day_label(problem.date_of(first.start)), time
    start, end = demand.window.start, demand.window.end
    first_day, last_day = problem.date_of(start), problem.date_of(max(start, end - 1))
    if demand.flexible:
        if first_day == last_day:
            return day_label(first_day), f"{clock(start)}–{end_clock(end)}"
        return f"{first_day:%m-%d}~{last_day:%m-%d}", f"{demand.duration} 分钟 min"
    return day_label(first_day), f"{clock(start)}–{end_clock(end)}"


_WEEKLY_TIME_SUFFIX = re.compile(r"\s+周[一二三四五六日]\s+\d{1,2}:\d{2}[–-]\d{1,2}:\d{2}$")


def _short_title(demand: Demand) -> str:
    """A shift's title without the weekday and time its own columns already show."""
    if demand.kind == DemandKind.SHIFT:
        return _WEEKLY_TIME_SUFFIX.sub("", demand.title) or demand.title
    return demand.title


def _status_text(status: str) -> Text:
    style = {"optimal": "bold green", "feasible": "bold yellow"}.get(status, "bold red")
    return Text(STATUS_LABELS.get(status, status), style=style)


def possible_coverage(problem: Problem) -> float:
    """The weighted coverage of a fully staffed week, in the matcher's units.

    An essential head counts its demand's priority, an extra head (between a role's minimum
    and maximum) that times ``extra_staff_fraction``.
    """
    fraction = problem.settings.weights.extra_staff_fraction
    return sum(
        d.priority * sum(r.min_count + fraction * (r.max_count - r.min_count) for r in d.roles)
        for d in problem.demands
    )


def _coverage_text(problem: Problem, solution: Solution) -> str:
    possible = possible_coverage(problem)
    text = f"{solution.weighted_coverage:,.1f} / {possible:,.1f}"
    if possible > 0:
        text += f" ({solution.weighted_coverage / possible * 100:.1f} %)"
    return text


def summary_panel(problem: Problem, solution: Solution) -> Panel:
    fill = total_fill(problem, solution)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("状态 Status", _status_text(solution.status))
    table.add_row("目标值 Objective", f"{solution.objective:,}")
    table.add_row("上界 Proven bound", f"{solution.bound:,}")
    table.add_row("差距 Gap", f"{solution.gap * 100:.2f} %")
    table.add_row("加权覆盖 Weighted coverage", _coverage_text(problem, solution))
    table.add_row(
        "已排人次 Filled heads",
        Text(f"{fill.filled:,} / {fill.heads:,}", style=fill.style),
    )
    table.add_row("必需人手 Essential heads", f"{fill.essential_filled:,} / {fill.essential:,}")
    table.add_row(
        "人员 / 任务 People / demands", f"{len(problem.people):,} / {len(problem.demands):,}"
    )
    table.add_row("用时 Time", f"{solution.wall_time_s:.2f} s")
    if solution.breakdown:
        terms = Table.grid(padding=(0, 2))
        terms.add_column()
        terms.add_column(justify="right")
        for key, points in solution.breakdown.items():
            terms.add_row(TERM_LABELS.get(key, key), f"{points:+,}")
        table.add_row("目标分项 Breakdown", terms)
    return Panel(table, title="小结 Summary", expand=False)


def grid_tables(
    problem: Problem, solution: Solution, grid_names: Mapping[str, str] | None = None
) -> list[Table]:
    """One table per grid: every demand, when, who and how full."""
    people = {p.id: p for p in problem.people}
    grouped = _by_demand(solution)
    by_grid: dict[tuple[str, str], list[Demand]] = defaultdict(list)
    for demand in problem.demands:
        by_grid[_grid_key(demand)].append(demand)
    several = len({k[0] for k in by_grid}) > 1

    tables: list[Table] = []
    for key in _sorted_grids(by_grid):
        rows: list[tuple[int, Demand, list[Assignment]]] = []
        for demand in by_grid[key]:
            assigned = grouped.get(demand.id, [])
            start = assigned[0].start if assigned else demand.window.start
            rows.append((start, demand, assigned))
        rows.sort(key=lambda r: (r[0], _natural_key(r[1].id)))
        fill = EMPTY_FILL
        table = Table(
            title=f"网格 Grid: {_grid_title(key, several, grid_names)}",
            title_justify="left",
            show_lines=False,
        )
        table.add_column("日期 Date", no_wrap=True)
        table.add_column("时间 Time", no_wrap=True)
        table.add_column("类型 Kind", no_wrap=True)
        table.add_column("任务 Task", ratio=3, overflow="fold")
        table.add_column("人员 People", ratio=2, overflow="fold")
        table.add_column("状态 Fill", justify="right", no_wrap=True)
        for _, demand, assigned in rows:
            day, time = _when(problem, demand, assigned)
            names = ", ".join(
                (people[a.person_id].name if a.person_id in people else a.person_id)
                + ("*" if a.pinned else "")
                for a in assigned
            )
            this = demand_fill(demand, assigned)
            fill = fill + this
            table.add_row(
                day,
                time,
                DEMAND_KIND_ZH.get(demand.kind, str(demand.kind)),
                _short_title(demand),
                names or Text("—", style="dim"),
                Text(this.text, style=this.style),
            )
        table.caption = f"已排 filled {fill.text}" + (
            "；* 为协调人锁定 pinned by the coordinator"
            if any(a.pinned for _, _, assigned in rows for a in assigned)
            else ""
        )
        table.caption_justify = "right"
        tables.append(table)
    return tables


def people_table(problem: Problem, solution: Solution) -> Table:
    """Each person with work this week: how many tasks, hours and walking."""
    tasks: Counter[str] = Counter()
    minutes: Counter[str] = Counter()
    metres: defaultdict[str, float] = defaultdict(float)
    for a in solution.assignments:
        tasks[a.person_id] += 1
        minutes[a.person_id] += a.end - a.start
        metres[a.person_id] += a.distance_m
    people: dict[str, Person] = {p.id: p for p in problem.people}
    table = Table(title="按人员 By person", title_justify="left")
    table.add_column("姓名 Name", no_wrap=True)
    table.add_column("类别 Kind", no_wrap=True)
    table.add_column("任务数 Tasks", justify="right")
    table.add_column("时长 Hours", justify="right")
    table.add_column("步行 Walk km", justify="right")
    for pid in sorted(tasks, key=lambda p: (-tasks[p], _natural_key(p))):
        person = people.get(pid)
        kind = PERSON_KIND_ZH.get(person.kind, str(person.kind)) if person else ""
        table.add_row(
            person.name if person else pid,
            kind,
            str(tasks[pid]),
            f"{minutes[pid] / 60:.1f}",
            f"{metres[pid] / 1000:.2f}",
        )
    idle = len(problem.people) - len([p for p in tasks if p in people])
    if idle > 0:
        table.caption = f"另有 {idle} 人本周未安排 · {idle} more without a task this week"
        table.caption_justify = "right"
    return table


def _gap_order(demands: Mapping[str, Demand]) -> Any:
    def key(g: Gap) -> tuple[float, int, tuple[Any, ...]]:
        demand = demands.get(g.demand_id)
        priority = demand.priority if demand else 1.0
        return (-g.essential_missing * priority, -g.missing, _natural_key(g.demand_id))

    return key


def gaps_table(
    problem: Problem,
    solution: Solution,
    limit: int | None = None,
    grid_names: Mapping[str, str] | None = None,
) -> Table | None:
    """The demands left short, worst first, with the reason in Chinese and English."""
    if not solution.gaps:
        return None
    demands = {d.id: d for d in problem.demands}
    gaps = sorted(solution.gaps, key=_gap_order(demands))
    several = len({d.community for d in problem.demands}) > 1
    shown = gaps if limit is None else gaps[:limit]
    table = Table(
        title="未排满 Unfilled demands", title_justify="left", show_lines=True, expand=True
    )
    table.add_column("任务 Task", ratio=2, overflow="fold")
    table.add_column("网格 Grid", overflow="fold")
    table.add_column("缺 Missing", justify="right", no_wrap=True)
    table.add_column("原因 Reason", ratio=4, overflow="fold")
    for g in shown:
        demand = demands.get(g.demand_id)
        task = Text(demand.title if demand else g.demand_id)
        if demand is not None:
            kind = DEMAND_KIND_ZH.get(demand.kind, str(demand.kind))
            task.append(f"\n{kind} · {_role_name(demand, g.role) or '不限 any'}", style="dim")
        missing = Text(str(g.missing))
        if g.essential_missing:
            missing.append(f"\n必需 {g.essential_missing}", style="red")
        reason = Text(g.reason.zh)
        reason.append("\n" + g.reason.en, style="dim")
        grid = _grid_title(_grid_key(demand), several, grid_names) if demand else ""
        table.add_row(task, grid, missing, reason)
    if len(shown) < len(gaps):
        rest = len(gaps) - len(shown)
        table.caption = f"另有 {rest} 项未列出 · {rest} more not shown"
        table.caption_justify = "right"
    return table


def grid_fill_table(
    problem: Problem,
    solution: Solution,
    grid_names: Mapping[str, str] | None = None,
    width: int = 120,
) -> Table:
    """Filled / needed heads per grid, packed as many grids to a row as ``width`` allows."""
    grouped = _by_demand(solution)
    fills: dict[tuple[str, str], Fill] = defaultdict(lambda: EMPTY_FILL)
    for demand in problem.demands:
        key = _grid_key(demand)
        fills[key] = fills[key] + demand_fill(demand, grouped.get(demand.id, ()))
    several = len({k[0] for k in fills}) > 1
    labels = {key: _grid_title(key, several, grid_names) for key in fills}
    label_width = max([cell_len(t) for t in labels.values()] + [cell_len("网格 Grid")])
    fill_width = max([len(f.text) for f in fills.values()] + [cell_len("已排 Filled")])
    per_row = max(1, min(4, (width - 1) // (label_width + fill_width + 6)))
    table = Table(title="各网格人手 Fill per grid", title_justify="left")
    for _ in range(per_row):
        table.add_column("网格 Grid", no_wrap=True)
        table.add_column("已排 Filled", justify="right", no_wrap=True)
    cells: list[str | Text] = []
    for key in _sorted_grids(fills):
        fill = fills[key]
        cells.append(labels[key])
        cells.append(Text(fill.text, style=fill.style))
    width = 2 * per_row
    for i in range(0, len(cells), width):
        row = cells[i : i + width]
        table.add_row(*row, *([""] * (width - len(row))))
    return table


def is_big(problem: Problem) -> bool:
    grids = {_grid_key(d) for d in problem.demands}
    grids |= {(p.community, p.grid) for p in problem.people}
    return len(grids) > BIG_GRIDS or len(problem.people) > BIG_PEOPLE


def render_schedule(
    console: Console,
    problem: Problem,
    solution: Solution,
    grid_names: Mapping[str, str] | None = None,
) -> None:
    """Print the week's schedule; for a big problem only the summary, gaps and grid fill.

    ``grid_names`` maps grid ids to display names (see ``grid_names(scenario_data)``).
    """
    name = problem.name or "排班 Schedule"
    console.rule(f"[bold]同心排班 Tongxin · {name} · 周 Week {week_label(problem)}")
    if is_big(problem):
        console.print(grid_fill_table(problem, solution, grid_names, width=console.width))
        gaps = gaps_table(problem, solution, limit=TOP_GAPS, grid_names=grid_names)
        if gaps is not None:
            console.print(gaps)
        console.print(summary_panel(problem, solution))
        console.print(
            "规模较大，只显示小结、缺人最多的任务和各网格人手。完整排班请用 --json：\n"
            "  [bold]tongxin solve 场景.json --json > 排班.json[/bold]\n"
            "Large problem: summary, worst gaps and fill per grid only. "
            "For everything use --json:\n"
            "  [bold]tongxin solve scenario.json --json > schedule.json[/bold]",
            style="dim",
        )
    else:
        for table in grid_tables(problem, solution, grid_names):
            console.print(table)
        if solution.assignments:
            console.print(people_table(problem, solution))
        gaps = gaps_table(problem, solution, grid_names=grid_names)
        if gaps is not None:
            console.print(gaps)
        console.print(summary_panel(problem, solution))
    for warning in solution.warnings:
        console.print(Group(Text(f"⚠ {warning.zh}", style="yellow"), Text(f"  {warning.en}")))


__all__ = [
    "Fill",
    "clock",
    "day_label",
    "demand_fill",
    "end_clock",
    "gaps_table",
    "grid_fill_table",
    "grid_names",
    "grid_tables",
    "is_big",
    "people_table",
    "possible_coverage",
    "render_schedule",
    "solution_to_dict",
    "summary_panel",
    "total_fill",
]
