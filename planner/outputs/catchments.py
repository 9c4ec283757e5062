"""Catchment areas: the demand units whose assigned (nearest) point is P, dissolved into one
polygon per point, with its residents and median minutes; before and after a scenario.

Computed in the study's metric CRS (EPSG:3067) from :func:`planner.analysis.accessibility.unit_access`
rows; only :func:`catchment_layer` projects to WGS84, at the web-map edge. No resident is
dropped: every located resident with a point in reach is in exactly one catchment of their
language group, the rest are counted as ``unreached`` (no eligible point) or ``unlocated``
(no position), so ``population == sum(residents) + unreached + unlocated``. For the group
``all`` a unit may belong to two catchments (its Finnish and Swedish speakers' points differ);
its residents are split between them, never counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ..escape import html_text
from ..quantiles import weighted_quantile
from ..settings import DEFAULT_SETTINGS, Settings
from .i18n import t

__all__ = ["Catchments", "catchment_areas", "catchment_change", "catchment_layer", "catchment_colours",
           "catchment_layer_name", "PALETTE"]

# Okabe-Ito-like qualitative palette (colour-blind safe), then ColorBrewer Set3 for more points
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
           "#8dd3c7", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#bc80bd",
           "#ccebc5", "#ffed6f")

def _t(key: str, lang: str) -> str:
    """This module's interface text, from the translation table (keys ``catch.*``)."""
    return t(f"catch.{key}", lang)


@dataclass(frozen=True)
class Catchments:
    """Catchments of one need and language group, and the residents in none of them."""

    areas: gpd.GeoDataFrame  # point_id, name, category, residents, median_min, units, geometry (3067)
    population: int  # every resident of the group (located or not)
    unreached: int  # located residents with no eligible point in reach
    unlocated: int  # residents whose unit has no position

    @property
    def in_catchments(self) -> int:
        return int(self.areas["residents"].sum())


def _rows(access: pd.DataFrame, need: str, group: str) -> pd.DataFrame:
    sel = access[access["need"] == need]
    if group != "all":
        sel = sel[sel["group"] == group]
    if sel.empty:
        raise ValueError(f"no access rows for need {need!r} and group {group!r}")
    return sel


def catchment_areas(units: gpd.GeoDataFrame, access: pd.DataFrame, points: pd.DataFrame, need: str,
                    group: str = "all") -> Catchments:
    """One polygon per point: the units whose ``need`` residents of ``group`` it serves.

    ``units`` demand units (EPSG:3067, ``unit_id``, geometry), ``access`` rows of
    :func:`planner.analysis.accessibility.unit_access` (a baseline or scenario result), ``points``
    the service points (``id``, ``name``, ``category``; closed ones may be left out).
    ``median_min`` is the population-weighted median travel time of the catchment's residents.
    """
    sel = _rows(access, need, group)
    pop = sel["population"].to_numpy(dtype="int64")
    located = sel["located"].to_numpy(dtype=bool)
    pid = sel["point_id"].fillna("").astype(str).to_numpy()
    times = sel["time_min"].to_numpy(dtype=float)
    served = located & (pid != "") & np.isfinite(times)
    unlocated = int(pop[~located].sum())
    unreached = int(pop[located & ~served].sum())
    rows = pd.DataFrame({"unit_id": sel["unit_id"].to_numpy()[served], "point_id": pid[served],
                         "population": pop[served], "time_min": times[served]})
    geom = units.set_index("unit_id").geometry
    info = pd.DataFrame(points).drop_duplicates("id").set_index("id")
    out = []
    for p, g in rows.groupby("point_id", sort=True):
        residents = int(g["population"].sum())
        shapes = geom.loc[g["unit_id"].unique()]
        out.append({
            "point_id": p,
            "name": info["name"].get(p, p) if "name" in info else p,
            "category": info["category"].get(p, "") if "category" in info else "",
            "residents": residents,
            "median_min": weighted_quantile(g["time_min"].to_numpy(), g["population"].to_numpy(float), 0.5)
            if residents > 0 else float("nan"),
            "units": int(g["unit_id"].nunique()),
            # dissolve: neighbouring units merge, a point across water keeps separate parts
            "geometry": shapes.union_all() if len(shapes) else None,
        })
    cols = ["point_id", "name", "category", "residents", "median_min", "units", "geometry"]
    areas = gpd.GeoDataFrame(pd.DataFrame(out, columns=cols), geometry="geometry", crs=units.crs)
    return Catchments(areas, int(pop.sum()), unreached, unlocated)


def catchment_change(units: gpd.GeoDataFrame, before: pd.DataFrame, after: pd.DataFrame,
                     points: pd.DataFrame, need: str, group: str = "all") -> pd.DataFrame:
    """Per point: residents and median minutes of its catchment before and after a scenario.

    ``before`` / ``after`` are the baseline's and the scenario's access rows; ``points`` every
    point of either (open and closed). A closed point has 0 residents after, an opened one 0
    before. Columns ``point_id, name, category, residents_before, residents_after,
    residents_change, median_min_before, median_min_after``.
    """
    b = catchment_areas(units, before, points, need, group).areas
    a = catchment_areas(units, after, points, need, group).areas
    keep = ["point_id", "name", "category", "residents", "median_min"]
    t = pd.merge(b[keep], a[keep], on=["point_id"], how="outer", suffixes=("_before", "_after"))
    t["name"] = t["name_after"].fillna(t["name_before"])
    t["category"] = t["category_after"].fillna(t["category_before"])
    for c in ("residents_before", "residents_after"):
        t[c] = t[c].fillna(0).astype("int64")
    t["residents_change"] = t["residents_after"] - t["residents_before"]
    return t[["point_id", "name", "category", "residents_before", "residents_after", "residents_change",
              "median_min_before", "median_min_after"]].sort_values("point_id", ignore_index=True)


def catchment_layer_name(when: str, lang: str = "en") -> str:
    """Layer name of the catchments 'now', 'before' or 'after' a scenario."""
    return _t(when, lang)


def catchment_colours(point_ids) -> dict[str, str]:
    """A stable colour per point id (sorted ids take the palette in turn)."""
    return {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(sorted(set(point_ids)))}


def catchment_layer(catchments: Catchments | gpd.GeoDataFrame, lang: str = "en",
                    settings: Settings = DEFAULT_SETTINGS, show: bool = False, name: str | None = None):
    """A folium GeoJson layer: one polygon per point in its own colour, with a tooltip of its
    point, residents and median minutes (text escaped). Projected to WGS84 here, at the map edge."""
    import folium

    from ..numbers import fmt_int, fmt_num
    from .geojson import feature_collection

    areas = catchments.areas if isinstance(catchments, Catchments) else catchments
    colours = catchment_colours(areas["point_id"])
    web = areas.to_crs(settings.web_crs)
    web = gpd.GeoDataFrame({
        "point": [html_text(x) for x in web["name"]],
        "residents_label": [fmt_int(x, lang) for x in web["residents"]],
        "median_label": [f"{fmt_num(x, lang)} min" if np.isfinite(x) else "–" for x in web["median_min"]],
        "colour": [colours[p] for p in web["point_id"]],
    }, geometry=web.geometry.values, crs=settings.web_crs)
    web = web.set_geometry(web.geometry.simplify(0.0002))  # about 15 m: a lighter page
    return folium.GeoJson(
        feature_collection(web), name=name or _t("layer", lang), show=show,
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#222",
                                  "weight": 1.4, "fillOpacity": 0.55},
        tooltip=folium.GeoJsonTooltip(["point", "residents_label", "median_label"],
                                      aliases=[_t("point", lang), _t("residents", lang), _t("median", lang)]),
    )
