"""The min-cost-flow core: coverage, walks, preferences and fair load, solved exactly.

Everything in the objective is a sum over (person, demand) pairs plus a convex cost per
person's task count, so it is a min-cost flow:

    source ─(head values)→ role ─(pair cost)→ [pair] → [time cluster] → person ─(load)→ sink
    source ──────────────────────── bypass (unfilled heads) ─────────────────────────→ sink

What a flow cannot hold — two tasks of one person at overlapping times, the weekly hour cap,
all-or-nothing group wishes — is relaxed. Three relaxations are tightened cheaply: a person's
fixed-time demands that overlap form a *time cluster* whose capacity is the most of them one
person can do (interval scheduling); a demand with several roles takes a person once; and a
helper of a group wish who could not meet enough fellow helpers at any one start carries
nothing (``timing.could_meet``). The flow optimum is therefore an upper bound on the true
optimum, and often equals it.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher import rules, timing
from matcher.candidates import Candidates

ROLE_STRIDE = 1024  # roles per demand, for packing (demand, role) into one integer key
PIN_BONUS = 10_000_000  # large enough that a pin always flows, small enough for cost scaling
LAGRANGIAN_ROUNDS = 30  # a fixed count keeps answers the same from run to run
PRICE_SCALE = 8  # Lagrangian prices are whole multiples of 1/8 point
#: the first step's share of Polyak's: the valid week's value, the step's target, lies below
#: the best bound, so a whole step overshoots (on fenghuang it then never improves)
FIRST_STEP = 0.5
#: pricing stops after this many rounds in a row that did not lower the bound (each halves the
#: step): later rounds seldom do, and the time is the search's
STALLED_ROUNDS = 3


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
        tiers[(d, r)] = (int(role.min_count), int(role.max_count), essential, extra)
    return roles, tiers


def time_clusters(c: Candidates) -> tuple[np.ndarray, dict[int, int]]:
    """For each pair, the id of its person's cluster of clashing fixed demands, or -1.

    Two fixed demands clash for a person when the walk from one to the other does not fit
    between them. A cluster (connected clashes) is kept only where the person cannot do all of
    it; its capacity is the most of it one person can do, so the flow stays a relaxation.
    The clashes are found in array steps over each person's fixed tasks sorted by start, and
    the clusters are the connected parts of that graph; many people share the same set of
    clashing shifts (a grid's patrols), so each set's capacity is worked out once.
    """
    demands = c.problem.demands
    cluster = np.full(len(c), -1, dtype=np.int64)
    fixed = ~np.array([d.flexible for d in demands], dtype=bool)
    idx = np.flatnonzero(fixed[c.demand])
    if idx.size == 0:
        return cluster, {}
    start = np.array([d.window.start for d in demands], dtype=np.int64)
    end = np.array([d.window.end for d in demands], dtype=np.int64)
    # one node per (person, fixed demand), whichever roles the person could fill
    n_demands = len(demands) + 1
    key = c.person[idx].astype(np.int64) * n_demands + c.demand[idx]
    nodes, node_of_pair = np.unique(key, return_inverse=True)
    person, demand = nodes // n_demands, nodes % n_demands
    order = np.lexsort((demand, start[demand], person))
    person, demand = person[order], demand[order]
    s, e = start[demand], end[demand]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    # a node can clash only with the next ones of the same person starting before its end plus
    # the longest possible walk: compare each node with the one k places on, for every k needed
    reach_key = person * (4 * 10**6)
    last = np.searchsorted(reach_key + s, reach_key + e + c.max_walk, side="left")
    near_i = [
        np.flatnonzero(np.arange(len(order)) + k < last)
        for k in range(1, int((last - np.arange(len(order))).max(initial=1)))
    ]
    i = np.concatenate([np.zeros(0, dtype=np.int64), *near_i])
    j = i + np.concatenate(
        [np.zeros(0, dtype=np.int64), *(np.full(len(n), k) for k, n in enumerate(near_i, 1))]
    )
    walk = c.walks(demand[i], demand[j])
    clash = (s[i] < e[j] + walk) & (s[j] < e[i] + walk)
    label = connected_labels(len(order), i[clash], j[clash])
    capacities: dict[int, int] = {}
    known: dict[tuple[int, ...], int] = {}
    node_cluster = np.full(len(order), -1, dtype=np.int64)
    shared = np.flatnonzero(np.bincount(label, minlength=len(order))[label] > 1)
    by_label = shared[np.argsort(label[shared], kind="stable")]
    breaks = np.flatnonzero(np.diff(label[by_label])) + 1
    for group in np.split(by_label, breaks) if by_label.size else []:
        # nodes are sorted by start within a person, so the group's demands are too
        ids = tuple(demand[group].tolist())
        if ids not in known:
            known[ids] = most_one_person_can_do(c, list(ids))
        if known[ids] < len(ids):
            key_ = len(capacities)
            capacities[key_] = known[ids]
            node_cluster[group] = key_
    cluster[idx] = node_cluster[rank[node_of_pair]]
    return cluster, capacities


def connected_labels(n: int, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """The connected parts of an undirected graph: each node's label is its part's least node."""
    label = np.arange(n, dtype=np.int64)
    while True:
        low = np.minimum(label[tails], label[heads])
        before = label.copy()
        np.minimum.at(label, tails, low)
        np.minimum.at(label, heads, low)
        label = label[label]  # jump to the label's label: parts merge in few rounds
        if np.array_equal(label, before):
            return label


def clashes(c: Candidates, a: int, b: int) -> bool:
    da, db = c.problem.demands[a], c.problem.demands[b]
    return rules.tasks_overlap(
        da.window.start, da.window.end, db.window.start, db.window.end, c.walk(a, b)
    )


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


@dataclass(frozen=True, slots=True)
class FlowGraph:
    """The relaxation's network, built once; solved again whenever prices change."""

    tails: np.ndarray
    heads: np.ndarray
    capacities: np.ndarray
    costs: np.ndarray  # pair arcs first: arc i is candidate pair i
    pinned: np.ndarray
    total: int
    nodes: int
    built_seconds: float

    def solve(
        self, pair_penalty: np.ndarray | None = None, constant: int = 0, scale: int = 1
    ) -> FlowResult:
        """Min-cost flow with ``pair_penalty`` added to the pair arcs, all costs × ``scale``.

        The bound is (optimum + ``constant``) / ``scale``: with Lagrangian prices the penalties
        are price × use and the constant is price × limit, summed over the priced rules.
        """
        started = time.perf_counter()
        n_pairs = len(self.pinned)
        costs = self.costs * scale
        if pair_penalty is not None:
            costs[:n_pairs] += pair_penalty
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(self.tails, self.heads, self.capacities, costs)
        flow.set_node_supply(0, self.total)
        flow.set_node_supply(1, -self.total)
        status = flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed with status {status}")
        flows = flow.flows(np.arange(n_pairs, dtype=np.int32)) if n_pairs else np.zeros(0)
        chosen = np.flatnonzero(flows > 0)
        pins_flowed = int(self.pinned[chosen].sum())
        relaxed = -int(flow.optimal_cost()) - PIN_BONUS * scale * pins_flowed + constant
        return FlowResult(
            bound=relaxed // scale,  # the objective is whole points: round the bound down
            chosen=chosen,
            seconds=time.perf_counter() - started + self.built_seconds,
            nodes=self.nodes,
            arcs=len(self.tails),
        )


def solve_flow(c: Candidates, load_tiers: dict[int, list[int]]) -> FlowResult:
    """Build and solve the relaxation; ``load_tiers[p]`` are person p's marginal task costs."""
    return build_flow(c, load_tiers).solve()


def build_flow(c: Candidates, load_tiers: dict[int, list[int]]) -> FlowGraph:
    """The network of the relaxation (see the module's docstring)."""
    started = time.perf_counter()
    roles, tiers = head_tiers(c)
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
    # pair arcs first, so arc i is pair i
    entry = target.copy()
    entry[multi] = pair_nodes
    tails: list[np.ndarray] = [role_of_pair]
    heads: list[np.ndarray] = [entry]
    # a group wish's helper who could meet too few others at any start carries nothing
    caps: list[np.ndarray] = [timing.could_meet(c).astype(np.int64)]
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
            arc(source, role_node[key], low, -essential)
        if high > low:
            arc(source, role_node[key], high - low, -extra)
        total += high
    for p in people:
        for step_cost in load_tiers[p]:
            arc(int(person_node[p]), sink, 1, step_cost)
    arc(source, sink, total, 0)
    tails.append(np.array(extra_t, dtype=np.int64))
    heads.append(np.array(extra_h, dtype=np.int64))
    caps.append(np.array(extra_c, dtype=np.int64))
    costs.append(np.array(extra_k, dtype=np.int64))

    return FlowGraph(
        tails=np.concatenate(tails).astype(np.int32),
        heads=np.concatenate(heads).astype(np.int32),
        capacities=np.concatenate(caps).astype(np.int64),
        costs=np.concatenate(costs).astype(np.int64),
        pinned=c.pinned.copy(),
        total=total,
        nodes=next_node,
        built_seconds=time.perf_counter() - started,
    )


def lagrangian_bound(
    c: Candidates,
    graph: FlowGraph,
    first: FlowResult,
    best_value: int,
    seconds: float,
) -> tuple[FlowResult, list[np.ndarray]]:
    """Tighten the bound by pricing what the flow relaxes (subgradient, relax-and-cut).

    Priced rules: each person's weekly minutes (hour cap), and each pair of fixed-time tasks the
    relaxed answer gives one person although they clash (at most one of the two). For any
    non-negative prices, flow optimum + price × limit bounds every valid week. Prices are kept
    in whole 1/PRICE_SCALE points so the bound stays exact. Returns the best bound found and
    each round's relaxed answer (worth repairing too).
    """
    started = time.perf_counter()
    people, demands = c.problem.people, c.problem.demands
    cap = np.array([round(p.weekly_hours_cap * 60) for p in people], dtype=np.int64)
    duration = np.array([d.duration for d in demands], dtype=np.int64)[c.demand]
    flexible = np.array([d.flexible for d in demands], dtype=bool)
    by_person_demand = PairLookup(c)
    hour_price = np.zeros(len(people), dtype=np.float64)
    cuts: list[np.ndarray] = []  # pair indices of "at most one of these two tasks"
    cut_price: list[float] = []
    known: set[tuple[int, int, int]] = set()
    best, answers, current, theta = first, [], first, FIRST_STEP
    stalled = 0
    for _ in range(LAGRANGIAN_ROUNDS):
        chosen = np.zeros(len(c), dtype=bool)
        chosen[current.chosen] = True
        for key, idx in clashing_pairs(c, current.chosen, flexible, by_person_demand):
            if key not in known:
                known.add(key)
                cuts.append(idx)
                cut_price.append(0.0)
        slack = cap - np.bincount(c.person[chosen], weights=duration[chosen], minlength=len(people))
        hour_grad = np.where((hour_price > 0) | (slack < 0), slack, 0.0)
        cut_grad = np.array([1 - int(chosen[idx].sum()) for idx in cuts], dtype=np.float64)
        cut_grad = np.where((np.array(cut_price) > 0) | (cut_grad < 0), cut_grad, 0.0)
        norm = float((hour_grad**2).sum() + (cut_grad**2).sum())
        if norm == 0 or best.bound <= best_value:
            break
        if time.perf_counter() - started + current.seconds * 1.5 > seconds:
            break  # a safety net: on an unloaded machine the round count decides, not the clock
        step = theta * max(1.0, current.bound - best_value) / norm
        hour_price = np.maximum(0.0, hour_price - step * hour_grad)
        cut_price = [max(0.0, p - step * g) for p, g in zip(cut_price, cut_grad, strict=True)]
        hours_scaled = np.floor(hour_price * PRICE_SCALE).astype(np.int64)
        cuts_scaled = np.floor(np.array(cut_price) * PRICE_SCALE).astype(np.int64)
        penalty = hours_scaled[c.person] * duration
        constant = int((hours_scaled * cap).sum()) + int(cuts_scaled.sum())
        for idx, price in zip(cuts, cuts_scaled, strict=True):
            if price:
                penalty[idx] += price
        current = graph.solve(penalty, constant, PRICE_SCALE)
        answers.append(current.chosen)
        if current.bound < best.bound:
            best, stalled = current, 0
        else:
            theta /= 2
            stalled += 1
            if stalled >= STALLED_ROUNDS:
                break  # smaller steps seldom help: the search gets the time
    return best, answers


class PairLookup:
    """(person, demand) → the indices of its pairs (one per role the person could fill), found
    by bisection in the pairs sorted by that key, so nothing is built per pair."""

    def __init__(self, c: Candidates):
        self.stride = len(c.problem.demands) + 1
        key = c.person.astype(np.int64) * self.stride + c.demand
        self.order = np.argsort(key, kind="stable")
        self.keys = key[self.order]

    def __getitem__(self, person_demand: tuple[int, int]) -> np.ndarray:
        key = person_demand[0] * self.stride + person_demand[1]
        low, high = np.searchsorted(self.keys, [key, key + 1])
        return self.order[low:high]


def clashing_pairs(
    c: Candidates,
    chosen: np.ndarray,
    flexible: np.ndarray,
    lookup: PairLookup,
) -> list[tuple[tuple[int, int, int], np.ndarray]]:
    """Fixed-time tasks the relaxed answer gives one person although they clash."""
    mine: dict[int, list[int]] = {}
    for i in chosen:
        d = int(c.demand[i])
        if not flexible[d]:
            mine.setdefault(int(c.person[i]), []).append(d)
    found = []
    for p, ds in mine.items():
        ds = sorted(set(ds))
        for x, a in enumerate(ds):
            for b in ds[x + 1 :]:
                if clashes(c, a, b):
                    idx = np.concatenate([lookup[(p, a)], lookup[(p, b)]])
                    found.append(((p, a, b), idx))
    return found
