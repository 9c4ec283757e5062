"""User text is data in every template (issue 25, item 1).

folium/branca compile each layer's rendered script (its GeoJSON data and tooltips included)
and every ``folium.Element(markup)`` as Jinja template source. Before the fix a point named
``Plan {{ 7*7 }} x`` showed as "Plan 49 x", ``{{ lipsum.__globals__.os.makedirs(...) }}``
created a folder on the machine drawing the map, ``{#2}`` was a TemplateSyntaxError and
``{{ huone }}`` vanished. Each entry point of user text is tested here through the command a
planner runs: points file, scenario (name, description, opened point), service-area table,
mobile unit (id, name, stops), an imported matrix's column name, and text as a register
gives it (address, note); the brief's PDF text too. The app's ``?sc=`` link is checked in
Chromium in tests/test_browser.py.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli.main import app

GEO = Path(__file__).resolve().parent.parent / "geodata"
runner = CliRunner()

ARITH = "Plan {{ 7*7 }} x"  # evaluated: "Plan 49 x"
# evaluated: creates the folder "X" in the working directory (no quote needed in any file format)
EXEC = "{{ lipsum.__globals__.os.makedirs(dict(X=1)|list|first, exist_ok=True) }}"
COMMENT = "Room {#2} a"  # compiled: TemplateSyntaxError (an unclosed comment)
VARIABLE = "Sali {{ huone }} b"  # evaluated: "Sali  b" (an undefined variable prints nothing)
STATEMENT = "Tila {% raw %} c"  # compiled: TemplateSyntaxError (raw never closed)
PAYLOADS = [ARITH, EXEC, COMMENT, VARIABLE, STATEMENT]


def shown_text(page: str) -> str:
    """The page's text as a browser shows it: JSON escapes (\\u0026 ...) and then character
    references (&#123; ...) decoded, twice for text escaped once more inside a popup."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), page)
    return html.unescape(html.unescape(text))


def assert_inert(page: str, *shown: str) -> None:
    """None of the payloads ran, and each name in ``shown`` is on the page as typed."""
    text = shown_text(page)
    assert "Plan 49 x" not in text and "Sali  b" not in text
    for name in shown:
        assert name in text, name


@pytest.fixture()
def cwd(tmp_path, monkeypatch) -> Path:
    """Run in an empty folder, where the EXEC payload would create ``X``."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def _no_code_ran(cwd: Path) -> None:
    assert not (cwd / "X").exists(), "a name in a file ran as code (it created a folder)"
    assert os.listdir(cwd) == [] or set(os.listdir(cwd)) <= {"out"}


def _points_with_payloads(path: Path, fields=("name",)) -> Path:
    """The bundled points file with the payloads as the names (and register text) of located
    Kela offices and walk-in points, which every default map draws."""
    df = pd.read_csv(GEO / "service_points.csv", dtype=str, keep_default_na=False)
    located = df.index[(df["lon"] != "") & df["category"].isin(["kela", "fi_walkin"])]
    assert len(located) >= len(PAYLOADS)
    for i, payload in zip(located, PAYLOADS, strict=False):
        for f in fields:
            df.loc[i, f] = payload
    df.to_csv(path, index=False)
    return path


def _ok(result) -> None:
    assert result.exit_code == 0, result.output


def test_point_names_and_register_text_in_every_map(cwd, tmp_path):
    """Names, addresses and notes (what a register fetch writes) of a points file, through
    `report` (map.html), `map` with catchments and charts, and the side-by-side map."""
    pts = _points_with_payloads(tmp_path / "points.csv", fields=("name", "address", "note"))
    _ok(runner.invoke(app, ["report", "--out", str(tmp_path / "rep"), "--points", str(pts)]))
    page = (tmp_path / "rep" / "map.html").read_text(encoding="utf-8")
    assert_inert(page, *PAYLOADS)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: close one\nchanges:\n  - close: kela_vantaa_tikkurila\n", encoding="utf-8")
    for extra in (["--catchments", "--charts"], ["--side-by-side"]):
        out = tmp_path / f"map{len(extra)}.html"
        _ok(runner.invoke(app, ["map", str(scenario), "--out", str(out), "--no-tiles", "--points", str(pts),
                                "--need", "kela", *extra]))
        assert_inert(out.read_text(encoding="utf-8"), ARITH, VARIABLE, COMMENT)
    _no_code_ran(cwd)


def test_scenario_name_description_and_opened_point(cwd, tmp_path):
    q = json.dumps  # a JSON string is a YAML double-quoted scalar
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f"name: {q(ARITH + ' ' + COMMENT)}\ndescription: {q(EXEC + ' ' + STATEMENT)}\nchanges:\n"
        f"  - close: kela_vantaa_tikkurila\n"
        f"  - open: {{id: new_x, name: {q(VARIABLE)}, category: kela, municipality_code: '091', "
        f"lon: 24.94, lat: 60.17}}\n", encoding="utf-8")
    out = tmp_path / "map.html"
    res = runner.invoke(app, ["map", str(scenario), "--out", str(out), "--no-tiles", "--need", "kela",
                              "--charts"])
    _ok(res)
    assert_inert(out.read_text(encoding="utf-8"), ARITH + " " + COMMENT, VARIABLE)
    assert ARITH in res.output  # the terminal line names the scenario as typed
    ev = tmp_path / "ev"
    _ok(runner.invoke(app, ["evaluate", str(scenario), "--out", str(ev)]))
    for page in ev.rglob("*.html"):
        assert_inert(page.read_text(encoding="utf-8"), ARITH + " " + COMMENT)
    _no_code_ran(cwd)


def test_service_area_names(cwd, tmp_path):
    df = pd.read_csv(GEO / "service_areas.csv", dtype=str, keep_default_na=False)
    names = {"Helsinki": ARITH, "Espoo–Kauniainen": COMMENT, "Vantaa–Kerava": EXEC}
    assert set(names) <= set(df["service_area"])
    df["service_area"] = df["service_area"].replace(names)
    areas = tmp_path / "areas.csv"
    df.to_csv(areas, index=False)
    _ok(runner.invoke(app, ["report", "--out", str(tmp_path / "rep"), "--service-areas", str(areas)]))
    assert_inert((tmp_path / "rep" / "map.html").read_text(encoding="utf-8"), ARITH, COMMENT)
    _no_code_ran(cwd)


def _stop(sid: str, name: str, centre: str, start: str) -> str:
    end = f"{int(start[:2]) + 1}:30"
    return (f"        - {{id: {json.dumps(sid)}, name: {json.dumps(name)}, at_centre: '{centre}', "
            f"schedule: [{{day: tue, start: '{start}', end: '{end}'}}]}}\n")


def test_mobile_unit_id_name_and_stops(cwd, tmp_path):
    scenario = tmp_path / "mobile.yaml"
    scenario.write_text(
        "name: bus\nchanges:\n  - mobile:\n"
        f"      id: {json.dumps('bus {{ 7*7 }}')}\n      name: {json.dumps(ARITH)}\n"
        "      categories: [fi_appointment]\n      stops:\n"
        + _stop("s1", COMMENT, "018", "09:00") + _stop("s2", EXEC, "616", "11:00")
        + _stop("s3", VARIABLE, "504", "13:00"), encoding="utf-8")
    out = tmp_path / "map.html"
    _ok(runner.invoke(app, ["map", str(scenario), "--out", str(out), "--no-tiles", "--need", "social_any"]))
    page = out.read_text(encoding="utf-8")
    assert_inert(page, ARITH, COMMENT, VARIABLE)
    assert "bus 49" not in shown_text(page)
    _no_code_ran(cwd)


def test_imported_matrix_column_name(cwd, tmp_path):
    """The time column's name (from the file's header) is in the model line of the map title."""
    column = "min {{ 7*7 }} {#x"
    path = tmp_path / "r5py.csv"
    pd.DataFrame({"from_id": ["00100", "00120"], "to_id": "kela_helsinki_kamppi", column: [7, 9]}) \
        .to_csv(path, index=False)
    out = tmp_path / "rep"
    _ok(runner.invoke(app, ["report", "--out", str(out), "--matrix", str(path), "--matrix-keys", "ids",
                            "--matrix-column", column]))
    page = (out / "map.html").read_text(encoding="utf-8")
    assert_inert(page, column)
    assert "min 49" not in shown_text(page)
    _no_code_ran(cwd)


def test_brief_pdf_shows_the_names_as_typed(cwd, tmp_path):
    from pypdf import PdfReader

    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: {json.dumps(ARITH)}\nchanges:\n  - close: kela_vantaa_tikkurila\n",
                        encoding="utf-8")
    out = tmp_path / "brief.pdf"
    _ok(runner.invoke(app, ["brief", str(scenario), "--out", str(out), "--need", "kela"]))
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "{{ 7*7 }}" in text and "Plan 49" not in text
    _no_code_ran(cwd)


def test_the_one_element_for_planner_html_never_compiles_its_markup():
    """Every HTML block the planner adds to a map goes through ``html_element`` (the title,
    legend, credits, charts panel, inlined scripts): none is a ``folium.Element(markup)``."""
    from branca.element import Figure

    from planner.escape import html_element, html_text

    fig = Figure()
    fig.html.add_child(html_element(f"<p>{html_text(COMMENT)}</p><p>{STATEMENT}</p>"))
    page = fig.render()
    assert "<p>Tila {% raw %} c</p>" in page and "Room {#2} a" in shown_text(page)
    src = Path(__file__).resolve().parent.parent / "planner"
    offenders = [f"{p.relative_to(src)}:{i}" for p in src.rglob("*.py")
                 if p.name != "escape.py"  # where html_element is defined and explained
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"(?<![\w.])(folium\.)?Element\(", line) and "class " not in line]
    assert offenders == [], "HTML must enter a map through html_element(): " + ", ".join(offenders)
