"""Mobile units and remote share (issue 14): hand-worked frequency, wait and burden figures."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point
from typer.testing import CliRunner

from planner.analysis.mobile import (
    FIXED_VISITS_PER_WEEK,
    FIXED_WAIT_DAYS,
    expected_wait_days,
    visits_per_week,
)
from planner.analysis.scenario import evaluate, parse_scenario
from planner.analysis.study import Study
from planner.errors import ScenarioError
from planner.settings import ModeParams
from planner.traveltime import StraightLineModel, travel_time_matrix

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"
X0, Y0 = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067
# 100 m/min, no detour, no access time: minutes = metres / 100
MODEL = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))


def lonlat(x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs(3067, 4326, always_xy=True).transform(x, y)


# ------------------------------------------------------------------ schedule arithmetic

def test_one_visit_a_week():
    # a need on the visit day waits 0, the day after 6, ... : (0+6+5+4+3+2+1)/7 = 21/7 = 3.0
    assert visits_per_week(["tue"]) == 1
    assert expected_wait_days(["tue"]) == pytest.approx(3.0)


def test_tuesday_and_friday():
    # days until the next visit day (tue or fri), Mon..Sun: mon 1 (tue), tue 0, wed 2 (fri),
    # thu 1, fri 0, sat 3 (tue), sun 2 (tue) -> (1+0+2+1+0+3+2)/7 = 9/7
    # (the brief's listing from Tue on: 0+2+1+0+3+2+1 = 9 as well)
    assert visits_per_week(["tue", "fri"]) == 2
    assert expected_wait_days(["tue", "fri"]) == pytest.approx(9 / 7)


def test_two_visits_on_one_day_count_once():
    assert visits_per_week(["tue", "tue"]) == 1
    assert expected_wait_days(["tue", "tue"]) == pytest.approx(3.0)


def test_every_day_means_no_wait_and_fixed_office_constants():
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert visits_per_week(days) == 7 and expected_wait_days(days) == 0.0
    # open Mon-Fri: Mon..Fri 0, Sat 2 (to Mon), Sun 1 -> 3/7
    assert FIXED_VISITS_PER_WEEK == 5 and FIXED_WAIT_DAYS == pytest.approx(3 / 7)


# ------------------------------------------------------------------ validation

def _unit(**stop):
    base = {"id": "s1", "name": "Stop 1", "at_centre": "407",
            "schedule": [{"day": "tue", "start": "09:00", "end": "15:00"}]}
    return {"id": "bus", "name": "Bus", "categories": ["fi_walkin"], "stops": [{**base, **stop}]}


def _parse(mobile, *before):
    return parse_scenario({"name": "t", "changes": [*before, {"mobile": mobile}]}, "m.yaml")


@pytest.mark.parametrize("stop, field", [
    ({"schedule": [{"day": "tuesday", "start": "09:00", "end": "15:00"}]}, "stops[0].schedule[0].day"),
    ({"schedule": [{"day": "tue", "start": "15:00", "end": "15:00"}]}, "stops[0].schedule[0].end"),
    ({"schedule": [{"day": "tue", "start": "9", "end": "15:00"}]}, "stops[0].schedule[0].start"),
    ({"schedule": [{"day": "tue", "start": "09:00", "end": "12:00"},
                   {"day": "tue", "start": "11:00", "end": "13:00"}]}, "stops[0].schedule[1]"),
    ({"schedule": []}, "stops[0].schedule"),
    ({"at_centre": None, "lon": 24.9}, "stops[0].lat"),  # lon without lat
])
def test_bad_stops_are_located(stop, field):
    mobile = _unit(**stop)
    if stop.get("at_centre", "x") is None:
        del mobile["stops"][0]["at_centre"]
    with pytest.raises(ScenarioError) as exc:
        _parse(mobile, {"close": "x"})
    # the mobile change is change 2 of the file
    assert exc.value.file == "m.yaml" and exc.value.row == 2 and exc.value.field == field


def test_touching_visits_do_not_overlap():
    sc = _parse(_unit(schedule=[{"day": "tue", "start": "09:00", "end": "12:00"},
                                {"day": "tue", "start": "12:00", "end": "13:00"}]))
    assert len(sc.changes[0]["mobile"]["stops"][0]["schedule"]) == 2


def test_unknown_category_and_duplicate_ids():
    with pytest.raises(ScenarioError) as exc:
        _parse({**_unit(), "categories": ["fi_bus"]})
    assert exc.value.field == "categories" and exc.value.row == 1
    twice = _unit()
    twice["stops"].append(dict(twice["stops"][0]))
    with pytest.raises(ScenarioError) as exc:
        _parse(twice)
    assert exc.value.field == "stops[1].id" and "twice" in str(exc.value)


def test_stop_outside_uusimaa_and_existing_ids(study):
    lon, lat = 27.68, 62.89  # Kuopio
    kuopio = {"id": "s1", "name": "Kuopio", "lon": lon, "lat": lat, "municipality_code": "091",
              "schedule": [{"day": "tue", "start": "09:00", "end": "10:00"}]}
    with pytest.raises(ScenarioError, match="outside Uusimaa") as exc:
        evaluate(study, _parse({**_unit(), "stops": [kuopio]}))
    assert exc.value.row == 1 and exc.value.field == "stops[0].lon"
    taken = study.points["id"].iloc[0]
    with pytest.raises(ScenarioError, match="already"):
        evaluate(study, _parse({**_unit(), "id": taken}))
    with pytest.raises(ScenarioError, match="already exists"):
        evaluate(study, _parse({**_unit(), "stops": [{**_unit()["stops"][0], "id": taken}]}))


def test_remote_share_is_checked():
    for share, ok in ((0.0, True), (1, True), (1.2, False), (-0.1, False), (True, False)):
        obj = {"name": "t", "remote_share": {"kela": share}}
        if ok:
            assert parse_scenario(obj).remote_share == {"kela": float(share)}
        else:
            with pytest.raises(ScenarioError) as exc:
                parse_scenario(obj, "r.yaml")
            assert exc.value.field == "remote_share.kela"
    with pytest.raises(ScenarioError, match="did you mean 'kela'"):
        parse_scenario({"name": "t", "remote_share": {"kelaa": 0.5}})


# ------------------------------------------------------------------ accessibility figures

@pytest.fixture(scope="module")
def line(borders):
    """Unit A at (X0, Y0) with 70 fi + 30 sv residents; a fi walk-in point 4 km east (40 min),
    a Kela office exactly 3 km east (30.0 min)."""
    from planner.inputs.data import load_municipal_centres, load_municipalities

    units = gpd.GeoDataFrame({
        "unit_id": ["A"], "unit_type": "test", "name": ["A"], "municipality_code": "091",
        "municipality": ["M1"], "service_area": "S", "pop_fi": [70], "pop_sv": [30],
        "pop_sv_estimated": True, "located": True, "x_m": [X0], "y_m": Y0,
    }, geometry=[Point(X0, Y0)], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    points = gpd.GeoDataFrame({
        "id": ["p_fi", "kela"], "name": ["Fi walk-in", "Kela"], "category": ["fi_walkin", "kela"],
        "municipality_code": "091", "capacity": np.nan,
    }, geometry=[Point(X0 + 4000, Y0), Point(X0 + 3000, Y0)], crs=3067)
    ttm = travel_time_matrix(MODEL, units, points)
    return Study(units, points, load_municipalities(), borders, load_municipal_centres(),
                 pd.DataFrame({"municipality_code": ["091"], "service_area": ["S"]}), MODEL, ttm,
                 {"model": MODEL.model, "mode": "walk", "data_year": "test", "scenario": "baseline"})


def _row(res, need, group):
    a = res.access
    return a[(a["need"] == need) & (a["group"] == group)].iloc[0]


@pytest.mark.parametrize("share, burden", [(0.25, 30.0), (0.0, 40.0), (1.0, 0.0)])
def test_remote_share_scales_the_burden(line, share, burden):
    # fi walk-in 4 km away = 40 min; burden = share x 0 + (1 - share) x 40:
    # 0.25 -> 0.75 x 40 = 30; 0 -> 40; 1 -> 0
    res, _ = evaluate(line, parse_scenario({"name": "t", "remote_share": {"social_walkin": share}}))
    r = _row(res, "social_walkin", "fi")
    assert r["time_min"] == pytest.approx(40.0) and r["expected_burden_min"] == pytest.approx(burden)
    # other needs keep the plain minutes: Kela 30 min
    assert _row(res, "kela", "fi")["expected_burden_min"] == pytest.approx(30.0)
    # sv speakers have no sv walk-in point: unreachable stays unreachable, whatever the share
    assert np.isposinf(_row(res, "social_walkin", "sv")["expected_burden_min"])


def test_fixed_point_frequency_and_weekly_within_30(line):
    res, _ = evaluate(line, parse_scenario({"name": "t"}))
    assert "mobile_time_min" not in res.access.columns  # no mobile unit: no extra columns
    r = _row(res, "kela", "fi")
    assert r["time_min"] == 30.0  # 3000 m / 100 m per min, exactly
    assert r["visits_per_week"] == 5 and r["wait_days"] == pytest.approx(3 / 7)
    reg = res.summaries["summary_region"].set_index(["need", "group"])
    # Kela: all 100 residents at exactly 30.0 min -> within 30 (inclusive), none within 15
    assert reg.loc[("kela", "all"), "pop_within_30_weekly"] == 100
    assert reg.loc[("kela", "all"), "pop_within_15_weekly"] == 0
    # no sv walk-in point: sv residents are never within T
    assert reg.loc[("social_walkin", "sv"), "pop_within_60_weekly"] == 0
    assert reg.loc[("social_walkin", "all"), "population"] == 100  # population in = out


def test_mobile_stop_is_nearest_with_its_schedule(line):
    # a tue + fri stop 2 km east (20 min) for both languages' walk-in service
    lon, lat = lonlat(X0 + 2000, Y0)
    stop = {"id": "bus_s", "name": "Stop", "lon": lon, "lat": lat, "municipality_code": "091",
            "schedule": [{"day": "tue", "start": "09:00", "end": "12:00"},
                         {"day": "fri", "start": "09:00", "end": "12:00"}]}
    res, applied = evaluate(line, parse_scenario({"name": "t", "changes": [{"mobile": {
        "id": "bus", "name": "Bus", "categories": ["fi_walkin", "sv_walkin"], "stops": [stop]}}]}))
    assert set(applied.points["id"]) == {"p_fi", "kela", "bus_s", "bus_s__sv_walkin"}
    fi, sv = _row(res, "social_walkin", "fi"), _row(res, "social_walkin", "sv")
    assert fi["point_id"] == "bus_s" and sv["point_id"] == "bus_s__sv_walkin"
    for r in (fi, sv):
        # 20 min; 2 visit days; wait 9/7 days (see test_tuesday_and_friday)
        assert r["time_min"] == pytest.approx(20.0)
        assert r["visits_per_week"] == 2 and r["wait_days"] == pytest.approx(9 / 7)
    # both kinds side by side: the fi walk-in office 4 km = 40 min, the stop 2 km = 20 min;
    # sv speakers have no sv fixed walk-in point (inf)
    assert fi["fixed_time_min"] == pytest.approx(40.0) and fi["mobile_time_min"] == pytest.approx(20.0)
    assert np.isposinf(sv["fixed_time_min"]) and sv["mobile_time_min"] == pytest.approx(20.0)
    # Kela: the bus does not serve it, so no stop is in reach and the office (30 min) is chosen
    kela = _row(res, "kela", "fi")
    assert kela["fixed_time_min"] == pytest.approx(30.0) and np.isposinf(kela["mobile_time_min"])
    # what replacing the fixed point's role by the stop gains and loses, per unit and per area
    from planner.analysis.comparison import area_changes, unit_changes
    from planner.analysis.study import evaluate_points

    ch = unit_changes(evaluate_points(line), res)
    fi_ch = ch[(ch["need"] == "social_walkin") & (ch["group"] == "fi")].iloc[0]
    # 40 -> 20 min, but the wait grows from 3/7 (Mon-Fri office) to 9/7 day (tue + fri)
    assert fi_ch["time_before"] == pytest.approx(40.0) and fi_ch["time_after"] == pytest.approx(20.0)
    assert fi_ch["wait_days_before"] == pytest.approx(3 / 7)
    assert fi_ch["wait_days_after"] == pytest.approx(9 / 7)
    reg_ch = area_changes(ch, line.units, None).set_index(["need", "group"]).loc[("social_walkin", "all")]
    # before only the 70 fi residents reach a walk-in point (wait 3/7); after all 100 wait 9/7
    assert reg_ch["mean_wait_days_before"] == pytest.approx(3 / 7)
    assert reg_ch["mean_wait_days_after"] == pytest.approx(9 / 7)
    reg = res.summaries["summary_region"].set_index(["need", "group"])
    # 70 fi + 30 sv residents reach the stop in 20 min, served twice a week
    assert reg.loc[("social_walkin", "all"), "pop_within_30_weekly"] == 100
    assert reg.loc[("social_walkin", "all"), "pop_within_15_weekly"] == 0


# ------------------------------------------------------------------ the example, from the CLI

def test_example_scenario_evaluates_from_the_cli(study, tmp_path):
    from planner.cli.main import app

    out = tmp_path / "o"
    result = CliRunner().invoke(app, ["evaluate", str(SCENARIOS / "ita_uusimaa_mobile_unit.yaml"),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    access = pd.read_csv(out / "csv" / "access_units.csv", dtype={"unit_id": str})
    total = int(study.units["pop_total"].sum())
    # population in = population out, for every need
    per_need = access.groupby(["need"])["population"].sum()
    assert (per_need == total).all()
    pts = pd.read_csv(out / "csv" / "service_points.csv", dtype=str)
    stops = pts[pts["mobile_unit"] == "mobile_ita_uusimaa"]
    # four stops x two categories (fi and sv by appointment), each visited once a week
    assert len(stops) == 8 and set(stops["category"]) == {"fi_appointment", "sv_appointment"}
    assert set(stops["visits_per_week"].astype(float)) == {1.0}
    assert set(stops["wait_days"].astype(float)) == {3.0}
    # someone in Lapinjärvi now has the bus as nearest Swedish appointment point
    bus = access[access["point_id"].str.startswith("mobile_ita_uusimaa", na=False)]
    assert not bus.empty and (bus["wait_days"] == 3.0).all() and (bus["visits_per_week"] == 1).all()


def test_mobile_units_file_from_the_cli(tmp_path):
    """`planner evaluate SCENARIO --mobile-units FILE`: the file's unit is evaluated with the
    scenario; a bad day in its 1st unit, 1st stop, 2nd visit is named by file, row and field."""
    from planner.cli.main import app

    units = tmp_path / "units.yaml"
    units.write_text(
        'mobile_units:\n  - id: extra_bus\n    name: Extra bus\n    categories: [sv_appointment]\n'
        '    stops:\n      - {id: extra_bus_pukkila, name: Pukkila, at_centre: "616",\n'
        '         schedule: [{day: wed, start: "09:00", end: "11:00"},'
        ' {day: thu, start: "09:00", end: "11:00"}]}\n', encoding="utf-8")
    out = tmp_path / "o"
    result = CliRunner().invoke(app, ["evaluate", str(SCENARIOS / "close_swedish_appointment_points.yaml"),
                                      "--out", str(out), "--mobile-units", str(units)])
    assert result.exit_code == 0, result.output
    pts = pd.read_csv(out / "csv" / "service_points.csv", dtype=str)
    stop = pts[pts["id"] == "extra_bus_pukkila"]
    # wed + thu: 2 visit days; wait Mon 2, Tue 1, Wed 0, Thu 0, Fri 5, Sat 4, Sun 3 = 15/7 days
    assert len(stop) == 1 and float(stop["visits_per_week"].iloc[0]) == 2.0
    assert float(stop["wait_days"].iloc[0]) == pytest.approx(15 / 7)
    units.write_text(units.read_text(encoding="utf-8").replace("day: thu", "day: thursday"),
                     encoding="utf-8")
    bad = CliRunner().invoke(app, ["evaluate", str(SCENARIOS / "close_swedish_appointment_points.yaml"),
                                   "--out", str(tmp_path / "o2"), "--mobile-units", str(units)])
    assert bad.exit_code != 0
    text = " ".join(bad.output.split())
    assert "units.yaml" in text and "stops[0].schedule[1].day" in text and "'thursday'" in text
    # a stop found outside Uusimaa only when applied to the study: named in the units file, entry 1
    units.write_text(units.read_text(encoding="utf-8").replace("day: thursday", "day: thu").replace(
        'at_centre: "616"', "lon: 18.07, lat: 59.33, municipality_code: \"616\""), encoding="utf-8")
    far = CliRunner().invoke(app, ["evaluate", str(SCENARIOS / "close_swedish_appointment_points.yaml"),
                                   "--out", str(tmp_path / "o3"), "--mobile-units", str(units)])
    assert far.exit_code != 0
    text = " ".join(far.output.split())
    assert "units.yaml, row 1" in text and "close_swedish" not in text, text


# ------------------------------------------------------------------ the HTML map

def test_map_draws_stops_with_escaped_schedule_and_the_tour(study, baseline):
    from planner.outputs.maps import scenario_map

    stop = lambda sid, code, day: {"id": sid, "name": f"Stop {code}", "at_centre": code,  # noqa: E731
                                   "schedule": [{"day": day, "start": "09:00", "end": "12:00"}]}
    sc = parse_scenario({"name": "t", "changes": [{"mobile": {
        "id": "bus", "name": "<script>alert(1)</script> bus", "categories": ["fi_appointment"],
        "stops": [stop("bus_407", "407", "tue"), stop("bus_504", "504", "fri")]}}]})
    res, applied = evaluate(study, sc, baseline)
    page = scenario_map(study, res, "social_any", "fi", applied=applied, tiles=None).get_root().render()
    assert "<script>alert(1)</script>" not in page
    # the popups are JSON in the page: the escaped name, "&lt;script&gt;", as \u0026lt;script\u0026gt;
    assert "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;/script\\u0026gt; bus" in page
    assert "Schedule: tue 09:00-12:00" in page and "Schedule: fri 09:00-12:00" in page
    # one visit day a week, wait (0+6+5+4+3+2+1)/7 = 3.00 days
    assert "1 visit day a week; expected wait 3.00 days" in page
    # the tour through the two stops (Lapinjärvi, Myrskylä centres: lat, lon of municipal_centres.csv)
    assert "Mobile unit tours" in page
    assert re.search(r"L\.polyline\(\s*\[\[60\.6254468, 26\.1990394\], \[60\.6700429, 25\.8515227\]\]", page)


def test_assumptions_are_stated_in_the_provenance(line):
    res, _ = evaluate(line, parse_scenario({"name": "t", "remote_share": {"kela": 0.25}}))
    share = res.provenance["remote_share"]
    assert share.startswith("kela: 0.25 (") and "assumption" in share
    assert "frequency" not in res.provenance  # no mobile unit: nothing to state
    base, _ = evaluate(line, parse_scenario({"name": "t"}))
    assert "remote_share" not in base.provenance


# ------------------------------------------------------------------ the PDF brief

def test_brief_names_the_unit_and_its_visits(study, baseline):
    """The example scenario's brief: the bus named with its 4 stops, each visited on Tuesday only,
    so 1 visit day per stop and 1+1+1+1 = 4 stop-days a week in all."""
    from io import BytesIO

    pypdf = pytest.importorskip("pypdf")

    from planner.analysis.scenario import load_scenario
    from planner.outputs.brief import brief_pdf
    from planner.outputs.report import run_scenarios

    sc = load_scenario(SCENARIOS / "ita_uusimaa_mobile_unit.yaml")
    _, runs = run_scenarios(study, [sc], baseline)
    first = pypdf.PdfReader(BytesIO(brief_pdf(study, baseline, runs[0], "social_any", "all", "en"))) \
        .pages[0].extract_text()
    flat = " ".join(first.split())
    assert "Mobile unit Itä-Uusimaa service bus: 4 stops, 4 visit days a week in all (1-1 per stop)" \
        in flat
    assert "mobile-unit stop" in flat  # the map legend's own marker


def test_tour_follows_the_schedule_not_the_listing():
    """Stops listed Fri-stop first, Tue-stop second: the tour starts on Tuesday
    (Tue 09:00 = 1*1440 + 540 = 1980 min into the week; Fri 09:00 = 4*1440 + 540 = 6300)."""
    import pandas as pd

    from planner.analysis.mobile import tour_order

    stops = pd.DataFrame({"mobile_unit": ["bus", "bus"], "stop_id": ["fri_stop", "tue_stop"],
                          "first_visit_min": [6300, 1980]})
    assert tour_order(stops)["stop_id"].tolist() == ["tue_stop", "fri_stop"]
