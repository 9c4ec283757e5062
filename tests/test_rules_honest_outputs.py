"""Issue 24: outputs that cannot flatter or mislabel. 2SFCA under the nearest-point eligibility
rules, compare CSV rows labelled by their own scenario, duplicate scenario names refused,
reception-centre pairs in one area timed by the within-area rule.
"""

from __future__ import annotations

import csv

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

from planner.analysis.fca import fca_table, floating_catchment
from planner.cli.main import app
from planner.traveltime import TravelTimeMatrix

runner = CliRunner()


# --- 2SFCA within the organiser -----------------------------------------------------------------


@pytest.fixture()
def two_organisers():
    """Units A (Helsinki, 100 fi) and V (Vantaa, 100 fi), both 10 min from the Helsinki walk-in
    point h (capacity 20) and 25 min from the Vantaa point v (capacity 5); K (Kerava, 50 fi) 10 min
    from h only. Helsinki and Vantaa-Kerava are different organisers."""
    units = gpd.GeoDataFrame({"unit_id": ["A", "V", "K"], "pop_fi": [100, 100, 50], "pop_sv": [0, 0, 0],
                              "located": True, "municipality_code": ["091", "092", "245"]},
                             geometry=[Point(k, 0) for k in range(3)], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    pts = gpd.GeoDataFrame({"id": ["h", "v"], "category": ["fi_walkin", "fi_walkin"],
                            "capacity": [20.0, 5.0], "municipality_code": ["091", "092"]},
                           geometry=[Point(0, 1), Point(1, 1)], crs=3067)
    ttm = TravelTimeMatrix(np.array(["A", "V", "K"]), np.array(["h", "v"]),
                           np.array([[10.0, 25.0], [10.0, 25.0], [10.0, np.inf]]))
    organisers = {"091": "Helsinki", "092": "Vantaa-Kerava", "245": "Vantaa-Kerava"}
    return units, pts, ttm, organisers


def test_2sfca_gives_zero_to_residents_without_an_eligible_point_in_their_organiser(two_organisers):
    units, pts, ttm, organisers = two_organisers
    out = floating_catchment(units, pts, ttm, "social_walkin", "fi", 30.0,
                             organisers=organisers).set_index("unit_id")
    # h serves only Helsinki's A: 20 / 100 = 0.2; v serves V only (K is beyond reach): 5 / 100
    assert out.loc["A", "fca_2sfca"] == pytest.approx(0.2)
    assert out.loc["V", "fca_2sfca"] == pytest.approx(0.05)
    assert out.loc["K", "fca_2sfca"] == 0.0 and out.loc["K", "fca_e2sfca"] == 0.0  # h is not theirs
    assert out["eligibility_rule"].str.startswith("organiser: only the points of the resident's own").all()
    # Kela is free to choose: the 'any' rule and its wording
    kela = fca_table(units, pts.assign(category="kela"), ttm, organisers=organisers)
    assert (kela["eligibility_rule"] == "any: every point of the need").all()
    assert kela.set_index("unit_id").loc["K", "fca_2sfca"] > 0


# --- compare CSVs label each row by its own scenario ----------------------------------------------


def _scenario(path, name: str, close: str) -> str:
    path.write_text(f"name: {name}\nbase: {{demand: postal, mode: drive}}\nchanges:\n  - close: {close}\n",
                    encoding="utf-8")
    return str(path)


def test_compare_csv_rows_carry_their_own_scenario_name(tmp_path):
    a = _scenario(tmp_path / "a.yaml", "Close Kamppi Kela", "kela_helsinki_kamppi")
    b = _scenario(tmp_path / "b.yaml", "Close Tikkurila Kela", "kela_vantaa_tikkurila")
    out = tmp_path / "out"
    res = runner.invoke(app, ["compare", a, b, "--out", str(out)])
    assert res.exit_code == 0, res.output
    for table in ("overview", "compare_region", "compare_service_area", "compare_municipality", "equity",
                  "point_load_change", "worst_off"):
        with open(out / f"{table}.csv", encoding="utf-8", newline="") as f:
            names = {r["scenario"] for r in csv.DictReader(f)}
        assert names <= {"Close Kamppi Kela", "Close Tikkurila Kela"}, (table, names)
        if table != "worst_off":
            assert names == {"Close Kamppi Kela", "Close Tikkurila Kela"}, table
    with open(out / "compare_region.csv", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["need"] == "kela" and r["group"] == "all"]
    by = {r["scenario"]: r for r in rows}
    kamppi, tikkurila = by["Close Kamppi Kela"], by["Close Tikkurila Kela"]
    assert kamppi["mean_min_served_after"] != tikkurila["mean_min_served_after"]


def test_compare_refuses_two_scenarios_with_one_name(tmp_path):
    a = _scenario(tmp_path / "a.yaml", "Plan A", "kela_helsinki_kamppi")
    b = _scenario(tmp_path / "b.yaml", "plan a", "kela_vantaa_tikkurila")
    res = runner.invoke(app, ["compare", a, b, "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "b.yaml" in res.output and "field 'name'" in res.output and "a.yaml" in res.output
    assert not (tmp_path / "out").exists()


# --- reception centres: the within-area rule ----------------------------------------------------------


def test_no_reception_centre_pair_is_zero_minutes(baseline):
    rec = baseline.reception
    # e.g. vok_espoo_ylamyllyntie -> Jorvi and vok_porvoo_luona -> the Porvoo emergency unit stand at
    # one postal-area point: their trip is the mean over that area (several minutes), never 0.000
    timed = rec.loc[rec["point_id"] != "", "time_min"]
    assert len(timed) and (timed > 1.0).all()
