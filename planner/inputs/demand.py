"""Demand units: where residents live, split by language group.

A demand unit is a polygon (postal area or 250 m grid cell) whose residents are
placed at one origin point inside it (``x_m, y_m``, EPSG:3067). Each unit carries
``pop_total = pop_fi + pop_sv``. The Swedish-speaking count is an approximation
(unit population x the municipality's Swedish share), flagged ``pop_sv_estimated``.
Units whose residents have no known location (``located`` False) keep their
population in every total but have no origin and are never drawn as if people lived
there.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import DataError
from ..settings import DEFAULT_SETTINGS, Settings

__all__ = ["DEMAND_COLUMNS", "postal_demand", "grid_demand", "split_language", "WEIGHTS",
           "need_shares", "weight_units"]

DEMAND_COLUMNS = [
    "unit_id", "unit_type", "name", "municipality_code", "municipality", "service_area",
    "pop_total", "pop_fi", "pop_sv", "pop_sv_estimated", "located", "x_m", "y_m",
]
UNLOCATED = "(unlocated)"


def split_language(pop_total: np.ndarray, sv_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer split of residents into (fi, sv) that sums exactly to ``pop_total``.

    >>> fi, sv = split_language(np.array([100, 7]), np.array([0.055, 0.5]))
    >>> fi.tolist(), sv.tolist()
    ([94, 3], [6, 4])
    """
    pop_total = np.asarray(pop_total, dtype="int64")
    sv = np.rint(pop_total * np.nan_to_num(np.asarray(sv_share, dtype=float))).astype("int64")
    sv = np.clip(sv, 0, pop_total)
    return pop_total - sv, sv


def _finish(units: gpd.GeoDataFrame, municipalities: pd.DataFrame,
            service_areas: pd.DataFrame) -> gpd.GeoDataFrame:
    muni = municipalities.set_index("municipality_code")
    areas = service_areas.set_index("municipality_code")["service_area"]
    code = units["municipality_code"]
    # a located unit in a municipality the table lacks has no known Swedish share: refuse it
    # rather than guess 0 % or 100 % Swedish speakers (unlocated units have no municipality)
    unknown = np.flatnonzero(units["located"].to_numpy(dtype=bool) & ~code.isin(muni.index).to_numpy())
    if len(unknown):
        i = int(unknown[0])
        raise DataError(f"demand unit {units['unit_id'].iloc[i]!r} lies in municipality "
                        f"{code.iloc[i]!r}, which the municipality table lacks (no name and no "
                        "Swedish-speaker share for it)", row=i + 1, field="municipality_code")
    units["municipality"] = code.map(muni["name_fi"]).fillna(UNLOCATED)
    units["service_area"] = code.map(areas).fillna(UNLOCATED)
    share = unlocated_share(code.map(muni["sv_share"]).to_numpy(dtype=float),
                            units["pop_total"].to_numpy(dtype=float), muni["sv_share"].to_numpy(dtype=float))
    units["pop_fi"], units["pop_sv"] = split_language(units["pop_total"].to_numpy(), share)
    units["pop_sv_estimated"] = True
    origin = units.geometry.representative_point()
    units["x_m"] = np.where(units["located"], origin.x, np.nan)
    units["y_m"] = np.where(units["located"], origin.y, np.nan)
    return gpd.GeoDataFrame(units[DEMAND_COLUMNS + ["geometry"]], geometry="geometry",
                            crs=units.crs).reset_index(drop=True)


def unlocated_share(share: np.ndarray, pop: np.ndarray, municipal: np.ndarray) -> np.ndarray:
    """Swedish share per unit; a unit without a municipality (residents without a known location)
    takes the municipal shares weighted by the located residents of the same demand (issue 24:
    not 0 %, which would count them all as Finnish speakers); with no located residents, the
    plain mean of the municipal shares.

    >>> s = unlocated_share(np.array([0.1, 0.5, np.nan]), np.array([20.0, 12.0, 5.0]), np.array([0.1, 0.5]))
    >>> s.tolist()
    [0.1, 0.5, 0.25]
    """
    out = np.asarray(share, float).copy()
    gap = np.isnan(out)
    if gap.any():
        w = np.where(gap, 0.0, pop)
        out[gap] = float((w * np.nan_to_num(out)).sum() / w.sum()) if w.sum() > 0 else \
            float(np.nanmean(municipal)) if len(municipal) else 0.0
    return out


def postal_demand(postal_areas: gpd.GeoDataFrame, municipalities: pd.DataFrame,
                  service_areas: pd.DataFrame) -> gpd.GeoDataFrame:
    """Postal areas as demand units; origin = a representative point inside each polygon."""
    units = postal_areas.copy()
    units["unit_id"] = units["postal_code"]
    units["unit_type"] = "postal_area"
    names = units["municipality_code"].map(municipalities.set_index("municipality_code")["name_fi"])
    units["name"] = units["postal_code"] + " " + names.fillna("")
    units["pop_total"] = units["population"].astype("int64")
    units["located"] = True
    return _finish(units, municipalities, service_areas)


def grid_demand(grid: gpd.GeoDataFrame, postal_areas: gpd.GeoDataFrame,
                municipalities: pd.DataFrame, service_areas: pd.DataFrame,
                settings: Settings = DEFAULT_SETTINGS) -> gpd.GeoDataFrame:
    """Grid cells as demand units, placed in municipalities through the (land) postal areas.

    The municipal borders include sea areas, so the land test uses the postal-area
    polygons: a cell whose centre lies farther than ``settings.unlocated_max_m`` from
    every postal area is *unlocated* (e.g. HSY's cell 27699 in the sea, the bucket of
    residents without a known address).
    """
    cells = grid.copy()
    centres = gpd.GeoDataFrame(geometry=cells.geometry.centroid, crs=cells.crs)
    near = gpd.sjoin_nearest(centres, postal_areas[["municipality_code", "geometry"]],
                             how="left", distance_col="dist_m")
    near = near[~near.index.duplicated(keep="first")]  # ties at equal distance
    located = near["dist_m"].to_numpy() <= settings.unlocated_max_m
    cells["municipality_code"] = np.where(located, near["municipality_code"].to_numpy(), None)
    cells["unit_id"] = cells["cell_id"]
    cells["unit_type"] = "grid_cell"
    cells["name"] = "cell " + cells["cell_id"]
    cells["pop_total"] = cells["population"].astype("int64")
    cells["located"] = located
    return _finish(cells, municipalities, service_areas)


WEIGHTS = ("residents", "unemployed", "low_income_households")
MIN_RESIDENTS_FOR_SHARE = 30  # Paavo suppresses / is unreliable below this many residents


def need_shares(units: pd.DataFrame, need: pd.DataFrame, weight: str,
                min_residents: int = MIN_RESIDENTS_FOR_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """Per unit: the 2016 share of ``weight`` and whether it is the municipality's fallback share.

    A postal area's own share (indicator / denominator of
    :data:`planner.inputs.data.NEED_WEIGHTS`) is used when it had at least ``min_residents``
    residents in 2016 and a non-zero denominator; otherwise (and for grid cells, which
    have no postal code) the share of the unit's municipality (sum over its usable
    areas) is used and flagged.

    >>> u = pd.DataFrame({"unit_id": ["00100", "00200", "x"], "municipality_code": "091"})
    >>> n = pd.DataFrame({"postal_code": ["00100", "00200"], "municipality_code": "091",
    ...                   "unemployed_2016": [10, 1], "population_2016": [100, 20]})
    >>> s, f = need_shares(u, n, "unemployed")
    >>> s.tolist(), f.tolist()
    ([0.1, 0.1, 0.1], [False, True, True])
    """
    from .data import NEED_WEIGHTS

    ind, den, _ = NEED_WEIGHTS[weight]
    usable = need[(need["population_2016"] >= min_residents) & (need[den] > 0)]
    own = (usable[ind] / usable[den]).clip(0, 1)
    own.index = usable["postal_code"].to_numpy()
    by_muni = usable.groupby("municipality_code")[[ind, den]].sum()
    muni_share = (by_muni[ind] / by_muni[den]).clip(0, 1)
    region = float(usable[ind].sum() / usable[den].sum()) if usable[den].sum() else 0.0
    s = units["unit_id"].astype(str).map(own)
    fallback = s.isna().to_numpy()
    fb = units["municipality_code"].map(muni_share).fillna(region)
    return np.where(fallback, fb.to_numpy(dtype=float), s.to_numpy(dtype=float)), fallback


def weight_units(units: gpd.GeoDataFrame, weight: str, need: pd.DataFrame | None = None,
                 ) -> gpd.GeoDataFrame:
    """Demand units whose populations count people in need instead of residents.

    ``weight`` 'residents' returns the units unchanged (plus ``pop_residents``); else
    every ``pop_*`` column becomes 2022 population x the 2016 share of the indicator
    (:func:`need_shares`), rounded to whole persons so that fi + sv = total. Adds
    ``pop_residents`` (the head count), ``weight_share`` and ``weight_fallback``.
    """
    if weight not in WEIGHTS:
        raise ValueError(f"unknown weight {weight!r}: expected one of {list(WEIGHTS)}")
    out = units.copy()
    out["pop_residents"] = out["pop_total"].astype("int64")
    if weight == "residents":
        out["weight_share"] = 1.0
        out["weight_fallback"] = False
        return out
    if need is None:
        from .data import load_postal_need

        need = load_postal_need()
    share, fallback = need_shares(out, need, weight)
    total = np.rint(out["pop_total"].to_numpy(dtype=float) * share).astype("int64")
    sv = np.minimum(np.rint(out["pop_sv"].to_numpy(dtype=float) * share).astype("int64"), total)
    out["pop_total"], out["pop_sv"], out["pop_fi"] = total, sv, total - sv
    out["weight_share"] = share
    out["weight_fallback"] = fallback
    return out
