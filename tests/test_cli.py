"""The `planner` command on the embedded data and on a user's own (bad) file."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from planner.cli.main import app

runner = CliRunner()


def test_report_writes_tables_and_map(tmp_path):
    out = tmp_path / "rep"
    result = runner.invoke(app, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "straight-line estimate" in result.output
    for name in ("summary_region", "summary_municipality", "summary_service_area", "access_units",
                 "point_load", "reception_centres", "demand_units", "service_points", "metadata"):
        assert (out / f"{name}.csv").exists(), name
    region = pd.read_csv(out / "summary_region.csv")
    assert (region["model"] == "straight-line estimate").all()
    assert (region["data_year"] == 2022).all()
    assert region.query("group == 'all'")["population"].eq(1_704_809).all()
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "straight-line estimate" in html and "Kela office" in html


def test_report_on_own_points_file(tmp_path):
    from pathlib import Path

    pts = Path(__file__).parent / "data" / "points_small.csv"
    result = runner.invoke(app, ["report", "--out", str(tmp_path), "--points", str(pts),
                                 "--mode", "drive"])
    assert result.exit_code == 0, result.output
    load = pd.read_csv(tmp_path / "point_load.csv")
    assert set(load["id"]) <= {"h_fi", "h_sv", "e_kela", "p_fi"}
    assert (load["mode"] == "drive").all()


def test_bad_file_gives_a_located_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,category,municipality_code,lon,lat\na,A,clinic,091,24.9,60.2\n")
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--points", str(bad)])
    assert result.exit_code == 2
    assert "row 1" in result.output and "category" in result.output and "bad.csv" in result.output


def test_calibrate_prints_the_cross_validated_table():
    result = runner.invoke(app, ["calibrate", "--mode", "walk"])
    assert result.exit_code == 0, result.output
    assert "leave-one-destination-out" in result.output and "population-weighted" in result.output
    for band in ("all", "0-2 km", "2-5 km", "5-10 km", "10-20 km", "20-40 km"):
        assert f"walk {band:>8}" in result.output, band
    assert "median_abs_pct" in result.output and "p90_abs_min" in result.output
    bad = runner.invoke(app, ["calibrate", "--mode", "bike"])
    assert bad.exit_code == 2 and "pt_rush" in bad.output


def test_public_transport_estimate_and_its_error_in_every_table(tmp_path):
    out = tmp_path / "pt"
    result = runner.invoke(app, ["report", "--out", str(out), "--mode", "pt"])
    assert result.exit_code == 0, result.output
    region = pd.read_csv(out / "summary_region.csv")
    assert (region["mode"] == "pt").all()
    # issue 24: a row's error is the median of its residents' measured errors; where the median
    # trip lies beyond the calibration range or has no point, it is not measured (NaN)
    measured = 2 * (region["pop_unreachable"] + region["pop_extrapolated"]) < region["population"]
    assert region.loc[measured, "time_error_p90_min"].notna().all()
    assert region.loc[region["pop_unreachable"] == region["population"], "time_error_p90_min"].isna().all()
    units = pd.read_csv(out / "access_units.csv")
    reached = units[units["time_min"] < float("inf")]
    assert reached.loc[~reached["extrapolated"], "time_error_p90_min"].notna().all()
    assert reached.loc[reached["extrapolated"], "time_error_p90_min"].isna().all()
    assert "wait before the first leg" in units["pt_wait"].iloc[0]
    assert "time_error_p90_min" in pd.read_csv(out / "reception_centres.csv").columns
    meta = pd.read_csv(out / "metadata.csv").set_index("key")["value"]
    assert "coarsest estimate" in meta["model_parameters"] and "±" in meta["time_error_p90_min"]


def test_public_transport_on_the_road_network_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "x"), "--mode", "pt",
                                 "--network", str(tmp_path / "net.npz")])
    assert result.exit_code == 2
    assert "routes only walk and drive" in result.output and "--network none" in result.output


def test_car_is_an_alias_of_drive(tmp_path):
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "c"), "--mode", "car"])
    assert result.exit_code == 0, result.output
    assert (pd.read_csv(tmp_path / "c" / "summary_region.csv")["mode"] == "drive").all()


def test_network_model_used_where_available(tmp_path):
    """The embedded Helsinki-centre OSM network is used for its demo area; 'none' opts out."""
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "net"), "--demand", "helsinki_centre",
                                 "--mode", "walk"])
    assert result.exit_code == 0, result.output
    region = pd.read_csv(tmp_path / "net" / "summary_region.csv")
    assert (region["model"] == "road network (OSM)").all()
    assert region["network_source"].str.contains("Helsinki.osm.pbf").all()
    assert region["osm_date"].str.startswith("20").all()
    assert (region["data_year"] == 2020).all()
    # every resident is accounted for: reachable, unreachable (off the small extract) or unlocated
    assert region.query("group == 'all'")["population"].eq(71_724).all()
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "sl"), "--demand", "helsinki_centre",
                                 "--mode", "walk", "--network", "none"])
    assert result.exit_code == 0, result.output
    assert (pd.read_csv(tmp_path / "sl" / "summary_region.csv")["model"] == "straight-line estimate").all()
