"""Charts (issue 13 item 4): a hand-worked cumulative share, the change bars, static SVG
(offline, escaped) and the side panel of the HTML map."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from planner.outputs.charts import (
    change_bars,
    change_by_area,
    chart_svg,
    charts_panel,
    cumulative_chart,
    cumulative_share,
)
from planner.outputs.html import external_references

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"


def _access() -> pd.DataFrame:
    """fi: 100 people at 5 min, 50 at 15, 30 at 20 (exactly), 20 reach nothing, 9 unlocated.
    sv: 10 at 12 min."""
    rows = [("A", "fi", 100, True, 5.0), ("B", "fi", 50, True, 15.0), ("C", "fi", 30, True, 20.0),
            ("D", "fi", 20, True, math.inf), ("E", "fi", 9, False, math.nan), ("A", "sv", 10, True, 12.0)]
    df = pd.DataFrame(rows, columns=["unit_id", "group", "population", "located", "time_min"])
    return df.assign(need="kela", point_id="P")


def test_cumulative_share_hand_worked():
    c = cumulative_share(_access(), "kela", ("fi", "sv"), step=5.0).set_index(["group", "minutes"])
    # denominator: the 200 located Finnish speakers (unreached count, unlocated do not)
    assert c.loc[("fi", 0.0), "share"] == 0.0
    assert c.loc[("fi", 5.0), "share"] == pytest.approx(100 / 200)  # a resident at exactly 5 min counts
    assert c.loc[("fi", 15.0), "share"] == pytest.approx(150 / 200)
    assert c.loc[("fi", 20.0), "share"] == pytest.approx(180 / 200)  # never 1: 20 reach nothing
    assert c.loc[("fi", 20.0), "residents"] == 180
    assert c.loc[("sv", 10.0), "share"] == 0.0 and c.loc[("sv", 15.0), "share"] == 1.0
    assert c.reset_index().groupby("group")["share"].apply(lambda s: s.is_monotonic_increasing).all()


def _lines(fig) -> dict:
    """label -> (x, y, colour, dashed) of every line of a chart figure."""
    return {ln.get_label(): (list(ln.get_xdata()), list(ln.get_ydata()), ln.get_color(),
                             ln.get_linestyle() != "-")
            for ln in fig.axes[0].get_lines() if not ln.get_label().startswith("_")}


def test_cumulative_chart_before_after_per_group():
    after = _access()
    after.loc[after["unit_id"] == "B", "time_min"] = 25.0
    lines = _lines(cumulative_chart(_access(), "kela", after, lang="fi"))
    fi, sv = "Suomen- ja muunkieliset", "Ruotsinkieliset"
    assert set(lines) == {f"{g}, {w}" for g in (fi, sv) for w in ("ennen", "jälkeen")}
    assert lines[f"{fi}, ennen"][3] and not lines[f"{fi}, jälkeen"][3]  # before dashed, after solid
    # one colour a group
    assert lines[f"{fi}, ennen"][2] == lines[f"{fi}, jälkeen"][2] != lines[f"{sv}, ennen"][2]
    x, y = lines[f"{fi}, ennen"][:2]  # the hand-worked shares on a 1-minute grid up to 25 min
    assert (y[x.index(15.0)], y[x.index(20.0)]) == (pytest.approx(150 / 200), pytest.approx(180 / 200))
    x, y = lines[f"{fi}, jälkeen"][:2]  # B's 50 people now reach a point at 25 min, not 15
    assert (y[x.index(15.0)], y[x.index(25.0)]) == (pytest.approx(100 / 200), pytest.approx(180 / 200))
    assert list(_lines(cumulative_chart(_access(), "kela", lang="en"))) == [
        "Finnish and other languages, now", "Swedish speakers, now"]


def _area_table() -> pd.DataFrame:
    return pd.DataFrame({"area": ["North", "South", '<b onmouseover="x">East</b>'], "need": "kela",
                         "group": "all", "mean_change_min_served_both": [4.0, -2.5, 0.0],
                         "population": [10, 20, 30],
                         "pop_lose_gt_10": [0, 0, 0], "pop_lost_access": [0, 0, 0]})


def test_change_bars_red_for_losses_blue_for_gains():
    t = change_by_area(_area_table(), "kela")
    assert list(t["area"])[:2] == ["North", '<b onmouseover="x">East</b>']  # largest loss first
    from matplotlib.colors import to_hex

    ax = change_bars(_area_table(), "kela", "municipality").axes[0]
    names = [x.get_text() for x in ax.get_yticklabels()]
    colour = {n: to_hex(b.get_facecolor()) for n, b in zip(names, ax.patches, strict=True)}
    width = {n: b.get_width() for n, b in zip(names, ax.patches, strict=True)}
    assert names == list(t["area"])  # one bar an area, in the table's order (largest loss first)
    assert colour["North"] == "#b2182b" and width["North"] == 4.0  # a loss: red
    assert colour["South"] == "#2166ac" and width["South"] == -2.5  # a gain: blue


def test_svg_is_static_offline_and_escaped():
    svg = chart_svg(change_bars(_area_table(), "kela"))
    assert svg.startswith("<svg") and "</svg>" in svg
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org", "")
    assert "<b onmouseover" not in svg and "&lt;b onmouseover" in svg  # area names are text
    assert "North" in svg and "South" in svg
    panel = charts_panel([svg], lang="sv")
    assert panel.startswith('<div id="planner-charts"') and "<details>" in panel and "Diagram" in panel
    assert external_references(panel) == []


def test_bundled_scenario_charts_in_the_map_panel(study, baseline, tmp_path):
    from planner.analysis.scenario import load_scenario
    from planner.outputs.charts import add_charts_panel, scenario_charts
    from planner.outputs.maps import save_map, scenario_map
    from planner.outputs.report import run_scenarios

    _, runs = run_scenarios(study, [load_scenario(SCENARIOS / "concentrate_kela_offices.yaml")], baseline)
    r = runs[0]
    charts = scenario_charts(study, baseline, r.results, r.comparison, "kela", "en")
    assert len(charts) == 3
    assert len(charts[2].axes[0].patches) == study.units["municipality"].nunique()  # a bar a municipality
    m = scenario_map(study, r.results, "kela", "fi", applied=r.applied, tiles=None)
    page = save_map(add_charts_panel(m, charts), tmp_path / "m.html").read_text(encoding="utf-8")
    assert page.count('<div class="planner-chart"') == 3
    assert "Residents reaching a point within" in page and "By municipality" in page
    assert external_references(page) == []
    assert "vega" not in page.lower().replace("vega-", "")  # no Vega script: static SVG only


def test_map_command_panel_on_by_default_off_on_request(tmp_path):
    import typer
    from typer.testing import CliRunner

    from planner.cli.map import map_command

    app = typer.Typer()
    app.command("map")(map_command)
    app.command("noop")(lambda: None)
    on, off = tmp_path / "on.html", tmp_path / "off.html"
    sc = str(SCENARIOS / "concentrate_kela_offices.yaml")
    for out, extra in ((on, ["--catchments"]), (off, ["--no-charts"])):
        args = ["map", sc, "--need", "kela", "--no-tiles", "--out", str(out), *extra]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
    page = on.read_text(encoding="utf-8")
    assert page.count('<div class="planner-chart"') == 3 and external_references(page) == []
    assert "Catchment areas before" in page and "Catchment areas after" in page
    assert 'id="planner-charts"' not in off.read_text(encoding="utf-8")


def test_chart_axes_write_numbers_as_the_interface_language_does():
    """Issue 26: a Finnish or Swedish chart's axis and bar values read 0,5 and 50 %, an English
    one 0.5 and 50%."""
    import re

    table = pd.DataFrame({"need": ["kela"] * 2, "group": ["all"] * 2, "area": ["A", "B"],
                          "mean_change_min_served_both": [1.5, -0.7], "population": [1000, 2000],
                          "pop_lose_gt_10": [0, 0], "pop_lost_access": [0, 0]})
    labels = {}
    for lang in ("en", "fi", "sv"):
        svg = chart_svg(change_bars(table, "kela", lang=lang))
        labels[lang] = re.findall(r">([^<>]*\d[^<>]*)</text>", svg)
    assert "+1.5" in labels["en"] and "\u22120.7" in labels["en"] and "0.5" in labels["en"]
    assert not [x for x in labels["en"] if re.search(r"\d,\d", x)]
    for lang in ("fi", "sv"):
        dots = [x for x in labels[lang] if re.search(r"\d\.\d", x)]
        assert "+1,5" in labels[lang] and "\u22120,7" in labels[lang] and "0,5" in labels[lang], labels[lang]
        assert not dots, labels[lang]
    cum = chart_svg(cumulative_chart(_access(), "kela", lang="fi"))
    assert re.search(r">40\u00a0%<", cum) and not re.search(r">40%<", cum)
