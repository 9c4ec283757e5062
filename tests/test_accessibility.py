"""Nearest-point times and summaries: a hand-worked case and population conservation on real data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from planner.analysis.accessibility import nearest, point_load, summarise, unit_access, weighted_quantile
from planner.settings import ModeParams
from planner.traveltime import StraightLineModel, travel_time_matrix

# 100 m/min, no detour, no access time: minutes = metres / 100
PARAMS = ModeParams(speed_kmh=6.0, circuity=1.0, access_min=0.0, source="hand-made test")


@pytest.fixture()
def small():
    units = gpd.GeoDataFrame({
        "unit_id": ["A", "B", "C"], "municipality": ["M1", "M1", "M2"],
        "service_area": ["S", "S", "S"],
        "pop_fi": [90, 40, 95], "pop_sv": [10, 60, 5], "located": [True, True, True],
        "x_m": [0.0, 1000.0, 5000.0], "y_m": [0.0, 0.0, 0.0],
    }, geometry=[Point(0, 0), Point(1000, 0), Point(5000, 0)], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    points = gpd.GeoDataFrame({
        "id": ["p_fi", "p_sv", "p_kela"], "name": ["Fi", "Sv", "Kela"],
        "category": ["fi_walkin", "sv_appointment", "kela"],
    }, geometry=[Point(0, 0), Point(2000, 0), Point(5000, 0)], crs=3067)
    model = StraightLineModel("walk", PARAMS)
    ttm = travel_time_matrix(model, units, points)
    return units, points, ttm


def test_nearest_handles_unlocated_and_unreachable():
    t = np.array([[3.0, 1.0], [np.inf, np.inf], [np.nan, np.nan]])
    idx, best = nearest(t, np.array([True, True]))
    assert idx.tolist() == [1, -1, -1]
    assert best[0] == 1.0 and np.isinf(best[1]) and np.isnan(best[2])
    idx, best = nearest(t, np.array([False, False]))  # no eligible point at all
    assert idx.tolist() == [-1, -1, -1] and np.isinf(best[:2]).all()


def test_hand_worked_nearest_times(small):
    units, points, ttm = small
    acc = unit_access(units, points, ttm).set_index(["unit_id", "need", "group"])
    # Finnish speakers: only p_fi (at 0 m) serves them
    assert acc.loc[("A", "social_any", "fi"), "time_min"] == 0
    assert acc.loc[("B", "social_any", "fi"), "time_min"] == 10
    assert acc.loc[("C", "social_any", "fi"), "time_min"] == 50
    # Swedish speakers go to the Swedish appointment point at 2000 m, not the nearer Finnish one
    assert acc.loc[("A", "social_any", "sv"), "time_min"] == 20
    assert acc.loc[("A", "social_any", "sv"), "point_id"] == "p_sv"
    assert acc.loc[("C", "social_any", "sv"), "time_min"] == 30
    # no Swedish walk-in point exists: unreachable, not zero, not dropped
    assert np.isinf(acc.loc[("B", "social_walkin", "sv"), "time_min"])
    assert acc.loc[("B", "social_walkin", "sv"), "point_id"] == ""
    assert acc.loc[("A", "kela", "fi"), "time_min"] == 50


def test_hand_worked_summary(small):
    units, points, ttm = small
    acc = unit_access(units, points, ttm)
    s = summarise(acc, units, None, thresholds=(15, 30)).set_index(["need", "group"])
    fi = s.loc[("social_any", "fi")]
    assert fi["population"] == 225
    assert fi["mean_min_served"] == pytest.approx((90 * 0 + 40 * 10 + 95 * 50) / 225)
    assert fi["median_min"] == 10  # cumulative 90, 130 >= 112.5
    assert fi["p90_min"] == 50
    assert fi["pop_within_15"] == 130 and fi["pop_within_30"] == 130
    sv = s.loc[("social_any", "sv")]
    assert sv["mean_min_served"] == pytest.approx((10 * 20 + 60 * 10 + 5 * 30) / 75)
    # C's 5 Swedish speakers are exactly 30.0 min from p_sv: within 30 min, not within 15
    assert sv["pop_within_30"] == 75 and sv["pop_within_15"] == 60
    both = s.loc[("social_any", "all")]
    assert both["population"] == 300 and both["pop_within_30"] == 205
    walk_sv = s.loc[("social_walkin", "sv")]
    assert walk_sv["pop_unreachable"] == 75 and np.isnan(walk_sv["mean_min_served"])
    assert np.isnan(walk_sv["median_min"]) and walk_sv["stats_note"].startswith("median and p90 fall among")


def test_point_load_counts_every_resident_once(small):
    units, points, ttm = small
    acc = unit_access(units, points, ttm)
    load = point_load(acc, points).set_index(["id", "need", "group"])["residents"]
    assert load[("p_fi", "social_any", "fi")] == 225
    assert load[("p_sv", "social_any", "sv")] == 75
    assert load[("p_kela", "kela", "fi")] + load[("p_kela", "kela", "sv")] == 300


def test_weighted_quantile_examples():
    assert weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1, 1, 1]), 0.5) == 2.0
    assert weighted_quantile(np.array([5.0, 1.0]), np.array([3, 1]), 0.5) == 5.0
    assert np.isnan(weighted_quantile(np.array([1.0]), np.array([0]), 0.5))


def test_population_in_equals_population_out(study, baseline):
    total = int(study.units["pop_total"].sum())
    assert total == 1_704_809
    for name, table in baseline.summaries.items():
        for (need, group), g in table.groupby(["need", "group"]):
            expected = total if group == "all" else int(study.units[f"pop_{group}"].sum())
            assert g["population"].sum() == expected, (name, need, group)
    acc = baseline.access
    for (_need, group), g in acc.groupby(["need", "group"]):
        assert g["population"].sum() == study.units[f"pop_{group}"].sum()
    # every municipality and service area appears
    assert baseline.summaries["summary_municipality"]["area"].nunique() == 26
    assert baseline.summaries["summary_service_area"]["area"].nunique() == 6


def test_grid_demand_keeps_unlocated_residents():
    import warnings

    from planner.analysis.study import evaluate_points, load_study
    from planner.errors import PlannerWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        s = load_study(demand="grid")
    units = s.units
    assert units["pop_total"].sum() == 1_117_552
    unlocated = units[~units["located"]]
    # HSY's bucket cell in the sea, and only it
    assert unlocated["unit_id"].tolist() == ["27699"]
    assert unlocated["pop_total"].sum() == 30_244
    assert unlocated[["x_m", "y_m"]].isna().all().all()
    res = evaluate_points(s)
    region = res.summaries["summary_region"].set_index(["need", "group"])
    assert region.loc[("kela", "all"), "population"] == 1_117_552
    assert region.loc[("kela", "all"), "pop_unlocated"] == 30_244
    muni = res.summaries["summary_municipality"]
    assert "(unlocated)" in set(muni["area"])


def test_results_name_their_model(baseline):
    assert baseline.provenance["model"] == "straight-line estimate"
    assert baseline.provenance["data_year"] == "2022"
    # every table can carry the model and data year that produced it
    from planner.analysis.accessibility import with_provenance

    region = with_provenance(baseline.summaries["summary_region"], baseline.provenance)
    assert region["model"].eq("straight-line estimate").all() and region["data_year"].eq("2022").all()
    assert region["scenario"].eq("baseline").all()
    assert len(region) == len(baseline.summaries["summary_region"])


def test_helsinki_centre_demand_for_the_network_demo():
    import geopandas as gpd

    from planner.analysis.study import load_study
    from planner.settings import GEODATA_DIR

    raw = gpd.read_file(GEODATA_DIR / "helsinki" / "population_grid_2020_centre.gpkg")
    s = load_study(demand="helsinki_centre")
    assert len(s.units) == 92 and s.units["pop_total"].sum() == raw["population"].sum()
    assert s.units["located"].all() and set(s.units["municipality"]) == {"Helsinki"}
    assert s.provenance["data_year"] == "2020"


def test_time_error_column_is_the_estimates_band_error(small):
    """Every estimated minute carries the model's CV p90 error at that trip's distance band."""
    from planner.traveltime import estimate_model
    from planner.traveltime.estimate import load_params

    units, points, plain = small
    band = load_params("walk").error_p90_min  # 0-2, 2-5, 5-10, 10-20, 20-40 km
    ttm = travel_time_matrix(estimate_model("walk"), units, points)
    acc = unit_access(units, points, ttm).set_index(["unit_id", "need", "group"])
    e = acc["time_error_p90_min"]
    assert e[("A", "social_any", "fi")] == band[0]  # 0 m to p_fi
    assert e[("A", "social_any", "sv")] == band[1]  # 2000 m to p_sv: the 2-5 km band
    assert e[("B", "social_any", "sv")] == band[0]  # 1000 m to p_sv
    assert e[("C", "social_any", "fi")] == band[2]  # 5000 m to p_fi: the 5-10 km band
    assert np.isnan(e[("B", "social_walkin", "sv")])  # unreachable: no trip, no error
    s = summarise(acc.reset_index(), units, None, thresholds=(15, 30)).set_index(["need", "group"])
    # residents 90 (0 m) + 40 (1 km) of 230 reach half the weight in the 0-2 km band
    assert s.loc[("social_any", "fi"), "time_error_p90_min"] == band[0]
    assert np.isnan(s.loc[("social_walkin", "sv"), "time_error_p90_min"])
    # the hand-set line of the fixture has no known error
    assert unit_access(units, points, plain)["time_error_p90_min"].isna().all()
