"""The travel-time model interface, the origin x point matrix and the functions that ask a
model for times, errors and its calibration range (minutes; coordinates in metres, EPSG:3067).

Kept apart from the package's ``__init__`` so that :mod:`planner.traveltime.intrazonal` can use
them without importing the package that imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from ..errors import DataError
from ..settings import DEFAULT_SETTINGS, ModeParams, Settings

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

    A plain line for hand-made cases and what-if tests; the planner's default is the
    calibrated :func:`estimate_model`, whose speed and access depend on trip length.
    Its error is unknown: ``error_p90_min`` is NaN.

    >>> m = StraightLineModel("walk", ModeParams(4.2, 1.18, 0.0, "example"))
    >>> float(m.times(np.array([[0.0, 0.0]]), np.array([[700.0, 0.0]]))[0, 0])  # 700 m x 1.18 / 70 m/min
    11.8
    """

    mode: str
    params: ModeParams
    model: str = STRAIGHT_LINE

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

    def error_p90_min(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """Unknown for a hand-set line: NaN."""
        return np.full((len(np.reshape(origins, (-1, 2))), len(np.reshape(destinations, (-1, 2)))),
                       np.nan)


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
    ``error_model``: the model, when it states its error (``error_p90_min``), else None.
    ``coverage``: for an imported matrix, which points and origins it answers
    (:class:`planner.traveltime.imported.Coverage`), else None.
    """

    origin_ids: np.ndarray
    point_ids: np.ndarray
    time_min: np.ndarray
    provenance: dict[str, str] = field(default_factory=dict)
    error_model: object | None = None
    coverage: object | None = None

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
            self.error_model,
            self.coverage,
        )

    def to_long(self) -> pd.DataFrame:
        """Tidy form ``from_id, to_id, time_min``."""
        n, m = self.time_min.shape
        return pd.DataFrame({
            "from_id": np.repeat(self.origin_ids, m),
            "to_id": np.tile(self.point_ids, n),
            "time_min": self.time_min.ravel(),
        })


def check_matrix_cells(n_rows: int, n_points: int, settings: Settings = DEFAULT_SETTINGS,
                       rows: str = "origins") -> None:
    """A DataError before a dense ``n_rows x n_points`` matrix larger than
    ``settings.max_matrix_cells`` is allocated, saying how to proceed."""
    cells = int(n_rows) * int(n_points)
    if cells > settings.max_matrix_cells:
        raise DataError(f"{n_rows:,} {rows} x {n_points:,} service points = {cells / 1e6:,.1f} M travel "
                        f"times, more than the {settings.max_matrix_cells / 1e6:,.0f} M this planner "
                        f"computes at once ({8 * cells / 1e9:,.1f} GB per copy, and a run holds several): "
                        "use a smaller area or fewer points (one municipality's, or --date for one day's "
                        "network), or split the demand grid into chunks "
                        "and run each (settings.max_matrix_cells)")


def model_times(model: TravelTimeModel, origins: np.ndarray, destinations: np.ndarray,
                destination_ids: np.ndarray | list | None = None, rows: str = "origins") -> np.ndarray:
    """``model.times``, giving the destinations' point ids to a model that matches destinations
    by id (an imported matrix keyed by ids: points sharing a site keep their own times).
    Refused before allocation when larger than ``settings.max_matrix_cells`` (``rows``: what
    the origins are, for that message)."""
    check_matrix_cells(len(np.reshape(origins, (-1, 2))), len(np.reshape(destinations, (-1, 2))),
                       getattr(model, "settings", DEFAULT_SETTINGS), rows)
    if destination_ids is not None and getattr(model, "needs_destination_ids", False):
        return model.times(origins, destinations, destination_ids=np.asarray(destination_ids, dtype=object))
    return model.times(origins, destinations)


def _ids_kw(model: object, ids: np.ndarray | list | None) -> dict[str, np.ndarray]:
    if ids is not None and getattr(model, "needs_destination_ids", False):
        return {"destination_ids": np.asarray(ids, dtype=object)}
    return {}


def extrapolated(model: object | None, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """(n, m) True where ``model`` says a pair lies beyond its calibration range (issue 24);
    False for models without a calibration range and for unlocated origins."""
    o = np.asarray(origins, float).reshape(-1, 2)
    d = np.asarray(destinations, float).reshape(-1, 2)
    out = np.zeros((len(o), len(d)), dtype=bool)
    fn = getattr(model, "extrapolated", None)
    ok = np.isfinite(o).all(axis=1)
    if callable(fn) and ok.any() and len(d):
        out[ok] = np.asarray(fn(o[ok], d), bool)
    return out


def error_p90_min(model: object | None, origins: np.ndarray, destinations: np.ndarray,
                  destination_ids: np.ndarray | list | None = None) -> np.ndarray:
    """(n, m) p90 absolute error (min) of ``model``'s times; NaN where the model has no known error.

    Unlocated origins (NaN coordinates) give NaN. ``destination_ids``: see :func:`model_times`.
    """
    o = np.asarray(origins, float).reshape(-1, 2)
    d = np.asarray(destinations, float).reshape(-1, 2)
    out = np.full((len(o), len(d)), np.nan)
    fn = getattr(model, "error_p90_min", None)
    ok = np.isfinite(o).all(axis=1)
    if callable(fn) and ok.any() and len(d):
        out[ok] = np.asarray(fn(o[ok], d, **_ids_kw(model, destination_ids)), float)
    return out
