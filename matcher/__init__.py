"""同心 Tongxin matcher: one week of a community's service work in, an explained schedule out.

Pure Python on OR-Tools; no database, no web. Entry points: ``solve`` (flow + CP-SAT, with a
proven bound) and ``solve_greedy`` (the by-hand baseline).
"""

from matcher.domain import LockConflict, Problem, Settings, Solution, Weights
from matcher.solver import solve, solve_greedy

__all__ = ["LockConflict", "Problem", "Settings", "Solution", "Weights", "solve", "solve_greedy"]
