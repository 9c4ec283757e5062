"""Placing the stops of a mobile service unit (issue 14): most residents newly covered, tour <= M.

Problem: choose exactly ``k`` stops among candidate sites to cover the most weighted
residents who are *not* already within ``T`` minutes of a fixed point of their need
and language, such that the unit's closed driving tour through the stops (and the
depot, if given) takes at most ``M`` minutes of driving.

Method (see docs/optimise.md):

1. A greedy start: add the stop with the largest extra coverage whose tour (networkx)
   stays within ``M``; its coverage is a lower bound ``LB``.
2. Maximal covering as a MILP (PuLP, HiGHS or CBC): ``max sum w_i z_i`` with
   ``z_i <= sum_{j covers i} y_j``, ``sum y_j = k``. Its optimum is an upper bound.
   If it is not above ``LB``, the greedy set is optimal. Otherwise the chosen set's tour
   is checked (:mod:`planner.optimise.tour`): within ``M`` -> optimal; too long -> a
   no-good cut ``sum_{j in S} y_j <= k - 1`` removes exactly that set, and repeat.
3. A set is proven too long only by the exact tour MILP (tours through at most
   ``settings.mobile_exact_tour_max`` places); a longer tour rejected by the heuristic
   alone, or the iteration / time limit, leaves the answer feasible but not proven optimal.

:func:`solve_mobile` works on arrays (hand-made instances, tests); :func:`optimise_mobile`
builds them from a study and returns the stops, tour, report and the scenario mapping in
the agreed ``mobile`` change format (``mobile_schema``), ready for :func:`mobile_yaml`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np

from ..analysis.study import Study
from ..inputs.categories import NEEDS
from ..numbers import counted
from ..settings import DEFAULT_SETTINGS, Settings
from ..traveltime import xy
from .base import DEFAULT_MIN_POSTAL_POP, OptimisationError
from .inputs import (
    _existing_sites,
    _language_groups,
    _new_category,
    candidate_sites,
    cost_matrix,
    demand_rows,
)
from .run import _demand_kind
from .solver import _solver_name, available_solver
from .tour import Tour, exact_tour, heuristic_tour, rotate

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_MOBILE_CANDIDATES = ("centres", "postal")
_TOL = 1e-9


@dataclass(frozen=True)
class MobileSolution:
    """The answer on arrays.

    Attributes
    ----------
    stops : tuple of int
        Chosen candidate columns in tour order (the depot, if any, not among them; the
        tour starts at the depot, else at the lowest chosen column).
    tour : Tour
        Over the places matrix (candidate columns ``0..m-1``, the depot at ``m``).
    covered : float
        Weighted residents not served today and within ``T`` of a chosen stop.
    bound : float
        The best coverage any feasible set could have, as far as proven.
    optimal : bool
        True when ``covered == bound`` is proven (every better set's tour was shown too long).
    status : str
    iterations : int
        Maximal-covering MILPs solved.
    tours_checked : int
    solve_s : float
    solver : str
    """

    stops: tuple[int, ...]
    tour: Tour
    covered: float
    bound: float
    optimal: bool
    status: str
    iterations: int
    tours_checked: int
    solve_s: float
    solver: str


def _check_args(cost: np.ndarray, weights: np.ndarray, today_min: np.ndarray, places: np.ndarray, k: int,
                max_route_min: float, threshold: float, depot: bool) -> None:
    n, m = cost.shape
    if k < 1:
        raise OptimisationError(f"--stops must be at least 1, got {k}")
    if not max_route_min > 0:
        raise OptimisationError(f"--max-route-min must be > 0 minutes, got {max_route_min}")
    if not threshold > 0:
        raise OptimisationError(f"--threshold must be > 0 minutes, got {threshold}")
    if m == 0:
        raise OptimisationError("no candidate sites for the stops")
    if k > m:
        raise OptimisationError(f"--stops {k} but there are only {m} candidate sites")
    if len(weights) != n or len(today_min) != n:
        raise OptimisationError("weights and today's times need one value per demand row")
    size = m + 1 if depot else m
    if places.shape != (size, size):
        raise OptimisationError(f"the driving-time matrix must be {size} x {size} (candidates"
                                f"{' + depot' if depot else ''}), got {places.shape}")


def _coverage(cover: np.ndarray, w: np.ndarray, cols: Sequence[int]) -> float:
    return float(w[cover[:, list(cols)].any(axis=1)].sum()) if len(cols) else 0.0


class _Tours:
    """Tour checks with a cache: heuristic first, the exact MILP only when needed."""

    def __init__(self, places: np.ndarray, depot: int | None, limit: float, exact_max: int,
                 solver: Any) -> None:
        self.places, self.depot, self.limit = places, depot, limit
        self.exact_max, self.solver = exact_max, solver
        self.cache: dict[frozenset[int], tuple[bool, bool, Tour]] = {}
        self.checked = 0

    def nodes(self, cols: Iterable[int]) -> list[int]:
        return sorted(int(c) for c in cols) + ([] if self.depot is None else [self.depot])

    def check(self, cols: Iterable[int], exact: bool = True) -> tuple[bool, bool, Tour]:
        """(feasible, proven, tour): ``proven`` says the verdict is certain."""
        key = frozenset(int(c) for c in cols)
        hit = self.cache.get(key)
        if hit is not None and (hit[1] or not exact):
            return hit
        self.checked += 1
        nodes = self.nodes(key)
        tour = heuristic_tour(self.places, nodes)
        ok = tour.minutes <= self.limit + _TOL
        proven = ok or tour.exact
        if not proven and exact and len(nodes) <= self.exact_max:
            tour = exact_tour(self.places, nodes, self.solver)
            ok, proven = tour.minutes <= self.limit + _TOL, tour.exact
        self.cache[key] = (ok, proven, tour)
        return ok, proven, tour

    def best(self, cols: Iterable[int]) -> Tour:
        """The reported tour: the exact shortest when small enough, else the heuristic's."""
        nodes = self.nodes(cols)
        tour = self.check(cols)[2]
        if not tour.exact and len(nodes) <= self.exact_max:
            tour = exact_tour(self.places, nodes, self.solver)
        first = self.depot if self.depot is not None else min(int(c) for c in cols)
        return Tour(rotate(tour.order, first), tour.minutes, tour.exact, tour.method)


def triangle_inequality(places: np.ndarray, tol: float = 1e-6) -> bool:
    """True when no leg a -> c is longer than a detour a -> b -> c (shortest-route times are so).

    Then skipping a place never lengthens a tour, so a set containing a too-long subset
    is too long as well, and a cut can name the subset alone.
    """
    p = np.asarray(places, float)
    return all(bool((p <= p[:, [b]] + p[[b], :] + tol).all()) for b in range(len(p)))


def _shrink(chosen: Sequence[int], tours: _Tours) -> list[int]:
    """A smaller subset of a too-long set whose tour is proven too long (valid under the triangle
    inequality): drop stops one at a time while the rest still cannot be toured within the limit."""
    cut = list(chosen)
    for j in sorted(chosen, reverse=True):
        rest = [c for c in cut if c != j]
        if not rest:
            break
        ok, proven, _ = tours.check(rest)
        if not ok and proven:
            cut = rest
    return cut


def _greedy(cover: np.ndarray, w: np.ndarray, k: int, tours: _Tours) -> list[int] | None:
    """Add the stop with the most extra coverage that keeps the tour within the limit.

    Ties (and candidates of equal gain) are tried nearest first: the smallest round trip
    to a stop already chosen (or to the depot). A feasible set, or None if it gets stuck.
    """
    m = cover.shape[1]
    sel: list[int] = []
    places = tours.places
    for _ in range(k):
        base = cover[:, sel].any(axis=1) if sel else np.zeros(len(w), bool)
        gain = (w[:, None] * (cover & ~base[:, None])).sum(axis=0)
        anchors = sel + ([] if tours.depot is None else [tours.depot])
        near = (np.min([places[a, :m] + places[:m, a] for a in anchors], axis=0) if anchors
                else np.zeros(m))
        order = sorted((j for j in range(m) if j not in sel), key=lambda j: (-gain[j], near[j], j))
        for j in order:
            if tours.check(sel + [j], exact=False)[0]:
                sel.append(j)
                break
        else:
            return None
    return sel


def solve_mobile(cost: np.ndarray, weights: np.ndarray, today_min: np.ndarray, places: np.ndarray,
                 k: int, max_route_min: float, threshold: float, depot: bool = False, *,
                 solver: Any = None, time_limit: float | None = None,
                 settings: Settings = DEFAULT_SETTINGS) -> MobileSolution:
    """Choose ``k`` stops covering the most residents not served today, tour <= ``max_route_min``.

    Parameters
    ----------
    cost : numpy.ndarray
        (n, m) minutes from demand rows to candidate sites (``inf``: cannot use it).
    weights : numpy.ndarray
        (n,) weighted residents per row.
    today_min : numpy.ndarray
        (n,) minutes from each row to its nearest fixed point of its need and language
        (``inf``: none); a row with ``today_min <= threshold`` is already served.
    places : numpy.ndarray
        Driving minutes between the candidate sites, (m, m), or (m + 1, m + 1) with the
        depot as the last place when ``depot``.
    k : int
        Number of stops (exactly).
    max_route_min : float
        Longest allowed closed driving tour, minutes (stop times not included).
    threshold : float
        ``T``, minutes: served today / covered by a stop when within it (``<=``).
    depot : bool
        The tour starts and ends at place ``m``.
    solver : pulp.LpSolver, optional
    time_limit : float, optional
        Seconds for the whole search; the answer then may not be proven optimal.

    Returns
    -------
    MobileSolution
    """
    t_start = time.perf_counter()
    cost = np.asarray(cost, float)
    w = np.asarray(weights, float)
    today_min = np.asarray(today_min, float)
    places = np.asarray(places, float)
    _check_args(cost, w, today_min, places, k, max_route_min, threshold, depot)
    m = cost.shape[1]
    solver = solver or available_solver()
    depot_ix = m if depot else None
    if depot:
        rt = places[m, :m] + places[:m, m]
        j = int(np.argmin(rt))
        if not rt[j] <= max_route_min + _TOL:
            raise OptimisationError(
                f"no feasible tour even for one stop: the nearest candidate is {rt[j]:.1f} min there "
                f"and back from the depot, more than --max-route-min {max_route_min:g}")
    # only residents not served today who some candidate reaches within T can be gained
    unserved = ~(today_min <= threshold)
    cover_all = cost <= threshold
    rows = unserved & cover_all.any(axis=1)
    # rows with the same covering sites are one MILP row with their summed weight
    cover, inv = np.unique(cover_all[rows], axis=0, return_inverse=True)
    wr = np.bincount(inv.ravel(), weights=w[rows], minlength=len(cover))
    tours = _Tours(places, depot_ix, max_route_min, settings.mobile_exact_tour_max, solver)
    metric = triangle_inequality(places)

    best = _greedy(cover, wr, k, tours)
    lb = _coverage(cover, wr, best) if best is not None else -np.inf
    bound, optimal, status, iterations, unproven = float(wr.sum()), False, "", 0, False
    exhausted = False
    if best is not None and lb >= bound - _TOL * max(1.0, bound):
        optimal, status = True, "Optimal (the greedy set covers every resident a stop can reach)"
    else:
        from .solver import _pulp

        pulp = _pulp()
        prob = pulp.LpProblem("mobile_stops", pulp.LpMaximize)
        # variables made by the problem (PuLP >= 3.3.1's add_variable; PuLP 4 has no LpVariable(...))
        y = [prob.add_variable(f"y_{j}", cat="Binary") for j in range(m)]
        z = [prob.add_variable(f"z_{i}", lowBound=0, upBound=1) for i in range(len(wr))]
        prob += pulp.lpSum(float(wr[i]) * z[i] for i in range(len(wr)))
        for i in range(len(wr)):
            prob += z[i] <= pulp.lpSum(y[j] for j in np.flatnonzero(cover[i])), f"cover_{i}"
        prob += pulp.lpSum(y) == k, "stops"
        if metric and depot:  # a stop too far for a round trip from the depot is in no tour
            for j in np.flatnonzero(places[m, :m] + places[:m, m] > max_route_min + _TOL):
                y[j].upBound = 0
        while True:
            if iterations >= settings.mobile_max_iterations or (
                    time_limit is not None and time.perf_counter() - t_start > time_limit):
                status = (f"stopped at the limit ({iterations} covering solves): best set found, "
                          "not proven optimal")
                break
            prob.solve(solver)
            iterations += 1
            if prob.status != pulp.LpStatusOptimal:  # every k-set excluded: nothing better exists
                exhausted = True
                bound = max(lb, 0.0)
                optimal = best is not None and not unproven
                status = "Optimal (every better set's tour is too long)" if optimal else status
                break
            chosen = [j for j in range(m) if (y[j].value() or 0) > 0.5]
            val = _coverage(cover, wr, chosen)
            bound = val
            if val <= lb + _TOL * max(1.0, lb):
                optimal = not unproven
                status = "Optimal (no set covers more than the best feasible one)"
                break
            ok, proven, _tour = tours.check(chosen)
            if ok:
                best, lb, optimal = chosen, val, not unproven
                status = "Optimal (the best-covering remaining set has a short enough tour)"
                break
            unproven |= not proven
            cut = _shrink(chosen, tours) if metric and proven else chosen
            prob += pulp.lpSum(y[j] for j in cut) <= len(cut) - 1, f"nogood_{iterations}"
        if unproven and not status.startswith("stopped"):
            status = ("feasible; not proven optimal (a rejected set's tour was longer than the limit "
                      "only by the heuristic, beyond the exact-tour size)")
    if best is None:
        raise OptimisationError(
            f"no set of {counted(k, 'stop')} found whose driving tour is within --max-route-min "
            f"{max_route_min:g}"
            + (" (none exists: every set's tour is longer)" if exhausted and not unproven
               else " within the search limit")
            + ": allow a longer tour or fewer stops")
    tour = tours.best(best)
    stops = tuple(p for p in tour.order if p != depot_ix)
    return MobileSolution(stops, tour, lb, bound if not optimal else lb, optimal, status, iterations,
                          tours.checked, time.perf_counter() - t_start, _solver_name(solver))


# --------------------------------------------------------------------------- from a study


@dataclass(frozen=True)
class MobileResult:
    """An optimised mobile unit on a study.

    Attributes
    ----------
    need, group : str
    params : dict
        k, max_route_min, threshold, depot, day, stop_min, candidates.
    solution : MobileSolution
    stops : geopandas.GeoDataFrame
        The chosen sites in tour order (EPSG:3067) with ``stop_id``, ``name``,
        ``arrive``/``depart`` (HH:MM), ``drive_to_next_min`` and ``pop_within_T``
        (residents not served today within ``T`` of this stop; stops may share residents).
    newly_covered : float
        Weighted residents not served today and within ``T`` of a stop.
    unserved : float
        Weighted residents not within ``T`` of a fixed point today (located ones).
    scenario : dict
        The scenario mapping with one ``mobile`` change (mobile_schema.md).
    report : str
        Markdown.
    """

    need: str
    group: str
    params: dict[str, Any]
    solution: MobileSolution
    stops: gpd.GeoDataFrame
    newly_covered: float
    unserved: float
    scenario: dict[str, Any]
    report: str


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def schedule(first_start: str, stop_min: int, legs: Sequence[float]) -> list[tuple[str, str]]:
    """(start, end) "HH:MM" of each stop: ``stop_min`` there, then the leg rounded up to minutes.

    ``legs[i]`` is the drive from stop i to stop i + 1 (the return leg is not needed).

    >>> schedule("09:00", 60, [12.2, 30.0])
    [('09:00', '10:00'), ('10:13', '11:13'), ('11:43', '12:43')]
    """
    h, mnt = (int(p) for p in first_start.split(":"))
    t = 60 * h + mnt
    out = []
    for i in range(len(legs) + 1):
        if t + stop_min > 24 * 60:
            raise OptimisationError(f"the schedule runs past midnight at stop {i + 1}: fewer stops, a "
                                    "shorter --stop-min or a shorter tour")
        out.append((_clock(t), _clock(t + stop_min)))
        if i < len(legs):
            t += stop_min + math.ceil(legs[i] - 1e-9)
    return out


def _site_label(name: str) -> str:
    """A candidate's place name without the "<category> (proposed), " prefix."""
    return name.split("(proposed), ", 1)[-1]


def _tour_model(study: Study) -> Any:
    """The study's model when it drives, else the calibrated drive estimate (the unit drives)."""
    from ..traveltime.estimate import canonical_mode, estimate_model

    if canonical_mode(getattr(study.model, "mode", "drive")) == "drive":
        return study.model
    return estimate_model("drive", study.settings)


def optimise_mobile(study: Study, need: str, group: str, k: int, max_route_min: float,
                    threshold: float | None = None, depot: str | None = None, day: str | None = None,
                    stop_min: int | None = None, candidates: Iterable[str] | None = None,
                    min_postal_pop: int = DEFAULT_MIN_POSTAL_POP, solver: str | None = None,
                    time_limit: float | None = None, name: str | None = None,
                    base: Mapping[str, Any] | None = None) -> MobileResult:
    """Place ``k`` stops of one mobile unit for a need and language group.

    Parameters
    ----------
    study : Study
    need, group : str
        Need code and language group (fi, sv, all); the unit serves the new-point
        category of each group (e.g. ``sv_walkin``).
    k : int
        Number of stops.
    max_route_min : float
        Longest closed driving tour, minutes, through the stops (and depot).
    threshold : float, optional
        ``T`` minutes (default ``settings.mobile_threshold_min``).
    depot : str, optional
        Id of an existing point where the tour starts and ends.
    day : str, optional
        mon..sun (default ``settings.mobile_day``); every stop is visited that day.
    stop_min : int, optional
        Minutes at each stop (default ``settings.mobile_stop_min``).
    candidates : iterable of str, optional
        Candidate kinds (default centres and postal).
    solver, time_limit, name, base
        As :func:`planner.optimise.optimise_network` (``time_limit``: seconds for the search).

    Returns
    -------
    MobileResult
    """
    s = study.settings
    threshold = s.mobile_threshold_min if threshold is None else float(threshold)
    day = (day or s.mobile_day).lower()
    stop_min = s.mobile_stop_min if stop_min is None else int(stop_min)
    if day not in DAYS:
        raise OptimisationError(f"--day {day!r}: expected one of {list(DAYS)}")
    if stop_min < 1:
        raise OptimisationError(f"--stop-min must be at least 1 minute, got {stop_min}")
    if k < 1:
        raise OptimisationError(f"--stops must be at least 1, got {k}")
    if not max_route_min > 0:
        raise OptimisationError(f"--max-route-min must be > 0 minutes, got {max_route_min}")
    depot_row = None
    if depot is not None:
        hit = study.points[study.points["id"] == depot]
        if not len(hit):
            close = [i for i in study.points["id"] if depot.lower() in str(i).lower()][:3]
            raise OptimisationError(f"--depot: unknown point id {depot!r}"
                                    + (f" (did you mean {close}?)" if close else ""))
        depot_row = hit.iloc[0]
    kinds = tuple(DEFAULT_MOBILE_CANDIDATES if candidates is None else candidates)
    lgroups = _language_groups(need, group)
    unit_cats = sorted({_new_category(c) for _, c in lgroups})
    rows, excluded = demand_rows(study, need, group)
    sites = candidate_sites(study, need, group, kinds, min_postal_pop)
    sites = sites.drop_duplicates("site").reset_index(drop=True)  # one candidate per place
    if not len(sites):
        raise OptimisationError(f"no candidate sites for {need} ({group}) with candidates {list(kinds)}")
    # a stop serves every group the unit serves: per group, the site as that group's category
    cost = np.full((len(rows), len(sites)), np.inf)
    for _, cats in lgroups:
        as_cat = sites.copy()
        as_cat["category"] = _new_category(cats)
        cost = np.fmin(cost, cost_matrix(study, rows, as_cat, need))
    today = _existing_sites(study, frozenset().union(*(c for _, c in lgroups)))
    today_cost = cost_matrix(study, rows, today, need)
    today_min = today_cost.min(axis=1) if len(today) else np.full(len(rows), np.inf)
    w = rows["weight"].to_numpy(dtype=float)
    loc = xy(sites)
    if depot_row is not None:
        loc = np.vstack([loc, [[depot_row.geometry.x, depot_row.geometry.y]]])
    places = _tour_model(study).times(loc, loc)
    np.fill_diagonal(places, 0.0)
    sol = solve_mobile(cost, w, today_min, places, k, max_route_min, threshold, depot_row is not None,
                       solver=available_solver(solver), time_limit=time_limit, settings=s)

    legs = [float(places[a, b]) for a, b in zip(sol.tour.order, sol.tour.order[1:], strict=False)]
    stop_legs = legs[1:] if depot_row is not None else legs
    times = schedule(s.mobile_first_start, stop_min, stop_legs[:len(sol.stops) - 1])
    unserved = ~(today_min <= threshold)
    chosen = sites.iloc[list(sol.stops)].copy().reset_index(drop=True)
    chosen["stop_id"] = [f"mobile_opt_{i + 1}" for i in range(len(chosen))]
    chosen["label"] = [_site_label(n) for n in chosen["name"]]
    chosen["arrive"], chosen["depart"] = [t[0] for t in times], [t[1] for t in times]
    nxt = list(sol.tour.order[1:]) + [sol.tour.order[0]]
    pos = {p: i for i, p in enumerate(sol.tour.order)}
    chosen["drive_to_next_min"] = [float(places[p, nxt[pos[p]]]) for p in sol.stops]
    chosen["pop_within_T"] = [float(w[unserved & (cost[:, j] <= threshold)].sum()) for j in sol.stops]
    params = {"k": k, "max_route_min": max_route_min, "threshold": threshold, "depot": depot, "day": day,
              "stop_min": stop_min, "candidates": list(kinds), "categories": unit_cats,
              "time_limit_s": time_limit}
    first_leg = float(places[sol.tour.order[0], sol.tour.order[1]]) if depot_row is not None else None
    scenario = _scenario(study, chosen, sol, need, group, params, name, base, depot_row, first_leg)
    report = _report(study, chosen, sol, need, group, params, float(w[unserved].sum()), excluded,
                     len(sites), depot_row, first_leg)
    return MobileResult(need, group, params, sol, chosen, sol.covered, float(w[unserved].sum()), scenario,
                        report)


def _scenario(study: Study, chosen: gpd.GeoDataFrame, sol: MobileSolution, need: str, group: str,
              params: dict[str, Any], name: str | None, base: Mapping[str, Any] | None,
              depot_row: Any, first_leg: float | None) -> dict[str, Any]:
    stops = []
    for r in chosen.itertuples():
        stop: dict[str, Any] = {"id": r.stop_id, "name": r.label}
        if r.kind == "centre":
            stop["at_centre"] = str(r.municipality_code)
        else:
            stop.update(lon=float(r.lon), lat=float(r.lat), municipality_code=str(r.municipality_code))
        stop["schedule"] = [{"day": params["day"], "start": r.arrive, "end": r.depart}]
        stops.append(stop)
    depot_text = (f" from and back to {depot_row['id']} (leaves {math.ceil(first_leg - 1e-9)} min before "
                  "the first stop)" if depot_row is not None else "")
    desc = (f"{counted(len(stops), 'stop')} of a mobile unit for {need} ({group}) chosen to cover the most "
            f"residents not within {params['threshold']:g} min of a fixed point: {sol.covered:,.0f} newly "
            f"within {params['threshold']:g} min. Driving tour {sol.tour.minutes:.1f} min{depot_text} (limit "
            f"{params['max_route_min']:g} min), stops {params['stop_min']} min each on {params['day']}. "
            f"Status: {sol.status}. Schedule laid out by the optimiser (an assumption, not a timetable). "
            "Generated by planner optimise --model mobile.")
    demand = _demand_kind(study)
    return {
        "name": name or f"Optimised mobile unit {need} ({group}): {counted(len(stops), 'stop')}, tour <= "
                        f"{params['max_route_min']:g} min",
        "description": desc,
        "base": dict(base) if base is not None else {"demand": demand,
                                                      "mode": study.provenance.get("mode", "drive")},
        "changes": [{"mobile": {"id": "mobile_opt", "name": name or f"Mobile unit ({need}, {group})",
                                "categories": list(params["categories"]), "stops": stops}}],
    }


def mobile_yaml(scenario: Mapping[str, Any]) -> str:
    """The scenario mapping as YAML text (block style, Unicode kept, order kept).

    Strings made of digits and colons (municipality codes "049", times "09:00") are
    quoted, so no YAML reader takes them for numbers.
    """
    import re

    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = '"' if re.fullmatch(r"[0-9:.+-]+", value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    return yaml.dump(dict(scenario), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _report(study: Study, chosen: gpd.GeoDataFrame, sol: MobileSolution, need: str, group: str,
            params: dict[str, Any], unserved: float, excluded: dict[str, float], n_sites: int,
            depot_row: Any, first_leg: float | None) -> str:
    prov = study.provenance
    t = params["threshold"]
    names = study.municipalities.set_index("municipality_code")["name_fi"]
    share = f"{sol.covered / unserved:.1%}" if unserved else "n/a"  # no one unserved today: no share
    lines = [
        f"## Mobile unit stops - {NEEDS[need].label_en}, group {group}",
        "",
        f"Question: {counted(params['k'], 'stop')} covering the most residents not within {t:g} min of a "
        f"fixed point of their need and language, closed driving tour <= {params['max_route_min']:g} min"
        + (f" from and back to {depot_row['id']} ({depot_row['name']})" if depot_row is not None else "")
        + ".",
        f"Travel times: {prov.get('model', '?')} ({prov.get('mode', '?')}); the tour: drive times of the "
        "same kind between the sites.",
        f"Demand: {unserved:,.0f} residents not within {t:g} min today (left out: "
        f"{excluded['pop_unlocated']:,.0f} unlocated). Candidates: {n_sites} sites "
        f"({', '.join(params['candidates'])}). Unit serves: {', '.join(params['categories'])}.",
        f"Newly within {t:g} min: {sol.covered:,.0f} residents ({share} of those not served today); "
        f"best possible (bound): {sol.bound:,.0f}.",
        f"Tour: {sol.tour.minutes:.1f} min driving ({'proven shortest' if sol.tour.exact else 'heuristic'}: "
        f"{sol.tour.method}).",
        f"Solver: {sol.solver}; {sol.iterations} covering MILP(s), {sol.tours_checked} tour check(s), "
        f"{sol.solve_s:.2f} s. Status: {sol.status}. Optimality proven: {'yes' if sol.optimal else 'no'}.",
        "",
        f"| # | stop | site | municipality | {params['day']} | drive to next, min | residents within {t:g} "
        "min |",
        "|---:|---|---|---|---|---:|---:|",
    ]
    if depot_row is not None:
        lines.append(f"| 0 | depot {depot_row['id']} | {depot_row['name']} | "
                     f"{names.get(depot_row['municipality_code'], depot_row['municipality_code'])} | "
                     f"leave {math.ceil(first_leg - 1e-9)} min before | {first_leg:.1f} | |")
    for i, r in enumerate(chosen.itertuples(), start=1):
        muni = names.get(r.municipality_code, r.municipality_code)
        lines.append(f"| {i} | {r.stop_id} | {r.label} | {muni}"
                     f" | {r.arrive}-{r.depart} | {r.drive_to_next_min:.1f} | {r.pop_within_T:,.0f} |")
    lines += ["", "Stops may reach the same residents; the total counts each once. The schedule is laid "
              "out by the optimiser: an assumption to adjust, not a timetable.", ""]
    return "\n".join(lines)
