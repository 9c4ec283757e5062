"""Travel times read from a routing engine's precomputed matrix instead of estimated.

Two layouts are read:

- the Helsinki Region Travel Time Matrix (Tenkanen & Toivonen 2020): a folder (searched
  recursively, so both the flat and the newer per-folder layouts work) of
  ``TravelTimes_to_<YKR_ID>.txt`` files, ``;``-separated, ``from_id;to_id;walk_t;...``,
  minutes, ``-1`` = no route. Only the files of the cells that hold service points are read;
- a long table (CSV or Parquet) ``from_id, to_id, <column>`` in minutes, as r5py's
  ``TravelTimeMatrix``, OpenTripPlanner or Valhalla exports write it (``travel_time`` by
  default).

Keys (``keys``): ``cells`` (default) matches origins and destinations to grid cells by
location (the YKR 250 m cells of ``geodata/helsinki_region/travel_times_2015_calibration.gpkg``
unless another cell layer is given); ``ids`` reads ``from_id`` as demand-unit ids (postal
codes, grid-cell ids of the demand grid) and ``to_id`` as service-point ids, matched once the
model is bound to a study's units and points (:meth:`ImportedMatrixModel.bind`).

Where the matrix has no value for a pair (an origin outside the grid or without a row, a
service point whose cell has no column) there are two policies. Without a ``fallback`` a
service point with no column is an error naming the points (never dropped) and such origins
get ``inf`` (:meth:`ImportedMatrixModel.unmatched` lists them). With a fallback model (the
straight-line estimate of the same mode) those pairs take the fallback's minutes and its
stated error, and :meth:`ImportedMatrixModel.coverage` says which points and origins the
matrix covers: every output's provenance carries that as ``matrix_coverage``. A pair the
matrix marks as having no route (``-1``) stays unreachable: that is the engine's answer.
Everything in EPSG:3067.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import DataError
from ..settings import DEFAULT_SETTINGS, Settings

__all__ = ["IMPORTED_MODEL", "KEYS", "TTM_COLUMN_MODES", "Coverage", "ImportedMatrixModel",
           "matrix_columns", "matrix_model", "ykr_cells"]

IMPORTED_MODEL = "imported travel-time matrix"
KEYS = ("cells", "ids")
# the Travel Time Matrix's time columns and the estimate mode each corresponds to
TTM_COLUMN_MODES = {"walk_t": "walk", "car_m_t": "drive", "car_r_t": "drive_rush", "pt_m_t": "pt",
                    "pt_m_tt": "pt", "pt_r_t": "pt_rush", "pt_r_tt": "pt_rush"}
_TTM_FILE = re.compile(r"TravelTimes_to_(\d+)\.txt$")
_ID_COLUMNS = ("from_id", "to_id")


def ykr_cells(path: str | Path | None = None, layer: str = "cells", id_field: str = "ykr_id",
              settings: Settings = DEFAULT_SETTINGS) -> gpd.GeoDataFrame:
    """The YKR 250 m grid cells (``cell_id``, polygon geometry, EPSG:3067)."""
    path = Path(path) if path else Path(settings.geodata_dir) / "helsinki_region" / \
        "travel_times_2015_calibration.gpkg"
    cells = gpd.read_file(path, layer=layer)
    if id_field not in cells.columns:
        raise DataError(f"no column {id_field!r} in the grid layer {layer!r}", file=str(path), field=id_field)
    cells = cells.to_crs(settings.crs)
    return gpd.GeoDataFrame({"cell_id": cells[id_field].astype("int64").to_numpy()},
                            geometry=cells.geometry.to_numpy(), crs=settings.crs)


def _key_text(values: pd.Series) -> pd.Series:
    """Ids as text, so 5785640, '5785640' and 5785640.0 are one key (postal codes keep their zeros)."""
    s = values.astype(str).str.strip()
    return s.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


def _ttm_files(folder: Path) -> dict[str, Path]:
    return {m.group(1): p for p in folder.rglob("TravelTimes_to_*.txt") if (m := _TTM_FILE.search(p.name))}


def matrix_columns(path: str | Path) -> list[str]:
    """The time columns a matrix offers (every column but ``from_id`` / ``to_id``), read from
    its header only (a Travel Time Matrix folder: the first file's)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(_ttm_files(path).values())
        if not files:
            raise DataError("no TravelTimes_to_<YKR_ID>.txt file in the folder", file=str(path))
        cols = pd.read_csv(files[0], sep=";", nrows=0).columns
    elif path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        cols = pq.read_schema(path).names
    else:
        cols = pd.read_csv(path, nrows=0).columns
    return [str(c) for c in cols if c not in _ID_COLUMNS and not str(c).startswith("Unnamed")]


@dataclass(frozen=True)
class Coverage:
    """What the matrix answers for a set of origins (rows) and destinations (columns).

    ``points_without_column``: destination indices with no column (their times come from the
    fallback); ``origins_without_row``: origin indices outside the grid / with no row in any
    column; ``pairs_from_matrix``: share of origin x destination pairs with a value (0..1).
    """

    n_origins: int
    n_destinations: int
    points_without_column: np.ndarray
    origins_without_row: np.ndarray
    pairs_from_matrix: float

    def note(self, fallback: str | None) -> str:
        """One line for the provenance, e.g. '4 of 150 service points and 380 of 390 demand
        units in the matrix (2.6 % of pairs); the other pairs: straight-line estimate (drive)'."""
        pts = self.n_destinations - len(self.points_without_column)
        orig = self.n_origins - len(self.origins_without_row)
        rest = f"the other pairs: {fallback}" if fallback else "the other pairs: unreachable (inf)"
        if pts == 0:
            return f"none of the {self.n_destinations} service points has a column in the matrix; {rest}"
        return (f"{pts} of {self.n_destinations} service points and {orig} of {self.n_origins} origins "
                f"in the matrix ({100 * self.pairs_from_matrix:.1f} % of pairs); {rest}")


class ImportedMatrixModel:
    """A :class:`planner.traveltime.TravelTimeModel` over a precomputed origin x destination matrix.

    Parameters
    ----------
    path : a Travel Time Matrix folder or a long table (``.csv`` / ``.parquet``).
    column : the time column to use (``pt_r_t``, ``car_m_t`` ... in a Travel Time Matrix;
        ``travel_time`` in an r5py export), minutes; negative values = no route.
    cells : the grid the ids refer to with ``keys='cells'`` (default: the bundled YKR cells).
    mode : a label for the provenance ('pt', 'walk', 'drive' ...); from a Travel Time Matrix
        column name if None (``car_r_t`` -> drive_rush).
    keys : ``cells`` (grid-cell ids, matched by location) or ``ids`` (demand-unit and
        service-point ids; call :meth:`bind` before :meth:`times`).
    fallback : a model for pairs the matrix has no value for (None: see the module docstring).
    """

    def __init__(self, path: str | Path, column: str = "travel_time", cells: gpd.GeoDataFrame | None = None,
                 mode: str | None = None, settings: Settings = DEFAULT_SETTINGS, keys: str = "cells",
                 fallback: object | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise DataError("no such matrix file or folder", file=str(self.path))
        if keys not in KEYS:
            raise ValueError(f"unknown matrix keys {keys!r}: expected one of {list(KEYS)}")
        if keys == "ids" and self.path.is_dir():
            raise DataError("a Travel Time Matrix folder is keyed by YKR grid cells: use keys 'cells'",
                            file=str(self.path), field="keys")
        self.column = column
        self.keys = keys
        self.settings = settings
        self.model = IMPORTED_MODEL
        self.mode = mode or TTM_COLUMN_MODES.get(column) or \
            {"walk": "walk", "car": "drive", "pt": "pt"}.get(column.split("_")[0], column)
        self.fallback = fallback
        self.cells = None
        if keys == "cells":
            self.cells = cells if cells is not None else ykr_cells(settings=settings)
            self._set_origin_zones(self.cells["cell_id"].to_numpy(), self.cells.geometry.to_numpy())
            self._dest_tree, self._dest_ids = self._origin_tree, self._origin_ids
        else:
            self._origin_tree = None
            self._dest_ids = None
        self._columns: dict[str, pd.Series | None] = {}
        self._files: dict[str, Path] | None = None
        self._table: pd.DataFrame | None = None
        self._rows_of: dict[str, np.ndarray] | None = None

    # --- matching origins and destinations to the matrix's keys -------------------------

    def _set_origin_zones(self, ids: np.ndarray, geoms: np.ndarray) -> None:
        self._origin_tree = shapely.STRtree(geoms)
        self._origin_ids = _key_text(pd.Series(ids)).to_numpy(dtype=object)

    def bind(self, units: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> ImportedMatrixModel:
        """A copy that knows a study's demand units (``unit_id``, polygons) and service points
        (``id``, point geometry), EPSG:3067; with ``keys='cells'`` the model itself."""
        if self.keys == "cells":
            return self
        bound = copy.copy(self)
        bound._columns = self._columns  # the columns already read stay shared
        bound._set_origin_zones(units["unit_id"].to_numpy(), units.geometry.to_numpy())
        pxy = np.column_stack([points.geometry.x.to_numpy(), points.geometry.y.to_numpy()])
        bound._dest_ids = {(round(x, 1), round(y, 1)): k for (x, y), k in
                           zip(pxy, _key_text(points["id"]), strict=True)}
        return bound

    def cell_of(self, xy: np.ndarray) -> np.ndarray:
        """The grid-cell id of each point (``-1`` outside the grid); ``keys='cells'`` only."""
        keys = self.origin_keys(xy)
        return np.array([int(k) if k is not None else -1 for k in keys], dtype=np.int64)

    def origin_keys(self, xy: np.ndarray) -> np.ndarray:
        """The matrix key (text) of the zone holding each origin; None outside every zone."""
        if self._origin_tree is None:
            raise ValueError("a matrix keyed by ids must be bound to the study's units and points first "
                             "(ImportedMatrixModel.bind)")
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        out = np.full(len(xy), None, dtype=object)
        if len(xy) == 0:
            return out
        pi, ci = self._origin_tree.query(shapely.points(xy), predicate="intersects")
        first = np.unique(pi, return_index=True)[1]  # a point on a border: its first zone
        out[pi[first]] = self._origin_ids[ci[first]]
        return out

    def destination_keys(self, xy: np.ndarray) -> np.ndarray:
        """The matrix key (text) of each destination: its grid cell, or the id of the service
        point standing there (``keys='ids'``); None when there is none."""
        if self.keys == "cells":
            return self.origin_keys(xy)
        if self._dest_ids is None:
            return self.origin_keys(xy)  # raises the 'bind first' error
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        return np.array([self._dest_ids.get((round(x, 1), round(y, 1))) for x, y in xy], dtype=object)

    # --- reading -------------------------------------------------------------------------

    def _read_table(self) -> pd.DataFrame:
        if self._table is None:
            if self.path.suffix.lower() == ".parquet":
                table = pd.read_parquet(self.path)
            else:
                table = pd.read_csv(self.path, dtype={c: str for c in _ID_COLUMNS})
            missing = [c for c in (*_ID_COLUMNS, self.column) if c not in table.columns]
            if missing:
                raise DataError(f"missing column(s) {missing}; the file has {list(table.columns)}",
                                file=str(self.path), field=missing[0])
            if table.empty:
                raise DataError("the matrix has no rows", file=str(self.path))
            self._table = pd.DataFrame({"from_id": _key_text(table["from_id"]),
                                        "to_id": _key_text(table["to_id"]),
                                        self.column: table[self.column]})
        return self._table

    def _column(self, to_key: str | None) -> pd.Series | None:
        """Minutes from every origin key to ``to_key`` (``inf`` = no route), or None."""
        if to_key is None:
            return None
        if to_key in self._columns:
            return self._columns[to_key]
        if self.path.is_dir():
            if self._files is None:
                self._files = _ttm_files(self.path)
            f = self._files.get(to_key)
            if f is None:
                self._columns[to_key] = None
                return None
            df = pd.read_csv(f, sep=";", usecols=["from_id", self.column])
            col = pd.Series(df[self.column].to_numpy(), index=_key_text(df["from_id"]))
        else:
            table = self._read_table()
            if self._rows_of is None:  # one pass over the table, not one per service point
                self._rows_of = table.groupby("to_id", sort=False).indices
            rows = self._rows_of.get(to_key)
            if rows is None:
                self._columns[to_key] = None
                return None
            sel = table.iloc[rows]
            col = pd.Series(sel[self.column].to_numpy(), index=sel["from_id"].to_numpy())
        col = pd.to_numeric(col, errors="coerce").astype(float)
        col = col[~col.index.duplicated()]
        col = col.where(~(col < 0), np.inf)  # -1 = no route; NaN (blank) = no value
        self._columns[to_key] = col
        return col

    def _lookup(self, origins: np.ndarray, destinations: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """(minutes with NaN where the matrix has no value, has-value mask, destinations
        without a column)."""
        o_key = self.origin_keys(origins)
        d_key = self.destination_keys(destinations)
        vals = np.full((len(o_key), len(d_key)), np.nan)
        missing = []
        for j, k in enumerate(d_key):
            col = self._column(k)
            if col is None:
                missing.append(j)
                continue
            vals[:, j] = col.reindex(o_key).to_numpy(dtype=float)
        return vals, ~np.isnan(vals), missing

    # --- the model interface -------------------------------------------------------------

    def times(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """(n, m) minutes: the matrix's, the fallback's where the matrix has no value.

        Without a fallback: ``inf`` where an origin has no cell or row, and a DataError when
        a destination has no column in the matrix (listing every such destination).
        """
        o = np.asarray(origins, dtype=float).reshape(-1, 2)
        d = np.asarray(destinations, dtype=float).reshape(-1, 2)
        vals, have, missing = self._lookup(o, d)
        if missing and self.fallback is None:
            keys = self.destination_keys(d)
            listed = "; ".join(f"destination {j} at ({d[j, 0]:.0f}, {d[j, 1]:.0f}) "
                               f"{'cell' if self.keys == 'cells' else 'id'} "
                               f"{keys[j] if keys[j] is not None else 'outside the grid'}"
                               for j in missing[:10])
            raise DataError(f"{len(missing)} service point(s) have no column in the matrix "
                            f"(no TravelTimes_to_<cell> / to_id for them): {listed}",
                            file=str(self.path), field="to_id")
        if self.fallback is not None and not have.all():
            out = np.asarray(self.fallback.times(o, d), dtype=float)
            out[have] = vals[have]
        else:
            out = np.where(have, vals, np.inf)
        return out

    def from_matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """(n, m) bool: which pairs the matrix itself answers."""
        return self._lookup(origins, destinations)[1]

    def error_p90_min(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """(n, m) p90 error (min): NaN for the matrix's own times (not measured here), the
        fallback's stated error for pairs it answers."""
        have = self.from_matrix(origins, destinations)
        out = np.full(have.shape, np.nan)
        fn = getattr(self.fallback, "error_p90_min", None)
        if callable(fn) and not have.all():
            err = np.asarray(fn(origins, destinations), dtype=float)
            out[~have] = err[~have]
        return out

    def coverage(self, origins: np.ndarray, destinations: np.ndarray) -> Coverage:
        """Which destinations have a column and which origins a row (see :class:`Coverage`)."""
        o = np.asarray(origins, dtype=float).reshape(-1, 2)
        d = np.asarray(destinations, dtype=float).reshape(-1, 2)
        _, have, missing = self._lookup(o, d)
        cols = np.setdiff1d(np.arange(len(d)), missing)
        no_row = np.flatnonzero(~have[:, cols].any(axis=1)) if len(cols) else np.arange(len(o))
        return Coverage(len(o), len(d), np.asarray(missing, dtype=np.int64), no_row,
                        float(have.mean()) if have.size else 0.0)

    def unmatched(self, origins: np.ndarray) -> pd.DataFrame:
        """Origins outside every zone of the matrix: ``origin`` (row), ``x_m``, ``y_m``."""
        xy = np.asarray(origins, dtype=float).reshape(-1, 2)
        rows = np.flatnonzero(pd.isna(self.origin_keys(xy)))
        return pd.DataFrame({"origin": rows, "x_m": xy[rows, 0], "y_m": xy[rows, 1]})

    def fallback_text(self) -> str | None:
        """'straight-line estimate (drive)' or None."""
        if self.fallback is None:
            return None
        return f"{getattr(self.fallback, 'model', 'fallback model')} ({getattr(self.fallback, 'mode', '?')})"

    def provenance(self) -> dict[str, str]:
        zones = (f"the {len(self.cells):,} grid cells" if self.keys == "cells"
                 else "demand-unit and service-point ids")
        out = {
            "model": self.model,
            "mode": self.mode,
            "network_source": f"imported matrix {self.path.name}, column {self.column} (routed by the "
                              "engine that wrote it)",
            "osm_date": "n/a",
            "model_parameters": f"times as imported, minutes; origins and points matched to {zones}"
                                + (f"; {self.fallback_text()} where the matrix has no value"
                                   if self.fallback is not None else ""),
            "model_parameter_source": str(self.path),
        }
        if self.fallback is not None:
            fb = getattr(self.fallback, "provenance", lambda: {})()
            if fb.get("time_error_p90_min"):
                out["time_error_p90_min"] = fb["time_error_p90_min"]
        return out


def matrix_model(path: str | Path, column: str = "travel_time", keys: str = "cells", mode: str = "drive",
                 fallback: bool = True, settings: Settings = DEFAULT_SETTINGS) -> ImportedMatrixModel:
    """The matrix as the CLI and the app use it: a Travel Time Matrix column sets the mode
    (``car_r_t``: drive_rush), any other column takes ``mode``; with ``fallback`` the
    straight-line estimate of that mode answers the pairs the matrix has no value for."""
    from .estimate import canonical_mode, estimate_model

    m = canonical_mode(TTM_COLUMN_MODES.get(column, mode))
    return ImportedMatrixModel(path, column=column, keys=keys, mode=m, settings=settings,
                               fallback=estimate_model(m, settings) if fallback else None)
