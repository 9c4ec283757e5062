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

from .categories import GROUPS, NEED_CODES, eligible_categories
from .settings import DEFAULT_SETTINGS
from .traveltime import TravelTimeMatrix, TravelTimeModel, xy

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
]

ALL_GROUPS = "all"


def nearest(times: np.ndarray, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index and time of the nearest eligible column for every row.

    Rows of NaN (unlocated) give (-1, NaN); rows with no reachable eligible point
    give (-1, inf).

    >>> t = np.array([[5.0, 2.0, 9.0], [np.inf, np.inf, 1.0], [np.nan] * 3])
    >>> nearest(t, np.array([True, True, False]))
    (array([ 1, -1, -1]), array([ 2., inf, nan]))
    """
    n = times.shape[0]
    idx = np.full(n, -1, dtype=np.int64)
    best = np.full(n, np.inf)
    cols = np.flatnonzero(eligible)
    unlocated = np.isnan(times).all(axis=1) if times.shape[1] else np.zeros(n, bool)
    if len(cols):
        sub = np.where(np.isnan(times[:, cols]), np.inf, times[:, cols])
        j = np.argmin(sub, axis=1)
        t = sub[np.arange(n), j]
        ok = np.isfinite(t)
        idx[ok] = cols[j[ok]]
        best = t
    best[unlocated] = np.nan
    return idx, best


def unit_access(units: gpd.GeoDataFrame, points: gpd.GeoDataFrame, ttm: TravelTimeMatrix,
                needs: tuple[str, ...] = NEED_CODES, merges: dict[str, str] | None = None,
                before: pd.DataFrame | None = None) -> pd.DataFrame:
    """Nearest eligible point and time for every unit x need x language group.

    Returns columns ``unit_id, need, group, population, located, point_id, time_min``
    (``point_id`` empty and ``time_min`` inf when nothing is reachable, NaN for
    unlocated residents). Only open points (rows of ``points``) are considered.

    ``merges`` (closed point id -> kept point id) with ``before`` (this function's
    result before the merge) moves the closed points' clients to the kept point, for
    the needs the kept point serves, even where another point is nearer.
    """
    times = ttm.columns(points["id"].to_numpy())
    if list(ttm.origin_ids) != list(units["unit_id"]):
        raise ValueError("travel-time matrix rows do not match the demand units")
    cats = points["category"].to_numpy()
    ids = points["id"].to_numpy(dtype=object)
    col = {p: j for j, p in enumerate(ids)}
    frames = []
    for need in needs:
        for group in GROUPS:
            serves = eligible_categories(need, group)
            idx, t = nearest(times, np.isin(cats, list(serves)))
            pid = np.where(idx >= 0, ids[np.maximum(idx, 0)], "")
            if merges and before is not None:
                was = before.loc[(before["need"] == need) & (before["group"] == group), "point_id"]
                was = was.to_numpy()
                for gone, kept in merges.items():
                    j = col.get(kept)
                    if j is None or cats[j] not in serves:
                        continue  # the kept point does not serve this need: nearest applies
                    moved = (was == gone) & ~np.isnan(t)
                    pid[moved] = kept
                    t = np.where(moved, times[:, j], t)
            frames.append(pd.DataFrame({
                "unit_id": units["unit_id"].to_numpy(),
                "need": need,
                "group": group,
                "population": units[f"pop_{group}"].to_numpy(dtype="int64"),
                "located": units["located"].to_numpy(dtype=bool),
                "point_id": pid,
                "time_min": t,
            }))
    return pd.concat(frames, ignore_index=True)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Smallest value v such that at least share q of the weight has value <= v.

    NumPy's weighted ``inverted_cdf`` quantile; rows of zero weight are ignored, no
    weight at all gives NaN. :func:`group_stats` computes the same for many groups at
    once (checked against this in tests/test_packaging.py).

    >>> weighted_quantile(np.array([10.0, 20.0, 30.0]), np.array([1, 1, 2]), 0.5)
    20.0
    """
    w = np.asarray(weights, float)
    keep = w > 0
    if not keep.any():
        return float("nan")
    return float(np.quantile(np.asarray(values, float)[keep], q, weights=w[keep], method="inverted_cdf"))


def group_stats(df: pd.DataFrame, keys: list[str], time_col: str = "time_min",
                thresholds: tuple[int, ...] = DEFAULT_SETTINGS.thresholds_min) -> pd.DataFrame:
    """Population-weighted travel-time statistics per group of ``keys``, vectorised.

    Columns: ``population, pop_unlocated, pop_unreachable, mean_min, median_min, p90_min,
    pop_within_<T>, pct_within_<T>``. ``time_col`` NaN = unlocated (counted, not timed),
    inf = unreachable (in median / p90 as infinite, not in the mean).
    """
    grouped = df.groupby(keys, sort=True)
    codes = grouped.ngroup().to_numpy()
    n = grouped.ngroups
    pop = df["population"].to_numpy(dtype=float)
    t = df[time_col].to_numpy(dtype=float)
    located = ~np.isnan(t)
    reach = located & np.isfinite(t)

    def total(mask: np.ndarray, values: np.ndarray = pop) -> np.ndarray:
        return np.bincount(codes, weights=np.where(mask, values, 0.0), minlength=n)

    out = grouped.size().reset_index()[keys]
    out["population"] = total(np.ones_like(located)).round().astype("int64")
    out["pop_unlocated"] = total(~located).round().astype("int64")
    out["pop_unreachable"] = total(located & ~reach).round().astype("int64")
    w_reach = total(reach)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_min"] = total(reach, pop * np.where(reach, t, 0.0)) / w_reach
    # weighted quantiles: sort located rows by (group, time), search the cumulative weights
    idx = np.flatnonzero(located)
    order = idx[np.lexsort((t[idx], codes[idx]))]
    c, v, w = codes[order], t[order], pop[order]
    cum = np.cumsum(w)
    w_loc = np.bincount(c, weights=w, minlength=n)
    start = np.concatenate([[0.0], np.cumsum(w_loc)[:-1]])
    last = np.searchsorted(c, np.arange(n), side="right") - 1
    for q, col in ((0.5, "median_min"), (0.9, "p90_min")):
        k = np.searchsorted(cum, start + q * w_loc - 1e-9, side="left")
        k = np.minimum(k, np.maximum(last, 0))
        out[col] = np.where(w_loc > 0, v[k] if len(v) else np.nan, np.nan)
    base = total(located)
    for th in thresholds:
        within = total(reach & (t <= th))
        out[f"pop_within_{th}"] = within.round().astype("int64")
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"pct_within_{th}"] = np.where(base > 0, 100.0 * within / base, np.nan)
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
    out = out.rename(columns={key: "area"})
    out.insert(0, "level", key)
    order = {n: i for i, n in enumerate(NEED_CODES)}
    gorder = {"fi": 0, "sv": 1, ALL_GROUPS: 2}
    return out.sort_values(["area", "need", "group"],
                           key=lambda s: s.map(order) if s.name == "need" else
                           s.map(gorder) if s.name == "group" else s).reset_index(drop=True)


def summary_tables(access: pd.DataFrame, units: pd.DataFrame,
                   thresholds: tuple[int, ...] = DEFAULT_SETTINGS.thresholds_min,
                   ) -> dict[str, pd.DataFrame]:
    """Summaries by municipality, service area and the whole region."""
    by_muni = summarise(access, units, "municipality", thresholds)
    return {
        "summary_municipality": by_muni,
        "summary_service_area": summarise(access, units, "service_area", thresholds),
        "summary_region": summarise(access, units, None, thresholds),
    }


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
                     group: str = "fi") -> pd.DataFrame:
    """From each reception centre to the nearest point of each need (``group`` language)."""
    centres = points[points["category"] == "reception_centre"]
    targets = points[points["category"] != "reception_centre"]
    if centres.empty:
        return pd.DataFrame(columns=["reception_centre_id", "name", "municipality_code", "need",
                                     "point_id", "point_name", "time_min"])
    times = model.times(xy(centres), xy(targets)) if len(targets) else np.empty((len(centres), 0))
    cats = targets["category"].to_numpy()
    rows = []
    for need in needs:
        idx, t = nearest(times, np.isin(cats, list(eligible_categories(need, group))))
        for k, (_, c) in enumerate(centres.iterrows()):
            rows.append({
                "reception_centre_id": c["id"], "name": c["name"],
                "municipality_code": c["municipality_code"], "need": need,
                "point_id": targets["id"].iloc[idx[k]] if idx[k] >= 0 else "",
                "point_name": targets["name"].iloc[idx[k]] if idx[k] >= 0 else "",
                "time_min": t[k],
            })
    return pd.DataFrame(rows)


def with_provenance(df: pd.DataFrame, provenance: dict[str, str],
                    keys: tuple[str, ...] = ("model", "mode", "network_source", "osm_date",
                                             "data_year", "scenario")) -> pd.DataFrame:
    """Append provenance columns (model, mode, network source and OSM date, data year, scenario)."""
    out = df.copy()
    for k in keys:
        out[k] = provenance.get(k, "")
    return out


