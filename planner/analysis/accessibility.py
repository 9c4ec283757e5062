"""Accessibility results: nearest eligible point per unit, need and language group,
population-weighted summaries and the load on each service point.

Results are long, tidy tables. Population is never dropped: unlocated residents
(no origin) and unreachable ones (no eligible point reachable) are counted in their
own columns, so every summary's ``population`` equals the population that went in.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..inputs.categories import DEFAULT_ELIGIBILITY, GROUPS, NEED_CODES, eligible_categories
from ..inputs.data import targeted_mask
from ..lazy import LazyTables
from ..numbers import counted
from ..quantiles import weighted_quantile
from ..settings import DEFAULT_SETTINGS
from ..traveltime import TravelTimeMatrix, TravelTimeModel, error_p90_min, extrapolated, model_times, xy
from .servicedays import FIXED_VISITS_PER_WEEK, FIXED_WAIT_DAYS

__all__ = [
    "nearest",
    "unit_access",
    "summarise",
    "summary_tables",
    "point_load",
    "reception_access",
    "weighted_quantile",
    "group_stats",
    "with_provenance",
    "ALL_GROUPS",
    "organiser_mask",
    "PROVENANCE_KEYS",
    "gap_columns",
    "no_point_reasons",
    "nearest_precision",
]

ALL_GROUPS = "all"


def nearest(times: np.ndarray, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index and time of the nearest eligible column for every row.

    ``eligible`` is a column mask (m,) or a row-by-column mask (n, m), e.g. a category
    mask combined with an organiser mask. Rows of NaN (unlocated) give (-1, NaN); rows
    with no reachable eligible point give (-1, inf).

    >>> t = np.array([[5.0, 2.0, 9.0], [np.inf, np.inf, 1.0], [np.nan] * 3])
    >>> nearest(t, np.array([True, True, False]))
    (array([ 1, -1, -1]), array([ 2., inf, nan]))
    >>> nearest(t[:1], np.array([[True, False, True]]))
    (array([0]), array([5.]))
    """
    n = times.shape[0]
    idx = np.full(n, -1, dtype=np.int64)
    best = np.full(n, np.inf)
    eligible = np.asarray(eligible, dtype=bool)
    cols = np.flatnonzero(eligible if eligible.ndim == 1 else eligible.any(axis=0))
    unlocated = np.isnan(times).all(axis=1) if times.shape[1] else np.zeros(n, bool)
    if len(cols):
        sub = times[:, cols]
        bad = np.isnan(sub) if eligible.ndim == 1 else np.isnan(sub) | ~eligible[:, cols]
        sub = np.where(bad, np.inf, sub)
        j = np.argmin(sub, axis=1)
        t = sub[np.arange(n), j]
        ok = np.isfinite(t)
        idx[ok] = cols[j[ok]]
        best = t
    best[unlocated] = np.nan
    return idx, best


def organiser_mask(unit_codes: np.ndarray, point_codes: np.ndarray,
                   organisers: dict[str, str]) -> np.ndarray:
    """(units x points) True where the point belongs to the unit's organiser.

    Codes are municipality codes; ``organisers`` maps a code to its organiser (the
    wellbeing services county or the City of Helsinki). A unit whose municipality has
    no organiser in the table (unlocated residents) may use every point.

    >>> organiser_mask(np.array(["505", "091"]), np.array(["858", "091"]),
    ...                {"505": "Keski", "858": "Keski", "091": "Helsinki"}).tolist()
    [[True, False], [False, True]]
    """
    names = sorted(set(organisers.values()))
    code = {o: i for i, o in enumerate(names)}
    u = np.array([code.get(organisers.get(c), -1) for c in unit_codes], dtype=np.int64)
    p = np.array([code.get(organisers.get(c), -2) for c in point_codes], dtype=np.int64)
    mask = u[:, None] == p[None, :]
    mask[u < 0] = True
    return mask


def unit_access(units: gpd.GeoDataFrame, points: gpd.GeoDataFrame, ttm: TravelTimeMatrix,
                needs: tuple[str, ...] = NEED_CODES, merges: dict[str, str] | None = None,
                before: pd.DataFrame | None = None, eligibility: dict[str, str] | None = None,
                organisers: dict[str, str] | None = None,
                merge_clients: dict[str, str | None] | None = None,
                remote_share: dict[str, float] | None = None,
                include_target_groups: bool = False,
                other_dates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Nearest eligible point and time for every unit x need x language group.

    ``other_dates``: rows of the points file with a known site that are not in the network of
    the day (dated before or after it: ``municipality_code, category, valid_from, valid_to``).
    Where a unit has no point but such a row would serve it, ``no_point_reason`` says that the
    file documents the service only on other dates: a gap in the evidence, not a finding.

    Returns columns ``unit_id, need, group, population, located, point_id, time_min,
    time_error_p90_min, extrapolated, point_placeholder`` (``extrapolated``: the trip lies beyond
    the calibration range of its mode, its error NaN = not measured, issue 24; ``point_id``
    empty and ``time_min`` inf when nothing is reachable, NaN for unlocated residents;
    ``time_error_p90_min`` the model's cross-validated p90 absolute error at that trip's
    distance, NaN when the model has no known error; ``point_placeholder`` True where the point
    is a placeholder put at its municipal centre). Only open points (rows of ``points``) are considered.

    ``eligibility`` (need -> 'organiser' | 'any', default
    :data:`planner.inputs.categories.DEFAULT_ELIGIBILITY`) with ``organisers`` (municipality
    code -> organiser) restricts 'organiser' needs to the points of the resident's own
    organiser. Without ``organisers`` every rule acts as 'any'.

    ``merges`` (closed point id -> final receiving point id) with ``before`` (this
    function's result before the merge): under ``clients: receiving`` the closed
    points' clients move to the receiving point (for the needs it serves) even where
    another point is nearer; under ``clients: nearest`` they choose the nearest open
    eligible point. ``merge_clients`` gives the choice per closed point; missing/None =
    the need's default: 'nearest' where the need's rule is 'any' (clients free to choose,
    e.g. Kela), 'receiving' where it is 'organiser'.

    Issue 24: a merge never sends a resident to a point they are not eligible for (need,
    language, organiser): under ``clients: receiving`` those residents go to their nearest
    eligible open point instead, and ``merge_redirected`` is True on their rows.

    Issue 14: ``visits_per_week`` and ``wait_days`` of the chosen point (a mobile stop's
    from its schedule, a fixed point's 5 and 3/7: open Mon-Fri, an assumption; NaN where no
    point is reached) and ``expected_burden_min`` = (1 - share) x ``time_min``, with
    ``remote_share`` (need -> share of contacts handled remotely, default 0). When
    ``points`` has mobile stops (column ``mobile_unit``), ``fixed_time_min`` and
    ``mobile_time_min`` give the minutes to the nearest eligible fixed point and mobile stop
    (inf: none in reach; the chosen point is the nearer of the two, ``time_min``).

    Issue 23: a point with a ``target_group`` (emergency, homeless, immigrant ...) serves that
    group only, so it is left out of these everyday needs unless ``include_target_groups``.
    ``nearest_location_precision`` is the chosen point's ``location_precision`` ('' when none);
    ``no_point_reason`` says why a located unit has no point ('' otherwise): the organiser (or
    the whole network) has no open eligible point, or none is reachable with the model.
    """
    times = ttm.columns(points["id"].to_numpy())
    if list(ttm.origin_ids) != list(units["unit_id"]):
        raise ValueError("travel-time matrix rows do not match the demand units")
    rules = dict(DEFAULT_ELIGIBILITY) if eligibility is None else {**DEFAULT_ELIGIBILITY, **eligibility}
    cats = points["category"].to_numpy()
    ids = points["id"].to_numpy(dtype=object)
    col = {p: j for j, p in enumerate(ids)}
    errors = error_p90_min(ttm.error_model, xy(units), xy(points), ids) if len(points) else \
        np.empty((len(units), 0))
    rows = np.arange(len(units))
    placeholder = (~points["located"].fillna(True).to_numpy(dtype=bool) if "located" in points.columns
                   else np.zeros(len(points), bool))
    targeted = np.zeros(len(points), bool) if include_target_groups else targeted_mask(points)
    unit_org = (np.array([organisers.get(c, "") for c in units["municipality_code"]], dtype=object)
                if organisers is not None and "municipality_code" in units.columns
                else np.full(len(units), "", dtype=object))
    reason_all = np.full(len(units) * len(needs) * len(GROUPS), "", dtype=object)
    same_org = None
    if organisers is not None and any(rules.get(n) == "organiser" for n in needs):
        same_org = organiser_mask(units["municipality_code"].to_numpy(dtype=object),
                                  points["municipality_code"].to_numpy(dtype=object), organisers)
    merge_clients = merge_clients or {}
    blocks = [(need, group) for need in needs for group in GROUPS]
    n = len(units)
    pid_all = np.empty(n * len(blocks), dtype=object)
    t_all = np.empty(n * len(blocks))
    jj_all = np.empty(n * len(blocks), dtype=np.int64)
    before_blocks = _blocks_of(before, units, blocks) if merges and before is not None else None
    # issue 14: with mobile stops, the minutes to the nearest fixed point and to the nearest stop
    mob = (points["mobile_unit"].map(lambda u: isinstance(u, str) and u != "").to_numpy(dtype=bool)
           if "mobile_unit" in points.columns else np.zeros(len(points), bool))
    redirected = np.zeros(n * len(blocks), dtype=bool)
    t_fixed = np.empty(n * len(blocks)) if mob.any() else None
    t_mobile = np.empty(n * len(blocks)) if mob.any() else None
    for b, (need, group) in enumerate(blocks):
        rule = rules.get(need, "any")
        serves = eligible_categories(need, group)
        mask = np.isin(cats, list(serves))
        left_out = mask & targeted  # issue 23: targeted services only serve their own group
        mask &= ~targeted
        if rule == "organiser" and same_org is not None:
            mask = same_org & mask[None, :]
            had_targeted = (same_org & left_out[None, :]).any(axis=1)
        else:
            had_targeted = np.full(len(units), bool(left_out.any()))
        jj, t = nearest(times, mask)
        if before_blocks is not None:
            was = before_blocks[b]
            for gone, kept in merges.items():
                clients = merge_clients.get(gone) or ("nearest" if rule == "any" else "receiving")
                j = col.get(kept)
                if clients == "nearest" or j is None:
                    continue  # clients choose: nearest applies
                held = (was == gone) & ~np.isnan(t)
                # issue 24: only residents eligible for the receiver (need, language, organiser)
                # follow the merge; the others go to their nearest eligible open point, counted
                ok = mask[:, j] if mask.ndim == 2 else np.full(n, bool(mask[j]))
                moved = held & ok
                redirected[b * n:(b + 1) * n] |= held & ~ok
                jj = np.where(moved, j, jj)
                t = np.where(moved, times[:, j], t)
        sl = slice(b * n, (b + 1) * n)
        if t_fixed is not None:  # eligibility as for the chosen point, one kind of point at a time
            t_fixed[sl] = nearest(times, mask & ~mob)[1]
            t_mobile[sl] = nearest(times, mask & mob)[1]
        # no open point at all, or none reachable: nobody is served from a point
        pid_all[sl] = np.where(jj >= 0, ids[np.maximum(jj, 0)], "") if len(ids) else ""
        t_all[sl] = t
        jj_all[sl] = jj
        reason_all[sl] = no_point_reasons(jj, t, mask, serves, unit_org if rule == "organiser"
                                          and same_org is not None else None, had_targeted,
                                          _documented_elsewhen(other_dates, serves, units, organisers,
                                                               rule, include_target_groups))
    k = np.maximum(jj_all, 0)
    served = jj_all >= 0
    if "visits_per_week" in points.columns:  # mobile stops among the points
        vpw_p = points["visits_per_week"].fillna(FIXED_VISITS_PER_WEEK).to_numpy(dtype=float)
        wait_p = points["wait_days"].fillna(FIXED_WAIT_DAYS).to_numpy(dtype=float)
        vpw = np.where(served, vpw_p[k] if len(vpw_p) else np.nan, np.nan)
        wait = np.where(served, wait_p[k] if len(wait_p) else np.nan, np.nan)
    else:  # only fixed points: constants, no gather
        vpw = np.where(served, float(FIXED_VISITS_PER_WEEK), np.nan)
        wait = np.where(served, FIXED_WAIT_DAYS, np.nan)
    share = {nd: float(v) for nd, v in (remote_share or {}).items() if v}
    if share:  # the travel a remote channel saves: share x 0 + (1 - share) x minutes
        keep = np.repeat(np.array([1.0 - share.get(nd, 0.0) for nd, _ in blocks]), n)
        with np.errstate(invalid="ignore"):  # unreachable (inf) stays inf, unlocated NaN
            burden = np.where(np.isinf(t_all), t_all, t_all * keep)
    else:
        burden = t_all.copy()
    unit_rows = np.tile(rows, len(blocks))
    err = np.where(jj_all >= 0, errors[unit_rows, k] if errors.shape[1] else np.nan, np.nan)
    # issue 24: a pair beyond the calibration range of its mode: flagged, its error not measured
    beyond = extrapolated(ttm.error_model, xy(units), xy(points)) if len(points) else \
        np.zeros((len(units), 0), bool)
    extra = (jj_all >= 0) & (beyond[unit_rows, k] if beyond.shape[1] else False)
    pops = {g: units[f"pop_{g}"].to_numpy(dtype="int64") for g in GROUPS}
    # text columns stay NumPy object arrays: converting ~46,000 ids to Arrow strings and back
    # on every click costs more than the whole nearest-point search
    out = pd.DataFrame({
        "unit_id": pd.Series(np.tile(units["unit_id"].to_numpy(dtype=object), len(blocks)), dtype=object),
        "need": pd.Series(np.repeat(np.array([nd for nd, _ in blocks], dtype=object), n), dtype=object),
        "group": pd.Series(np.repeat(np.array([g for _, g in blocks], dtype=object), n), dtype=object),
        "population": np.concatenate([pops[g] for _, g in blocks]) if blocks else np.empty(0, "int64"),
        "located": np.tile(units["located"].to_numpy(dtype=bool), len(blocks)),
        "point_id": pd.Series(pid_all, dtype=object),
        "time_min": t_all,
        "time_error_p90_min": np.where(extra, np.nan, err),
        "extrapolated": extra,
        "point_placeholder": (jj_all >= 0) & (placeholder[k] if len(placeholder) else False),
        "nearest_location_precision": nearest_precision(points, jj_all),
        "no_point_reason": pd.Series(reason_all, dtype=object),
        "visits_per_week": vpw,
        "wait_days": wait,
        "expected_burden_min": burden,
        "merge_redirected": redirected,
    })
    if t_fixed is not None:
        out["fixed_time_min"] = t_fixed
        out["mobile_time_min"] = t_mobile
    return out


def nearest_precision(points: pd.DataFrame, jj: np.ndarray) -> pd.Series:
    """``location_precision`` of the chosen point per row ('' where no point was chosen)."""
    if "location_precision" in points.columns and len(points):
        prec = points["location_precision"].fillna("unspecified").astype(str).to_numpy(dtype=object)
    else:
        prec = np.full(len(points), "unspecified", dtype=object)
    out = np.where(jj >= 0, prec[np.maximum(jj, 0)] if len(prec) else "", "")
    return pd.Series(out, dtype=object)


def _documented_elsewhen(other: pd.DataFrame | None, serves: frozenset[str], units: pd.DataFrame,
                         organisers: dict[str, str] | None, rule: str,
                         include_target_groups: bool) -> np.ndarray | None:
    """Per unit: '' or the dates on which the points file documents an eligible point of the
    unit's organiser (rule 'organiser') or anywhere (rule 'any') outside the day's network,
    e.g. 'from 2023-01-01'. None when no such row exists for anyone."""
    if other is None or other.empty:
        return None
    rows = other[other["category"].isin(list(serves))]
    if not include_target_groups and "target_group" in rows.columns:
        rows = rows[rows["target_group"].fillna("").astype(str) == ""]
    if rows.empty:
        return None

    def day(value) -> str:
        text = str(value if value is not None else "")
        return "" if text in ("", "nan", "NaT", "None") else text[:10]

    def span(r) -> str:
        vf, vt = day(r.get("valid_from")), day(r.get("valid_to"))
        return f"from {vf}" if vf and not vt else f"until {vt}" if vt and not vf else f"{vf} to {vt}"

    if rule == "organiser" and organisers is not None:
        org_of = rows["municipality_code"].map(lambda c: organisers.get(c, ""))
        by_org = {o: sorted({span(r) for _, r in g.iterrows()}) for o, g in rows.groupby(org_of)}
        return np.array(["; ".join(by_org.get(organisers.get(c, ""), []))
                         for c in units["municipality_code"]], dtype=object)
    text = "; ".join(sorted({span(r) for _, r in rows.iterrows()}))
    return np.full(len(units), text, dtype=object)


def no_point_reasons(jj: np.ndarray, t: np.ndarray, mask: np.ndarray, serves: frozenset[str],
                     unit_org: np.ndarray | None, had_targeted: np.ndarray | None = None,
                     elsewhen: np.ndarray | None = None) -> np.ndarray:
    """Why each located unit of one need x group block has no point ('' where it has one).

    A real gap is named as such: the unit's organiser (``unit_org``; None = the rule is 'any')
    has no open point of the eligible categories in the network of the day, or none exists at
    all; ``had_targeted`` (per unit) adds that a targeted service of the organiser was left out.
    Where eligible points exist but the model reaches none, the reason says so: a model limit,
    not a missing service. Where the points file documents an eligible point only on other
    dates (``elsewhen`` per unit, e.g. 'from 2023-01-01'), the reason says the service is not
    documented on this date: a gap in the evidence, not a finding (issue 23). Unlocated units
    (NaN time) get '' (they are counted as unlocated).
    """
    n = len(jj)
    out = np.full(n, "", dtype=object)
    missing = np.flatnonzero((jj < 0) & ~np.isnan(t))
    if not len(missing):
        return out
    cats = ", ".join(sorted(serves))
    avail = mask.any(axis=1) if mask.ndim == 2 else np.full(n, bool(mask.any()))
    for i in missing:
        extra = (" (a targeted service is left out: --include-target-groups)"
                 if had_targeted is not None and had_targeted[i] else "")
        if avail[i]:
            out[i] = "no eligible point reachable with this travel-time model (a model limit)"
        elif elsewhen is not None and elsewhen[i]:
            who = f" of the organiser {unit_org[i]}" if unit_org is not None and unit_org[i] else ""
            out[i] = (f"not documented on this date: the points file has point(s) of category {cats}{who} "
                      f"only on other dates ({elsewhen[i]}); a gap in the evidence, not a finding{extra}")
        elif unit_org is not None and unit_org[i]:
            out[i] = (f"no service: the organiser {unit_org[i]} has no open point of category {cats} "
                      f"in the network of this date{extra}")
        else:
            out[i] = f"no service: the network of this date has no open point of category {cats}{extra}"
    return out


def gap_columns(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys``: ``pop_nearest_proxy`` (residents whose nearest point stands at a
    proxy site, e.g. its municipal centre) and ``no_point_reason`` (the distinct reasons of the
    group's residents without a point, '' when everyone located has one)."""
    from ..inputs.data import PROXY_PRECISIONS

    prec = (df["nearest_location_precision"] if "nearest_location_precision" in df.columns
            else pd.Series("", index=df.index))
    reason = df["no_point_reason"] if "no_point_reason" in df.columns else pd.Series("", index=df.index)
    work = df[keys].copy()
    work["_proxy"] = np.where(prec.isin(PROXY_PRECISIONS).to_numpy(), df["population"].to_numpy(), 0)
    work["_reason"] = reason.fillna("").astype(str).to_numpy()
    grouped = work.groupby(keys, sort=False)
    out = grouped["_proxy"].sum().astype("int64").rename("pop_nearest_proxy").to_frame()
    out["no_point_reason"] = grouped["_reason"].agg(
        lambda r: "; ".join(dict.fromkeys(x for x in r if x)))
    return out.reset_index()


def _blocks_of(before: pd.DataFrame, units: pd.DataFrame, blocks: list[tuple[str, str]]) -> list[np.ndarray]:
    """``point_id`` of :func:`unit_access`'s earlier result per (need, group) block, in unit order."""
    n = len(units)
    same = (len(before) == n * len(blocks)
            and np.array_equal(before["unit_id"].to_numpy()[:n], units["unit_id"].to_numpy()))
    if same:  # the same units in the same order (the usual case): blocks by position
        pid = before["point_id"].to_numpy()
        need, group = before["need"].to_numpy(), before["group"].to_numpy()
        if all(need[b * n] == nd and group[b * n] == g for b, (nd, g) in enumerate(blocks)):
            return [pid[b * n:(b + 1) * n] for b in range(len(blocks))]
    out = []
    for nd, g in blocks:
        sel = before[(before["need"] == nd) & (before["group"] == g)].set_index("unit_id")["point_id"]
        out.append(sel.reindex(units["unit_id"]).to_numpy())
    return out


def group_stats(df: pd.DataFrame, keys: list[str], time_col: str = "time_min",
                thresholds: tuple[int, ...] = DEFAULT_SETTINGS.thresholds_min,
                error_col: str = "time_error_p90_min") -> pd.DataFrame:
    """Population-weighted travel-time statistics per group of ``keys``, vectorised.

    Columns: ``population, pop_unlocated, pop_unreachable, mean_min, median_min, p90_min,
    pop_within_<T>, pct_within_<T>`` and, when ``df`` has ``error_col`` (default
    ``time_error_p90_min``), ``time_error_p90_min`` too: the population-weighted median of the
    residents' trip errors (the model's p90 absolute error at each trip's distance; NaN when
    unknown), over the residents that ``time_col`` reaches.
    ``time_col`` NaN = unlocated (counted, not timed), inf = unreachable (in median / p90 as
    infinite, not in the mean).
    """
    grouped = df.groupby(keys, sort=True)
    out = grouped.size().reset_index()[keys]
    err = df[error_col].to_numpy(dtype=float) if error_col in df.columns else None
    codes, pop, t = grouped.ngroup().to_numpy(), df["population"].to_numpy(dtype=float), \
        df[time_col].to_numpy(dtype=float)
    stats = stats_by_code(codes, grouped.ngroups, pop, t, thresholds, err)
    if "extrapolated" in df.columns:  # issue 24: residents whose trip's error is not measured
        ext = df["extrapolated"].to_numpy(dtype=bool)
        stats["pop_extrapolated"] = np.bincount(codes, weights=np.where(ext, pop, 0.0),
                                                minlength=grouped.ngroups).round().astype("int64")
    if "visits_per_week" in df.columns:
        stats.update(_frequency_stats(codes, grouped.ngroups, pop, t,
                                      df["visits_per_week"].to_numpy(dtype=float),
                                      df["expected_burden_min"].to_numpy(dtype=float)
                                      if "expected_burden_min" in df.columns else None, thresholds))
    return pd.concat([out, pd.DataFrame(stats)], axis=1)


def _frequency_stats(codes: np.ndarray, n: int, pop: np.ndarray, t: np.ndarray, vpw: np.ndarray,
                     burden: np.ndarray | None, thresholds: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Issue 14 columns per group: ``pop_within_<T>_weekly`` (residents whose nearest point is
    at most T minutes away, inclusive, and served at least once a week) and
    ``mean_burden_min``, the mean expected travel burden per client
    (remote share applied) over reachable residents."""
    reach = np.isfinite(t)
    weekly = reach & (np.nan_to_num(vpw) >= 1)
    out: dict[str, np.ndarray] = {}
    for th in thresholds:
        out[f"pop_within_{th}_weekly"] = np.bincount(codes, weights=np.where(weekly & (t <= th), pop, 0.0),
                                                     minlength=n).round().astype("int64")
    if burden is not None:
        w = np.bincount(codes, weights=np.where(reach, pop, 0.0), minlength=n)
        tot = np.bincount(codes, weights=pop * np.where(reach, burden, 0.0), minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["mean_burden_min"] = tot / w
    return out


def stats_by_code(codes: np.ndarray, n: int, pop: np.ndarray, t: np.ndarray,
                  thresholds: tuple[int, ...], err: np.ndarray | None = None,
                  order: tuple[np.ndarray | None, np.ndarray | None] = (None, None)) -> dict[str, np.ndarray]:
    """The columns of :func:`group_stats` for rows grouped by integer ``codes`` (0 .. n-1).

    ``pop`` residents, ``t`` minutes (NaN unlocated, inf unreachable), ``err`` the
    model's p90 error per row (or None). Pure NumPy: the click path calls it with codes
    computed once, without pandas grouping. ``order``: the rows sorted by (code, t) and by
    (code, err) where the caller knows them cheaper than a sort (else None).
    """
    located = ~np.isnan(t)
    reach = located & np.isfinite(t)

    def total(mask: np.ndarray, values: np.ndarray = pop) -> np.ndarray:
        return np.bincount(codes, weights=np.where(mask, values, 0.0), minlength=n)

    out: dict[str, np.ndarray] = {}
    out["population"] = total(np.ones_like(located)).round().astype("int64")
    out["pop_unlocated"] = total(~located).round().astype("int64")
    base = total(located)
    w_reach = total(reach)
    out.update(same_people_counts(base, w_reach))
    out["pop_unreachable"] = out["pop_no_point"]  # the earlier name of the same count
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_min_served"] = total(reach, pop * np.where(reach, t, 0.0)) / w_reach
    quant = _weighted_quantiles(codes, n, t, pop, located, {"median_min": 0.5, "p90_min": 0.9}, order[0])
    out.update(no_point_quantiles(quant, out["pop_no_point"]))
    for th in thresholds:
        within = total(reach & (t <= th))
        out[f"pop_within_{th}"] = within.round().astype("int64")
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"pct_within_{th}"] = np.where(base > 0, 100.0 * within / base, np.nan)
    if err is not None:
        # issue 24: a trip whose error is not measured (extrapolated, or no error model) counts as
        # larger than any measured one; a median among them is NaN = not measured, never a ± number
        has = reach & (pop > 0)
        q = _weighted_quantiles(codes, n, np.where(np.isnan(err), np.inf, err), pop, has, {"q": 0.5},
                                order[1])["q"]
        out["time_error_p90_min"] = np.where(np.isinf(q), np.nan, q)
    return out


# --- issue 24: every statistic over the same people -----------------------------------------
# Residents with no eligible point (time inf) stay in every denominator: they count as beyond
# every threshold and, in the median / p90, as later than everyone else. A median that falls
# among them is no number of minutes: it is left NaN and ``stats_note`` says why (never inf).
# The mean is over the residents served only, and is named so (``mean_min_served``), beside
# ``share_served``.


def same_people_counts(located: np.ndarray, served: np.ndarray) -> dict[str, np.ndarray]:
    """``pop_no_point`` (located residents with no eligible point they can reach) and
    ``share_served`` (served / located, 0..1; NaN where nobody is located), per group.

    >>> same_people_counts(np.array([10.0, 0.0]), np.array([7.0, 0.0]))["pop_no_point"].tolist()
    [3, 0]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(located > 0, served / np.where(located > 0, located, 1.0), np.nan)
    return {"pop_no_point": (located - served).round().astype("int64"), "share_served": share}


def no_point_quantiles(quant: dict[str, np.ndarray], no_point: np.ndarray) -> dict[str, np.ndarray]:
    """Median / p90 with residents without a point counted as later than everyone: a quantile
    that falls among them becomes NaN and ``stats_note`` names the statistic and the count.

    >>> q = no_point_quantiles({"median_min": np.array([12.0, np.inf, np.inf])}, np.array([0, 5, 1]))
    >>> q["median_min"].tolist(), q["stats_note"].tolist()
    ([12.0, nan, nan], ['', 'median falls among the 5 residents with no point', \
'median falls on the 1 resident with no point'])
    """
    out: dict[str, np.ndarray] = {}
    labels: list[list[str]] = [[] for _ in range(len(no_point))]
    for name, v in quant.items():
        beyond = np.isposinf(v)
        out[name] = np.where(beyond, np.nan, v)
        for i in np.flatnonzero(beyond):
            labels[i].append(name.removesuffix("_min"))
    notes = np.array([f"{' and '.join(lab)} {'fall' if len(lab) > 1 else 'falls'} "
                      f"{'on' if int(no_point[i]) == 1 else 'among'} the "
                      f"{counted(int(no_point[i]), 'resident')} with no point" if lab else ""
                      for i, lab in enumerate(labels)], dtype=object)
    out["stats_note"] = notes
    return out


def _weighted_quantiles(codes: np.ndarray, n: int, v: np.ndarray, w: np.ndarray, use: np.ndarray,
                        qs: dict[str, float], order: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per group, the smallest value with at least share q of the group's weight at or below it.

    ``order``: every row sorted by (code, v), if known; the rows not in ``use`` are dropped from it.
    """
    if order is None:
        idx = np.flatnonzero(use)
        order = idx[np.lexsort((v[idx], codes[idx]))]
    else:
        order = order[use[order]]
    c, vv, ww = codes[order], v[order], w[order]
    cum = np.cumsum(ww)
    w_g = np.bincount(c, weights=ww, minlength=n)
    start = np.concatenate([[0.0], np.cumsum(w_g)[:-1]])
    last = np.maximum(np.searchsorted(c, np.arange(n), side="right") - 1, 0)
    out = {}
    for name, q in qs.items():
        k = np.minimum(np.searchsorted(cum, start + q * w_g - 1e-9, side="left"), last)
        out[name] = np.where(w_g > 0, vv[k] if len(vv) else np.nan, np.nan)
    return out


def summarise(access: pd.DataFrame, units: pd.DataFrame, by: str | None,
              thresholds: tuple[int, ...] = DEFAULT_SETTINGS.thresholds_min) -> pd.DataFrame:
    """Population-weighted summary of :func:`unit_access` by a unit column or the region.

    One row per (area, need, group) with group ``fi``, ``sv`` and ``all`` (everyone
    to the nearest point in their own language). ``mean_min`` is over residents who
    can reach a point; median and p90 count unreachable residents as infinite.
    """
    key = by or "region"
    extra = units[["unit_id", by]] if by else units[["unit_id"]].assign(region="Uusimaa")
    df = access.merge(extra, on="unit_id", how="left", validate="many_to_one")
    df = pd.concat([df, df.assign(group=ALL_GROUPS)], ignore_index=True)
    out = group_stats(df, [key, "need", "group"], thresholds=thresholds)
    out = out.merge(gap_columns(df, [key, "need", "group"]), on=[key, "need", "group"], how="left",
                    validate="one_to_one")
    out = out.rename(columns={key: "area"})
    out.insert(0, "level", key)
    order = {n: i for i, n in enumerate(NEED_CODES)}
    gorder = {"fi": 0, "sv": 1, ALL_GROUPS: 2}
    return out.sort_values(["area", "need", "group"],
                           key=lambda s: s.map(order) if s.name == "need" else
                           s.map(gorder) if s.name == "group" else s).reset_index(drop=True)


def summary_tables(access: pd.DataFrame, units: pd.DataFrame,
                   thresholds: tuple[int, ...] = DEFAULT_SETTINGS.thresholds_min,
                   ) -> LazyTables:
    """Summaries by municipality, service area and the whole region (each built when first read)."""
    return LazyTables({
        "summary_municipality": lambda: summarise(access, units, "municipality", thresholds),
        "summary_service_area": lambda: summarise(access, units, "service_area", thresholds),
        "summary_region": lambda: summarise(access, units, None, thresholds),
    })


def point_load(access: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Residents for whom each point is the nearest eligible one, per need and group.

    Returns ``id, name, category, need, group, residents`` (zero rows kept for
    points nobody has as nearest for a need they serve).
    """
    served = access[access["point_id"] != ""]
    load = served.groupby(["point_id", "need", "group"], as_index=False)["population"].sum()
    load = load.rename(columns={"point_id": "id", "population": "residents"})
    frames = []
    for need in NEED_CODES:
        for group in GROUPS:
            cats = eligible_categories(need, group)
            p = points.loc[points["category"].isin(list(cats)), ["id", "name", "category"]]
            frames.append(p.assign(need=need, group=group))
    grid = pd.concat(frames, ignore_index=True)
    grid = grid[grid["need"].isin(access["need"].unique())]
    out = grid.merge(load, on=["id", "need", "group"], how="left")
    out["residents"] = out["residents"].fillna(0).astype("int64")
    return out


def reception_access(points: gpd.GeoDataFrame, model: TravelTimeModel,
                     needs: tuple[str, ...] = ("kela", "social_walkin", "social_any", "english"),
                     group: str = "fi", eligibility: dict[str, str] | None = None,
                     organisers: dict[str, str] | None = None,
                     areas: gpd.GeoDataFrame | None = None,
                     include_target_groups: bool = False) -> pd.DataFrame:
    """From each reception centre to the nearest point of each need (``group`` language).

    Residents of a reception centre follow the eligibility rule of the centre's
    municipality (its organiser for 'organiser' needs). ``areas`` (the demand units,
    EPSG:3067): a point in the same area as the centre gets the within-area (intrazonal)
    time of :mod:`planner.traveltime.intrazonal`, as residents' trips do, not the ~0 min
    of two sites placed at one postal-area point (issue 24).
    """
    centres = points[points["category"] == "reception_centre"]
    targets = points[(points["category"] != "reception_centre")
                     & (include_target_groups | ~targeted_mask(points))]
    if centres.empty:
        return pd.DataFrame(columns=["reception_centre_id", "name", "municipality_code", "need",
                                     "point_id", "point_name", "time_min", "time_error_p90_min"])
    rules = dict(DEFAULT_ELIGIBILITY) if eligibility is None else {**DEFAULT_ELIGIBILITY, **eligibility}
    ids = targets["id"].to_numpy(dtype=object)
    times = (model_times(model, xy(centres), xy(targets), ids, "reception centres")
             if len(targets) else np.empty((len(centres), 0)))
    if areas is not None and len(targets):
        times = _within_area_times(model, areas, xy(centres), xy(targets), times, ids)
    errs = error_p90_min(model, xy(centres), xy(targets), ids)
    cats = targets["category"].to_numpy()
    same_org = None
    if organisers is not None:
        same_org = organiser_mask(centres["municipality_code"].to_numpy(dtype=object),
                                  targets["municipality_code"].to_numpy(dtype=object), organisers)
    rows = []
    for need in needs:
        mask = np.isin(cats, list(eligible_categories(need, group)))
        if rules.get(need) == "organiser" and same_org is not None:
            mask = same_org & mask[None, :]
        idx, t = nearest(times, mask)
        for k, (_, c) in enumerate(centres.iterrows()):
            rows.append({
                "reception_centre_id": c["id"], "name": c["name"],
                "municipality_code": c["municipality_code"], "need": need,
                "point_id": targets["id"].iloc[idx[k]] if idx[k] >= 0 else "",
                "point_name": targets["name"].iloc[idx[k]] if idx[k] >= 0 else "",
                "time_min": t[k],
                "time_error_p90_min": errs[k, idx[k]] if idx[k] >= 0 else np.nan,
            })
    return pd.DataFrame(rows)


def _within_area_times(model: TravelTimeModel, areas: gpd.GeoDataFrame, centres_xy: np.ndarray,
                       targets_xy: np.ndarray, times: np.ndarray,
                       target_ids: np.ndarray | None = None) -> np.ndarray:
    """``times`` with every centre -> target pair inside one demand area replaced by the mean
    time from points spread over that area to the target (the intrazonal rule). ``target_ids``
    go to a model that matches destinations by id."""
    from ..traveltime.intrazonal import area_samples, intrazonal_pairs

    c_rows, c_idx = intrazonal_pairs(areas, centres_xy)
    t_rows, t_idx = intrazonal_pairs(areas, targets_xy)
    area_of_centre = dict(zip(c_idx.tolist(), c_rows.tolist(), strict=True))
    area_of_target = dict(zip(t_idx.tolist(), t_rows.tolist(), strict=True))
    out = times.copy()
    geom = areas.geometry.to_numpy()
    for i, a in area_of_centre.items():
        for j in [j for j, b in area_of_target.items() if b == a]:
            t = np.asarray(model_times(model, area_samples(geom[a]), targets_xy[j:j + 1],
                                       None if target_ids is None else target_ids[j:j + 1]), float)[:, 0]
            finite = t[np.isfinite(t)]
            out[i, j] = finite.mean() if len(finite) else out[i, j]
    return out


PROVENANCE_KEYS = ("model", "mode", "network_source", "osm_date", "data_year", "scenario",
                   "network_date", "unlocated_points", "eligibility", "demand_weight",
                   "remote_share", "frequency", "matrix_coverage", "merge_redirected", "pt_wait",
                   "proxy_points", "target_groups")


def with_provenance(df: pd.DataFrame, provenance: dict[str, str],
                    keys: tuple[str, ...] = PROVENANCE_KEYS) -> pd.DataFrame:
    """Append provenance columns (model, mode, network source and OSM date, data year, scenario
    (unless the table has its own ``scenario`` column: comparison rows of several scenarios keep
    theirs),
    the network's date, unlocated points, eligibility rules, demand weight, remote share and
    the frequency assumption, an imported matrix's coverage; those after the scenario only when
    the provenance has them)."""
    out = df.copy()
    for k in keys:
        if k == "scenario" and k in out.columns:  # issue 24: a row keeps its own scenario's name
            continue
        if k in PROVENANCE_KEYS[:6] or k in provenance:
            out[k] = provenance.get(k, "")
    return out


