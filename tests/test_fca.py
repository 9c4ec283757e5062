"""Two-step floating catchment through PySAL access, checked by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from planner.analysis.fca import floating_catchment
from planner.traveltime import TravelTimeMatrix


@pytest.fixture()
def case():
    units = gpd.GeoDataFrame({"unit_id": ["A", "B", "U"], "pop_fi": [100, 100, 50], "pop_sv": [0, 0, 0],
                              "located": [True, True, False]},
                             geometry=[Point(0, 0), Point(1, 1), Point(2, 2)], crs=3067)
    pts = gpd.GeoDataFrame({"id": ["p1", "p2", "x"], "category": ["kela", "kela", "fi_walkin"],
                            "capacity": [10.0, 5.0, np.nan]},
                           geometry=[Point(0, 0), Point(1, 1), Point(3, 3)], crs=3067)
    ttm = TravelTimeMatrix(np.array(["A", "B", "U"]), np.array(["p1", "p2", "x"]),
                           np.array([[5.0, 40.0, 1.0], [15.0, 5.0, 1.0], [np.nan] * 3]))
    return units, pts, ttm


def test_two_step_and_enhanced_by_hand(case):
    units, pts, ttm = case
    out = floating_catchment(units, pts, ttm, "kela", "fi", max_min=30).set_index("unit_id")
    # 2SFCA: p1 serves A and B (10 / 200), p2 only B (5 / 100); A = 0.05, B = 0.05 + 0.05
    assert out.loc["A", "fca_2sfca"] == pytest.approx(0.05)
    assert out.loc["B", "fca_2sfca"] == pytest.approx(0.10)
    # E2SFCA weights 1 (<=10 min), 0.68 (<=20): R1 = 10 / (100 + 68), R2 = 5 / 100
    r1 = 10 / 168
    assert out.loc["A", "fca_e2sfca"] == pytest.approx(r1)
    assert out.loc["B", "fca_e2sfca"] == pytest.approx(0.68 * r1 + 0.05)
    assert np.isnan(out.loc["U", "fca_2sfca"])  # unlocated: no score, but the row is kept


def test_missing_capacity_is_an_error(case):
    units, pts, ttm = case
    with pytest.raises(ValueError, match=r"capacity.*\['x'\]"):
        floating_catchment(units, pts, ttm, "social_walkin", "fi")


def test_capacity_flows_into_scenario_comparison(case):
    from planner.analysis.fca import fca_table

    units, pts, ttm = case
    table = fca_table(units.assign(pop_total=[100, 100, 50]), pts, ttm)
    # only Kela points carry capacities; Kela serves both languages: one 'all' row per unit
    assert set(table["need"]) == {"kela"} and set(table["group"]) == {"all"}
    closed = pts[pts["id"] != "p2"]
    after = fca_table(units.assign(pop_total=[100, 100, 50]), closed, ttm).set_index("unit_id")
    assert after.loc["B", "fca_2sfca"] == pytest.approx(0.05)
