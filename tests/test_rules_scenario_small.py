"""Scenario parsing on small hand-written scenarios: every structural rule and the error it raises.

Each bad scenario must raise a ScenarioError that names the file (``source``), the
1-based change number (``row``, None for top-level keys) and the field; the good ones
must come back normalised (ids as lists, municipality codes zero-padded to 3 digits).
"""

from __future__ import annotations

import dataclasses
import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from shapely.geometry import Point

from planner.analysis.scenario import (
    Scenario,
    apply_scenario,
    evaluate,
    load_scenario,
    parse_scenario,
    scenario_to_yaml,
)
from planner.analysis.study import Study
from planner.errors import PlannerWarning, ScenarioError
from planner.settings import ModeParams
from planner.traveltime import StraightLineModel, travel_time_matrix

SRC = "s.yaml"
OPEN = {"id": "new", "name": "New", "category": "kela", "at_centre": "91"}


def sc(*changes, **top):
    return {"name": "S", "changes": list(changes), **top}


def test_good_scenario_is_normalised():
    obj = sc({"close": "a"}, {"close": ["b", "c"]},
             {"merge": {"into": "k", "from": "m", "clients": "receiving"}},
             {"merge": {"into": ["k"], "from": ["n"]}},
             {"set_category": {"id": "p", "category": "fi_walkin"}},
             {"add_service": {"id": ["p"], "category": "sv_walkin"}},
             {"open": OPEN},
             {"open": {"id": "n2", "name": "N2", "category": "kela", "lon": 24.9, "lat": 60.2,
                       "municipality_code": 91, "capacity": 3}},
             description="  Hello  ", base={"demand": "postal"})
    s = parse_scenario(obj, SRC, "text")
    assert s.name == "S" and s.description == "Hello" and s.source == SRC and s.text == "text"
    assert s.base == {"demand": "postal"}
    assert s.remote_share == {}
    assert s.changes == (
        {"close": ["a"]}, {"close": ["b", "c"]},
        {"merge": {"into": "k", "from": ["m"], "clients": "receiving"}},
        {"merge": {"into": "k", "from": ["n"]}},
        {"set_category": {"id": "p", "category": "fi_walkin"}},
        {"add_service": {"id": "p", "category": "sv_walkin"}},
        # "91" zero-padded to the 3-digit code "091", at_centre too
        {"open": {**OPEN, "at_centre": "091", "municipality_code": "091"}},
        {"open": {"id": "n2", "name": "N2", "category": "kela", "lon": 24.9, "lat": 60.2,
                  "municipality_code": "091", "capacity": 3}},
    )
    again = parse_scenario(yaml.safe_load(scenario_to_yaml(s)), SRC)
    assert again.changes == s.changes and again.base == s.base and again.name == "S"


def test_to_dict_keys_in_order():
    s = Scenario("S", "d", ({"close": ["a"]},), {"mode": "drive"}, remote_share={"kela": 0.5})
    assert s.to_dict() == {"name": "S", "description": "d", "base": {"mode": "drive"},
                           "remote_share": {"kela": 0.5}, "changes": [{"close": ["a"]}]}
    assert list(Scenario("S").to_dict()) == ["name", "description", "changes"]


BAD = [
    # (scenario, row, field, words in the message)
    ([1], None, None, "must be a mapping"),
    ({"name": "S", "colour": 1}, None, "colour", "unknown key 'colour'"),
    ({"name": 5}, None, "name", "must be text, not 5"),
    ({"name": "  "}, None, "name", "needs a name"),
    ({}, None, "name", "needs a name"),
    ({"name": "S", "changes": {"close": "a"}}, None, "changes", "must be a list"),
    (sc("close"), 1, None, "each change is one of"),
    (sc({"close": "a", "open": OPEN}), 1, None, "each change is one of"),
    (sc({"close": "a"}, {"shut": "a"}), 2, "shut", "unknown change 'shut'"),
    (sc(base=[1]), None, "base", "base must be a mapping"),
    (sc(base={"mood": "x"}), None, "mood", "unknown key 'mood' in base"),
    (sc(base={"mode": 3}), None, "mode", "base mode must be text"),
    (sc(base={"mode": " "}), None, "mode", "base mode must be text"),
    (sc(description=3), None, "description", "description must be text"),
    (sc({"close": []}), 1, "close", "a point id or a list"),
    (sc({"close": ["a", ""]}), 1, "close", "a point id or a list"),
    (sc({"close": 3}), 1, "close", "a point id or a list"),
    (sc({"merge": "a"}), 1, "merge", "merge takes a mapping"),
    (sc({"merge": {"into": "a"}}), 1, "merge", "merge takes 'into'"),
    (sc({"merge": {"into": "a", "from": "b", "x": 1}}), 1, "merge", "merge takes 'into'"),
    (sc({"merge": {"into": "a", "from": "b", "clients": "all"}}), 1, "clients",
     "clients must be one of ['nearest', 'receiving'], not 'all'"),
    (sc({"merge": {"into": ["a", "b"], "from": "c"}}), 1, "into", "exactly one point"),
    (sc({"merge": {"into": 1, "from": "c"}}), 1, "into", "a point id or a list"),
    (sc({"merge": {"into": "a", "from": 2}}), 1, "from", "a point id or a list"),
    (sc({"merge": {"into": "a", "from": ["b", "a"]}}), 1, "from", "'a' into itself"),
    (sc({"set_category": {"id": "a"}}), 1, "set_category", "set_category takes exactly"),
    (sc({"add_service": {"id": "a", "category": "kela", "x": 1}}), 1, "add_service",
     "add_service takes exactly"),
    (sc({"set_category": {"id": "a", "category": "bank"}}), 1, "category",
     "unknown category 'bank'"),
    (sc({"add_service": {"id": 4, "category": "kela"}}), 1, "id", "a point id or a list"),
    (sc({"open": {**OPEN, "colour": 1}}), 1, "colour", "unknown key 'colour' for open"),
    (sc({"open": {**OPEN, "id": " "}}), 1, "id", "open needs 'id'"),
    (sc({"open": {k: v for k, v in OPEN.items() if k != "name"}}), 1, "name", "open needs 'name'"),
    (sc({"open": {**OPEN, "category": 3}}), 1, "category", "open needs 'category'"),
    (sc({"open": {**OPEN, "category": "bank"}}), 1, "category", "unknown category 'bank'"),
    (sc({"open": {k: v for k, v in OPEN.items() if k != "at_centre"}}), 1, "lon",
     "open needs either lon and lat (WGS84) or at_centre (a municipality code)"),
    (sc({"open": {**OPEN, "lon": 24.9, "lat": 60.2}}), 1, "lon", "either lon and lat"),
    (sc({"open": {"id": "n", "name": "N", "category": "kela", "lon": 24.9,
                  "municipality_code": "091"}}), 1, "lat", "lat must be a number"),
    (sc({"open": {"id": "n", "name": "N", "category": "kela", "lon": True, "lat": 60.2,
                  "municipality_code": "091"}}), 1, "lon", "lon must be a number"),
    (sc({"open": {"id": "n", "name": "N", "category": "kela", "lon": "24", "lat": 60.2,
                  "municipality_code": "091"}}), 1, "lon", "lon must be a number"),
    (sc({"open": {"id": "n", "name": "N", "category": "kela", "lon": 24.9, "lat": 60.2}}), 1,
     "municipality_code", "open with lon/lat needs municipality_code"),
    (sc({"open": {**OPEN, "capacity": -1}}), 1, "capacity", "non-negative number, not -1"),
    (sc({"open": {**OPEN, "capacity": True}}), 1, "capacity", "non-negative number"),
    (sc({"open": {**OPEN, "capacity": "3"}}), 1, "capacity", "non-negative number"),
    (sc({"open": {**OPEN, "capacity": float("inf")}}), 1, "capacity", "non-negative number"),
    (sc({"open": {**OPEN, "address": 3.5}}), 1, "address", "address must be text, not 3.5"),
    (sc({"open": {**OPEN, "at_centre": True}}), 1, "at_centre", "at_centre must be text"),
    (sc({"open": {"id": "n", "name": "N", "category": "kela", "lon": 24.9, "lat": 60.2,
                  "municipality_code": ["091"]}}), 1, "municipality_code",
     "municipality_code must be text"),
]


@pytest.mark.parametrize(("obj", "row", "fld", "words"), BAD)
def test_bad_scenario_names_file_row_and_field(obj, row, fld, words):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(obj, SRC)
    assert exc.value.file == SRC
    assert exc.value.row == row
    assert exc.value.field == fld
    assert words in str(exc.value)


def test_capacity_zero_and_int_codes_are_accepted():
    s = parse_scenario(sc({"open": {**OPEN, "capacity": 0, "at_centre": 49}}), SRC)
    assert s.changes[0]["open"]["capacity"] == 0
    assert s.changes[0]["open"]["at_centre"] == "049"
    assert s.changes[0]["open"]["municipality_code"] == "049"


def test_load_scenario_reads_file_and_rejects_empty(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("name: Close one\nchanges:\n  - close: a\n", encoding="utf-8")
    s = load_scenario(p)
    assert s.name == "Close one" and s.changes == ({"close": ["a"]},)
    assert s.source == str(p) and s.text.startswith("name: Close one")
    empty = tmp_path / "e.yaml"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(empty)
    assert exc.value.file == str(empty)


# --- applying to a small hand-made study ------------------------------------------------------

X0, Y0 = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067
MODEL = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))  # 100 m/min
STOP = {"id": "s1", "name": "S1", "at_centre": "091",
        "schedule": [{"day": "tue", "start": "09:00", "end": "15:00"}]}


@pytest.fixture(scope="module")
def tiny_study(borders):
    """Unit A (90 fi, 10 sv) at X0; points kela1 300 m and kela2 2000 m east, fi1 100 m east.

    The points file also has 'ghost', a row not in this day's network.
    """
    from planner.inputs.data import load_municipal_centres, load_municipalities

    units = gpd.GeoDataFrame({
        "unit_id": ["A"], "unit_type": "test", "name": ["A"], "municipality_code": "091",
        "municipality": ["Helsinki"], "service_area": "S", "pop_fi": [90], "pop_sv": [10],
        "pop_total": [100], "pop_sv_estimated": True, "located": True, "x_m": [X0], "y_m": [Y0],
    }, geometry=[Point(X0, Y0)], crs=3067)
    spec = [("fi1", "fi_walkin", 100), ("kela1", "kela", 300), ("kela2", "kela", 2000)]
    points = gpd.GeoDataFrame({
        "id": [s[0] for s in spec], "name": [s[0] for s in spec], "category": [s[1] for s in spec],
        "municipality_code": "091", "capacity": np.nan,
    }, geometry=[Point(X0 + s[2], Y0) for s in spec], crs=3067)
    ghost = points.iloc[[0]].assign(id="ghost", name="ghost")
    all_points = gpd.GeoDataFrame(pd.concat([points, ghost], ignore_index=True), crs=3067)
    ttm = travel_time_matrix(MODEL, units, points)
    return Study(units, points, load_municipalities(), borders, load_municipal_centres(),
                 pd.DataFrame({"municipality_code": ["091"], "service_area": ["S"]}), MODEL, ttm,
                 {"model": MODEL.model, "mode": "walk", "data_year": "test", "scenario": "baseline"},
                 all_points=all_points)


def _refused(tiny_study, *changes):
    with pytest.raises(ScenarioError) as exc:
        apply_scenario(tiny_study, parse_scenario(sc(*changes), SRC))
    assert exc.value.file == SRC
    return exc.value


APPLY_BAD = [
    ([{"close": "kela1"}, {"close": "kela1"}], 2, "close", "'kela1' is closed twice"),
    ([{"merge": {"into": "kela2", "from": "kela1"}}, {"close": "kela1"}], 2, "close",
     "'kela1' is merged and later closed"),
    ([{"merge": {"into": "kela2", "from": "kela1"}}, {"close": "kela2"}], 2, "close",
     "receives the clients of a merge (change 1)"),
    ([{"set_category": {"id": "fi1", "category": "sv_walkin"}}, {"close": "fi1"}], 2, "close",
     "'fi1' is both closed and changed"),
    ([{"close": "fi1"}, {"add_service": {"id": "fi1", "category": "sv_walkin"}}], 2, "id",
     "'fi1' is both closed and changed"),
    ([{"merge": {"into": "kela2", "from": ["zzz"]}}], 1, "from", "unknown point id 'zzz'"),
    ([{"merge": {"into": "zzz", "from": ["kela1"]}}], 1, "into", "unknown point id 'zzz'"),
    ([{"set_category": {"id": "zzz", "category": "kela"}}], 1, "id", "unknown point id 'zzz'"),
    ([{"close": "KELA"}], 1, "close", "unknown point id 'KELA' (did you mean"),
    ([{"close": "kela1"}, {"merge": {"into": "kela1", "from": "kela2"}}], 2, "into",
     "merge keeps point 'kela1', which is closed"),
    ([{"close": ["fi1", "kela1", "kela2"]}], None, "close", "closes every service point (3)"),
    ([{"open": {**OPEN, "id": "kela1"}}], 1, "id", "point id 'kela1' already exists"),
    ([{"open": OPEN}, {"open": OPEN}], 2, "id", "point id 'new' already exists"),
    ([{"mobile": {"id": "kela1", "name": "Bus", "categories": ["kela"], "stops": [STOP]}}], 1,
     "id", "mobile unit id 'kela1' is already a point or unit id"),
    ([{"mobile": {"id": "bus", "name": "Bus", "categories": ["kela"], "stops": [STOP]}},
      {"mobile": {"id": "bus", "name": "Bus", "categories": ["kela"],
                  "stops": [{**STOP, "id": "s2"}]}}], 2,
     "id", "mobile unit id 'bus' is already a point or unit id"),
    ([{"open": {**OPEN, "at_centre": "999"}}], 1, "at_centre", "unknown municipality code '999'"),
    ([{"open": {"id": "n", "name": "N", "category": "kela", "lon": 24.9, "lat": 60.2,
                "municipality_code": "999"}}], 1, "municipality_code",
     "unknown municipality code '999'"),
    # lat 32 is still a longitude in Finland (19..32): the message hints at swapped values
    ([{"open": {"id": "n", "name": "N", "category": "kela", "lon": 60.2, "lat": 32,
                "municipality_code": "091"}}], 1, "lon", "not WGS84 degrees in Finland (swapped?)"),
    ([{"open": {"id": "n", "name": "N", "category": "kela", "lon": 28.0, "lat": 62.0,
                "municipality_code": "091"}}], 1, "lon", "outside Uusimaa"),
    # Espoo's Iso Omena (24.74 E, 60.16 N) is well outside Helsinki
    ([{"open": {"id": "n", "name": "N", "category": "kela", "lon": 24.738, "lat": 60.162,
                "municipality_code": "091"}}], 1, "municipality_code", "outside municipality 091"),
]


@pytest.mark.parametrize(("changes", "row", "fld", "words"), APPLY_BAD)
def test_refusals_while_applying(tiny_study, changes, row, fld, words):
    err = _refused(tiny_study, *changes)
    assert (err.row, err.field) == (row, fld)
    assert words in str(err)


def test_lat_just_outside_the_longitude_band_has_no_swap_hint(tiny_study):
    err = _refused(tiny_study, {"open": {"id": "n", "name": "N", "category": "kela", "lon": 60.2,
                                    "lat": 32.5, "municipality_code": "091"}})
    assert "swapped" not in str(err) and err.field == "lon"


def test_open_in_the_sea_is_refused_naming_the_point(tiny_study):
    # 24.95 E, 60.12 N lies in the sea south of Helsinki (in the municipal polygon, not on land)
    err = _refused(tiny_study, {"open": {"id": "n", "name": "Sea point", "category": "kela",
                                    "lon": 24.95, "lat": 60.12, "municipality_code": "091"}})
    assert (err.row, err.field) == (1, "lon")
    assert "Sea point" in str(err)


def test_changes_to_points_not_in_the_network_warn_and_have_no_effect(tiny_study):
    s = parse_scenario(sc({"close": "ghost"}, {"set_category": {"id": "ghost", "category": "kela"}},
                          {"merge": {"into": "kela2", "from": ["kela1"], "clients": "nearest"}}),
                       SRC)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        applied = apply_scenario(tiny_study, s)
    msgs = [str(w.message) for w in rec if issubclass(w.category, PlannerWarning)]
    assert len(msgs) == 2
    assert msgs[0].startswith("s.yaml: change 1 names point 'ghost'")
    assert "change 2" in msgs[1]
    assert set(applied.points["id"]) == {"fi1", "kela2"}
    assert sorted(applied.closed_points["id"]) == ["ghost", "kela1"]
    assert applied.state == {"ghost": "closed", "kela1": "closed", "kela2": "changed"}
    assert applied.merges == {"kela1": "kela2"}
    assert applied.merge_clients == {"kela1": "nearest"}


def test_merge_chain_resolves_to_the_final_receiver(tiny_study):
    applied = apply_scenario(tiny_study, parse_scenario(sc(
        {"set_category": {"id": "fi1", "category": "kela"}},  # a Kela office now: it can receive
        {"merge": {"into": "kela2", "from": ["kela1"]}},
        {"merge": {"into": "fi1", "from": ["kela2"]}}), SRC))
    assert applied.merges == {"kela1": "fi1", "kela2": "fi1"}
    assert applied.merge_clients == {"kela1": None, "kela2": None}
    assert applied.state == {"kela1": "closed", "kela2": "closed", "fi1": "changed"}


def test_merge_chain_ending_at_a_point_lacking_the_need_is_refused(tiny_study):
    # issue 24: kela2 (receiving kela1's clients) merged into fi1, which serves no Kela need
    err = _refused(tiny_study, {"merge": {"into": "kela2", "from": ["kela1"]}},
                   {"merge": {"into": "fi1", "from": ["kela2"]}})
    assert (err.row, err.field) == (2, "into") and "'fi1' does not serve kela" in str(err)


def test_mobile_unit_adds_stop_points_and_the_frequency_assumption(tiny_study):
    s = parse_scenario(sc({"mobile": {"id": "bus", "name": "Bus", "categories": ["kela"],
                                      "stops": [STOP]}}, remote_share={"kela": 0.25}), SRC)
    res, applied = evaluate(tiny_study, s)
    new = applied.points[~applied.points["id"].isin(["fi1", "kela1", "kela2"])]
    assert len(new) == 1 and new["category"].tolist() == ["kela"]
    assert applied.state[new["id"].iloc[0]] == "opened"
    assert res.provenance["scenario"] == "S"
    assert res.provenance["frequency"] == ("fixed points assumed open mon-fri (5 days, wait 3/7 day); "
                                           "mobile stops by their scenario schedule")
    assert res.provenance["remote_share"] == (
        "kela: 0.25 (share of contacts handled remotely: an assumption of the scenario)")


def test_no_mobile_no_frequency_assumption(tiny_study):
    res, _ = evaluate(tiny_study, parse_scenario(sc({"close": "kela1"}), SRC))
    assert "frequency" not in res.provenance and "remote_share" not in res.provenance


def test_mobile_errors_from_another_file_name_that_file(tiny_study):
    s = parse_scenario(sc({"mobile": {"id": "kela1", "name": "Bus", "categories": ["kela"],
                                      "stops": [STOP]}}), SRC)
    s = dataclasses.replace(s, change_sources={1: ("units.yaml", 4)})
    with pytest.raises(ScenarioError) as exc:
        apply_scenario(tiny_study, s)
    assert (exc.value.file, exc.value.row, exc.value.field) == ("units.yaml", 4, "id")


def test_opened_points_carry_their_location_precision_and_provenance(tiny_study):
    applied = apply_scenario(tiny_study, parse_scenario(sc(
        {"open": OPEN},
        {"open": {"id": "n2", "name": "Kamppi", "category": "fi_walkin", "lon": 24.931,
                  "lat": 60.169, "municipality_code": "091", "address": "Urho Kekkosen katu 1",
                  "capacity": 3}}), SRC))
    new = applied.points.set_index("id").loc[["new", "n2"]]
    assert new["name"].tolist() == ["New", "Kamppi"]
    assert new["category"].tolist() == ["kela", "fi_walkin"]
    assert new["municipality_code"].tolist() == ["091", "091"]
    assert new["location_precision"].tolist() == ["locality", "address"]
    assert new["address"].tolist() == ["municipal centre of Helsinki", "Urho Kekkosen katu 1"]
    assert new["postal_code"].tolist() == ["", ""]
    assert new["source"].tolist() == ["scenario s.yaml", "scenario s.yaml"]
    assert new["note"].tolist() == ["proposed in a scenario; not an existing point"] * 2
    assert np.isnan(new["capacity"].iloc[0]) and new["capacity"].iloc[1] == 3.0
    assert applied.points.crs == tiny_study.points.crs
    # 24.931 E, 60.169 N (Kamppi) in EPSG:3067 metres lies near x 385 km, y 6672 km
    assert 380_000 < new.geometry.iloc[1].x < 390_000 and 6_670_000 < new.geometry.iloc[1].y < 6_676_000
    assert applied.state == {"new": "opened", "n2": "opened"}
    # new points get travel times: the matrix now has columns for them
    times = applied.ttm.columns(["new", "n2"])
    assert times.shape == (1, 2) and np.isfinite(times).all()


def test_yaml_keeps_key_order_and_non_ascii_text():
    s = parse_scenario({"name": "Länsi-Uusimaa", "description": "Åbo", "changes": [{"close": "a"}]})
    text = scenario_to_yaml(s)
    assert text.startswith("name: Länsi-Uusimaa\ndescription: Åbo\nchanges:\n")


def test_evaluate_with_and_without_baseline_agree_on_a_merge(tiny_study):
    from planner.analysis.study import evaluate_points

    s = parse_scenario(sc({"merge": {"into": "kela2", "from": ["kela1"], "clients": "receiving"}}),
                       SRC)
    res1, _ = evaluate(tiny_study, s)
    res2, _ = evaluate(tiny_study, s, evaluate_points(tiny_study))
    kela = res1.access[(res1.access["need"] == "kela") & (res1.access["group"] == "fi")].iloc[0]
    # kela1's clients move to kela2, 2000 m away: 20 min at 100 m/min
    assert kela["point_id"] == "kela2" and kela["time_min"] == pytest.approx(20.0)
    pd.testing.assert_frame_equal(res1.access, res2.access)


def test_yaml_keeps_a_90_character_description_on_one_line():
    # width=100: a 90-character line is not folded (PyYAML's default width 80 would fold it)
    desc = " ".join(["word"] * 18)[:89] + "."
    assert len(desc) == 90
    text = scenario_to_yaml(parse_scenario({"name": "S", "description": desc, "changes": []}))
    assert f"description: {desc}\n" in text


def test_point_outside_its_municipality_states_the_distance(tiny_study):
    err = _refused(tiny_study, {"open": {"id": "n", "name": "N", "category": "kela", "lon": 24.738,
                                         "lat": 60.162, "municipality_code": "091"}})
    assert re.fullmatch(r"the new point lies \d+\.\d km outside municipality 091", err.reason)
    assert float(err.reason.split()[4]) > 0


def test_placeholder_warning_names_the_network_date(tiny_study):
    dated = dataclasses.replace(tiny_study, provenance={**tiny_study.provenance,
                                                        "network_date": "2026-01-15"})
    with pytest.warns(PlannerWarning, match="not valid on 2026-01-15"):
        apply_scenario(dated, parse_scenario(sc({"close": "ghost"}), SRC))


def test_open_without_location_message_in_full():
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(sc({"open": {"id": "n", "name": "N", "category": "kela"}}), SRC)
    assert exc.value.reason == ("open needs either lon and lat (WGS84) or at_centre "
                                "(a municipality code)")
