"""Travel-time models and the origin x service-point matrix.

A model turns origin and destination coordinates (metres, EPSG:3067) into a matrix
of travel times in minutes. Two models stand behind one interface: the
straight-line estimate here and the road network from OpenStreetMap
(:mod:`planner.network`). Matrices carry the model's provenance so every table
built from them can say which model produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from ..settings import DEFAULT_SETTINGS, ModeParams, Settings

__all__ = [
    "STRAIGHT_LINE",
    "TravelTimeModel",
    "StraightLineModel",
    "TravelTimeMatrix",
    "travel_time_matrix",
    "xy",
]

STRAIGHT_LINE = "straight-line estimate"


@runtime_checkable
class TravelTimeModel(Protocol):
    """What every travel-time model provides.

    ``times(origins, destinations)`` takes (n, 2) and (m, 2) arrays of EPSG:3067
    coordinates in metres and returns an (n, m) float array of minutes, ``inf``
    where a destination cannot be reached. ``provenance()`` says which model, mode
    and data produced the numbers.
    """

    model: str
    mode: str

    def times(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray: ...

    def provenance(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class StraightLineModel:
    """time_min = straight-line distance x circuity / speed + access time.

    Parameters come from :class:`planner.settings.ModeParams` (see the README for
    their calibration against routed travel times).

    >>> m = StraightLineModel.for_mode("walk")
    >>> float(m.times(np.array([[0.0, 0.0]]), np.array([[700.0, 0.0]]))[0, 0])  # 700 m x 1.18 / 70 m/min
    11.8
    """

    mode: str
    params: ModeParams
    model: str = STRAIGHT_LINE

    @classmethod
    def for_mode(cls, mode: str, settings: Settings = DEFAULT_SETTINGS) -> StraightLineModel:
        return cls(mode="drive" if mode == "car" else mode, params=settings.mode(mode))

    def times(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        d = cdist(np.asarray(origins, float).reshape(-1, 2), np.asarray(destinations, float).reshape(-1, 2))
        p = self.params
        return d * p.circuity / p.metres_per_minute() + p.access_min

    def provenance(self) -> dict[str, str]:
        p = self.params
        return {
            "model": self.model,
            "mode": self.mode,
            "network_source": "none (straight-line distance)",
            "osm_date": "n/a",
            "model_parameters": f"speed {p.speed_kmh:g} km/h, circuity {p.circuity:g}, "
            f"access {p.access_min:g} min",
            "model_parameter_source": p.source,
        }


def xy(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """(n, 2) EPSG:3067 coordinates of point geometries (or of x_m / y_m columns)."""
    if isinstance(gdf, gpd.GeoDataFrame) and {"x_m", "y_m"} <= set(gdf.columns):
        return gdf[["x_m", "y_m"]].to_numpy(dtype=float)
    geom = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    if geom.crs is not None and geom.crs.is_geographic:
        raise ValueError("coordinates are geographic (degrees); project to EPSG:3067 first")
    return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])


@dataclass(frozen=True)
class TravelTimeMatrix:
    """Travel times from demand units (rows) to service points (columns), minutes.

    ``inf`` = unreachable, ``nan`` = the origin has no location (unlocated residents).
    """

    origin_ids: np.ndarray
    point_ids: np.ndarray
    time_min: np.ndarray
    provenance: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.time_min.shape != (len(self.origin_ids), len(self.point_ids)):
            raise ValueError(f"matrix shape {self.time_min.shape} does not match "
                             f"{len(self.origin_ids)} origins x {len(self.point_ids)} points")

    def columns(self, point_ids: list[str] | np.ndarray) -> np.ndarray:
        """Sub-matrix for ``point_ids`` (in that order)."""
        index = {p: j for j, p in enumerate(self.point_ids)}
        missing = [p for p in point_ids if p not in index]
        if missing:
            raise KeyError(f"points not in the matrix: {missing}")
        return self.time_min[:, [index[p] for p in point_ids]]

    def with_points(self, point_ids: list[str], time_min: np.ndarray) -> TravelTimeMatrix:
        """A new matrix with extra columns (e.g. newly opened points)."""
        return TravelTimeMatrix(
            self.origin_ids,
            np.concatenate([self.point_ids, np.asarray(point_ids, dtype=object)]),
            np.hstack([self.time_min, np.asarray(time_min, float).reshape(len(self.origin_ids), -1)]),
            dict(self.provenance),
        )

    def to_long(self) -> pd.DataFrame:
        """Tidy form ``from_id, to_id, time_min``."""
        n, m = self.time_min.shape
        return pd.DataFrame({
            "from_id": np.repeat(self.origin_ids, m),
            "to_id": np.tile(self.point_ids, n),
            "time_min": self.time_min.ravel(),
        })


def travel_time_matrix(model: TravelTimeModel, units: gpd.GeoDataFrame,
                       points: gpd.GeoDataFrame) -> TravelTimeMatrix:
    """Matrix from every demand unit to every service point (unlocated units: NaN rows)."""
    origins = xy(units)
    located = np.isfinite(origins).all(axis=1)
    times = np.full((len(units), len(points)), np.nan)
    if located.any() and len(points):
        times[located] = model.times(origins[located], xy(points))
    return TravelTimeMatrix(
        units["unit_id"].to_numpy(dtype=object),
        points["id"].to_numpy(dtype=object),
        times,
        model.provenance(),
    )
