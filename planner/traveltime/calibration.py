"""Fitting the distance-curve estimate and measuring its error on routed travel times.

Reference: the Helsinki Region Travel Time Matrix 2015 (Tenkanen & Toivonen 2020),
all 13,231 cells of the 250 m YKR grid to 5 destination cells spread over the region
(``geodata/helsinki_region/travel_times_2015_calibration.gpkg``). Per mode the
reference column is:

walk ``walk_t`` · drive ``car_m_t`` (midday) · drive_rush ``car_r_t`` · pt ``pt_m_t``
(midday, without the wait before the first leg) · pt_rush ``pt_r_t``.

Car times include walking to and from the car and parking; -1 marks no route (that
pair is left out for that mode); the five pairs of a destination cell to itself
(0 m, 0 min) are left out because a % error of 0 min is undefined.

Error = |estimate - routed| for pairs whose destination was left out of the fit
(leave-one-destination-out over the 5 destinations), summarised per band of
straight-line distance. Weighting ``population`` (default) weights each pair by the
residents of its origin cell in the bundled HSY 2015 grid (cells without residents
and cells outside Helsinki, Espoo, Vantaa and Kauniainen weigh 0); ``cells`` weighs
every pair equally.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.optimize import lsq_linear

from ..quantiles import weighted_quantile
from ..settings import DEFAULT_SETTINGS, Settings
from .estimate import BANDS_KM, ESTIMATE_MODES, band_index, band_labels, default_params_path

__all__ = ["REFERENCE", "KNOTS_M", "load_calibration", "fit_curve", "cross_validate",
           "error_table", "calibrate", "markdown_table", "params_document", "write_params"]

REFERENCE = {
    "walk": ("walk_t", "walk", "walking times (70 m/min on the street network)"),
    "drive": ("car_m_t", "car, midday", "midday car times (incl. walking to the car and parking)"),
    "drive_rush": ("car_r_t", "car, rush hour",
                   "rush-hour car times (incl. walking to the car and parking)"),
    "pt": ("pt_m_t", "public transport, midday: coarsest estimate",
           "midday public-transport times (door to door, without the wait before the first leg)"),
    "pt_rush": ("pt_r_t", "public transport, rush hour: coarsest estimate",
                "rush-hour public-transport times (door to door, without the wait before the first leg)"),
}
KNOTS_M = (250.0, 500.0, 1000.0, 2000.0, 3500.0, 5000.0, 7500.0, 10000.0, 15000.0, 20000.0,
           27500.0, 35000.0)
IRLS_STEPS = 15


def calibration_path(settings: Settings = DEFAULT_SETTINGS) -> Path:
    return Path(settings.geodata_dir) / "helsinki_region" / "travel_times_2015_calibration.gpkg"


def load_calibration(path: str | Path | None = None, grid: str | Path | None = None,
                     settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Routed pairs: ``from_id, to_id, distance_m, weight`` and the reference time columns.

    ``distance_m``: straight line between cell centres (EPSG:3067); ``weight``: HSY 2015
    residents of the origin cell (0 where the grid has none).
    """
    path = Path(path) if path else calibration_path(settings)
    grid = Path(grid) if grid else Path(settings.geodata_dir) / "helsinki_region" / \
        "population_grid_2015.gpkg"
    cells = gpd.read_file(path, layer="cells").to_crs(settings.crs)
    dest = gpd.read_file(path, layer="destinations").to_crs(settings.crs)
    tt = pd.DataFrame(gpd.read_file(path, layer="travel_times"))
    centres = gpd.GeoDataFrame({"ykr_id": cells["ykr_id"].to_numpy()},
                               geometry=cells.geometry.centroid, crs=cells.crs)
    pop = gpd.read_file(grid)[["ASUKKAITA", "geometry"]].to_crs(settings.crs)
    joined = gpd.sjoin(centres, pop, how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    residents = pd.Series(joined["ASUKKAITA"].fillna(0).to_numpy(float), index=joined["ykr_id"])
    cx = pd.Series(centres.geometry.x.to_numpy(), index=centres["ykr_id"])
    cy = pd.Series(centres.geometry.y.to_numpy(), index=centres["ykr_id"])
    dx = pd.Series(dest.geometry.x.to_numpy(), index=dest["to_id"])
    dy = pd.Series(dest.geometry.y.to_numpy(), index=dest["to_id"])
    f, t = tt["from_id"], tt["to_id"]
    missing = sorted(set(f) - set(cx.index)) + sorted(set(t) - set(dx.index))
    if missing:
        raise ValueError(f"{path}: travel_times refers to cells not in the cells/destinations "
                         f"layers: {missing[:5]}")
    out = tt[["from_id", "to_id"] + [c for c, *_ in REFERENCE.values()]].copy()
    out.insert(2, "distance_m", np.hypot(cx.loc[f].to_numpy() - dx.loc[t].to_numpy(),
                                         cy.loc[f].to_numpy() - dy.loc[t].to_numpy()))
    out.insert(3, "weight", residents.reindex(f).fillna(0).to_numpy())
    return out


def _basis(distance_m: np.ndarray, knots: tuple[float, ...] = KNOTS_M) -> np.ndarray:
    """Design matrix: log-time at each knot = cumulative sum of non-negative steps."""
    lk = np.log(np.asarray(knots))
    ld = np.log(np.clip(distance_m, knots[0], knots[-1]))
    k = np.clip(np.searchsorted(lk, ld) - 1, 0, len(lk) - 2)
    f = (ld - lk[k]) / (lk[k + 1] - lk[k])
    hat = np.zeros((len(ld), len(lk)))
    rows = np.arange(len(ld))
    hat[rows, k] = 1 - f
    hat[rows, k + 1] += f
    return hat @ np.tril(np.ones((len(lk), len(lk))))


def fit_curve(distance_m: np.ndarray, minutes: np.ndarray, weights: np.ndarray,
              knots: tuple[float, ...] = KNOTS_M) -> np.ndarray:
    """Minutes at ``knots`` of the non-decreasing log-log curve through the pairs.

    Weighted least absolute deviations of log-time (iteratively reweighted bounded
    least squares): the curve follows the weighted median, which is what the error
    table reports.
    """
    x = _basis(np.asarray(distance_m, float), knots)
    y = np.log(np.asarray(minutes, float))
    w = np.asarray(weights, float)
    lower = np.zeros(x.shape[1])
    lower[0] = -np.inf  # the first knot's level is free, the steps after it are >= 0
    bounds = (lower, np.full(x.shape[1], np.inf))
    ww = w
    for _ in range(IRLS_STEPS + 1):
        s = np.sqrt(ww)
        coef = lsq_linear(x * s[:, None], y * s, bounds=bounds).x
        ww = w / np.maximum(np.abs(y - x @ coef), 0.01)
    return np.exp(np.cumsum(coef))


def _usable(df: pd.DataFrame, mode: str) -> pd.DataFrame:
    col = REFERENCE[mode][0]
    return df[(df[col] >= 0) & (df["from_id"] != df["to_id"])]


def _curve(knot_minutes: np.ndarray, distance_m: np.ndarray) -> np.ndarray:
    from .estimate import EstimateParams

    p = EstimateParams("fit", KNOTS_M, tuple(knot_minutes), (), (), "", "")
    return p.times_at(distance_m)


def cross_validate(df: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Leave-one-destination-out estimates: ``to_id, distance_m, weight, routed_min, estimate_min``.

    The curve is always fitted with population weights (pairs from cells with
    residents); every usable pair gets an estimate.
    """
    col = REFERENCE[mode][0]
    d = _usable(df, mode)
    est = np.full(len(d), np.nan)
    for dest in sorted(d["to_id"].unique()):
        train = (d["to_id"] != dest).to_numpy() & (d["weight"] > 0).to_numpy()
        knots = fit_curve(d["distance_m"].to_numpy()[train], d[col].to_numpy(float)[train],
                          d["weight"].to_numpy()[train])
        test = (d["to_id"] == dest).to_numpy()
        est[test] = _curve(knots, d["distance_m"].to_numpy()[test])
    return pd.DataFrame({"to_id": d["to_id"].to_numpy(), "distance_m": d["distance_m"].to_numpy(),
                         "weight": d["weight"].to_numpy(), "routed_min": d[col].to_numpy(float),
                         "estimate_min": est})


def error_table(cv: dict[str, pd.DataFrame], weighting: str = "population") -> pd.DataFrame:
    """Median and p90 absolute error (min and %) per mode and distance band, plus ``all``."""
    if weighting not in ("population", "cells"):
        raise ValueError(f"unknown weighting {weighting!r}: expected 'population' or 'cells'")
    rows = []
    labels = band_labels()
    for mode, r in cv.items():
        err = np.abs(r["estimate_min"].to_numpy() - r["routed_min"].to_numpy())
        pct = 100 * err / r["routed_min"].to_numpy()
        w = r["weight"].to_numpy(float) if weighting == "population" else np.ones(len(r))
        band = band_index(r["distance_m"].to_numpy())
        for b, label in [(None, "all"), *enumerate(labels)]:
            m = np.ones(len(r), bool) if b is None else band == b
            rows.append({"mode": mode, "band": label, "pairs": int((m & (w > 0)).sum()),
                         "median_abs_min": weighted_quantile(err[m], w[m], 0.5),
                         "p90_abs_min": weighted_quantile(err[m], w[m], 0.9),
                         "median_abs_pct": weighted_quantile(pct[m], w[m], 0.5),
                         "p90_abs_pct": weighted_quantile(pct[m], w[m], 0.9)})
    return pd.DataFrame(rows)


def params_document(df: pd.DataFrame, table: pd.DataFrame) -> dict:
    """The shipped parameter file: curves fitted on all 5 destinations + CV error per band."""
    modes = {}
    for mode, (col, label, what) in REFERENCE.items():
        d = _usable(df, mode)
        d = d[d["weight"] > 0]
        knots = fit_curve(d["distance_m"].to_numpy(), d[col].to_numpy(float), d["weight"].to_numpy())
        t = table[(table["mode"] == mode) & (table["band"] != "all")]
        modes[mode] = {"label": label, "reference": f"{what} (`{col}`)",
                       "minutes": [round(float(v), 3) for v in knots],
                       "error_p90_min": [round(float(v), 2) for v in t["p90_abs_min"]],
                       "error_median_min": [round(float(v), 2) for v in t["median_abs_min"]]}
    return {
        "about": "Travel-time estimate of the Uusimaa planner: minutes at straight-line distances "
        "knots_m (log-log interpolation, non-decreasing) per mode, and the leave-one-destination-out "
        "cross-validated absolute error (population-weighted, minutes) per distance band. Generated "
        "by `planner calibrate --write` from geodata/helsinki_region/"
        "travel_times_2015_calibration.gpkg (Helsinki Region Travel Time Matrix 2015, "
        "Tenkanen & Toivonen 2020, CC BY 4.0).",
        "bands_km": list(BANDS_KM),
        "knots_m": list(KNOTS_M),
        "modes": modes,
    }


def calibrate(path: str | Path | None = None, weighting: str = "population",
              modes: tuple[str, ...] = ESTIMATE_MODES,
              settings: Settings = DEFAULT_SETTINGS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(error table, calibration pairs) for ``modes``."""
    df = load_calibration(path, settings=settings)
    return error_table({m: cross_validate(df, m) for m in modes}, weighting), df


def write_params(df: pd.DataFrame, table: pd.DataFrame, out: str | Path | None = None,
                 settings: Settings = DEFAULT_SETTINGS) -> Path:
    """Write the parameter JSON (atomically: temp file, then rename)."""
    from .estimate import _read

    out = Path(out) if out else default_params_path(settings)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(params_document(df, table), indent=1) + "\n", encoding="utf-8")
    tmp.replace(out)
    _read.cache_clear()
    return out


def markdown_table(table: pd.DataFrame) -> str:
    """The error table as Markdown (the README's calibration section)."""
    head = ["mode", "distance", "pairs", "median error min", "p90 error min", "median error %",
            "p90 error %"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in table.itertuples(index=False):
        lines.append(f"| {r.mode} | {r.band} | {r.pairs} | {r.median_abs_min:.1f} | "
                     f"{r.p90_abs_min:.1f} | {r.median_abs_pct:.1f} | {r.p90_abs_pct:.1f} |")
    return "\n".join(lines)
