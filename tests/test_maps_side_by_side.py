"""Before / after side by side (issue 13 item 3): two synchronised maps on one offline page,
the function the app calls and `planner map --side-by-side`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from planner.outputs.html import external_references

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def kela(study, baseline):
    from planner.analysis.scenario import evaluate, load_scenario

    sc = load_scenario(SCENARIOS / "concentrate_kela_offices.yaml")
    res, applied = evaluate(study, sc, baseline)
    return res, applied


@pytest.fixture(scope="module")
def page(study, baseline, kela):
    from planner.outputs.sidebyside import side_by_side_html

    res, applied = kela
    return side_by_side_html(study, baseline, res, applied, "kela", "fi", tiles=None, catchments=True)


def _map_names(page: str) -> list[str]:
    return re.findall(r"var (map_\w+) = L\.map\(", page)


def test_two_maps_kept_in_step_offline(page):
    maps = _map_names(page)
    assert len(maps) == 2
    assert f"{maps[0]}.sync({maps[1]})" in page and f"{maps[1]}.sync({maps[0]})" in page
    assert external_references(page) == []
    assert "cdn.jsdelivr.net" not in page and "LICENSE-leaflet.sync.txt" in page


def test_left_is_the_baseline_right_the_scenario(page):
    left = re.search(r'<div id="planner-title-left".*?</details></div>', page, re.S).group(0)
    right = re.search(r'<div id="planner-title-right".*?</details></div>', page, re.S).group(0)
    assert ">Before: baseline</summary>" in left  # which half is which, first (issue 26)
    assert ">After: Concentrate Kela offices in five towns</summary>" in right
    # closed points appear on the right map only
    assert page.count('"Closed in the scenario"') == 1 or page.count("Closed in the scenario") >= 1
    assert "planner-legend-left" in page and "planner-legend-right" in page
    assert page.count('id="planner-credits"') == 1
    assert page.count("Catchment areas") >= 2  # each side has its own catchment layer


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium")
def test_zooming_one_map_moves_the_other(page, tmp_path):
    from playwright.sync_api import sync_playwright

    path = tmp_path / "sbs.html"
    path.write_text(page, encoding="utf-8")
    left, right = _map_names(page)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1300, "height": 800})
        pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                 else r.abort())
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(path.as_uri())
        pg.wait_for_function(f"typeof {right} !== 'undefined'")
        pg.evaluate(f"{left}.setView([60.17, 24.94], 12, {{animate: false}}); null")
        pg.wait_for_timeout(500)
        zoom, lat = pg.evaluate(f"[{right}.getZoom(), {right}.getCenter().lat]")
        assert zoom == 12 and abs(lat - 60.17) < 0.01
        # the two halves stand side by side, each half the page wide
        boxes = [pg.locator(f"#{n}").bounding_box() for n in (left, right)]
        assert boxes[0]["x"] < boxes[1]["x"] and abs(boxes[0]["width"] - 650) < 5
        browser.close()
    assert errors == []


@pytest.fixture(scope="module")
def cli():
    app = typer.Typer()
    from planner.cli.map import map_command

    app.command("map")(map_command)
    app.command("noop")(lambda: None)
    return app


def test_map_command_side_by_side(cli, tmp_path):
    out = tmp_path / "sbs.html"
    result = CliRunner().invoke(cli, ["map", str(SCENARIOS / "concentrate_kela_offices.yaml"),
                                      "--out", str(out), "--side-by-side", "--no-tiles", "--need", "kela",
                                      "--lang", "fi"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert len(_map_names(text)) == 2 and external_references(text) == []
    assert "planner-title-right" in text and "Jälkeen:" in text


def test_side_by_side_needs_a_scenario(cli, tmp_path):
    result = CliRunner().invoke(cli, ["map", "--side-by-side", "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "scenario" in result.output
    assert not (tmp_path / "x.html").exists()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium")
def test_chart_panel_stands_below_the_taller_half_width_title(study, baseline, kela, tmp_path):
    from playwright.sync_api import sync_playwright

    from planner.outputs.charts import add_charts_panel, scenario_charts
    from planner.outputs.html import self_contained
    from planner.outputs.sidebyside import side_by_side_map

    res, applied = kela
    # the longest need name, in Swedish, on a narrow screen: the title wraps over many lines
    dm = side_by_side_map(study, baseline, res, applied, "social_any", "sv", tiles=None, lang="sv")
    path = tmp_path / "panel.html"
    path.write_text(self_contained(add_charts_panel(dm, scenario_charts(
        study, baseline, res, None, "social_any", "sv"), "sv")), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1000, "height": 800})
        pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                 else r.abort())
        pg.goto(path.as_uri())
        pg.wait_for_timeout(300)
        title = pg.locator("#planner-title-left").bounding_box()
        panel = pg.locator("#planner-charts").bounding_box()
        assert panel["y"] >= title["y"] + title["height"]  # not under the title block
        pg.locator("#planner-charts summary").click()  # reachable: nothing lies over it
        pg.locator(".planner-chart svg").first.wait_for()
        browser.close()


def test_map_command_cluster_points_on_both_halves(cli, tmp_path):
    out = tmp_path / "c.html"
    result = CliRunner().invoke(cli, ["map", str(SCENARIOS / "concentrate_kela_offices.yaml"),
                                      "--out", str(out), "--side-by-side", "--no-tiles", "--cluster-points",
                                      "--no-charts"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.count("L.markerClusterGroup(") == 2 and external_references(text) == []
    assert "LICENSE-leaflet.markercluster.txt" in text and "LICENSE-leaflet.sync.txt" in text
