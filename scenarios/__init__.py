"""Scenario files: their schema, loader and generator (see docs/scenarios.md)."""

from scenarios.generate import generate, write_scenario
from scenarios.load import (
    ScenarioError,
    load_scenario,
    load_scenario_data,
    load_scenario_with_data,
    parse_scenario,
)

__all__ = [
    "ScenarioError",
    "generate",
    "load_scenario",
    "load_scenario_data",
    "load_scenario_with_data",
    "parse_scenario",
    "write_scenario",
]
