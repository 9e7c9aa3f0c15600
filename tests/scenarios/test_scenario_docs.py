"""docs/scenarios.md is the public description of the format: its example and lists hold."""

from __future__ import annotations

from matcher.domain import MINUTES_PER_DAY, SKILLS
from scenarios import parse_scenario
from scenarios.load import scenario_schema
from tests.support.scenario_docs import docs_text, minimal_example


def test_minimal_example_loads_as_described() -> None:
    problem = parse_scenario(minimal_example(), "docs/scenarios.md")
    demands = {d.id: d for d in problem.demands}

    assert [p.id for p in problem.people] == ["p1", "p2"]
    assert set(demands) == {"w1", "hall@6-08:30", "a-0305"}
    wish = demands["w1"]
    assert (wish.window.start, wish.window.end) == (0, 5 * MINUTES_PER_DAY)
    assert (wish.duration, wish.priority, wish.note) == (45, 3.0, "独居老人")
    assert demands["hall@6-08:30"].title == "党员先锋岗 周六 08:30–11:30"
    assert [r.max_count for r in demands["a-0305"].roles] == [1, 2]
    assert problem.locks.pinned == {("p1", "hall@6-08:30")}


def test_every_catalogue_skill_is_documented() -> None:
    text = docs_text()
    assert [skill for skill in SKILLS if f"| {skill} |" not in text] == []


def test_every_top_level_field_is_documented() -> None:
    text = docs_text()
    fields = scenario_schema()["properties"]
    assert [name for name in fields if f"`{name}`" not in text] == []
