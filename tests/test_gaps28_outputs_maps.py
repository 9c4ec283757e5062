"""The HTML map's look and frame, read without a browser (issue 28: assertions that pin values).

Each figure here is one the map's readers depend on: the thin grey outline that lets an area's
travel-time colour read, the heavy dashed service-area borders above the thin municipal ones,
the frame kept clear of the title block and legend, the legend open on a full page and folded
on a small map, the side-by-side halves each with their own title and legend, the change
layer's stronger fill, the mobile tour's dashed line. They are parsed from the page folium
renders (the styler functions, ``fitBounds``, the layer control, the HTML blocks).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

GEO = Path(__file__).resolve().parent.parent / "geodata"
NEED = "social_any"


def stylers(page: str) -> list[dict]:
    """Every distinct style a folium GeoJson styler returns, as dicts."""
    return [json.loads(x) for x in sorted(set(re.findall(r"return (\{\"color\"[^}]*\})", page)))]


def fit_padding(page: str) -> tuple[list[int], list[int]]:
    opts = json.loads(re.search(r"fitBounds\(\s*\[\[.*?\]\],\s*(\{.*?\})\s*\)", page, re.DOTALL).group(1))
    return opts["paddingTopLeft"], opts["paddingBottomRight"]


def block(page: str, element_id: str) -> str:
    """The opening tag and first ``<details>`` of the HTML block ``element_id``."""
    return re.search(rf'<div id="{element_id}" style="[^"]*"><details[^>]*>', page).group(0)


def layer_control(page: str) -> dict:
    raw = re.search(r"L\.control\.layers\([^{]*(\{.*?\})\s*\)", page, re.DOTALL).group(1)
    return json.loads(re.sub(r",\s*}", "}", raw))


@pytest.fixture(scope="module")
def full_page(study, baseline):
    from planner.outputs.maps import scenario_map

    return scenario_map(study, baseline, NEED, "fi", tiles=None).get_root().render()


@pytest.fixture(scope="module")
def compact_page(study, baseline):
    from planner.outputs.maps import scenario_map

    return scenario_map(study, baseline, NEED, "fi", tiles="OpenStreetMap", lang="fi",
                        compact=True).get_root().render()


def test_areas_and_borders_are_drawn_with_their_outlines(full_page):
    """Areas: their band colour at 0.72 opacity under a thin grey (#555, 0.4 px) outline; service
    areas: heavy dashed dark lines (3.2 px, "7 4") without fill; municipal borders thin (#444, 1.1 px)
    without fill, so both outlines never hide the colours beneath."""
    from planner.outputs.maps import BANDS, UNREACHABLE

    styles = stylers(full_page)
    areas = [s for s in styles if "fillColor" in s]
    assert areas and {s["fillColor"] for s in areas} <= {c for _, _, c in BANDS} | {UNREACHABLE[1]}
    assert all({k: v for k, v in s.items() if k != "fillColor"} ==
               {"color": "#555", "weight": 0.4, "fillOpacity": 0.72} for s in areas)
    lines = [s for s in styles if "fillColor" not in s]
    assert sorted(lines, key=lambda s: s["weight"]) == [
        {"color": "#444", "weight": 1.1, "fill": False},
        {"color": "#111", "weight": 3.2, "fill": False, "dashArray": "7 4"}]


def test_full_map_frames_the_region_clear_of_title_and_open_legend(full_page):
    # 100 px below the title block, 300 px left of the open legend (bottom right)
    assert fit_padding(full_page) == ([20, 100], [300, 36])
    assert layer_control(full_page) == {"position": "topright", "collapsed": False, "autoZIndex": True}
    title, legend = block(full_page, "planner-title"), block(full_page, "planner-legend")
    credits = block(full_page, "planner-credits")
    assert "top:10px;left:56px;" in title and "max-width:min(460px,55%)" in title
    assert title.endswith("<details open>") and legend.endswith("<details open>")
    assert "bottom:26px;right:10px;" in legend and credits.endswith("<details open>")
    assert "bottom:52px;left:10px;" in credits       # above the scale bar
    # the browser tab names what is drawn: the need and group, then the scenario
    assert re.search(r"<title>(.*?)</title>", full_page).group(1) == (
        "Adult social services incl. by appointment, in own language — Finnish and other languages"
        " · Scenario: baseline")
    # in English Leaflet's scale bar keeps both its lines (km and miles)
    assert "leaflet-control-scale-line+.leaflet-control-scale-line{display:none}" not in full_page


def test_compact_map_folds_its_controls_and_keeps_a_small_margin(compact_page):
    assert fit_padding(compact_page) == ([10, 70], [10, 36])
    assert layer_control(compact_page)["collapsed"] is True
    credits = block(compact_page, "planner-credits")
    assert credits.endswith("<details>")              # folded on a small map
    # Finnish: kilometres only, and the OpenStreetMap credit in Finnish
    assert "leaflet-control-scale-line+.leaflet-control-scale-line{display:none}" in compact_page
    assert "OpenStreetMapin tekij\\u00e4t" in compact_page
    assert 'href=\\"https://www.openstreetmap.org/copyright\\"' in compact_page


def test_compact_legend_is_folded_unless_an_area_is_grey(study, baseline):
    """A compact map folds its legend, but opens it when an area has no point (grey): the legend
    then explains the grey."""
    from planner.outputs.maps import UNREACHABLE, scenario_map

    kinds = set()
    for need, group in (("social_any", "sv"), ("kela", "fi")):
        page = scenario_map(study, baseline, need, group, tiles=None, compact=True).get_root().render()
        grey = f'"fillColor": "{UNREACHABLE[1]}"' in page
        kinds.add(grey)
        assert block(page, "planner-legend").endswith("<details open>" if grey else "<details>"), need
    assert kinds == {True, False}                     # both cases are drawn here


def test_side_by_side_halves_have_their_own_title_legend_and_credits(study, baseline):
    import folium

    from planner.outputs.maps import scenario_map

    m = folium.Map(tiles=None)
    scenario_map(study, baseline, NEED, "fi", tiles=None, into=m, side="left")
    scenario_map(study, baseline, NEED, "fi", tiles=None, into=m, side="right")
    page = m.get_root().render()
    left, right = block(page, "planner-title-left"), block(page, "planner-title-right")
    assert "left:calc(0% + 56px)" in left and "left:calc(50% + 56px)" in right
    assert "max-width:min(420px,40%)" in left and left.endswith("<details>")   # folded
    assert "right:calc(50% + 10px)" in block(page, "planner-legend-left")
    assert "right:10px;" in block(page, "planner-legend-right")
    # one credits block (the left half's), folded; the page has no tab title of a half
    assert page.count('<div id="planner-credits"') == 1
    assert block(page, "planner-credits").endswith("<details>")
    summary = re.search(r'id="planner-title-left".*?<summary[^>]*>(.*?)</summary>', page).group(1)
    assert summary == "Before: baseline"
    body = re.search(r'id="planner-title-left".*?</summary><div>(.*?)</div>', page).group(1).split("<br>")
    # the need line follows; the scenario line is left out (the first line says it)
    assert body[0].startswith("Adult social services") and not any(x.startswith("Scenario") for x in body)
    assert "<title>" not in page or "Scenario: baseline" not in re.search(r"<title>(.*?)</title>",
                                                                          page).group(1)


@pytest.fixture(scope="module")
def change_page(study, baseline):
    from planner.analysis.comparison import unit_changes
    from planner.analysis.scenario import evaluate, load_scenario
    from planner.outputs.maps import scenario_map

    sc = load_scenario(GEO / "scenarios" / "close_swedish_appointment_points.yaml")
    after, applied = evaluate(study, sc, baseline)
    ch = unit_changes(baseline, after)
    return scenario_map(study, after, NEED, "sv", applied=applied, changes=ch, tiles=None).get_root().render()


def test_change_layer_is_filled_stronger_and_replaces_the_travel_time_key(change_page):
    from planner.outputs.maps import CHANGE_STEPS, GAINED_ACCESS, LOST_ACCESS

    styles = stylers(change_page)
    change = [s for s in styles if s.get("color") == "#444" and "fillColor" in s]
    assert change and all(s["weight"] == 0.5 and s["fillOpacity"] == 0.85 for s in change)
    assert {s["fillColor"] for s in change} <= {c for _, _, c in CHANGE_STEPS} | {LOST_ACCESS, GAINED_ACCESS}
    assert LOST_ACCESS in {s["fillColor"] for s in change}   # Swedish speakers lose their point
    legend = re.search(r'<div id="planner-legend".*?</details></div>', change_page, re.DOTALL).group(0)
    assert '<div class="planner-legend-bands" style="display:none">' in legend
    assert '<div class="planner-legend-change">' in legend
    for colour in (LOST_ACCESS, GAINED_ACCESS):
        assert f"background:{colour};" in legend
    assert "lost access" in legend and "gained access" in legend
    # the closed points have a legend row and a layer of their own
    assert "Closed in the scenario" in legend or "closed" in legend.lower()


def test_change_layer_labels_signed_minutes_and_lost_access(study):
    """_change_layer: a unit drawn only when its change is at least half a minute, labelled
    "+1.5 min" / "−0.5 min" (in the map's language: "+1,5 min" in Finnish), or lost / gained
    access for an infinite change."""
    import folium

    from planner.outputs.maps import LOST_ACCESS, _change_layer

    u = study.units[study.units["located"]].head(5)[["unit_id", "name", "geometry"]].copy()
    u["residents_label"], u["time_label"] = "10", "5 min"
    ch = pd.DataFrame({"unit_id": u["unit_id"].to_numpy(),
                       "delta_min": [0.49, -0.5, 1.5, np.inf, -np.inf]})
    placed = []
    _change_layer(lambda layer, name: placed.append((layer, name)), u, ch, "EPSG:4326", "en")
    (layer, name), = placed
    assert name == "Minutes gained (blue) / lost (red)"
    got = [f["properties"]["change"] for f in layer.data["features"]]
    assert got == ["\u22120.5 min", "+1.5 min", "lost access", "gained access"]
    assert layer.data["features"][2]["properties"]["colour"] == LOST_ACCESS
    placed_fi = []
    _change_layer(lambda layer, name: placed_fi.append(layer), u, ch, "EPSG:4326", "fi")
    assert [f["properties"]["change"] for f in placed_fi[0].data["features"]][:2] == [
        "\u22120,5 min", "+1,5 min"]
    m = folium.Map(tiles=None)
    layer.add_to(m)
    page = m.get_root().render()
    assert json.loads(re.search(r"let aliases = (\[.*?\]);", page).group(1)) == [
        "Area", "Residents", "Change in the scenario", "Travel time"]
    # nothing changes by half a minute or more: no layer at all
    placed.clear()
    _change_layer(lambda layer, name: placed.append(name), u, ch.assign(delta_min=0.4), "EPSG:4326", "en")
    assert placed == []


def test_legend_switch_knows_the_two_area_layers_by_name(full_page):
    found = re.findall(r"\}\)\(map_\w+, (\"planner-legend\"), (\{.*?\})\)", full_page)
    assert [(json.loads(a), json.loads(b)) for a, b in found] == [
        ("planner-legend", {"bands": "Travel time", "change": "Minutes gained (blue) / lost (red)"})]


def test_title_says_when_the_mean_improves_only_by_lost_access(study, baseline):
    """The slowest Swedish-speaking area (with residents) loses its point and nothing else
    changes: the mean over those served falls only because they left it: the title says how many."""
    from planner.analysis.comparison import unit_changes
    from planner.numbers import fmt_int
    from planner.outputs.maps import scenario_map

    ch = unit_changes(baseline, baseline)
    sel = (ch["need"] == NEED) & (ch["group"] == "sv") & (ch["population"] > 0)
    sel &= np.isfinite(ch["time_before"])
    worst = ch[sel].sort_values("time_before").index[-1]
    ch.loc[worst, ["time_after", "delta_min"]] = np.inf
    n = int(ch.loc[worst, "population"])
    page = scenario_map(study, baseline, NEED, "sv", changes=ch, tiles=None).get_root().render()
    note = f"Note: the mean over those served improves only because {fmt_int(n)} residents lost access"
    assert note in page
    fi = scenario_map(study, baseline, NEED, "fi", changes=ch, tiles=None).get_root().render()
    assert "Note: the mean over those served" not in fi   # the Finnish speakers lost nothing


def test_map_snaps_to_half_zooms_draws_on_canvas_and_has_a_scale(full_page):
    # the options of the L.map(...) call: folium >= 0.18 spreads them as JSON (`..."zoomSnap": 0.5`),
    # older folium writes them as a JS object literal (`zoomSnap: 0.5`)
    call = re.search(r"L\.map\(\s*\"map_\w+\",\s*(\{.*?\})\s*\);", full_page, re.DOTALL).group(1)
    opts = dict(re.findall(r"\"?(\w+)\"?\s*:\s*([^,\n]+),", call))
    assert opts["preferCanvas"] == "true" and json.loads(opts["zoomSnap"]) == 0.5
    assert re.search(r"L\.control\.scale\(\)\.addTo\(map_\w+\)", full_page)
