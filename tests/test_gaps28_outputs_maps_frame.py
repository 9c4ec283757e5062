"""The map's frame layers and labels on the bundled study (issue 28): municipal names at the
municipal centres (Swedish names on a Swedish map), service areas named in the language, the
mobile unit's tour as a dashed line with its name, the area tooltips' labels (a trip beyond
the calibration range said so), and the combinations a map refuses."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

GEO = Path(__file__).resolve().parent.parent / "geodata"


def point_layers(page: str, cls: str | None = None) -> list[list[dict]]:
    dec = json.JSONDecoder()
    out = []
    for m in re.finditer(r"var (\w+)_geo = L\.geoJSON\(", page):
        data, end = dec.raw_decode(page, m.end())
        tail = page[end:end + 800]
        if cls is None or f'className: "{cls}"' in tail:
            out.append(data["features"])
    return out


def area_layers(page: str) -> list[dict]:
    dec = json.JSONDecoder()
    return [dec.raw_decode(page, m.end())[0] for m in re.finditer(r"geo_json_[0-9a-f]+_add\(", page)]


def layer_with(page: str, key: str) -> list[dict]:
    """The area layers whose features have the property ``key``."""
    return [fc for fc in area_layers(page) if fc["features"] and key in fc["features"][0]["properties"]]


@pytest.fixture(scope="module")
def sv_page(study, baseline):
    from planner.outputs.maps import scenario_map

    return scenario_map(study, baseline, "social_any", "sv", tiles=None, lang="sv").get_root().render()


def test_municipal_names_stand_at_the_centres_in_swedish(sv_page):
    centres = pd.read_csv(GEO / "uusimaa" / "municipal_centres.csv", dtype={"municipality_code": str})
    (labels,) = point_layers(sv_page, "planner-label")
    at = {re.sub(r"<[^>]+>", "", f["properties"]["svg"]): f["geometry"]["coordinates"] for f in labels}
    assert len(at) == len(centres)
    hel = centres.set_index("municipality_code").loc["091"]
    assert at["Helsingfors"] == pytest.approx([hel["lon"], hel["lat"]], abs=2e-6)
    assert "Träskända" in at and "Järvenpää" not in at
    f = labels[0]["properties"]
    # a label is text, not a marker: no box, no anchor offset but 7 px up, never clickable
    assert (f["w"], f["h"], f["ax"], f["ay"]) == (0, 0, 0, -7)
    assert "font-size:11px;font-weight:600;color:#222" in f["svg"] and "translate(-50%,0)" in f["svg"]
    assert re.search(r'className: "planner-label",\s*iconSize', sv_page)
    assert "interactive: false" in sv_page


def test_service_areas_and_municipalities_named_in_the_map_language(sv_page):
    fields = re.findall(r"let fields = (\[.*?\]);", sv_page)
    aliases = re.findall(r"let aliases = (\[.*?\]);", sv_page)
    tips = {tuple(json.loads(f)): json.loads(a) for f, a in zip(fields, aliases, strict=True)}
    assert len(tips[("service_area",)]) == 1 and tips[("service_area",)] != ["Service area"]
    (sa,) = layer_with(sv_page, "service_area")
    assert "Västra Nyland" in {f["properties"]["service_area"] for f in sa["features"]}
    (mun,) = layer_with(sv_page, "label")
    assert "Helsingfors" in {f["properties"]["label"] for f in mun["features"]}


def test_finnish_names_on_an_english_map_and_labels_at_inner_points_without_centres(study, baseline):
    from planner.outputs.maps import scenario_map

    no_centres = replace(study, centres=None)
    page = scenario_map(no_centres, baseline, "kela", "fi", tiles=None).get_root().render()
    (labels,) = point_layers(page, "planner-label")
    names = {re.sub(r"<[^>]+>", "", f["properties"]["svg"]) for f in labels}
    assert "Helsinki" in names and "Helsingfors" not in names
    # a representative point lies inside its municipality's border
    from shapely.geometry import Point

    borders = study.borders.to_crs(4326).set_index("name_fi")
    for f in labels:
        name = re.sub(r"<[^>]+>", "", f["properties"]["svg"])
        assert borders.loc[name, "geometry"].buffer(1e-5).contains(Point(f["geometry"]["coordinates"])), name


def test_mobile_tour_is_a_dashed_dark_line_named_after_its_unit(study, baseline):
    from planner.analysis.scenario import evaluate, load_scenario
    from planner.outputs.maps import scenario_map

    sc = load_scenario(GEO / "scenarios" / "ita_uusimaa_mobile_unit.yaml")
    res, applied = evaluate(study, sc, baseline)
    page = scenario_map(study, res, "social_any", "fi", applied=applied, tiles=None).get_root().render()
    opts = re.findall(r"L\.polyline\(\s*\[\[.*?\]\],\s*(\{.*?\})\s*\)", page, re.DOTALL)
    assert len(opts) == 1                               # one unit, one line
    o = json.loads(re.sub(r",\s*}", "}", opts[0]))
    assert (o["color"], o["weight"], o["dashArray"]) == ("#333333", 3, "6 4")
    assert "Tour of the mobile unit Itä-Uusimaa service bus" in page or "Tour of the mobile unit" in page
    assert '"Mobile unit tours"' in page or "Mobile unit tours" in page
    # a baseline without mobile units has no tour layer at all
    base = scenario_map(study, baseline, "social_any", "fi", tiles=None).get_root().render()
    assert "Mobile unit tours" not in base and "L.polyline(" not in base


def test_a_trip_beyond_the_calibration_is_labelled_so_in_the_area_tooltip(study, baseline):
    from planner.outputs.maps import accessibility_map

    access = baseline.access.copy()
    uid = study.units[study.units["located"]]["unit_id"].iloc[0]
    hit = (access["need"] == "kela") & (access["group"] == "fi")
    access["extrapolated"] = False
    access.loc[hit & (access["unit_id"] == uid), "extrapolated"] = True
    m = accessibility_map(study.units, access, study.points, baseline.provenance, need="kela", group="fi",
                          tiles=None)
    page = m.get_root().render()
    (fc,) = layer_with(page, "time_label")
    labels = {f["properties"]["unit_id"]: f["properties"]["time_label"] for f in fc["features"]}
    t = access[hit & (access["unit_id"] == uid)]["time_min"].iloc[0]
    assert labels[uid] == f"{t:.0f} min (extrapolated beyond the calibration range: error not measured)"
    assert all(re.fullmatch(r"\d+ min", v) for k, v in labels.items() if k != uid)


def test_a_map_refuses_frame_without_live_layers_and_clusters_in_live_layers(study, baseline):
    from planner.outputs.maps import LiveLayers, scenario_map

    with pytest.raises(ValueError, match="frame=False leaves only the live layers"):
        scenario_map(study, baseline, "kela", "fi", tiles=None, frame=False)
    with pytest.raises(ValueError, match="cluster_points draws into one cluster group"):
        scenario_map(study, baseline, "kela", "fi", tiles=None, live=LiveLayers(), cluster_points=True)


def test_live_layers_collect_the_changing_layers_and_hide_the_catchments(study, baseline):
    from planner.outputs.maps import LiveLayers, scenario_map

    live = LiveLayers()
    m = scenario_map(study, baseline, "kela", "fi", tiles=None, live=live, catchments=True)
    names = [fg.layer_name for fg in live.layers]
    assert names[0] == "Travel time to the nearest point" or names[0].startswith("Travel time")
    cat = [i for i, n in enumerate(names) if n.startswith("Catchment areas")]
    assert cat and live.hidden == cat                    # catchments start off, the rest on
    # ... switched off by the groups' step in the browser: a group made hidden would never be put
    # on the map by streamlit-folium, and its box in the layer control could not bring it back
    assert [fg.show for fg in live.layers] == [True] * len(names)
    assert all(fg.control and fg.overlay for fg in live.layers)
    assert not any(getattr(child, "control", False) for fg in live.layers for child in fg._children.values())
    assert set(live.html) == {"planner-title", "planner-legend"} and live.control is not None
    groups = live.groups()
    assert groups[:-1] == live.layers and groups[-1].layer_name == "planner-live"
    assert groups[-1].control is False  # the step is no layer: no box of its own in the control
    page = m.get_root().render()
    assert "planner-title" in page                       # the frame keeps its title block
    shown = LiveLayers()
    scenario_map(study, baseline, "kela", "fi", tiles=None, live=shown, catchments=True, show_catchments=True)
    assert shown.hidden == []
