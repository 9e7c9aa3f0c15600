"""The min-cost-flow core: coverage, walks, preferences and fair load, solved exactly.

Everything in the objective is a sum over (person, demand) pairs plus a convex cost per
person's task count, so it is a min-cost flow:

    source ─(head values)→ role ─(pair cost)→ [pair] → [time cluster] → person ─(load)→ sink
    source ──────────────────────── bypass (unfilled heads) ─────────────────────────→ sink

What a flow cannot hold — two tasks of one person at overlapping times, the weekly hour cap,
all-or-nothing group wishes — is relaxed. Two relaxations are tightened cheaply: a person's
fixed-time demands that overlap form a *time cluster* whose capacity is the most of them one
person can do (interval scheduling), and a demand with several roles takes a person once.
The flow optimum is therefore an upper bound on the true optimum, and often equals it.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher import rules
from matcher.candidates import Candidates

ROLE_STRIDE = 1024  # roles per demand, for packing (demand, role) into one integer key
PIN_BONUS = 10_000_000  # large enough that a pin always flows, small enough for cost scaling
PRICE_SCALE = 8  # minute prices are multiples of 1/8 point


@dataclass(frozen=True, slots=True)
class FlowResult:
    bound: int  # objective of the relaxation: an upper bound on any feasible schedule
    chosen: np.ndarray  # indices of candidate pairs carrying flow
    seconds: float
    nodes: int
    arcs: int


def role_keys(c: Candidates) -> np.ndarray:
    return c.demand.astype(np.int64) * ROLE_STRIDE + c.role


def head_tiers(
    c: Candidates,
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], tuple[int, int, int, int]]]:
    """The (demand, role) pairs that have candidates, with min/max heads and their values."""
    problem, weights = c.problem, c.problem.settings.weights
    keys = np.unique(role_keys(c))
    roles = [(int(k) // ROLE_STRIDE, int(k) % ROLE_STRIDE) for k in keys]
    tiers = {}
    for d, r in roles:
        demand = problem.demands[d]
        role = demand.roles[r]
        essential, extra = rules.head_values(demand, role, weights)
        tiers[(d, r)] = (role.min_count, role.max_count, essential, extra)
    return roles, tiers


def time_clusters(c: Candidates) -> tuple[np.ndarray, dict[int, int]]:
    """For each pair, the id of its person's cluster of clashing fixed demands, or -1.

    Two fixed demands clash for a person when the walk from one to the other does not fit
    between them. A cluster (connected clashes) is kept only where the person cannot do all of
    it; its capacity is the most of it one person can do, so the flow stays a relaxation.
    """
    demands = c.problem.demands
    start = np.array([d.window.start for d in demands], dtype=np.int64)[c.demand]
    end = np.array([d.window.end for d in demands], dtype=np.int64)[c.demand]
    fixed = ~np.array([d.flexible for d in demands], dtype=bool)[c.demand]
    cluster = np.full(len(c), -1, dtype=np.int64)
    idx = np.flatnonzero(fixed)
    if idx.size == 0:
        return cluster, {}
    order = idx[np.lexsort((c.demand[idx], start[idx], c.person[idx]))]
    offset = c.person[order].astype(np.int64) * (4 * 10**6)
    # a cheap superset first: runs of demands with gaps shorter than the longest possible walk
    s, e = start[order] + offset, end[order] + offset + c.max_walk
    running_end = np.maximum.accumulate(e)
    new = np.ones(order.size, dtype=bool)
    new[1:] = s[1:] >= running_end[:-1]
    capacities: dict[int, int] = {}
    # many people share the same set of shifts (a grid's patrols): work each set out once
    known: dict[tuple[int, ...], list[tuple[list[int], int]]] = {}
    for run in np.split(order, np.flatnonzero(new)[1:]):
        if run.size < 2:
            continue
        ids = tuple(
            sorted({int(d) for d in c.demand[run]}, key=lambda d: (demands[d].window.start, d))
        )
        if len(ids) < 2:
            continue
        if ids not in known:
            known[ids] = [
                (group, most)
                for group in clash_groups(c, list(ids))
                if (most := most_one_person_can_do(c, group)) < len(group)
            ]
        for group, most in known[ids]:
            key = len(capacities)
            capacities[key] = most
            cluster[run[np.isin(c.demand[run], group)]] = key
    return cluster, capacities


def clashes(c: Candidates, a: int, b: int) -> bool:
    da, db = c.problem.demands[a], c.problem.demands[b]
    return rules.tasks_overlap(
        da.window.start, da.window.end, db.window.start, db.window.end, c.walk(a, b)
    )


def clash_groups(c: Candidates, ids: list[int]) -> list[list[int]]:
    """Connected groups of the clash graph on the given demands (sorted by start)."""
    parent = {d: d for d in ids}

    def root(d: int) -> int:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if c.problem.demands[b].window.start >= c.problem.demands[a].window.end + c.max_walk:
                break
            if clashes(c, a, b):
                parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for d in ids:
        groups.setdefault(root(d), []).append(d)
    return [g for g in groups.values() if len(g) >= 2]


EXACT_GROUP = 12  # clash groups up to this size get an exact maximum independent set


def most_one_person_can_do(c: Candidates, group: list[int]) -> int:
    """The largest clash-free subset of a group, or an upper bound on it.

    Earliest-end greedy ignoring walks is exact for plain time intervals and never below the
    true answer; the same greedy honouring walks is a valid schedule, so never above it. When
    they agree that is the answer; otherwise small groups are searched exhaustively.
    """
    demands = c.problem.demands
    by_end = sorted(group, key=lambda d: (demands[d].window.end, demands[d].window.start, d))
    upper, last_end = 0, -1
    for d in by_end:
        if demands[d].window.start >= last_end:
            upper, last_end = upper + 1, demands[d].window.end
    chosen: list[int] = []
    for d in by_end:
        if not any(clashes(c, d, other) for other in chosen):
            chosen.append(d)
    if len(chosen) == upper or len(group) > EXACT_GROUP:
        return upper
    clash_mask = [0] * len(group)
    for i, a in enumerate(group):
        for j, b in enumerate(group):
            if i != j and clashes(c, a, b):
                clash_mask[i] |= 1 << j

    @functools.cache
    def best(free: int) -> int:
        if not free:
            return 0
        i = (free & -free).bit_length() - 1
        rest = free & ~(1 << i)
        return max(best(rest), 1 + best(rest & ~clash_mask[i]))

    return best((1 << len(group)) - 1)


def cluster_nodes_of(cluster_ids: np.ndarray, first_node: int) -> np.ndarray:
    return first_node + np.arange(len(cluster_ids), dtype=np.int64)


def solve_flow(
    c: Candidates, load_tiers: dict[int, list[int]], minute_price: np.ndarray | None = None
) -> FlowResult:
    """Build and solve the relaxation; ``load_tiers[p]`` are person p's marginal task costs.

    ``minute_price[p]`` (points per minute, in units of 1/PRICE_SCALE) prices person p's time:
    the Lagrangian relaxation of the weekly hour cap. The bound then adds back price × cap.
    """
    started = time.perf_counter()
    roles, tiers = head_tiers(c)
    n_pairs = len(c)
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    next_node = 2
    role_node = {}
    for key in roles:
        role_node[key] = next_node
        next_node += 1
    people = sorted(set(map(int, c.person)))
    person_node = np.full(len(c.problem.people), -1, dtype=np.int64)
    person_node[people] = np.arange(next_node, next_node + len(people))
    next_node += len(people)

    # a time-cluster node where a person cannot do all of their overlapping fixed demands
    clusters, capacities = time_clusters(c)
    cluster_ids = np.array(sorted(capacities), dtype=np.int64)
    target = person_node[c.person]
    in_cluster = clusters >= 0
    cluster_nodes = next_node + np.searchsorted(cluster_ids, clusters[in_cluster])
    target[in_cluster] = cluster_nodes
    next_node += len(cluster_ids)
    # a pair node where one person could fill several roles of one demand: they take one
    key_pd = c.person.astype(np.int64) * (len(c.problem.demands) + 1) + c.demand
    _, inverse, counts = np.unique(key_pd, return_inverse=True, return_counts=True)
    multi = counts[inverse] > 1
    multi_keys, multi_first = np.unique(inverse[multi], return_index=True)
    pair_nodes = next_node + np.searchsorted(multi_keys, inverse[multi])
    next_node += len(multi_keys)

    role_of_pair = 2 + np.searchsorted(np.unique(role_keys(c)), role_keys(c))
    pair_cost = c.cost - np.where(c.pinned, PIN_BONUS, 0)
    scale = 1 if minute_price is None else PRICE_SCALE
    if minute_price is not None:
        durations = np.array([d.duration for d in c.problem.demands], dtype=np.int64)[c.demand]
        pair_cost = pair_cost * scale + minute_price[c.person] * durations
    # pair arcs first, so arc i is pair i
    entry = target.copy()
    entry[multi] = pair_nodes
    tails: list[np.ndarray] = [role_of_pair]
    heads: list[np.ndarray] = [entry]
    caps: list[np.ndarray] = [np.ones(n_pairs, dtype=np.int64)]
    costs: list[np.ndarray] = [pair_cost.astype(np.int64)]
    multi_idx = np.flatnonzero(multi)[multi_first]
    tails.append(next_node - len(multi_keys) + np.arange(len(multi_keys)))
    heads.append(target[multi_idx])
    caps.append(np.ones(len(multi_keys), dtype=np.int64))
    costs.append(np.zeros(len(multi_keys), dtype=np.int64))
    cluster_first = np.searchsorted(np.sort(clusters), cluster_ids)  # any pair of the cluster
    cluster_person = (
        c.person[np.argsort(clusters, kind="stable")[cluster_first]]
        if len(cluster_ids)
        else np.zeros(0, dtype=np.int64)
    )
    tails.append(cluster_nodes_of(cluster_ids, next_node - len(multi_keys) - len(cluster_ids)))
    heads.append(person_node[cluster_person])
    caps.append(np.array([capacities[int(k)] for k in cluster_ids], dtype=np.int64))
    costs.append(np.zeros(len(cluster_ids), dtype=np.int64))

    extra_t: list[int] = []
    extra_h: list[int] = []
    extra_c: list[int] = []
    extra_k: list[int] = []

    def arc(t: int, h: int, cap: int, cost: int) -> None:
        extra_t.append(t)
        extra_h.append(h)
        extra_c.append(cap)
        extra_k.append(cost)

    total = 0
    for key in roles:
        low, high, essential, extra = tiers[key]
        if low > 0:
            arc(source, role_node[key], low, -essential * scale)
        if high > low:
            arc(source, role_node[key], high - low, -extra * scale)
        total += high
    for p in people:
        for step_cost in load_tiers[p]:
            arc(int(person_node[p]), sink, 1, step_cost * scale)
    arc(source, sink, total, 0)
    tails.append(np.array(extra_t, dtype=np.int64))
    heads.append(np.array(extra_h, dtype=np.int64))
    caps.append(np.array(extra_c, dtype=np.int64))
    costs.append(np.array(extra_k, dtype=np.int64))

    all_tails = np.concatenate(tails).astype(np.int32)
    flow.add_arcs_with_capacity_and_unit_cost(
        all_tails,
        np.concatenate(heads).astype(np.int32),
        np.concatenate(caps).astype(np.int64),
        np.concatenate(costs).astype(np.int64),
    )
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = (
        flow.flows(np.arange(n_pairs, dtype=np.int32)) if n_pairs else np.zeros(0, dtype=np.int64)
    )
    chosen = np.flatnonzero(flows > 0)
    pins_flowed = int(c.pinned[chosen].sum())
    relaxed = -int(flow.optimal_cost()) - PIN_BONUS * scale * pins_flowed
    if minute_price is not None:
        cap_minutes = [round(p.weekly_hours_cap * 60) for p in c.problem.people]
        relaxed += int((minute_price * np.array(cap_minutes, dtype=np.int64)).sum())
    bound = relaxed // scale  # the objective is whole points: round the bound down
    return FlowResult(
        bound=bound,
        chosen=chosen,
        seconds=time.perf_counter() - started,
        nodes=next_node,
        arcs=len(all_tails),
    )


def lagrangian_bound(
    c: Candidates,
    load_tiers: dict[int, list[int]],
    first: FlowResult,
    best_value: int,
    seconds: float,
) -> tuple[FlowResult, list[np.ndarray]]:
    """Tighten the bound by pricing each person's time (subgradient on the weekly hour caps).

    For any prices, flow optimum + price × cap bounds every schedule that keeps the caps; the
    prices rise for people the relaxed flow books past their cap. Returns the best bound found
    and each iteration's relaxed answer (often easier to repair than the first).
    """
    started = time.perf_counter()
    people = c.problem.people
    caps = np.array([round(p.weekly_hours_cap * 60) for p in people], dtype=np.float64)
    durations = np.array([d.duration for d in c.problem.demands], dtype=np.float64)[c.demand]
    price = np.zeros(len(people), dtype=np.float64)
    best, answers = first, []
    current = first
    theta = 1.0
    for _ in range(30):
        used = np.bincount(
            c.person[current.chosen], weights=durations[current.chosen], minlength=len(people)
        )
        slack = caps - used
        subgradient = np.where((price > 0) | (slack < 0), slack, 0.0)
        norm = float((subgradient**2).sum())
        if norm == 0 or best.bound <= best_value:
            break
        elapsed = time.perf_counter() - started
        if elapsed + current.seconds * 1.5 > seconds:
            break
        step = theta * (current.bound - best_value) / norm
        price = np.maximum(0.0, price - step * subgradient)
        scaled = np.floor(price * PRICE_SCALE).astype(np.int64)
        current = solve_flow(c, load_tiers, scaled)
        answers.append(current.chosen)
        if current.bound < best.bound:
            best = current
        else:
            theta /= 2
    return best, answers
