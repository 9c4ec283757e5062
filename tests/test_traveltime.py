"""The straight-line model: hand-worked times and its documented error on routed data."""

from __future__ import annotations

import numpy as np
import pytest

from planner.settings import DEFAULT_SETTINGS, ModeParams
from planner.traveltime import StraightLineModel, TravelTimeMatrix
from planner.traveltime.calibration import errors, load_sample

# The README's calibration table. The test fails if the estimate gets worse than documented.
DOCUMENTED = {
    "walk": {"median_abs_min": 7.3, "p90_abs_min": 27.0, "median_abs_pct": 2.1, "p90_abs_pct": 11.2},
    "drive": {"median_abs_min": 2.5, "p90_abs_min": 5.4, "median_abs_pct": 6.5, "p90_abs_pct": 15.0},
}


def test_hand_worked_times():
    m = StraightLineModel("drive", ModeParams(60.0, 1.5, 5.0, "test"))  # 1000 m/min
    t = m.times(np.array([[0.0, 0.0], [3000.0, 4000.0]]), np.array([[0.0, 0.0], [6000.0, 8000.0]]))
    # 5 km straight line x 1.5 = 7.5 km at 1 km/min + 5 min
    assert t[1, 0] == pytest.approx(12.5)
    assert t[0, 0] == pytest.approx(5.0)
    assert t[0, 1] == pytest.approx(10 * 1.5 + 5)


def test_provenance_names_the_estimate():
    p = StraightLineModel.for_mode("walk").provenance()
    assert p["model"] == "straight-line estimate" and p["mode"] == "walk"
    assert "4.2 km/h" in p["model_parameters"]


def test_refuses_degrees():
    import geopandas as gpd
    from shapely.geometry import Point

    from planner.traveltime import xy

    with pytest.raises(ValueError, match="geographic"):
        xy(gpd.GeoSeries([Point(24.9, 60.1)], crs=4326))


def test_matrix_shape_checked_and_new_columns():
    ttm = TravelTimeMatrix(np.array(["a"]), np.array(["p"]), np.array([[1.0]]))
    ttm2 = ttm.with_points(["q"], np.array([[2.0]]))
    assert ttm2.columns(["q", "p"]).tolist() == [[2.0, 1.0]]
    with pytest.raises(ValueError, match="does not match"):
        TravelTimeMatrix(np.array(["a"]), np.array(["p", "q"]), np.array([[1.0]]))
    assert ttm2.to_long()["to_id"].tolist() == ["p", "q"]


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_error_against_routed_times_stays_as_documented(mode):
    sample = load_sample(mode)
    assert len(sample.routed_min) >= 440  # 450 cells, a few without a walking route
    e = errors(sample, DEFAULT_SETTINGS.mode(mode))
    for key, limit in DOCUMENTED[mode].items():
        assert e[key] <= limit, (mode, key, e[key])
