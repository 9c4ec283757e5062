"""The HTML map of ``planner points diff``: one self-contained file, every register text escaped.

Each change kind is a layer: added points (red outline), removed points (crossed out), moves
(the old site hollow, a line to the new one), recategorised, re-dated and retargeted points.
Popups and tooltips are user text (names from the registers) and go through
:func:`~planner.escape.js_template_html`; the title and legend through
:func:`~planner.escape.html_text`; the page's own blocks enter it through
:func:`~planner.escape.html_element` (markup as data, never as template source).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..escape import html_element, html_text, js_template_html
from ..inputs.categories import CATEGORIES

__all__ = ["diff_map", "write_diff_map"]

_STATE = {"added": "opened", "removed": "closed", "moved": "open", "recategorised": "open",
          "redated": "open", "retargeted": "open"}
_LABEL = {"added": "Added", "removed": "Removed", "moved": "Moved", "recategorised": "Recategorised",
          "redated": "Re-dated", "retargeted": "Target group changed"}


def _popup(r: pd.Series) -> str:
    parts = [f"<b>{js_template_html(r['name'])}</b>", f"id: {js_template_html(r['id'])}",
             js_template_html(f"{_LABEL[r['change']]}: {r['detail']}")]
    if r["category_old"] and r["category_new"] and r["category_old"] != r["category_new"]:
        parts.append(js_template_html(f"category: {r['category_old']} → {r['category_new']}"))
    return "<br>".join(parts)


def diff_map(diff: pd.DataFrame, old_name: str, new_name: str, threshold_m: float,
             tiles: str | None = "OpenStreetMap"):
    """A folium map of ``diff`` (the table of :func:`planner.inputs.registers.diff.diff_points`)."""
    import folium

    from .maps import _FONT, _point_feature, _SvgPoints, _title_html, marker_svg

    m = folium.Map(tiles=None, control_scale=True, zoom_snap=0.5)
    lons = pd.concat([diff["lon_old"], diff["lon_new"]]).dropna()
    lats = pd.concat([diff["lat_old"], diff["lat_new"]]).dropna()
    if len(lons):
        m.fit_bounds([[float(lats.min()), float(lons.min())], [float(lats.max()), float(lons.max())]],
                     padding_top_left=(20, 100), padding_bottom_right=(20, 30), max_zoom=14)
    else:  # nothing changed: Uusimaa
        m.fit_bounds([[59.8, 23.0], [60.8, 26.6]])
    if tiles:
        folium.TileLayer(tiles, name="Base map", control=True).add_to(m)
    m.get_root().header.add_child(html_element(
        "<style>body .planner-icon{background:none;border:none}"
        f"body .leaflet-popup-content,body .leaflet-tooltip,body .leaflet-control-layers{{{_FONT}}}</style>"),
        name="planner_style")
    for change, sub in diff.groupby("change", sort=False):
        feats = []
        for _, r in sub.iterrows():
            cat = r["category_new"] or r["category_old"]
            if cat not in CATEGORIES:
                continue
            popup = _popup(r)
            tip = js_template_html(f"{_LABEL[change]}: {r['name']}")
            if change == "moved" and not np.isnan(r["lon_old"]):
                feats.append(_point_feature(r["lon_old"], r["lat_old"], marker_svg(cat, state="placeholder"),
                                            18, 18, 9, 9, popup, js_template_html(f"old site: {r['name']}"),
                                            title=html_text(r["name"]), state="open"))
                if not np.isnan(r["distance_m"]):
                    folium.PolyLine([[r["lat_old"], r["lon_old"]], [r["lat_new"], r["lon_new"]]],
                                    color="#d7191c", weight=2, dash_array="4 3").add_to(m)
            lon, lat = (r["lon_old"], r["lat_old"]) if change == "removed" else (r["lon_new"], r["lat_new"])
            feats.append(_point_feature(lon, lat, marker_svg(cat, state=_STATE[change]), 18, 18, 9, 9,
                                        popup, tip, title=html_text(r["name"]), state=_STATE[change]))
        _SvgPoints(feats, name=f"{_LABEL[change]} ({len(sub)})").add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    counts = diff["change"].value_counts()
    lines = [f"Service points: {old_name} → {new_name}",
             "; ".join(f"{_LABEL[c].lower()} {int(counts.get(c, 0))}" for c in _LABEL),
             f"moved = more than {threshold_m:g} m apart (EPSG:3067); a hollow marker is the old site"]
    m.get_root().html.add_child(html_element(_title_html(lines)))  # file names: user text, as data
    return m


def write_diff_map(diff: pd.DataFrame, path: str | Path, old_name: str, new_name: str,
                   threshold_m: float, tiles: str | None = "OpenStreetMap") -> Path:
    """Write the diff map as one self-contained HTML file (Leaflet inlined)."""
    from .maps import save_map

    return save_map(diff_map(diff, old_name, new_name, threshold_m, tiles), path)
