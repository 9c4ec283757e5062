"""The map's parts on hand-made cases worked out by hand (planner/outputs/maps.py, issue 28).

Bands and change colours at their edges, the population-weighted minutes of the ``all``
group (and the plain mean where nobody lives), the change per unit with lost / gained
access winning over minutes, markers (shape, colour, state), a site's ring of markers,
popups, the title block's provenance lines and the legend.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from planner.outputs import maps as M

KELA_SHAPE = '<polygon points="6,1 12,1 12,6 17,6 17,12 12,12 12,17 6,17 6,12 1,12 1,6 6,6"/>'
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" {a} viewBox="0 0 18 18">'


@pytest.mark.parametrize(("minutes", "band"), [
    (0, 0), (15, 0), (15.0001, 1), (30, 1), (30.5, 2), (45, 2), (45.01, 3), (60, 3), (60.01, 4), (600, 4)])
def test_a_band_holds_its_upper_edge(minutes, band):
    assert M.band_of(minutes) == (M.BANDS[band][1], M.BANDS[band][2])


def test_no_time_is_the_unreachable_band_in_the_language():
    for v in (None, np.inf, -np.inf, np.nan):
        assert M.band_of(v) == ("no reachable point", "#bdbdbd")
    assert M.band_of(None, "sv")[1] == "#bdbdbd" and M.band_of(None, "sv")[0] != "no reachable point"


@pytest.mark.parametrize(("delta", "colour"), [
    (-30, "#2166ac"), (-20, "#2166ac"), (-19.9, "#67a9cf"), (-10, "#67a9cf"), (-9.9, "#d1e5f0"),
    (-0.5, "#d1e5f0"), (-0.49, "#fddbc7"), (0, "#fddbc7"), (10, "#fddbc7"), (10.1, "#ef8a62"),
    (20, "#ef8a62"), (20.01, "#b2182b"), (np.inf, M.LOST_ACCESS), (-np.inf, M.GAINED_ACCESS)])
def test_change_colour_at_each_step_edge(delta, colour):
    assert M.change_colour(delta) == colour


def test_marker_svg_of_each_state():
    a = 'aria-hidden="true"'
    assert M.marker_svg("kela") == (
        SVG.format(s=18, a=a) + '<g fill="#009E73" fill-opacity="1.0" stroke="#000000" stroke-width="1.2">'
        + KELA_SHAPE + "</g></svg>")
    cross = ('<line x1="2" y1="2" x2="16" y2="16" stroke="#d7191c" stroke-width="3"/>'
             '<line x1="16" y1="2" x2="2" y2="16" stroke="#d7191c" stroke-width="3"/>')
    assert M.marker_svg("kela", 14, "closed", label="A <b>") == (
        SVG.format(s=14, a='role="img" aria-label="A &lt;b&gt;"')
        + '<g fill="#009E73" fill-opacity="0.45" stroke="#000000" stroke-width="1.2">' + KELA_SHAPE
        + "</g>" + cross + "</svg>")
    assert M.marker_svg("kela", state="opened") == (
        SVG.format(s=18, a=a) + '<g fill="#009E73" fill-opacity="1.0" stroke="#d7191c" stroke-width="3">'
        + KELA_SHAPE + "</g></svg>")
    assert M.marker_svg("kela", state="placeholder", label="P") == (
        SVG.format(s=18, a='role="img" aria-label="P"')
        + '<g fill="none" stroke="#009E73" stroke-width="2.5" stroke-dasharray="3 2">' + KELA_SHAPE
        + "</g></svg>")
    # a black marker gets a white rim, so it shows on a dark area
    from planner.inputs.categories import CATEGORIES

    black = [c for c, v in CATEGORIES.items() if v.colour == "#000000"]
    for c in black:
        assert 'stroke="#ffffff" stroke-width="1.2"' in M.marker_svg(c)


def test_ring_offsets_of_three_and_four_markers_and_the_tolerance():
    three = M.ring_offsets(np.array([0.0, 1.0, 2.0]), np.zeros(3))
    # r = max(13, 11 / sin(60°) = 12.7) = 13; at -90°, 30°, 150°
    assert three.tolist() == [[0.0, -13.0], [11.3, 6.5], [-11.3, 6.5]]
    four = M.ring_offsets(np.zeros(4), np.zeros(4))
    # r = 11 / sin(45°) = 15.56
    assert four.tolist() == [[0.0, -15.6], [15.6, 0.0], [0.0, 15.6], [-15.6, 0.0]]
    # a larger icon: (15 + 2) / sin(90°) = 17 px
    assert M.ring_offsets(np.zeros(2), np.zeros(2), icon_px=30).tolist() == [[0.0, -17.0], [0.0, 17.0]]
    # a group is the points within the tolerance of its first point (not a chain of neighbours)
    chain = M.ring_offsets(np.array([0.0, 25.0, 50.0]), np.zeros(3))
    assert chain.tolist() == [[0.0, -13.0], [0.0, 13.0], [0.0, 0.0]]
    assert M.ring_offsets(np.array([0.0, 40.0]), np.zeros(2), tolerance_m=50).tolist() == \
        [[0.0, -13.0], [0.0, 13.0]]
    assert M.ring_offsets(np.array([0.0, 40.0]), np.zeros(2)).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_a_ringed_marker_draws_a_leg_back_to_its_site():
    svg = M.marker_svg("kela")
    assert M._ringed(svg, 0, 0) is svg or M._ringed(svg, 0, 0) == svg
    out = M._ringed(svg, 3.0, -13.0)
    assert out.startswith('<svg style="overflow:visible" xmlns=')
    # the site is (9 - dx, 9 - dy) = (6, 22) in the icon's pixels
    assert ('<line x1="9.0" y1="9.0" x2="6.0" y2="22.0" stroke="#222" stroke-width="1.3"/>'
            '<circle cx="6.0" cy="22.0" r="2.6" fill="#222" stroke="#fff" stroke-width="0.8"/>') in out
    assert out.endswith(KELA_SHAPE + "</g></svg>")
    assert M._ringed(svg, 0.0, 5.0, size=30).count('x1="15.0" y1="15.0" x2="15.0" y2="10.0"') == 1


def test_point_feature_is_lon_lat_rounded_to_about_a_decimetre():
    f = M._point_feature(24.123456789, 60.987654321, "<svg/>", 18, 18, 9, 9)
    assert f["geometry"] == {"type": "Point", "coordinates": [24.123457, 60.987654]}
    assert f["properties"] == {"svg": "<svg/>", "w": 18, "h": 18, "ax": 9, "ay": 9, "popup": None,
                               "tooltip": None, "title": "", "state": "open"}


@pytest.mark.parametrize(("row", "proxy"), [
    ({"located": False}, True), ({"located": 0}, True), ({"located": True}, False),
    ({"proxy": True}, True), ({"proxy": False, "location_precision": "municipality"}, False),
    ({"proxy": np.nan, "location_precision": "municipality"}, True),
    ({"location_precision": "unknown"}, True), ({"location_precision": "address"}, False), ({}, False)])
def test_a_proxy_site_is_one_not_located_flagged_or_of_municipal_precision(row, proxy):
    assert M._is_proxy(pd.Series(row, dtype=object)) is proxy


def test_popup_lists_state_merge_mobile_visits_address_precision_and_served():
    p = pd.Series({"name": "A & <B>", "category": "kela", "address": "Katu 1",
                   "location_precision": "postal_area", "mobile_unit": "bus", "mobile_unit_name": "Bus <1>",
                   "schedule": "tue 09:00-12:00", "visits_per_week": 2.0, "wait_days": 1.234})
    popup = M._popup(p, {"kela": 1200, "social_any": 5}, "kela", "opened", "Other <x>", "en")
    assert popup.split("<br>") == [
        "<b>A &amp; &lt;B&gt;</b>", "Kela office", '<b style="color:#b2182b">OPENED in the scenario</b>',
        "its clients move to Other &lt;x&gt;", "Stop of the mobile unit Bus &lt;1&gt;",
        "Schedule: tue 09:00-12:00", "2 visit days a week; expected wait 1.23 days", "Katu 1",
        "Location precision: within its postal area",
        'Nearest point for these residents:<ul style="margin:2px 0 0 16px;padding:0">'
        "<li><b>Kela office: 1,200</b></li>"
        "<li>Adult social services incl. by appointment, in own language: 5</li></ul>"]
    fi = M._popup(p, {}, "kela", "open", None, "fi").split("<br>")
    # Finnish: the wait with a decimal comma; a point nobody has as nearest says so
    assert fi[3:] == ["Aikataulu: ti 09:00-12:00",
                      "2 käyntipäivää viikossa; odotus keskimäärin 1,23 päivää", "Katu 1",
                      "Sijainnin tarkkuus: postinumeroalueellaan", "ei kenenkään lähin piste"]
    closed = pd.Series({"name": "X", "category": "kela", "address": np.nan, "location_precision": "weird"})
    # a closed point serves nobody: no list; an unknown precision shown as written; no 'nan' address
    assert M._popup(closed, {"kela": 3}, "kela", "closed", None, "en").split("<br>") == [
        "<b>X</b>", "Kela office", '<b style="color:#b2182b">CLOSED in the scenario</b>',
        "Location precision: weird"]
    changed = M._popup(pd.Series({"name": "Y", "category": "kela"}), {}, "kela", "changed", None, "en")
    assert '<b style="color:#b2182b">CHANGED in the scenario</b>' in changed


def test_title_lines_say_scenario_model_year_error_and_the_notes():
    prov = {"scenario": "My sc", "mode": "drive", "network_source": "none (straight-line distance)",
            "model_parameters": "curve 1.5", "model": "straight_line_estimate", "data_year": "2022",
            "osm_date": "unknown", "time_error_p90_min": "0-2 km ±2.9", "pt_wait": "excludes x",
            "matrix_coverage": "cov", "network_date": "2022-12-31",
            "demand_weight": "unemployed (share 2016): x", "unlocated_points": "3 INCLUDED",
            "improved_by_exclusion": 1234}
    assert M._title_lines(prov, "kela", "sv", "en") == [
        "Kela office — Swedish speakers", "Scenario: My sc",
        "Note: the mean over those served improves only because 1,234 residents lost access",
        "Model: straight_line_estimate, car (curve 1.5)",
        "Population data year 2022; service points compiled from public web pages",
        "Estimate error (p90, cross-validated) at this distance: 0-2 km ±2.9",
        "Public transport: excludes x", "Imported matrix: cov",
        "network of 2022-12-31; weight: Unemployed (share of 2016); placeholders INCLUDED (hollow markers)"]
    assert M._title_lines({"network_source": "OSM Helsinki", "osm_date": "2023-01-01", "mode": "boat"},
                          "kela", "all", "en") == [
        "Kela office — Everyone (each in own language)", "Scenario: baseline",
        "Model: ?, boat (OSM Helsinki)",
        "Population data year ?; service points compiled from public web pages",
        "OpenStreetMap data of 2023-01-01",
        "Travel-time error: not measured (no routed reference times for this model here)"]
    one = M._title_lines({"improved_by_exclusion": 1}, "kela", "sv", "fi")  # one resident: the singular
    assert "Huom.: palvelun piirissä olevien keskiarvo paranee vain, koska 1 asukas menetti palvelun" in one
    # a weight without a translation is said as given; no network date: the line has the rest only
    lines = M._title_lines({"demand_weight": "my_column (2021)", "osm_date": "n/a"}, "kela", "fi", "en")
    assert lines[-1] == "weight: my_column" and not any("OpenStreetMap data" in x for x in lines)
    lines = M._title_lines({"unlocated_points": "3 excluded", "osm_date": ""}, "kela", "fi", "en")
    assert lines[-1].startswith("Travel-time error")         # no notes line at all


def test_credits_list_sources_modification_and_licence_links():
    html = M.credits_html({"model": "straight_line_estimate"}, open_=False)
    assert html.startswith('<div id="planner-credits" style="position:absolute;bottom:52px;left:10px;')
    assert '<details><summary style="cursor:pointer">© data</summary>' in html
    assert ('<div>CC BY 4.0: <a href="https://creativecommons.org/licenses/by/4.0/" target="_blank" '
            'rel="noopener">https://creativecommons.org/licenses/by/4.0/</a></div></details></div>') in html
    assert "<div>The data was modified: reduced to Uusimaa" in html
    assert "Tenkanen &amp; Toivonen 2020" in html               # escaped
    assert M.credits_html({}).count("<details open>") == 1
    assert ">© aineisto<" in M.credits_html({}, lang="fi") or "aineisto" in M.credits_html({}, lang="fi")


def test_legend_rows_counts_states_bands_and_change():
    from planner.inputs.categories import CATEGORIES

    cats = {c: i for i, c in enumerate(CATEGORIES)}
    html = M._legend_html(cats, "Travel time", "en", {"closed"}, change=False, open_=False,
                          element_id="lg", position="bottom:1px;right:2px")
    assert html.startswith('<div id="lg" style="position:absolute;bottom:1px;right:2px;z-index:999;')
    assert "max-width:330px;max-height:calc(100% - 150px);overflow:auto\"><details><summary" in html
    assert html.count("<svg") == len(CATEGORIES) + 1          # one per category and the closed mark
    assert "Closed in the scenario" in html and "Opened in the scenario" not in html
    for n in cats.values():
        assert f"({n})</span>" in html
    assert ('<div class="planner-legend-bands"><div style="font-weight:bold;margin-top:5px">'
            "Travel time</div>") in html
    for _, label, colour in M.BANDS:
        assert f"background:{colour};border:1px solid #555\"></span><span>{label}</span>" in html
    assert "background:#bdbdbd;" in html and "planner-legend-change" not in html
    both = M._legend_html(cats, None, "en", {"closed", "opened"}, change=True)
    assert "planner-legend-bands" not in both and '<div class="planner-legend-change">' in both
    assert both.count("<svg") == len(CATEGORIES) + 2 and "<details open>" in both
    for _, label, colour in M.CHANGE_STEPS:
        assert f"background:{colour};" in both and f"<span>{label}</span>" in both
    hidden = M._legend_html(cats, "T", "en", set(), change=True)
    assert '<div class="planner-legend-bands" style="display:none">' in hidden


def test_title_block_folds_all_but_its_first_line():
    html = M._title_html(["One <x>", "Two", "Three & four"], "tt", "7px", "50%", open_=False)
    assert html == ('<div id="tt" style="position:absolute;top:10px;left:7px;z-index:999;' + M._BOX
                    + ';max-width:50%"><details>'
                    '<summary style="cursor:pointer;font-size:14px;font-weight:bold">'
                    "One &lt;x&gt;</summary><div>Two<br>Three &amp; four</div></details></div>")
    assert M._title_html(["A"]).count("<details open>") == 1 and 'id="planner-title"' in M._title_html(["A"])


# --- the minutes of a unit ------------------------------------------------------------------------


def _units():
    return gpd.GeoDataFrame({"unit_id": ["U1", "U2", "U3", "U4"], "pop_fi": [100, 0, 0, 10],
                             "pop_sv": [300, 0, 50, 5], "located": True},
                            geometry=[Point(420_000 + i * 1000, 6_700_000).buffer(100) for i in range(4)],
                            crs=3067)


def _access():
    rows = [("U1", "fi", 10.0, 100, "P1", False), ("U1", "sv", 30.0, 300, "P2", True),
            ("U2", "fi", 10.0, 0, "P1", False), ("U2", "sv", 20.0, 0, "P1", False),
            ("U3", "fi", np.inf, 0, None, False), ("U3", "sv", 12.0, 50, "P2", False),
            ("U4", "fi", 5.0, 10, "P1", False), ("U4", "sv", np.inf, 5, None, False)]
    a = pd.DataFrame(rows, columns=["unit_id", "group", "time_min", "population", "point_id", "extrapolated"])
    other = a.assign(need="social_any", time_min=99.0)          # another need: never mixed in
    return pd.concat([a.assign(need="kela"), other], ignore_index=True)


NAMES = pd.Series({"P1": "Office one", "P2": "Kontor två"})


def test_all_group_minutes_are_population_weighted_plain_where_nobody_lives():
    v = M._unit_values(_units(), _access(), "kela", "all", NAMES)
    # U1: (100 x 10 + 300 x 30) / 400 = 25; U2: nobody lives there: (10 + 20) / 2 = 15;
    # U3: nobody Finnish-speaking, the Swedish speakers' 12; U4: 5 Swedish speakers with no point
    assert v.loc[["U1", "U2", "U3"], "time_min"].tolist() == [25.0, 15.0, 12.0]
    assert np.isposinf(v.loc["U4", "time_min"])
    assert v["residents"].tolist() == [400, 0, 50, 15]
    assert v.loc["U1", "nearest_name"] == "fi: Office one · sv: Kontor två"
    assert v.loc["U2", "nearest_name"] == "Office one"        # both groups share it: named once
    assert v.loc["U3", "nearest_name"] == "fi: – · sv: Kontor två"
    assert v.loc["U4", "nearest_name"] == "Office one"
    assert v["extrapolated"].tolist() == [True, False, False, False]


def test_one_group_minutes_are_that_groups_own():
    v = M._unit_values(_units(), _access(), "kela", "sv", NAMES)
    assert v["residents"].tolist() == [300, 0, 50, 5]
    assert v.loc[["U1", "U2", "U3"], "time_min"].tolist() == [30.0, 20.0, 12.0]
    assert v.loc["U2", "nearest_name"] == "Office one"
    assert v["extrapolated"].tolist() == [True, False, False, False]
    no_flag = M._unit_values(_units(), _access().drop(columns="extrapolated"), "kela", "fi", NAMES)
    assert not no_flag["extrapolated"].any() and no_flag.loc["U4", "time_min"] == 5.0


def test_change_per_unit_is_population_weighted_with_lost_access_first():
    ch = pd.DataFrame([
        ("A", "fi", 10.0, 100), ("A", "sv", -2.0, 300),              # (1000 - 600) / 400 = +1.0
        ("B", "fi", np.inf, 10), ("B", "sv", -5.0, 10),               # someone loses access
        ("C", "fi", 0.0, 10), ("C", "sv", -np.inf, 1),                # someone gains it
        ("D", "fi", np.inf, 5), ("D", "sv", -np.inf, 5),              # both: the loss is shown
        ("E", "fi", 50.0, 0), ("E", "sv", 4.0, 2)],                   # nobody Finnish-speaking there
        columns=["unit_id", "group", "delta_min", "population"]).assign(need="kela")
    ch = pd.concat([ch, ch.assign(need="social_any", delta_min=-1.0)], ignore_index=True)
    got = M._select_change(ch, "kela", "all").set_index("unit_id")["delta_min"]
    assert got["A"] == 1.0 and got["E"] == 4.0
    assert np.isposinf(got["B"]) and np.isneginf(got["C"]) and np.isposinf(got["D"])
    fi = M._select_change(ch, "kela", "fi")
    assert list(fi.columns) == ["unit_id", "delta_min"] and fi["delta_min"].tolist()[:1] == [10.0]
    assert len(fi) == 5                                              # one group: every unit, as given


def test_exclusion_is_said_only_where_lost_access_alone_improves_the_mean():
    """A's 100 residents keep their 10 min, B's 10 residents (20 min before) lose their point:
    the mean over those served drops from (100 x 10 + 10 x 20) / 110 = 10.9 to 10.0 min only
    because B's residents left it: the map's title says 10 residents."""
    ch = pd.DataFrame({"unit_id": ["A", "B"], "need": "kela", "group": "fi", "scenario": "s",
                       "located": True, "population": [100, 10], "time_before": [10.0, 20.0],
                       "time_after": [10.0, np.inf], "delta_min": [0.0, np.inf]})
    assert M.exclusion_of(ch, "kela", "fi") == 10
    assert M.exclusion_of(ch.assign(group="sv"), "kela", "sv") == 10
    assert M.exclusion_of(ch, "social_any", "fi") == 0         # no rows of that need
    assert M.exclusion_of(ch, "kela", "sv") == 0               # no rows of that group
    # nobody loses access: nothing to say, however the mean changes
    kept = ch.assign(time_after=[8.0, 20.0], delta_min=[-2.0, 0.0])
    assert M.exclusion_of(kept, "kela", "fi") == 0
    # B's residents lose access but the mean gets worse anyway (A: 10 -> 15 min): no note
    worse = ch.assign(time_after=[15.0, np.inf], delta_min=[5.0, np.inf])
    assert M.exclusion_of(worse, "kela", "fi") == 0


# --- the point layers of a hand-made map --------------------------------------------------------------


def _points_page(**kw):
    import json
    import re

    from planner.outputs.maps import accessibility_map

    units = _units().assign(name=["A", "B", "C", "D"], municipality="Porvoo", service_area="Itä-Uusimaa")
    pts = gpd.GeoDataFrame(
        {"id": ["P1", "P2", "P3", "P4"], "name": ["One", "Two <2>", "Three", "Four"],
         "category": ["kela", "kela", "fi_walkin", "kela"],
         "location_precision": ["address", "address", "municipality", "address"]},
        geometry=[Point(420_000 + x, 6_700_000) for x in (0, 5, 3000, 2000)], crs=3067)
    load = pd.DataFrame({"id": ["P1", "P1", "P1", "P2"], "need": ["social_any", "kela", "kela", "kela"],
                         "residents": [7, 100, 23, 5]})
    m = accessibility_map(units, _access(), pts, {"scenario": "s"}, need="kela", group="all", tiles=None,
                          load=load, **kw)
    page = m.get_root().render()
    dec = json.JSONDecoder()
    layers = {}
    for mt in re.finditer(r"var (\w+)_geo = L\.geoJSON\(", page):
        data = dec.raw_decode(page, mt.end())[0]
        layers[mt.group(1)] = data["features"]
    names = dict(re.findall(r'"([^"]+)"\s*:\s*(\w+),', page))
    return page, {n: layers[v] for n, v in names.items() if v in layers}


def test_point_layers_ring_a_shared_site_and_draw_a_proxy_hollow():
    page, layers = _points_page(point_state={"P4": "closed"})
    assert set(layers) == {"Points: Kela office", "Points: Finnish-language service point",
                           "Closed in the scenario"}
    kela = {f["properties"]["title"]: f["properties"] for f in layers["Points: Kela office"]}
    # P1 and P2 are 5 m apart: one site, a ring of two (0, -13) and (0, +13) px; anchors 9 - offset
    assert (kela["One"]["w"], kela["One"]["h"], kela["One"]["ax"], kela["One"]["ay"]) == (18, 18, 9.0, 22.0)
    assert (kela["Two &lt;2&gt;"]["ax"], kela["Two &lt;2&gt;"]["ay"]) == (9.0, -4.0)
    assert kela["One"]["svg"].startswith('<svg style="overflow:visible"')
    assert kela["One"]["tooltip"] == "One (Kela office)" and kela["One"]["state"] == "open"
    # the residents it serves, per need in the needs' order, summed over rows
    assert ("<li><b>Kela office: 123</b></li>"
            "<li>Adult social services incl. by appointment, in own language: 7") in kela["One"]["popup"]
    (proxy,) = layers["Points: Finnish-language service point"]
    p = proxy["properties"]
    assert p["tooltip"] == ("Three (Finnish-language service point) — site unknown: drawn at its municipal "
                            "centre (proxy)")
    assert 'stroke-dasharray="3 2"' in p["svg"] and p["state"] == "open"
    assert (p["ax"], p["ay"]) == (9, 9)                     # alone: no ring
    (closed,) = layers["Closed in the scenario"]
    assert closed["properties"]["state"] == "closed" and "<line" in closed["properties"]["svg"]
    # the legend counts the open points only: 2 Kela, 1 Finnish walk-in
    assert "Kela office (2)</span>" in page and "Finnish-language service point (1)</span>" in page


def test_clustered_points_keep_their_sites_and_join_one_cluster_group():
    import json
    import re

    page, layers = _points_page(cluster_points=True)
    kela = {f["properties"]["title"]: f["properties"] for f in layers["Points: Kela office"]}
    assert (kela["One"]["ax"], kela["One"]["ay"]) == (9, 9) and not kela["One"]["svg"].startswith(
        '<svg style="overflow:visible"')                      # no ring: the cluster spreads them
    raw = re.search(r"L\.markerClusterGroup\(\s*(\{.*?\})\s*\)", page, re.DOTALL).group(1)
    assert json.loads(re.sub(r",\s*}", "}", raw)) == M.CLUSTER_OPTIONS
    assert "options.iconCreateFunction =" in page
    assert "map.options.maxZoom = 18" in page
