"""Scenarios: file validation, and evaluation checked against a hand-worked case."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from pyproj import Transformer
from shapely.geometry import Point

from planner.analysis.comparison import compare_all
from planner.analysis.scenario import (
    apply_scenario,
    evaluate,
    load_scenario,
    parse_scenario,
    scenario_to_yaml,
)
from planner.analysis.study import Study, evaluate_points
from planner.errors import DataError, ScenarioError
from planner.settings import ModeParams
from planner.traveltime import StraightLineModel, travel_time_matrix

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"
X0, Y0 = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067
# 100 m/min, no detour, no access time: minutes = metres / 100
MODEL = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))


def lonlat(x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs(3067, 4326, always_xy=True).transform(x, y)


@pytest.fixture(scope="module")
def small(borders):
    """Three units on a line east of (X0, Y0); five points. Hand-worked answers in the tests."""
    from planner.inputs.data import load_municipal_centres, load_municipalities

    units = gpd.GeoDataFrame({
        "unit_id": ["A", "B", "C"], "unit_type": "test", "name": ["A", "B", "C"],
        "municipality_code": "091", "municipality": ["M1", "M1", "M2"], "service_area": "S",
        "pop_fi": [90, 40, 100], "pop_sv": [10, 60, 0], "pop_sv_estimated": True,
        "located": True, "x_m": [X0, X0 + 1000, X0 + 5000], "y_m": Y0,
    }, geometry=[Point(X0, Y0), Point(X0 + 1000, Y0), Point(X0 + 5000, Y0)], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    points = gpd.GeoDataFrame({
        "id": ["p_fi", "p_fi2", "p_fi3", "p_sv", "kela"],
        "name": ["Fi walk-in", "Fi appt 4 km", "Fi appt 6.5 km", "Sv appt", "Kela"],
        "category": ["fi_walkin", "fi_appointment", "fi_appointment", "sv_appointment", "kela"],
        "municipality_code": "091", "capacity": np.nan,
    }, geometry=[Point(X0 + d, Y0) for d in (0, 4000, 6500, 2000, 5000)], crs=3067)
    ttm = travel_time_matrix(MODEL, units, points)
    return Study(units, points, load_municipalities(), borders, load_municipal_centres(),
                 pd.DataFrame({"municipality_code": ["091"], "service_area": ["S"]}), MODEL, ttm,
                 {"model": MODEL.model, "mode": "walk", "data_year": "test", "scenario": "baseline"})


def sc(*changes, name="t") -> object:
    return parse_scenario({"name": name, "changes": list(changes)})


def times(res, need, group):
    a = res.access[(res.access["need"] == need) & (res.access["group"] == group)]
    return dict(zip(a["unit_id"], a["time_min"], strict=True)), dict(zip(a["unit_id"], a["point_id"],
                                                                          strict=True))


def test_baseline_hand_worked(small):
    t, p = times(evaluate_points(small), "social_any", "fi")
    assert t == {"A": 0, "B": 10, "C": 10} and p["C"] == "p_fi2"


def test_close_sends_clients_to_the_next_nearest(small):
    base = evaluate_points(small)
    res, applied = evaluate(small, sc({"close": "p_fi2"}), base)
    t, p = times(res, "social_any", "fi")
    assert t["C"] == 15 and p["C"] == "p_fi3"
    assert applied.state == {"p_fi2": "closed"}
    ch = compare_all(base, res, small.units)
    region = ch["compare_region"].set_index(["need", "group"])
    assert region.loc[("social_any", "fi"), "pop_lose_gt_10"] == 0
    assert region.loc[("social_any", "fi"), "pop_worse"] == 100
    assert region.loc[("social_any", "fi"), "mean_change_min_served_both"] == pytest.approx(100 * 5 / 230)


def test_merge_moves_clients_to_the_kept_point(small):
    base = evaluate_points(small)
    res, applied = evaluate(small, sc({"merge": {"into": "p_fi", "from": ["p_fi2"]}}), base)
    t, p = times(res, "social_any", "fi")
    # C's clients follow the merge to p_fi (50 min), although p_fi3 (15 min) is nearer
    assert t["C"] == 50 and p["C"] == "p_fi"
    assert applied.merges == {"p_fi2": "p_fi"}
    ch = compare_all(base, res, small.units)
    load = ch["point_load_change"].set_index(["id", "need", "group"])
    assert load.loc[("p_fi", "social_any", "fi"), "residents_after"] == 230
    assert load.loc[("p_fi2", "social_any", "fi"), "status"] == "closed"
    region = ch["compare_region"].set_index(["need", "group"])
    assert region.loc[("social_any", "fi"), "pop_lose_gt_20"] == 100
    worst = ch["worst_off"]
    assert worst[worst["need"] == "social_any"]["unit_id"].iloc[0] == "C"


def test_set_category_and_add_service(small):
    base = evaluate_points(small)
    res, applied = evaluate(small, sc({"set_category": {"id": "p_fi", "category": "fi_appointment"}},
                                      {"add_service": {"id": "p_sv", "category": "sv_walkin"}}), base)
    t, _ = times(res, "social_walkin", "fi")
    assert all(np.isinf(v) for v in t.values())  # no Finnish walk-in point left
    t, p = times(res, "social_walkin", "sv")
    assert t == {"A": 20, "B": 10, "C": 30} and p["A"] == "p_sv__sv_walkin"
    region = compare_all(base, res, small.units)["compare_region"].set_index(["need", "group"])
    assert region.loc[("social_walkin", "fi"), "pop_lost_access"] == 230
    assert region.loc[("social_walkin", "sv"), "pop_unreachable_before"] == 70
    assert region.loc[("social_walkin", "sv"), "pop_unreachable_after"] == 0
    assert applied.state["p_sv__sv_walkin"] == "opened"


def test_open_computes_only_the_new_column(small):
    lon, lat = lonlat(X0 + 5000, Y0)
    res, applied = evaluate(small, sc({"open": {"id": "new", "name": "New", "category": "fi_walkin",
                                                "municipality_code": "091", "lon": lon, "lat": lat}}))
    t, p = times(res, "social_walkin", "fi")
    assert t["C"] == pytest.approx(0, abs=1e-6) and p["C"] == "new"
    assert t["B"] == pytest.approx(10)  # p_fi still nearer for B
    # the baseline columns are the very same array values: no recomputation
    np.testing.assert_array_equal(applied.ttm.columns(list(small.points["id"])), small.ttm.time_min)


@pytest.mark.parametrize(
    ("changes", "row", "field", "message"),
    [
        ([{"close": "nope"}], 1, "close", "unknown point id 'nope'"),
        ([{"close": "kela"}, {"close": "kela"}], 2, "close", "closed twice"),
        ([{"merge": {"into": "p_fi", "from": ["p_fi"]}}], 1, "from", "into itself"),
        ([{"set_category": {"id": "p_fi", "category": "fi_walkin"}}, {"close": "p_fi"}], 2, "close",
         "both closed and changed"),
        ([{"close": "p_fi"}, {"set_category": {"id": "p_fi", "category": "kela"}}], 2, "id",
         "both closed and changed"),
        ([{"set_category": {"id": "p_fi", "category": "clinic"}}], 1, "category", "unknown category"),
        ([{"open": {"id": "n", "name": "N", "category": "kela", "municipality_code": "091",
                    "lon": 27.68, "lat": 62.89}}], 1, "lon", "outside Uusimaa"),
        ([{"open": {"id": "n", "name": "N", "category": "kela", "municipality_code": "091",
                    "lon": 60.17, "lat": 24.94}}], 1, "lon", "swapped"),
        ([{"open": {"id": "n", "name": "N", "category": "kela", "at_centre": "638"}},
          {"open": {"id": "n", "name": "N2", "category": "kela", "at_centre": "091"}}], 2, "id",
         "already exists"),
        ([{"open": {"id": "n", "name": "N", "category": "kela", "at_centre": "999"}}], 1, "at_centre",
         "unknown municipality"),
        ([{"demolish": "p_fi"}], 1, "demolish", "unknown change"),
    ],
)
def test_scenario_errors_name_the_change_and_field(small, changes, row, field, message):
    with pytest.raises(ScenarioError, match=message) as err:
        apply_scenario(small, parse_scenario({"name": "bad", "changes": changes}, "bad.yaml"))
    assert (err.value.row, err.value.field, err.value.file) == (row, field, "bad.yaml")
    assert isinstance(err.value, DataError) and isinstance(err.value, ValueError)


def test_a_municipality_missing_from_the_centre_table_is_named(small):
    # issue 23 gave Tuusula (858) a centre; a user's centre table may still lack one
    from dataclasses import replace

    study = replace(small, centres=small.centres[small.centres["municipality_code"] != "858"])
    sc = parse_scenario({"name": "bad", "changes": [
        {"open": {"id": "n", "name": "N", "category": "kela", "at_centre": "858"}}]}, "bad.yaml")
    with pytest.raises(ScenarioError, match="no centre for 858") as err:
        apply_scenario(study, sc)
    assert (err.value.row, err.value.field) == (1, "at_centre")


def test_yaml_files_and_round_trip(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchanges:\n  - close: [a\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ScenarioError, match="empty"):
        load_scenario(empty)
    for path in sorted(SCENARIOS.glob("*.yaml")):
        s = load_scenario(path)
        again = parse_scenario(yaml.safe_load(scenario_to_yaml(s)))
        assert again.to_dict() == s.to_dict()


def test_example_scenarios_on_embedded_data(study, baseline):
    from planner.outputs.report import run_scenarios

    scs = [load_scenario(p) for p in sorted(SCENARIOS.glob("*.yaml"))]
    assert len(scs) == 4
    _, runs = run_scenarios(study, scs, baseline)
    total = int(study.units["pop_total"].sum())
    for run in runs:
        for table in ("compare_region", "compare_service_area", "compare_municipality"):
            t = run.comparison[table]
            assert t[t["group"] == "all"].groupby("need")["population"].sum().eq(total).all()
    by_name = {r.scenario.name: r for r in runs}
    kela = by_name["Concentrate Kela offices in five towns"].comparison["compare_region"]
    kela = kela.set_index(["need", "group"]).loc[("kela", "all")]
    # issue 23: every change acts on a documented point (Kerava is a proxy at its municipal
    # centre): Iso Omena closes, so Espoo residents lose more than 10 minutes, while three new
    # regional points bring the region's mean down
    assert kela["mean_min_served_after"] < kela["mean_min_served_before"]
    assert kela["pop_lose_gt_10"] > 0 and kela["pop_better"] > 0
    ksa = by_name["Concentrate Kela offices in five towns"].comparison["compare_service_area"]
    ksa = ksa[(ksa["need"] == "kela") & (ksa["group"] == "all")].set_index("area")
    espoo = ksa.loc["Espoo–Kauniainen"]
    assert espoo["mean_min_served_after"] > espoo["mean_min_served_before"]
    for area in ("Itä-Uusimaa", "Länsi-Uusimaa", "Keski-Uusimaa"):
        assert ksa.loc[area, "mean_min_served_after"] < ksa.loc[area, "mean_min_served_before"]
    hubs = by_name["Itä-Uusimaa: two social-service hubs"].comparison["compare_region"]
    hubs = hubs.set_index(["need", "group"])
    # all six changes act: merges cost minutes by appointment, the new desk gives walk-in points
    assert hubs.loc[("social_any", "all"), "pop_lose_gt_10"] > 0
    assert hubs.loc[("social_walkin", "sv"), "pop_better"] > 0
    sv = by_name["Close Swedish appointment-only points outside the four largest centres"]
    eq = sv.comparison["equity"]
    row = eq[(eq["kind"] == "language") & (eq["area"] == "Uusimaa") & (eq["need"] == "social_any")].iloc[0]
    # ten Swedish proxy points close: Vantaa's Swedish speakers lose every Swedish point of
    # their organiser (counted as without a point), the others travel further
    # (a median that falls among residents with no point is NaN with the reason: issue 24)
    after, before = row["sv_minus_fi_median_min_after"], row["sv_minus_fi_median_min_before"]
    assert np.isnan(after) or after >= before
    assert row["sv_minus_fi_pct_within_30_after"] <= row["sv_minus_fi_pct_within_30_before"]
    # only Swedish speakers lose in that scenario
    reg = sv.comparison["compare_region"].set_index(["need", "group"])
    assert reg.loc[("social_any", "fi"), "pop_worse"] == 0 and reg.loc[("social_any", "sv"), "pop_worse"] > 0
    assert reg.loc[("social_any", "sv"), "pop_lost_access"] > 0


def test_capacity_gives_floating_catchment_before_and_after(small):
    from dataclasses import replace

    from planner.outputs.report import run_scenarios

    pts = small.points.copy()
    pts.loc[pts["category"] == "kela", "capacity"] = 3.0
    study = replace(small, points=pts)
    _, runs = run_scenarios(study, [sc({"open": {"id": "k2", "name": "Kela 2", "category": "kela",
                                                 "at_centre": "091", "capacity": 1.0}})])
    fca = runs[0].comparison["fca_change"]
    row = fca[fca["unit_id"] == "C"].iloc[0]
    # before: only C (100 residents) lies within 30 min of the Kela point at its site: 3 / 100
    assert row["fca_2sfca_before"] == pytest.approx(3 / 100)
    # E2SFCA: C is 0 min from it (band weight 1.0): 1.0 * 3 / (1.0 * 100); A (50 min) and B
    # (40 min), with their Swedish speakers, lie outside the 30-min catchment: 0, not NaN
    assert row["fca_e2sfca_before"] == pytest.approx(1.0 * 3 / (1.0 * 100))
    before = fca.set_index("unit_id")["fca_e2sfca_before"]
    assert before["A"] == 0.0 and before["B"] == 0.0
