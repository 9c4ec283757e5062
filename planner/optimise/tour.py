"""Closed driving tours through a few places: networkx's heuristic, a MILP when it must be exact.

A tour visits every given node once and returns to its start, over a matrix of
driving times in minutes (``times[a, b]`` from a to b, not necessarily symmetric;
``inf`` = no route). Two maintained solvers do the work, none of it is hand-written:

* :func:`heuristic_tour` - ``networkx.algorithms.approximation.threshold_accepting_tsp``
  started from networkx's greedy tour (fixed seed, so runs repeat). Its length is an
  upper bound of the shortest tour: a tour within the limit proves the set feasible.
* :func:`exact_tour` - the asymmetric TSP as a MILP (assignment constraints plus the
  Miller-Tucker-Zemlin subtour constraints) solved by HiGHS or CBC through PuLP to
  proven optimality; used when the heuristic's tour is too long, to decide, and for the
  reported tour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_BIG = 1e9  # stands for "no route" on networkx's complete graph; a tour using it is inf


@dataclass(frozen=True)
class Tour:
    """A closed tour.

    Attributes
    ----------
    order : tuple of int
        Node indices in visiting order, each once; the return to ``order[0]`` is implied.
    minutes : float
        Driving time of the closed tour, minutes (``inf`` if some leg has no route).
    exact : bool
        True when ``minutes`` is proven the shortest possible.
    method : str
    """

    order: tuple[int, ...]
    minutes: float
    exact: bool
    method: str


def tour_length(times: np.ndarray, order: Sequence[int]) -> float:
    """Minutes of the closed tour ``order[0] -> ... -> order[-1] -> order[0]``."""
    if len(order) < 2:
        return 0.0
    nxt = list(order[1:]) + [order[0]]
    return float(sum(times[a, b] for a, b in zip(order, nxt, strict=True)))


def _trivial(times: np.ndarray, nodes: Sequence[int]) -> Tour | None:
    """One node (0 min) or two (there and back): every order is the same tour."""
    nodes = tuple(int(n) for n in nodes)
    if len(nodes) <= 2:
        return Tour(nodes, tour_length(times, nodes), True, "direct")
    return None


def heuristic_tour(times: np.ndarray, nodes: Sequence[int], seed: int = 0) -> Tour:
    """A short closed tour through ``nodes`` by networkx (greedy + threshold accepting).

    Parameters
    ----------
    times : numpy.ndarray
        (N, N) driving minutes between all places.
    nodes : sequence of int
        The places to visit (indices into ``times``).
    seed : int
        Seed of the threshold-accepting moves.
    """
    from ..lazy import require

    nx = require("networkx", "optimise", "Planning mobile-service tours")
    from networkx.algorithms import approximation as approx

    trivial = _trivial(times, nodes)
    if trivial is not None:
        return trivial
    g = nx.DiGraph()
    for a in nodes:
        for b in nodes:
            if a != b:
                t = float(times[a, b])
                g.add_edge(int(a), int(b), weight=t if np.isfinite(t) else _BIG)
    cycle = approx.threshold_accepting_tsp(g, "greedy", weight="weight", seed=seed)
    order = tuple(int(n) for n in cycle[:-1])
    return Tour(order, tour_length(times, order), False, "networkx threshold accepting")


def exact_tour(times: np.ndarray, nodes: Sequence[int], solver: Any = None) -> Tour:
    """The shortest closed tour through ``nodes``: an asymmetric-TSP MILP, solved to optimality.

    Variables ``x[a, b]`` (leg a -> b driven) with one leg out of and one into every
    node, and Miller-Tucker-Zemlin positions ``u`` that rule out subtours. Legs
    without a route are left out; if no tour remains the result is ``inf`` minutes.
    """
    from .solver import _pulp, available_solver

    pulp = _pulp()

    trivial = _trivial(times, nodes)
    if trivial is not None:
        return trivial
    nodes = [int(n) for n in nodes]
    n = len(nodes)
    arcs = [(a, b) for a in range(n) for b in range(n)
            if a != b and np.isfinite(times[nodes[a], nodes[b]])]
    prob = pulp.LpProblem("tour", pulp.LpMinimize)
    # variables made by the problem: PuLP >= 3.3.1's add_variable, the only way in PuLP 4
    x = {(a, b): prob.add_variable(f"x_{a}_{b}", cat="Binary") for a, b in arcs}
    u = {a: prob.add_variable(f"u_{a}", lowBound=1, upBound=n - 1) for a in range(1, n)}
    prob += pulp.lpSum(float(times[nodes[a], nodes[b]]) * v for (a, b), v in x.items())
    for a in range(n):
        prob += pulp.lpSum(x[a, b] for b in range(n) if (a, b) in x) == 1, f"out_{a}"
        prob += pulp.lpSum(x[b, a] for b in range(n) if (b, a) in x) == 1, f"in_{a}"
    for (a, b), v in x.items():
        if a and b:
            prob += u[a] - u[b] + (n - 1) * v <= n - 2, f"mtz_{a}_{b}"
    prob.solve(solver or available_solver())
    if prob.status != pulp.LpStatusOptimal:
        return Tour(tuple(nodes), np.inf, prob.status == pulp.LpStatusInfeasible, "MILP (no tour)")
    succ = {a: b for (a, b), v in x.items() if (v.value() or 0) > 0.5}
    order, a = [], 0
    for _ in range(n):
        order.append(nodes[a])
        a = succ[a]
    proven = prob.sol_status == pulp.LpSolutionOptimal
    return Tour(tuple(order), tour_length(times, order), proven, "MILP (Miller-Tucker-Zemlin)")


def rotate(order: Sequence[int], first: int) -> tuple[int, ...]:
    """The same closed tour started at node ``first``."""
    i = list(order).index(first)
    return tuple(order[i:]) + tuple(order[:i])
