"""Issue 23: a service network a planner can trust. Unknown is not unreachable (proxy sites at the
municipal centre count), targeted services serve only their own group, "no point" names a real
gap, and the README counts rows by precision. Rules on the bundled data, answers worked out by hand
on small cases."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from planner.analysis.accessibility import gap_columns, no_point_reasons, summarise, unit_access
from planner.analysis.study import evaluate_points, load_study
from planner.errors import DataError, PlannerWarning
from planner.inputs.categories import eligible_categories
from planner.inputs.data import load_municipal_centres, load_service_points, select_points
from planner.settings import ModeParams
from planner.traveltime import StraightLineModel, travel_time_matrix

X0, Y0 = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067
MODEL = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))  # min = m / 100


# --- the bundled network: the "done when" ------------------------------------------------


def _social_points(points: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Everyday (not targeted) social-service points serving ``lang`` (fi or sv)."""
    cats = eligible_categories("social_any", lang)
    return points[points["category"].isin(cats) & (points["target_group"] == "")]


def test_every_municipality_has_a_social_point_in_its_language_within_its_organiser(study):
    munis = study.municipalities.set_index("municipality_code")
    org = munis["wellbeing_county_2023"]
    for lang, codes in (("fi", munis.index), ("sv", munis.index[munis["bilingual"]])):
        pts = _social_points(study.points, lang)
        served = set(org.reindex(pts["municipality_code"]))
        missing = [c for c in codes if org[c] not in served]
        assert not missing, f"{lang}: no {lang} social-service point within the organiser of {missing}"
    # and the points are real rows: located at their postal area or a documented proxy
    assert set(study.points["location_precision"]) <= {"address", "postal_area", "municipality"}


def test_no_infinite_median_without_a_named_gap_and_vantaa_kerava_is_finite(baseline):
    for key in ("summary_region", "summary_service_area", "summary_municipality"):
        s = baseline.summaries[key]
        no_point = ~np.isfinite(s["median_min"].to_numpy(dtype=float))
        # a real gap, or a service the file documents only on other dates (a gap in the evidence,
        # said as such, never as "no service")
        named = s["no_point_reason"].str.contains("has no open point of category|not documented on this date"
                                                  ).to_numpy()
        assert (named[no_point]).all(), s.loc[no_point & ~named, ["area", "need", "group"]]
        # and a reason is given exactly where residents are without a point
        assert ((s["pop_unreachable"] > 0) == (s["no_point_reason"] != "")).all()
    sa = baseline.summaries["summary_service_area"].set_index(["area", "need", "group"])
    # issue 23: 268,212 Vantaa–Kerava residents had "no point at all" (median inf)
    for group in ("fi", "all"):
        row = sa.loc[("Vantaa–Kerava", "social_any", group)]
        assert np.isfinite(row["median_min"]) and row["pop_unreachable"] == 0
        assert row["pop_nearest_proxy"] > 0  # their figures rest on proxy sites, and say so


def test_targeted_services_are_nobodys_everyday_point_by_default(study, baseline):
    targeted = set(study.points.loc[study.points["target_group"] != "", "id"])
    assert {"asp_fi_espoo_jorvi_sosiaalipaivystys", "asp_sv_lohja_socialjour",
            "asp_fi_porvoo_sosiaalipaivystys", "asp_fi_helsinki_hietaniemenkatu_palvelukeskus",
            "asp_fi_helsinki_kalasatama_maahanmuuttoyksikko"} <= targeted
    assert not set(baseline.access["point_id"]) & targeted
    assert not set(baseline.reception["point_id"]) & targeted
    # put back on request: the emergency units are then the nearest point for many residents
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        incl = load_study(include_target_groups=True)
    res = evaluate_points(incl)
    assert "INCLUDED" in res.provenance["target_groups"]
    served = res.access[res.access["point_id"].isin(targeted)]
    assert served["population"].sum() > 100_000


def test_the_located_only_view_leaves_every_proxy_out(study, baseline):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        loc = load_study(located_only=True)
    assert set(loc.points["location_precision"]) <= {"address", "postal_area"}
    assert set(loc.points["id"]) < set(study.points["id"])
    assert "located-only" in loc.provenance["proxy_points"]
    res = evaluate_points(loc)
    reg = res.summaries["summary_region"].set_index(["need", "group"])
    assert (reg["pop_nearest_proxy"] == 0).all()
    # without the proxies Vantaa–Kerava has no appointment point again: a gap, named
    assert reg.loc[("social_any", "fi"), "pop_unreachable"] > 0


def test_precision_of_the_nearest_point_on_every_access_row(study, baseline):
    acc = baseline.access
    served = acc["point_id"] != ""
    prec = study.points.set_index("id")["location_precision"]
    assert (acc.loc[served, "nearest_location_precision"].to_numpy()
            == prec.reindex(acc.loc[served, "point_id"]).to_numpy()).all()
    assert (acc.loc[~served, "nearest_location_precision"] == "").all()
    # the summary counts those residents: region kela fi = sum over access rows at a proxy
    kela = acc[(acc["need"] == "kela") & (acc["group"] == "fi")]
    reg = baseline.summaries["summary_region"].set_index(["need", "group"])
    assert reg.loc[("kela", "fi"), "pop_nearest_proxy"] == int(
        kela.loc[kela["nearest_location_precision"] == "municipality", "population"].sum())


def test_corrected_rows(borders):
    pts = load_service_points(borders=borders).set_index("id")
    assert pts.loc["kela_kerava", "location_precision"] == "municipality"
    assert pts.loc["asp_fi_helsinki_vuosaari_thk", "address"].startswith("Kahvikuja 2, 00980")
    from planner.inputs.data import load_postal_areas

    areas = load_postal_areas()
    nihti = pts.loc["vok_espoo_nihtisilta"].geometry
    assert areas.loc[areas.contains(nihti), "postal_code"].tolist() == ["02630"]
    assert "858" in set(load_municipal_centres()["municipality_code"])
    day = select_points(load_service_points(borders=borders), "2022-12-31").set_index("id")
    assert {"vok_loviisa_hemcare", "vok_sipoo_hemcare"} <= set(day.index)
    later = select_points(load_service_points(borders=borders), "2023-10-01")
    assert "vok_sipoo_hemcare" not in set(later["id"])  # its contract ended in September 2023
    # rows evidenced only from 2023 on are not in the network of 2022-12-31
    assert not {"asp_fi_helsinki_sosiaalineuvonta_etela", "vok_espoo_ylamyllyntie",
                "asp_fi_nurmijarvi_klaukkala_lahineuvonta"} & set(day.index)
    # every row has a source; no row of the file is 'compiled' without one
    assert (pts["source"].str.len() > 0).all()
    assert not (pts.loc[pts["location_precision"] != "unknown", "source"] == "compiled").any()


# --- hand-made cases --------------------------------------------------------------------------------


def _units(xs, codes, pop_fi=100, pop_sv=0) -> gpd.GeoDataFrame:
    n = len(xs)
    return gpd.GeoDataFrame({
        "unit_id": [f"u{i}" for i in range(n)], "municipality_code": codes, "municipality": codes,
        "service_area": ["A"] * n, "pop_total": [pop_fi + pop_sv] * n, "pop_fi": [pop_fi] * n,
        "pop_sv": [pop_sv] * n, "pop_sv_estimated": True, "located": True,
        "x_m": [X0 + x for x in xs], "y_m": Y0}, geometry=[Point(X0 + x, Y0) for x in xs], crs=3067)


def _points(rows) -> gpd.GeoDataFrame:
    df = pd.DataFrame(rows, columns=["id", "category", "municipality_code", "x", "location_precision",
                                     "target_group"])
    df["located"] = df["location_precision"] != "unknown"
    df["name"] = df["id"]
    return gpd.GeoDataFrame(df, geometry=[Point(X0 + x, Y0) for x in df["x"]], crs=3067)


def test_hand_made_proxy_target_group_and_gap():
    # two units 0 m and 4000 m east; organiser A = {001}, B = {002}
    units = _units([0, 4000], ["001", "002"])
    pts = _points([
        ("emerg", "fi_appointment", "001", 100, "postal_area", "emergency"),  # 1 min from u0
        ("proxy", "fi_appointment", "001", 1000, "municipality", ""),  # 10 min from u0
        ("kela", "kela", "002", 4500, "postal_area", ""),  # 5 min from u1
    ])
    ttm = travel_time_matrix(MODEL, units, pts)
    orgs = {"001": "A", "002": "B"}
    acc = unit_access(units, pts, ttm, needs=("social_any", "kela"), organisers=orgs)
    fi = acc[(acc["need"] == "social_any") & (acc["group"] == "fi")].set_index("unit_id")
    # the emergency unit is nearer but serves emergencies only: the proxy is u0's everyday point
    assert fi.loc["u0", "point_id"] == "proxy" and fi.loc["u0", "time_min"] == pytest.approx(10.0)
    assert fi.loc["u0", "nearest_location_precision"] == "municipality"
    # u1's organiser B has no social point at all: a real gap, named, not a missing site
    assert fi.loc["u1", "point_id"] == "" and np.isinf(fi.loc["u1", "time_min"])
    assert fi.loc["u1", "no_point_reason"].startswith("no service: the organiser B has no open point")
    assert fi.loc["u0", "no_point_reason"] == ""
    # Kela is open to everyone: u0 goes to B's Kela office (45 min), and has no reason to give
    kela = acc[(acc["need"] == "kela") & (acc["group"] == "fi")].set_index("unit_id")
    assert kela.loc["u0", "point_id"] == "kela" and kela.loc["u0", "time_min"] == pytest.approx(45.0)
    # summaries: 100 residents at a proxy, 100 without a point, the reason carried over
    s = summarise(acc, units, "municipality").set_index(["area", "need", "group"])
    assert s.loc[("001", "social_any", "fi"), "pop_nearest_proxy"] == 100
    assert s.loc[("002", "social_any", "fi"), "pop_unreachable"] == 100
    assert "organiser B" in s.loc[("002", "social_any", "fi"), "no_point_reason"]
    # the toggle puts the emergency unit back for u0 (1 min)
    back = unit_access(units, pts, ttm, needs=("social_any",), organisers=orgs, include_target_groups=True)
    b0 = back[(back["group"] == "fi") & (back["unit_id"] == "u0")].iloc[0]
    assert b0["point_id"] == "emerg" and b0["time_min"] == pytest.approx(1.0)


def test_no_point_reasons_tell_a_gap_from_a_model_limit():
    jj = np.array([0, -1, -1, -1])
    t = np.array([3.0, np.inf, np.inf, np.nan])
    mask = np.array([[True], [False], [True], [True]])  # unit 2 has a point the model cannot reach
    out = no_point_reasons(jj, t, mask, frozenset({"fi_walkin"}), np.array(["A", "B", "A", "A"], object),
                           np.array([False, True, False, False]))
    assert out[0] == "" and out[3] == ""  # served; unlocated (counted as unlocated, no reason)
    assert out[1] == ("no service: the organiser B has no open point of category fi_walkin in the network "
                      "of this date (a targeted service is left out: --include-target-groups)")
    assert out[2].startswith("no eligible point reachable with this travel-time model")


def test_a_service_documented_only_on_other_dates_is_a_gap_in_the_evidence():
    """Organiser B's only walk-in point is evidenced from 2023: on the day's network B's residents
    have no point, and the reason says the file documents it only on other dates (a gap in the
    evidence), never "no service"; organiser C has no row at all: that stays "no service"."""
    units = _units([0, 4000, 9000], ["001", "002", "003"])
    pts = _points([("a_walk", "fi_walkin", "001", 100, "postal_area", "")])
    ttm = travel_time_matrix(MODEL, units, pts)
    later = pd.DataFrame({"id": ["b_walk", "b_emerg"], "category": ["fi_walkin", "fi_walkin"],
                          "municipality_code": ["002", "002"], "valid_from": ["2023-01-01", "2021-01-01"],
                          "valid_to": ["", "2021-12-31"], "target_group": ["", "emergency"]})
    orgs = {"001": "A", "002": "B", "003": "C"}
    acc = unit_access(units, pts, ttm, needs=("social_walkin",), organisers=orgs, other_dates=later)
    fi = acc[acc["group"] == "fi"].set_index("unit_id")
    assert fi.loc["u0", "no_point_reason"] == ""
    assert fi.loc["u1", "no_point_reason"] == (
        "not documented on this date: the points file has point(s) of category fi_walkin of the organiser B "
        "only on other dates (from 2023-01-01); a gap in the evidence, not a finding")  # no emergency row
    assert fi.loc["u2", "no_point_reason"].startswith("no service: the organiser C has no open point")
    # without the rows of other dates the reason is the network's alone (as before)
    bare = unit_access(units, pts, ttm, needs=("social_walkin",), organisers=orgs)
    assert bare[(bare["group"] == "fi") & (bare["unit_id"] == "u1")]["no_point_reason"].iloc[0].startswith(
        "no service: the organiser B")


def test_bundled_walk_in_gap_on_the_default_day_reads_as_missing_evidence(study, baseline):
    """Helsinki's walk-in rows are evidenced from 2023 only: on 2022-12-31 its residents' walk-in
    reason says so; from 2023 they have a walk-in point."""
    from planner.analysis.study import evaluate_points, load_study

    acc = baseline.access
    hki = study.units.loc[study.units["municipality_code"] == "091", "unit_id"]
    rows = acc[(acc["need"] == "social_walkin") & (acc["group"] == "fi") & acc["unit_id"].isin(hki)]
    assert (rows["point_id"] == "").all()
    assert rows["no_point_reason"].str.startswith("not documented on this date").all()
    assert not rows["no_point_reason"].str.contains("no service").any()
    later = load_study(date="2023-06-01")
    acc23 = evaluate_points(later).access
    r23 = acc23[(acc23["need"] == "social_walkin") & (acc23["group"] == "fi") & acc23["unit_id"].isin(hki)]
    assert (r23["point_id"] != "").all()


def test_gap_columns_sum_proxy_residents_and_join_reasons():
    df = pd.DataFrame({"k": ["a", "a", "a", "b"], "population": [5, 7, 11, 13],
                       "nearest_location_precision": ["municipality", "postal_area", "", "locality"],
                       "no_point_reason": ["", "", "gap X", ""]})
    out = gap_columns(df, ["k"]).set_index("k")
    # a locality point (a geocoder's or a scenario's at_centre) stands where it was put: no proxy
    assert out.loc["a", "pop_nearest_proxy"] == 5 and out.loc["b", "pop_nearest_proxy"] == 0
    assert out.loc["a", "no_point_reason"] == "gap X" and out.loc["b", "no_point_reason"] == ""


def _csv(tmp_path, rows: list[str]) -> str:
    p = tmp_path / "pts.csv"
    p.write_text("id,name,category,municipality_code,lon,lat,location_precision,target_group\n"
                 + "\n".join(rows) + "\n", encoding="utf-8")
    return str(p)


def test_municipality_rows_stand_at_the_centre_and_target_groups_are_checked(tmp_path, borders):
    p = _csv(tmp_path, ["a,A,fi_appointment,091,,,municipality,", "b,B,fi_walkin,091,24.95,60.17,postal_area,"
                        "Homeless"])
    pts = load_service_points(p, borders=borders)
    centre = load_municipal_centres().set_index("municipality_code").geometry["091"]
    assert pts.geometry.iloc[0].distance(centre) < 1e-6  # no coordinates needed: the centre
    assert pts["proxy"].tolist() == [True, False] and pts["located"].all()
    assert pts["target_group"].tolist() == ["", "homeless"]
    assert select_points(pts, located_only=True)["id"].tolist() == ["b"]
    bad = _csv(tmp_path, ["a,A,kela,091,24.95,60.17,postal_area,<script>"])
    with pytest.raises(DataError) as err:
        load_service_points(bad, borders=borders)
    assert (err.value.row, err.value.field) == (1, "target_group")


def test_readme_table_counts_rows_by_precision(study, baseline):
    from pathlib import Path

    from planner.outputs.readme import numbers_markdown

    text = numbers_markdown(study, baseline)
    assert "| category | rows counted | address | postal area | municipality proxy |" in text
    every = select_points(study.all_points, "2022-12-31", include_unlocated=True)
    located = every[every["located"]]
    n_proxy = int((located["location_precision"] == "municipality").sum())
    n_postal = int((located["location_precision"] == "postal_area").sum())
    assert f"| **all** | **{len(located)}** | **0** | **{n_postal}** | **{n_proxy}** |" in text
    import re

    assert not re.search(r"\b(inf|Infinity|nan|NaN|None)\b|∞", text)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "| municipality proxy |" in readme


def test_map_draws_proxy_sites_hollow_with_their_precision(study, baseline):
    from planner.outputs.maps import marker_svg, scenario_map

    page = scenario_map(study, baseline, "social_any", "fi", tiles=None).get_root().render()
    hollow = marker_svg("fi_appointment", state="placeholder")
    solid = marker_svg("fi_appointment")
    assert hollow != solid
    import json
    import re

    props = [json.loads(m.group(1)) for m in re.finditer(r'"properties": (\{[^{}]*\})', page)]
    by_title = {p["title"]: p for p in props if p.get("title")}
    names = study.points.set_index("id")["name"]
    words = "site unknown: drawn at its municipal centre (proxy)"
    proxy = by_title[names["asp_fi_kerava_aikuissosiaalityo"]]  # documented, site unknown
    located = by_title[names["asp_fi_helsinki_myllypuro_thk"]]  # at its postal area
    assert words in proxy["tooltip"] and "stroke-dasharray" in proxy["svg"]  # hollow, dashed
    assert words not in located["tooltip"] and "stroke-dasharray" not in located["svg"]
    assert "stroke-dasharray" in hollow and "stroke-dasharray" not in solid
    assert words in page and "within its postal area" in page


def test_overview_sentence_says_how_many_figures_rest_on_a_proxy(baseline):
    from planner.app.state import area_figures, proxy_sentence

    reg = baseline.summaries["summary_region"].set_index(["need", "group"])
    n = int(reg.loc[("social_any", "fi"), "pop_nearest_proxy"])
    text = proxy_sentence(baseline, "social_any", "fi", "en")
    assert f"{n:,}" in text and "proxy site" in text
    gap = proxy_sentence(baseline, "social_walkin", "sv", "fi")
    assert "ei pistettä" in gap.lower() or "asukkaalla ei ole pistettä" in gap
    table = area_figures(baseline, "social_walkin", "sv", "en")
    shown = " ".join(table.astype(str).to_numpy().ravel())
    assert "no point" in shown and "inf" not in shown.split() and "None" not in shown


def test_cli_flags_reach_the_tables(tmp_path):
    from typer.testing import CliRunner

    from planner.cli.main import app

    out = tmp_path / "r"
    res = CliRunner().invoke(app, ["report", "--out", str(out), "--located-only", "--include-target-groups"])
    assert res.exit_code == 0, res.output
    meta = pd.read_csv(out / "summary_region.csv")
    assert meta["proxy_points"].str.contains("located-only").all()
    assert meta["target_groups"].str.contains("INCLUDED").all()
    acc = pd.read_csv(out / "access_units.csv", dtype={"point_id": str}, keep_default_na=False)
    assert {"nearest_location_precision", "no_point_reason"} <= set(acc.columns)
    assert "municipality" not in set(acc["nearest_location_precision"])
