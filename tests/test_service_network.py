"""Issue 11: the network as it is (dates, placeholders), who may use which point, merge
semantics and need weights. Hand-worked answers on small cases, rules on the bundled data."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from planner.analysis.accessibility import organiser_mask, reception_access, unit_access
from planner.analysis.comparison import compare_all
from planner.analysis.scenario import apply_scenario, evaluate, parse_scenario
from planner.analysis.study import Study, evaluate_points
from planner.errors import DataError, PlannerWarning, ScenarioError
from planner.inputs.data import load_postal_areas, load_service_points, select_points
from planner.inputs.demand import weight_units
from planner.settings import ModeParams
from planner.traveltime import StraightLineModel, travel_time_matrix

X0, Y0 = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067
MODEL = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))  # min = m / 100


# --- 1. the bundled network ------------------------------------------------------------


def _postal_of(pts: gpd.GeoDataFrame, pid: str) -> str:
    areas = load_postal_areas()
    pt = pts.loc[pts["id"] == pid].geometry.iloc[0]
    return str(areas.loc[areas.contains(pt), "postal_code"].iloc[0])


def test_known_districts_sit_in_their_postal_areas(borders):
    pts = load_service_points(borders=borders)
    assert _postal_of(pts, "asp_fi_helsinki_vuosaari_thk") == "00980"
    assert _postal_of(pts, "vok_helsinki_metsala") == "00620"
    assert _postal_of(pts, "kela_helsinki_kamppi") == "00100"
    assert _postal_of(pts, "en_helsinki_international_house") == "00530"
    # Vuosaari no longer shares Senate Square with Kamppi: about 10 km apart
    by = pts.set_index("id").geometry
    assert by["asp_fi_helsinki_vuosaari_thk"].distance(by["kela_helsinki_kamppi"]) > 9000
    assert "kela_helsinki_itakeskus_etapalvelu" not in set(pts["id"])  # a video room, dropped


def test_new_rows_and_swedish_walkin(borders):
    pts = load_service_points(borders=borders).set_index("id")
    # Socialrådgivning: four walk-in units, each in both languages, at the regional offices
    for region, postal in (("lansi", "00440"), ("etela", "00580"), ("ita", "00920"), ("pohjoinen", "00700")):
        for lang in ("fi", "sv"):
            row = pts.loc[f"asp_{lang}_helsinki_sosiaalineuvonta_{region}"]
            assert row["category"] == f"{lang}_walkin" and row["postal_code"] == postal
            assert row["located"] and row["location_precision"] == "postal_area"
            assert "helfi-tpr" in row["source"] and "hel-2023-004349" in row["source"]
            assert row["note"].startswith("compiled:")  # our match of unit to office, flagged as such
    assert pts.loc["asp_fi_porvoo_sosiaalipaivystys", "postal_code"] == "06100"
    assert str(pts.loc["vok_porvoo_luona", "valid_to"].date()) == "2025-06-30"
    for pid in ("vok_jarvenpaa_kotokunta", "vok_mantsala_kotokunta", "vok_nurmijarvi_kotokunta",
                "vok_tuusula_kotokunta", "vok_helsinki_itakeskus_luona"):
        assert pts.loc[pid, "category"] == "reception_centre"
    # every row has a source; a placeholder has no coordinates of its own in the file
    assert pts["source"].str.strip().ne("").all()
    raw = pd.read_csv("geodata/service_points.csv", dtype=str, keep_default_na=False)
    unknown = raw[raw["location_precision"] == "unknown"]
    assert len(unknown) > 0 and (unknown["lon"] == "").all() and (unknown["lat"] == "").all()


def test_validity_dates_select_the_network_of_a_day(borders):
    pts = load_service_points(borders=borders)
    porvoo = "vok_porvoo_luona"
    assert porvoo in set(select_points(pts, "2025-06-30")["id"])  # last day still open
    assert porvoo not in set(select_points(pts, "2025-07-01")["id"])
    valimotie = "vok_helsinki_valimotie"  # opened 15.12.2022
    assert valimotie not in set(select_points(pts, "2022-12-14")["id"])
    assert valimotie in set(select_points(pts, "2022-12-15")["id"])
    # placeholders only with include_unlocated
    day = select_points(pts, "2022-12-31")
    assert day["located"].all()
    assert (~select_points(pts, "2022-12-31", include_unlocated=True)["located"]).sum() > 0


@pytest.mark.parametrize("row,field,msg", [
    ("2023-02-30", "valid_from", "is not a date"),
    ("31.12.2022", "valid_from", "is not a date"),
])
def test_bad_dates_are_located_errors(tmp_path, borders, row, field, msg):
    p = tmp_path / "p.csv"
    p.write_text("id,name,category,municipality_code,lon,lat,valid_from,valid_to\n"
                 "a,A,kela,091,24.94,60.17,2022-01-01,\n"
                 f"b,B,kela,091,24.94,60.17,{row},\n", encoding="utf-8")
    with pytest.raises(DataError, match=msg) as e:
        load_service_points(p, borders=borders)
    assert e.value.row == 2 and e.value.field == field


def test_valid_to_before_valid_from_fails(tmp_path, borders):
    p = tmp_path / "p.csv"
    p.write_text("id,name,category,municipality_code,lon,lat,valid_from,valid_to\n"
                 "a,A,kela,091,24.94,60.17,2023-01-01,2022-12-31\n", encoding="utf-8")
    with pytest.raises(DataError, match="before valid_from") as e:
        load_service_points(p, borders=borders)
    assert e.value.row == 1 and e.value.field == "valid_to"


def test_placeholders_stay_out_of_figures_unless_included(study, baseline):
    assert study.points["located"].all()
    assert not baseline.access["point_placeholder"].any()
    assert "excluded" in baseline.provenance["unlocated_points"]
    from planner.analysis.study import load_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        incl = load_study(include_unlocated=True)
    res = evaluate_points(incl)
    assert "INCLUDED" in res.provenance["unlocated_points"]
    flagged = res.access[res.access["point_placeholder"]]
    assert len(flagged) > 0
    ph = set(incl.points.loc[~incl.points["located"], "id"])
    assert set(flagged["point_id"]) <= ph
    # a placeholder stands at its municipal centre, never as a site
    centre = study.centres.set_index("municipality_code").geometry
    row = incl.points.set_index("id").loc["asp_sv_vantaa_vuxensocialarbete"]
    assert row.geometry.distance(centre["092"]) < 1.0


# --- 3. who may use which point ---------------------------------------------------------


def test_organiser_rule_keeps_mantsala_in_its_county(study, baseline):
    org = study.organisers
    units = study.units.set_index("unit_id")["municipality_code"]
    pts = study.points.set_index("id")["municipality_code"]
    a = baseline.access[baseline.access["need"].isin(["social_any", "social_walkin"])
                        & (baseline.access["point_id"] != "")]
    home = a["unit_id"].map(units)
    where = a["point_id"].map(pts)
    mantsala = home == "505"
    assert mantsala.any()
    assert (where[mantsala].map(org) == "Keski-Uudenmaan hyvinvointialue").all()
    assert (home.map(org) == where.map(org)).all()  # nobody crosses an organiser border
    # Kela (rule any) may cross
    k = baseline.access[(baseline.access["need"] == "kela") & (baseline.access["point_id"] != "")]
    assert (k["unit_id"].map(units).map(org) != k["point_id"].map(pts).map(org)).any()
    assert "social_any: organiser" in baseline.provenance["eligibility"]


def test_rule_any_restores_the_old_nearest_point(study, baseline):
    res_any = unit_access(study.units, study.points, study.ttm, eligibility={
        "social_any": "any", "social_walkin": "any"}, organisers=study.organisers)
    old = unit_access(study.units, study.points, study.ttm)  # no organiser data: every rule is 'any'
    pd.testing.assert_frame_equal(res_any, old)
    s_any = res_any[res_any["need"] == "social_any"]["time_min"].to_numpy()
    s_org = baseline.access[baseline.access["need"] == "social_any"]["time_min"].to_numpy()
    ok = np.isfinite(s_org)
    assert (s_any[ok] <= s_org[ok] + 1e-9).all() and (s_any[ok] < s_org[ok] - 1e-9).any()


def test_organiser_mask_hand_worked():
    org = {"505": "Keski", "858": "Keski", "753": "Ita", "091": "Hki"}
    m = organiser_mask(np.array(["505", "753", "999"]), np.array(["858", "753", "091"]), org)
    assert m.tolist() == [[True, False, False], [False, True, False], [True, True, True]]


def test_reception_centre_residents_follow_the_centre_municipality():
    pts = gpd.GeoDataFrame({
        "id": ["vok", "soc_near_other_county", "soc_own_county", "kela_other"],
        "name": list("abcd"),
        "category": ["reception_centre", "fi_walkin", "fi_walkin", "kela"],
        "municipality_code": ["505", "753", "858", "753"],
    }, geometry=[Point(X0, Y0), Point(X0 + 1000, Y0), Point(X0 + 4000, Y0), Point(X0 + 500, Y0)],
        crs=3067)
    org = {"505": "Keski", "858": "Keski", "753": "Ita"}
    r = reception_access(pts, MODEL, needs=("social_walkin", "kela"), organisers=org)
    r = r.set_index("need")
    assert r.loc["social_walkin", "point_id"] == "soc_own_county"
    assert r.loc["social_walkin", "time_min"] == pytest.approx(40.0)
    assert r.loc["kela", "point_id"] == "kela_other"  # Kela: any office
    r_any = reception_access(pts, MODEL, needs=("social_walkin",), organisers=org,
                             eligibility={"social_walkin": "any"}).set_index("need")
    assert r_any.loc["social_walkin", "point_id"] == "soc_near_other_county"


# --- 4. merge semantics ----------------------------------------------------------------


@pytest.fixture(scope="module")
def kela_line(borders):
    """Two units on a line; Kela K1 at 0 m, K2 at 8 km, K4 at 9 km; a new K3 can open at 2 km.

    Baseline: U1 (0 m) -> K1 0 min, U2 (3 km) -> K1 30 min.
    """
    from planner.inputs.data import load_municipal_centres, load_municipalities

    units = gpd.GeoDataFrame({
        "unit_id": ["U1", "U2"], "unit_type": "test", "name": ["U1", "U2"],
        "municipality_code": "091", "municipality": "M", "service_area": "S",
        "pop_fi": [100, 50], "pop_sv": [0, 0], "pop_sv_estimated": True,
        "located": True, "x_m": [X0, X0 + 3000], "y_m": Y0,
    }, geometry=[Point(X0, Y0), Point(X0 + 3000, Y0)], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    points = gpd.GeoDataFrame({
        "id": ["K1", "K2", "K4"], "name": ["K1", "K2", "K4"], "category": "kela",
        "municipality_code": "091", "capacity": np.nan,
    }, geometry=[Point(X0, Y0), Point(X0 + 8000, Y0), Point(X0 + 9000, Y0)], crs=3067)
    ttm = travel_time_matrix(MODEL, units, points)
    return Study(units, points, load_municipalities(), borders, load_municipal_centres(),
                 pd.DataFrame({"municipality_code": ["091"], "service_area": ["S"]}), MODEL, ttm,
                 {"model": MODEL.model, "mode": "walk", "data_year": "test", "scenario": "baseline"})


def _kela(res):
    a = res.access[(res.access["need"] == "kela") & (res.access["group"] == "fi")].set_index("unit_id")
    return a["point_id"].to_dict(), a["time_min"].round(6).to_dict()


def _k3():
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(3067, 4326, always_xy=True).transform(X0 + 2000, Y0)
    return {"open": {"id": "K3", "name": "K3", "category": "kela", "municipality_code": "091",
                     "lon": lon, "lat": lat}}


def test_merge_receiving_versus_nearest_hand_worked(kela_line):
    base = evaluate_points(kela_line)
    assert _kela(base) == ({"U1": "K1", "U2": "K1"}, {"U1": 0.0, "U2": 30.0})
    recv = parse_scenario({"name": "r", "changes": [
        {"merge": {"into": "K2", "from": ["K1"], "clients": "receiving"}}, _k3()]})
    near = parse_scenario({"name": "n", "changes": [
        {"merge": {"into": "K2", "from": ["K1"], "clients": "nearest"}}, _k3()]})
    r, _ = evaluate(kela_line, recv, base)
    n, _ = evaluate(kela_line, near, base)
    # receiving: both go to K2 (8 km and 5 km) although the new K3 (2 km) is nearer
    assert _kela(r) == ({"U1": "K2", "U2": "K2"}, {"U1": 80.0, "U2": 50.0})
    # nearest: both choose K3 (2 km and 1 km)
    assert _kela(n) == ({"U1": "K3", "U2": "K3"}, {"U1": 20.0, "U2": 10.0})
    reg_r = compare_all(base, r, kela_line.units)["compare_region"].set_index(["need", "group"])
    reg_n = compare_all(base, n, kela_line.units)["compare_region"].set_index(["need", "group"])
    # receiving: U1 +80 min, U2 +20 min; nearest: U1 +20 min, U2 -20 min
    assert reg_r.loc[("kela", "fi"), ["pop_lose_gt_10", "pop_lose_gt_20"]].tolist() == [150, 100]
    assert reg_n.loc[("kela", "fi"), ["pop_lose_gt_10", "pop_lose_gt_20"]].tolist() == [100, 0]
    assert reg_n.loc[("kela", "fi"), "pop_better"] == 50
    # Kela's default (clients free to choose) is nearest
    dflt = parse_scenario({"name": "d", "changes": [{"merge": {"into": "K2", "from": ["K1"]}}, _k3()]})
    assert _kela(evaluate(kela_line, dflt, base)[0]) == _kela(n)


def test_merge_chain_resolves_to_the_final_receiver(kela_line):
    base = evaluate_points(kela_line)
    chain = parse_scenario({"name": "c", "changes": [
        {"merge": {"into": "K2", "from": ["K1"], "clients": "receiving"}},
        {"merge": {"into": "K4", "from": ["K2"], "clients": "receiving"}}]})
    res, applied = evaluate(kela_line, chain, base)
    assert applied.merges == {"K1": "K4", "K2": "K4"}
    assert _kela(res) == ({"U1": "K4", "U2": "K4"}, {"U1": 90.0, "U2": 60.0})


def test_merged_then_closed_is_an_error(kela_line):
    with pytest.raises(ScenarioError, match="closed later") as e:
        apply_scenario(kela_line, parse_scenario({"name": "x", "changes": [
            {"merge": {"into": "K2", "from": ["K1"]}}, {"close": "K2"}]}))
    assert e.value.row == 2
    with pytest.raises(ScenarioError, match="merged and later closed"):
        apply_scenario(kela_line, parse_scenario({"name": "x", "changes": [
            {"merge": {"into": "K2", "from": ["K1"]}}, {"close": "K1"}]}))
    with pytest.raises(ScenarioError, match="clients"):
        parse_scenario({"name": "x", "changes": [
            {"merge": {"into": "K2", "from": ["K1"], "clients": "everyone"}}]})


# --- 5. need weights --------------------------------------------------------------------


def test_weight_unemployed_changes_the_worst_off_ranking(borders):
    """M1: A loses 10 min, B nothing; M2: C loses 3 min. 100 residents each.

    Residents: M1 mean loss (10*100 + 0*100)/200 = 5 > M2's 3, so M1 is worse off.
    Unemployed (2016 shares A 1 %, B 20 %, C 10 %: 1, 20 and 10 people):
    M1 (10*1 + 0*20)/21 = 0.476 < M2's 3, so M2 is worse off.
    """
    from planner.inputs.data import load_municipal_centres, load_municipalities

    xs = [X0, X0 + 1000, X0 + 5000]
    units = gpd.GeoDataFrame({
        "unit_id": ["00100", "00200", "00300"], "unit_type": "postal_area", "name": list("ABC"),
        "municipality_code": "091", "municipality": ["M1", "M1", "M2"], "service_area": "S",
        "pop_total": 100, "pop_fi": 100, "pop_sv": 0, "pop_sv_estimated": True,
        "located": True, "x_m": xs, "y_m": Y0}, geometry=[Point(x, Y0) for x in xs], crs=3067)
    need = pd.DataFrame({"postal_code": ["00100", "00200", "00300"], "municipality_code": "091",
                         "population_2016": [1000, 1000, 1000], "unemployed_2016": [10, 200, 100],
                         "households_total_2016": 500, "households_lowest_income_2016": 50})
    points = gpd.GeoDataFrame({
        "id": ["p1", "p2", "p3", "p4"], "name": list("wxyz"), "category": "fi_walkin",
        "municipality_code": "091", "capacity": np.nan},
        geometry=[Point(X0, Y0), Point(X0 + 5000, Y0), Point(X0 + 1000, Y0), Point(X0 + 5300, Y0)],
        crs=3067)
    sc = parse_scenario({"name": "close", "changes": [{"close": ["p1", "p2"]}]})

    def ranking(weight):
        u = weight_units(units, weight, need)
        study = Study(u, points, load_municipalities(), borders, load_municipal_centres(),
                      pd.DataFrame({"municipality_code": ["091"], "service_area": ["S"]}), MODEL,
                      travel_time_matrix(MODEL, u, points),
                      {"model": MODEL.model, "mode": "walk", "data_year": "t", "scenario": "baseline"})
        base = evaluate_points(study)
        res, _ = evaluate(study, sc, base)
        t = compare_all(base, res, u)["compare_municipality"]
        t = t[(t["need"] == "social_walkin") & (t["group"] == "all")].set_index("area")
        return t["mean_change_min_served_both"].round(3).to_dict(), t["population"].to_dict()

    change, pop = ranking("residents")
    assert change == {"M1": 5.0, "M2": 3.0} and pop == {"M1": 200, "M2": 100}
    change, pop = ranking("unemployed")
    assert change == {"M1": round(10 / 21, 3), "M2": 3.0} and pop == {"M1": 21, "M2": 10}


def test_need_weight_on_bundled_data_keeps_totals_honest(study):
    from planner.inputs.data import load_postal_need

    need = load_postal_need()
    assert len(need) == 389
    u = weight_units(study.units, "unemployed", need)
    assert (u["pop_fi"] + u["pop_sv"] == u["pop_total"]).all()
    assert (u["pop_residents"] == study.units["pop_total"]).all()
    # areas below 30 residents in 2016 and the new 05850 use their municipality's share
    small = set(need.loc[need["population_2016"] < 30, "postal_code"]) | {"05850"}
    fb = set(u.loc[u["weight_fallback"], "unit_id"])
    assert small & set(u["unit_id"]) <= fb
    assert 0.03 < u["pop_total"].sum() / u["pop_residents"].sum() < 0.10


def test_placeholder_marker_is_hollow():
    from planner.outputs.maps import marker_svg

    svg = marker_svg("sv_walkin", state="placeholder")
    assert 'fill="none"' in svg and "stroke-dasharray" in svg
    assert 'fill="none"' not in marker_svg("sv_walkin")


# --- CLI ------------------------------------------------------------------------------


def test_cli_date_and_weight(tmp_path):
    from typer.testing import CliRunner

    from planner.cli.main import app

    runner = CliRunner()
    bad = runner.invoke(app, ["report", "--out", str(tmp_path / "x"), "--date", "31.12.2022"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    bad = runner.invoke(app, ["report", "--out", str(tmp_path / "x"), "--weight", "income"])
    assert bad.exit_code == 2 and "--weight" in bad.output
    ok = runner.invoke(app, ["report", "--out", str(tmp_path / "r"), "--weight", "unemployed",
                             "--date", "2025-07-01", "--include-unlocated-points"])
    assert ok.exit_code == 0, ok.output
    region = pd.read_csv(tmp_path / "r" / "summary_region.csv")
    assert region["demand_weight"].str.startswith("unemployed").all()
    assert (region["network_date"] == "2025-07-01").all()
    assert region["unlocated_points"].str.contains("INCLUDED").all()
    assert region["eligibility"].str.contains("social_any: organiser").all()
    pts = pd.read_csv(tmp_path / "r" / "service_points.csv")
    assert "vok_porvoo_luona" not in set(pts["id"])  # closed 30.6.2025
    assert region.query("group == 'all'")["population"].lt(200_000).all()  # unemployed, not residents


def test_optimiser_costs_follow_the_organiser_rule(study):
    from planner.optimise.inputs import candidate_sites, cost_matrix, demand_rows

    rows, _ = demand_rows(study, "social_any", "fi")
    sites = candidate_sites(study, "social_any", "fi", ("existing",), 5000)
    cost = cost_matrix(study, rows, sites, "social_any")
    org = study.organisers
    cross = (rows["municipality_code"].map(org).to_numpy()[:, None]
             != sites["municipality_code"].map(org).to_numpy()[None, :])
    assert cross.any() and np.isinf(cost[cross]).all()
    assert np.isfinite(cost[~cross]).any()
