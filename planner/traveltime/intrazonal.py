"""Trips inside a resident's own demand area (intrazonal trips).

A demand unit's residents are placed at one origin point (a representative point of its
polygon, EPSG:3067). When a service point stands inside that same polygon, often at the very
same representative point (a site located only to its postal area), the origin-to-point
time is about 0 min, as if every resident lived next door. For such pairs the time used is
instead the mean time from points spread evenly over the polygon to the service point: the
residents are assumed spread evenly within their own area (no finer population data covers
all of Uusimaa). Pairs in different units keep the origin-point time.

For a disc of radius r and a point at its centre the mean straight-line distance is 2r/3;
a 1 km² postal area in central Helsinki (r = 564 m) thus starts at about 376 m, not 0 m.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["SAMPLES", "INTRAZONAL_NOTE", "area_samples", "intrazonal_pairs", "unit_point_times"]

SAMPLES = 64
INTRAZONAL_NOTE = ("a service point inside a resident's own demand area: mean time from "
                   f"~{SAMPLES} points spread evenly over that area (not 0 min)")


def area_samples(polygon: shapely.Geometry, n: int = SAMPLES) -> np.ndarray:
    """About ``n`` points (k, 2) on a square grid clipped to ``polygon`` (EPSG:3067 metres).

    The grid spacing is ``sqrt(area / n)``; a polygon too thin to hold a grid point gives
    its representative point alone.
    """
    spacing = np.sqrt(polygon.area / n)
    x0, y0, x1, y1 = polygon.bounds
    gx, gy = np.meshgrid(np.arange(x0 + spacing / 2, x1, spacing), np.arange(y0 + spacing / 2, y1, spacing))
    gx, gy = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(polygon, gx, gy)
    if not inside.any():
        p = polygon.representative_point()
        return np.array([[p.x, p.y]])
    return np.column_stack([gx[inside], gy[inside]])


def intrazonal_pairs(units: gpd.GeoDataFrame, points_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unit rows, point columns) of every point lying inside a located unit's polygon."""
    pts = np.asarray(points_xy, float).reshape(-1, 2)
    geom = units.geometry.to_numpy()
    polygonal = np.isin(shapely.get_type_id(geom), (3, 6))  # Polygon, MultiPolygon
    if "located" in units.columns:
        polygonal &= units["located"].to_numpy(bool)
    if not polygonal.any() or not len(pts):
        return np.array([], int), np.array([], int)
    rows = np.flatnonzero(polygonal)
    tree = shapely.STRtree(geom[rows])
    p_idx, u_idx = tree.query(shapely.points(pts), predicate="within")
    return rows[u_idx], p_idx


def unit_point_times(model, units: gpd.GeoDataFrame, points_xy: np.ndarray,
                     origins: np.ndarray | None = None, point_ids: np.ndarray | list | None = None
                     ) -> np.ndarray:
    """(n units, m points) minutes: origin-point times, intrazonal pairs averaged over the area.

    ``origins``: the units' origin points (n, 2), default their ``x_m, y_m``; NaN rows
    (unlocated units) stay NaN. ``point_ids``: the points' ids, for a model that matches
    destinations by id (:func:`planner.traveltime.model_times`).
    """
    from .model import model_times, xy

    ids = None if point_ids is None else np.asarray(point_ids, dtype=object)

    pts = np.asarray(points_xy, float).reshape(-1, 2)
    origins = xy(units) if origins is None else np.asarray(origins, float)
    located = np.isfinite(origins).all(axis=1)
    times = np.full((len(origins), len(pts)), np.nan)
    if located.any() and len(pts):
        times[located] = model_times(model, origins[located], pts, ids)
    rows, cols = intrazonal_pairs(units, pts)
    geom = units.geometry.to_numpy()
    for i, j in zip(rows, cols, strict=True):
        t = np.asarray(model_times(model, area_samples(geom[i]), pts[j:j + 1],
                                   None if ids is None else ids[j:j + 1]), float)[:, 0]
        finite = t[np.isfinite(t)]
        # a sample the model cannot route from (water, off the network) does not count
        times[i, j] = finite.mean() if len(finite) else times[i, j]
    return times
