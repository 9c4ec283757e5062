"""The `planner` command on the embedded data and on a user's own (bad) file."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from planner.cli import app

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


def test_calibrate_prints_errors():
    result = runner.invoke(app, ["calibrate", "--mode", "drive"])
    assert result.exit_code == 0 and "median_abs_min" in result.output


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
