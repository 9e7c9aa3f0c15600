"""Files written by others: whatever a mangled scenario holds, loading either succeeds or says
what is wrong (ScenarioError), and whatever loads, solves — never a traceback."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher import solve
from matcher.domain import LockConflict
from scenarios.load import ScenarioError, parse_scenario
from tests.support.scenario_docs import minimal_example

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["24:00", "00:00", "23:55", "2026-02-30", "2026-03-02", "法律援助", "", "g1"]),
    st.lists(st.integers(-3, 9), max_size=3),
    st.dictionaries(st.sampled_from(["id", "lat", "x"]), st.integers(-200, 200), max_size=2),
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


BASE = minimal_example()
PATHS = paths(BASE)


def mangle(data: dict[str, Any], path: tuple[Any, ...], action: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    else:
        parent[last] = value
    return data


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,  # the same cases every run: CI must not depend on luck
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(PATHS),
            st.sampled_from(["set", "set", "delete", "duplicate"]),
            ODD_VALUES,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_mangled_files_load_or_explain_and_what_loads_solves(
    edits: list[tuple[tuple[Any, ...], str, Any]],
) -> None:
    data: dict[str, Any] = BASE
    for path, action, value in edits:
        try:
            data = mangle(data, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced what this one would change
    try:
        problem = parse_scenario(data, "fuzz.json")
    except ScenarioError as error:
        assert "fuzz.json" in str(error)
        return
    problem = replace(problem, settings=replace(problem.settings, time_limit_s=0.5))
    try:
        solution = solve(problem)
    except LockConflict as conflict:
        assert conflict.reasons
        return
    assert solution.objective <= solution.bound
