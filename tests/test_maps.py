"""HTML maps: self-contained files, layers, legend, popups, scenario marks, languages; the
`planner map` command and the interface strings."""

from __future__ import annotations

import json
import re
import string
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from planner.inputs.categories import CATEGORIES, NEEDS
from planner.outputs.html import external_references, offline_assets, self_contained
from planner.outputs.i18n import LANGS, STRINGS, category_label, need_label, t
from planner.outputs.maps import _SHAPES, BANDS, band_of, marker_svg, save_map, scenario_map

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"


class _Assets(HTMLParser):
    """Every script, stylesheet and CSS import a browser would fetch for a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.inline_scripts = 0
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            if a.get("src"):
                self.refs.append(a["src"])
            else:
                self.inline_scripts += 1
        if tag == "link" and "stylesheet" in (a.get("rel") or "").lower() and a.get("href"):
            self.refs.append(a["href"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.refs += re.findall(r"@import\s+(?:url\()?\s*[\"']?([^\"')\s;]+)", data)


def has(page: str, text: str) -> bool:
    """``text`` on the page, as HTML or inside a JSON string (non-ASCII escaped)."""
    return text in page or json.dumps(text)[1:-1] in page


def external_assets(page: str) -> list[str]:
    parser = _Assets()
    parser.feed(page)
    return [r for r in parser.refs if not r.startswith("data:")]


@pytest.fixture(scope="module")
def kela_run(study, baseline):
    from planner.analysis.comparison import unit_changes
    from planner.analysis.scenario import evaluate, load_scenario

    sc = load_scenario(SCENARIOS / "concentrate_kela_offices.yaml")
    res, applied = evaluate(study, sc, baseline)
    return res, applied, unit_changes(baseline, res)


@pytest.fixture(scope="module")
def scenario_page(study, kela_run):
    res, applied, changes = kela_run
    return self_contained(scenario_map(study, res, "kela", "fi", applied=applied, changes=changes,
                                       tiles=None))


def test_saved_map_has_no_external_script_or_stylesheet(study, baseline, tmp_path):
    path = save_map(scenario_map(study, baseline, "social_any", "fi"), tmp_path / "map.html")
    page = path.read_text(encoding="utf-8")
    assert external_assets(page) == []
    assert external_references(page) == []
    assert "L.map(" in page and 'window.L=' in page.replace(" ", "")  # Leaflet itself is inlined
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert "sourceMappingURL" not in page
    assert path.stat().st_size < 2_000_000


def test_parser_catches_external_assets():
    page = ('<html><head><script src="https://cdn.example.org/x.js"></script>'
            '<link rel="stylesheet" href="//cdn.example.org/x.css"><style>@import url("https://f.org/a.css");'
            "</style></head></html>")
    assert len(external_assets(page)) == 3
    assert len(external_references(page)) == 3


def test_unknown_external_asset_or_jquery_popup_is_refused(study, baseline):
    import folium
    from folium.plugins import MiniMap

    m = scenario_map(study, baseline, "kela", "fi", tiles=None)
    MiniMap().add_to(m)  # a plugin that loads its own script from a CDN
    with pytest.raises(ValueError, match="cannot inline"):
        self_contained(m)
    m = folium.Map(tiles=None)
    folium.Marker([60.2, 24.9], popup="folium's own popup needs jQuery").add_to(m)
    with pytest.raises(ValueError, match="jQuery"):
        self_contained(m)


def test_no_tiles_map_stays_readable(scenario_page):
    assert "tile.openstreetmap.org" not in scenario_page
    for layer in ("Municipal borders", "Service areas", "Municipality names", "Travel time",
                  "Minutes gained (blue) / lost (red)"):
        assert f'"{layer}"' in scenario_page or f"{layer}" in scenario_page, layer
    assert "body .leaflet-container{background:" in scenario_page  # a sea-like background, not blank grey
    assert has(scenario_page, "Järvenpää") and has(scenario_page, "Raasepori")  # name labels


def test_title_block_names_scenario_need_model_and_years(scenario_page):
    title = re.search(r'<div id="planner-title".*?</div></div>', scenario_page, re.S).group(0)
    assert "Kela office — Finnish and other languages" in title
    assert "Scenario: Concentrate Kela offices in five towns" in title
    assert "straight-line estimate" in title and "fitted per distance band" in title
    assert "Population data year 2022" in title
    # the estimate's cross-validated p90 error per distance band, from the shipped parameters
    from planner.traveltime.estimate import load_params

    bands = load_params("drive").error_p90_min
    assert "Estimate error (p90, cross-validated) at this distance:" in title
    assert f"0-2 km ±{bands[0]:.1f}" in title and f"20-35 km ±{bands[4]:.1f} min" in title
    assert "beyond 35 km (extrapolated): not measured" in title  # issue 24


def test_car_map_has_no_21_minute_floor(study, baseline):
    """Issue 10: every resident used to be 'at least 21 min by car'. Residents beside a Kela office
    (trips under 2 km: about 7-12 min by the fitted curve) now fall in the first colour band."""
    acc = baseline.access
    kela = acc[(acc["need"] == "kela") & (acc["group"] == "fi") & acc["located"]]
    assert study.provenance["mode"] == "drive"
    assert kela.loc[kela["time_min"] <= 15, "population"].sum() > 0
    assert (kela["time_min"] < 21).any()
    # issue 24: measured error where the trip lies in the calibration range, none beyond it
    assert kela.loc[~kela["extrapolated"], "time_error_p90_min"].notna().all()
    assert kela.loc[kela["extrapolated"], "time_error_p90_min"].isna().all()


def test_legend_has_seven_categories_bands_and_scenario_marks(scenario_page):
    legend = re.search(r'<div id="planner-legend".*?</details></div>', scenario_page, re.S).group(0)
    for c in CATEGORIES.values():
        assert c.label_en in legend
    for _, label, colour in BANDS:
        assert label in legend and colour in legend
    assert "Closed in the scenario" in legend and "Opened in the scenario" in legend
    assert "lost access" in legend


def test_markers_are_distinct_and_colour_blind_safe():
    shapes = {c.marker for c in CATEGORIES.values()}
    colours = {c.colour for c in CATEGORIES.values()}
    assert len(shapes) == len(colours) == len(CATEGORIES) == 7
    assert {_SHAPES[s] for s in shapes}.__len__() == 7
    okabe_ito = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert colours <= okabe_ito
    assert "<line" in marker_svg("kela", state="closed") and "<line" not in marker_svg("kela")
    assert 'stroke-width="3"' in marker_svg("kela", state="opened")


def test_popups_name_category_precision_and_residents(study, baseline, scenario_page):
    page = scenario_page
    assert has(page, "Kela palvelupiste Tikkurila")
    assert has(page, "Location precision:")
    assert has(page, "Nearest point for these residents")
    # Tikkurila keeps the residents of the offices merged into it
    load = baseline.load
    before = int(load[(load["id"] == "kela_vantaa_tikkurila") & (load["need"] == "kela")]["residents"].sum())
    assert not has(page, f"{before:,}".replace(",", "\u202f"))  # it now serves more than before
    assert has(page, "CLOSED in the scenario") and has(page, "OPENED in the scenario")
    assert has(page, "its clients move to Kela palvelupiste Tikkurila")


def test_closed_and_opened_points_are_marked(study, kela_run):
    res, applied, changes = kela_run
    m = scenario_map(study, res, "kela", "fi", applied=applied, changes=changes, tiles=None)
    page = m.get_root().render()
    closed = [p for p, s in applied.state.items() if s == "closed"]
    assert len(closed) == 3  # Kerava and the IHH desk merged away, Iso Omena closed (issue 23)
    feats = re.findall(r'"title": "([^"]+)"', page)
    names = study.all_points.set_index("id")["name"]
    for pid in closed:
        assert json.dumps(names[pid])[1:-1] in feats
    assert has(page, "Joint Kela and social-services point, Nurm")


def test_change_layer_colours_losers_and_winners(study, kela_run):
    from planner.outputs.maps import _select_change, change_colour

    _, _, changes = kela_run
    sel = _select_change(changes, "kela", "fi")
    assert (sel["delta_min"] > 0).any()
    assert change_colour(25) == "#b2182b" and change_colour(-25) == "#2166ac"
    assert change_colour(np.inf) != change_colour(-np.inf)
    both = _select_change(changes, "kela", "all")
    assert set(both["unit_id"]) <= set(sel["unit_id"])  # units without residents left out


def test_group_all_is_population_weighted(study, baseline):
    from planner.outputs.maps import _unit_values

    names = study.points.set_index("id")["name"]
    v = _unit_values(study.units, baseline.access, "kela", "all", names)
    fi = _unit_values(study.units, baseline.access, "kela", "fi", names)
    sv = _unit_values(study.units, baseline.access, "kela", "sv", names)
    u = study.units.set_index("unit_id")
    k = u.index[0]
    expected = (fi.loc[k, "time_min"] * u.loc[k, "pop_fi"] + sv.loc[k, "time_min"] * u.loc[k, "pop_sv"]) \
        / (u.loc[k, "pop_fi"] + u.loc[k, "pop_sv"])
    assert v.loc[k, "time_min"] == pytest.approx(expected)
    assert v.loc[k, "residents"] == u.loc[k, "pop_total"]


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_map_in_finnish_and_swedish(study, baseline, lang):
    page = scenario_map(study, baseline, "kela", "sv", tiles=None, lang=lang).get_root().render()
    assert has(page, need_label("kela", lang))
    assert has(page, t("map.borders", lang)) and has(page, category_label("kela", lang))
    if lang == "sv":
        assert has(page, "Raseborg")  # Swedish municipality names on the Swedish map


def test_band_of():
    assert band_of(10)[1] == BANDS[0][2]
    assert band_of(30)[0] == "15–30 min"
    assert band_of(np.inf)[0] == "no reachable point"
    assert band_of(float("nan"), "fi")[0] == "ei saavutettavaa pistettä"


def test_offline_assets_for_streamlit(study, baseline):
    m = offline_assets(scenario_map(study, baseline, "kela", "fi", compact=True))
    assert m.default_js[0][1].startswith("data:text/javascript;base64,")
    assert m.default_css[0][1].startswith("data:text/css;base64,")
    assert external_assets(self_contained(m)) == []


# ---------------------------------------------------------------- `planner map`


@pytest.fixture(scope="module")
def cli():
    app = typer.Typer()
    from planner.cli.map import map_command

    app.command("map")(map_command)
    app.command("noop")(lambda: None)  # keep `map` a named subcommand
    return app


def test_map_command_baseline_no_tiles(cli, tmp_path):
    out = tmp_path / "baseline.html"
    result = CliRunner().invoke(cli, ["map", "--out", str(out), "--no-tiles", "--need", "kela"])
    assert result.exit_code == 0, result.output
    assert "straight-line estimate" in result.output and "self-contained" in result.output
    page = out.read_text(encoding="utf-8")
    assert external_assets(page) == [] and "tile.openstreetmap.org" not in page
    assert "Scenario: baseline" in page


def test_map_command_scenario_in_swedish(cli, tmp_path):
    out = tmp_path / "sc.html"
    result = CliRunner().invoke(cli, ["map", str(SCENARIOS / "ita_uusimaa_two_hubs.yaml"), "--out", str(out),
                                      "--group", "sv", "--lang", "sv"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert external_assets(page) == []
    assert has(page, "Scenario: Itä-Uusimaa: two social-service hubs")
    assert has(page, "Stängs i scenariot") and has(page, "Svenskspråkiga")
    assert "tile.openstreetmap.org" in page  # tiles by default (optional online part)


def test_map_command_errors(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchanges:\n  - close: no_such_point\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["map", str(bad), "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "no_such_point" in result.output
    result = CliRunner().invoke(cli, ["map", "--need", "dentist", "--out", str(tmp_path / "x.html")])
    said = " ".join(result.output.replace("│", " ").split())  # Click's choice error, unboxed
    assert result.exit_code == 2 and "Invalid value for '--need': " in said and "'dentist'" in said


# ---------------------------------------------------------------- interface strings


def test_every_string_in_three_languages_with_the_same_placeholders():
    fields = string.Formatter()
    for key, texts in STRINGS.items():
        assert len(texts) == len(LANGS) and all(texts), key
        names = [{f for _, f, _, _ in fields.parse(x) if f} for x in texts]
        assert names[0] == names[1] == names[2], key


def test_need_labels_match_categories_module():
    for code, need in NEEDS.items():
        assert need_label(code, "en") == need.label_en


def test_t_falls_back_and_fails_loudly():
    assert t("nav.overview", "de") == "Overview"
    assert t("ov.by_area", "sv", need="X") == "X: per serviceområde"
    with pytest.raises(KeyError):
        t("no.such.key")


def test_tables_of_the_maps_module_are_consistent():
    assert pd.Series([b[0] for b in BANDS]).is_monotonic_increasing


def test_straight_line_title_has_no_osm_date(study, baseline):
    from planner.outputs.maps import accessibility_map

    m = accessibility_map(study.units, baseline.access, study.points, baseline.provenance, tiles=None)
    html = m.get_root().render()
    assert "straight-line estimate" in html and "OpenStreetMap data of" not in html


def test_live_layers_hold_what_a_scenario_changes_and_the_frame_the_rest(study, baseline, kela_run):
    """The app's map: the frame (borders, labels, style) is the same for the baseline and any
    scenario, so a scenario change swaps only the live groups; the travel-time layer, which a
    scenario hides behind its change layer, is listed as hidden; the closed/opened marks and the
    scenario's legend travel with the live groups, not with the frame."""
    from streamlit_folium import generate_js_hash

    from planner.outputs.maps import LiveLayers, _SvgPoints

    res, applied, changes = kela_run
    live_b, live_s = LiveLayers(), LiveLayers()
    frame_b = scenario_map(study, baseline, "kela", "fi", tiles=None, live=live_b)
    frame_s = scenario_map(study, res, "kela", "fi", applied=applied, changes=changes, tiles=None,
                           live=live_s)
    # the frame draws no area or point layer and no layer control of its own ...
    for frame in (frame_b, frame_s):
        kinds = [type(c).__name__ for c in frame._children.values()]
        assert "LayerControl" not in kinds and "FeatureGroup" not in kinds
        marks = [c for c in frame._children.values() if isinstance(c, _SvgPoints)]
        assert [c.class_name for c in marks] == ["planner-label"]  # only the municipality names
    # ... and is the same script for both, which is what keeps streamlit-folium's map in place
    from streamlit_folium import _get_map_string as map_string

    assert generate_js_hash(map_string(frame_b), "k") == generate_js_hash(map_string(frame_s), "k")
    names_b = [fg.layer_name for fg in live_b.layers]
    names_s = [fg.layer_name for fg in live_s.layers]
    assert names_b[0] == t("map.travel_time", "en") and live_b.hidden == []
    assert names_s[:2] == [t("map.travel_time", "en"), t("map.change_layer", "en")]
    assert live_s.hidden == [0]  # the scenario shows the change layer, the minutes layer is off
    assert t("map.closed_layer", "en") in names_s and t("map.closed_layer", "en") not in names_b
    assert "Closed in the scenario" in live_s.html["planner-legend"]
    assert "Closed in the scenario" not in live_b.html["planner-legend"]
    groups = live_s.groups()
    assert len(groups) == len(live_s.layers) + 1  # the last one swaps title, legend, hidden layers
    finish = next(iter(groups[-1]._children.values()))
    script = finish._template.module.script(finish)
    assert "feature_group_feature_group_0]" in script.replace(" ", "").replace("\n", "")
    assert '"planner-title"' in script and "Concentrate Kela offices in five towns" in script


def test_live_layers_without_a_frame_are_the_same_layers(study, kela_run):
    """``frame=False`` (the app's scenario builds) leaves out only the frame: the live groups,
    hidden list and title/legend HTML are those of a full build, and no border is drawn."""
    from streamlit_folium import _get_feature_group_string

    from planner.outputs.maps import LiveLayers

    res, applied, changes = kela_run
    full, bare = LiveLayers(), LiveLayers()
    m_full = scenario_map(study, res, "kela", "fi", applied=applied, changes=changes, tiles=None, live=full)
    m_bare = scenario_map(study, res, "kela", "fi", applied=applied, changes=changes, tiles=None, live=bare,
                          frame=False)
    assert [fg.layer_name for fg in bare.layers] == [fg.layer_name for fg in full.layers]
    assert bare.hidden == full.hidden and bare.html == full.html

    def scripts(live):
        import folium

        holder = folium.Map()
        return [_get_feature_group_string(fg, holder, i) for i, fg in enumerate(live.groups())]

    assert scripts(bare) == scripts(full)
    borders = t("map.borders", "en")
    assert any(getattr(c, "layer_name", None) == borders for c in m_full._children.values())
    assert not any(getattr(c, "layer_name", None) == borders for c in m_bare._children.values())
    with pytest.raises(ValueError, match="give live"):
        scenario_map(study, res, "kela", "fi", frame=False)


def test_feature_collection_keeps_values_and_writes_missing_as_null():
    """Two hand-made areas: properties as given (text stays as escaped by the caller), NaN and
    None become JSON null, the geometry is the polygon's GeoJSON, ids follow the index."""
    import geopandas as gpd
    from shapely.geometry import Polygon

    from planner.outputs.maps import feature_collection

    gdf = gpd.GeoDataFrame({"name": ["A &amp; B", None], "time": [12.5, np.nan], "n": [3, 4]},
                           geometry=[Polygon([(24, 60), (25, 60), (25, 61)]), None],
                           index=[7, 9], crs="EPSG:4326")
    fc = feature_collection(gdf)
    assert fc["type"] == "FeatureCollection"
    a, b = fc["features"]
    assert a == {"id": "7", "type": "Feature", "properties": {"name": "A &amp; B", "time": 12.5, "n": 3},
                 "geometry": {"type": "Polygon",
                              "coordinates": [[[24.0, 60.0], [25.0, 60.0], [25.0, 61.0], [24.0, 60.0]]]}}
    assert b == {"id": "9", "type": "Feature", "properties": {"name": None, "time": None, "n": 4},
                 "geometry": None}
    json.dumps(fc, allow_nan=False)  # valid JSON: no NaN left
