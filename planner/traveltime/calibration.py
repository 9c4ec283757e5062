"""Calibrating and checking the straight-line estimate against routed travel times.

Reference: the Helsinki Region Travel Time Matrix 2015 (Tenkanen & Toivonen 2020),
450 grid cells with door-to-door times to cell 5976964 (Tapiola), bundled in
``geodata/helsinki_region``. Walking times (``walk_t``) and midday car times
(``car_m_t``, incl. walking to the car and parking) are used; -1 marks no route.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np

from ..settings import DEFAULT_SETTINGS, ModeParams, Settings
from . import StraightLineModel, xy

__all__ = ["CalibrationSample", "load_sample", "fit", "errors", "REFERENCE_COLUMNS"]

REFERENCE_COLUMNS = {"walk": ("walk_t", "walk_d"), "drive": ("car_m_t", "car_m_d")}


@dataclass(frozen=True)
class CalibrationSample:
    """Straight-line distances (m), routed network distances (m) and routed times (min)."""

    mode: str
    straight_m: np.ndarray
    routed_m: np.ndarray
    routed_min: np.ndarray


def load_sample(mode: str, path: str | Path | None = None,
                settings: Settings = DEFAULT_SETTINGS) -> CalibrationSample:
    """Routed times to Tapiola for ``mode`` ('walk' or 'drive'), cells without a route dropped
    (they are reported by the count difference, not used)."""
    path = Path(path) if path else settings.geodata_dir / "helsinki_region" / \
        "travel_times_2015_to_5976964.gpkg"
    cells = gpd.read_file(path, layer="travel_times").to_crs(settings.crs)
    dest = gpd.read_file(path, layer="destination").to_crs(settings.crs)
    t_col, d_col = REFERENCE_COLUMNS[mode]
    ok = (cells[t_col] >= 0).to_numpy()
    origins = xy(cells.geometry.centroid)[ok]
    target = xy(dest.geometry.centroid)[0]
    straight = np.hypot(*(origins - target).T)
    return CalibrationSample(mode, straight, cells[d_col].to_numpy(float)[ok],
                             cells[t_col].to_numpy(float)[ok])


def fit(sample: CalibrationSample, speed_kmh: float | None = None,
        fixed_access_min: float | None = None) -> ModeParams:
    """Fit circuity / speed / access time to the sample.

    Circuity is the median routed/straight-line distance ratio. With ``speed_kmh``
    given, only access time is fitted (or fixed by ``fixed_access_min``); otherwise
    speed and access time come from a least-squares line through
    (straight-line distance, routed time).
    """
    circuity = float(np.median(sample.routed_m / sample.straight_m))
    if speed_kmh is not None:
        mpm = speed_kmh * 1000 / 60
        access = fixed_access_min if fixed_access_min is not None else float(
            np.median(sample.routed_min - sample.straight_m * circuity / mpm))
        return ModeParams(speed_kmh, round(circuity, 2), round(max(access, 0.0), 1), "fitted")
    a = np.column_stack([sample.straight_m, np.ones_like(sample.straight_m)])
    (slope, intercept), *_ = np.linalg.lstsq(a, sample.routed_min, rcond=None)
    speed = circuity / slope * 60 / 1000
    return ModeParams(round(float(speed)), round(circuity, 2), round(float(max(intercept, 0.0))),
                      "fitted")


def errors(sample: CalibrationSample, params: ModeParams) -> dict[str, float]:
    """Median and 90th-percentile absolute error of the estimate (minutes and %)."""
    model = StraightLineModel(sample.mode, params)
    est = model.times(np.column_stack([sample.straight_m, np.zeros_like(sample.straight_m)]),
                      np.zeros((1, 2)))[:, 0]
    err = np.abs(est - sample.routed_min)
    pct = 100 * err / np.maximum(sample.routed_min, 1.0)
    return {
        "n": int(len(err)),
        "median_abs_min": float(np.median(err)),
        "p90_abs_min": float(np.percentile(err, 90)),
        "median_abs_pct": float(np.median(pct)),
        "p90_abs_pct": float(np.percentile(pct, 90)),
        "bias_min": float(np.median(est - sample.routed_min)),
    }
