"""Location-allocation: which service points to keep and where to add new ones.

The inverse of the scenario workbench: instead of evaluating a hand-made network,
ask an established location-allocation model for one, and get it back as an
ordinary :class:`planner.scenario.Scenario` (closes the existing points not kept,
opens the new ones) that evaluates and compares like any other.

Models (all built with PySAL ``spopt`` and solved through PuLP, HiGHS via
``highspy`` when available, otherwise CBC):

=========== ==========================================================================
``pmedian``  keep ``k`` points minimising the population-weighted travel time
             (``spopt.locate.PMedian``).
``lscp``     the fewest points so that a share of residents is within ``T`` minutes:
             ``spopt.locate.LSCP`` for a share of 100 %, otherwise the smallest ``p``
             whose maximal-covering optimum (``spopt.locate.MCLP``) reaches the share,
             found by bisection on ``p`` (see :func:`solve`).
``mclp``     keep ``k`` points maximising the residents within ``T`` minutes
             (``spopt.locate.MCLP``).
``pcenter``  keep ``k`` points minimising the worst travel time
             (``spopt.locate.PCenter``), ties broken by the population-weighted time.
``add``      add up to ``k`` new points to today's network maximising the residents
             within ``T`` minutes (``MCLP`` with every existing point fixed open).
=========== ==========================================================================

Constraints that spopt's classes do not express are added to the model's
underlying ``pulp`` problem (``model.problem``) before it is solved:

* must-keep points: spopt's own ``predefined_facilities_arr`` (fixes ``y_j = 1``);
* at least one point per municipality / service area, and a Swedish-serving point in
  every bilingual municipality: ``sum(y_j for j in group) >= 1`` per group;
* forbidden assignments (a Finnish speaker to a Swedish-only point when both language
  groups are optimised together, or an unreachable pair): the assignment variable's
  upper bound is set to 0 (p-median, p-center); the coverage models see them as
  uncovered (``inf`` minutes);
* tie-breaks: among equally good covering solutions prefer existing points (a term
  ``eps * sum(y_j, existing j)`` too small to change the primary objective); the
  p-center is solved twice, the second time minimising the weighted travel time with
  the worst time held at its optimum (lexicographic).

Demand rows are the located demand units of the chosen language group, weighted by
its population (``pop_fi``, ``pop_sv``; ``pop_total`` when the need's categories are
the same for both groups, e.g. Kela). Group ``all`` for a need with language-specific
categories stacks a Finnish row and a Swedish row per unit. Unlocated units (no
origin) and units no candidate can reach are excluded and reported.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .categories import CATEGORIES, CATEGORY_CODES, NEEDS, eligible_categories
from .errors import PlannerError
from .scenario import Scenario, parse_scenario
from .study import Study
from .traveltime import xy

__all__ = [
    "MODELS",
    "CANDIDATE_KINDS",
    "DEFAULT_MIN_POSTAL_POP",
    "OptimisationError",
    "Solution",
    "OptimisationResult",
    "available_solver",
    "candidate_sites",
    "demand_rows",
    "cost_matrix",
    "objective_value",
    "solve",
    "optimise_network",
]

MODELS: dict[str, str] = {
    "pmedian": "p-median (minimise the population-weighted travel time)",
    "lscp": "set covering (fewest points so that a share of residents is within T minutes)",
    "mclp": "maximal covering (most residents within T minutes with k points)",
    "pcenter": "p-center (minimise the worst travel time)",
    "add": "add points (most residents within T minutes by adding up to k new points)",
}
CANDIDATE_KINDS = ("existing", "centres", "postal")
DEFAULT_CANDIDATES: dict[str, tuple[str, ...]] = {
    "pmedian": ("existing",), "lscp": ("existing",), "mclp": ("existing",), "pcenter": ("existing",),
    "add": ("existing", "centres", "postal"),
}
DEFAULT_MIN_POSTAL_POP = 5000
"""Postal areas with at least this many residents give a candidate site (about 140 of 390)."""
PER_OPTIONS = ("municipality", "service_area")
_SOLVER_LABEL = {"HiGHS": "HiGHS (highspy) via PuLP", "HiGHS_CMD": "HiGHS (command line) via PuLP",
                 "PULP_CBC_CMD": "CBC via PuLP"}


class OptimisationError(PlannerError, ValueError):
    """An optimisation that cannot be set up or has no solution (infeasible constraints, ...)."""


# --------------------------------------------------------------------------- solver


@lru_cache(maxsize=1)
def _available() -> tuple[str, ...]:
    import pulp

    return tuple(pulp.listSolvers(onlyAvailable=True))


def available_solver(name: str | None = None, time_limit: float | None = None) -> Any:
    """A PuLP solver object: HiGHS through ``highspy`` if installed, else CBC.

    Parameters
    ----------
    name : str, optional
        ``"HiGHS"``, ``"HiGHS_CMD"`` or ``"PULP_CBC_CMD"``; default the first available
        of these.
    time_limit : float, optional
        Seconds per solve; without it the solver runs to proven optimality (relative
        MIP gap 0).

    Returns
    -------
    pulp.LpSolver
    """
    import pulp

    available = _available()
    if name is None:
        name = next((s for s in ("HiGHS", "HiGHS_CMD", "PULP_CBC_CMD") if s in available), None)
        if name is None:
            raise OptimisationError("no MILP solver available: install highspy (pip install highspy)")
    elif name not in available:
        raise OptimisationError(f"solver {name!r} is not available; available: {list(available)}")
    cls = getattr(pulp, name)
    return cls(msg=False, gapRel=0.0, timeLimit=time_limit)


def _tuned(solver: Any, model: str) -> Any:
    """HiGHS without presolve for the p-median.

    spopt builds it with one variable and one opening row per (demand, site) pair;
    HiGHS's presolve removes nothing from that formulation but took 4-70 s of the
    benchmark's solve time on a busy 2-core machine (the solve itself: 3-5 s). The
    p-center, whose LP bound is weak, is faster with presolve, so it keeps it.
    """
    if model != "pmedian" or getattr(solver, "name", "") != "HiGHS":
        return solver
    tuned = copy.copy(solver)
    tuned.optionsDict = {"presolve": "off", **getattr(solver, "optionsDict", {})}
    return tuned


def _solver_name(solver: Any) -> str:
    return _SOLVER_LABEL.get(getattr(solver, "name", ""), getattr(solver, "name", type(solver).__name__))


# --------------------------------------------------------------------------- objective


def _nearest(cost: np.ndarray, selected: np.ndarray) -> np.ndarray:
    if not selected.any():
        return np.full(cost.shape[0], np.inf)
    return cost[:, selected].min(axis=1)


def objective_value(model: str, cost: np.ndarray, weights: np.ndarray, selected: np.ndarray,
                    max_minutes: float | None = None) -> float:
    """The model's objective for a given set of open sites, computed directly on the arrays.

    Parameters
    ----------
    model : str
        One of :data:`MODELS`.
    cost : numpy.ndarray
        (n, m) travel times in minutes; ``inf`` = the row cannot use that site.
    weights : numpy.ndarray
        (n,) residents per row.
    selected : numpy.ndarray
        (m,) bool, the open sites.
    max_minutes : float, optional
        Coverage threshold ``T`` in minutes (``mclp``, ``add``).

    Returns
    -------
    float
        ``pmedian``: residents x minutes to the nearest open site (person-minutes);
        ``pcenter``: the worst nearest time, minutes; ``mclp``/``add``: residents
        within ``max_minutes``; ``lscp``: the number of open sites.

    >>> c = np.array([[1.0, 4.0], [3.0, 2.0]])
    >>> objective_value("pmedian", c, np.array([10, 1]), np.array([True, False]))
    13.0
    >>> objective_value("mclp", c, np.array([10, 1]), np.array([False, True]), max_minutes=2)
    1.0
    """
    cost = np.asarray(cost, float)
    w = np.asarray(weights, float)
    sel = np.asarray(selected, bool)
    if model == "lscp":
        return float(sel.sum())
    near = _nearest(cost, sel)
    if model == "pmedian":
        return float(np.where(w > 0, w * near, 0.0).sum())
    if model == "pcenter":
        return float(near[w > 0].max()) if (w > 0).any() else 0.0
    if model in ("mclp", "add"):
        if max_minutes is None:
            raise ValueError(f"{model} needs max_minutes")
        return float(w[near <= max_minutes].sum())
    raise ValueError(f"unknown model {model!r}: expected one of {list(MODELS)}")


# --------------------------------------------------------------------------- array-level solve


@dataclass(frozen=True)
class Solution:
    """A solved model on arrays.

    Attributes
    ----------
    model : str
    selected : numpy.ndarray
        (m,) bool, the sites open in the solution.
    objective : float
        :func:`objective_value` of ``selected`` (units there).
    status : str
        ``Optimal`` or the solver's word for a weaker result (time limit).
    optimal : bool
    solver : str
    build_s, solve_s : float
        Seconds spent building the PuLP model(s) and in the solver(s).
    solves : int
        Number of MILPs solved (``lscp`` with a share below 1 bisects on ``p``).
    """

    model: str
    selected: np.ndarray
    objective: float
    status: str
    optimal: bool
    solver: str
    build_s: float
    solve_s: float
    solves: int = 1


@dataclass
class _Timer:
    build_s: float = 0.0
    solve_s: float = 0.0
    solves: int = 0
    optimal: bool = True
    status: str = "Optimal"


def _fix_forbidden(spopt_model: Any, allowed: np.ndarray) -> None:
    """Forbid assignments outside ``allowed`` (upper bound 0 on ``z[i, j]``)."""
    z = spopt_model.cli_assgn_vars
    for i, j in zip(*np.nonzero(~allowed), strict=True):
        z[i, j].upBound = 0


def _pcenter_upper_bound(cost: np.ndarray, k: int, forced: np.ndarray, groups: Sequence[np.ndarray],
                         max_passes: int = 100) -> float:
    """A feasible worst time (minutes) from a greedy + 1-swap heuristic; ``inf`` if none found.

    Every optimal p-center solution can assign each row to its nearest open site, whose
    time is at most the optimum <= this bound, so assignment variables with a longer
    time can be fixed to 0 without losing the optimum. On the embedded Kela instance
    (385 rows x 84 sites, k = 8) this keeps 44 % of them and cuts the solve about 3x.
    """
    n, m = cost.shape

    def nearest_of(sel: np.ndarray) -> np.ndarray:
        return cost[:, sel].min(axis=1) if sel.any() else np.full(n, np.inf)

    def best_addition(near: np.ndarray, sel: np.ndarray, allowed: np.ndarray) -> tuple[int, float]:
        cand = np.flatnonzero(allowed & ~sel)
        if not len(cand):
            return -1, np.inf
        vals = np.minimum(near[:, None], cost[:, cand]).max(axis=0)
        b = int(np.argmin(vals))
        return int(cand[b]), float(vals[b])

    sel = forced.copy()
    for g in groups:  # one site per unsatisfied group, the one that helps most
        if not sel[g].any():
            in_g = np.zeros(m, bool)
            in_g[g] = True
            sel[best_addition(nearest_of(sel), sel, in_g)[0]] = True
    if sel.sum() > k:
        return np.inf
    while sel.sum() < k:
        sel[best_addition(nearest_of(sel), sel, np.ones(m, bool))[0]] = True
    best = float(nearest_of(sel).max())
    for _ in range(max_passes):  # best-improvement swaps that keep every group satisfied
        move = None
        for j in np.flatnonzero(sel & ~forced):
            without = sel.copy()
            without[j] = False
            allowed = np.ones(m, bool)
            for g in groups:
                if not without[g].any():  # removing j breaks this group: its replacement must be in it
                    in_g = np.zeros(m, bool)
                    in_g[g] = True
                    allowed &= in_g
            jj, val = best_addition(nearest_of(without), without, allowed & (np.arange(m) != j))
            if jj >= 0 and val < best - 1e-9 and (move is None or val < move[2]):
                move = (j, jj, val)
        if move is None:
            break
        sel[move[0]], sel[move[1]], best = False, True, move[2]
    return best


def _add_groups(spopt_model: Any, groups: Sequence[np.ndarray]) -> None:
    """``sum(y_j for j in group) >= 1`` for every group, on the spopt model's pulp problem."""
    import pulp

    y = spopt_model.fac_vars
    for g, idx in enumerate(groups):
        spopt_model.problem += pulp.lpSum(y[j] for j in idx) >= 1, f"at_least_one_{g}"


def _prefer_existing(spopt_model: Any, existing: np.ndarray | None, sign: float, scale: float) -> None:
    """Add ``sign * eps * sum(y_j, existing j)`` to the objective (a tie-break only).

    ``eps * m < scale`` so it never outweighs one unit of the primary objective.
    """
    import pulp

    if existing is None or not existing.any():
        return
    y = spopt_model.fac_vars
    eps = 0.5 * scale / (len(y) + 1)
    prob = spopt_model.problem
    prob.setObjective(prob.objective + sign * eps * pulp.lpSum(y[j] for j in np.flatnonzero(existing)))


def _run(spopt_model: Any, solver: Any, timer: _Timer, what: str) -> np.ndarray | None:
    """Solve through spopt; selected sites, or None if infeasible."""
    import pulp

    t0 = time.perf_counter()
    try:
        spopt_model.solve(solver, results=False)
    except RuntimeError as exc:
        timer.solve_s += time.perf_counter() - t0
        timer.solves += 1
        if spopt_model.problem.status == pulp.LpStatusInfeasible:
            return None
        raise OptimisationError(f"{what}: the solver did not find a solution ({exc})") from exc
    timer.solve_s += time.perf_counter() - t0
    timer.solves += 1
    if spopt_model.problem.sol_status != pulp.LpSolutionOptimal:
        timer.optimal = False
        timer.status = "Feasible, not proven optimal (time limit)"
    return np.array([(v.value() or 0.0) > 0.5 for v in spopt_model.fac_vars])


def _mclp(cost: np.ndarray, w: np.ndarray, p: int, t: float, forced: np.ndarray | None,
          groups: Sequence[np.ndarray], existing: np.ndarray | None, integral: bool,
          solver: Any, timer: _Timer) -> np.ndarray | None:
    from spopt.locate import MCLP

    t0 = time.perf_counter()
    m = MCLP.from_cost_matrix(cost, w, service_radius=t, p_facilities=p,
                              predefined_facilities_arr=forced, name="mclp")
    _add_groups(m, groups)
    if integral:  # coverage differs by >= 1 resident between non-tied solutions
        _prefer_existing(m, existing, +1.0, 1.0)
    timer.build_s += time.perf_counter() - t0
    return _run(m, solver, timer, "maximal covering")


def solve(model: str, cost: np.ndarray, weights: np.ndarray, *, k: int | None = None,
          max_minutes: float | None = None, share: float = 1.0, forced: np.ndarray | None = None,
          groups: Sequence[np.ndarray] = (), existing: np.ndarray | None = None,
          solver: Any = None) -> Solution:
    """Solve one location-allocation model on a cost matrix with spopt.

    Parameters
    ----------
    model : str
        ``pmedian``, ``lscp``, ``mclp``, ``pcenter`` or ``add``.
    cost : numpy.ndarray
        (n, m) travel times in minutes from demand rows to candidate sites; ``inf``
        where a row cannot use a site (other language, unreachable). Every row must
        have at least one finite entry.
    weights : numpy.ndarray
        (n,) residents per row (> 0).
    k : int, optional
        Number of open sites (``pmedian``, ``mclp``, ``pcenter``); for ``add`` the
        maximum number of *new* sites.
    max_minutes : float, optional
        Coverage threshold ``T`` in minutes (``lscp``, ``mclp``, ``add``).
    share : float
        ``lscp``: required share (0-1] of the total weight within ``T``. At 1 the
        classic LSCP is solved; below 1 the smallest ``p`` whose MCLP optimum reaches
        the share is found by bisection (the optimum of MCLP never decreases with
        ``p``, so bisection is exact), and the MCLP solution at that ``p`` is
        returned, i.e. the fewest sites and, among those, the most residents covered.
    forced : numpy.ndarray, optional
        (m,) bool, sites that must stay open. For ``add`` today's points (``existing``)
        must be among them; forced new sites count towards the ``k`` new ones.
    groups : sequence of numpy.ndarray
        Index arrays of sites of which at least one must be open (per municipality,
        service area, Swedish service in a bilingual municipality).
    existing : numpy.ndarray, optional
        (m,) bool, today's sites: preferred in ties of the covering models; for
        ``add`` the sites that are not new.
    solver : pulp.LpSolver, optional
        Default :func:`available_solver`.

    Returns
    -------
    Solution

    Raises
    ------
    OptimisationError
        Bad parameters or an infeasible model (the message says why when it can).
    """
    from spopt.locate import PCenter, PMedian

    cost = np.asarray(cost, float)
    w = np.asarray(weights, float)
    n, m = cost.shape
    if model not in MODELS:
        raise OptimisationError(f"unknown model {model!r}: expected one of {list(MODELS)}")
    if len(w) != n or (w <= 0).any():
        raise OptimisationError("weights must be positive, one per row of the cost matrix")
    if n == 0 or m == 0:
        raise OptimisationError(f"nothing to optimise ({n} demand rows x {m} candidate sites)")
    if np.isnan(cost).any():
        raise OptimisationError("the cost matrix has NaN (unlocated rows must be excluded first)")
    finite = np.isfinite(cost)
    if not finite.any(axis=1).all():
        raise OptimisationError("some demand rows cannot reach any candidate site")
    forced = np.zeros(m, bool) if forced is None else np.asarray(forced, bool)
    existing_mask = None if existing is None else np.asarray(existing, bool)
    groups = [np.asarray(g, int) for g in groups]
    if any(len(g) == 0 for g in groups):
        raise OptimisationError("an at-least-one constraint has no candidate site")
    forced_arr = forced.astype(int) if forced.any() else None
    n_forced = int(forced.sum())
    solver = _tuned(solver or available_solver(), model)
    timer = _Timer()
    integral = bool(np.all(w == np.round(w)))
    if model in ("lscp", "mclp", "add"):
        if max_minutes is None or not max_minutes > 0:
            raise OptimisationError(f"{model} needs max_minutes T > 0 (--max-minutes), the coverage "
                                    "threshold")
    if model in ("pmedian", "mclp", "pcenter"):
        if k is None or k < 1:
            raise OptimisationError(f"{model} needs k >= 1 (--k), the number of points to keep")
        if k > m:
            raise OptimisationError(f"k = {k} but there are only {m} candidate sites")
        if k < n_forced:
            raise OptimisationError(f"k = {k} is fewer than the {n_forced} points that must stay")

    if model in ("pmedian", "pcenter"):
        safe = np.where(finite, cost, 0.0)
        t0 = time.perf_counter()
        if model == "pmedian":
            sm = PMedian.from_cost_matrix(safe, w, p_facilities=k, predefined_facilities_arr=forced_arr,
                                          name="pmedian")
            allowed = finite
        else:
            sm = PCenter.from_cost_matrix(safe, p_facilities=k, predefined_facilities_arr=forced_arr,
                                          name="pcenter")
            bound = _pcenter_upper_bound(cost, k, forced, groups)
            allowed = finite & (cost <= bound + 1e-9 * max(1.0, bound))
        _fix_forbidden(sm, allowed)
        _add_groups(sm, groups)
        timer.build_s += time.perf_counter() - t0
        sel = _run(sm, solver, timer, MODELS[model])
        if sel is None:
            raise OptimisationError(_infeasible(model, k, n_forced, groups))
        if model == "pcenter":  # phase 2: min weighted time with the worst time held at its optimum
            import pulp

            worst = objective_value("pcenter", cost, w, sel)
            tol = 1e-6 * max(1.0, worst)
            t0 = time.perf_counter()
            sm.problem += sm.weight_var <= worst + tol, "pcenter_worst_time"
            allowed = allowed & (cost <= worst + tol)
            _fix_forbidden(sm, allowed)
            z = sm.cli_assgn_vars
            sm.problem.setObjective(pulp.lpSum(w[i] * cost[i, j] * z[i, j]
                                               for i, j in zip(*np.nonzero(allowed), strict=True)))
            timer.build_s += time.perf_counter() - t0
            sel2 = _run(sm, solver, timer, "p-center tie-break")
            sel = sel if sel2 is None else sel2
    elif model == "mclp":
        sel = _mclp(cost, w, k, max_minutes, forced_arr, groups, existing_mask, integral, solver, timer)
        if sel is None:
            raise OptimisationError(_infeasible(model, k, n_forced, groups))
    elif model == "add":
        if k is None or k < 1:
            raise OptimisationError("add needs k >= 1 (--k), the number of new points at most")
        n_today = int((forced & existing_mask).sum()) if existing_mask is not None else n_forced
        if n_forced - n_today > k:
            raise OptimisationError(f"add: {n_forced - n_today} new points must be kept but k = {k}")
        p = min(m, n_today + k)
        sel = _mclp(cost, w, p, max_minutes, forced_arr, groups, existing_mask, integral, solver, timer)
        if sel is None:
            raise OptimisationError("add: infeasible with these constraints")
        sel = _drop_useless(sel, forced, cost, w, max_minutes, groups)
    else:  # lscp
        sel = _lscp(cost, w, max_minutes, share, forced, forced_arr, groups, existing_mask, integral,
                    solver, timer)
    obj = objective_value(model, cost, w, sel, max_minutes)
    return Solution(model, sel, obj, timer.status, timer.optimal, _solver_name(solver), timer.build_s,
                    timer.solve_s, timer.solves)


def _infeasible(model: str, k: int | None, n_forced: int, groups: Sequence[np.ndarray]) -> str:
    return (f"{MODELS[model]}: infeasible with k = {k} and these constraints ({n_forced} points that must "
            f"stay, {len(groups)} at-least-one groups, each language group needing a point that serves "
            "it); raise k or relax the constraints")


def _groups_ok(sel: np.ndarray, groups: Sequence[np.ndarray]) -> bool:
    return all(sel[g].any() for g in groups)


def _drop_useless(sel: np.ndarray, forced: np.ndarray, cost: np.ndarray, w: np.ndarray, t: float,
                  groups: Sequence[np.ndarray]) -> np.ndarray:
    """Close new sites that add no covered resident ("up to k new points")."""
    sel = sel.copy()
    best = objective_value("mclp", cost, w, sel, t)
    for j in np.flatnonzero(sel & ~forced):
        trial = sel.copy()
        trial[j] = False
        if _groups_ok(trial, groups) and objective_value("mclp", cost, w, trial, t) >= best:
            sel = trial
    return sel


def _lscp(cost: np.ndarray, w: np.ndarray, t: float, share: float, forced: np.ndarray,
          forced_arr: np.ndarray | None, groups: Sequence[np.ndarray], existing: np.ndarray | None,
          integral: bool, solver: Any, timer: _Timer) -> np.ndarray:
    from spopt.locate import LSCP

    if not 0 < share <= 1:
        raise OptimisationError(f"share must be in (0, 1], got {share}")
    m = cost.shape[1]
    coverable = (cost <= t).any(axis=1)
    total = w.sum()
    target = share * total
    if w[coverable].sum() < target - 1e-9 * total:
        raise OptimisationError(
            f"even with all {m} candidate sites only {w[coverable].sum() / total:.2%} of the residents "
            f"are within {t:g} min ({w[~coverable].sum():,.0f} are farther); "
            f"lower the share, raise the time or add candidates")
    if share >= 1:
        t0 = time.perf_counter()
        sm = LSCP.from_cost_matrix(cost, service_radius=t, predefined_facilities_arr=forced_arr,
                                   name="lscp")
        _add_groups(sm, groups)
        _prefer_existing(sm, existing, -1.0, 1.0)
        timer.build_s += time.perf_counter() - t0
        sel = _run(sm, solver, timer, MODELS["lscp"])
        if sel is None:
            raise OptimisationError("set covering: infeasible with these constraints")
        return sel

    def ok(p: int) -> np.ndarray | None:
        sel = _mclp(cost, w, p, t, forced_arr, groups, existing, integral, solver, timer)
        if sel is None or objective_value("mclp", cost, w, sel, t) < target - 1e-9 * total:
            return None
        return sel

    lo, hi = max(1, int(forced.sum())), m
    best = None
    while lo < hi:
        mid = (lo + hi) // 2
        sel = ok(mid)
        if sel is not None:
            hi, best = mid, sel
        else:
            lo = mid + 1
    if best is None or best.sum() != hi:
        best = ok(hi)
    if best is None:  # pragma: no cover - all sites open always reaches the share checked above
        raise OptimisationError("set covering: no solution reaches the share")
    return best


# --------------------------------------------------------------------------- inputs from a study


def _language_groups(need: str, group: str) -> list[tuple[str, frozenset[str]]]:
    """Demand-row groups and their eligible categories: one group, or fi + sv stacked."""
    if need not in NEEDS:
        raise OptimisationError(f"unknown need {need!r}: expected one of {list(NEEDS)}")
    if group in ("fi", "sv"):
        return [(group, eligible_categories(need, group))]
    if group != "all":
        raise OptimisationError(f"unknown group {group!r}: expected fi, sv or all")
    fi, sv = eligible_categories(need, "fi"), eligible_categories(need, "sv")
    return [("all", fi)] if fi == sv else [("fi", fi), ("sv", sv)]


def _new_category(cats: frozenset[str]) -> str:
    """Category a new point gets: the walk-in one when a need accepts several."""
    return next((c for c in sorted(cats) if c.endswith("_walkin")), sorted(cats)[0])


def demand_rows(study: Study, need: str, group: str) -> tuple[pd.DataFrame, dict[str, float]]:
    """Located demand units of the language group(s), weighted by their population.

    Returns
    -------
    rows : pandas.DataFrame
        ``unit_pos`` (row position in ``study.units``), ``unit_id``, ``group`` (fi, sv
        or all), ``municipality_code``, ``service_area``, ``weight`` (residents).
    excluded : dict
        ``pop_unlocated`` and ``units_unlocated``: residents and units without a
        location, left out of the optimisation.
    """
    units = study.units
    located = units["located"].to_numpy(dtype=bool)
    frames = []
    excluded = {"pop_unlocated": 0.0, "units_unlocated": int((~located).sum())}
    for g, _cats in _language_groups(need, group):
        col = "pop_total" if g == "all" else f"pop_{g}"
        pop = units[col].to_numpy(dtype=float)
        excluded["pop_unlocated"] += float(pop[~located].sum())
        keep = located & (pop > 0)
        frames.append(pd.DataFrame({
            "unit_pos": np.flatnonzero(keep), "unit_id": units["unit_id"].to_numpy()[keep], "group": g,
            "municipality_code": units["municipality_code"].to_numpy()[keep],
            "service_area": units["service_area"].to_numpy()[keep], "weight": pop[keep],
        }))
    return pd.concat(frames, ignore_index=True), excluded


def _existing_sites(study: Study, cats: frozenset[str]) -> gpd.GeoDataFrame:
    pts = study.points[study.points["category"].isin(sorted(cats))]
    out = gpd.GeoDataFrame({
        "id": pts["id"].to_numpy(), "name": pts["name"].to_numpy(), "category": pts["category"].to_numpy(),
        "municipality_code": pts["municipality_code"].to_numpy(), "kind": "existing", "existing": True,
        "site": pts["id"].to_numpy(),
    }, geometry=pts.geometry.to_numpy(), crs=study.points.crs)
    return out


def _postal_points(study: Study) -> pd.DataFrame:
    units = study.units
    if len(units) and "unit_type" in units and (units["unit_type"] == "postal_area").all():
        ok = units["located"].to_numpy(dtype=bool)
        return pd.DataFrame({"code": units["unit_id"].to_numpy()[ok], "label": units["name"].to_numpy()[ok],
                             "municipality_code": units["municipality_code"].to_numpy()[ok],
                             "population": units["pop_total"].to_numpy()[ok],
                             "x": units["x_m"].to_numpy()[ok], "y": units["y_m"].to_numpy()[ok]})
    from .data import load_postal_areas

    postal = load_postal_areas(settings=study.settings)
    rep = postal.geometry.representative_point()
    return pd.DataFrame({"code": postal["postal_code"].to_numpy(),
                         "label": postal["postal_code"].to_numpy(),
                         "municipality_code": postal["municipality_code"].to_numpy(),
                         "population": postal["population"].to_numpy(), "x": rep.x.to_numpy(),
                         "y": rep.y.to_numpy()})


def candidate_sites(study: Study, need: str, group: str = "all",
                    kinds: Iterable[str] = ("existing",),
                    min_postal_pop: int = DEFAULT_MIN_POSTAL_POP) -> gpd.GeoDataFrame:
    """Candidate sites for a need and language group.

    Parameters
    ----------
    study : Study
    need, group : str
        The need (:data:`planner.categories.NEEDS`) and language group (fi, sv, all).
    kinds : iterable of str
        ``existing`` (today's points eligible for the need and group), ``centres``
        (the municipal centres) and ``postal`` (a representative point inside every
        postal area with at least ``min_postal_pop`` residents).
    min_postal_pop : int
        Residents, threshold for postal-area candidates.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:3067 points with ``id, name, category, municipality_code, service_area,
        kind`` (existing | centre | postal), ``existing`` (bool), ``site`` (point id,
        ``centre_<code>`` or ``postal_<code>``), ``lon, lat`` (WGS84 degrees). A new
        site gets one candidate per language category when both groups are optimised
        together. Postal-area points lying farther outside their (generalised)
        municipality than the scenario format accepts are left out.
    """
    kinds = tuple(kinds)
    unknown = set(kinds) - set(CANDIDATE_KINDS)
    if unknown:
        raise OptimisationError(f"unknown candidate kind(s) {sorted(unknown)}: expected "
                                f"{list(CANDIDATE_KINDS)}")
    lgroups = _language_groups(need, group)
    all_cats = frozenset().union(*(c for _, c in lgroups))
    frames = []
    if "existing" in kinds:
        frames.append(_existing_sites(study, all_cats))
    names = study.municipalities.set_index("municipality_code")["name_fi"]
    new_cats = sorted({_new_category(c) for _, c in lgroups})
    crs = study.settings.crs
    if "centres" in kinds:
        c = study.centres
        for cat in new_cats:
            label = CATEGORIES[cat].label_en
            codes = c["municipality_code"].to_numpy()
            frames.append(gpd.GeoDataFrame({
                "id": [f"opt_{cat}_centre_{code}" for code in codes],
                "name": [f"{label} (proposed), {names.get(code, code)} centre" for code in codes],
                "category": cat, "municipality_code": codes, "kind": "centre", "existing": False,
                "site": [f"centre_{code}" for code in codes],
            }, geometry=c.geometry.to_numpy(), crs=c.crs))
    if "postal" in kinds:
        pp = _postal_points(study)
        pp = pp[pp["population"] >= min_postal_pop]
        borders = study.borders.set_index("municipality_code").geometry
        geoms = gpd.points_from_xy(pp["x"], pp["y"], crs=crs)
        ok = np.array([code in borders.index and borders[code].distance(g)
                       <= study.settings.boundary_tolerance_m
                       for code, g in zip(pp["municipality_code"], geoms, strict=True)], dtype=bool)
        pp, geoms = pp[ok], geoms[ok]
        for cat in new_cats:
            label = CATEGORIES[cat].label_en
            frames.append(gpd.GeoDataFrame({
                "id": [f"opt_{cat}_postal_{code}" for code in pp["code"]],
                "name": [f"{label} (proposed), postal area {lab}" for lab in pp["label"]],
                "category": cat, "municipality_code": pp["municipality_code"].to_numpy(), "kind": "postal",
                "existing": False, "site": [f"postal_{code}" for code in pp["code"]],
            }, geometry=geoms, crs=crs))
    cols = ["id", "name", "category", "municipality_code", "kind", "existing", "site"]
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in cols + ["service_area", "lon", "lat"]},
                                geometry=[], crs=crs)
    sites = gpd.GeoDataFrame(pd.concat([f.to_crs(crs) for f in frames], ignore_index=True),
                             geometry="geometry", crs=crs)
    sites["existing"] = sites["existing"].astype(bool)
    areas = study.service_areas.set_index("municipality_code")["service_area"]
    sites["service_area"] = sites["municipality_code"].map(areas).fillna("")
    wgs = sites.geometry.to_crs(study.settings.web_crs)
    sites["lon"], sites["lat"] = wgs.x.round(6), wgs.y.round(6)
    clash = set(sites.loc[~sites["existing"], "id"]) & set(study.points["id"])
    if clash:
        raise OptimisationError(f"candidate ids clash with existing point ids: {sorted(clash)}")
    return sites.drop_duplicates("id").reset_index(drop=True)


def cost_matrix(study: Study, rows: pd.DataFrame, sites: gpd.GeoDataFrame, need: str) -> np.ndarray:
    """Travel times (minutes) from demand rows to candidate sites.

    Existing points reuse the study's matrix (``study.ttm``); only new sites are
    computed with ``study.model.times``. A site whose category does not serve the
    row's language group for ``need`` gets ``inf``, as does an unreachable pair.

    Returns
    -------
    numpy.ndarray
        (len(rows), len(sites)) minutes.
    """
    upos = rows["unit_pos"].to_numpy()
    uniq, inv = np.unique(upos, return_inverse=True)
    base = np.full((len(uniq), len(sites)), np.inf)
    ex = sites["existing"].to_numpy(dtype=bool)
    if ex.any():
        base[:, ex] = study.ttm.columns(sites.loc[ex, "id"].tolist())[uniq]
    if (~ex).any() and len(uniq):
        base[:, ~ex] = study.model.times(xy(study.units)[uniq], xy(sites[~ex]))
    cost = base[inv]
    cost = np.where(np.isnan(cost), np.inf, cost)
    cats = sites["category"].to_numpy()
    for g in rows["group"].unique():
        g_cats = eligible_categories(need, "fi" if g == "all" else g)
        bad = ~np.isin(cats, sorted(g_cats))
        r = (rows["group"] == g).to_numpy()
        cost[np.ix_(r, bad)] = np.inf
    return cost


# --------------------------------------------------------------------------- high level


@dataclass(frozen=True)
class OptimisationResult:
    """An optimised network, as a scenario plus a report.

    Attributes
    ----------
    model, need, group : str
    params : dict
        The inputs (k, max_minutes, share, constraints, candidates, ...).
    sites : geopandas.GeoDataFrame
        Every candidate site and every existing point of the need with ``selected``
        and ``change`` (kept | closed | opened | not selected), ``pop_served``
        (residents whose nearest open site it is) and ``pop_served_today`` (existing
        points only).
    solution : Solution
    objective : float
        :func:`objective_value` of the result (units in ``objective_label``).
    objective_label : str
    metrics : pandas.DataFrame
        today vs optimised: points, mean / worst travel time (min), residents within T.
    excluded : dict
        Residents left out: ``pop_unlocated``, ``pop_unreachable``.
    notes : tuple of str
        Constraints that could not apply, and similar.
    scenario : Scenario
    report : str
        Markdown.
    """

    model: str
    need: str
    group: str
    params: dict[str, Any]
    sites: gpd.GeoDataFrame
    solution: Solution
    objective: float
    objective_label: str
    metrics: pd.DataFrame
    excluded: dict[str, float]
    notes: tuple[str, ...]
    scenario: Scenario
    report: str
    rows: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    @property
    def status(self) -> str:
        return self.solution.status

    @property
    def solve_s(self) -> float:
        return self.solution.solve_s

    def ids(self, change: str) -> list[str]:
        """Ids of the sites with ``change`` (kept, closed, opened)."""
        return self.sites.loc[self.sites["change"] == change, "id"].tolist()


def _constraint_groups(study: Study, rows: pd.DataFrame, sites: gpd.GeoDataFrame, need: str, group: str,
                       per: str | None, swedish: bool) -> tuple[list[np.ndarray], list[str], list[str]]:
    groups: list[np.ndarray] = []
    labels: list[str] = []
    notes: list[str] = []
    names = study.municipalities.set_index("municipality_code")["name_fi"]
    if per is not None:
        if per not in PER_OPTIONS:
            raise OptimisationError(f"unknown --per {per!r}: expected one of {list(PER_OPTIONS)}")
        col = "municipality_code" if per == "municipality" else "service_area"
        values = sorted(rows[col].unique())
        missing = []
        for v in values:
            idx = np.flatnonzero(sites[col].to_numpy() == v)
            if len(idx):
                groups.append(idx)
            else:
                missing.append(str(names.get(v, v)) if per == "municipality" else str(v))
        labels.append(f"at least one point per {per.replace('_', ' ')} ({len(values) - len(missing)} groups)")
        if missing:
            notes.append(f"no candidate site in {len(missing)} {per.replace('_', ' ')}(s), so the "
                         f"at-least-one constraint could not apply there: {', '.join(missing)} "
                         "(add --candidates centres)")
    if swedish:
        sv_cats = eligible_categories(need, "sv")
        lgroups = _language_groups(need, group)
        if not any(c & sv_cats for _, c in lgroups):
            raise OptimisationError(f"--swedish-coverage needs Swedish-serving candidates: for {need} use "
                                    "--group sv or --group all")
        serves_sv = sites["category"].isin(sorted(sv_cats)).to_numpy()
        bilingual = study.municipalities.loc[study.municipalities["bilingual"].astype(bool),
                                             "municipality_code"]
        missing = []
        n = 0
        for code in sorted(bilingual):
            idx = np.flatnonzero(serves_sv & (sites["municipality_code"].to_numpy() == code))
            if len(idx):
                groups.append(idx)
                n += 1
            else:
                missing.append(str(names.get(code, code)))
        labels.append(f"a Swedish-serving point in every bilingual municipality ({n} municipalities)")
        if missing:
            notes.append(f"no Swedish-serving candidate in {len(missing)} bilingual municipality(ies), so "
                         f"the Swedish-coverage constraint could not apply there: {', '.join(missing)} "
                         "(add --candidates centres)")
    return groups, labels, notes


def _forced(sites: gpd.GeoDataFrame, study: Study, keep: Sequence[str], keep_categories: Sequence[str],
            model: str, cats: frozenset[str]) -> tuple[np.ndarray, list[str]]:
    forced = np.zeros(len(sites), bool)
    notes = []
    ids = sites["id"].to_numpy()
    unknown_cats = set(keep_categories) - set(CATEGORY_CODES)
    if unknown_cats:
        raise OptimisationError(f"unknown category {sorted(unknown_cats)}: expected one of "
                                f"{list(CATEGORY_CODES)}")
    category = dict(zip(study.points["id"], study.points["category"], strict=True))
    for pid in keep:
        hit = ids == pid
        if hit.any():
            forced |= hit
        elif category.get(pid) in cats:
            raise OptimisationError(f"--keep {pid}: the point is not among the candidates; add existing to "
                                    "--candidates")
        elif pid in category:
            notes.append(f"--keep {pid}: the point does not serve this need and group, so it is not part of "
                         "the optimisation and stays open anyway")
        else:
            hint = [i for i in ids if pid.lower() in str(i).lower()][:3]
            raise OptimisationError(f"--keep: unknown point id {pid!r}"
                                    + (f" (did you mean {hint}?)" if hint else ""))
    for cat in keep_categories:
        hit = sites["existing"].to_numpy(dtype=bool) & (sites["category"].to_numpy() == cat)
        if not hit.any():
            notes.append(f"--keep-category {cat}: no existing candidate of that category")
        forced |= hit
    if model == "add":
        forced |= sites["existing"].to_numpy(dtype=bool)
    return forced, notes


def _metrics(cost: np.ndarray, w: np.ndarray, sel: np.ndarray, t: float) -> dict[str, float]:
    near = _nearest(cost, sel)
    total = w.sum()
    return {
        "points": float(sel.sum()),
        "mean_min": float((w * near).sum() / total) if sel.any() else np.inf,
        "max_min": float(near.max()) if len(near) else np.nan,
        "pop_within_T": float(w[near <= t].sum()),
        "share_within_T": float(w[near <= t].sum() / total) if total else np.nan,
        "pop_no_point": float(w[~np.isfinite(near)].sum()),
    }


def _served(cost: np.ndarray, w: np.ndarray, sel: np.ndarray) -> np.ndarray:
    out = np.zeros(cost.shape[1])
    if not sel.any():
        return out
    cols = np.flatnonzero(sel)
    sub = cost[:, cols]
    j = np.argmin(sub, axis=1)
    ok = np.isfinite(sub[np.arange(len(sub)), j])
    np.add.at(out, cols[j[ok]], w[ok])
    return out


def _objective_label(model: str, obj: float, total: float, t: float | None, share: float) -> str:
    if model == "pmedian":
        return (f"{obj / total:.2f} min population-weighted mean travel time "
                f"({obj:,.0f} resident-minutes)")
    if model == "pcenter":
        return f"{obj:.2f} min worst travel time"
    if model in ("mclp", "add"):
        return f"{obj:,.0f} residents within {t:g} min ({obj / total:.1%})"
    return f"{obj:.0f} points reach {share:.0%} of residents within {t:g} min"


def _question(model: str, k: int | None, t: float | None, share: float) -> str:
    if model == "pmedian":
        return f"Keep {k} points minimising the population-weighted travel time."
    if model == "pcenter":
        return f"Keep {k} points minimising the worst travel time (ties: the weighted travel time)."
    if model == "mclp":
        return f"Keep {k} points maximising the residents within {t:g} min."
    if model == "add":
        return f"Add up to {k} new points to today's network maximising the residents within {t:g} min."
    return f"The fewest points so that {share:.0%} of residents are within {t:g} min."


def optimise_network(study: Study, model: str = "pmedian", need: str = "kela", group: str = "all",
                     k: int | None = None, max_minutes: float | None = None, share: float = 0.95,
                     keep: Sequence[str] = (), keep_categories: Sequence[str] = (),
                     per: str | None = None, swedish_coverage: bool = False,
                     candidates: Iterable[str] | None = None,
                     min_postal_pop: int = DEFAULT_MIN_POSTAL_POP, solver: str | None = None,
                     time_limit: float | None = None, name: str | None = None,
                     base: Mapping[str, Any] | None = None) -> OptimisationResult:
    """Optimise the service network for one need and language group; the answer as a scenario.

    Parameters
    ----------
    study : Study
        Inputs and travel-time model (straight-line or network); nothing is recomputed
        for existing points.
    model : str
        ``pmedian``, ``lscp``, ``mclp``, ``pcenter`` or ``add`` (see :data:`MODELS`).
    need : str
        A need code (kela, social_walkin, social_any, english).
    group : str
        ``fi``, ``sv`` or ``all`` (both groups; weights ``pop_total``, or stacked fi
        and sv rows when the need's categories differ by language).
    k : int, optional
        Points to keep (pmedian, mclp, pcenter) or new points to add at most (add).
    max_minutes : float, optional
        Coverage threshold T in minutes (lscp, mclp, add).
    share : float
        lscp: share (0-1] of residents that must be within T.
    keep : sequence of str
        Ids that must stay open (existing points or candidate ids).
    keep_categories : sequence of str
        Categories whose existing candidate points must all stay open (e.g. ``kela``).
    per : str, optional
        ``municipality`` or ``service_area``: at least one open point in each.
    swedish_coverage : bool
        At least one Swedish-serving open point in every bilingual municipality.
    candidates : iterable of str, optional
        Candidate kinds (``existing``, ``centres``, ``postal``); default ``existing``,
        for ``add`` all three.
    min_postal_pop : int
        Residents, threshold for postal-area candidates.
    solver : str, optional
        PuLP solver name (default HiGHS, else CBC).
    time_limit : float, optional
        Seconds per MILP; the status then says if optimality was not proven.
    name : str, optional
        Scenario name.
    base : mapping, optional
        The scenario's ``base`` (default: the study's demand and mode).

    Returns
    -------
    OptimisationResult
        ``.scenario`` (a normal scenario: closes the eligible points not kept, opens
        the new ones), ``.report`` (markdown), ``.sites``, ``.objective``, ``.status``.
    """
    if model not in MODELS:
        raise OptimisationError(f"unknown model {model!r}: expected one of {list(MODELS)}")
    kinds = tuple(DEFAULT_CANDIDATES[model] if candidates is None else candidates)
    if model == "add" and "existing" not in kinds:
        kinds = ("existing", *kinds)
    if model == "add" and len(kinds) == 1:
        raise OptimisationError("add needs new candidate sites: --candidates existing,centres,postal")
    lgroups = _language_groups(need, group)
    all_cats = frozenset().union(*(c for _, c in lgroups))
    rows, excluded = demand_rows(study, need, group)
    sites = candidate_sites(study, need, group, kinds, min_postal_pop)
    if not len(sites):
        raise OptimisationError(f"no candidate sites for {need} ({group}) with candidates {list(kinds)}")
    today = _existing_sites(study, all_cats)
    cost = cost_matrix(study, rows, sites, need)
    reach = np.isfinite(cost).any(axis=1)
    excluded["pop_unreachable"] = float(rows.loc[~reach, "weight"].sum())
    rows, cost = rows[reach].reset_index(drop=True), cost[reach]
    w = rows["weight"].to_numpy(dtype=float)
    today_cost = cost_matrix(study, rows, today, need)
    forced, notes = _forced(sites, study, keep, keep_categories, model, all_cats)
    groups, labels, more = _constraint_groups(study, rows, sites, need, group, per, swedish_coverage)
    notes += more
    if excluded["pop_unreachable"]:
        notes.append(f"{excluded['pop_unreachable']:,.0f} residents cannot reach any candidate site and are "
                     "left out")
    existing = sites["existing"].to_numpy(dtype=bool)
    sol = solve(model, cost, w, k=k, max_minutes=max_minutes, share=share, forced=forced, groups=groups,
                existing=existing, solver=available_solver(solver, time_limit))
    sel = sol.selected

    # what changed against today's network
    out = sites.copy()
    out["selected"] = sel
    out["change"] = np.where(existing, np.where(sel, "kept", "closed"),
                             np.where(sel, "opened", "not selected"))
    out["pop_served"] = _served(cost, w, sel)
    missing_today = today[~today["id"].isin(out["id"])].copy()  # existing points not among candidates
    if len(missing_today):
        missing_today["service_area"] = missing_today["municipality_code"].map(
            study.service_areas.set_index("municipality_code")["service_area"]).fillna("")
        wgs = missing_today.geometry.to_crs(study.settings.web_crs)
        missing_today["lon"], missing_today["lat"] = wgs.x.round(6), wgs.y.round(6)
        missing_today["selected"] = False
        missing_today["change"] = "closed"
        missing_today["pop_served"] = 0.0
        out = gpd.GeoDataFrame(pd.concat([out, missing_today], ignore_index=True), geometry="geometry",
                               crs=sites.crs)
    today_served = dict(zip(today["id"], _served(today_cost, w, np.ones(len(today), bool)), strict=True))
    out["pop_served_today"] = out["id"].map(today_served)

    t_report = max_minutes if max_minutes is not None else 30.0
    metrics = pd.DataFrame({
        "today": _metrics(today_cost, w, np.ones(len(today), bool), t_report),
        "optimised": _metrics(cost, w, sel, t_report),
    })
    total = float(w.sum())
    label = _objective_label(model, sol.objective, total, max_minutes, share)
    params = {"k": k, "max_minutes": max_minutes, "share": share if model == "lscp" else None,
              "keep": list(keep), "keep_categories": list(keep_categories), "per": per,
              "swedish_coverage": swedish_coverage, "candidates": list(kinds),
              "min_postal_pop": min_postal_pop if "postal" in kinds else None, "time_limit_s": time_limit}
    scenario = _scenario(study, out, model, need, group, k, max_minutes, share, label, sol, name, base)
    constraint_text = []
    if forced.any():
        fid = sites.loc[forced, "id"].tolist()
        more_ids = ", ..." if len(fid) > 8 else ""
        constraint_text.append(f"must keep {len(fid)} ({', '.join(fid[:8])}{more_ids})")
    constraint_text += labels
    report = _report(study, out, rows, sites, metrics, sol, model, need, group, k, max_minutes, share,
                     label, excluded, constraint_text, notes, t_report)
    return OptimisationResult(model, need, group, params, out, sol, sol.objective, label, metrics, excluded,
                              tuple(notes), scenario, report, rows)


def _demand_kind(study: Study) -> str:
    types = set(study.units.get("unit_type", pd.Series(["postal_area"])).unique())
    return "grid" if types == {"grid_cell"} else "postal"


def _scenario(study: Study, out: gpd.GeoDataFrame, model: str, need: str, group: str, k: int | None,
              t: float | None, share: float, label: str, sol: Solution, name: str | None,
              base: Mapping[str, Any] | None) -> Scenario:
    closed = out.loc[out["change"] == "closed", "id"].tolist()
    changes: list[dict[str, Any]] = []
    if closed:
        changes.append({"close": closed})
    for r in out[out["change"] == "opened"].itertuples():
        arg: dict[str, Any] = {"id": r.id, "name": r.name, "category": r.category}
        if r.kind == "centre":
            arg["at_centre"] = r.municipality_code
        else:
            arg.update(municipality_code=r.municipality_code, lon=float(r.lon), lat=float(r.lat))
        changes.append({"open": arg})
    model_short = {"pmedian": "p-median", "lscp": "set covering", "mclp": "maximal covering",
                   "pcenter": "p-center", "add": "add points"}[model]
    size = f"k={k}" if model != "lscp" else f"{share:.0%} within {t:g} min"
    if model in ("mclp", "add"):
        size += f", T={t:g} min"
    desc = (f"{_question(model, k, t, share)} Need {need}, group {group}. Objective: {label}. "
            f"Solver: {sol.solver}, status {sol.status}, {sol.solve_s:.1f} s. Generated by planner optimise.")
    obj = {"name": name or f"Optimised {need} ({group}): {model_short}, {size}", "description": desc,
           "base": dict(base) if base is not None else {"demand": _demand_kind(study),
                                                        "mode": study.provenance.get("mode", "drive")},
           "changes": changes}
    return parse_scenario(obj, source="<optimise>")


def _fmt(v: float, kind: str) -> str:
    """``count`` (thousands separator), ``min`` (one decimal) or ``share`` (percent)."""
    if not np.isfinite(v):
        return "n/a"
    return {"count": f"{v:,.0f}", "min": f"{v:.1f}", "share": f"{v:.1%}"}[kind]


def _report(study: Study, out: gpd.GeoDataFrame, rows: pd.DataFrame, sites: gpd.GeoDataFrame,
            metrics: pd.DataFrame, sol: Solution, model: str, need: str, group: str, k: int | None,
            t: float | None, share: float, label: str, excluded: dict[str, float], constraints: list[str],
            notes: list[str], t_report: float) -> str:
    prov = study.provenance
    kinds = sites["kind"].value_counts()
    lines = [
        f"## Optimised network: {MODELS[model].split(' (')[0]} - {NEEDS[need].label_en}, group {group}",
        "",
        f"Question: {_question(model, k, t, share)}",
        f"Travel times: {prov.get('model', '?')} ({prov.get('mode', '?')}); demand: "
        f"{rows['unit_id'].nunique()} units, {rows['weight'].sum():,.0f} residents optimised "
        f"(left out: {excluded['pop_unlocated']:,.0f} unlocated, {excluded.get('pop_unreachable', 0):,.0f} "
        "unreachable).",
        f"Candidates: {len(sites)} ({kinds.get('existing', 0)} existing, {kinds.get('centre', 0)} municipal "
        f"centres, {kinds.get('postal', 0)} postal-area points).",
        f"Constraints: {'; '.join(constraints) if constraints else 'none'}.",
        f"Solver: {sol.solver}; status {sol.status}; solve {sol.solve_s:.2f} s, model build "
        f"{sol.build_s:.2f} s, {sol.solves} MILP(s).",
        f"Objective: {label}.",
        "",
        "| | today | optimised |",
        "|---|---:|---:|",
    ]
    rows_m = [("points", "points", "count"), ("mean travel time, min", "mean_min", "min"),
              ("worst travel time, min", "max_min", "min"),
              (f"residents within {t_report:g} min", "pop_within_T", "count"),
              (f"share within {t_report:g} min", "share_within_T", "share"),
              ("residents without a point serving them", "pop_no_point", "count")]
    for text, key, kind in rows_m:
        lines.append(f"| {text} | {_fmt(metrics.loc[key, 'today'], kind)} | "
                     f"{_fmt(metrics.loc[key, 'optimised'], kind)} |")
    lines.append("")
    names = study.municipalities.set_index("municipality_code")["name_fi"]
    for change in ("kept", "closed", "opened"):
        sub = out[out["change"] == change]
        lines.append(f"{change.capitalize()} ({len(sub)}):")
        for r in sub.itertuples():
            served = {"kept": f"serves {r.pop_served:,.0f} (today {r.pop_served_today:,.0f})",
                      "closed": f"served {r.pop_served_today:,.0f} today",
                      "opened": f"serves {r.pop_served:,.0f}"}[change]
            lines.append(f"- {r.id}: {r.name} ({names.get(r.municipality_code, r.municipality_code)}), "
                         f"{served}")
        lines.append("")
    if notes:
        lines.append("Notes:")
        lines += [f"- {n}" for n in notes]
        lines.append("")
    return "\n".join(lines)
