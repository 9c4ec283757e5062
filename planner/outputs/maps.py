"""Folium maps: travel-time bands per demand unit, service points by category, legends.

Maps only draw what the accessibility and scenario modules computed; they compute
nothing themselves (for the language group ``all`` a unit's time is the
population-weighted mean of its two groups' times, a display summary; in an area without
residents their plain mean). Geometries
are projected to WGS84 here, at the web-map edge, with coordinates rounded to about
1 m. Markers are inline SVG and popups are bound with plain Leaflet, so a map needs
Leaflet and nothing else: :func:`save_map` writes one self-contained file
(:mod:`planner.outputs.html`). Interface text comes in English, Finnish or Swedish (``lang``).
"""

from __future__ import annotations

import html
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from folium import MacroElement
from folium.map import Layer
from folium.template import Template

from ..escape import html_element, html_text, js_template_html
from ..inputs.categories import CATEGORIES, NEEDS
from ..numbers import fmt_count, fmt_int, fmt_num, fmt_signed
from ..settings import DEFAULT_SETTINGS, Settings
from .attribution import attribution_lines, licence_lines, modified_statement
from .geojson import escaped_props, feature_collection, to_web
from .i18n import STRINGS, category_label, group_label, model_name, need_label, t, tn
from .locale import area_name, schedule_in

__all__ = ["BANDS", "CHANGE_STEPS", "band_of", "change_colour", "accessibility_map", "scenario_map",
           "LiveLayers", "marker_svg", "save_map"]

# (upper bound in minutes, label, colour): ColorBrewer YlGn, sequential and colour-blind safe;
# no blue or red in it, so it is never read as the gains (blue) / losses (red) of CHANGE_STEPS
BANDS: list[tuple[float, str, str]] = [
    (15, "≤ 15 min", "#006837"),
    (30, "15–30 min", "#31a354"),
    (45, "30–45 min", "#78c679"),
    (60, "45–60 min", "#c2e699"),
    (np.inf, "> 60 min", "#ffffcc"),
]
UNREACHABLE = ("no reachable point", "#bdbdbd")
# minutes after - before: (upper bound, label, colour), ColorBrewer RdBu (colour-blind safe)
CHANGE_STEPS: list[tuple[float, str, str]] = [
    (-20, "≤ −20 min", "#2166ac"),
    (-10, "−20…−10 min", "#67a9cf"),
    (-0.5, "−10…0 min", "#d1e5f0"),
    (10, "0…+10 min", "#fddbc7"),
    (20, "+10…+20 min", "#ef8a62"),
    (np.inf, "> +20 min", "#b2182b"),
]
LOST_ACCESS, GAINED_ACCESS = "#67001f", "#053061"

_SHAPES = {
    "circle": '<circle cx="9" cy="9" r="7"/>',
    "square": '<rect x="2.5" y="2.5" width="13" height="13"/>',
    "calendar": '<polygon points="9,1.5 16.5,16 1.5,16"/>',
    "calendar-o": '<polygon points="9,17 16.5,2.5 1.5,2.5"/>',
    "globe": '<polygon points="9,1 17,9 9,17 1,9"/>',
    "home": '<polygon points="9,1 17,7 14,17 4,17 1,7"/>',
    "briefcase": '<polygon points="6,1 12,1 12,6 17,6 17,12 12,12 12,17 6,17 6,12 1,12 1,6 6,6"/>',
}
_CROSS = ('<line x1="2" y1="2" x2="16" y2="16" stroke="#d7191c" stroke-width="3"/>'
          '<line x1="16" y1="2" x2="2" y2="16" stroke="#d7191c" stroke-width="3"/>')
_FONT = "font:12px/1.35 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"
_BOX = ("background:rgba(255,255,255,.94);padding:6px 10px;border:1px solid #888;border-radius:4px;"
        f"{_FONT};color:#111")


def marker_svg(category: str, size: int = 18, state: str = "open", label: str | None = None) -> str:
    """Inline SVG marker of a category: distinct shape and colour (Okabe-Ito palette).

    ``state`` 'closed' draws a red cross over a faded marker, 'opened' a thick red outline,
    'placeholder' a hollow outline in the category colour (a row whose site is unknown,
    drawn at its municipal centre: never to be mistaken for a site), 'closed-placeholder' that
    hollow outline with the red cross (a closed point whose site is unknown). ``label`` (plain text)
    names the picture for screen readers (``role="img"``); without it the picture is
    decorative (``aria-hidden``), as beside its words in the legend.
    """
    c = CATEGORIES[category]
    a11y = f'role="img" aria-label="{html_text(label)}"' if label else 'aria-hidden="true"'
    cross = _CROSS if state in ("closed", "closed-placeholder") else ""
    if state in ("placeholder", "closed-placeholder"):
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" {a11y} '
                f'viewBox="0 0 18 18"><g fill="none" stroke="{c.colour}" stroke-width="2.5" '
                f'stroke-dasharray="3 2">{_SHAPES[c.marker]}</g>{cross}</svg>')
    stroke = "#d7191c" if state == "opened" else "#ffffff" if c.colour == "#000000" else "#000000"
    width = 3 if state == "opened" else 1.2
    opacity = 0.45 if state == "closed" else 1.0
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" {a11y} '
            f'viewBox="0 0 18 18"><g fill="{c.colour}" fill-opacity="{opacity}" stroke="{stroke}" '
            f'stroke-width="{width}">{_SHAPES[c.marker]}</g>{cross}</svg>')


def band_of(time_min: float, lang: str = "en") -> tuple[str, str]:
    """(label, colour) of the travel-time band of ``time_min``."""
    if time_min is None or not np.isfinite(time_min):
        return t("map.unreachable", lang), UNREACHABLE[1]
    for upper, label, colour in BANDS:
        if time_min <= upper:
            return label, colour
    return UNREACHABLE  # pragma: no cover


def change_colour(delta_min: float) -> str:
    """Colour of a change in minutes (after - before; positive = residents lose)."""
    if not np.isfinite(delta_min):
        return LOST_ACCESS if delta_min > 0 else GAINED_ACCESS
    for upper, _, colour in CHANGE_STEPS:
        if delta_min <= upper:
            return colour
    return CHANGE_STEPS[-1][2]  # pragma: no cover


class _SvgPoints(Layer):
    """Point features drawn as inline-SVG div icons, each with its own popup and tooltip.

    One Leaflet ``L.geoJSON`` layer (no per-marker folium objects, no jQuery): properties
    ``svg, w, h, ax, ay`` (icon size and anchor, px) and optional ``popup``, ``tooltip`` and
    ``state``. With a ``cluster`` (:class:`folium.plugins.MarkerCluster`) the layer is the
    layer-control handle of its markers, which live in that shared cluster group: points on
    one coordinate, whatever their layer, then spread apart on a click (spiderfy).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_geo = L.geoJSON({{ this.data|tojson }}, {
            pointToLayer: function (f, ll) {
                var p = f.properties;
                var m = L.marker(ll, {icon: L.divIcon({html: p.svg, className: {{ this.class_name|tojson }},
                    iconSize: [p.w, p.h], iconAnchor: [p.ax, p.ay]}), keyboard: false,
                    interactive: {{ this.interactive|tojson }}, plannerState: p.state || "open",
                    title: p.title ? new DOMParser().parseFromString(p.title, "text/html")
                        .documentElement.textContent : ""});
                if (p.popup) { m.bindPopup(p.popup, {maxWidth: 340}); }
                if (p.tooltip) { m.bindTooltip(p.tooltip); }
                return m;
            }
        });
        {% if this.cluster %}
        var {{ this.get_name() }} = L.layerGroup();
        (function (layer, markers, cluster) {
            layer.on("add", function () { cluster.addLayers(markers); });
            layer.on("remove", function () { cluster.removeLayers(markers); });
        })({{ this.get_name() }}, {{ this.get_name() }}_geo.getLayers(), {{ this.cluster }});
        {% else %}
        var {{ this.get_name() }} = {{ this.get_name() }}_geo;
        {% endif %}
        {% endmacro %}
        """)

    def __init__(self, features: list[dict], name: str, interactive: bool = True, show: bool = True,
                 control: bool = True, class_name: str = "planner-icon", cluster=None):
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "SvgPoints"
        self.data = {"type": "FeatureCollection", "features": features}
        self.interactive = interactive
        self.class_name = class_name
        self.cluster = cluster.get_name() if cluster is not None else ""


# A cluster's icon: the markers it holds (up to four, small) and their number, with a red ring
# when one of them is closed or opened, so a scenario mark is never hidden inside a cluster.
_CLUSTER_ICON = """function (cluster) {
    var ms = cluster.getAllChildMarkers(), html = "", marked = false;
    for (var i = 0; i < ms.length; i++) {
        var s = ms[i].options.plannerState;
        if (s === "closed" || s === "opened") { marked = true; }
        if (i < 4) {
            html += '<span class="planner-cluster-item">' + ms[i].options.icon.options.html + '</span>';
        }
    }
    if (ms.length > 4) { html += '<span class="planner-cluster-more">+' + (ms.length - 4) + '</span>'; }
    return L.divIcon({html: '<div class="planner-cluster' + (marked ? ' planner-cluster-marked' : '') +
        '" title="' + ms.length + '">' + html + '</div>', className: "planner-icon",
        iconSize: [Math.min(ms.length, 4) * 13 + (ms.length > 4 ? 22 : 0) + 8, 22]});
}"""
CLUSTER_OPTIONS = {
    # only markers closer than this many pixels merge: points of one building or street corner
    "maxClusterRadius": 14,
    "spiderfyOnMaxZoom": True,  # markers on one coordinate spread on a click, at any zoom
    "showCoverageOnHover": False,
    "zoomToBoundsOnClick": True,
    "spiderfyDistanceMultiplier": 1.6,
    "removeOutsideVisibleBounds": False,
}
_CLUSTER_STYLE = (
    "body .planner-cluster{display:inline-flex;align-items:center;gap:1px;padding:2px 3px;background:#fff;"
    "border:1.5px solid #333;border-radius:11px;box-shadow:0 1px 3px rgba(0,0,0,.4);white-space:nowrap}"
    "body .planner-cluster-marked{border:2.5px solid #d7191c}"
    "body .planner-cluster-item svg{width:12px;height:12px;display:block}"
    "body .planner-cluster-more{font:bold 11px system-ui,Arial,sans-serif;color:#111;padding:0 2px}")


class _MaxZoom(MacroElement):
    """Gives the map a maximum zoom (18, as OpenStreetMap tiles) when it has none: a map without
    tiles has none, and the cluster plugin needs one to know where to spiderfy."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) { if (!map.options.maxZoom) { map.options.maxZoom = 18; } })(
            {{ this._parent.get_name() }});
        {% endmacro %}
        """)

    def __init__(self):
        super().__init__()
        self._name = "MaxZoom"


def _marker_cluster(m):
    """The one cluster group every service-point marker of map ``m`` joins (vendored plugin)."""
    from folium.plugins import MarkerCluster

    _MaxZoom().add_to(m)
    cluster = MarkerCluster(control=False, options=dict(CLUSTER_OPTIONS), icon_create_function=_CLUSTER_ICON)
    cluster.add_to(m)
    return cluster


def _point_feature(lon: float, lat: float, svg: str, w: int, h: int, ax: int, ay: int,
                   popup: str | None = None, tooltip: str | None = None, title: str = "",
                   state: str = "open") -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {"svg": svg, "w": w, "h": h, "ax": ax, "ay": ay, "popup": popup,
                           "tooltip": tooltip, "title": title, "state": state}}


def _unit_values(units: gpd.GeoDataFrame, access: pd.DataFrame, need: str, group: str,
                 point_names: pd.Series) -> pd.DataFrame:
    """Per located unit: residents, minutes and nearest point name for ``need`` and ``group``."""
    sel = access[access["need"] == need]
    if group != "all":
        g = sel[sel["group"] == group].set_index("unit_id")
        out = pd.DataFrame({"residents": units.set_index("unit_id")[f"pop_{group}"]})
        out["time_min"] = g["time_min"]
        out["nearest_name"] = g["point_id"].map(point_names)
        out["extrapolated"] = g["extrapolated"].astype(bool) if "extrapolated" in g.columns else False
        return out
    wide = sel.pivot(index="unit_id", columns="group", values=["time_min", "population", "point_id"])
    pop = wide["population"].astype(float)
    times = wide["time_min"].astype(float)
    with np.errstate(invalid="ignore"):
        w = pop.where(pop > 0, 0.0)
        num = (times.where(w > 0, 0.0) * w).sum(axis=1)
        den = w.sum(axis=1)
        mean = num / den.where(den > 0)
        # nobody lives there: nobody to weight, both groups' times count alike (not "unreachable")
        mean = mean.where(den > 0, times.mean(axis=1))
    # someone with no point at all: the unit shows as unreachable
    unreachable = (np.isinf(times) & (w > 0)).any(axis=1)
    mean = mean.where(~unreachable, np.inf)
    names = wide["point_id"].apply(lambda col: col.map(point_names))
    nearest = names["fi"].fillna("–")
    differs = names["sv"].notna() & (names["sv"] != names["fi"])
    nearest = nearest.where(~differs, "fi: " + nearest + " · sv: " + names["sv"].fillna("–"))
    ext = (sel.groupby("unit_id")["extrapolated"].any() if "extrapolated" in sel.columns
           else pd.Series(False, index=wide.index))
    return pd.DataFrame({"residents": pop.sum(axis=1).astype("int64"), "time_min": mean,
                         "nearest_name": nearest, "extrapolated": ext.reindex(wide.index).fillna(False)})


def _select_change(changes: pd.DataFrame, need: str, group: str) -> pd.DataFrame:
    """``unit_id, delta_min`` of ``comparison.unit_changes`` rows for ``need``, ``group``."""
    sel = changes[changes["need"] == need]
    if group != "all":
        return sel[sel["group"] == group][["unit_id", "delta_min"]]
    sel = sel[sel["population"] > 0]
    d = sel["delta_min"].to_numpy(dtype=float)
    w = sel["population"].to_numpy(dtype=float)
    df = pd.DataFrame({"unit_id": sel["unit_id"].to_numpy(), "w": w,
                       "wd": np.where(np.isfinite(d), d * w, 0.0),
                       "lost": np.isposinf(d), "gained": np.isneginf(d)})
    agg = df.groupby("unit_id").agg(w=("w", "sum"), wd=("wd", "sum"), lost=("lost", "any"),
                                    gained=("gained", "any"))
    delta = agg["wd"] / agg["w"]
    delta = delta.where(~agg["gained"], -np.inf).where(~agg["lost"], np.inf)
    return delta.rename("delta_min").reset_index()


def _legend_html(categories: dict[str, int], band_title: str | None, lang: str,
                 states: set[str], change: bool, open_: bool = True, element_id: str = "planner-legend",
                 position: str = "bottom:26px;right:10px") -> str:
    # the travel-time key stays hidden while its layer is (the change layer is shown instead)
    hide_bands = ' style="display:none"' if change else ""

    def row(symbol: str, text: str) -> str:
        return (f'<div style="display:flex;align-items:center;gap:6px;margin:1px 0">{symbol}'
                f"<span>{text}</span></div>")

    def swatch(colour: str) -> str:
        return (f'<span style="display:inline-block;flex:none;width:14px;height:11px;background:{colour};'
                'border:1px solid #555"></span>')

    rows = "".join(row(marker_svg(c, 14), f"{html.escape(category_label(c, lang))} ({n})")
                   for c, n in categories.items())
    for state, key in (("closed", "map.closed_layer"), ("opened", "map.opened_layer")):
        if state in states:
            rows += row(marker_svg("fi_walkin", 14, state), html.escape(t(key, lang)))
    parts = [f'<div style="font-weight:bold">{html.escape(t("map.points", lang))}</div>{rows}']
    if band_title:
        sw = "".join(row(swatch(col), lab) for _, lab, col in BANDS)
        sw += row(swatch(UNREACHABLE[1]), html.escape(t("map.unreachable", lang)))
        parts.append(f'<div class="planner-legend-bands"{hide_bands}>'
                     f'<div style="font-weight:bold;margin-top:5px">{html.escape(band_title)}</div>'
                     '<div style="display:grid;grid-template-columns:1fr 1fr;column-gap:8px">'
                     f'{sw}</div></div>')
    if change:
        sw = "".join(row(swatch(col), lab) for _, lab, col in CHANGE_STEPS)
        sw += row(swatch(LOST_ACCESS), html.escape(t("map.lost_access", lang)))
        sw += row(swatch(GAINED_ACCESS), html.escape(t("map.gained_access", lang)))
        parts.append('<div class="planner-legend-change">'
                     f'<div style="font-weight:bold;margin-top:5px">{html.escape(t("map.change", lang))}'
                     '</div><div style="display:grid;grid-template-columns:1fr 1fr;column-gap:8px">'
                     f"{sw}</div></div>")
    details = "<details open>" if open_ else "<details>"
    return (f'<div id="{element_id}" style="position:absolute;{position};z-index:999;{_BOX};'
            f'max-width:330px;max-height:calc(100% - 150px);overflow:auto">{details}'
            f'<summary style="cursor:pointer;font-weight:bold">{html.escape(t("map.legend", lang))}</summary>'
            f'{"".join(parts)}</details></div>')


def _title_html(lines: list[str], element_id: str = "planner-title", left: str = "56px",
               max_width: str = "min(460px,55%)", open_: bool = True) -> str:
    """The title block: its first line always visible, the rest folds away (HTML ``<details>``)."""
    body = "<br>".join(html_text(x) for x in lines[1:])
    details = "<details open>" if open_ else "<details>"
    return (f'<div id="{element_id}" style="position:absolute;top:10px;left:{left};z-index:999;{_BOX};'
            f'max-width:{max_width}">{details}<summary style="cursor:pointer;font-size:14px;'
            f'font-weight:bold">{html_text(lines[0])}</summary><div>{body}</div></details></div>')


class _LegendSwitch(MacroElement):
    """Shows the legend section of the area layer (travel time or change) that is on the map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map, legend, names) {
            function show(e, on) {
                var box = document.getElementById(legend);
                if (!box) { return; }
                var cls = e.name === names.bands ? "planner-legend-bands"
                    : e.name === names.change ? "planner-legend-change" : null;
                if (!cls) { return; }
                box.querySelectorAll("." + cls).forEach(function (d) { d.style.display = on ? "" : "none"; });
            }
            map.on("overlayadd", function (e) { show(e, true); });
            map.on("overlayremove", function (e) { show(e, false); });
        })({{ this._parent.get_name() }}, {{ this.legend|tojson }}, {{ this.names|tojson }});
        {% endmacro %}
        """)

    def __init__(self, legend_id: str, bands: str, change: str):
        super().__init__()
        self._name = "LegendSwitch"
        self.legend = legend_id
        self.names = {"bands": bands, "change": change}


class LiveLayers:
    """The parts of a map that a scenario changes, kept apart from the map's fixed frame.

    Given as ``live`` to :func:`accessibility_map`, it collects the area, change, catchment
    and point layers (each in its own ``folium.FeatureGroup``, named as in the layer control),
    the layer control, and the title block and legend as HTML, instead of adding them to the
    map. The app draws the frame once and swaps only these layers on a scenario change
    (streamlit-folium's ``feature_group_to_add`` / ``layer_control``), so the map is not
    rebuilt in the browser; :meth:`groups` adds the step that puts the title, legend and the
    layers that start hidden in their state.
    """

    def __init__(self) -> None:
        self.layers: list = []  # folium.FeatureGroup, in drawing order
        self.hidden: list[int] = []  # positions in ``layers`` of those not shown at first
        self.control = None
        self.html: dict[str, str] = {}  # element id -> outer HTML (title block, legend)

    def add(self, layer, name: str, show: bool = True):
        """Put ``layer`` (a folium layer) into a new feature group named ``name``."""
        import folium

        fg = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
        layer.control = False
        layer.show = True
        layer.add_to(fg)
        if not show:
            self.hidden.append(len(self.layers))
        self.layers.append(fg)
        return fg

    def groups(self) -> list:
        """The feature groups to draw, the last one replacing the title and legend and hiding
        the layers that start hidden (streamlit-folium adds every group it is given)."""
        import folium

        finish = folium.FeatureGroup(name="planner-live", control=False)
        _LiveFinish(self.html, [i for i in self.hidden if i < len(self.layers)]).add_to(finish)
        return [*self.layers, finish]


class _LiveFinish(MacroElement):
    """Swaps the title block and legend for the current ones (by element id) and takes the
    layers that start hidden off the map, once every live group has been added.

    Runs inside streamlit-folium's ``eval`` of the groups, where group ``i`` is the variable
    ``feature_group_feature_group_i`` and the map ``map_div``: names streamlit-folium gives."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (parts, hidden) {
            Object.keys(parts).forEach(function (id) {
                var old = document.getElementById(id);
                if (old) { old.outerHTML = parts[id]; }
                else { document.body.insertAdjacentHTML("beforeend", parts[id]); }
            });
            setTimeout(function () {  // after streamlit-folium has added every group
                hidden.forEach(function (fg) { if (map_div.hasLayer(fg)) { map_div.removeLayer(fg); } });
            }, 0);
        })({{ this.parts|tojson }}, [
            {%- for i in this.hidden -%}
            feature_group_feature_group_{{ i }}{{ "," if not loop.last }}
            {%- endfor -%}
        ]);
        {% endmacro %}
        """)

    def __init__(self, parts: dict[str, str], hidden: list[int]):
        super().__init__()
        self._name = "LiveFinish"
        self.parts = parts
        self.hidden = hidden


MODE_LABELS = ("walk", "drive", "drive_rush", "pt", "pt_rush")


def credits_html(provenance: dict[str, str], open_: bool = True, lang: str = "en") -> str:
    """The attribution lines of the data the map shows (geodata/sources.toml), bottom left,
    in the interface language ``lang``."""
    lines = "".join(f"<div>{html.escape(x)}</div>" for x in attribution_lines(provenance, lang=lang))
    # that the data was modified, and a link to each licence (CC BY 4.0 asks for both)
    lines += f"<div>{html.escape(modified_statement(lang=lang))}</div>"
    for x in licence_lines(provenance):
        name, _, url = x.partition(": ")
        lines += (f'<div>{html.escape(name)}: <a href="{html.escape(url)}" target="_blank" rel="noopener">'
                  f"{html.escape(url)}</a></div>")
    details = "<details open>" if open_ else "<details>"
    # above the scale bar (bottom left, about 40 px high), never over it
    return (f'<div id="planner-credits" style="position:absolute;bottom:52px;left:10px;z-index:999;{_BOX};'
            f'font-size:10px;max-width:min(420px,45%)">{details}'
            f'<summary style="cursor:pointer">{html.escape(t("map.credits", lang))}</summary>{lines}'
            '</details></div>')


def _title_lines(provenance: dict[str, str], need: str, group: str, lang: str) -> list[str]:
    scenario = provenance.get("scenario", "baseline")
    mode = provenance.get("mode", "?")
    network = provenance.get("network_source", "")
    if not network or network.startswith("none"):
        network = provenance.get("model_parameters", "")
    from .locale import prov_text  # issue 26: the provenance's phrases and decimals in the language

    network = prov_text(network, lang)
    lines = [
        f"{need_label(need, lang)} — {group_label(group, lang)}",
        t("map.scenario", lang, name=t("map.baseline", lang) if scenario == "baseline" else scenario),
        *([tn("map.exclusion", lost, lang, n=fmt_int(lost, lang))]  # issue 24
          if (lost := provenance.get("improved_by_exclusion")) else []),
        t("map.model", lang, model=model_name(provenance.get("model", "?"), lang),
          mode=t(f"mode.{mode}", lang).lower() if mode in MODE_LABELS else mode,
          network=network),
        t("map.data", lang, year=provenance.get("data_year", "?")),
    ]
    if provenance.get("osm_date") not in (None, "", "unknown", "n/a"):
        lines.append(t("map.osm", lang, date=provenance["osm_date"]))
    if provenance.get("time_error_p90_min"):  # the estimate's cross-validated error per distance
        lines.append(t("map.error", lang, bands=prov_text(provenance["time_error_p90_min"], lang)))
    else:  # the road network, a matrix without the estimate: said, not left blank
        lines.append(t("map.error_unknown", lang))
    if provenance.get("pt_wait"):  # issue 24: the PT estimate leaves out the wait before the first leg
        lines.append(t("map.pt_wait", lang, note=prov_text(provenance["pt_wait"], lang)))
    if provenance.get("matrix_coverage"):  # an imported matrix: which pairs it answers
        lines.append(t("map.matrix", lang, coverage=prov_text(provenance["matrix_coverage"], lang)))
    # issue 11: the network's date, the demand weight, placeholders
    weight = provenance.get("demand_weight", "").split(" (")[0].split(":")[0].strip()
    extra = [t("map.network_date", lang, date=provenance["network_date"]) if provenance.get("network_date")
             else "",
             t("map.weight", lang, weight=t(f"weight.{weight}", lang) if f"weight.{weight}" in STRINGS
               else weight) if weight else "",
             t("map.placeholders", lang) if "INCLUDED" in provenance.get("unlocated_points", "") else ""]
    if any(extra):
        lines.append("; ".join(e for e in extra if e))
    return lines


def accessibility_map(
    units: gpd.GeoDataFrame,
    access: pd.DataFrame,
    points: gpd.GeoDataFrame,
    provenance: dict[str, str],
    need: str = "social_any",
    group: str = "fi",
    borders: gpd.GeoDataFrame | None = None,
    service_areas: pd.DataFrame | None = None,
    load: pd.DataFrame | None = None,
    change: pd.DataFrame | None = None,
    point_state: dict[str, str] | None = None,
    tiles: str | None = "OpenStreetMap",
    settings: Settings = DEFAULT_SETTINGS,
    lang: str = "en",
    merges: dict[str, str] | None = None,
    centres: gpd.GeoDataFrame | None = None,
    compact: bool = False,
    catchments: dict | None = None,
    catchments_shown: tuple[str, ...] = (),
    into=None,
    side: str | None = None,
    cluster_points: bool = False,
    live: LiveLayers | None = None,
):
    """A folium map of travel time to the nearest ``need`` point for language ``group``.

    Parameters
    ----------
    units, access : demand units (EPSG:3067) and :func:`planner.analysis.accessibility.unit_access` output.
    points : service points (EPSG:3067); in a scenario the open ones plus the closed ones
        named in ``point_state``.
    provenance : model, mode, data year and scenario, shown in the title block.
    need, group : the need and language group ('fi', 'sv' or 'all') drawn.
    borders, service_areas : municipal borders (with ``name_fi``/``name_sv``) and the
        municipality -> service-area table, drawn as outline layers.
    load : :func:`planner.analysis.accessibility.point_load` output, for the residents in popups.
    change : optional ``unit_id, delta_min`` (after - before, minutes) for a gained/lost layer;
        when given, that layer is the one shown and the travel-time layer starts hidden
        (one area palette on at a time: sequential minutes or diverging change).
    point_state : ``{point_id: 'closed' | 'opened' | 'changed'}`` for scenario markers.
    tiles : base-map tiles, or None for a map readable without any tile server.
    lang : interface language of titles, legend, layer names and popups ('en', 'fi', 'sv').
    merges : ``{closed point id: kept point id}``, named in the closed points' popups.
    centres : municipal centres (``municipality_code``, geometry) where the name labels
        stand; default a point inside each municipal border.
    compact : collapsed layer control and legend, for small maps (e.g. in the app).
    catchments : optional ``{layer name: Catchments}`` (:func:`planner.outputs.catchments.catchment_areas`),
        each drawn as a layer (hidden at first) of one colour per point.
    into, side : draw into this existing map (one half of a side-by-side page) instead of a new
        one; ``side`` 'left' / 'right' places its title, legend and credits in that half.
    cluster_points : points near each other join a marker-cluster group (vendored
        Leaflet.markercluster; a click spreads a cluster) instead of the default: every point its
        own marker, those of one site (within ``RING_TOLERANCE_M``) on a ring around it.
    catchments_shown : names of the ``catchments`` layers on at first (the others start off in
        the layer control)
    live : collect the layers a scenario changes, the layer control, title block and legend in
        this :class:`LiveLayers` instead of the map (which then holds only its fixed frame).
    """
    import folium

    def place(layer, name: str, show: bool = True) -> None:
        if live is None:
            layer.add_to(m)
        else:
            live.add(layer, name, show)

    web = settings.web_crs
    names = points.set_index("id")["name"]
    names = names[~names.index.duplicated()]
    vals = _unit_values(units, access, need, group, names)
    u = units.loc[units["located"], ["unit_id", "name", "municipality", "service_area", "geometry"]].copy()
    u = u.join(vals, on="unit_id")
    bands = [band_of(x, lang) for x in u["time_min"]]
    u["band"] = [b[0] for b in bands]
    u["colour"] = [b[1] for b in bands]
    # issue 24: a trip beyond the calibration range is labelled so: its error is not measured
    u["time_label"] = [(f"{x:.0f} min" + (f" ({t('map.extrapolated', lang)})" if bool(e) else ""))
                       if np.isfinite(x) else t("map.unreachable", lang)
                       for x, e in zip(u["time_min"], u["extrapolated"].fillna(False), strict=True)]
    u["nearest_name"] = u["nearest_name"].fillna("–")
    u["residents_label"] = [fmt_int(r, lang) for r in u["residents"].fillna(0)]
    u4 = to_web(u, web)
    bounds = u4.total_bounds if len(u4) else points.to_crs(web).total_bounds
    m = into if into is not None else folium.Map(tiles=None, control_scale=True, prefer_canvas=True,
                                                 zoom_snap=0.5)
    # keep the region clear of the title block (top left) and the open legend (bottom right)
    small = compact or side is not None
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
                 padding_top_left=(10, 70) if small else (20, 100),
                 padding_bottom_right=(10, 36) if small else (300, 36))
    if tiles:
        kw = {}
        if lang != "en" and str(tiles).lower() == "openstreetmap":  # the ODbL credit in the map's language
            kw["attr"] = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                          f'{html.escape(t("map.osm_credit", lang))}</a>')
        folium.TileLayer(tiles, name=t("map.base", lang), control=True, **kw).add_to(m)
    # "body ..." outranks leaflet.css, which may come later in the page
    style = "body .leaflet-container{background:#e9eef2}" \
        "body .planner-icon{background:none;border:none}" \
        "body .planner-label{background:none;border:none;pointer-events:none}" \
        f"body .leaflet-popup-content,body .leaflet-tooltip,body .leaflet-control-layers{{{_FONT}}}" \
        + _CLUSTER_STYLE
    if lang != "en":  # Leaflet's scale bar in kilometres only: miles are no unit of a Finnish room
        style += "body .leaflet-control-scale-line+.leaflet-control-scale-line{display:none}"
    m.get_root().header.add_child(html_element(f"<style>{style}</style>"), name="planner_style")

    has_change = change is not None and len(change) > 0
    place(folium.GeoJson(
        feature_collection(escaped_props(u4[["unit_id", "name", "municipality", "residents_label",
                                             "time_label", "band", "nearest_name", "colour", "geometry"]])),
        name=t("map.travel_time", lang),
        show=not has_change,
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#555",
                                  "weight": 0.4, "fillOpacity": 0.72},
        tooltip=folium.GeoJsonTooltip(
            ["name", "residents_label", "time_label", "nearest_name"],
            aliases=[t("map.area", lang), t("map.residents", lang), t("map.time", lang),
                     t("map.nearest", lang)]),
    ), t("map.travel_time", lang), show=not has_change)

    if has_change:
        _change_layer(place, u, change, web, lang)
    if catchments:
        from .catchments import catchment_layer

        for layer_name, c in catchments.items():
            shown = layer_name in catchments_shown
            place(catchment_layer(c, lang=lang, settings=settings, name=layer_name, show=shown), layer_name,
                  show=shown)
    if borders is not None:
        _border_layers(m, borders, service_areas, centres, web, lang)
    states = point_state or {}
    if cluster_points and live is not None:
        raise ValueError("cluster_points draws into one cluster group of the map: not with live layers")
    _tour_layer(place, points, states, web, lang)
    _points_layers(m, points, load, need, states, merges or {}, web, lang, cluster_points,
                   place=place if live is not None else None)
    control = folium.LayerControl(collapsed=small, position="topright")
    if live is None:
        control.add_to(m)
    else:
        live.control = control

    suffix = f"-{side}" if side else ""
    half = {"left": "0%", "right": "50%"}.get(side or "", "")
    legend_id = f"planner-legend{suffix}"
    _LegendSwitch(legend_id, t("map.travel_time", lang), t("map.change_layer", lang)).add_to(m)
    page = m.get_root().html
    lines = _title_lines(provenance, need, group, lang)
    if side:  # side by side: which half is which comes first, the scenario line says it already
        scenario = provenance.get("scenario", "baseline")
        lines = [t(f"map.side_{side}", lang, name=t("map.baseline", lang) if scenario == "baseline"
                   else scenario), lines[0], *lines[2:]]
    root = m.get_root()
    if side is None and into is None and hasattr(root, "title"):  # the browser tab's and a bookmark's name
        root.title = html_text(" · ".join(lines[:2]))
    title = _title_html(
        lines, f"planner-title{suffix}",
        f"calc({half} + 56px)" if side else "56px", "min(420px,40%)" if side else "min(460px,55%)",
        open_=side is None)  # side by side: folded, each half keeps its map in view
    page.add_child(html_element(title))
    if side != "right":
        page.add_child(html_element(credits_html(provenance, open_=not small, lang=lang)))
    open_pts = points[points["id"].map(lambda p: states.get(p) != "closed")]
    counts = open_pts["category"].value_counts()
    cats = {c: int(counts.get(c, 0)) for c in CATEGORIES}
    right = "calc(50% + 10px)" if side == "left" else "10px"
    # issue 26: a grey area (no point) is explained by the legend: it starts open then
    grey = bool((u["colour"] == UNREACHABLE[1]).any()) if "colour" in u.columns else False
    legend = _legend_html(
        cats, t("map.travel_time", lang), lang, set(states.values()), has_change, open_=not small or grey,
        element_id=legend_id, position=f"bottom:26px;right:{right}")
    page.add_child(html_element(legend))
    if live is not None:
        live.html = {f"planner-title{suffix}": title, legend_id: legend}
    return m


def _border_layers(m, borders: gpd.GeoDataFrame, service_areas: pd.DataFrame | None,
                   centres: gpd.GeoDataFrame | None, web: str, lang: str) -> None:
    import folium

    name_col = "name_sv" if lang == "sv" and "name_sv" in borders.columns else \
        "name_fi" if "name_fi" in borders.columns else "municipality_code"
    b = borders[["municipality_code", name_col, "geometry"]].rename(columns={name_col: "label"})
    if service_areas is not None:
        sa = borders.merge(service_areas[["municipality_code", "service_area"]], on="municipality_code")
        sa = sa.dissolve("service_area").reset_index()[["service_area", "geometry"]]
        sa["service_area"] = sa["service_area"].map(lambda a: area_name(a, lang))  # Swedish in Swedish
        folium.GeoJson(feature_collection(escaped_props(to_web(sa, web))), name=t("map.areas", lang),
                       style_function=lambda f: {"color": "#111", "weight": 3.2, "fill": False,
                                                 "dashArray": "7 4"},
                       tooltip=folium.GeoJsonTooltip(["service_area"],
                                                     aliases=[t("map.service_area", lang)])).add_to(m)
    folium.GeoJson(feature_collection(escaped_props(to_web(b, web))), name=t("map.borders", lang),
                   style_function=lambda f: {"color": "#444", "weight": 1.1, "fill": False},
                   tooltip=folium.GeoJsonTooltip(["label"], aliases=[t("map.municipality", lang)])
                   ).add_to(m)
    if centres is not None and len(centres):
        at = centres[["municipality_code", "geometry"]].merge(b.drop(columns="geometry"),
                                                              on="municipality_code")
        at = gpd.GeoDataFrame(at, geometry="geometry", crs=centres.crs)
    else:
        at = b.set_geometry(b.geometry.representative_point())
    at = at.to_crs(web)
    feats = []
    for _, r in at.iterrows():
        text = html_text(r["label"])
        svg = (f'<div style="{_FONT};font-size:11px;font-weight:600;color:#222;white-space:nowrap;'
               'text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;transform:translate(-50%,0)">'
               f"{text}</div>")
        feats.append(_point_feature(r.geometry.x, r.geometry.y, svg, 0, 0, 0, -7))
    _SvgPoints(feats, t("map.labels", lang), interactive=False, class_name="planner-label").add_to(m)


def _change_layer(place, units: gpd.GeoDataFrame, change: pd.DataFrame, web: str, lang: str) -> None:
    """The minutes gained / lost layer, given to ``place(layer, name)`` (the map or live layers)."""
    import folium

    u = units.merge(change[["unit_id", "delta_min"]], on="unit_id", how="left")
    u = u[u["delta_min"].notna() & (u["delta_min"].abs() >= 0.5)]
    if u.empty:
        return
    u = u.assign(colour=[change_colour(d) for d in u["delta_min"]],
                 change=[fmt_signed(d, lang) + " min" if np.isfinite(d) else
                         t("map.lost_access" if d > 0 else "map.gained_access", lang)
                         for d in u["delta_min"]])
    place(folium.GeoJson(
        feature_collection(escaped_props(to_web(u[["name", "residents_label", "change", "time_label",
                                                   "colour", "geometry"]], web))),
        name=t("map.change_layer", lang),
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#444",
                                  "weight": 0.5, "fillOpacity": 0.85},
        tooltip=folium.GeoJsonTooltip(["name", "residents_label", "change", "time_label"],
                                      aliases=[t("map.area", lang), t("map.residents", lang),
                                               t("map.change", lang), t("map.time", lang)]),
    ), t("map.change_layer", lang))


def _popup(p: pd.Series, served: dict[str, int], need: str, state: str, merged_into: str | None,
           lang: str) -> str:
    e = html_text
    lines = [f"<b>{e(p['name'])}</b>", e(category_label(p["category"], lang))]
    if state in ("closed", "opened", "changed"):
        lines.append(f'<b style="color:#b2182b">{e(t(f"map.{state}", lang))}</b>')
    if merged_into:
        lines.append(e(t("map.merged_into", lang, name=merged_into)))
    if _is_mobile(p):  # issue 14: the stop's weekly schedule, all text escaped
        lines.append(e(t("map.mobile_stop", lang, name=str(p.get("mobile_unit_name", p["mobile_unit"])))))
        lines.append(e(t("map.schedule", lang, schedule=schedule_in(p.get("schedule", ""), lang))))
        visits = float(p["visits_per_week"])
        lines.append(e(tn("map.visits", visits, lang, n=fmt_count(visits, lang),
                          wait=fmt_num(float(p["wait_days"]), lang, 2))))  # '3,00' in Finnish
    address = str(p.get("address", "") or "")
    if address and address != "nan":
        lines.append(e(address))
    prec = str(p.get("location_precision", "") or "")
    if prec:
        key = f"map.precision.{prec}"
        lines.append(f"{e(t('map.precision', lang))}: {e(t(key, lang) if key in _PRECISION else prec)}")
    if state != "closed":
        if served:
            rows = "".join(
                f"<li>{'<b>' if n == need else ''}{e(need_label(n, lang))}: {fmt_int(v, lang)}"
                f"{'</b>' if n == need else ''}</li>" for n, v in served.items())
            lines.append(f"{e(t('map.serves', lang))}:<ul style=\"margin:2px 0 0 16px;padding:0\">"
                         f"{rows}</ul>")
        else:
            lines.append(e(t("map.serves_none", lang)))
    return "<br>".join(lines)


def _is_proxy(p: pd.Series) -> bool:
    """A point standing at a stand-in position (a placeholder or a municipality proxy)."""
    if p.get("located") is False or p.get("located") == 0:
        return True
    proxy = p.get("proxy")
    if proxy is not None and not (isinstance(proxy, float) and proxy != proxy):
        return bool(proxy)
    return str(p.get("location_precision", "")) in ("municipality", "unknown")


def _precision_words(p: pd.Series, lang: str) -> str:
    """The location precision in words (the key's text, else the raw value)."""
    prec = str(p.get("location_precision", "") or "")
    key = f"map.precision.{prec}"
    return t(key, lang) if key in _PRECISION else prec


def _is_mobile(p: pd.Series) -> bool:
    unit = p.get("mobile_unit")
    return isinstance(unit, str) and unit != ""


def _tour_layer(place, points: gpd.GeoDataFrame, state: dict[str, str], web: str, lang: str) -> None:
    """Each mobile unit's tour: a line through its open stops in schedule order (first visit),
    given to ``place(layer, name)`` (the map or live layers)."""
    import folium

    from ..analysis.mobile import tour_order

    if "mobile_unit" not in points.columns:
        return
    stops = points[points["mobile_unit"].map(lambda u: isinstance(u, str) and u != "")]
    stops = stops[stops["id"].map(lambda i: state.get(i) != "closed")].drop_duplicates("stop_id")
    if stops.empty:
        return
    stops = tour_order(stops)
    group = folium.FeatureGroup(name=t("map.tour_layer", lang))
    for unit, s in stops.to_crs(web).groupby("mobile_unit", sort=False):
        if len(s) < 2:
            continue
        name = s["mobile_unit_name"].iloc[0] if "mobile_unit_name" in s.columns else unit
        # folium writes a tooltip between JavaScript backticks: escaped for that, not only for HTML
        folium.PolyLine([(g.y, g.x) for g in s.geometry], color="#333333", weight=3, dash_array="6 4",
                        tooltip=js_template_html(t("map.mobile_tour", lang, name=str(name)))).add_to(group)
    place(group, t("map.tour_layer", lang))


_PRECISION = {"map.precision.address", "map.precision.postal_area", "map.precision.locality",
              "map.precision.municipality", "map.precision.unknown"}


# points closer than this (metres, EPSG:3067) share a site: their markers stand on a ring
RING_TOLERANCE_M = 30.0


def ring_offsets(x: np.ndarray, y: np.ndarray, tolerance_m: float = RING_TOLERANCE_M,
                 icon_px: int = 18) -> np.ndarray:
    """Pixel offsets ``(dx, dy)`` per point that spread the markers of one site on a ring.

    ``x, y`` in metres (EPSG:3067). Points within ``tolerance_m`` of a site's first point form
    its group; a group of n > 1 stands on a circle of radius ``max(13, (icon/2 + 2) / sin(pi/n))`` px
    around the site (first marker at the top, then clockwise, in input order), so no two markers
    of one site overlap at any zoom. A lone point keeps (0, 0).

    >>> ring_offsets(np.array([0.0, 5.0, 900.0]), np.array([0.0, 0.0, 0.0])).round(1).tolist()
    [[0.0, -13.0], [0.0, 13.0], [0.0, 0.0]]
    """
    n = len(x)
    group = np.full(n, -1)
    anchors: list[int] = []
    for i in range(n):
        for a in anchors:
            if (x[i] - x[a]) ** 2 + (y[i] - y[a]) ** 2 <= tolerance_m ** 2:
                group[i] = a
                break
        else:
            anchors.append(i)
            group[i] = i
    out = np.zeros((n, 2))
    for a in anchors:
        members = np.flatnonzero(group == a)
        k = len(members)
        if k < 2:
            continue
        r = max(13.0, (icon_px / 2 + 2) / np.sin(np.pi / k))
        ang = -np.pi / 2 + 2 * np.pi * np.arange(k) / k
        out[members, 0] = np.round(r * np.cos(ang), 1)
        out[members, 1] = np.round(r * np.sin(ang), 1)
    return out + 0.0  # no negative zeros


def _ringed(svg: str, dx: float, dy: float, size: int = 18) -> str:
    """``svg`` (a marker drawn ``(dx, dy)`` px off its site) with a leg and a dot at the site."""
    if dx == 0 and dy == 0:
        return svg
    c = size / 2
    leg = (f'<line x1="{c}" y1="{c}" x2="{c - dx:.1f}" y2="{c - dy:.1f}" stroke="#222" stroke-width="1.3"/>'
           f'<circle cx="{c - dx:.1f}" cy="{c - dy:.1f}" r="2.6" fill="#222" stroke="#fff" '
           'stroke-width="0.8"/>')
    head, sep, body = svg.partition(">")
    return head.replace("<svg ", '<svg style="overflow:visible" ', 1) + sep + leg + body


def _points_layers(m, points: gpd.GeoDataFrame, load: pd.DataFrame | None, need: str,
                   state: dict[str, str], merges: dict[str, str], web: str, lang: str,
                   cluster_points: bool = False, place=None) -> None:
    """The service-point layers. Points of one site stand on a ring around it (each keeps its own
    marker, title and popup); with ``cluster_points`` they join one marker-cluster group instead
    (spread by a click), for maps with many points."""
    served: dict[str, dict[str, int]] = {}
    if load is not None and len(load):
        per = load.groupby(["id", "need"], sort=False)["residents"].sum()
        order = {n: i for i, n in enumerate(NEEDS)}
        for (pid, n), v in sorted(per.items(), key=lambda kv: order.get(kv[0][1], 99)):
            served.setdefault(pid, {})[n] = int(v)
    names = points.set_index("id")["name"]
    names = names[~names.index.duplicated()]
    p4 = points.to_crs(web)
    offsets = np.zeros((len(points), 2)) if cluster_points else ring_offsets(
        points.geometry.x.to_numpy(dtype=float), points.geometry.y.to_numpy(dtype=float))
    layers: dict[str, list[dict]] = {}
    for (_, p), (dx, dy) in zip(p4.iterrows(), offsets, strict=True):
        st = state.get(p["id"], "open")
        into = merges.get(p["id"])
        popup = _popup(p, served.get(p["id"], {}), need, st, names.get(into, into) if into else None,
                       lang)
        tip = f"{html_text(p['name'])} ({html_text(category_label(p['category'], lang))})"
        key = st if st in ("closed", "opened") else p["category"]
        look = st
        if _is_proxy(p):  # issue 23: a proxy site (municipal centre) is drawn hollow, precision said;
            # closed, it keeps the red cross the legend shows for closed points
            look = "closed-placeholder" if st == "closed" else "placeholder"
            tip = tip + " — " + html_text(_precision_words(p, lang))
        label = f"{p['name']} ({category_label(p['category'], lang)})"  # plain text: marker_svg escapes
        svg = _ringed(marker_svg(p["category"], state=look, label=label), dx, dy)
        layers.setdefault(key, []).append(_point_feature(
            p.geometry.x, p.geometry.y, svg, 18, 18,
            round(9 - dx, 1), round(9 - dy, 1), popup, tip, html_text(p["name"]), st))
    cluster = _marker_cluster(m) if cluster_points else None
    place = place or (lambda layer, name: layer.add_to(m))
    for cat in CATEGORIES:
        if cat in layers:
            name = t("map.points_layer", lang, category=category_label(cat, lang))
            place(_SvgPoints(layers[cat], name, cluster=cluster), name)
    for st in ("closed", "opened"):
        if st in layers:
            name = t(f"map.{st}_layer", lang)
            place(_SvgPoints(layers[st], name, cluster=cluster), name)


def scenario_map(study, results, need: str = "social_any", group: str = "fi", applied=None,
                 changes: pd.DataFrame | None = None, tiles: str | None = "OpenStreetMap",
                 lang: str = "en", compact: bool = False, catchments: bool = False, baseline=None,
                 into=None, side: str | None = None, cluster_points: bool = False,
                 live: LiveLayers | None = None, frame: bool = True, show_catchments: bool = False):
    """The map of a :class:`planner.analysis.study.Study` for a baseline or scenario result.

    ``applied`` (:class:`planner.analysis.scenario.Applied`) marks closed and opened points;
    ``changes`` (:func:`planner.analysis.comparison.unit_changes`) adds the minutes gained/lost layer.
    ``catchments`` adds the catchment areas of ``results`` (and of ``baseline``, when given,
    as a second layer: before / after), hidden until switched on in the layer control, or, with
    ``show_catchments`` (the app's "Catchment areas" switch), those of ``results`` on at once.
    ``frame=False`` (with ``live``) leaves out the fixed frame's borders and labels: the caller
    wants only the live layers, drawn over a frame it already has.
    """
    if not frame and live is None:
        raise ValueError("frame=False leaves only the live layers: give live")
    points, state, merges = study.points, None, None
    if applied is not None:
        points = pd.concat([applied.points, applied.closed_points], ignore_index=True)
        points = gpd.GeoDataFrame(points, geometry="geometry", crs=study.points.crs)
        state, merges = applied.state, applied.merges
    change = _select_change(changes, need, group) if changes is not None else None
    prov = dict(results.provenance)
    if changes is not None:  # issue 24: a mean that improves only by lost access, said in the title
        lost = exclusion_of(changes, need, group)
        if lost:
            prov["improved_by_exclusion"] = int(lost)  # residents (the title says the number)
    layers, shown = None, ()
    if catchments:
        from .catchments import catchment_areas, catchment_layer_name

        layers = {}
        if baseline is not None:
            layers[catchment_layer_name("before", lang)] = catchment_areas(
                study.units, baseline.access, points, need, group)
        now = catchment_layer_name("after" if baseline is not None else "now", lang)
        layers[now] = catchment_areas(study.units, results.access, points, need, group)
        shown = (now,) if show_catchments else ()
    return accessibility_map(study.units, results.access, points, prov, need=need,
                             group=group, borders=study.borders if frame else None,
                             service_areas=study.service_areas,
                             load=results.load, change=change, point_state=state, tiles=tiles,
                             settings=study.settings, lang=lang, merges=merges, centres=study.centres,
                             compact=compact, catchments=layers, catchments_shown=shown, into=into,
                             side=side, cluster_points=cluster_points, live=live)


def exclusion_of(changes: pd.DataFrame, need: str, group: str) -> int:
    """Residents who lost access where the mean over those served of ``need`` / ``group`` (whole
    region) improves only because of them (issue 24: ``improved_by_exclusion``), else 0."""
    from ..analysis.comparison import area_changes

    sel = changes[changes["need"] == need]
    if group != "all":
        sel = sel[sel["group"] == group]
    if sel.empty:
        return 0
    units = pd.DataFrame({"unit_id": pd.unique(sel["unit_id"])})
    reg = area_changes(sel, units, None)
    row = reg[(reg["need"] == need) & (reg["group"] == group)]
    flagged = len(row) and bool(row["improved_by_exclusion"].iloc[0])
    return int(row["pop_lost_access"].iloc[0]) if flagged else 0


def save_map(m, path: str | Path) -> Path:
    """Write the map as one self-contained HTML file (Leaflet inlined; opens offline)."""
    from .html import save_self_contained

    return save_self_contained(m, path)
