"""Comparing results: before/after per demand unit, per area, per service point, equity gaps.

All tables are long and tidy, keyed by ``scenario`` so several scenarios stack into one
table. Time changes are ``after - before`` in minutes: positive = residents lose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .accessibility import ALL_GROUPS, stats_by_code
from .study import Results

__all__ = ["unit_changes", "area_changes", "load_changes", "equity", "worst_off", "compare_all",
           "LOSS_THRESHOLDS"]

LOSS_THRESHOLDS = (10, 20)


def unit_changes(before: Results, after: Results) -> pd.DataFrame:
    """Per unit x need x group: time before, after and the change (min).

    With an estimated model also ``time_error_p90_min_before`` / ``_after``: the model's
    cross-validated p90 absolute error (min) at the distance of the trip before and after.
    Issue 14: ``visits_per_week``, ``wait_days`` (days) and ``expected_burden_min`` of the
    nearest point, ``_before`` and ``_after``, so a fixed point replaced by a mobile stop shows
    the minutes gained and the days of waiting added.
    """
    keys = ["unit_id", "need", "group"]
    b, a = before.access, after.access
    aligned = len(a) == len(b) and all(
        np.array_equal(b[k].to_numpy(dtype=object), a[k].to_numpy(dtype=object)) for k in keys)
    if not aligned:  # rows in another order: align on the keys (after's rows follow before's)
        a = a.set_index(keys).reindex(pd.MultiIndex.from_frame(b[keys])).reset_index()
    t_b = b["time_min"].to_numpy(dtype=float)
    t_a = a["time_min"].to_numpy(dtype=float)
    cols = {k: pd.Series(b[k].to_numpy(dtype=object), dtype=object) for k in keys}
    cols.update(population=b["population"].to_numpy(), located=b["located"].to_numpy(),
                point_before=pd.Series(b["point_id"].to_numpy(dtype=object), dtype=object),
                point_after=pd.Series(a["point_id"].to_numpy(dtype=object), dtype=object),
                time_before=t_b, time_after=t_a)
    if "time_error_p90_min" in a.columns:  # the estimate's p90 error of each trip, before and after
        cols["time_error_p90_min_before"] = b["time_error_p90_min"].to_numpy(dtype=float) \
            if "time_error_p90_min" in b.columns else np.full(len(b), np.nan)
        cols["time_error_p90_min_after"] = a["time_error_p90_min"].to_numpy(dtype=float)
    if "extrapolated" in a.columns and "extrapolated" in b.columns:  # issue 24: error not measured
        cols["extrapolated_before"] = b["extrapolated"].to_numpy(dtype=bool)
        cols["extrapolated_after"] = a["extrapolated"].to_numpy(dtype=bool)
    for col in ("visits_per_week", "wait_days", "expected_burden_min"):  # issue 14, before and after
        if col in a.columns and col in b.columns:
            cols[f"{col}_before"] = b[col].to_numpy(dtype=float)
            cols[f"{col}_after"] = a[col].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        delta = t_a - t_b
    # losing or gaining access altogether is an infinite change, not NaN
    delta = np.where(np.isinf(t_a) & np.isfinite(t_b), np.inf, delta)
    delta = np.where(np.isinf(t_b) & np.isfinite(t_a), -np.inf, delta)
    delta = np.where(np.isinf(t_b) & np.isinf(t_a), 0.0, delta)
    cols["delta_min"] = delta
    cols["scenario"] = after.provenance.get("scenario", "")
    return pd.DataFrame(cols)


def area_changes(changes: pd.DataFrame, units: pd.DataFrame, by: str | None,
                 thresholds: tuple[int, ...] = (15, 30, 45, 60)) -> pd.DataFrame:
    """Before/after statistics per area (``by`` a unit column, or None for the region).

    Issue 24: over the same people. ``pop_no_point_before`` / ``_after``, ``pop_lost_access``
    and ``improved_by_exclusion`` (:func:`exclusion_columns`) come before any time statistic;
    residents with no point count as beyond every threshold (``pop_within_<T>``) and later than
    everyone in ``median_min`` / ``p90_min`` (NaN with ``stats_note`` where the quantile falls
    among them); ``mean_min_served`` is over the residents served, beside ``share_served``.
    ``time_error_p90_min_before`` / ``_after`` (estimated models only): the population-weighted
    median of the residents' trip errors, so "24 min" reads "24 ± N" before and after.
    """
    key = by or "region"
    n_rows = len(changes)
    # integer codes instead of pandas grouping (the click path): unit -> area, need, group
    upos = _unit_positions(changes["unit_id"].to_numpy(dtype=object), units["unit_id"].to_numpy(dtype=object))
    if (upos < 0).any():
        raise ValueError(f"unit_changes has units not in the demand units: "
                         f"{changes['unit_id'][upos < 0].unique()[:5].tolist()}")
    areas_of_units = units[by].to_numpy(dtype=object) if by else np.full(len(units), "Uusimaa", dtype=object)
    area_codes, area_names = pd.factorize(pd.Series(areas_of_units, dtype=object).fillna("(none)"),
                                          sort=True)
    need_codes, need_names = pd.factorize(changes["need"], sort=True)
    groups = sorted({*changes["group"].unique(), ALL_GROUPS})  # 'all' sorts before 'fi', 'sv'
    g_index = {g: i for i, g in enumerate(groups)}
    gc, gn = pd.factorize(changes["group"])
    group_codes = np.array([g_index[g] for g in gn], dtype=np.int64)[gc]
    n_need, n_group = len(need_names), len(groups)
    code = (area_codes[upos] * n_need + need_codes) * n_group
    # every row twice: in its own language group and in 'all'
    full = np.concatenate([code + group_codes, code + g_index[ALL_GROUPS]])
    present, codes = np.unique(full, return_inverse=True)
    n = len(present)

    def twice(col: str) -> np.ndarray:
        v = changes[col].to_numpy(dtype=float)
        return np.concatenate([v, v])

    pop = twice("population")
    err_b = twice("time_error_p90_min_before") if "time_error_p90_min_before" in changes.columns else None
    err_a = twice("time_error_p90_min_after") if "time_error_p90_min_after" in changes.columns else None
    an = area_codes[upos] * n_need + need_codes
    inv = np.searchsorted(present, full)  # == codes; row -> output group

    def order_of(col: str) -> np.ndarray | None:
        return None if col not in changes.columns else \
            _doubled_order(an, group_codes, g_index[ALL_GROUPS], n_group, inv,
                           changes[col].to_numpy(dtype=float))

    before = stats_by_code(codes, n, pop, twice("time_before"), thresholds, err_b,
                           (order_of("time_before"), order_of("time_error_p90_min_before")))
    after = stats_by_code(codes, n, pop, twice("time_after"), thresholds, err_a,
                          (order_of("time_after"), order_of("time_error_p90_min_after")))
    cols: dict[str, object] = {
        "level": key,
        "area": area_names.to_numpy(dtype=object)[present // (n_need * n_group)],
        "need": np.asarray(need_names, dtype=object)[(present // n_group) % n_need],
        "group": np.asarray(groups, dtype=object)[present % n_group],
        "population": before["population"], "pop_unlocated": before["pop_unlocated"],
    }
    # issue 24: who has no point and who lost it come before any time statistic
    cols.update(exclusion_columns(codes, n, pop, twice("time_before"), twice("time_after"), before, after))
    stats = ["share_served", "mean_min_served", "median_min", "p90_min", "stats_note", "pop_unreachable",
             *[f"pop_within_{t}" for t in thresholds]]
    if err_a is not None:  # the estimate's error at the residents' distances
        stats.append("time_error_p90_min")
    for k in stats:
        cols[f"{k}_before"] = before[k]
        cols[f"{k}_after"] = after[k]
    for col in ("wait_days", "expected_burden_min"):  # issue 14: mean over reachable residents
        if f"{col}_before" in changes.columns:
            name = "mean_wait_days" if col == "wait_days" else "mean_burden_min"
            for when in ("before", "after"):
                v = twice(f"{col}_{when}")
                ok = np.isfinite(v)
                w = np.bincount(codes, weights=np.where(ok, pop, 0.0), minlength=n)
                with np.errstate(invalid="ignore", divide="ignore"):
                    cols[f"{name}_{when}"] = np.bincount(
                        codes, weights=np.where(ok, pop * np.where(ok, v, 0.0), 0.0), minlength=n) / w
    d = twice("delta_min")

    def total(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=np.where(mask, pop, 0.0), minlength=n).round().astype("int64")

    with np.errstate(invalid="ignore"):
        for t in LOSS_THRESHOLDS:
            cols[f"pop_lose_gt_{t}"] = total(d > t)
        cols["pop_worse"] = total(d > 0)
        cols["pop_better"] = total(d < 0)
    cols["scenario"] = changes["scenario"].iloc[0] if n_rows else ""
    return pd.DataFrame(cols)


def exclusion_columns(codes: np.ndarray, n: int, pop: np.ndarray, t_b: np.ndarray, t_a: np.ndarray,
                      before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Issue 24: the same people before and after, per output group.

    ``pop_no_point_before`` / ``_after`` (located residents with no eligible point),
    ``pop_lost_access`` (a point before, none after), ``mean_change_min_served_both`` (mean
    change over the residents served both before and after: the same people) and
    ``improved_by_exclusion``: True where the mean over those served falls by more than the
    residents served both before and after gain, while residents lost access, i.e. part or
    all of the "improvement" is residents dropping out of the mean.
    """
    both = np.isfinite(t_b) & np.isfinite(t_a)

    def total(mask: np.ndarray, values: np.ndarray = pop) -> np.ndarray:
        return np.bincount(codes, weights=np.where(mask, values, 0.0), minlength=n)

    lost = total(np.isfinite(t_b) & np.isposinf(t_a)).round().astype("int64")
    w = total(both)
    with np.errstate(invalid="ignore", divide="ignore"):
        kept = total(both, pop * np.where(both, t_a - t_b, 0.0)) / w
        served = after["mean_min_served"] - before["mean_min_served"]
    gain = np.where(np.isnan(kept), 0.0, kept)
    flag = (lost > 0) & (served < -1e-9) & (served < gain - 1e-9)
    return {"pop_no_point_before": before["pop_no_point"], "pop_no_point_after": after["pop_no_point"],
            "pop_lost_access": lost, "improved_by_exclusion": flag, "mean_change_min_served_both": kept}


def _doubled_order(an: np.ndarray, group_codes: np.ndarray, all_code: int, n_group: int,
                   codes: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rows of the doubled table (each row in its own group, then again in 'all') sorted by
    (output group, v), from one sort of the single rows by (area x need, v).

    Within an area x need the 'all' rows are its rows sorted by value; each language group's
    rows are the same sequence filtered, so no second sort is needed, only a stable integer
    sort of the output codes (radix sort while they fit in 16 bits).
    """
    m = len(v)
    single = np.lexsort((v, an))
    seq = np.concatenate([single + m] + [single[group_codes[single] == g] for g in range(n_group)
                                         if g != all_code])
    key = codes[seq]
    key = key.astype(np.int16) if key.size and key.max() < 2**15 else key
    return seq[np.argsort(key, kind="stable")]


def _unit_positions(ids: np.ndarray, unit_ids: np.ndarray) -> np.ndarray:
    """Position in ``unit_ids`` of each of ``ids`` (-1 if absent); fast when ``ids`` repeats
    ``unit_ids`` block by block, as every access table does."""
    n = len(unit_ids)
    if n and len(ids) % n == 0 and np.array_equal(ids, np.tile(unit_ids, len(ids) // n)):
        return np.tile(np.arange(n), len(ids) // n)
    return pd.Index(unit_ids).get_indexer(ids)


def load_changes(before: Results, after: Results) -> pd.DataFrame:
    """Residents per point (nearest for the needs it serves) before and after."""
    keys = ["id", "need", "group"]
    b = before.load.set_index(keys)[["name", "category", "residents"]]
    a = after.load.set_index(keys)[["name", "category", "residents"]]
    out = b.merge(a, how="outer", left_index=True, right_index=True, suffixes=("_before", "_after"))
    out["name"] = out["name_before"].fillna(out["name_after"])
    out["category"] = out["category_after"].fillna(out["category_before"])
    out["status"] = np.where(out["residents_after"].isna(), "closed",
                             np.where(out["residents_before"].isna(), "opened", "open"))
    out["residents_before"] = out["residents_before"].fillna(0).astype("int64")
    out["residents_after"] = out["residents_after"].fillna(0).astype("int64")
    out["change"] = out["residents_after"] - out["residents_before"]
    out["scenario"] = after.provenance.get("scenario", "")
    return out.reset_index()[["id", "name", "category", "need", "group", "status", "residents_before",
                              "residents_after", "change", "scenario"]]


def equity(area_table: pd.DataFrame, threshold: int = 30) -> pd.DataFrame:
    """Gaps before and after over the same denominators (issue 24): Swedish minus Finnish
    speakers per area, and between areas.

    Every figure counts every located resident of the group, those with no point included
    (as beyond every threshold and later than everyone in the median); no mean over the
    residents served is compared, since its denominator shrinks as residents lose access.

    ``kind = language`` rows: ``sv_minus_fi_median_min_<when>`` (minutes; NaN where either
    median falls among residents with no point, said in ``equity_note``),
    ``sv_minus_fi_pct_within_<T>_<when>`` and ``sv_minus_fi_share_served_<when>`` (percentage
    points). ``kind = between_areas`` rows: the spread (max - min) and the ratio (max / min) of
    the areas' medians for group ``all`` over the areas whose median is a number of minutes,
    ``areas_median_no_point_<when>`` counting the others, and the spread of the share within T.
    """
    tab = area_table.copy()
    located = (tab["population"] - tab["pop_unlocated"]).astype(float)
    for when in ("before", "after"):
        with np.errstate(invalid="ignore", divide="ignore"):
            tab[f"pct_within_{when}"] = np.where(located > 0, 100.0 * tab[f"pop_within_{threshold}_{when}"]
                                                 / located.where(located > 0, 1.0), np.nan)
        tab[f"share_{when}"] = 100.0 * tab[f"share_served_{when}"]
    rows = []
    for (area, need), g in tab.groupby(["area", "need"]):
        gi = g.set_index("group")
        if {"fi", "sv"} <= set(gi.index):
            row: dict[str, object] = {"kind": "language", "area": area, "need": need}
            notes = []
            for when in ("before", "after"):
                row[f"sv_minus_fi_median_min_{when}"] = gi.loc["sv", f"median_min_{when}"] - \
                    gi.loc["fi", f"median_min_{when}"]
                row[f"sv_minus_fi_pct_within_{threshold}_{when}"] = gi.loc["sv", f"pct_within_{when}"] - \
                    gi.loc["fi", f"pct_within_{when}"]
                row[f"sv_minus_fi_share_served_{when}"] = gi.loc["sv", f"share_{when}"] - \
                    gi.loc["fi", f"share_{when}"]
                notes += [f"{grp} {when}: {gi.loc[grp, f'stats_note_{when}']}" for grp in ("fi", "sv")
                          if gi.loc[grp, f"stats_note_{when}"]]
            row["equity_note"] = "; ".join(notes)
            rows.append(row)
    allg = tab[tab["group"] == ALL_GROUPS]
    for need, g in allg.groupby("need"):
        row = {"kind": "between_areas", "area": f"all {g['level'].iloc[0]}", "need": need}
        for when in ("before", "after"):
            med = g[f"median_min_{when}"].dropna()
            row[f"spread_median_min_{when}"] = float(med.max() - med.min()) if len(med) else np.nan
            row[f"ratio_median_{when}"] = float(med.max() / med.min()) if len(med) and med.min() > 0 \
                else np.nan
            row[f"areas_median_no_point_{when}"] = int(g[f"median_min_{when}"].isna().sum())
            pct = g[f"pct_within_{when}"].dropna()
            row[f"spread_pct_within_{threshold}_{when}"] = float(pct.max() - pct.min()) if len(pct) \
                else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    out["scenario"] = area_table["scenario"].iloc[0] if len(area_table) else ""
    return out


def worst_off(changes: pd.DataFrame, units: pd.DataFrame, need: str, group: str = ALL_GROUPS,
              n: int = 10) -> pd.DataFrame:
    """The ``n`` demand units losing most minutes for ``need`` (population-weighted for ``all``)."""
    sel = changes[changes["need"] == need]
    if group != ALL_GROUPS:
        sel = sel[sel["group"] == group]
    sel = sel[sel["population"] > 0].copy()
    sel["weighted"] = sel["delta_min"].replace([np.inf], 1e9) * sel["population"]
    extra = {}
    if "time_error_p90_min_after" in sel.columns:  # the larger error of the unit's trips (fi / sv)
        # a unit with one trip whose error is not measured (extrapolated) shows no ± (NaN)
        extra = {f"time_error_p90_min_{w}": (f"time_error_p90_min_{w}", lambda s: s.max(skipna=False))
                 for w in ("before", "after")}
    agg = sel.groupby("unit_id").agg(population=("population", "sum"), weighted=("weighted", "sum"),
                                     max_delta_min=("delta_min", "max"), **extra)
    agg["mean_delta_min"] = agg["weighted"] / agg["population"]
    agg.loc[agg["mean_delta_min"] >= 1e8, "mean_delta_min"] = np.inf
    agg = agg[[c for c in agg.columns if not c.startswith("time_error")] + list(extra)]
    agg = agg[agg["max_delta_min"] > 0].sort_values(["mean_delta_min", "population"],
                                                    ascending=False).head(n)
    info = units.set_index("unit_id")[["name", "municipality", "service_area"]]
    out = agg.drop(columns="weighted").join(info).reset_index()
    out.insert(0, "need", need)
    out.insert(1, "group", group)
    out["scenario"] = changes["scenario"].iloc[0] if len(changes) else ""
    return out


def compare_all(before: Results, after: Results, units: pd.DataFrame,
                thresholds: tuple[int, ...] = (15, 30, 45, 60)) -> dict[str, pd.DataFrame]:
    """Every comparison table of one scenario against the baseline."""
    ch = unit_changes(before, after)
    areas = {
        "compare_region": area_changes(ch, units, None, thresholds),
        "compare_service_area": area_changes(ch, units, "service_area", thresholds),
        "compare_municipality": area_changes(ch, units, "municipality", thresholds),
    }
    worst = pd.concat([worst_off(ch, units, need) for need in ch["need"].unique()], ignore_index=True)
    eq_t = 30 if 30 in thresholds else thresholds[0]
    return {
        "unit_changes": ch,
        **areas,
        "worst_off": worst,
        "point_load_change": load_changes(before, after),
        "equity": pd.concat([equity(areas["compare_service_area"], eq_t),
                             equity(areas["compare_region"], eq_t)], ignore_index=True),
    }
