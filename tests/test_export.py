"""Exports round-trip: what is written reads back with the same values and CRS."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from planner.analysis.scenario import load_scenario, scenario_to_yaml
from planner.outputs.report import run_scenarios, write_bundle


@pytest.fixture(scope="module")
def bundle(study, baseline, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    sc = load_scenario("geodata/scenarios/concentrate_kela_offices.yaml")
    _, runs = run_scenarios(study, [sc], baseline)
    files = write_bundle(study, runs[0].results, out, runs[0])
    return out, runs[0], files


def test_csv_round_trip(bundle):
    out, run, _ = bundle
    back = pd.read_csv(out / "csv" / "compare_region.csv")
    orig = run.comparison["compare_region"]
    assert len(back) == len(orig)
    np.testing.assert_allclose(back["mean_min_served_after"], orig["mean_min_served_after"])
    assert (back["model"] == "straight-line estimate").all()
    assert (back["scenario"] == "Concentrate Kela offices in five towns").all()
    meta = pd.read_csv(out / "csv" / "metadata.csv").set_index("key")["value"]
    assert meta["model"] == "straight-line estimate" and meta["data_year"] == "2022"


def test_excel_round_trip(bundle):
    out, run, _ = bundle
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"metadata", "summary_region", "compare_region", "point_load_change"} <= set(sheets)
    meta = sheets["metadata"].set_index("key")["value"]
    assert meta["scenario"] == "Concentrate Kela offices in five towns"
    assert "kela_espoo_iso_omena" in meta["scenario_file"]
    back = sheets["point_load_change"]
    orig = run.comparison["point_load_change"]
    assert back["residents_after"].tolist() == orig["residents_after"].tolist()


def test_geopackage_round_trip(bundle, study):
    out, run, _ = bundle
    units = gpd.read_file(out / "results.gpkg", layer="demand_units")
    assert units.crs.to_epsg() == 3067
    assert units["pop_total"].sum() == study.units["pop_total"].sum()
    assert units["unit_id"].tolist() == study.units["unit_id"].tolist()
    acc = run.results.access
    kela = acc[(acc["need"] == "kela") & (acc["group"] == "fi")].set_index("unit_id")["time_min"]
    np.testing.assert_allclose(units.set_index("unit_id")["time_kela_fi"], kela.loc[units["unit_id"]])
    closed = gpd.read_file(out / "results.gpkg", layer="closed_points")
    assert set(closed["id"]) >= {"kela_kerava", "kela_espoo_iso_omena"}
    pts = gpd.read_file(out / "results.gpkg", layer="service_points")
    assert "new_kela_nurmijarvi" in set(pts["id"]) and pts.crs.to_epsg() == 3067
    geom_in = study.points.set_index("id").geometry
    geom_out = pts.set_index("id").geometry
    common = geom_in.index.intersection(geom_out.index)
    assert geom_out.loc[common].geom_equals_exact(geom_in.loc[common], tolerance=1e-6).all()


def test_geoparquet_round_trip(bundle, study):
    out, _, _ = bundle
    units = gpd.read_parquet(out / "demand_units.parquet")
    assert units.crs.to_epsg() == 3067
    assert units["pop_total"].sum() == study.units["pop_total"].sum()
    assert units["unit_id"].iloc[0] == "00100"  # postal codes stay text with leading zeros
    assert (units["model"] == "straight-line estimate").all()


def test_scenario_file_written_back(bundle):
    out, run, _ = bundle
    assert load_scenario(out / "scenario.yaml").to_dict() == run.scenario.to_dict()
    assert (out / "scenario.yaml").read_text() == scenario_to_yaml(run.scenario)
