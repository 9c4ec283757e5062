"""Trips inside a resident's own demand area: the mean over the area, never ~0 min.

Hand-worked on squares: for points spread evenly over a square of side a, the mean
straight-line distance to its centre is a (sqrt(2) + ln(1 + sqrt(2))) / 6 = 0.3826 a.
With a line of 60 m/min and no access time, a 1 km square gives 382.6 m = 6.38 min.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point

from planner.settings import ModeParams
from planner.traveltime import StraightLineModel, travel_time_matrix
from planner.traveltime.intrazonal import area_samples, intrazonal_pairs, unit_point_times

LINE = StraightLineModel("walk", ModeParams(3.6, 1.0, 0.0, "hand-set: 60 m/min"))
MEAN_TO_CENTRE = (np.sqrt(2) + np.log(1 + np.sqrt(2))) / 6  # of a unit square, 0.3826


def units(geoms, located=None):
    n = len(geoms)
    g = gpd.GeoDataFrame({"unit_id": [f"u{i}" for i in range(n)],
                          "located": [True] * n if located is None else located},
                         geometry=geoms, crs=3067)
    origin = g.geometry.representative_point()
    g["x_m"] = np.where(g["located"], origin.x, np.nan)
    g["y_m"] = np.where(g["located"], origin.y, np.nan)
    return g


def test_area_samples_spread_evenly_over_the_polygon():
    square = shapely.box(0, 0, 1000, 1000)
    s = area_samples(square)
    assert len(s) == 64 and shapely.contains_xy(square, s[:, 0], s[:, 1]).all()  # 8 x 8, 125 m apart
    assert np.hypot(s[:, 0] - 500, s[:, 1] - 500).mean() == pytest.approx(1000 * MEAN_TO_CENTRE, rel=0.02)
    # a sliver too thin for the grid still gives one point inside it
    sliver = shapely.box(0, 0, 10_000, 1)
    assert len(area_samples(sliver)) == 1


def test_point_in_own_area_gets_the_mean_not_zero():
    """u0: 1 km square with the point at its centre (= its origin); u1: the next square east,
    whose residents travel from their origin as before; u2: unlocated; u3: a point geometry."""
    geoms = [shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000),
             shapely.box(5000, 0, 6000, 1000), Point(500, 500)]
    u = units(geoms, located=[True, True, False, True])
    pts = np.array([[500.0, 500.0]])
    assert u.loc[0, "x_m"] == 500.0  # the point sits on the square's representative point
    t = unit_point_times(LINE, u, pts)
    assert t[0, 0] == pytest.approx(1000 * MEAN_TO_CENTRE / 60, rel=0.02)  # 6.38 min, not 0
    assert t[1, 0] == pytest.approx(1000 / 60)  # 1,000 m from u1's origin (1500, 500): unchanged
    assert np.isnan(t[2, 0])  # unlocated: no time
    assert t[3, 0] == 0.0  # a unit without an area keeps its origin time
    rows, cols = intrazonal_pairs(u, pts)
    assert rows.tolist() == [0] and cols.tolist() == [0]


def test_the_matrix_uses_it_and_says_so():
    u = units([shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)])
    pts = gpd.GeoDataFrame({"id": ["p"]}, geometry=[Point(1800, 200)], crs=3067)
    m = travel_time_matrix(LINE, u, pts)
    s = area_samples(u.geometry[1])
    mean_u1 = np.hypot(s[:, 0] - 1800, s[:, 1] - 200).mean()
    assert m.time_min[1, 0] == pytest.approx(mean_u1 / 60)  # the point lies in u1, off its centre
    assert m.time_min[0, 0] == pytest.approx(np.hypot(1300, 300) / 60)  # u0's origin (500, 500)
    assert "spread evenly" in m.provenance["intrazonal_trips"]


def test_unreachable_samples_do_not_count():
    class HalfBlocked:
        """Samples west of x = 500 cannot reach anything (say, across water)."""

        def times(self, origins, destinations):
            o = np.asarray(origins, float).reshape(-1, 2)
            t = LINE.times(o, destinations)
            t[o[:, 0] < 500] = np.inf
            return t

    u = units([shapely.box(0, 0, 1000, 1000)])
    t = unit_point_times(HalfBlocked(), u, np.array([[750.0, 500.0]]))
    east = area_samples(u.geometry[0])
    east = east[east[:, 0] >= 500]
    assert t[0, 0] == pytest.approx(np.hypot(east[:, 0] - 750, east[:, 1] - 500).mean() / 60)
