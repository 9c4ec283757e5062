"""The high-level optimisation: constraints from planner options, result, scenario, report."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..analysis.scenario import Scenario, parse_scenario
from ..analysis.study import Study
from ..inputs.categories import CATEGORY_CODES, NEEDS, eligible_categories
from ..numbers import counted
from .base import DEFAULT_CANDIDATES, DEFAULT_MIN_POSTAL_POP, MODELS, PER_OPTIONS, OptimisationError
from .inputs import _existing_sites, _language_groups, candidate_sites, cost_matrix, demand_rows
from .solver import Solution, _nearest, available_solver, solve


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
        return f"Keep {counted(k, 'point')} minimising the population-weighted travel time."
    if model == "pcenter":
        return (f"Keep {counted(k, 'point')} minimising the worst travel time "
                "(ties: the weighted travel time).")
    if model == "mclp":
        return f"Keep {counted(k, 'point')} maximising the residents within {t:g} min."
    if model == "add":
        return (f"Add up to {counted(k, 'new point')} to today's network maximising the residents within "
                f"{t:g} min.")
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
        gone = excluded["pop_unreachable"]
        notes.append(f"{counted(gone, 'resident')} cannot reach any candidate site and "
                     f"{'is' if round(gone) == 1 else 'are'} left out")
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
