"""Comparing results: before/after per demand unit, per area, per service point, equity gaps.

All tables are long and tidy, keyed by ``scenario`` so several scenarios stack into one
table. Time changes are ``after - before`` in minutes: positive = residents lose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .accessibility import ALL_GROUPS, group_stats
from .study import Results

__all__ = ["unit_changes", "area_changes", "load_changes", "equity", "worst_off", "compare_all",
           "LOSS_THRESHOLDS"]

LOSS_THRESHOLDS = (10, 20)


def unit_changes(before: Results, after: Results) -> pd.DataFrame:
    """Per unit x need x group: time before, after and the change (min).

    With an estimated model also ``time_error_p90_min_before`` / ``_after``: the model's
    cross-validated p90 absolute error (min) at the distance of the trip before and after.
    """
    keys = ["unit_id", "need", "group"]
    b = before.access.set_index(keys)
    a = after.access.set_index(keys)
    out = b[["population", "located"]].copy()
    out["point_before"] = b["point_id"]
    out["point_after"] = a["point_id"]
    out["time_before"] = b["time_min"]
    out["time_after"] = a["time_min"]
    if "time_error_p90_min" in a.columns:  # the estimate's p90 error of each trip, before and after
        out["time_error_p90_min_before"] = b["time_error_p90_min"] if "time_error_p90_min" in b.columns \
            else np.nan
        out["time_error_p90_min_after"] = a["time_error_p90_min"]
    with np.errstate(invalid="ignore"):
        delta = out["time_after"] - out["time_before"]
    # losing or gaining access altogether is an infinite change, not NaN
    delta = delta.where(~(np.isinf(out["time_after"]) & np.isfinite(out["time_before"])), np.inf)
    delta = delta.where(~(np.isinf(out["time_before"]) & np.isfinite(out["time_after"])), -np.inf)
    delta = delta.where(~(np.isinf(out["time_before"]) & np.isinf(out["time_after"])), 0.0)
    out["delta_min"] = delta
    out["scenario"] = after.provenance.get("scenario", "")
    return out.reset_index()


def area_changes(changes: pd.DataFrame, units: pd.DataFrame, by: str | None,
                 thresholds: tuple[int, ...] = (15, 30, 45, 60)) -> pd.DataFrame:
    """Before/after statistics per area (``by`` a unit column, or None for the region).

    ``time_error_p90_min_before`` / ``_after`` (estimated models only): the population-weighted
    median of the residents' trip errors, so "24 min" reads "24 ± N" before and after.
    """
    key = by or "region"
    extra = units[["unit_id", by]] if by else units[["unit_id"]].assign(region="Uusimaa")
    df = changes.merge(extra, on="unit_id", how="left", validate="many_to_one")
    df = pd.concat([df, df.assign(group=ALL_GROUPS)], ignore_index=True)
    keys = [key, "need", "group"]
    before = group_stats(df, keys, "time_before", thresholds, error_col="time_error_p90_min_before")
    after = group_stats(df, keys, "time_after", thresholds, error_col="time_error_p90_min_after")
    out = before[keys + ["population", "pop_unlocated"]].rename(columns={key: "area"})
    out.insert(0, "level", key)
    stats = ["mean_min", "median_min", "p90_min", "pop_unreachable", *[f"pop_within_{t}" for t in thresholds]]
    if "time_error_p90_min" in after.columns:  # the estimate's error at the residents' distances
        stats.append("time_error_p90_min")
    for k in stats:
        out[f"{k}_before"] = before[k].to_numpy()
        out[f"{k}_after"] = after[k].to_numpy()
    out["mean_change_min"] = out["mean_min_after"] - out["mean_min_before"]
    d = df["delta_min"].to_numpy()
    pop = df["population"].to_numpy(dtype=float)
    codes = df.groupby(keys, sort=True).ngroup().to_numpy()

    def total(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=np.where(mask, pop, 0.0), minlength=len(out)).round() \
            .astype("int64")

    with np.errstate(invalid="ignore"):
        for t in LOSS_THRESHOLDS:
            out[f"pop_lose_gt_{t}"] = total(d > t)
        out["pop_lose_access"] = total(np.isposinf(d))
        out["pop_worse"] = total(d > 0)
        out["pop_better"] = total(d < 0)
    out["scenario"] = changes["scenario"].iloc[0] if len(changes) else ""
    return out


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


def equity(area_table: pd.DataFrame) -> pd.DataFrame:
    """Gaps before and after: Swedish minus Finnish speakers per area, and between areas.

    ``kind = language`` rows: median / mean minutes of ``sv`` minus ``fi`` in each area.
    ``kind = between_areas`` rows: the spread (max - min) and the ratio (max / min) of the
    areas' medians for group ``all``.
    """
    rows = []
    for (area, need), g in area_table.groupby(["area", "need"]):
        gi = g.set_index("group")
        if {"fi", "sv"} <= set(gi.index):
            row = {"kind": "language", "area": area, "need": need}
            for when in ("before", "after"):
                for stat in ("median_min", "mean_min"):
                    with np.errstate(invalid="ignore"):  # inf - inf: nobody served either way
                        gap = gi.loc["sv", f"{stat}_{when}"] - gi.loc["fi", f"{stat}_{when}"]
                    row[f"sv_minus_fi_{stat}_{when}"] = gap
            rows.append(row)
    allg = area_table[area_table["group"] == ALL_GROUPS]
    for need, g in allg.groupby("need"):
        row = {"kind": "between_areas", "area": f"all {g['level'].iloc[0]}", "need": need}
        for when in ("before", "after"):
            med = g[f"median_min_{when}"].replace([np.inf], np.nan).dropna()
            row[f"spread_median_min_{when}"] = float(med.max() - med.min()) if len(med) else np.nan
            row[f"ratio_median_{when}"] = float(med.max() / med.min()) if len(med) and med.min() > 0 \
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
        extra = {f"time_error_p90_min_{w}": (f"time_error_p90_min_{w}", "max") for w in ("before", "after")}
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
    return {
        "unit_changes": ch,
        **areas,
        "worst_off": worst,
        "point_load_change": load_changes(before, after),
        "equity": pd.concat([equity(areas["compare_service_area"]), equity(areas["compare_region"])],
                            ignore_index=True),
    }
