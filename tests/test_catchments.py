"""Catchment areas (issue 13 item 3): a hand-worked case, then the bundled study before and
after a scenario. Population in == residents across catchments + unreached + unlocated."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from planner.outputs.catchments import catchment_areas, catchment_change, catchment_colours, catchment_layer

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"


def _units() -> gpd.GeoDataFrame:
    """Five 1 km squares in a row (EPSG:3067): A B C D E; E has no position (unlocated)."""
    x0, y0 = 380_000, 6_670_000
    return gpd.GeoDataFrame({"unit_id": list("ABCDE"), "located": [True] * 4 + [False]},
                            geometry=[box(x0 + i * 1000, y0, x0 + (i + 1) * 1000, y0 + 1000)
                                      for i in range(5)],
                            crs="EPSG:3067")


POINTS = pd.DataFrame({"id": ["P1", "P2"], "name": ["Point <one>", "Point two"],
                       "category": ["fi_walkin", "sv_walkin"]})


def _access() -> pd.DataFrame:
    """fi: A (100 people, 5 min) and B (50, 15 min) -> P1; C (30, 20 min) -> P2; D (7) reaches
    nothing; E (3) unlocated. sv: A's 10 Swedish speakers -> P2 (12 min), the rest nobody."""
    rows = [
        ("A", "fi", 100, True, "P1", 5.0), ("B", "fi", 50, True, "P1", 15.0),
        ("C", "fi", 30, True, "P2", 20.0), ("D", "fi", 7, True, "", math.inf),
        ("E", "fi", 3, False, "", math.nan),
        ("A", "sv", 10, True, "P2", 12.0), ("B", "sv", 0, True, "P1", 15.0),
        ("C", "sv", 0, True, "P2", 20.0), ("D", "sv", 2, True, "", math.inf),
        ("E", "sv", 0, False, "", math.nan),
    ]
    df = pd.DataFrame(rows, columns=["unit_id", "group", "population", "located", "point_id", "time_min"])
    return df.assign(need="social_any")


def test_hand_worked_catchments_finnish_speakers():
    c = catchment_areas(_units(), _access(), POINTS, "social_any", "fi")
    a = c.areas.set_index("point_id")
    assert a.crs.to_epsg() == 3067
    assert a.loc["P1", "residents"] == 150 and a.loc["P2", "residents"] == 30
    # weighted median of 5 min (100 people) and 15 min (50 people): 5 min
    assert a.loc["P1", "median_min"] == 5.0 and a.loc["P2", "median_min"] == 20.0
    # A and B dissolve into one 2 km x 1 km polygon
    assert a.loc["P1", "geometry"].geom_type == "Polygon"
    assert a.loc["P1", "geometry"].area == pytest.approx(2_000_000)
    assert a.loc["P1", "units"] == 2
    assert (c.population, c.unreached, c.unlocated) == (190, 7, 3)
    assert c.population == c.in_catchments + c.unreached + c.unlocated


def test_group_all_splits_a_unit_between_two_points_without_counting_twice():
    c = catchment_areas(_units(), _access(), POINTS, "social_any", "all")
    a = c.areas.set_index("point_id")
    assert a.loc["P2", "residents"] == 40  # C's 30 Finnish + A's 10 Swedish speakers
    assert a.loc["P2", "geometry"].area == pytest.approx(2_000_000)  # A and C: two parts
    assert a.loc["P2", "geometry"].geom_type == "MultiPolygon"
    assert a.loc["P2", "median_min"] == 20.0  # 30 people at 20 min outweigh 10 at 12
    assert (c.population, c.unreached, c.unlocated) == (202, 9, 3)
    assert c.population == c.in_catchments + c.unreached + c.unlocated


def test_closing_a_point_moves_its_catchment():
    before = _access()
    after = before.copy()
    moved = (after["point_id"] == "P1")
    after.loc[moved, "point_id"] = "P2"
    after.loc[moved, "time_min"] += 10
    t = catchment_change(_units(), before, after, POINTS, "social_any", "fi").set_index("point_id")
    assert t.loc["P1", "residents_after"] == 0 and t.loc["P1", "residents_before"] == 150
    assert t.loc["P2", "residents_after"] == 180 and t["residents_change"].sum() == 0
    assert t.loc["P2", "median_min_after"] == 15.0  # 100 at 15, 50 at 25, 30 at 20


def test_layer_escapes_names_and_projects_at_the_edge():
    import folium

    c = catchment_areas(_units(), _access(), POINTS, "social_any", "fi")
    m = folium.Map(tiles=None)
    catchment_layer(c, lang="fi").add_to(m)
    folium.LayerControl().add_to(m)
    page = m.get_root().render()
    assert "lt;one" in page  # &lt;one&gt;, however the JSON writer spells the ampersand
    assert "Point <one>" not in page and "Point \\u003cone" not in page
    assert "Pisteiden vaikutusalueet" in page
    assert "24.8" in page or "24.9" in page  # WGS84 longitudes near Helsinki, not metres
    assert "380000" not in page
    assert len(set(catchment_colours(["P2", "P1", "P3"]).values())) == 3


def test_bundled_study_every_resident_counted_once(study, baseline):
    for need in ("kela", "social_any"):
        for group in ("fi", "sv", "all"):
            c = catchment_areas(study.units, baseline.access, study.points, need, group)
            assert c.population == c.in_catchments + c.unreached + c.unlocated, (need, group)
            assert c.population == baseline.access.loc[
                (baseline.access["need"] == need)
                & ((baseline.access["group"] == group) if group != "all" else True), "population"].sum()
    fi = catchment_areas(study.units, baseline.access, study.points, "kela", "fi").areas
    # Finnish speakers have one point each: the catchments tile the land without overlaps
    assert fi.geometry.area.sum() == pytest.approx(fi.geometry.union_all().area, rel=1e-6)
    assert set(fi["point_id"]) <= set(study.points["id"])


def test_bundled_scenario_before_after(study, baseline):
    from planner.analysis.scenario import evaluate, load_scenario

    sc = load_scenario(SCENARIOS / "concentrate_kela_offices.yaml")
    res, applied = evaluate(study, sc, baseline)
    pts = pd.concat([applied.points, applied.closed_points], ignore_index=True)
    t = catchment_change(study.units, baseline.access, res.access, pts, "kela", "fi").set_index("point_id")
    closed = [p for p, s in applied.state.items() if s == "closed" and p in t.index]
    assert closed and (t.loc[closed, "residents_after"] == 0).all()
    assert (t.loc[closed, "residents_before"] > 0).any()
    before = catchment_areas(study.units, baseline.access, pts, "kela", "fi")
    after = catchment_areas(study.units, res.access, pts, "kela", "fi")
    assert before.population == after.population
    assert before.in_catchments + before.unreached == after.in_catchments + after.unreached
    assert np.isfinite(t["median_min_after"].dropna()).all()


def test_scenario_map_has_before_and_after_catchment_layers(study, baseline):
    from folium import GeoJson

    from planner.analysis.scenario import evaluate, load_scenario
    from planner.outputs.maps import scenario_map

    sc = load_scenario(SCENARIOS / "concentrate_kela_offices.yaml")
    res, applied = evaluate(study, sc, baseline)
    m = scenario_map(study, res, "kela", "fi", applied=applied, tiles=None, catchments=True,
                     baseline=baseline, lang="sv")
    layers = {c.layer_name: c.show for c in m._children.values() if isinstance(c, GeoJson)}
    assert layers["Upptagningsområden före"] is False and layers["Upptagningsområden efter"] is False


def test_grid_cells_off_the_land_count_as_unlocated_not_lost():
    """HSY grid: cells off the postal-area land have no position; their residents are counted."""
    import warnings

    from planner.analysis.study import evaluate_points, load_study
    from planner.errors import PlannerWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        grid = load_study(demand="grid")
    res = evaluate_points(grid)
    c = catchment_areas(grid.units, res.access, grid.points, "kela", "all")
    off = grid.units.loc[~grid.units["located"], "pop_total"].sum()
    assert off > 0 and c.unlocated == off
    assert c.population == int(grid.units["pop_total"].sum())
    assert c.population == c.in_catchments + c.unreached + c.unlocated
