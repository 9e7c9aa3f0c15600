"""The terminal tables of ``api/cli/tables.py``: JSON for ``--json`` and the rich tables, on
hand-built solutions."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from api.cli.tables import (
    TERM_LABELS,
    clock,
    end_clock,
    is_big,
    render_schedule,
    solution_to_dict,
    total_fill,
)
from matcher.domain import Problem, Reason, Solution
from tests.support.factories import (
    make_activity,
    make_assignment,
    make_gap,
    make_person,
    make_problem,
    make_shift,
    make_solution,
    make_wish,
    wm,
)

PRIVATE_WORDS = ("address", "phone", "tel", "mobile", "地址", "电话", "手机")


@pytest.fixture
def solution(tiny_problem: Problem) -> Solution:
    return make_solution(
        assignments=(
            make_assignment(
                "p1",
                "w1",
                start=wm(2, "19:30"),
                end=wm(2, "20:30"),
                distance_m=312.46,
                reasons=(Reason(zh="会水电维修", en="can do plumbing"),),
            ),
            make_assignment("p2", "a1", start=wm(6, "09:00"), end=wm(6, "11:30")),
        ),
        gaps=(
            make_gap(
                "s1",
                reason=Reason(zh="周六上午没有空闲的人", en="nobody is free on Saturday morning"),
            ),
        ),
        objective=2800,
        bound=3200,
        breakdown={"coverage": 3000, "walk": -200},
        weighted_coverage=0.75,
    )


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_json_has_the_headline_numbers(tiny_problem: Problem, solution: Solution) -> None:
    out = solution_to_dict(tiny_problem, solution, None)
    assert out["status"] == "optimal"
    assert out["objective"] == 2800
    assert out["bound"] == 3200
    assert out["gap"] == pytest.approx(0.125)
    assert out["weighted_coverage"] == 0.75
    assert out["breakdown"] == {"coverage": 3000, "walk": -200}
    assert out["problem"]["week_start"] == "2025-03-03"
    assert out["filled_heads"] == 2
    assert out["total_heads"] == 1 + 2 + 1
    json.dumps(out, ensure_ascii=False)  # plain JSON all the way down


def test_json_assignment_times_names_and_reasons(tiny_problem: Problem, solution: Solution) -> None:
    out = solution_to_dict(tiny_problem, solution, None)
    first, second = out["assignments"]
    assert first["person"] == {"id": "p1", "name": "张伟", "kind": "party_member"}
    assert first["demand"]["id"] == "w1"
    assert first["demand"]["kind"] == "wish"
    assert first["demand"]["title"] == "李奶奶：修理漏水的水管"
    assert first["date"] == "2025-03-05"  # Wednesday of the week of 3 March
    assert (first["start"], first["end"]) == ("19:30", "20:30")
    assert first["distance_m"] == pytest.approx(312.5)
    assert first["reasons"] == [{"zh": "会水电维修", "en": "can do plumbing"}]
    assert second["date"] == "2025-03-09"  # Sunday
    assert (second["start"], second["end"]) == ("09:00", "11:30")


def test_json_gaps_carry_both_languages(tiny_problem: Problem, solution: Solution) -> None:
    (gap,) = solution_to_dict(tiny_problem, solution, None)["gaps"]
    assert gap["demand"]["id"] == "s1"
    assert gap["demand"]["title"] == "党员先锋岗 便民服务大厅"
    assert gap["missing"] == 1
    assert gap["essential_missing"] == 1
    assert gap["reason"] == {
        "zh": "周六上午没有空闲的人",
        "en": "nobody is free on Saturday morning",
    }


def test_json_never_contains_contact_details(tiny_problem: Problem, solution: Solution) -> None:
    scenario_data = {
        "name": "测试社区",
        "week_start": "2025-03-03",
        "address": "幸福路 1 号",
        "households": [
            {
                "id": "h1",
                "name": "李奶奶",
                "address": "幸福路 8 号 3 单元 201",
                "phone": "13800000000",
            }
        ],
        "people": [{"id": "p1", "name": "张伟", "phone": "13900000000", "mobile": "1"}],
    }
    out = solution_to_dict(tiny_problem, solution, scenario_data)
    assert out["scenario"]["name"] == "测试社区"
    assert "people" not in out["scenario"] and "households" not in out["scenario"]
    assert not {k.lower() for k in _keys(out)} & set(PRIVATE_WORDS)
    text = json.dumps(out, ensure_ascii=False)
    for secret in ("幸福路", "13800000000", "13900000000"):
        assert secret not in text


def test_json_uses_grid_and_beneficiary_names_from_the_scenario(
    tiny_problem: Problem, solution: Solution
) -> None:
    scenario_data = {
        "name": "测试社区",
        "grids": [{"id": "g1", "name": "第一网格", "community": "c1"}],
        "wishes": [
            {
                "id": "w1",
                "title": "修理漏水的水管",
                "beneficiary": {
                    "id": "h1",
                    "name": "李奶奶",
                    "situations": ["elderly_alone"],
                    "address": "幸福路 8 号",
                    "phone": "13800000000",
                },
            }
        ],
    }
    out = solution_to_dict(tiny_problem, solution, scenario_data)
    wish = next(a for a in out["assignments"] if a["demand"]["id"] == "w1")
    assert wish["demand"]["grid_name"] == "第一网格"
    assert wish["demand"]["beneficiary"] == "李奶奶"  # the name is public, nothing else is
    assert out["scenario"]["grids"] == [{"id": "g1", "name": "第一网格", "community": "c1"}]
    text = json.dumps(out, ensure_ascii=False)
    assert "幸福路" not in text and "13800000000" not in text and "elderly_alone" not in text


def test_clock_formats_week_minutes() -> None:
    assert clock(wm(0, "08:05")) == "08:05"
    assert clock(wm(6, "23:59")) == "23:59"
    assert end_clock(wm(3, "21:00")) == "21:00"
    assert end_clock(wm(4, "00:00")) == "24:00"  # a task that runs to midnight


def test_fill_counts_only_up_to_the_role_maximum(tiny_problem: Problem) -> None:
    crowded = make_solution(
        assignments=[make_assignment(f"p{i}", "s1") for i in range(1, 4)]  # s1 takes one
    )
    fill = total_fill(tiny_problem, crowded)
    assert fill.filled == 1
    assert fill.essential_filled == 1


def _render(problem: Problem, solution: Solution, width: int = 120) -> str:
    console = Console(width=width, record=True, color_system=None)
    with console.capture() as captured:
        render_schedule(console, problem, solution)
    return captured.get()


def test_schedule_shows_grids_people_gaps_and_summary(
    tiny_problem: Problem, solution: Solution
) -> None:
    text = _render(tiny_problem, solution)
    assert "测试社区 Test community" in text
    assert "2025-03-03" in text
    for header in ("日期 Date", "时间 Time", "类型 Kind", "任务 Task", "人员 People", "状态 Fill"):
        assert header in text
    assert "网格 Grid: g1" in text
    assert "19:30–20:30" in text
    assert "微心愿" in text and "服务岗位" in text and "主题活动" in text
    assert "1/2" in text  # the activity takes up to two, one came
    for header in ("姓名 Name", "类别 Kind", "任务数 Tasks", "时长 Hours", "步行 Walk km"):
        assert header in text
    assert "周六上午没有空闲的人" in text
    assert "nobody is free on" in text
    assert "最优 optimal" in text
    assert "上界" in text and "3,200" in text
    assert "12.50 %" in text
    assert "步行 walking" in text
    assert "0.8 / 5.3" in text  # out of 1 (shift) + 1.3 (activity) + 3 (priority-3 wish)
    assert max(cell_len(line) for line in text.splitlines()) <= 120


def test_schedule_of_an_empty_week_renders(tiny_problem: Problem) -> None:
    empty = make_solution(status="empty", objective=0, bound=0, weighted_coverage=0.0)
    text = _render(tiny_problem, empty)
    assert "空 empty" in text
    assert "0/1" in text


def test_big_problem_prints_summary_gaps_and_grid_fill_only() -> None:
    people = [make_person(f"p{i}", f"志愿者{i}", grid=f"g{i % 80}") for i in range(200)]
    demands = [make_shift(f"s{i}", f"岗位{i}", grid=f"g{i}") for i in range(80)]
    demands.append(make_wish("w1", grid="g0"))
    problem = make_problem(people, demands, name="凤凰街道")
    assert is_big(problem)
    solution = make_solution(
        assignments=[make_assignment(f"p{i}", f"s{i}") for i in range(70)],
        gaps=[
            make_gap(f"s{i}", reason=Reason(zh=f"原因{i}", en=f"reason {i}")) for i in range(70, 80)
        ]
        + [make_gap("w1") for _ in range(30)],
        status="feasible",
        objective=70_000,
        bound=81_000,
    )
    text = _render(problem, solution)
    assert "可行 feasible" in text
    assert "各网格人手 Fill per grid" in text
    assert "--json" in text
    assert "姓名 Name" not in text  # no per-person table
    assert "人员 People" not in text.split("各网格人手")[0]  # no per-grid schedules
    assert "10 more not shown" in text  # only the 30 worst gaps


def test_every_term_the_matcher_scores_has_a_label(tiny_problem: Problem) -> None:
    from matcher.solver import solve

    breakdown = solve(tiny_problem).breakdown
    assert breakdown
    assert set(breakdown) <= set(TERM_LABELS)


def test_unknown_breakdown_terms_and_pins_are_shown(tiny_problem: Problem) -> None:
    solution = make_solution(
        assignments=[make_assignment("p1", "s1", pinned=True)],
        breakdown={"coverage": 1000, "new_term": -5},
    )
    text = _render(tiny_problem, solution)
    assert "new_term" in text
    assert "张伟*" in text


def test_schedule_uses_grid_names(tiny_problem: Problem, solution: Solution) -> None:
    console = Console(width=120, record=True, color_system=None)
    with console.capture() as captured:
        render_schedule(console, tiny_problem, solution, grid_names={"g1": "第一网格"})
    assert "网格 Grid: 第一网格" in captured.get()


def test_multi_community_grids_are_told_apart() -> None:
    problem = make_problem(
        people=[make_person("p1")],
        demands=[
            make_shift("s1", community="红光社区", grid="一网格"),
            replace(make_activity("a1"), community="路东社区", grid="一网格"),
        ],
    )
    text = _render(problem, make_solution())
    assert "红光社区 · 一网格" in text
    assert "路东社区 · 一网格" in text
