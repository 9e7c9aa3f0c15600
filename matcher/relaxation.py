"""The linear relaxation of the whole CP-SAT model: a bound and a guide for a large week.

The model (``model.build_model`` over every pair) holds every rule of a valid week — each wish
in one segment of its helper's free time, a group wish's helpers in one span of starts, a free
stretch's packing with the walks, the caps, the staff limits — so with its booleans let lie
anywhere from 0 to 1 it is still a relaxation of every valid week, and it sees what the flow
cannot: that a group wish's helpers meet and that an evening holds only so many visits. The
exclusions of two tasks that cannot both fit are left out (millions of rows on a street): the
relaxation is then weaker, never wrong.

It is solved by GLOP's dual simplex (on the 1,287-person street week of ``bench.flexible``,
211,481 columns and 180,483 rows, 11-15 s; the primal simplex took 116 s on a smaller
form of it). Two things come out:

- **A bound.** Not GLOP's objective, which holds only to its tolerances: the bound is read
  from its dual values by weak duality (for any duals, the rows' bounds weighted by them plus
  the best each column can do at its reduced cost bound the minimum), so rounding in the
  solver can only make it weaker, never too low.
- **Where the weight lies.** Each pair's share of the relaxed answer. The pairs it uses are
  few (2,241 of 92,945 on that street week) and they are where the good weeks are: repaired
  as they stand they gave 3,544,964 against 3,478,733 for the flow's answer, and CP-SAT over
  them, then over them and each role's cheapest two per head, reached 3,609,372 in a 60 s
  solve, where the re-flow had reached 3,540,330 (docs/benchmarks.md).

Where the whole week's relaxation would not fit in the time, a neighbourhood's is solved: its
answer leads the same way, its bound holds only for those pairs and is not reported.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ortools.linear_solver.python import model_builder_helper
from ortools.sat import cp_model_pb2
from scipy import sparse

from matcher.candidates import Candidates
from matcher.model import build_model

#: seconds per pair to build the model, turn it into rows and solve them. A wish's pair has a
#: boolean per free stretch and its rows are where GLOP spends its time: the street week of
#: bench/flexible.py (22,237 fixed pairs, 70,708 a wish's) took 22-28 s on a quiet machine;
#: bench/street.py's posts and activities alone (128,691 pairs) 5-6 s, with its wishes too
#: (163,317 more) 36 s
SECONDS_PER_FIXED_PAIR = 5e-5
SECONDS_PER_WISH_PAIR = 3e-4


def seconds_for(c: Candidates, pairs: np.ndarray | None = None) -> float:
    """The time a relaxation over these pairs (all by default) is expected to take."""
    flexible = np.array([d.flexible for d in c.problem.demands], dtype=bool)
    wishes = int(np.count_nonzero(flexible[c.demand if pairs is None else c.demand[pairs]]))
    fixed = (len(c) if pairs is None else len(pairs)) - wishes
    return fixed * SECONDS_PER_FIXED_PAIR + wishes * SECONDS_PER_WISH_PAIR


#: a pair the relaxed answer uses at all
USED = 1e-6
INFINITY = math.inf


@dataclass(frozen=True, slots=True)
class Relaxation:
    #: proven for every valid week (see the module's docstring); None for a neighbourhood's
    bound: int | None
    share: np.ndarray  # per pair, how much of it the relaxed answer takes (0 to 1)
    seconds: float

    def used(self) -> np.ndarray:
        """The pairs the relaxed answer takes any of."""
        return np.flatnonzero(self.share > USED)


@dataclass(slots=True)
class Rows:
    """``lower ≤ matrix @ x ≤ upper``, gathered row by row."""

    row: list[int]
    column: list[int]
    value: list[float]
    lower: list[float]
    upper: list[float]

    def add(self, low: float, high: float, terms: list[tuple[int, float, float]]) -> None:
        """A row over literals: (variable, coefficient, constant), a literal being x or 1 - x."""
        constant = sum(k for _, _, k in terms)
        index = len(self.lower)
        for var, coefficient, _ in terms:
            self.row.append(index)
            self.column.append(var)
            self.value.append(coefficient)
        self.lower.append(low - constant)
        self.upper.append(high - constant)


def literal(index: int) -> tuple[int, float, float]:
    return (index, 1.0, 0.0) if index >= 0 else (-index - 1, -1.0, 1.0)


def rows_of(proto: cp_model_pb2.CpModelProto) -> Rows:
    """The model's constraints as linear rows over its variables, each between 0 and 1 (or its
    domain's ends): at most one, exactly one, at least one, implications and linear rows."""
    rows = Rows([], [], [], [], [])
    for ct in proto.constraints:
        kind = ct.WhichOneof("constraint")
        enforced = [literal(e) for e in ct.enforcement_literal]
        if kind == "bool_or":  # Σ literals ≥ 1, or ≥ each enforcing literal
            terms = [literal(x) for x in ct.bool_or.literals]
            if not enforced:
                rows.add(1.0, INFINITY, terms)
            for var, a, k in enforced:
                rows.add(0.0, INFINITY, [*terms, (var, -a, -k)])
        elif kind in ("at_most_one", "exactly_one") and not enforced:
            literals = getattr(ct, kind).literals
            low = -INFINITY if kind == "at_most_one" else 1.0
            rows.add(low, 1.0, [literal(x) for x in literals])
        elif kind == "bool_and":  # each literal ≥ each enforcing literal
            for x in ct.bool_and.literals:
                for var, a, k in enforced:
                    rows.add(0.0, INFINITY, [literal(x), (var, -a, -k)])
        elif kind == "linear" and not enforced:
            domain = ct.linear.domain
            low = -INFINITY if domain[0] <= -(2**62) else float(domain[0])
            high = INFINITY if domain[-1] >= 2**62 else float(domain[-1])
            terms = [
                (v, float(a), 0.0) for v, a in zip(ct.linear.vars, ct.linear.coeffs, strict=True)
            ]
            rows.add(low, high, terms)
        else:
            raise ValueError(f"no linear form for a {kind} constraint")
    return rows


def relax(c: Candidates, seconds: float, pairs: np.ndarray | None = None) -> Relaxation | None:
    """The relaxation of the week's whole model, or None if it was not solved in ``seconds``.

    Over ``pairs`` only (a neighbourhood, where the whole week's would not fit in the time), the
    relaxed answer still shows where the good weeks lie, but it bounds only those pairs: its
    ``bound`` is None."""
    started = time.perf_counter()
    built = build_model(c, np.arange(len(c)) if pairs is None else pairs, linear=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pb"
        built.model.export_to_file(str(path))
        proto = cp_model_pb2.CpModelProto.FromString(path.read_bytes())
    if time.perf_counter() - started > seconds:
        return None  # a busy machine: the model alone took the time
    objective = proto.objective
    if objective.scaling_factor >= 0:
        raise ValueError("the schedule model maximises its objective")
    rows = rows_of(proto)
    n = len(proto.variables)
    matrix = sparse.csr_matrix(
        (rows.value, (rows.row, rows.column)), shape=(len(rows.lower), n), dtype=np.float64
    )
    lower = np.array([v.domain[0] for v in proto.variables], dtype=np.float64)
    upper = np.array([v.domain[-1] for v in proto.variables], dtype=np.float64)
    cost = np.zeros(n, dtype=np.float64)  # minimised: the model's objective, negated
    np.add.at(cost, np.array(objective.vars, dtype=np.int64), np.array(objective.coeffs, float))
    row_low, row_high = np.array(rows.lower), np.array(rows.upper)
    # the helpers' stubs do not describe numpy arrays as the bindings take them
    lp: Any = model_builder_helper.ModelBuilderHelper()
    lp.fill_model_from_sparse_data(lower, upper, cost, row_low, row_high, matrix)
    solver: Any = model_builder_helper.ModelSolverHelper("glop")
    solver.set_solver_specific_parameters("use_dual_simplex: true")
    left = seconds - (time.perf_counter() - started)
    if left <= 0:
        return None
    solver.set_time_limit_in_seconds(left)
    solver.solve(lp)
    if not solver.has_solution() or solver.status() != model_builder_helper.SolveStatus.OPTIMAL:
        return None
    # weak duality: for any duals y, min cost·x ≥ Σ rows' bound·y + Σ min over x's box of (cost
    # - Aᵀy)·x; a dual whose row bound on its side is infinite is dropped (0), so this holds
    duals = np.asarray(solver.dual_values(), dtype=np.float64)
    duals = np.where((duals > 0) & np.isfinite(row_low), duals, 0.0) + np.where(
        (duals < 0) & np.isfinite(row_high), duals, 0.0
    )
    reduced = cost - matrix.T @ duals
    low, high = np.where(duals > 0, row_low, 0.0), np.where(duals < 0, row_high, 0.0)
    by_rows = np.where(duals > 0, duals * low, duals * high)
    by_columns = np.minimum(reduced * lower, reduced * upper)
    least = math.fsum(by_rows.tolist()) + math.fsum(by_columns.tolist())
    most = objective.scaling_factor * (least + objective.offset)  # the model's maximum, at most
    bound = math.floor(most + 1e-9 * abs(most) + 1e-6)
    values = np.asarray(solver.variable_values(), dtype=np.float64)
    share = np.zeros(len(c), dtype=np.float64)
    for o in built.options:
        share[o.pair] += values[o.var.index]
    return Relaxation(
        bound=bound if pairs is None else None, share=share, seconds=time.perf_counter() - started
    )
