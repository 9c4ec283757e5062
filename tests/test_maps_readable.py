"""Maps that can be read (issue 13 item 3): points on one coordinate spread apart (a ring by
default, or a spiderfying marker cluster), one area palette at a time (sequential minutes,
diverging change), a collapsible title block; the vendored plugin scripts keep the page offline.
The browser tests measure where the markers of one site land."""

from __future__ import annotations

import colorsys
import re
from pathlib import Path

import pytest

from planner.outputs.html import PLUGIN_ASSETS, external_references, offline_assets, self_contained
from planner.outputs.maps import BANDS, CHANGE_STEPS, scenario_map

CHROMIUM = Path("/usr/bin/chromium")
# three points of the bundled data on one coordinate: Jorvi hospital, Espoo
JORVI = ("asp_fi_espoo_jorvi_sosiaalipaivystys", "asp_sv_espoo_jorvi_socialjour", "vok_espoo_ylamyllyntie")
CLOSED = "asp_sv_espoo_jorvi_socialjour"
# issue 23: the Ylämyllyntie reception centre is evidenced from 2024 (valid_from 2024-01-01), so
# this module maps the network of a 2024 day, when all three stand on the Jorvi coordinate; the
# crisis desks serve emergencies (target_group), counted here so that closing one changes minutes
DAY = "2024-06-01"


@pytest.fixture(scope="module")
def study():
    import warnings

    from planner.analysis.study import load_study
    from planner.errors import PlannerWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        return load_study(date=DAY, include_target_groups=True)


@pytest.fixture(scope="module")
def baseline(study):
    from planner.analysis.study import evaluate_points

    return evaluate_points(study)


@pytest.fixture(scope="module")
def jorvi_run(study, baseline):
    from planner.analysis.comparison import unit_changes
    from planner.analysis.scenario import evaluate, parse_scenario

    sc = parse_scenario({"name": "Close the Swedish crisis desk at Jorvi", "changes": [{"close": CLOSED}]})
    res, applied = evaluate(study, sc, baseline)
    return res, applied, unit_changes(baseline, res)


@pytest.fixture(scope="module")
def jorvi_map(study, jorvi_run):
    res, applied, changes = jorvi_run
    return scenario_map(study, res, "social_any", "sv", applied=applied, changes=changes, tiles=None,
                        cluster_points=True)


@pytest.fixture(scope="module")
def ring_page(study, jorvi_run):
    res, applied, changes = jorvi_run
    return self_contained(scenario_map(study, res, "social_any", "sv", applied=applied, changes=changes,
                                       tiles=None))


@pytest.fixture(scope="module")
def jorvi_page(jorvi_map):
    return self_contained(jorvi_map)


def test_the_case_is_coincident(study):
    pts = study.points.set_index("id").loc[list(JORVI)]
    assert pts.geometry.x.nunique() == 1 and pts.geometry.y.nunique() == 1


def test_ring_offsets_hand_worked():
    import numpy as np

    from planner.outputs.maps import ring_offsets

    # three points within 30 m (one site), one 31 m away from the first (a site of its own)
    off = ring_offsets(np.array([0.0, 10.0, 0.0, 31.0]), np.array([0.0, 0.0, 29.9, 0.0]))
    assert off[3].tolist() == [0.0, 0.0]
    site = off[:3]
    radius = np.hypot(site[:, 0], site[:, 1])
    assert np.allclose(radius, radius[0], atol=0.1) and radius[0] >= 13
    gaps = [np.hypot(*(site[i] - site[j])) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) >= 18 + 3  # 18 px markers never touch
    assert site[0].tolist() == [0.0, -radius[0]]  # the first one on top


def test_default_map_puts_one_site_on_a_ring_each_point_its_own_marker(study, jorvi_run, ring_page):
    from planner.outputs.maps import _SvgPoints

    res, applied, changes = jorvi_run
    m = scenario_map(study, res, "social_any", "sv", applied=applied, changes=changes, tiles=None)
    feats = [f for c in m._children.values()
             if isinstance(c, _SvgPoints) and c.cluster == "" and c.class_name == "planner-icon"
             for f in c.data["features"]]
    assert len(feats) == len(study.points)  # the closed one too: every point its own marker
    names = set(study.points.set_index("id").loc[list(JORVI), "name"])
    jorvi = [f["properties"] for f in feats if f["properties"]["title"] in names]
    anchors = {(p["ax"], p["ay"]) for p in jorvi}
    assert len(jorvi) == 3 and len(anchors) == 3 and (9, 9) not in anchors
    assert all('style="overflow:visible"' in p["svg"] and "<line" in p["svg"] for p in jorvi)
    assert "markerClusterGroup" not in ring_page


def test_every_point_marker_joins_one_spiderfying_cluster_group(jorvi_map, jorvi_page):
    from folium.plugins import MarkerCluster

    clusters = [c for c in jorvi_map._children.values() if isinstance(c, MarkerCluster)]
    assert len(clusters) == 1
    opts = clusters[0].options
    assert opts["spiderfyOnMaxZoom"] is True and opts["maxClusterRadius"] <= 20
    name = clusters[0].get_name()
    # the closed layer and every category layer hand their markers to that group
    handles = re.findall(r"\}\)\((\w+), (\w+)_geo\.getLayers\(\), (\w+)\);", jorvi_page)
    assert len(handles) >= 4 and {h[2] for h in handles} == {name}
    assert "Closed in the scenario" in jorvi_page
    # the closed marker is one of the cluster's markers, flagged so the cluster icon shows it
    assert '"state": "closed"' in jorvi_page and "planner-cluster-marked" in jorvi_page


def test_plugins_are_inlined_not_fetched(jorvi_page):
    assert external_references(jorvi_page) == []
    assert "cdnjs.cloudflare.com" not in jorvi_page and "markercluster/1.1.0" not in jorvi_page
    assert "L.MarkerClusterGroup" in jorvi_page or "MarkerClusterGroup=" in jorvi_page
    assert "LICENSE-leaflet.markercluster.txt" in jorvi_page
    assert "sourceMappingURL" not in jorvi_page


def test_offline_assets_carry_the_cluster_plugin_for_the_app(study, jorvi_run):
    res, applied, changes = jorvi_run
    m = offline_assets(scenario_map(study, res, "social_any", "sv", applied=applied, compact=True,
                                    cluster_points=True))
    names = [n for n, _ in m.default_js] + [n for n, _ in m.default_css]
    assert {"leaflet", "markerclusterjs", "markerclustercss"} <= set(names)
    assert all(u.startswith("data:") for _, u in m.default_js + m.default_css)
    assert set(PLUGIN_ASSETS) >= {"markerclusterjs", "Leaflet.Sync"}


def _hue_saturation(colour: str) -> tuple[float, float]:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    return h * 360, s


def test_travel_time_is_sequential_and_never_the_blue_or_red_of_change():
    lightness = [colorsys.rgb_to_hls(*(int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)))[1]
                 for _, _, c in BANDS]
    assert lightness == sorted(lightness)  # one hue family, light = far: sequential
    for _, _, colour in BANDS:
        hue, sat = _hue_saturation(colour)
        assert 50 <= hue <= 160, colour  # yellow-green, neither blue (gains) nor red (losses)
    gains = [c for up, _, c in CHANGE_STEPS if up < 0]
    losses = [c for up, _, c in CHANGE_STEPS if up > 0]
    assert all(190 <= _hue_saturation(c)[0] <= 260 for c in gains)
    assert all(_hue_saturation(c)[0] <= 30 or _hue_saturation(c)[0] >= 330 for c in losses)


def test_change_layer_replaces_travel_time_by_default(study, baseline, jorvi_map):
    from folium import GeoJson

    def shown(m):
        return {c.layer_name: c.show for c in m._children.values() if isinstance(c, GeoJson)}

    layers = shown(jorvi_map)
    assert layers["Travel time"] is False and layers["Minutes gained (blue) / lost (red)"] is True
    assert shown(scenario_map(study, baseline, "social_any", "sv", tiles=None))["Travel time"] is True


def test_legend_shows_the_key_of_the_visible_layer_only(ring_page):
    jorvi_page = ring_page
    legend = re.search(r'<div id="planner-legend".*?</details></div>', jorvi_page, re.S).group(0)
    assert '<div class="planner-legend-bands" style="display:none">' in legend
    assert '<div class="planner-legend-change">' in legend
    assert 'map.on("overlayadd"' in jorvi_page  # the key follows the layer control


def test_title_block_folds_away(ring_page):
    jorvi_page = ring_page
    title = re.search(r'<div id="planner-title".*?</details></div>', jorvi_page, re.S).group(0)
    assert title.count("<details open>") == 1 and "<summary" in title
    assert "Scenario: Close the Swedish crisis desk at Jorvi" in title.split("</summary>")[1]


def test_hostile_point_name_is_escaped_in_the_cluster_page(study, baseline):
    import geopandas as gpd
    import pandas as pd

    from planner.outputs.maps import accessibility_map

    evil = '"><img src=x onerror=alert(1)>'
    pts = study.points.copy()
    pts.loc[pts["id"] == CLOSED, "name"] = evil
    page = self_contained(accessibility_map(study.units, baseline.access, gpd.GeoDataFrame(
        pd.DataFrame(pts), geometry="geometry", crs=study.points.crs), baseline.provenance, tiles=None))
    assert "<img src=x" not in page


TITLES = ["Länsi-Uudenmaan sosiaali- ja kriisipäivystys (Jorvi)",
          "Social- och krisjouren i Västra Nyland (Jorv)", "Luona – Espoon vastaanottokeskus"]


def _centres(page) -> set[tuple[int, int]]:
    boxes = []
    for title in TITLES:
        marker = page.locator(f'.leaflet-marker-icon[title="{title}"]')
        assert marker.count() == 1, title
        boxes.append(marker.bounding_box())
    return {(round(b["x"] + b["width"] / 2), round(b["y"] + b["height"] / 2)) for b in boxes}


def _browser_page(p, html: str, path):
    path.write_text(html, encoding="utf-8")
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page = ctx.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    page.goto(path.as_uri())
    return browser, page


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium")
def test_ring_markers_of_one_site_never_overlap_at_any_zoom(ring_page, jorvi_run, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _browser_page(p, ring_page, tmp_path / "ring.html")
        page.wait_for_selector(".planner-icon")
        drawn = len(jorvi_run[1].points) + len(jorvi_run[1].closed_points)  # open and closed points
        assert page.locator(".leaflet-marker-icon.planner-icon").count() == drawn  # every point drawn
        name = re.findall(r"var (map_\w+) = L\.map\(", ring_page)[0]
        for zoom in (8, 12, 17):
            page.evaluate(f"{name}.setView([60.2155, 24.6826], {zoom}, {{animate: false}}); null")
            page.wait_for_timeout(300)
            centres = sorted(_centres(page))
            assert len(centres) == 3, zoom
            for i in range(3):
                for j in range(i + 1, 3):
                    dx, dy = centres[i][0] - centres[j][0], centres[i][1] - centres[j][1]
                    assert (dx * dx + dy * dy) ** 0.5 >= 18, (zoom, centres)  # 18 px icons apart
        assert page.errors == []  # type: ignore[attr-defined]
        browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium")
def test_clicking_the_cluster_spreads_the_three_points(jorvi_page, study, tmp_path):
    """In a real browser, offline: the three Jorvi markers sit in one cluster; a click spreads them
    to three distinct places, the closed one among them."""
    from playwright.sync_api import sync_playwright

    path = tmp_path / "jorvi.html"
    path.write_text(jorvi_page, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 1200, "height": 900})
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                  else r.abort())
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector(".planner-cluster")
        cluster = page.locator(".planner-cluster-marked").filter(
            has=page.locator(".planner-cluster-item")).first
        assert cluster.locator(".planner-cluster-item").count() >= 3
        cluster.click()
        page.wait_for_timeout(1500)  # zoom / spiderfy animation
        if page.locator(".planner-cluster-marked").count():  # zoomed in first: click again
            page.locator(".planner-cluster-marked").first.click()
            page.wait_for_timeout(1500)
        titles = ["Länsi-Uudenmaan sosiaali- ja kriisipäivystys (Jorvi)",
                  "Social- och krisjouren i Västra Nyland (Jorv)", "Luona – Espoon vastaanottokeskus"]
        boxes = []
        for title in titles:
            marker = page.locator(f'.leaflet-marker-icon[title="{title}"]')
            assert marker.count() == 1, title
            boxes.append(marker.bounding_box())
        centres = {(round(b["x"] + b["width"] / 2), round(b["y"] + b["height"] / 2)) for b in boxes}
        assert len(centres) == 3  # spread: none hides another
        browser.close()
    assert errors == []
