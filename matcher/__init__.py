"""同心 Tongxin matcher: one week of a community's service work in, an explained schedule out.

Pure Python on OR-Tools; no database, no web. Entry points: ``solve`` (flow + CP-SAT, with a
proven bound), ``solve_greedy`` (the by-hand baseline) and ``solve_city`` (a whole city in parts
of whole communities, on Dask when it is installed, then a border pass across the parts).
"""

from matcher.city import solve_city
from matcher.domain import LockConflict, Problem, Settings, Solution, Weights
from matcher.solver import solve, solve_greedy
from matcher.split import split_problem

__all__ = [
    "LockConflict",
    "Problem",
    "Settings",
    "Solution",
    "Weights",
    "solve",
    "solve_city",
    "solve_greedy",
    "split_problem",
]
