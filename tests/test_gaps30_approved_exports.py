"""The files a planner downloads, compared in full with reviewed files (issue 28).

For the bundled study and the bundled scenario that concentrates Kela offices: the rows of the
exported CSV in both dialects (the bytes: byte-order mark, separator, decimal mark, line ends,
provenance columns), the ``metadata`` record and ``ATTRIBUTION.md``; the Excel workbook's sheets,
metadata rows and document properties; the GeoPackage's layers, their attribute rows,
description and metadata; the scenario overview of ``planner report`` and the README's
numbers block. Floats are written as the file writes them (``%.10g`` in the Finnish Excel
dialect) or rounded here to what a reader sees, so the same file holds at the floor versions.
The reviewed files live in ``tests/test_gaps30_approved_exports/``; refresh with ``--force-regen``.
"""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"


def _cell(v) -> str:  # noqa: ANN001
    """A cell as a reader sees it: floats to 6 significant digits, nothing else changed."""
    if isinstance(v, float):
        return "" if v != v else f"{v:.6g}"
    return "" if v is None else str(v)


def rows_text(df: pd.DataFrame) -> list[str]:
    return [" | ".join(map(str, df.columns)),
            *(" | ".join(_cell(v) for v in r) for r in df.itertuples(index=False))]


@pytest.fixture(scope="module")
def kela_run(study, baseline):
    from planner.analysis.scenario import load_scenario
    from planner.outputs.report import run_scenarios

    return run_scenarios(study, [load_scenario(SCENARIOS / "concentrate_kela_offices.yaml")], baseline)[1][0]


def _tables(run) -> dict[str, pd.DataFrame]:  # noqa: ANN001
    reg = run.comparison["compare_region"]
    load = run.comparison["point_load_change"]
    return {"compare_region": reg[reg["need"] == "kela"],
            "point_load_change": load[load["need"] == "kela"]}


@pytest.mark.parametrize("dialect", ["default", "excel-fi"])
def test_csv_files_bytes_rows_and_provenance_columns_as_reviewed(kela_run, dialect, tmp_path,
                                                                 file_regression):
    from planner.outputs.export import write_csv

    files = write_csv(_tables(kela_run), tmp_path, kela_run.results.provenance, dialect)
    assert [f.name for f in files] == ["compare_region.csv", "point_load_change.csv", "metadata.csv",
                                       "ATTRIBUTION.md"]
    text = []
    for f in files:
        raw = f.read_bytes()
        bom = "with" if raw.startswith(b"\xef\xbb\xbf") else "no"
        ends = "CRLF" if b"\r\n" in raw else "LF"
        text += [f"# {f.name} ({bom} byte-order mark, {ends} line ends)",
                 *raw.decode("utf-8-sig").replace("\r\n", "\n").splitlines()]
    if dialect == "default":  # every digit of a float: rounded here, the file's own digits vary
        text = [_round_floats(x) for x in text]
    file_regression.check("\n".join(text) + "\n", basename=f"csv_{dialect}", extension=".txt")


def _round_floats(line: str) -> str:
    return re.sub(r"(?<![\w.])(-?\d+\.\d{7,})(?![\w.])", lambda m: f"{float(m[1]):.6g}", line)


def test_excel_sheets_metadata_and_document_properties_as_reviewed(kela_run, tmp_path, file_regression):
    from openpyxl import load_workbook

    from planner.analysis.scenario import scenario_to_yaml
    from planner.outputs.export import write_excel

    path = write_excel(_tables(kela_run), tmp_path / "r.xlsx", kela_run.results.provenance,
                       scenario_to_yaml(kela_run.scenario))
    wb = load_workbook(path)
    p = wb.properties
    text = ["# properties", f"title: {p.title}", f"creator: {p.creator}", f"keywords: {p.keywords}",
            "description:", p.description]
    for ws in wb.worksheets:
        text.append(f"# sheet {ws.title}")
        text += [" | ".join(_cell(c) for c in row) for row in ws.iter_rows(values_only=True)]
    file_regression.check("\n".join(text) + "\n", basename="excel", extension=".txt")


def test_geopackage_layers_rows_description_and_metadata_as_reviewed(study, kela_run, tmp_path,
                                                                     file_regression):
    from planner.outputs.export import read_geopackage_layer, write_geopackage

    points = study.points[study.points["category"] == "kela"]
    layers = {"service_points": points[["id", "name", "category", "geometry"]], **_tables(kela_run)}
    path = write_geopackage(layers, tmp_path / "r.gpkg", kela_run.results.provenance)
    text = []
    with sqlite3.connect(path) as db:
        for name, kind, desc, srs in db.execute(
                "select table_name, data_type, description, srs_id from gpkg_contents order by table_name"):
            text += [f"# layer {name} ({kind}, srs {srs})", f"description: {desc}"]
        text.append("# metadata (GDAL's key/value items of the file)")
        xml = [m for (m,) in db.execute("select metadata from gpkg_metadata order by id")][0]
        items = re.findall(r'<MDI key="(\w+)">(.*?)</MDI>', xml, re.S)
        text += [f"{k}: {html.unescape(v)}" for k, v in items]
    for name in [*layers, "metadata"]:
        back = read_geopackage_layer(path, name)
        df = pd.DataFrame(back.drop(columns="geometry") if "geometry" in back.columns else back)
        if "geometry" in back.columns:  # EPSG:3067 metres, as the layer stores them
            df["geometry"] = [f"{g.x:.0f} {g.y:.0f}" for g in back.geometry]
        text += [f"# rows of {name}", *rows_text(df)]
    file_regression.check("\n".join(text) + "\n", basename="geopackage", extension=".txt")


def test_scenario_overview_of_the_report_as_reviewed(kela_run, file_regression):
    from planner.outputs.report import scenario_overview

    file_regression.check("\n".join(rows_text(scenario_overview([kela_run]))) + "\n",
                          basename="scenario_overview", extension=".txt")


def test_readme_numbers_block_as_reviewed(study, baseline, file_regression):
    from planner.outputs.readme import numbers_markdown, replace_block

    block = numbers_markdown(study, baseline)
    page = replace_block("intro\n<!-- numbers:start -->\nold\n<!-- numbers:end -->\nend\n", block)
    assert page == f"intro\n<!-- numbers:start -->\n{block}\n<!-- numbers:end -->\nend\n"
    file_regression.check(block + "\n", basename="readme_numbers", extension=".md")
