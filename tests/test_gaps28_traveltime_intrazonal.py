"""Intrazonal trips at their boundaries (issue 28, round 2): a 1 km square worked out by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.settings import ModeParams
from planner.traveltime.intrazonal import area_samples, intrazonal_pairs, unit_point_times
from planner.traveltime.model import StraightLineModel

BX, BY = 385_000.0, 6_672_000.0
SQUARE = shapely.box(BX, BY, BX + 1000, BY + 1000)
WALK = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "100 m/min, straight"))  # 100 m per minute


def test_four_samples_of_a_square_sit_at_its_quarter_centres():
    pts = area_samples(SQUARE, 4)  # spacing sqrt(1e6 / 4) = 500 m
    assert sorted(map(tuple, (pts - [BX, BY]).tolist())) == [(250.0, 250.0), (250.0, 750.0), (750.0, 250.0),
                                                            (750.0, 750.0)]
    assert len(area_samples(SQUARE)) == 64  # 125 m grid: 8 x 8
    thin = shapely.box(BX, BY, BX + 1000, BY + 0.001)
    one = area_samples(thin, 4)
    assert one.shape == (1, 2) and shapely.contains_xy(thin.buffer(1e-6), one[0, 0], one[0, 1])


def test_only_points_inside_located_polygons_are_intrazonal():
    units = gpd.GeoDataFrame({"unit_id": ["a", "b", "c", "d"], "located": [True, True, False, True]},
                             geometry=[SQUARE,
                                       shapely.MultiPolygon([shapely.box(BX + 2000, BY, BX + 3000,
                                                                         BY + 1000)]),
                                       shapely.box(BX + 4000, BY, BX + 5000, BY + 1000),
                                       shapely.Point(BX + 500, BY + 500)], crs="EPSG:3067")
    pts = np.array([[BX + 500, BY + 500], [BX + 2500, BY + 500], [BX + 4500, BY + 500], [BX + 9000, BY]])
    rows, cols = intrazonal_pairs(units, pts)
    # not the unlocated c, not the point d
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 0), (1, 1)]
    r, c = intrazonal_pairs(units.drop(columns="located"), pts)
    assert sorted(zip(r.tolist(), c.tolist(), strict=True)) == [(0, 0), (1, 1), (2, 2)]
    assert intrazonal_pairs(units, np.empty((0, 2)))[0].tolist() == []


def test_a_point_in_its_own_square_is_the_mean_of_the_64_samples_not_zero():
    units = gpd.GeoDataFrame({"unit_id": ["a", "b"], "x_m": [BX + 500, np.nan], "y_m": [BY + 500, np.nan]},
                             geometry=[SQUARE, shapely.box(BX + 2000, BY, BX + 3000, BY + 1000)],
                             crs="EPSG:3067")
    centre, east = [BX + 500, BY + 500], [BX + 1500, BY + 500]
    t = unit_point_times(WALK, units, np.array([centre, east]))
    grid = np.arange(62.5, 1000, 125.0) - 500.0  # the 8 x 8 samples around the centre
    want = np.mean([math.hypot(x, y) for x in grid for y in grid]) / 100.0
    assert t[0, 0] == pytest.approx(want) and 3.0 < want < 4.0  # about 2r/3 of a 564 m disc: 3.8 min
    assert t[0, 1] == pytest.approx(10.0)  # another area: the origin point's own time
    assert np.isnan(t[1]).all()  # the unlocated unit stays unknown, never 0
