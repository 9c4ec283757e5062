"""Travel-time models and the origin x service-point matrix.

A model turns origin and destination coordinates (metres, EPSG:3067) into a matrix
of travel times in minutes. Models behind one interface: the calibrated estimate
(:mod:`planner.traveltime.estimate`, the default: a curve of straight-line distance
fitted per mode), the road network from OpenStreetMap (:mod:`planner.traveltime.network`)
and :class:`StraightLineModel` (a plain speed/circuity/access line for hand-made cases).
Matrices carry the model's provenance so every table built from them can say which
model produced it.

Optional error interface: a model whose error is known provides
``error_p90_min(origins, destinations) -> ndarray`` of shape (n, m): the 90th
percentile of its absolute error (minutes) for trips like each origin-destination
pair, NaN where unknown. Models without it (OSM network, imported matrices) get NaN
in the ``time_error_p90_min`` columns (:func:`error_p90_min`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from .estimate import estimate_model
from .model import (
    STRAIGHT_LINE,
    StraightLineModel,
    TravelTimeMatrix,
    TravelTimeModel,
    _ids_kw,
    check_matrix_cells,
    error_p90_min,
    extrapolated,
    model_times,
    xy,
)

__all__ = [
    "STRAIGHT_LINE",
    "error_p90_min",
    "extrapolated",
    "estimate_model",
    "check_matrix_cells",
    "model_times",
    "TravelTimeModel",
    "StraightLineModel",
    "TravelTimeMatrix",
    "travel_time_matrix",
    "xy",
]


def travel_time_matrix(model: TravelTimeModel, units: gpd.GeoDataFrame,
                       points: gpd.GeoDataFrame) -> TravelTimeMatrix:
    """Matrix from every demand unit to every service point (unlocated units: NaN rows).

    A point inside a unit's own polygon gets the mean time from across that polygon
    (:mod:`planner.traveltime.intrazonal`), not the ~0 min from the unit's origin point.
    """
    from .intrazonal import INTRAZONAL_NOTE, unit_point_times

    ids = points["id"].to_numpy(dtype=object)
    coverage = None
    if callable(getattr(model, "coverage", None)):  # an imported matrix: what it covers
        origins = xy(units)
        located = np.isfinite(origins).all(axis=1)
        coverage = model.coverage(origins[located], xy(points), **_ids_kw(model, ids))
        if callable(getattr(model, "check_coverage", None)):  # answers nothing: a wrong file or key
            model.check_coverage(coverage)
    times = unit_point_times(model, units, xy(points), point_ids=ids)
    provenance = {**model.provenance(), "intrazonal_trips": INTRAZONAL_NOTE}
    if coverage is not None:
        note = coverage.note(getattr(model, "fallback_text", lambda: None)())
        read = getattr(model, "reading_note", lambda: "")()
        provenance["matrix_coverage"] = f"{note}; {read}" if read else note
    return TravelTimeMatrix(
        units["unit_id"].to_numpy(dtype=object),
        points["id"].to_numpy(dtype=object),
        times,
        provenance,
        model if callable(getattr(model, "error_p90_min", None)) else None,
        coverage,
    )
