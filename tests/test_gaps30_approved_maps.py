"""What a planner reads on the HTML map, compared in full with reviewed files (issue 28, round 3).

For the bundled study, the map of ``planner map`` / the app in Finnish, Swedish and English:
the title block, the legend, the credits, the layer names, every tooltip's field names, the
properties of every area (residents, minutes, band, nearest point, colour), the service-area
and municipality labels and every service-point marker (its tooltip, title, state, popup and
the words its picture says to a screen reader). The text is parsed out of the page folium
renders; folium's own boilerplate (ids, JavaScript, option dicts) is never compared, so the
same approved files hold at folium 0.17 and at today's folium. The reviewed files live in
``tests/test_gaps30_approved_maps/``; refresh with ``--force-regen`` and read the diff.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"
NEED = "social_any"


# --- reading the page -----------------------------------------------------------------------------


class _Text(HTMLParser):
    """The text a browser shows for a fragment: one line per block, a picture by its label."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        if tag in ("br", "div", "li", "summary", "ul"):
            self.parts.append("\n")
        label = dict(attrs).get("aria-label")
        if tag == "svg" and label:
            self.parts.append(f"[{label}] ")
        if tag == "b":
            self.parts.append("**")

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == "b":
            self.parts.append("**")

    def handle_data(self, data):  # noqa: ANN001
        self.parts.append(data)


def text(fragment: str | None) -> str:
    """Visible text of an HTML fragment, block by block joined with `` / `` (bold as ``**``)."""
    if not fragment:
        return ""
    lines = "".join(_Text(fragment).parts).split("\n")
    return " / ".join(x.strip() for x in lines if x.strip())


def block(page: str, element_id: str) -> str:
    """The whole ``<div id=element_id>`` element (nested divs balanced)."""
    start = page.index(f'<div id="{element_id}"')
    depth = 0
    for tag in re.finditer(r"<(/?)div\b", page[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return page[start:start + tag.end() + 1]
    raise AssertionError(element_id)  # pragma: no cover


def area_layers(page: str) -> list[list[dict]]:
    """Features of every folium GeoJson layer, in the page's order."""
    dec = json.JSONDecoder()
    return [dec.raw_decode(page, m.end())[0]["features"]
            for m in re.finditer(r"geo_json_[0-9a-f]+_add\(", page)]


def point_layers(page: str) -> list[list[dict]]:
    """Features of every planner point layer (``L.geoJSON`` of inline-SVG markers)."""
    dec = json.JSONDecoder()
    return [dec.raw_decode(page, m.end())[0]["features"] for m in re.finditer(r"_geo = L\.geoJSON\(", page)]


def overlay_names(page: str) -> list[str]:
    """The layer control's overlay names, in order."""
    body = re.search(r"overlays\s*:\s*\{(.*?)\}", page, re.DOTALL).group(1)
    return [json.loads(x) for x in re.findall(r'^\s*("(?:[^"\\]|\\.)*")\s*:', body, re.MULTILINE)]


def tooltips(page: str) -> list[str]:
    """Every GeoJsonTooltip's ``field: alias`` pairs."""
    fields = [json.loads(x) for x in re.findall(r"let fields = (\[.*?\]);", page)]
    aliases = [json.loads(x) for x in re.findall(r"let aliases = (\[.*?\]);", page)]
    return [", ".join(f"{f}={a}" for f, a in zip(fs, al, strict=True))
            for fs, al in zip(fields, aliases, strict=True)]


def polyline_tooltips(page: str) -> list[str]:
    """The text of every line's tooltip (the mobile units' tours)."""
    out = re.findall(r"\.bindTooltip\(\s*`<div>\s*(.*?)\s*</div>`", page, re.DOTALL)
    return [text(x) for x in out]


def _props(p: dict, keys: list[str]) -> str:
    return " | ".join("" if p.get(k) is None else str(p[k]).replace("\xa0", "\u2423") for k in keys)


def map_text(page: str, side: str = "", every_area: bool = True) -> str:
    """Everything the map says to its reader, one section per part (non-breaking spaces as ␣).

    ``every_area=False`` (a scenario's map): the travel-time areas and the markers left open
    only counted (the baseline's files list them), every changed area and marked point in full."""
    suffix = f"-{side}" if side else ""
    out = ["# page title", *re.findall(r"<title>(.*?)</title>", page),
           "# title block", text(block(page, f"planner-title{suffix}")),
           "# legend", text(block(page, f"planner-legend{suffix}"))]
    if 'id="planner-credits"' in page:
        out += ["# credits", text(block(page, "planner-credits"))]
    # the options this project gives the map and its layer control (not folium's defaults)
    opts = [f"{k}: {v.strip()}" for k in ("zoomSnap", "preferCanvas", "collapsed", "position")
            for v in re.findall(rf'"?{k}"?\s*:\s*([^,\n}}]+)', page) if ";" not in v]  # not CSS
    out += ["# map options", *opts, f"scale bar: {'L.control.scale(' in page}",
            "# page style", *re.findall(r"<style>(body \.leaflet-container.*?)</style>", page)]
    out += ["# layers", *overlay_names(page), "# tooltips", *tooltips(page),
            "# lines", *polyline_tooltips(page)]
    for features in area_layers(page):
        keys = [k for k in features[0]["properties"] if k not in ("colour",)] + ["colour"]
        keys = [k for k in keys if k in features[0]["properties"]]
        out += [f"# areas: {' | '.join(keys)} ({len(features)})"]
        if "band" in keys and not every_area:
            continue
        rows = [_props(f["properties"], keys) for f in features]
        out += rows if "unit_id" in keys else sorted(rows)
    for features in point_layers(page):
        if not features[0]["properties"].get("tooltip"):  # the municipal name labels
            out += ["# labels", *sorted(text(f["properties"]["svg"]) for f in features)]
            continue
        out += [f"# markers: state | tooltip | anchor | picture | popup ({len(features)})"]
        for f in features:
            p = f["properties"]
            if not every_area and p["state"] == "open":
                continue
            # the marker's title (its name, shown on hover without a tooltip) is the popup's heading
            assert "**" + html.unescape(p["title"]) + "**" == text(p["popup"]).split(" / ")[0]
            out.append(" | ".join([p["state"], p["tooltip"], f"{p['ax']},{p['ay']}",
                                   text(p["svg"]), text(p["popup"])]).replace("\xa0", "\u2423"))
    return "\n".join(out) + "\n"


def pictures(page: str) -> str:
    """The distinct marker pictures (inline SVG, our own markup) with the states they stand for."""
    seen: dict[str, set[str]] = {}
    for features in point_layers(page):
        for f in features:
            p = f["properties"]
            if p.get("tooltip"):
                svg = re.sub(r' aria-label="[^"]*"', "", p["svg"])
                seen.setdefault(svg, set()).add(p["state"])
    legend = re.findall(r"<svg\b.*?</svg>", block(page, "planner-legend"), re.S)
    return "\n".join([*(f"{','.join(sorted(s))}: {svg}" for svg, s in sorted(seen.items())),
                      "# legend", *legend]) + "\n"


# --- the maps -------------------------------------------------------------------------------------


def _run(study, baseline, name: str):
    from planner.analysis.scenario import load_scenario
    from planner.outputs.report import run_scenarios

    return run_scenarios(study, [load_scenario(SCENARIOS / name)], baseline)[1][0]


@pytest.fixture(scope="module")
def close_run(study, baseline):
    return _run(study, baseline, "close_swedish_appointment_points.yaml")


@pytest.fixture(scope="module")
def bus_run(study, baseline):
    return _run(study, baseline, "ita_uusimaa_mobile_unit.yaml")


# each language with another group: every path of the area values is read once
GROUP_OF = {"fi": "all", "sv": "sv", "en": "fi"}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_baseline_map_says_in_each_language_every_area_marker_label_and_legend_as_reviewed(
        study, baseline, lang, file_regression):
    from planner.outputs.maps import scenario_map

    page = scenario_map(study, baseline, NEED, GROUP_OF[lang], tiles=None, lang=lang).get_root().render()
    file_regression.check(map_text(page), basename=f"baseline_map_{lang}", extension=".txt")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_scenario_map_says_in_each_language_the_change_closed_points_and_merges_as_reviewed(
        study, baseline, close_run, lang, file_regression):
    from planner.outputs.maps import scenario_map

    page = scenario_map(study, close_run.results, NEED, "sv", applied=close_run.applied,
                        changes=close_run.comparison["unit_changes"], tiles=None,
                        lang=lang).get_root().render()
    file_regression.check(map_text(page, every_area=False), basename=f"scenario_close_sv_map_{lang}",
                          extension=".txt")


def test_mobile_unit_map_names_its_stops_schedule_and_tour_as_reviewed(study, baseline, bus_run,
                                                                       file_regression):
    from planner.outputs.maps import scenario_map

    page = scenario_map(study, bus_run.results, NEED, "all", applied=bus_run.applied,
                        changes=bus_run.comparison["unit_changes"], tiles=None, lang="fi",
                        catchments=True, baseline=baseline).get_root().render()
    file_regression.check(map_text(page, every_area=False), basename="scenario_mobile_map_fi",
                          extension=".txt")


def test_every_marker_picture_of_open_closed_and_placeholder_points_as_reviewed(
        study, baseline, close_run, bus_run, file_regression):
    from planner.outputs.maps import scenario_map

    pages = [scenario_map(study, run.results, NEED, "fi", applied=run.applied, tiles=None).get_root().render()
             for run in (close_run, bus_run)]
    file_regression.check("".join(pictures(p) for p in pages), basename="marker_pictures", extension=".txt")


def test_side_by_side_page_says_which_half_is_which_in_swedish_as_reviewed(study, baseline, close_run,
                                                                           file_regression):
    from planner.outputs.sidebyside import side_by_side_map

    page = side_by_side_map(study, baseline, close_run.results, close_run.applied, NEED, "sv", tiles=None,
                            lang="sv").get_root().render()
    halves = [f"# half {side}\n" + "\n".join(text(block(page, f"planner-{part}-{side}"))
                                            for part in ("title", "legend"))
              for side in ("left", "right")]
    assert page.count('id="planner-credits"') == 1  # the credits once, in the left half
    file_regression.check("\n".join([*re.findall(r"<title>(.*?)</title>", page), *halves]) + "\n",
                          basename="side_by_side_sv", extension=".txt")


def test_live_layers_carry_the_title_legend_and_layer_names_of_a_scenario_as_reviewed(
        study, baseline, close_run, file_regression):
    from planner.outputs.maps import LiveLayers, scenario_map

    live = LiveLayers()
    scenario_map(study, close_run.results, NEED, "sv", applied=close_run.applied,
                 changes=close_run.comparison["unit_changes"], tiles=None, lang="fi", live=live,
                 frame=False, catchments=True, baseline=baseline)
    names = [f"{fg.layer_name}{' (hidden at first)' if i in live.hidden else ''}"
             for i, fg in enumerate(live.layers)]
    parts = [f"{key}: {text(value)}" for key, value in sorted(live.html.items())]
    file_regression.check("\n".join([*names, *parts]) + "\n", basename="live_layers_fi", extension=".txt")


def test_a_closed_point_whose_site_is_unknown_keeps_the_red_cross_of_the_legend(study, baseline, close_run):
    """The scenario closes ten points that stand at their municipal centre (site unknown): they
    were drawn hollow without the cross, so the map showed no closed point at all (fixed)."""
    from planner.outputs.maps import scenario_map

    page = scenario_map(study, close_run.results, NEED, "sv", applied=close_run.applied,
                        tiles=None).get_root().render()
    cross = '<line x1="2" y1="2" x2="16" y2="16" stroke="#d7191c" stroke-width="3"/>'
    closed = [f["properties"] for features in point_layers(page) for f in features
              if f["properties"]["state"] == "closed"]
    assert len(closed) == 10
    for p in closed:
        assert cross in p["svg"], p["title"]
        assert 'stroke-dasharray="3 2"' in p["svg"], p["title"]  # still hollow: its site is a stand-in
    assert cross in block(page, "planner-legend")  # as the legend draws a closed point
