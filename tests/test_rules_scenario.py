"""Scenario rules pinned by hand-worked cases: what a scenario may not do, and what a merge means.

Each test is named after the fault it catches.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from planner.errors import ScenarioError
from planner.scenario import apply_scenario, evaluate, parse_scenario
from planner.settings import ModeParams
from planner.study import Study, evaluate_points
from planner.traveltime import StraightLineModel, travel_time_matrix

X0, Y0 = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067
# 100 m/min, no detour, no access time: minutes = metres / 100
MODEL = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))


@pytest.fixture(scope="module")
def study(borders):
    """Unit A (90 fi, 10 sv) at X0; points east of it on a line (metres -> minutes / 100):

    fi_keep  fi_walkin       100 m   1 min
    sv_near  sv_walkin       500 m   5 min
    kela1    kela            300 m   3 min
    kela2    kela           2000 m  20 min
    sv_far   sv_walkin      5000 m  50 min
    kela3    kela           6000 m  60 min
    """
    from planner.data import load_municipal_centres, load_municipalities

    units = gpd.GeoDataFrame({
        "unit_id": ["A"], "unit_type": "test", "name": ["A"], "municipality_code": "091",
        "municipality": ["Helsinki"], "service_area": "S", "pop_fi": [90], "pop_sv": [10],
        "pop_sv_estimated": True, "located": True, "x_m": [X0], "y_m": [Y0],
    }, geometry=[Point(X0, Y0)], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    spec = [("fi_keep", "fi_walkin", 100), ("sv_near", "sv_walkin", 500), ("kela1", "kela", 300),
            ("kela2", "kela", 2000), ("sv_far", "sv_walkin", 5000), ("kela3", "kela", 6000)]
    points = gpd.GeoDataFrame({
        "id": [s[0] for s in spec], "name": [s[0] for s in spec], "category": [s[1] for s in spec],
        "municipality_code": "091", "capacity": np.nan,
    }, geometry=[Point(X0 + s[2], Y0) for s in spec], crs=3067)
    ttm = travel_time_matrix(MODEL, units, points)
    return Study(units, points, load_municipalities(), borders, load_municipal_centres(),
                 pd.DataFrame({"municipality_code": ["091"], "service_area": ["S"]}), MODEL, ttm,
                 {"model": MODEL.model, "mode": "walk", "data_year": "test", "scenario": "baseline"})


def sc(*changes):
    return parse_scenario({"name": "t", "changes": list(changes)}, "t.yaml")


def at(res, need, group):
    r = res.access[(res.access["need"] == need) & (res.access["group"] == group)].iloc[0]
    return r["point_id"], r["time_min"]


# --- merges follow need and language ---------------------------------------------------------


def test_merge_into_a_point_lacking_the_language_sends_swedish_clients_to_the_nearest_swedish_point(
        study):
    res, _ = evaluate(study, sc({"merge": {"into": "fi_keep", "from": ["sv_near"]}}))
    assert at(res, "social_walkin", "sv") == ("sv_far", pytest.approx(50.0))
    assert at(res, "social_walkin", "fi") == ("fi_keep", pytest.approx(1.0))


def test_merge_into_a_point_lacking_the_need_sends_kela_clients_to_the_nearest_kela_office(study):
    res, _ = evaluate(study, sc({"merge": {"into": "fi_keep", "from": ["kela1"]}}))
    for group in ("fi", "sv"):
        assert at(res, "kela", group) == ("kela2", pytest.approx(20.0))


def test_merge_into_a_point_serving_the_need_moves_clients_there_even_if_another_is_nearer(study):
    base = evaluate_points(study)
    res, applied = evaluate(study, sc({"merge": {"into": "kela3", "from": ["kela1"]}}), base)
    # kela2 (20 min) is nearer, but kela1's clients follow the merge to kela3 (60 min)
    for group in ("fi", "sv"):
        assert at(res, "kela", group) == ("kela3", pytest.approx(60.0))
    assert applied.state == {"kela1": "closed", "kela3": "changed"}


# --- merging into a closed point is refused, in either order ---------------------------------


@pytest.mark.parametrize("changes", [
    [{"close": "kela2"}, {"merge": {"into": "kela2", "from": ["kela1"]}}],
    [{"merge": {"into": "kela2", "from": ["kela1"]}}, {"close": "kela2"}],
    [{"merge": {"into": "kela3", "from": ["kela2"]}}, {"merge": {"into": "kela2", "from": ["kela1"]}}],
    [{"merge": {"into": "kela2", "from": ["kela1"]}}, {"merge": {"into": "kela3", "from": ["kela2"]}}],
], ids=["close-then-merge", "merge-then-close", "kept-point-merged-away-first",
        "kept-point-merged-away-later"])
def test_merge_into_a_closed_point_is_refused(study, changes):
    with pytest.raises(ScenarioError, match="kela2") as err:
        apply_scenario(study, sc(*changes))
    assert err.value.row == 2 and err.value.file == "t.yaml"


# --- open needs a location -------------------------------------------------------------------


@pytest.mark.parametrize(("arg", "field"), [
    ({}, "lon"),
    ({"municipality_code": "091"}, "lon"),
    ({"municipality_code": "091", "lon": 24.95}, "lat"),
    ({"municipality_code": "091", "lat": 60.17}, "lon"),
    ({"municipality_code": "091", "lon": "24.95", "lat": 60.17}, "lon"),
    ({"lon": 24.95, "lat": 60.17}, "municipality_code"),
    ({"lon": 24.95, "lat": 60.17, "at_centre": "091"}, "lon"),
])
def test_open_without_a_location_is_refused_with_a_scenario_error(arg, field):
    change = {"open": {"id": "new", "name": "New", "category": "kela", **arg}}
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"name": "t", "changes": [change]}, "t.yaml")
    assert (err.value.row, err.value.field) == (1, field)


def test_open_at_a_municipal_centre_or_lon_lat_is_accepted_and_located(study):
    applied = apply_scenario(study, sc({"open": {"id": "new", "name": "N", "category": "kela",
                                                 "at_centre": "91"}}))
    new = applied.points[applied.points["id"] == "new"].iloc[0]
    assert new["municipality_code"] == "091" and new["location_precision"] == "locality"
    assert np.isfinite(applied.ttm.columns(["new"])).all()
