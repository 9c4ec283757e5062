"""The smaller output modules at their boundaries (issue 28): the points-diff map on a
hand-made diff (where each kind of change stands, the move's line, the counts in its title, the
frame), and the side-by-side page written atomically."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

NAN = np.nan


def _diff() -> pd.DataFrame:
    rows = [
        # id, name, change, detail, cat old, cat new, lon old, lat old, lon new, lat new, distance
        ("a1", "Added <one>", "added", "new", "", "kela", NAN, NAN, 24.9, 60.2, NAN),
        ("r1", "Removed", "removed", "gone", "kela", "", 25.0, 60.3, NAN, NAN, NAN),
        ("m1", "Moved", "moved", "1200 m", "kela", "kela", 24.5, 60.1, 24.52, 60.11, 1200.0),
        ("c1", "Recat", "recategorised", "kela -> fi_walkin", "kela", "fi_walkin",
         24.7, 60.4, 24.7, 60.4, 0.0),
        ("x1", "Unknown cat", "added", "new", "", "no_such_category", NAN, NAN, 24.8, 60.25, NAN),
    ]
    return pd.DataFrame(rows, columns=["id", "name", "change", "detail", "category_old", "category_new",
                                       "lon_old", "lat_old", "lon_new", "lat_new", "distance_m"])


def _layers(page: str) -> list[dict]:
    dec = json.JSONDecoder()
    return [dec.raw_decode(page, m.end())[0] for m in re.finditer(r"_geo = L\.geoJSON\(", page)]


def test_diff_map_places_each_change_and_counts_them_in_its_title():
    from planner.outputs.points_diff import diff_map

    page = diff_map(_diff(), "old.csv", "new <b>.csv", 50, tiles=None).get_root().render()
    feats = [f for fc in _layers(page) for f in fc["features"]]
    where = {(f["properties"]["state"], tuple(f["geometry"]["coordinates"])) for f in feats}
    # added at its new site, removed at its old one, moved: old site (hollow) and new site
    assert where == {("opened", (24.9, 60.2)), ("closed", (25.0, 60.3)), ("open", (24.5, 60.1)),
                     ("open", (24.52, 60.11)), ("open", (24.7, 60.4))}
    hollow = [f for f in feats if f["geometry"]["coordinates"] == [24.5, 60.1]]
    assert 'stroke-dasharray="3 2"' in hollow[0]["properties"]["svg"]
    assert "old site: Moved" in hollow[0]["properties"]["tooltip"]
    recat = [f for f in feats if f["geometry"]["coordinates"] == [24.7, 60.4]][0]["properties"]["popup"]
    assert "category: kela → fi_walkin" in recat and "id: c1" in recat
    moved = [f for f in feats if f["geometry"]["coordinates"] == [24.52, 60.11]][0]["properties"]["popup"]
    assert "category:" not in moved                     # the same category: no line for it
    # the move's line from the old site to the new, red and dashed
    assert re.search(r"L\.polyline\(\s*\[\[60\.1, 24\.5\], \[60\.11, 24\.52\]\]", page)
    opts = re.search(r"L\.polyline\(\s*\[\[60\.1, 24\.5\].*?(\{.*?\})\s*\)", page, re.DOTALL).group(1)
    assert '"color": "#d7191c"' in opts and '"weight": 2' in opts and '"dashArray": "4 3"' in opts
    # layer names count the rows of each kind (the unknown category's row too)
    names = re.findall(r'"((?:Added|Removed|Moved|Recategorised) \(\d+\))"', page)
    assert sorted(set(names)) == ["Added (2)", "Moved (1)", "Recategorised (1)", "Removed (1)"]
    title = re.search(r'<div id="planner-title".*?</details></div>', page, re.DOTALL).group(0)
    assert "Service points: old.csv → new &lt;b&gt;.csv" in title
    assert ("added 2; removed 1; moved 1; recategorised 1; re-dated 0; target group changed 0") in title
    assert "moved = more than 50 m apart (EPSG:3067); a hollow marker is the old site" in title
    fit = re.search(r"fitBounds\(\s*(\[\[.*?\]\]),\s*(\{.*?\})", page, re.DOTALL)
    assert json.loads(fit.group(1)) == [[60.1, 24.5], [60.4, 25.0]]
    assert json.loads(fit.group(2)) == {"maxZoom": 14, "paddingBottomRight": [20, 30],
                                        "paddingTopLeft": [20, 100]}
    assert "body .planner-icon{background:none;border:none}" in page
    assert "tile.openstreetmap.org" not in page


def test_an_empty_diff_frames_uusimaa_and_tiles_are_named():
    from planner.outputs.points_diff import diff_map

    page = diff_map(_diff().head(0), "a", "b", 25.5).get_root().render()
    assert json.loads(re.search(r"fitBounds\(\s*(\[\[.*?\]\])", page, re.DOTALL).group(1)) == \
        [[59.8, 23.0], [60.8, 26.6]]
    assert "tile.openstreetmap.org" in page and "Base map" in page
    assert "more than 25.5 m apart" in page


def test_side_by_side_page_is_written_whole_as_utf8(tmp_path):
    from planner.outputs.sidebyside import save_side_by_side

    path = tmp_path / "sub" / "page.html"
    path.parent.mkdir()
    path.write_text("old", encoding="utf-8")
    out = save_side_by_side("<html>Träskända – ö</html>", path)
    assert out == path and path.read_bytes() == "<html>Träskända – ö</html>".encode()
    assert [p.name for p in path.parent.iterdir()] == ["page.html"]   # no temporary file left


def test_external_references_know_inline_data_fragments_and_non_stylesheet_links():
    from planner.outputs.html import external_references

    page = ('<script src="data:text/javascript;base64,AA"></script><script src="#x"></script>'
            '<script src="blob:abc"></script><link rel="icon" href="https://x.org/i.png">'
            '<link rel="stylesheet" href="data:text/css,a"><link href="https://x.org/s.css" rel="stylesheet">'
            '<style>@import "https://f.org/b.css";</style><script SRC="https://cdn.org/y.js"></script>')
    assert external_references(page) == ["https://cdn.org/y.js", "https://x.org/s.css", "https://f.org/b.css"]


def test_vendored_leaflet_and_plugins_carry_their_licences_and_no_source_map():
    from planner.outputs.html import PLUGIN_ASSETS, leaflet_css, leaflet_js, plugin_asset

    js = leaflet_js()
    assert js.startswith("/*! Leaflet licence (planner/assets/LICENSE-leaflet.txt):\n")
    assert "sourceMappingURL" not in js and js.count("*/") >= 1
    head = js[:js.index("*/") + 2]
    assert "*/" not in head[:-2]                          # the licence cannot end the comment early
    css = leaflet_css()
    assert "url(images/" not in css and "url(data:image/png;base64," in css
    for name, (_, licence) in PLUGIN_ASSETS.items():
        text = plugin_asset(name)
        assert "sourceMappingURL" not in text
        assert text.startswith(f"/*! licence (planner/assets/{licence}):\n") == bool(licence), name


def test_offline_assets_point_leaflet_at_data_uris_and_self_contained_refuses_jquery():
    import base64

    import folium
    import pytest

    from planner.outputs.html import leaflet_js, offline_assets, self_contained

    m = offline_assets(folium.Map(tiles=None))
    assert [n for n, _ in m.default_js] == ["leaflet"] and [n for n, _ in m.default_css] == ["leaflet_css"]
    data = m.default_js[0][1].removeprefix("data:text/javascript;base64,")
    assert base64.b64decode(data).decode("utf-8") == leaflet_js()
    bad = folium.Map(tiles=None)
    folium.Marker([60.2, 24.9], popup=folium.Popup("x")).add_to(bad)
    with pytest.raises(ValueError, match="jQuery"):
        self_contained(bad)


def test_excel_workbook_names_itself_and_writes_no_infinity(tmp_path):
    import openpyxl

    from planner.outputs.attribution import licence_lines
    from planner.outputs.export import write_excel

    prov = {"model": "straight_line_estimate", "data_year": "2022"}
    long_name = "a_table_name_longer_than_excel_allows"
    table = pd.DataFrame({"time_min": [1.5, np.inf, -np.inf]})
    path = write_excel({long_name: table}, tmp_path / "x" / "r.xlsx", prov, scenario_text="name: s\n")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["metadata", long_name[:31]]
    assert wb.properties.title == "uusimaa-planner results" and wb.properties.creator == "uusimaa-planner"
    links = "; ".join(x.removeprefix("Licence ") for x in licence_lines(prov))
    assert wb.properties.keywords == "open data; modified; " + links
    assert [c.value for c in wb[long_name[:31]]["A"]] == ["time_min", 1.5, None, None]
    meta = {r[0].value: r[1].value for r in wb["metadata"].iter_rows(min_row=2)}
    assert meta["scenario_file"] == "name: s\n" and meta["data_year"] == "2022"
    no_text = write_excel({"t": pd.DataFrame({"a": [1]})}, tmp_path / "n.xlsx", prov)
    keys = {r[0].value for r in openpyxl.load_workbook(no_text)["metadata"].iter_rows()}
    assert "scenario_file" not in keys


def test_source_rules_always_never_contains_and_a_bad_rule(tmp_path):
    import pytest

    from planner.outputs.attribution import (
        Source,
        attribution_lines,
        attribution_markdown,
        attribution_text,
        licence_lines,
        modified_statement,
    )

    assert Source({}).used_by({}) is True                      # no rule: always
    assert Source({"used_when": " never "}).used_by({"x": "y"}) is False
    rule = Source({"used_when": "network_source contains OSM|pbf | "})
    assert rule.used_by({"network_source": "a Geofabrik .PBF extract"}) is True   # any text, any case
    assert rule.used_by({"network_source": "none"}) is False and rule.used_by({}) is False
    with pytest.raises(ValueError, match=r"source 'k': used_when 'sometimes' is not 'always', 'never'"):
        Source({"key": "k", "used_when": "sometimes"}).used_by({})
    (tmp_path / "sources.toml").write_text(
        'modified = "changed by us"\nmodified_fi = "muutettu"\n'
        '[[source]]\nkey = "a"\nattribution = "A credit"\nattribution_fi = "A-kiitos"\n'
        'licence = "CC BY 4.0"\n'
        'licence_url = "https://l/"\n'
        '[[source]]\nkey = "b"\nattribution = "A credit"\nlicence = "CC BY 4.0"\nlicence_url = "https://l/"\n'
        '[[source]]\nkey = "c"\nattribution = "OSM credit"\nused_when = "network_source contains osm"\n'
        'licence = "ODbL"\nlicence_url = "https://o/"\n'
        '[[source]]\nkey = "d"\nattribution = ""\nlicence = "X"\n', encoding="utf-8")
    assert attribution_lines({}, tmp_path) == ["A credit"]              # once, however many sources
    assert attribution_lines({}, tmp_path, lang="fi") == ["A-kiitos", "A credit"]
    assert attribution_lines({"network_source": "OSM"}, tmp_path) == ["A credit", "OSM credit"]
    assert licence_lines({"network_source": "osm"}, tmp_path) == ["CC BY 4.0: https://l/", "ODbL: https://o/"]
    assert modified_statement(tmp_path) == "changed by us"
    assert modified_statement(tmp_path, "fi") == "muutettu"
    assert modified_statement(tmp_path, "sv") == "changed by us"
    assert attribution_markdown({}, tmp_path) == (
        "# Data sources and licences\n\nThe files in this folder were made by uusimaa-planner from open data:"
        "\n\n- A credit\n\nchanged by us\n\nLicences:\n\n- CC BY 4.0: https://l/\n")
    assert attribution_text({"demand_units": "postal areas"}, sep=" | ").count(" | ") == \
        len(attribution_lines({"demand_units": "postal areas"})) - 1
