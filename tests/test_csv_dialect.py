"""``report --format`` writes every format through evaluate's writer, and ``--csv-dialect
excel-fi`` writes CSVs Finnish Excel opens as they are (issue 27): UTF-8 with a byte-order
mark, ``;`` between fields, decimal comma, no 15-digit float noise; read back with ``sep=';',
decimal=','`` they hold the same columns, the same ä/ö and the same values as the default
dialect's."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli.main import app
from planner.outputs.export import csv_options, write_csv

runner = CliRunner()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    plain = runner.invoke(app, ["report", "--out", str(root / "plain")])
    assert plain.exit_code == 0, plain.output
    fi = runner.invoke(app, ["report", "--out", str(root / "fi"), "--csv-dialect", "excel-fi",
                             "--format", "csv,xlsx,gpkg,parquet"])
    assert fi.exit_code == 0, fi.output
    return root / "plain", root / "fi"


def _same(a: pd.DataFrame, b: pd.DataFrame, name: str) -> None:
    assert list(a.columns) == list(b.columns) and a.shape == b.shape, name
    for col in a.columns:
        x, y = a[col], b[col]
        if x.dtype.kind == "f" or y.dtype.kind == "f":  # 10 significant digits against every digit
            close = np.allclose(x.astype(float), y.astype(float), rtol=1e-9, atol=0, equal_nan=True)
            assert close, (name, col)
        else:
            assert x.fillna("").astype(str).tolist() == y.fillna("").astype(str).tolist(), (name, col)


def test_report_writes_every_format_through_the_bundle_writer(reports):
    plain, fi = reports
    others = sorted(p.name for p in plain.iterdir() if p.suffix != ".csv" and not p.name.startswith("."))
    assert others == ["ATTRIBUTION.md", "map.html"]  # the default format: CSV (and the map)
    for name in ("results.xlsx", "results.gpkg", "demand_units.parquet", "service_points.parquet",
                 "map.html", "ATTRIBUTION.md", "summary_region.csv", "metadata.csv"):
        assert (fi / name).is_file(), name
    assert {p.name for p in plain.glob("*.csv")} == {p.name for p in fi.glob("*.csv")}
    sheet = pd.read_excel(fi / "results.xlsx", sheet_name="summary_region")
    region = pd.read_csv(plain / "summary_region.csv")
    assert sheet["population"].tolist() == region["population"].tolist()


def test_excel_fi_csv_reads_back_with_semicolon_and_decimal_comma(reports):
    plain, fi = reports
    for path in sorted(plain.glob("*.csv")):
        raw = (fi / path.name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), path.name  # the BOM: Excel reads UTF-8
        text = raw.decode("utf-8-sig")
        header = text.split("\r\n", 1)[0]
        assert header.count(";") == len(pd.read_csv(path, nrows=0).columns) - 1, path.name
        assert not re.search(r"\d[,.]\d{11,}", text), path.name  # no 0.30000000000000004 noise
        back = pd.read_csv(fi / path.name, sep=";", decimal=",", encoding="utf-8-sig")
        _same(pd.read_csv(path), back, path.name)
    points = pd.read_csv(fi / "service_points.csv", sep=";", decimal=",", encoding="utf-8-sig")
    names = " ".join(points["name"].astype(str))
    assert "ä" in names and "ö" in names
    region = (fi / "summary_region.csv").read_text(encoding="utf-8-sig")
    assert re.search(r";\d+,\d+;", region)  # minutes with a decimal comma


def test_excel_fi_keeps_a_semicolon_and_a_formula_in_text_safe(tmp_path):
    df = pd.DataFrame({"name": ["Kela; Järvenpää", "=HYPERLINK(1)"], "minutes": [0.1 + 0.2, 12.5]})
    (path,) = [p for p in write_csv({"t": df}, tmp_path, {}, "excel-fi") if p.name == "t.csv"]
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    assert back["name"].tolist()[0] == "Kela; Järvenpää" and not back["name"][1].startswith("=")
    assert back["minutes"].tolist() == [0.3, 12.5]
    with pytest.raises(ValueError, match="unknown CSV dialect"):
        csv_options("excel")


def test_geocode_excel_fi_is_read_back_by_the_planner_like_the_default(tmp_path):
    """A located list written for Finnish Excel is still a points source: the planner's reader
    gives the same rows, names and coordinates as from the default dialect."""
    from planner.inputs.data import read_table

    src = tmp_path / "addresses.csv"
    pd.DataFrame({"name": ["Järvenpään toimipiste", "Töölö"],
                  "address": ["Sibeliuksenkatu 11", "Runeberginkatu 5"],
                  "postal_code": ["04400", "00100"], "municipality": ["Järvenpää", "Helsinki"]}).to_csv(
        src, index=False)
    outs = {}
    for dialect in ("default", "excel-fi"):
        outs[dialect] = tmp_path / f"{dialect}.csv"
        res = runner.invoke(app, ["geocode", str(src), "--out", str(outs[dialect]), "--offline",
                                  "--csv-dialect", dialect])
        assert res.exit_code == 0, res.output
    assert outs["excel-fi"].read_bytes().startswith(b"\xef\xbb\xbf")
    a, b = read_table(outs["default"]), read_table(outs["excel-fi"])
    assert list(a.columns) == list(b.columns) and b["name"].tolist() == a["name"].tolist()
    for col in ("lon", "lat"):
        assert np.allclose(a[col].astype(float), b[col].astype(float), rtol=1e-9)
