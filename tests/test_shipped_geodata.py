"""The shipped postal polygons are valid as shipped (issue 27): made valid once at build time by
``tools/geodata/make_valid_postal_areas.py``, so a default run warns of nothing; a user's
invalid file is still repaired at load time with a warning."""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from typer.testing import CliRunner

from planner.cli.main import app
from planner.errors import PlannerWarning
from planner.inputs.data import load_postal_areas

ROOT = Path(__file__).resolve().parents[1]
POSTAL = ROOT / "geodata" / "uusimaa" / "postal_areas.geojson"
SCRIPT = ROOT / "tools" / "geodata" / "make_valid_postal_areas.py"


def _script():
    spec = importlib.util.spec_from_file_location("make_valid_postal_areas", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_shipped_postal_polygons_are_valid_in_wgs84_and_epsg3067():
    raw = gpd.read_file(POSTAL)
    assert len(raw) == 390
    assert raw.is_valid.all() and raw.to_crs(3067).is_valid.all()


def test_build_script_is_idempotent_on_the_shipped_file(tmp_path):
    out = tmp_path / "p.geojson"
    assert _script().make_valid_file(POSTAL, out) == []
    assert out.read_bytes() == POSTAL.read_bytes()


def test_build_script_repairs_a_bow_tie_and_copies_every_other_line(tmp_path):
    """A self-crossing polygon (two triangles meeting at (25.5, 60.5)) becomes valid; the
    valid feature's line and the header are copied byte for byte."""
    head = ('{\n"type": "FeatureCollection",\n"name": "postal_areas",\n"crs": { "type": "name", '
            '"properties": { "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },\n"features": [\n')
    ok = ('{ "type": "Feature", "properties": { "postal_code": "00100" }, "geometry": { "type": "Polygon", '
          '"coordinates": [ [ [ 24.0, 60.0 ], [ 24.1, 60.0 ], [ 24.1, 60.1 ], [ 24.0, 60.0 ] ] ] } },\n')
    bow = {"type": "Feature", "properties": {"postal_code": "00200"},
           "geometry": {"type": "Polygon", "coordinates": [[[25.0, 60.0], [26.0, 61.0], [26.0, 60.0],
                                                            [25.0, 61.0], [25.0, 60.0]]]}}
    src = tmp_path / "src.geojson"
    src.write_text(head + ok + json.dumps(bow) + "\n]\n}\n", encoding="utf-8")
    notes = _script().make_valid_file(src, tmp_path / "out.geojson")
    assert len(notes) == 1 and "postal_code 00200" in notes[0]
    text = (tmp_path / "out.geojson").read_text(encoding="utf-8")
    assert text.startswith(head + ok) and text.endswith("\n]\n}\n")
    fixed = gpd.read_file(tmp_path / "out.geojson")
    assert fixed.is_valid.all() and fixed.to_crs(3067).is_valid.all()
    assert fixed.geometry.iloc[1].geom_type == "MultiPolygon"
    assert fixed.geometry.iloc[1].area == pytest.approx(0.5, rel=1e-6)  # two triangles of 0.25 deg²


def test_a_users_invalid_postal_file_is_still_repaired_with_a_warning(tmp_path):
    gdf = gpd.read_file(POSTAL)
    wkt = "POLYGON ((24.90 60.15, 24.95 60.20, 24.95 60.15, 24.90 60.20, 24.90 60.15))"  # a bow tie
    bow = gpd.GeoSeries.from_wkt([wkt], crs=4326)
    gdf.loc[0, "geometry"] = bow.iloc[0]
    path = tmp_path / "users.geojson"
    gdf.to_file(path)
    with pytest.warns(PlannerWarning, match=r"repaired 1 invalid polygon\(s\)"):
        load_postal_areas(path)


@pytest.mark.slow
def test_default_report_run_emits_no_warning(tmp_path):
    """`planner report` on the embedded data: no warning printed, none raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert "warning" not in res.output.lower(), res.output
    assert not [w for w in caught if issubclass(w.category, PlannerWarning)], [str(w.message) for w in caught]
