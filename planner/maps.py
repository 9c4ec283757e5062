"""Folium maps: travel-time bands per demand unit, service points by category, legends.

Maps only draw what the accessibility and scenario modules computed; they compute
nothing themselves. Geometries are projected to WGS84 here, at the web-map edge.
Markers are inline SVG (no icon fonts), so the map needs no external assets beyond
Leaflet itself (see :func:`planner.html.self_contained`).
"""

from __future__ import annotations

import html
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .categories import CATEGORIES, NEEDS
from .settings import DEFAULT_SETTINGS, Settings

__all__ = ["BANDS", "band_of", "accessibility_map", "marker_svg", "save_map"]

# (upper bound in minutes, label, colour): ColorBrewer YlGnBu, colour-blind safe
BANDS: list[tuple[float, str, str]] = [
    (15, "≤ 15 min", "#253494"),
    (30, "15–30 min", "#2c7fb8"),
    (45, "30–45 min", "#41b6c4"),
    (60, "45–60 min", "#a1dab4"),
    (np.inf, "> 60 min", "#ffffcc"),
]
UNREACHABLE = ("no reachable point", "#bdbdbd")

_SHAPES = {
    "circle": '<circle cx="9" cy="9" r="7"/>',
    "square": '<rect x="2.5" y="2.5" width="13" height="13"/>',
    "calendar": '<polygon points="9,1.5 16.5,16 1.5,16"/>',
    "calendar-o": '<polygon points="9,17 16.5,2.5 1.5,2.5"/>',
    "globe": '<polygon points="9,1 17,9 9,17 1,9"/>',
    "home": '<polygon points="9,1 17,7 14,17 4,17 1,7"/>',
    "briefcase": '<polygon points="6,1 12,1 12,6 17,6 17,12 12,12 12,17 6,17 6,12 1,12 1,6 6,6"/>',
}


def marker_svg(category: str, size: int = 18, state: str = "open") -> str:
    """Inline SVG marker of a category: distinct shape and colour (Okabe-Ito palette).

    ``state`` 'closed' draws a red cross over the marker, 'opened' a thick outline.
    """
    c = CATEGORIES[category]
    stroke = "#d7191c" if state == "opened" else "#ffffff" if c.colour == "#000000" else "#000000"
    width = 3 if state == "opened" else 1.2
    cross = ('<line x1="2" y1="2" x2="16" y2="16" stroke="#d7191c" stroke-width="3"/>'
             '<line x1="16" y1="2" x2="2" y2="16" stroke="#d7191c" stroke-width="3"/>'
             if state == "closed" else "")
    opacity = 0.45 if state == "closed" else 1.0
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 18 18"><g fill="{c.colour}" fill-opacity="{opacity}" stroke="{stroke}" '
            f'stroke-width="{width}">{_SHAPES[c.marker]}</g>{cross}</svg>')


def band_of(time_min: float) -> tuple[str, str]:
    """(label, colour) of the travel-time band of ``time_min``."""
    if time_min is None or not np.isfinite(time_min):
        return UNREACHABLE
    for upper, label, colour in BANDS:
        if time_min <= upper:
            return label, colour
    return UNREACHABLE  # pragma: no cover


def _legend_html(title_lines: list[str], categories: list[str], band_title: str | None) -> str:
    rows = "".join(
        f'<div style="display:flex;align-items:center;gap:6px">{marker_svg(c, 14)}'
        f"<span>{html.escape(CATEGORIES[c].label_en)}</span></div>" for c in categories)
    bands = ""
    if band_title:
        swatches = "".join(
            f'<div style="display:flex;align-items:center;gap:6px"><span style="display:inline-block;'
            f'width:14px;height:12px;background:{col};border:1px solid #555"></span>{lab}</div>'
            for _, lab, col in BANDS)
        swatches += (f'<div style="display:flex;align-items:center;gap:6px"><span style="display:'
                     f'inline-block;width:14px;height:12px;background:{UNREACHABLE[1]};border:1px solid '
                     f'#555"></span>{UNREACHABLE[0]}</div>')
        bands = f'<div style="margin-top:6px"><b>{html.escape(band_title)}</b>{swatches}</div>'
    title = "<br>".join(html.escape(t) for t in title_lines)
    return (
        '<div id="planner-legend" style="position:fixed;bottom:24px;left:10px;z-index:9999;'
        "background:rgba(255,255,255,.93);padding:8px 10px;border:1px solid #888;border-radius:4px;"
        f'font:12px/1.35 sans-serif;max-width:290px"><div style="font-weight:bold;margin-bottom:4px">'
        f"{title}</div>{rows}{bands}</div>")


def _title_html(lines: list[str]) -> str:
    body = "<br>".join(html.escape(t) for t in lines[1:])
    return (
        '<div id="planner-title" style="position:fixed;top:10px;left:60px;z-index:9999;'
        "background:rgba(255,255,255,.93);padding:6px 10px;border:1px solid #888;border-radius:4px;"
        f'font:12px/1.35 sans-serif;max-width:460px"><div style="font-size:15px;font-weight:bold">'
        f"{html.escape(lines[0])}</div>{body}</div>")


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
):
    """A folium map of travel time to the nearest ``need`` point for language ``group``.

    Parameters
    ----------
    units, access : demand units (EPSG:3067) and :func:`planner.accessibility.unit_access` output.
    points : open service points (EPSG:3067); closed ones can be passed with ``point_state``.
    provenance : model, mode, data year and scenario, shown in the title block.
    change : optional ``unit_id, delta_min`` (after - before) for a gained/lost layer.
    point_state : ``{point_id: 'closed' | 'opened'}`` for scenario markers.
    tiles : base-map tiles, or None for a map readable without any tile server.
    """
    import folium

    web = settings.web_crs
    sel = access[(access["need"] == need) & (access["group"] == group)].set_index("unit_id")
    u = units.loc[units["located"]].copy()
    u["time_min"] = u["unit_id"].map(sel["time_min"])
    u["nearest"] = u["unit_id"].map(sel["point_id"])
    u["residents"] = u[f"pop_{group}"]
    bands = [band_of(t) for t in u["time_min"]]
    u["band"] = [b[0] for b in bands]
    u["colour"] = [b[1] for b in bands]
    u["time_label"] = [f"{t:.0f} min" if np.isfinite(t) else "unreachable" for t in u["time_min"]]
    names = points.set_index("id")["name"]
    u["nearest_name"] = u["nearest"].map(names).fillna("–")
    u4 = u.to_crs(web)
    bounds = u4.total_bounds if len(u4) else points.to_crs(web).total_bounds
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    if tiles:
        folium.TileLayer(tiles, name="Base map (OpenStreetMap)", control=True).add_to(m)

    if borders is not None:
        b4 = borders.to_crs(web)[["municipality_code", "name_fi", "geometry"]] \
            if "name_fi" in borders.columns else borders.to_crs(web)[["municipality_code", "geometry"]]
        folium.GeoJson(b4, name="Municipal borders",
                       style_function=lambda f: {"color": "#555", "weight": 1, "fill": False},
                       tooltip=folium.GeoJsonTooltip([c for c in ("name_fi", "municipality_code")
                                                      if c in b4.columns])).add_to(m)
        if service_areas is not None:
            sa = borders.merge(service_areas, on="municipality_code").dissolve("service_area")
            sa = sa.reset_index()[["service_area", "geometry"]].to_crs(web)
            folium.GeoJson(sa, name="Service areas",
                           style_function=lambda f: {"color": "#111", "weight": 3, "fill": False,
                                                     "dashArray": "6 4"},
                           tooltip=folium.GeoJsonTooltip(["service_area"])).add_to(m)

    label = NEEDS[need].label_en
    layer = folium.GeoJson(
        u4[["unit_id", "name", "residents", "time_label", "band", "nearest_name", "colour", "geometry"]],
        name=f"Travel time: {label} ({group})",
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#666",
                                  "weight": 0.4, "fillOpacity": 0.7},
        tooltip=folium.GeoJsonTooltip(["name", "residents", "time_label", "nearest_name"],
                                      aliases=["Area", "Residents", "Travel time", "Nearest point"]),
    )
    layer.add_to(m)

    if change is not None and len(change):
        _change_layer(m, u, change, web)

    _points_layer(m, points, load, need, group, point_state or {}, web)
    folium.LayerControl(collapsed=False).add_to(m)
    title = [
        f"{label} — {'Swedish speakers' if group == 'sv' else 'Finnish and other languages'}",
        f"Scenario: {provenance.get('scenario', 'baseline')}",
        f"Model: {provenance.get('model', '?')}, {provenance.get('mode', '?')}"
        f" ({provenance.get('network_source', '')})",
        f"Population data year: {provenance.get('data_year', '?')}; "
        "service points compiled from public sources",
    ]
    m.get_root().html.add_child(folium.Element(_title_html(title)))
    cats = [c for c in CATEGORIES if c in set(points["category"])]
    m.get_root().html.add_child(folium.Element(_legend_html(["Service points"], cats, "Travel time")))
    return m


def _change_layer(m, units: gpd.GeoDataFrame, change: pd.DataFrame, web: str) -> None:
    import folium

    u = units.merge(change[["unit_id", "delta_min"]], on="unit_id", how="left")
    u = u[u["delta_min"].notna() & (u["delta_min"] != 0)]

    def colour(d: float) -> str:
        if not np.isfinite(d):
            return "#67001f" if d > 0 else "#053061"
        steps = [(-20, "#2166ac"), (-10, "#67a9cf"), (-0.5, "#d1e5f0"), (0.5, "#f7f7f7"),
                 (10, "#fddbc7"), (20, "#ef8a62")]
        for upper, col in steps:
            if d <= upper:
                return col
        return "#b2182b"

    u["colour"] = [colour(d) for d in u["delta_min"]]
    u["change"] = [f"{d:+.1f} min" if np.isfinite(d) else ("lost access" if d > 0 else "gained access")
                   for d in u["delta_min"]]
    if u.empty:
        return
    folium.GeoJson(
        u.to_crs(web)[["name", "residents", "change", "colour", "geometry"]],
        name="Minutes gained (blue) / lost (red)",
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#444",
                                  "weight": 0.5, "fillOpacity": 0.8},
        tooltip=folium.GeoJsonTooltip(["name", "residents", "change"],
                                      aliases=["Area", "Residents", "Change"]),
    ).add_to(m)


def _points_layer(m, points: gpd.GeoDataFrame, load: pd.DataFrame | None, need: str, group: str,
                  state: dict[str, str], web: str) -> None:
    import folium

    served = {}
    if load is not None and len(load):
        served = load.groupby("id")["residents"].sum().to_dict()
    p4 = points.to_crs(web)
    groups: dict[str, folium.FeatureGroup] = {}
    for _, p in p4.iterrows():
        cat = CATEGORIES[p["category"]]
        fg = groups.setdefault(p["category"], folium.FeatureGroup(name=f"Points: {cat.label_en}"))
        st = state.get(p["id"], "open")
        popup = (
            f"<b>{html.escape(str(p['name']))}</b><br>{html.escape(cat.label_en)}"
            f"{' — <b>CLOSED in scenario</b>' if st == 'closed' else ''}"
            f"{' — <b>OPENED in scenario</b>' if st == 'opened' else ''}<br>"
            f"{html.escape(str(p.get('address', '') or ''))}<br>"
            f"Location precision: {html.escape(str(p.get('location_precision', '')))}<br>"
            f"Residents for whom it is the nearest (all needs it serves): "
            f"{served.get(p['id'], 0):,}")
        folium.Marker(
            [p.geometry.y, p.geometry.x],
            icon=folium.DivIcon(html=marker_svg(p["category"], state=st), icon_size=(18, 18),
                                icon_anchor=(9, 9)),
            popup=folium.Popup(popup, max_width=320),
            tooltip=f"{p['name']} ({cat.label_en})",
        ).add_to(fg)
    for fg in groups.values():
        fg.add_to(m)


def save_map(m, path: str | Path) -> Path:
    """Write the map as one HTML file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    m.save(str(path))
    return path
