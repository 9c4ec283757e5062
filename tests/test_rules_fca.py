"""Floating-catchment rules with Swedish speakers in the demand, worked out by hand.

Each test is named after the fault it catches.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from planner.analysis.fca import E2SFCA_WEIGHTS, fca_table, floating_catchment
from planner.traveltime import TravelTimeMatrix

INF = np.inf


@pytest.fixture()
def case():
    """Two Kela offices (p1 capacity 20, p2 capacity 10), four units, minutes by hand:

    unit  pop_fi  pop_sv  total  p1    p2
    A     60      40      100    5     45
    B     100     0       100    15    25
    C     0       50      50     35    5
    D     10      0       10     inf   30.0   (exactly at the 30-min catchment edge)
    U     7       3       10     unlocated
    """
    units = gpd.GeoDataFrame({
        "unit_id": ["A", "B", "C", "D", "U"], "pop_fi": [60, 100, 0, 10, 7],
        "pop_sv": [40, 0, 50, 0, 3], "located": [True, True, True, True, False],
    }, geometry=[Point(k, 0) for k in range(5)], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    points = gpd.GeoDataFrame({"id": ["p1", "p2"], "category": ["kela", "kela"],
                               "capacity": [20.0, 10.0]}, geometry=[Point(0, 1), Point(1, 1)], crs=3067)
    ttm = TravelTimeMatrix(units["unit_id"].to_numpy(), np.array(["p1", "p2"]),
                           np.array([[5.0, 45.0], [15.0, 25.0], [35.0, 5.0], [INF, 30.0],
                                     [np.nan, np.nan]]))
    return units, points, ttm


def test_all_group_2sfca_uses_the_whole_population_not_only_finnish_speakers(case):
    units, points, ttm = case
    out = floating_catchment(units, points, ttm, "kela", "all", max_min=30).set_index("unit_id")
    # p1 reaches A and B: 20 / (100 + 100); p2 reaches B, C and D (30.0 is inside): 10 / 160
    r1, r2 = 20 / 200, 10 / 160
    assert out.loc["A", "fca_2sfca"] == pytest.approx(r1)          # Finnish-only would give 20/160
    assert out.loc["B", "fca_2sfca"] == pytest.approx(r1 + r2)
    assert out.loc["C", "fca_2sfca"] == pytest.approx(r2)
    assert out.loc["D", "fca_2sfca"] == pytest.approx(r2)
    assert out["population"].tolist() == [100, 100, 50, 10, 10]
    assert np.isnan(out.loc["U", "fca_2sfca"]) and np.isnan(out.loc["U", "fca_e2sfca"])


def test_e2sfca_band_weights_1_068_022_by_hand_with_swedish_speakers(case):
    units, points, ttm = case
    assert E2SFCA_WEIGHTS == {10: 1.0, 20: 0.68, 30: 0.22}   # Luo & Qi (2009)
    out = floating_catchment(units, points, ttm, "kela", "all", max_min=30).set_index("unit_id")
    # weights: A-p1 5 min -> 1; B-p1 15 -> 0.68; B-p2 25 -> 0.22; C-p2 5 -> 1; D-p2 30.0 -> 0.22
    r1 = 20 / (1.0 * 100 + 0.68 * 100)
    r2 = 10 / (0.22 * 100 + 1.0 * 50 + 0.22 * 10)
    assert out.loc["A", "fca_e2sfca"] == pytest.approx(1.0 * r1)
    assert out.loc["B", "fca_e2sfca"] == pytest.approx(0.68 * r1 + 0.22 * r2)
    assert out.loc["C", "fca_e2sfca"] == pytest.approx(1.0 * r2)
    assert out.loc["D", "fca_e2sfca"] == pytest.approx(0.22 * r2)


def test_language_group_scores_use_that_groups_population(case):
    units, points, ttm = case
    sv = floating_catchment(units, points, ttm, "kela", "sv", max_min=30).set_index("unit_id")
    # Swedish speakers only: p1 reaches A (40); p2 reaches C (50) (B and D have none)
    assert sv.loc["A", "fca_2sfca"] == pytest.approx(20 / 40)
    assert sv.loc["C", "fca_2sfca"] == pytest.approx(10 / 50)
    assert sv.loc["B", "fca_2sfca"] == pytest.approx(20 / 40 + 10 / 50)
    assert sv["population"].tolist() == [40, 0, 50, 0, 3]


def test_units_with_no_point_in_the_catchment_score_zero_not_nan(case):
    units, points, ttm = case
    out = floating_catchment(units, points, ttm, "kela", "all", max_min=10).set_index("unit_id")
    # within 10 min: A-p1 and C-p2 only; B and D score 0 (they are located)
    assert out.loc["A", "fca_2sfca"] == pytest.approx(20 / 100)
    assert out.loc["C", "fca_2sfca"] == pytest.approx(10 / 50)
    assert out.loc["B", "fca_2sfca"] == 0.0 and out.loc["D", "fca_e2sfca"] == 0.0
    assert (out["catchment_min"] == 10).all() and (out["need"] == "kela").all()


def test_fca_table_gives_one_all_row_for_shared_needs_and_one_per_language_for_social(case):
    units, points, ttm = case
    social = points.assign(id=["fi", "sv"], category=["fi_walkin", "sv_walkin"])
    ttm2 = TravelTimeMatrix(ttm.origin_ids, np.array(["fi", "sv"]), ttm.time_min)
    t = fca_table(units, social, ttm2)
    assert set(zip(t["need"], t["group"], strict=True)) == {
        ("social_walkin", "fi"), ("social_walkin", "sv"), ("social_any", "fi"), ("social_any", "sv")}
    sv = t[(t["need"] == "social_walkin") & (t["group"] == "sv")].set_index("unit_id")
    # the Swedish point 'sv' (capacity 10) reaches B (0 sv), C (50 sv) and D (0 sv)
    assert sv.loc["C", "fca_2sfca"] == pytest.approx(10 / 50)
    kela = fca_table(units, points, ttm)
    assert set(kela["group"]) == {"all"} and len(kela) == len(units)
    # a point without capacity: no rows for that need rather than a wrong score
    assert fca_table(units, points.assign(capacity=[20.0, np.nan]), ttm).empty


def test_default_catchment_is_30_min_inclusive(case):
    units, points, ttm = case
    late = TravelTimeMatrix(ttm.origin_ids, ttm.point_ids, np.where(ttm.time_min == 30.0, 30.5, ttm.time_min))
    out = floating_catchment(units, points, late, "kela", "all").set_index("unit_id")
    assert out.loc["D", "fca_2sfca"] == 0.0 and (out["catchment_min"] == 30.0).all()
    table = fca_table(units, points, late).set_index("unit_id")
    assert table.loc["D", "fca_2sfca"] == 0.0 and table.loc["C", "fca_2sfca"] == pytest.approx(10 / 150)
    on_edge = fca_table(units, points, ttm).set_index("unit_id")
    assert on_edge.loc["D", "fca_2sfca"] == pytest.approx(10 / 160)


def test_fca_table_passes_its_catchment_and_numbers_rows_from_zero(case):
    units, points, ttm = case
    t = fca_table(units, points, ttm, max_min=10)
    assert (t["catchment_min"] == 10).all()
    assert t.set_index("unit_id").loc["B", "fca_2sfca"] == 0.0      # 15 min to p1: outside 10 min
    social = points.assign(id=["fi", "sv"], category=["fi_walkin", "sv_walkin"])
    ttm2 = TravelTimeMatrix(ttm.origin_ids, np.array(["fi", "sv"]), ttm.time_min)
    both = fca_table(units, social, ttm2)
    assert both.index.tolist() == list(range(len(both)))


def test_fca_table_checks_capacity_on_the_swedish_points_for_swedish_rows(case):
    units, points, ttm = case
    # the Swedish point has a capacity, the Finnish one not: Swedish rows only
    social = points.assign(id=["fi", "sv"], category=["fi_walkin", "sv_walkin"], capacity=[np.nan, 10.0])
    ttm2 = TravelTimeMatrix(ttm.origin_ids, np.array(["fi", "sv"]), ttm.time_min)
    t = fca_table(units, social, ttm2)
    assert set(t["group"]) == {"sv"} and set(t["need"]) == {"social_walkin", "social_any"}
