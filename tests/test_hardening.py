"""Hostile and careless input (issue 12): escaped HTML, neutralised spreadsheets, safe YAML,
one-line errors before anything is written, plausible-but-wrong inputs refused.

The hostile payloads travel through every input file (points, postal areas, municipality
table, service-area table) and every scenario field (name, description, an opened point's
name, a mobile unit's id, name and stops), through the CLI and through the app's upload, mobile
tab and export functions; the outputs are parsed (html.parser, openpyxl, csv, pypdf) to prove
that no tag and no formula survives and that the names show as typed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli.main import app
from planner.errors import DataError, OutputError, PlannerWarning, ScenarioError

GEO = Path(__file__).resolve().parent.parent / "geodata"
runner = CliRunner()

HTML_PAYLOAD = '"><img src=x onerror=alert(1)>'
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1+1",
            "\r=1+1"]
MARKER = "img src=x onerror"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- parsers of the outputs ---------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)  # text as written in the file
        self.tags: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append(tag)

    def handle_data(self, data):  # noqa: ANN001
        self.texts.append(data)


def assert_html_safe(page: str, must_show: bool = True) -> None:
    """No element and no unescaped ``<`` from user data, in the page nor in its map data.

    The map's tooltips and popups live as strings in the page's scripts and become HTML in
    the browser: there the payload may only appear escaped (``&lt;img``), never as ``<img``
    nor as its JSON form ``\\u003cimg``.
    """
    parser = _Tags()
    parser.feed(page)
    assert "img" not in parser.tags
    # the strings of the scripts as the browser sees them (JSON escapes decoded)
    decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    decoded = decoded.replace('\\"', '"')
    assert not re.search(r"<\s*img", decoded, re.IGNORECASE)
    # text outside scripts and styles: the user payload never brings a literal '<'
    for text in parser.texts:
        assert "<img" not in text
    if must_show:  # the payload did reach the page, escaped
        assert "&lt;img src=x onerror=alert(1)&gt;" in decoded


def assert_xlsx_safe(data: bytes | Path) -> int:
    """No formula cell anywhere, no text cell starting like a formula; returns the text cells."""
    wb = openpyxl.load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    n += 1
                    assert not cell.value.startswith(FORMULA_START), (ws.title, cell.coordinate, cell.value)
    return n


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_safe(text: str) -> int:
    """No field that a spreadsheet would run; negative numbers stay plain numbers."""
    n = 0
    for row in csv.reader(io.StringIO(text)):
        for field in row:
            n += 1
            if field.startswith(FORMULA_START):
                assert field.startswith("-") and _is_number(field), field
    return n


# --- hostile input files ---------------------------------------------------------------------


def _hostile_points(path: Path) -> Path:
    df = pd.read_csv(GEO / "service_points.csv", dtype=str, keep_default_na=False)
    df.loc[0, "name"] = HTML_PAYLOAD
    df.loc[0, "address"] = HTML_PAYLOAD
    for i, f in enumerate(FORMULAS, start=1):
        df.loc[i, "name"] = f + HTML_PAYLOAD if i == 1 else f
        df.loc[i, "note"] = f
    df.to_csv(path, index=False, lineterminator="\r\n")  # quotes the cells holding a CR
    return path


def _hostile_postal(path: Path) -> Path:
    gj = json.loads((GEO / "uusimaa" / "postal_areas.geojson").read_text(encoding="utf-8"))
    gj["features"][2]["properties"]["municipality_name"] = '=HYPERLINK("http://evil.example")'
    gj["features"][3]["properties"]["municipality_name"] = HTML_PAYLOAD
    path.write_text(json.dumps(gj), encoding="utf-8")
    return path


def _hostile_municipalities(path: Path) -> Path:
    df = pd.read_csv(GEO / "uusimaa" / "municipalities.csv", dtype=str, keep_default_na=False)
    df.loc[df["municipality_code"] == "091", "name_fi"] = HTML_PAYLOAD
    df.loc[df["municipality_code"] == "049", "name_fi"] = "=1+1"
    df.to_csv(path, index=False, lineterminator="\r\n")  # quotes the cells holding a CR
    return path


def _hostile_areas(path: Path) -> Path:
    df = pd.read_csv(GEO / "service_areas.csv", dtype=str, keep_default_na=False)
    df["service_area"] = df["service_area"].replace({"Helsinki": HTML_PAYLOAD,
                                                     "Espoo–Kauniainen": "=1+1"})
    assert (df["service_area"] == HTML_PAYLOAD).any()
    df.to_csv(path, index=False, lineterminator="\r\n")  # quotes the cells holding a CR
    return path


HOSTILE_SCENARIO = f"""\
name: '=HYPERLINK("http://evil.example","x"){HTML_PAYLOAD}'
description: '=1+1 {HTML_PAYLOAD}'
changes:
  - close: kela_vantaa_tikkurila
  - open: {{id: new_x, name: '{HTML_PAYLOAD}', category: fi_walkin, municipality_code: "091",
            lon: 24.94, lat: 60.17}}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    files = {"points": _hostile_points(d / "points.csv"),
             "postal": _hostile_postal(d / "postal.geojson"),
             "munis": _hostile_municipalities(d / "municipalities.csv"),
             "areas": _hostile_areas(d / "areas.csv")}
    scenario = d / "scenario.yaml"
    scenario.write_text(HOSTILE_SCENARIO, encoding="utf-8")
    files["scenario"] = scenario
    files["dir"] = d
    return files


# --- 1. escape and neutralise at every output edge -------------------------------------------


def test_helpers_escape_and_neutralise():
    from planner.escape import cell_text, html_text, js_template_html, neutralise_cells

    assert html_text(HTML_PAYLOAD) == "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    # inside JavaScript backticks: no backtick, no ${, no backslash escape left
    assert js_template_html("`${x}` \\u003c") == "&#96;&#36;&#123;x&#125;&#96; &#92;u003c"
    assert html_text(None) == "" and html_text(float("nan")) == ""
    for f in FORMULAS:
        assert cell_text(f) == "'" + f
    assert cell_text(-3.5) == -3.5 and cell_text("Espoo") == "Espoo" and cell_text("") == ""
    df = neutralise_cells(pd.DataFrame({"a": ["=1+1", "x"], "t": [-3.5, 2.0], "=c": [1, 2]}))
    assert df["a"].tolist() == ["'=1+1", "x"] and df["t"].tolist() == [-3.5, 2.0]
    assert list(df.columns) == ["a", "t", "'=c"]


def test_cli_report_escapes_every_input_file(hostile, tmp_path):
    out = tmp_path / "rep"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        result = runner.invoke(app, ["report", "--out", str(out), "--points", str(hostile["points"]),
                                     "--postal-areas", str(hostile["postal"]),
                                     "--municipalities", str(hostile["munis"]),
                                     "--service-areas", str(hostile["areas"])])
    assert result.exit_code == 0, result.output
    page = (out / "map.html").read_text(encoding="utf-8")
    assert_html_safe(page)
    # each file's payload reached the map, escaped: point popup/tooltip, postal-area tooltip,
    # municipality name in the unit names, service-area outline tooltip
    assert page.count("\\u0026lt;img src=x onerror=alert(1)\\u0026gt;") >= 4
    n = 0
    for f in out.glob("*.csv"):
        n += assert_csv_safe(f.read_text(encoding="utf-8"))
    assert n > 10_000
    pts = pd.read_csv(out / "service_points.csv", dtype=str, keep_default_na=False)
    assert "'=1+1" in set(pts["name"]) and "'-1+1" in set(pts["name"])
    units = pd.read_csv(out / "demand_units.csv")
    assert "'=1+1" in set(units["municipality"]) and "'=1+1" in set(units["service_area"])
    # negative numbers stay numbers; population in == population out
    postal = gpd.read_file(hostile["postal"])
    region = pd.read_csv(out / "summary_region.csv")
    assert region.query("group == 'all'")["population"].eq(postal["population_2022"].sum()).all()


def test_cli_evaluate_and_map_escape_every_scenario_field(hostile, tmp_path):
    out = tmp_path / "ev"
    result = runner.invoke(app, ["evaluate", str(hostile["scenario"]), "--out", str(out),
                                 "--points", str(hostile["points"]), "--format", "csv,xlsx"])
    assert result.exit_code == 0, result.output
    assert assert_xlsx_safe(out / "results.xlsx") > 1000
    wb = openpyxl.load_workbook(out / "results.xlsx")
    meta = {r[0].value: r[1].value for r in wb["metadata"].iter_rows(min_row=2)}
    assert meta["scenario"].startswith("'=HYPERLINK")  # the metadata sheet too
    deltas = [c.value for r in wb["unit_changes"].iter_rows(min_row=2) for c in r
              if isinstance(c.value, float) and c.value < 0]
    assert deltas, "negative minutes stay numbers"
    for f in (out / "csv").glob("*.csv"):
        assert_csv_safe(f.read_text(encoding="utf-8"))
    html_out = tmp_path / "map.html"
    result = runner.invoke(app, ["map", str(hostile["scenario"]), "--out", str(html_out), "--no-tiles",
                                 "--points", str(hostile["points"])])
    assert result.exit_code == 0, result.output
    page = html_out.read_text(encoding="utf-8")
    assert_html_safe(page)
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in page  # the scenario name, in the title


def test_app_upload_and_export_paths_escape(study, baseline):
    from planner.app.state import export_files, scenario_from_text

    sc = scenario_from_text(HOSTILE_SCENARIO.encode("utf-8"), "upload.yaml")
    files = export_files(study, baseline, sc, tiles=None)
    assert_html_safe(files["html"][1].decode("utf-8"))
    assert assert_xlsx_safe(files["xlsx"][1]) > 1000
    with zipfile.ZipFile(io.BytesIO(files["csv"][1])) as zf:
        for name in zf.namelist():
            assert_csv_safe(zf.read(name).decode("utf-8"))
    # the scenario file offered for download reopens to the same fields
    again = scenario_from_text(files["yaml"][1], "again.yaml")
    assert again.name == sc.name and again.description == sc.description


def test_app_export_of_hostile_points_file(tmp_path):
    from planner.analysis.study import evaluate_points, load_study
    from planner.app.state import export_files

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        st = load_study(points=_hostile_points(tmp_path / "p.csv"))
        files = export_files(st, evaluate_points(st), None, tiles=None)
    assert_html_safe(files["html"][1].decode("utf-8"))
    assert_xlsx_safe(files["xlsx"][1])


# --- 2. safe scenario parsing ----------------------------------------------------------------

BAD_YAML = {
    "alias": (b"name: a\ndescription: &d x\nchanges: *d\n", "anchors"),
    "billion_laughs": (b'a: &a ["l","l","l"]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\nname: x\n', "anchors"),
    "merge_key": (b"base: {mode: walk}\nname: x\nother:\n  <<: {a: 1}\n", "merge keys"),
    "duplicate": (b"name: a\nname: b\n", "duplicate key 'name'"),
    "typo_base": (b"name: a\nbase: {moed: drive}\n", "did you mean 'mode'"),
    "typo_top": (b"nmae: a\n", "did you mean 'name'"),
    "typo_change": (b"name: a\nchanges:\n  - clsoe: x\n", "did you mean 'close'"),
    "typo_open": (b"name: a\nchanges:\n  - open: {id: a, name: b, category: kela, at_centre: '091', "
                  b"nme: c}\n", "did you mean 'name'"),
    "latin1": ("name: Järvenpää\n".encode("latin-1"), "latin-1"),
    "utf16": ("name: x\n".encode("utf-16"), "UTF-16"),
    "deep": (b"name: x\ndescription: " + b"[" * 60 + b"]" * 60 + b"\n", "nested"),
    "very_deep": (b"[" * 50_000 + b"]" * 50_000, "nested"),
    "big": (b"name: x\ndescription: '" + b"y" * 1_100_000 + b"'\n", "at most"),
    "python_tag": (b"name: !!python/object/apply:os.system [ls]\n", "unsupported YAML"),
    "not_text_desc": (b"name: a\ndescription: {a: 1}\n", "must be text"),
    "not_text_name": (b"name: yes\n", "name must be text"),
    "not_text_base": (b"name: a\nbase: {mode: [walk]}\n", "must be text"),
    "capacity_nan": (b"name: a\nchanges:\n  - open: {id: a, name: b, category: kela, at_centre: '091', "
                     b"capacity: .nan}\n", "capacity"),
    "empty": (b"   \n", "empty"),
    "nul": (b"name: a\x00\n", "NUL"),
    "syntax": (b"name: [a\n", "not valid YAML"),
}


@pytest.mark.parametrize("case", sorted(BAD_YAML))
def test_scenario_parser_refuses_with_a_clear_error(case, tmp_path):
    from planner.analysis.scenario import load_scenario
    from planner.app.state import scenario_from_text

    data, expect = BAD_YAML[case]
    with pytest.raises(ScenarioError) as exc:
        scenario_from_text(data, "upload.yaml")
    assert expect in str(exc.value) and "upload.yaml" in str(exc.value)
    path = tmp_path / "s.yaml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert expect in str(exc.value) and str(path) in str(exc.value)


def test_utf8_bom_scenario_is_read(tmp_path):
    from planner.app.state import scenario_from_text

    sc = scenario_from_text("\ufeffname: Järvenpää\n".encode(), "u.yaml")
    assert sc.name == "Järvenpää"


def test_cli_scenario_errors_are_one_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(BAD_YAML["billion_laughs"][0])
    result = runner.invoke(app, ["evaluate", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "error:" in result.output and "Traceback" not in result.output
    assert "anchors" in result.output and not (tmp_path / "o").exists()
    path.write_bytes(BAD_YAML["typo_base"][0])
    result = runner.invoke(app, ["map", str(path), "--out", str(tmp_path / "m.html")])
    assert result.exit_code == 2 and "did you mean 'mode'" in result.output


# --- 3. one-line errors before anything is written; atomic outputs --------------------------


def _one_line_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, result.output
    assert "Traceback" not in result.output
    for w in words:
        assert w in errors[0], errors[0]


def _closing_everything(tmp_path: Path) -> Path:
    ids = pd.read_csv(GEO / "service_points.csv", usecols=["id"])["id"].tolist()
    path = tmp_path / "close_all.yaml"
    path.write_text("name: close all\nchanges:\n  - close: [" + ", ".join(ids) + "]\n", encoding="utf-8")
    return path


def test_cli_failures_are_one_line_errors(tmp_path):
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("name: u\nchanges:\n  - close: no_such_point\n", encoding="utf-8")
    bad_npz = tmp_path / "bad.npz"
    bad_npz.write_bytes(b"PK\x03\x04 not really a zip")
    bad_osm = tmp_path / "bad.osm"
    bad_osm.write_text('<osm><node id="1" lat="60.1"', encoding="utf-8")
    bad_pbf = tmp_path / "bad.osm.pbf"
    bad_pbf.write_bytes(bytes(range(256)) * 8)
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    a_dir = tmp_path / "a_dir"
    a_dir.mkdir()
    cases = [
        (["evaluate", str(_closing_everything(tmp_path)), "--out", str(tmp_path / "o1")],
         ["closes every service point"]),
        (["compare", str(unknown)], ["no_such_point"]),
        (["optimise", "--out", str(a_dir)], ["is a folder"]),
        (["optimise", "--report", str(a_dir)], ["--report"]),
        (["report", "--out", str(tmp_path / "o2"), "--network", str(bad_npz)], ["bad.npz"]),
        (["network", "from-file", str(bad_osm)], ["bad.osm", "XML"]),
        (["network", "from-file", str(bad_pbf)], ["bad.osm.pbf"]),
        (["report", "--out", str(tmp_path / "o3"), "--grid", str(a_file)], ["--grid", "--demand grid"]),
        (["report", "--out", str(a_file)], ["is a file"]),
        (["map", "--out", str(a_dir)], ["is a folder"]),
        (["optimise", "--share", "1.5"], ["--share"]),
    ]
    for args, words in cases:
        result = runner.invoke(app, args)
        _one_line_error(result, *words)
    # issue 27: a value outside a fixed list is Click's choice error naming the option and the
    # value, listing the choices (a comma list the same, from its parser)
    choice_cases = [
        (["report", "--out", str(tmp_path / "o3"), "--need", "kella"], "--need", "kella", "'kela'"),
        (["report", "--out", str(tmp_path / "o3"), "--group", "se"], "--group", "se", "'sv'"),
        (["report", "--out", str(tmp_path / "o3"), "--demand", "grd"], "--demand", "grd", "'grid'"),
        (["report", "--out", str(tmp_path / "o3"), "--mode", "bike"], "--mode", "bike", "'pt_rush'"),
        (["report", "--out", str(tmp_path / "o3"), "--format", "csv,pdf"], "--format", "pdf", "'gpkg'"),
        (["evaluate", str(unknown), "--out", str(tmp_path / "o3"), "--format", "pdf"], "--format", "pdf",
         "'parquet'"),
        (["optimise", "--need", "dentist"], "--need", "dentist", "'english'"),
        (["optimise", "--model", "pmedain"], "--model", "pmedain", "'pmedian'"),
        (["optimise", "--per", "county"], "--per", "county", "'service_area'"),
        (["map", "--demand", "grdi", "--out", str(tmp_path / "m.html")], "--demand", "grdi", "'postal'"),
    ]
    for args, option, value, a_choice in choice_cases:
        result = runner.invoke(app, args)
        said = " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())  # without the panel's box
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert f"Invalid value for '{option}'" in said and f"'{value}'" in said and a_choice in said, said
    assert not any((tmp_path / n).exists() for n in ("o1", "o2", "o3"))
    assert a_file.read_text() == "x" and not any(a_dir.iterdir())


def test_optimise_add_on_grid_demand_runs(tmp_path):
    out = tmp_path / "add.yaml"
    result = runner.invoke(app, ["optimise", "--model", "add", "--demand", "grid", "--need", "kela",
                                 "--k", "1", "--max-minutes", "20", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "ModuleNotFoundError" not in result.output and out.is_file()


def test_read_only_out_is_a_one_line_error():
    target = Path("/sys/planner-hardening-test")
    if not Path("/sys").is_dir():
        pytest.skip("no read-only /sys here")
    _one_line_error(runner.invoke(app, ["report", "--out", str(target)]), "cannot write")


def test_failed_run_leaves_previous_output_untouched(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,category,municipality_code,lon,lat\na,A,kela,091,24.9,60.2\n"
                   "b,B,kela,091,25.30,59.95\n")  # b: in the Gulf of Finland, 20 km offshore
    result = runner.invoke(app, ["report", "--out", str(out), "--points", str(bad)])
    _one_line_error(result, "bad.csv", "row 2")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []


def test_rerun_replaces_own_files_and_keeps_others(tmp_path):
    from planner.atomic import MANIFEST, atomic_folder

    out = tmp_path / "shared"
    out.mkdir()
    (out / "my_notes.txt").write_text("mine")
    with atomic_folder(out) as stage:
        (stage / "a.csv").write_text("1")
        (stage / "old.csv").write_text("old")
    with atomic_folder(out) as stage:
        (stage / "a.csv").write_text("2")
    assert (out / "a.csv").read_text() == "2" and not (out / "old.csv").exists()
    assert (out / "my_notes.txt").read_text() == "mine"
    assert (out / MANIFEST).read_text().split() == ["a.csv"]
    with pytest.raises(RuntimeError), atomic_folder(out) as stage:
        (stage / "a.csv").write_text("3")
        raise RuntimeError("late failure")
    assert (out / "a.csv").read_text() == "2"
    with pytest.raises(OutputError):
        with atomic_folder(out / "my_notes.txt"):
            pass


# --- 4. plausible but wrong inputs -------------------------------------------------------------


def _points_csv(path: Path, rows: list[str], sep: str = ",", encoding: str = "utf-8") -> Path:
    header = sep.join(["id", "name", "category", "municipality_code", "lon", "lat", "capacity"])
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def test_point_in_the_sea_is_refused_and_shore_point_kept(tmp_path, study):
    from planner.inputs.data import LAND_TOLERANCE_M, check_on_land, land_polygon, load_postal_areas

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        land = land_polygon(load_postal_areas())
    # Helsinki's municipal polygon includes the sea: the point passes the municipality test,
    # not the land test
    path = _points_csv(tmp_path / "p.csv", ["a,A,kela,091,24.9384,60.1699,", "b,Sea,kela,091,25.0,60.05,"])
    from planner.inputs.data import load_service_points

    pts = load_service_points(path)
    with pytest.raises(DataError) as exc:
        check_on_land(pts, land, str(path))
    assert "row 2" in str(exc.value) and "sea" in str(exc.value)
    assert LAND_TOLERANCE_M == 500
    check_on_land(study.points, land, "bundled")  # every bundled point is on land


def test_scenario_open_point_in_the_sea_is_refused(study):
    from planner.analysis.scenario import apply_scenario
    from planner.app.state import scenario_from_text

    sc = scenario_from_text(b"name: s\nchanges:\n  - open: {id: n, name: N, category: kela, "
                            b"municipality_code: '091', lon: 25.0, lat: 60.05}\n", "s.yaml")
    with pytest.raises(ScenarioError, match="sea"):
        apply_scenario(study, sc)


@pytest.mark.parametrize("code", [HTML_PAYLOAD, "=1+1", "001000", "", "12a45"])
def test_postal_code_must_be_digits(tmp_path, code):
    gj = json.loads((GEO / "uusimaa" / "postal_areas.geojson").read_text(encoding="utf-8"))
    gj["features"][1]["properties"]["postal_code"] = code
    bad = tmp_path / "postal.geojson"
    bad.write_text(json.dumps(gj), encoding="utf-8")
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--postal-areas", str(bad)])
    _one_line_error(result, "postal.geojson", "row 2", "postal_code")


def test_postal_areas_outside_uusimaa_or_unknown_code_refused(tmp_path):
    gj = json.loads((GEO / "uusimaa" / "postal_areas.geojson").read_text(encoding="utf-8"))
    gj["features"][3]["properties"]["municipality_code"] = "837"  # Tampere
    bad = tmp_path / "postal.geojson"
    bad.write_text(json.dumps(gj), encoding="utf-8")
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--postal-areas", str(bad)])
    _one_line_error(result, "postal.geojson", "row 4", "'837'")
    gj = json.loads((GEO / "uusimaa" / "postal_areas.geojson").read_text(encoding="utf-8"))
    ring = gj["features"][3]["geometry"]
    shifted = json.loads(json.dumps(ring))

    def shift(c):  # noqa: ANN001 - move the polygon 3 degrees north (to Ostrobothnia)
        return [shift(x) for x in c] if isinstance(c[0], list) else [c[0], c[1] + 3]

    shifted["coordinates"] = shift(shifted["coordinates"])
    gj["features"][3]["geometry"] = shifted
    bad.write_text(json.dumps(gj), encoding="utf-8")
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--postal-areas", str(bad)])
    _one_line_error(result, "row 4", "outside Uusimaa")


def test_finnish_excel_csv_is_read(tmp_path):
    from planner.inputs.data import load_service_points

    rows = ["a;Järvenpään toimisto;kela;186;25,0896;60,4737;12,5", "b;Kela Kamppi;kela;091;24,9316;60,1688;"]
    path = _points_csv(tmp_path / "excel.csv", rows, sep=";", encoding="cp1252")
    with pytest.warns(PlannerWarning, match="Windows-1252"):
        pts = load_service_points(path)
    assert pts["name"].tolist() == ["Järvenpään toimisto", "Kela Kamppi"]
    assert pts["capacity"].iloc[0] == 12.5 and np.isnan(pts["capacity"].iloc[1])
    lonlat = pts.to_crs(4326).geometry
    assert abs(lonlat.x.iloc[0] - 25.0896) < 1e-6 and abs(lonlat.y.iloc[0] - 60.4737) < 1e-6


def test_shapefile_zip_and_multilayer_geopackage(tmp_path, study):
    from planner.inputs.data import load_service_points

    pts = study.points.head(5)[["id", "name", "category", "municipality_code", "geometry"]]
    shp = tmp_path / "shp"
    shp.mkdir()
    # a shapefile cuts column names to 10 characters, as GIS software does when saving one
    pts.rename(columns={"municipality_code": "municipali"}).to_file(shp / "points.shp")
    zpath = tmp_path / "points.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp.iterdir():
            zf.write(f, f.name)
    got = load_service_points(zpath)
    assert got["id"].tolist() == pts["id"].tolist()
    gpkg = tmp_path / "two.gpkg"
    pts.to_file(gpkg, layer="points")
    pts.head(2).to_file(gpkg, layer="other")
    with pytest.raises(DataError, match=r"2 layers .*layername="):
        load_service_points(gpkg)
    assert len(load_service_points(f"{gpkg}|layername=points")) == 5
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--points", str(gpkg)])
    _one_line_error(result, "two.gpkg", "layers")


@pytest.mark.parametrize("value", ["inf", "-1", "nan", "1e400", "-inf"])
def test_non_finite_or_negative_capacity_refused(tmp_path, value):
    from planner.inputs.data import load_service_points

    path = _points_csv(tmp_path / "p.csv", ["a,A,kela,091,24.9384,60.1699,10",
                                            f"b,B,kela,091,24.9384,60.1699,{value}"])
    with pytest.raises(DataError, match="row 2.*capacity"):
        load_service_points(path)


def test_swedish_speakers_above_population_refused(tmp_path):
    df = pd.read_csv(GEO / "uusimaa" / "municipalities.csv", dtype=str, keep_default_na=False)
    df.loc[0, "swedish_speakers_median_2000_2022"] = str(int(df.loc[0, "population_2015"]) + 1)
    path = tmp_path / "m.csv"
    df.to_csv(path, index=False)
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--municipalities", str(path)])
    _one_line_error(result, "m.csv", "row 1", "Swedish speakers")


def test_user_grid_cells_off_land_are_warned(tmp_path):
    import shapely

    from planner.analysis.study import load_study
    from planner.inputs.data import load_population_grid

    grid = load_population_grid()
    grid = grid.rename(columns={"cell_id": "INDEX", "population": "ASUKKAITA"}).head(50).copy()
    grid.loc[grid.index[0], "geometry"] = shapely.box(600_000, 7_000_000, 600_250, 7_000_250)  # Kainuu
    path = tmp_path / "g.gpkg"
    grid.to_file(path)
    with pytest.warns(PlannerWarning, match="1 cell"):
        st = load_study(demand="grid", grid=path)
    assert int(st.units["pop_total"].sum()) == int(grid["ASUKKAITA"].sum())


# --- 5. a mobile unit and its stops (issue 14) -------------------------------------------------
# Names of a unit and its stops reach the map's popups, tooltips and tour lines, the app's
# mobile tab, the brief and every table. Each must show to a reader exactly as typed (a tooltip
# reads "<b>x</b>=1+1", not bold text and not "&lt;b&gt;"), and never as markup, script or formula.

UNIT_NAME = "<b>x</b>=1+1"
# folium writes a string tooltip between JavaScript backticks: there a backtick ends the string,
# ${...} runs, \u003c becomes '<'; pairs of '$' would be mathematics in a matplotlib text
TEMPLATE_NAME = "`${document.title='pwned'}` \\u003cimg src=x onerror=alert(1)\\u003e $\\alpha$ for $1"
STOP_NAMES = ["<script>alert(1)</script>", '"onmouseover="alert(1)', "javascript:alert(1)",
              '=HYPERLINK("http://x")']
TEMPLATE_STOPS = ["<b>s</b>=1+1", "\\`+alert(1)+\\`"]
TEMPLATE_ID = "bus`+(document.title=`pwned`)+`"  # ran on page load when the tour tooltip showed the id
_q = json.dumps  # a JSON string is a YAML double-quoted scalar


def _stop(sid: str, name: str, centre: str, day: str, start: str) -> str:
    end = f"{int(start[:2]) + 1}:30"
    return (f"        - {{id: {_q(sid)}, name: {_q(name)}, at_centre: '{centre}', "
            f"schedule: [{{day: {day}, start: '{start}', end: '{end}'}}]}}\n")


# unit 1: four stops at the municipal centres of Askola, Pukkila, Myrskylä and Lapinjärvi (as the
# bundled example), ids that start like formulas; unit 2: two stops, names and id for backticks
MOBILE_YAML = (
    # issue 23: the four municipalities' own appointment points stand at the same centres (proxy
    # sites) as the stops; they close, so the stops are some residents' nearest point
    "name: hostile bus\nchanges:\n"
    "  - close: [asp_fi_askola, asp_fi_pukkila, asp_fi_myrskyla, asp_fi_lapinjarvi]\n"
    "  - mobile:\n      id: '@bus'\n"
    f"      name: {_q(UNIT_NAME)}\n      categories: [fi_appointment]\n      stops:\n"
    + "".join(_stop(sid, n, c, "tue", s) for sid, n, c, s in zip(
        ["=s1", "+s2", "-s3", "@s4"], STOP_NAMES, ["018", "616", "504", "407"],
        ["09:00", "11:00", "13:00", "15:00"], strict=True))
    + f"  - mobile:\n      id: {_q(TEMPLATE_ID)}\n      name: {_q(TEMPLATE_NAME)}\n"
    "      categories: [sv_appointment]\n      stops:\n"
    + _stop("t1", TEMPLATE_STOPS[0], "018", "wed", "09:00")
    + _stop("t2", TEMPLATE_STOPS[1], "407", "wed", "11:00"))


@pytest.fixture()
def mobile_yaml(tmp_path) -> Path:
    path = tmp_path / "mobile.yaml"
    path.write_text(MOBILE_YAML, encoding="utf-8")
    return path


class _Visible(HTMLParser):
    """The elements and the text a browser makes of an HTML fragment (references decoded)."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text = ""
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append(tag)
        assert not any(k.startswith("on") for k, _ in attrs), (tag, attrs)

    def handle_data(self, data):  # noqa: ANN001
        self.text += data


def _stop_name(popup: str) -> str:
    """The name a popup shows on its first line (``<b>name</b><br>...``)."""
    return _Visible(popup.split("<br>")[0]).text


def _point_labels(page: str) -> list[dict]:
    """Popup, tooltip and title of every service-point marker: the JSON of the L.geoJSON layers."""
    dec = json.JSONDecoder()
    out = []
    for m in re.finditer(r"_geo = L\.geoJSON\(", page):
        data, _ = dec.raw_decode(page, m.end())
        out += [f["properties"] for f in data["features"]]
    return out


def _geojson_props(page: str) -> list[dict]:
    """Properties of every folium GeoJson layer (areas, catchments): their tooltips are HTML."""
    dec = json.JSONDecoder()
    out = []
    for m in re.finditer(r"geo_json_[0-9a-f]+_add\(", page):
        data, _ = dec.raw_decode(page, m.end())
        out += [f["properties"] for f in data["features"]]
    return out


def _template_literals(page: str) -> list[str]:
    """Text of folium's string tooltips and popups, as the browser evaluates the backticks."""
    out = []
    for m in re.finditer(r"\.bind(?:Tooltip|Popup)\(\s*`(.*?)`", page, re.DOTALL):
        body = m.group(1)
        # a backtick in the text would have ended the literal early; ${ and \ are live in it
        assert body.strip().endswith("</div>"), body[:200]
        assert "${" not in body and "\\" not in body, body[:200]
        out.append(body)
    return out


def assert_mobile_names_shown_as_text(page: str) -> set[str]:
    """Every mobile name shows as typed, in text only: stop popups, tooltips and titles, the
    unit's line in the popups, the tour tooltips, the area tooltips (nearest point, catchment);
    no element or handler comes from a name. Returns the area tooltips' visible texts."""
    assert "<script>alert" not in page and "<b>x" not in page and '"onmouseover="' not in page
    areas = set()
    for props in _geojson_props(page):
        for v in props.values():
            if isinstance(v, str):
                seen = _Visible(v)
                assert seen.tags == [], v
                areas.add(seen.text)
    labels = [p for p in _point_labels(page) if p["popup"] and "mobile unit" in p["popup"]]
    by_stop = {**{n: (UNIT_NAME, "Finnish") for n in STOP_NAMES},
               **{n: (TEMPLATE_NAME, "Swedish") for n in TEMPLATE_STOPS}}
    assert sorted(_stop_name(p["popup"]) for p in labels) == sorted(by_stop)  # each stop once
    for p in labels:
        stop = _stop_name(p["popup"])
        unit, language = by_stop[stop]
        popup, tip = _Visible(p["popup"]), _Visible(p["tooltip"])
        assert set(popup.tags) <= {"b", "br", "ul", "li"} and tip.tags == []  # the template's own
        assert f"Stop of the mobile unit {unit}" in [_Visible(x).text for x in p["popup"].split("<br>")]
        assert tip.text == f"{stop} (By appointment, {language})"
        assert _Visible(p["title"]).text == stop
    tours = [_Visible(b) for b in _template_literals(page) if "mobile unit" in b]
    assert sorted(" ".join(v.text.split()) for v in tours) == sorted(
        f"Tour of the mobile unit {n}" for n in (UNIT_NAME, TEMPLATE_NAME))
    assert all(v.tags == ["div"] for v in tours)
    return areas


@pytest.mark.parametrize("extra", [[], ["--side-by-side"], ["--catchments"]])
def test_cli_map_shows_mobile_unit_and_stop_names_as_text(mobile_yaml, tmp_path, extra):
    out = tmp_path / "map.html"
    result = runner.invoke(app, ["map", str(mobile_yaml), "--out", str(out), "--no-tiles", "--no-charts",
                                 *extra])
    assert result.exit_code == 0, result.output
    areas = assert_mobile_names_shown_as_text(out.read_text(encoding="utf-8"))
    # the stops serve Finnish speakers by appointment (social_any, fi): some areas name one as
    # their nearest point, and with --catchments each stop has a catchment named after it
    assert STOP_NAMES[0] in areas
    if extra == ["--catchments"]:
        assert set(STOP_NAMES) <= areas


def test_app_live_map_layers_show_mobile_names_as_text(mobile_yaml, study, baseline):
    """The app's builder map: the scenario's layers alone (LiveLayers), as the app sends them."""
    import folium

    from planner.analysis.scenario import evaluate, load_scenario
    from planner.outputs.maps import LiveLayers, scenario_map

    res, applied = evaluate(study, load_scenario(mobile_yaml), baseline)
    live = LiveLayers()
    scenario_map(study, res, "social_any", "fi", applied=applied, tiles=None, compact=True, baseline=baseline,
                 live=live, frame=False)
    m = folium.Map(tiles=None)
    for g in live.groups():
        g.add_to(m)
    assert_mobile_names_shown_as_text(m.get_root().render())


def _mobile_rows(csv_text: str) -> pd.DataFrame:
    df = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)
    return df[df["mobile_unit"] != ""]


def test_cli_evaluate_and_compare_neutralise_mobile_names(mobile_yaml, tmp_path):
    ev = tmp_path / "ev"
    result = runner.invoke(app, ["evaluate", str(mobile_yaml), "--out", str(ev), "--format", "csv,xlsx"])
    assert result.exit_code == 0, result.output
    for f in (ev / "csv").glob("*.csv"):
        assert_csv_safe(f.read_text(encoding="utf-8"))
    assert_xlsx_safe(ev / "results.xlsx")
    # 4 + 2 stops, one category each: formulas and ids behind an apostrophe, the rest as typed
    stops = _mobile_rows((ev / "csv" / "service_points.csv").read_text(encoding="utf-8"))
    assert sorted(stops["name"]) == sorted(["'=HYPERLINK(\"http://x\")", *STOP_NAMES[:3], *TEMPLATE_STOPS])
    assert set(stops["mobile_unit_name"]) == {UNIT_NAME, TEMPLATE_NAME}
    assert set(stops["mobile_unit"]) == {"'@bus", TEMPLATE_ID}
    assert set(stops["stop_id"]) == {"'=s1", "'+s2", "'-s3", "'@s4", "t1", "t2"}
    wb = openpyxl.load_workbook(ev / "results.xlsx")
    ws = wb["service_points"]
    head = [c.value for c in ws[1]]
    names = {r[head.index("name")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert "'=HYPERLINK(\"http://x\")" in names and "<script>alert(1)</script>" in names
    cmp = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(mobile_yaml), "--out", str(cmp)])
    assert result.exit_code == 0, result.output
    for f in cmp.glob("*.csv"):
        assert_csv_safe(f.read_text(encoding="utf-8"))
    assert_xlsx_safe(cmp / "comparison.xlsx")
    load = pd.read_csv(cmp / "point_load_change.csv", dtype=str, keep_default_na=False)
    assert {"'=s1", "'+s2", "'-s3"} <= set(load["id"])  # stops that serve someone: their ids, neutralised


def test_cli_brief_draws_mobile_names_as_plain_text(mobile_yaml, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "brief.pdf"
    result = runner.invoke(app, ["brief", str(mobile_yaml), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    # as typed: not bold, not entities, '$\alpha$' not set as mathematics; 4 stops, Tuesday each
    assert f"Mobile unit {UNIT_NAME}: 4 stops, 4 visit days a week" in text
    assert f"Mobile unit {TEMPLATE_NAME}: 2 stops" in text
    # a PDF cannot run or open anything from its text: no actions, links or scripts
    for key in (b"/JavaScript", b"/JS", b"/URI", b"/Launch", b"/OpenAction", b"/AA"):
        assert key not in data


def test_app_mobile_tab_shows_names_as_text_and_exports_safely(study, baseline):
    """The builder's mobile tab as a user fills it: names as literal text in its captions and
    messages, then the scenario it makes, through the app's exports."""
    from streamlit.testing.v1 import AppTest

    from planner.app.state import export_files, scenario_from_text

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=180)
    at.run()
    at.sidebar.radio(key="page@en").set_value("builder").run()
    at.text_input(key="mob_name").set_value(UNIT_NAME)
    app_stops = [STOP_NAMES[0], STOP_NAMES[1], STOP_NAMES[3]]  # script, handler, formula
    for name, centre in zip(app_stops, ["407", "504", "018"], strict=True):
        at.text_input(key="mob_stop_name").set_value(name)
        at.selectbox(key="mob_centre").set_value(centre)
        at.button(key="mob_add_stop").click().run()
        assert not at.exception and not at.error
    (so_far,) = [c.value for c in at.caption if c.value.startswith("Stops so far")]
    # a quote is no markup in Markdown text; '<', '(', ':' and '-' are escaped
    assert "<script>" not in so_far
    assert so_far.startswith(r"Stops so far: \<script\>alert\(1\)\</script\> \(Tuesday 09\:00\-12\:00\);")
    at.button(key="mob_add").click().run()
    assert not at.exception and not at.error
    shown = [e.value for e in [*at.caption, *at.markdown, *at.success, *at.info]]
    # Markdown: every name is backslash-escaped (md_text), so it shows as typed, never as markup
    assert not any("<script>" in s or "<b>x" in s for s in shown)
    assert any("\\<b\\>x\\</b\\>=1\\+1" in s for s in shown)  # the success message
    # the scenario's units, listed in their tab: option labels are plain text (never Markdown)
    (units,) = [m for m in at.multiselect if m.key == "w_mobile_keep"]
    assert units.options == [f"{UNIT_NAME} (3 stops)"] and units.value == [0]  # the unit, kept
    sc = scenario_from_text(at.code[0].value, "app.yaml")
    (unit,) = [c["mobile"] for c in sc.changes if "mobile" in c]
    assert unit["name"] == UNIT_NAME and [s["name"] for s in unit["stops"]] == app_stops
    files = export_files(study, baseline, sc, tiles=None)
    page = files["html"][1].decode("utf-8")
    assert "<script>alert" not in page and "<b>x" not in page and '"onmouseover="' not in page
    popups = [p for p in _point_labels(page) if p["popup"] and "mobile unit" in p["popup"]]
    assert sorted(_stop_name(p["popup"]) for p in popups) == sorted(app_stops)
    assert all(f"Stop of the mobile unit {UNIT_NAME}" in _Visible(p["popup"]).text for p in popups)
    assert assert_xlsx_safe(files["xlsx"][1]) > 1000
    with zipfile.ZipFile(io.BytesIO(files["csv"][1])) as zf:
        for name in zf.namelist():
            assert_csv_safe(zf.read(name).decode("utf-8"))
        (pts,) = [n for n in zf.namelist() if n.endswith("/service_points.csv")]
        stops = _mobile_rows(zf.read(pts).decode("utf-8"))
    # the stop names as typed, the formula behind an apostrophe
    assert sorted(set(stops["name"])) == sorted([STOP_NAMES[0], STOP_NAMES[1], "'" + STOP_NAMES[3]])
