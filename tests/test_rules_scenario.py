"""Scenario rules pinned by hand-worked cases: what a scenario may not do, and what a merge means.

Each test is named after the fault it catches.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from planner.analysis.scenario import apply_scenario, evaluate, parse_scenario
from planner.analysis.study import Study, evaluate_points
from planner.errors import ScenarioError
from planner.settings import ModeParams
from planner.traveltime import StraightLineModel, travel_time_matrix

X0, Y0 = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067
# 100 m/min, no detour, no access time: minutes = metres / 100
MODEL = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))


@pytest.fixture(scope="module")
def small_study(borders):
    """Unit A (90 fi, 10 sv) at X0; points east of it on a line (metres -> minutes / 100):

    fi_keep  fi_walkin       100 m   1 min
    sv_near  sv_walkin       500 m   5 min
    kela1    kela            300 m   3 min
    kela2    kela           2000 m  20 min
    sv_far   sv_walkin      5000 m  50 min
    kela3    kela           6000 m  60 min
    """
    from planner.inputs.data import load_municipal_centres, load_municipalities

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
        small_study):
    res, _ = evaluate(small_study, sc({"merge": {"into": "fi_keep", "from": ["sv_near"]}}))
    assert at(res, "social_walkin", "sv") == ("sv_far", pytest.approx(50.0))
    assert at(res, "social_walkin", "fi") == ("fi_keep", pytest.approx(1.0))


def test_merge_into_a_point_lacking_the_need_is_refused_naming_file_change_and_field(small_study):
    # issue 24: a Kela office merged into a social-services point would leave its clients at a
    # point that cannot serve them; the planner writes `close` for that (clients go to the nearest)
    with pytest.raises(ScenarioError) as exc:
        evaluate(small_study, sc({"merge": {"into": "fi_keep", "from": ["kela1"]}}))
    assert (exc.value.row, exc.value.field) == (1, "into") and "does not serve kela" in str(exc.value)


def test_merge_into_a_point_serving_the_need_moves_clients_there_even_if_another_is_nearer(small_study):
    base = evaluate_points(small_study)
    res, applied = evaluate(small_study, sc({"merge": {"into": "kela3", "from": ["kela1"],
                                                       "clients": "receiving"}}), base)
    # kela2 (20 min) is nearer, but under `clients: receiving` kela1's clients follow the merge
    # to kela3 (60 min)
    for group in ("fi", "sv"):
        assert at(res, "kela", group) == ("kela3", pytest.approx(60.0))
    assert applied.state == {"kela1": "closed", "kela3": "changed"}


# --- merging into a closed point is refused, in either order ---------------------------------


@pytest.mark.parametrize("changes", [
    [{"close": "kela2"}, {"merge": {"into": "kela2", "from": ["kela1"]}}],
    [{"merge": {"into": "kela2", "from": ["kela1"]}}, {"close": "kela2"}],
    [{"merge": {"into": "kela3", "from": ["kela2"]}}, {"merge": {"into": "kela2", "from": ["kela1"]}}],
], ids=["close-then-merge", "merge-then-close", "kept-point-merged-away-first"])
def test_merge_into_a_closed_point_is_refused(small_study, changes):
    # (kela1 -> kela2 followed by kela2 -> kela3 is a chain, not an error: issue 11 resolves it
    # to the final receiver, tested in tests/test_service_network.py)
    with pytest.raises(ScenarioError, match="kela2") as err:
        apply_scenario(small_study, sc(*changes))
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


def test_open_at_a_municipal_centre_or_lon_lat_is_accepted_and_located(small_study):
    applied = apply_scenario(small_study, sc({"open": {"id": "new", "name": "N", "category": "kela",
                                                 "at_centre": "91"}}))
    new = applied.points[applied.points["id"] == "new"].iloc[0]
    assert new["municipality_code"] == "091" and new["location_precision"] == "locality"
    assert np.isfinite(applied.ttm.columns(["new"])).all()


# --- the scenario file's structure: every refusal names the change (row) and the field -------


@pytest.mark.parametrize(("obj", "row", "field"), [
    (["not", "a", "mapping"], None, None),
    ({"name": "t", "author": "x"}, None, "author"),
    ({"description": "no name"}, None, "name"),
    ({"name": "   "}, None, "name"),
    ({"name": "t", "changes": {"close": "a"}}, None, "changes"),
    ({"name": "t", "base": ["postal"]}, None, "base"),
    ({"name": "t", "changes": ["close a"]}, 1, None),
    ({"name": "t", "changes": [{"close": "a", "open": {}}]}, 1, None),
    ({"name": "t", "changes": [{"close": "a"}, {"close": []}]}, 2, "close"),
    ({"name": "t", "changes": [{"close": ["a", ""]}]}, 1, "close"),
    ({"name": "t", "changes": [{"merge": ["a", "b"]}]}, 1, "merge"),
    ({"name": "t", "changes": [{"merge": {"into": "a"}}]}, 1, "merge"),
    ({"name": "t", "changes": [{"merge": {"into": ["a", "b"], "from": "c"}}]}, 1, "into"),
    ({"name": "t", "changes": [{"merge": {"into": "a", "from": 5}}]}, 1, "from"),
    ({"name": "t", "changes": [{"set_category": {"id": "a"}}]}, 1, "set_category"),
    ({"name": "t", "changes": [{"add_service": {"id": "a", "category": "sv", "x": 1}}]}, 1, "add_service"),
    ({"name": "t", "changes": [{"add_service": {"id": "a", "category": "sauna"}}]}, 1, "category"),
    ({"name": "t", "changes": [{"open": {"id": "n", "name": "N", "category": "kela", "at_centre": "091",
                                         "colour": "red"}}]}, 1, "colour"),
    ({"name": "t", "changes": [{"open": {"id": "n", "category": "kela", "at_centre": "091"}}]}, 1, "name"),
    ({"name": "t", "changes": [{"open": {"id": " ", "name": "N", "category": "kela",
                                         "at_centre": "091"}}]}, 1, "id"),
    ({"name": "t", "changes": [{"open": {"id": "n", "name": "N", "category": "office",
                                         "at_centre": "091"}}]}, 1, "category"),
    ({"name": "t", "changes": [{"open": {"id": "n", "name": "N", "category": "kela",
                                         "municipality_code": "091", "lon": True, "lat": 60.2}}]}, 1, "lon"),
])
def test_bad_scenario_structure_is_refused_naming_row_and_field(obj, row, field):
    with pytest.raises(ScenarioError) as err:
        parse_scenario(obj, "bad.yaml")
    assert (err.value.file, err.value.row, err.value.field) == ("bad.yaml", row, field)


def test_parsed_scenario_normalises_codes_ids_and_text():
    s = parse_scenario({"name": "  Two hubs ", "description": None, "base": {"mode": "walk"}, "changes": [
        {"close": "a"}, {"merge": {"into": ["k"], "from": "b"}},
        {"open": {"id": "n", "name": "N", "category": "kela", "at_centre": 91}},
        {"open": {"id": "m", "name": "M", "category": "kela", "municipality_code": 91, "lon": 25,
                  "lat": 60.3}},
        {"set_category": {"id": ["c"], "category": "fi_walkin"}}]}, "x.yaml", "text")
    assert (s.name, s.description, s.base, s.source, s.text) == ("Two hubs", "", {"mode": "walk"}, "x.yaml",
                                                                 "text")
    assert s.changes[0] == {"close": ["a"]}
    assert s.changes[1] == {"merge": {"into": "k", "from": ["b"]}}
    assert s.changes[2]["open"]["at_centre"] == "091" and s.changes[2]["open"]["municipality_code"] == "091"
    assert s.changes[3]["open"]["municipality_code"] == "091" and "at_centre" not in s.changes[3]["open"]
    assert s.changes[4] == {"set_category": {"id": "c", "category": "fi_walkin"}}
    assert s.to_dict()["base"] == {"mode": "walk"} and "base" not in parse_scenario({"name": "t"}).to_dict()


def test_unknown_point_id_suggests_similar_ids(small_study):
    with pytest.raises(ScenarioError, match=r"unknown point id 'KELA'.*did you mean") as err:
        apply_scenario(small_study, sc({"close": "KELA"}))
    assert (err.value.row, err.value.field) == (1, "close")
    with pytest.raises(ScenarioError, match=r"unknown point id 'zzz'$"):
        apply_scenario(small_study, sc({"merge": {"into": "kela1", "from": ["zzz"]}}))


def test_add_service_opens_a_twin_at_the_same_site_and_set_category_changes_the_point(small_study):
    applied = apply_scenario(small_study, sc({"add_service": {"id": "fi_keep", "category": "sv_appointment"}},
                                       {"set_category": {"id": "kela2", "category": "en_service"}}))
    twin = applied.points.set_index("id").loc["fi_keep__sv_appointment"]
    orig = small_study.points.set_index("id").loc["fi_keep"]
    assert twin["category"] == "sv_appointment" and twin.geometry.equals(orig.geometry)
    assert applied.state == {"fi_keep__sv_appointment": "opened", "kela2": "changed"}
    assert applied.points.set_index("id").loc["kela2", "category"] == "en_service"
    assert len(applied.points) == len(small_study.points) + 1 and applied.closed_points.empty
    # the twin's times are the same site's times
    np.testing.assert_allclose(applied.ttm.columns(["fi_keep__sv_appointment"]),
                               small_study.ttm.columns(["fi_keep"]))


def test_closed_points_leave_the_open_set_and_are_kept_apart(small_study):
    applied = apply_scenario(small_study, sc({"close": ["kela1", "sv_far"]}))
    assert set(applied.closed_points["id"]) == {"kela1", "sv_far"}
    assert set(applied.points["id"]) == set(small_study.points["id"]) - {"kela1", "sv_far"}
    assert applied.merges == {} and applied.ttm is small_study.ttm


def test_refusals_while_applying_name_row_and_field(small_study):
    with pytest.raises(ScenarioError, match="merge keeps point 'kela2', which is closed") as err:
        apply_scenario(small_study, sc({"close": "kela2"}, {"merge": {"into": "kela2", "from": ["kela1"]}}))
    assert (err.value.row, err.value.field) == (2, "into")
    # a point in Espoo's territory declared as Helsinki's
    with pytest.raises(ScenarioError, match="outside municipality 091") as err:
        apply_scenario(small_study, sc({"open": {"id": "n", "name": "N", "category": "kela",
                                           "municipality_code": "091", "lon": 24.66, "lat": 60.21}}))
    assert (err.value.row, err.value.field, err.value.file) == (1, "municipality_code", "t.yaml")


def test_opened_point_is_flagged_as_proposed(small_study):
    applied = apply_scenario(small_study, sc({"open": {"id": "n", "name": "N", "category": "kela",
                                                 "at_centre": "091", "capacity": 4}}))
    new = applied.points.set_index("id").loc["n"]
    assert new["note"] == "proposed in a scenario; not an existing point"
    assert new["source"] == "scenario t.yaml" and new["capacity"] == 4.0
    assert applied.points.crs.to_epsg() == 3067 and applied.points.geometry.name == "geometry"
