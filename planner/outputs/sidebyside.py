"""Before / after side by side: two synchronised maps on one page (folium ``DualMap``).

The left map is the baseline, the right one the scenario, in the same travel-time palette;
panning or zooming either moves both (Leaflet.Sync, vendored in ``planner/assets``), so a
workshop reads the same place before and after. :func:`side_by_side_html` returns the
self-contained page (for ``planner map --side-by-side`` and for the app, e.g. through
``streamlit.components.v1.html``).
"""

from __future__ import annotations

from pathlib import Path

from ..escape import html_element, html_text
from .i18n import t

__all__ = ["side_by_side_map", "side_by_side_html", "save_side_by_side"]

_DIVIDER = ('<div id="planner-divider" style="position:absolute;top:0;bottom:0;left:50%;width:3px;'
            'margin-left:-1px;background:#222;z-index:1000;pointer-events:none"></div>'
            # the credits clear the scale bar of the left map
            "<style>body #planner-credits{bottom:52px !important}</style>")


def side_by_side_map(study, baseline, results, applied, need: str = "social_any", group: str = "fi",
                     tiles: str | None = "OpenStreetMap", lang: str = "en", catchments: bool = False,
                     cluster_points: bool = False):
    """A :class:`folium.plugins.DualMap`: ``baseline`` left, the scenario ``results`` (with
    ``applied``'s closed and opened points) right, both maps kept in step.

    ``catchments`` adds each side's catchment areas as a layer (hidden at first).
    """
    from folium.plugins import DualMap

    from .maps import scenario_map

    dm = DualMap(layout="horizontal", tiles=None, control_scale=True, prefer_canvas=True, zoom_snap=0.5)
    scenario_map(study, baseline, need, group, tiles=tiles, lang=lang, catchments=catchments,
                 into=dm.m1, side="left", cluster_points=cluster_points)
    scenario_map(study, results, need, group, applied=applied, tiles=tiles, lang=lang,
                 catchments=catchments, into=dm.m2, side="right", cluster_points=cluster_points)
    dm.get_root().html.add_child(html_element(_DIVIDER), name="planner_divider")
    dm.get_root().title = html_text(t("map.side_title", lang, name=results.provenance.get("scenario", "")))
    return dm


def side_by_side_html(study, baseline, results, applied, need: str = "social_any", group: str = "fi",
                      tiles: str | None = "OpenStreetMap", lang: str = "en", catchments: bool = False,
                      cluster_points: bool = False) -> str:
    """The side-by-side page as one self-contained HTML string (Leaflet and plugins inlined)."""
    from .html import self_contained

    return self_contained(side_by_side_map(study, baseline, results, applied, need, group, tiles, lang,
                                           catchments, cluster_points))


def save_side_by_side(page: str, path: str | Path) -> Path:
    """Write the page atomically (a failed write leaves the previous file untouched)."""
    from ..atomic import atomic_file

    path = Path(path)
    with atomic_file(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path
