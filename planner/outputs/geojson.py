"""GeoDataFrames as the GeoJSON the maps carry: WGS84 (the map edge only), rounded, escaped.

Shared by the map (:mod:`planner.outputs.maps`) and its catchment layers
(:mod:`planner.outputs.catchments`).
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..escape import html_text

__all__ = ["feature_collection", "to_web", "escaped_props"]


def to_web(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """To WGS84 with coordinates rounded to 5 decimals (about 1 m): smaller files."""
    out = gdf.to_crs(crs)
    return out.set_geometry(shapely.transform(out.geometry.values, lambda c: np.round(c, 5)))


def escaped_props(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every text property HTML-escaped: GeoJsonTooltip writes the values as HTML."""
    out = gdf.copy()
    for col in out.columns:
        if col != out.geometry.name and (out[col].dtype == object
                                         or pd.api.types.is_string_dtype(out[col].dtype)):
            out[col] = out[col].map(html_text)
    return out


def feature_collection(gdf: gpd.GeoDataFrame) -> dict:
    """``gdf`` (WGS84) as a GeoJSON FeatureCollection dict, missing values as null.

    The geometries go through shapely's vectorised ``to_geojson`` (C) instead of geopandas'
    per-feature ``__geo_interface__``: the app rebuilds these layers on every scenario change,
    and the per-coordinate Python loop was half of a map's build time."""
    geom = gdf.geometry.name
    props = pd.DataFrame(gdf.drop(columns=geom))
    props = props.astype(object).where(props.notna(), None)
    shapes = shapely.to_geojson(gdf.geometry.values)
    return {"type": "FeatureCollection", "features": [
        {"id": str(i), "type": "Feature", "properties": p,
         "geometry": json.loads(g) if g is not None else None}
        for i, p, g in zip(gdf.index, props.to_dict("records"), shapes, strict=True)]}
