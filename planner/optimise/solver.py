"""Solving location-allocation models on cost arrays with spopt + PuLP (HiGHS or CBC)."""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .base import _SOLVER_LABEL, MODELS, OptimisationError


def _pulp() -> Any:
    """PuLP, or a clear error naming the [optimise] extra (the core install has no solver)."""
    from ..lazy import require

    return require("pulp", "optimise", "Location optimisation")


def _spopt() -> Any:
    """spopt, or a clear error naming the [optimise] extra."""
    from ..lazy import require

    return require("spopt", "optimise", "Location optimisation (p-median, p-center, MCLP, LSCP)")


@lru_cache(maxsize=1)
def _available() -> tuple[str, ...]:
    pulp = _pulp()

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
    pulp = _pulp()

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
    _spopt()
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
    _spopt()
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
    _spopt()
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
