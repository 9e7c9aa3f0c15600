"""Every hard rule and soft goal of the matcher, one named function each.

Hard rules decide who *may* do what (eligibility, vectorised over all people for one demand)
and what may not happen together (overlap, caps). Soft goals turn a choice into points; the
solver maximises the sum. Keeping each rule here, named as a coordinator would say it, is what
lets explain.py name the rule that left a demand unfilled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matcher.domain import (
    MINUTES_PER_DAY,
    WALK_METRES_PER_MINUTE,
    Demand,
    Person,
    PersonKind,
    Role,
    Settings,
    Weights,
)

SLOT_MINUTES = 5  # availability is kept on a 5-minute grid
EARTH_RADIUS_M = 6_371_000.0


def haversine_m(
    lat1: np.ndarray | float, lng1: np.ndarray | float, lat2: float, lng2: float
) -> np.ndarray:
    """Great-circle distance in metres (a straight walk; no routing engine needed at 1 km)."""
    p1, p2 = np.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlmb = math.radians(lng2) - np.radians(lng1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * math.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0))))


def walk_minutes(distance_m: float) -> int:
    return math.ceil(distance_m / WALK_METRES_PER_MINUTE)


@dataclass(frozen=True, slots=True)
class FreeRuns:
    """Each person's free stretches of the week in 5-minute slots, ``[start, end)``, padded
    with empty stretches so that every person has the same number of columns."""

    starts: np.ndarray  # int32 [people, stretches]
    ends: np.ndarray

    @staticmethod
    def from_slots(slots: np.ndarray) -> FreeRuns:
        people, width = slots.shape
        padded = np.zeros((people, width + 2), dtype=np.int8)
        padded[:, 1:-1] = slots
        edges = np.diff(padded, axis=1)
        rise_rows, rise_cols = np.nonzero(edges == 1)
        _, fall_cols = np.nonzero(edges == -1)
        counts = np.bincount(rise_rows, minlength=people)
        columns = max(1, int(counts.max()) if people else 1)
        starts = np.zeros((people, columns), dtype=np.int32)
        ends = np.zeros((people, columns), dtype=np.int32)
        rank = np.arange(rise_rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
        starts[rise_rows, rank] = rise_cols
        ends[rise_rows, rank] = fall_cols
        return FreeRuns(starts=starts, ends=ends)


# hard ---------------------------------------------------------------------------------------


def missing_required_skill(person_skill_masks: np.ndarray, role_mask: int) -> np.ndarray:
    """True where a person lacks one of the role's required skills."""
    need = np.uint64(role_mask)
    return (person_skill_masks & need) != need


def outside_service_radius(
    distances_m: np.ndarray, demand: Demand, settings: Settings
) -> np.ndarray:
    """True where the person lives farther than the demand's walking radius."""
    radius = demand.radius_m if demand.radius_m is not None else settings.radius_m
    return distances_m > radius


def not_a_party_member(is_party_member: np.ndarray, demand: Demand) -> np.ndarray:
    """True where a party-members-only post would get someone who is not a party member."""
    if not demand.party_members_only:
        return np.zeros(is_party_member.shape, dtype=bool)
    return ~is_party_member


def unavailable_at(
    runs: FreeRuns, start: int, end: int, rows: np.ndarray | slice = slice(None)
) -> np.ndarray:
    """True where a person is not free for the whole fixed time [start, end).

    The demand's time is widened to whole 5-minute slots; one free stretch must cover it.
    """
    first, last = start // SLOT_MINUTES, -(-end // SLOT_MINUTES)
    covers = (runs.starts[rows] <= first) & (runs.ends[rows] >= last)
    return np.asarray(~covers.any(axis=1))


def visiting_windows(
    window_start: int, window_end: int, visit_hours: tuple[int, int]
) -> list[tuple[int, int]]:
    """A wish's allowed days cut down to each day's visiting hours (no house calls at night)."""
    first_day = window_start // MINUTES_PER_DAY
    last_day = (window_end - 1) // MINUTES_PER_DAY
    windows = []
    for day in range(first_day, last_day + 1):
        base = day * MINUTES_PER_DAY
        start, end = (
            max(window_start, base + visit_hours[0]),
            min(window_end, base + visit_hours[1]),
        )
        if start < end:
            windows.append((start, end))
    return windows


def no_free_time_within(
    runs: FreeRuns,
    window_start: int,
    window_end: int,
    duration: int,
    visit_hours: tuple[int, int],
    rows: np.ndarray | slice = slice(None),
) -> np.ndarray:
    """True where a person has no free stretch of ``duration`` inside a wish's allowed days and
    visiting hours."""
    need = -(-duration // SLOT_MINUTES)
    starts, ends = runs.starts[rows], runs.ends[rows]
    fits = np.zeros(starts.shape[0], dtype=bool)
    for start, end in visiting_windows(window_start, window_end, visit_hours):
        first, last = -(-start // SLOT_MINUTES), end // SLOT_MINUTES
        inside = np.minimum(ends, last) - np.maximum(starts, first)
        fits |= (inside >= need).any(axis=1)
    return ~fits


def tasks_overlap(a_start: int, a_end: int, b_start: int, b_end: int, walk: int) -> bool:
    """Two tasks of one person collide unless the walk from one to the other fits between them."""
    return a_start < b_end + walk and b_start < a_end + walk


def over_weekly_hours(minutes: int, person: Person) -> bool:
    return minutes > round(person.weekly_hours_cap * 60)


def over_weekly_tasks(tasks: int, person: Person) -> bool:
    return tasks > person.weekly_task_cap


def free_starts(
    free_slots: np.ndarray,
    window_start: int,
    window_end: int,
    duration: int,
    limit: int,
    visit_hours: tuple[int, int] = (0, MINUTES_PER_DAY),
) -> list[int]:
    """Start minutes (on the 5-minute grid) where a person is free for ``duration``.

    Returns at most ``limit`` starts, earliest first: the start of each free stretch, then
    back-to-back starts inside it, so that two wishes can share one evening.
    """
    starts: list[int] = []
    for start, end in visiting_windows(window_start, window_end, visit_hours):
        starts += free_starts_in(free_slots, start, end, duration, limit - len(starts))
    return starts


def free_starts_in(
    free_slots: np.ndarray, window_start: int, window_end: int, duration: int, limit: int
) -> list[int]:
    need = -(-duration // SLOT_MINUTES)
    first = max(0, -(-window_start // SLOT_MINUTES))
    last = min(len(free_slots), window_end // SLOT_MINUTES)
    starts: list[int] = []
    slot = first
    while slot + need <= last and len(starts) < limit:
        if not free_slots[slot]:
            slot += 1
            continue
        run_end = slot
        while run_end < last and free_slots[run_end]:
            run_end += 1
        s = slot
        while s + need <= run_end and len(starts) < limit:
            starts.append(s * SLOT_MINUTES)
            s += need
        slot = run_end
    return starts


# soft ---------------------------------------------------------------------------------------


def head_values(demand: Demand, role: Role, weights: Weights) -> tuple[int, int]:
    """Points for filling one essential head and one extra head (above the minimum staff)."""
    essential = round(weights.coverage * demand.priority)
    extra = round(weights.coverage * demand.priority * weights.extra_staff_fraction)
    return essential, extra


def walk_cost(distance_m: np.ndarray, weights: Weights) -> np.ndarray:
    """Short walks: points lost per kilometre between home and the demand."""
    return np.rint(distance_m * (weights.walk_per_km / 1000.0)).astype(np.int64)


def preference_bonus(person: Person, demand: Demand, weights: Weights) -> int:
    """Stated preferences: the person asked for this category of service."""
    return (
        weights.preference
        if demand.category and demand.category in person.preferred_categories
        else 0
    )


def continuity_bonus(person: Person, demand: Demand, weights: Weights) -> int:
    """Continuity: the same member for a household they served before."""
    return (
        weights.continuity
        if demand.household and demand.household in person.served_households
        else 0
    )


def stability_bonus(is_previous: bool, weights: Weights) -> int:
    """Stability: keep what was already published unless something better is worth the move."""
    return weights.stability if is_previous else 0


def load_costs(person: Person, settings: Settings, tasks: int) -> list[int]:
    """Fairness: the k-th task of one person costs more than the (k-1)-th.

    The marginal costs rise by ``load_step`` per task, so work spreads over the eligible pool
    instead of piling on the nearest few. A person behind on the quarter's minimum earns a
    bonus on their first task, proportional to how far behind they are.
    """
    weights = settings.weights
    costs = [weights.load_step * k for k in range(tasks)]
    if costs:
        costs[0] -= quarter_behind_bonus(person, settings)
    return costs


def quarter_behind_bonus(person: Person, settings: Settings) -> int:
    """Members behind on their quarter first: bonus scaled by the shortfall."""
    if person.kind == PersonKind.SOCIAL_WORKER or settings.quarter_minimum <= 0:
        return 0
    shortfall = max(0, settings.quarter_minimum - person.services_this_quarter)
    return round(settings.weights.behind_quarter * shortfall / settings.quarter_minimum)
