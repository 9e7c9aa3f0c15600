"""The coordinator console's dashboard: how well the published plans covered the weeks, wishes
received and fulfilled per month, hours per grid, and how evenly the work is spread."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class WeekCoverage(BaseModel):
    """Heads needed and filled in a week's published plan; ``ratio`` is null when none needed."""

    week_start: date
    needed: int
    filled: int
    ratio: float | None
    published_run_id: int | None


class MonthWishes(BaseModel):
    """``received``: recorded that month; ``due``: deadline that month; ``fulfilled``: of those
    due, done or followed up (as the monthly report counts them)."""

    month: str
    received: int
    due: int
    fulfilled: int


class GridHours(BaseModel):
    """Hours served by the grid's people over the months shown; ``grid_id`` null: no grid."""

    grid_id: int | None
    name: str
    hours: float
    #: hours of the standing tasks in published plans over the same months (the plan, before
    #: anyone logs what they served)
    planned_hours: float = 0.0


class LoadBucket(BaseModel):
    services: int
    people: int


class Load(BaseModel):
    """Tasks per active person in the published plans of the weeks shown."""

    buckets: list[LoadBucket]
    people: int
    mean: float
    max: int
    #: 0 when everyone does the same, towards 1 when a few do everything
    gini: float


class Dashboard(BaseModel):
    community_id: int
    #: the community's date when the request was answered
    today: date
    #: the day the figures end with: weeks end with its week, months with its month
    until: date
    weekly_coverage: list[WeekCoverage]
    wishes_per_month: list[MonthWishes]
    hours_per_grid: list[GridHours]
    load: Load
