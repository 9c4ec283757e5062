"""Travel times read from a routing engine's precomputed matrix instead of estimated.

Two layouts are read:

- the Helsinki Region Travel Time Matrix (Tenkanen & Toivonen 2020): a folder (searched
  recursively, so both the flat and the newer per-folder layouts work) of
  ``TravelTimes_to_<YKR_ID>.txt`` files, ``;``-separated, ``from_id;to_id;walk_t;...``,
  minutes, ``-1`` = no route. Only the files of the cells that hold service points are read;
- a long table (CSV or Parquet) ``from_id, to_id, <column>`` in minutes, as r5py's
  ``TravelTimeMatrix``, OpenTripPlanner or Valhalla exports write it (``travel_time`` by
  default), keyed by YKR grid-cell ids.

Origins and destinations are matched to grid cells by location (the YKR 250 m cells of
``geodata/helsinki_region/travel_times_2015_calibration.gpkg`` unless another cell layer is
given). A service point whose cell has no column in the matrix is an error naming the points,
never dropped; an origin outside the grid or without a row gets ``inf`` and is reported by
:meth:`ImportedMatrixModel.unmatched`. Everything in EPSG:3067.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import DataError
from ..settings import DEFAULT_SETTINGS, Settings

__all__ = ["IMPORTED_MODEL", "ImportedMatrixModel", "ykr_cells"]

IMPORTED_MODEL = "imported travel-time matrix"
_TTM_FILE = re.compile(r"TravelTimes_to_(\d+)\.txt$")


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


class ImportedMatrixModel:
    """A :class:`planner.traveltime.TravelTimeModel` over a precomputed cell x cell matrix.

    Parameters
    ----------
    path : a Travel Time Matrix folder or a long table (``.csv`` / ``.parquet``).
    column : the time column to use (``pt_r_t``, ``car_m_t`` ... in a Travel Time Matrix;
        ``travel_time`` in an r5py export), minutes; negative values = no route.
    cells : the grid the ids refer to (default: the bundled YKR cells).
    mode : a label for the provenance ('pt', 'walk', 'drive' ...), from the column if None.
    """

    def __init__(self, path: str | Path, column: str = "travel_time", cells: gpd.GeoDataFrame | None = None,
                 mode: str | None = None, settings: Settings = DEFAULT_SETTINGS) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise DataError("no such matrix file or folder", file=str(self.path))
        self.column = column
        self.settings = settings
        self.model = IMPORTED_MODEL
        self.mode = mode or {"walk": "walk", "car": "drive", "pt": "pt"}.get(column.split("_")[0], column)
        self.cells = cells if cells is not None else ykr_cells(settings=settings)
        self._tree = shapely.STRtree(self.cells.geometry.to_numpy())
        self._ids = self.cells["cell_id"].to_numpy()
        self._columns: dict[int, pd.Series] = {}
        self._files: dict[int, Path] | None = None
        self._table: pd.DataFrame | None = None
        self.last_unmatched: np.ndarray = np.empty(0, dtype=np.int64)

    # --- cells -----------------------------------------------------------------------

    def cell_of(self, xy: np.ndarray) -> np.ndarray:
        """The grid-cell id of each point (``-1`` outside the grid)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        out = np.full(len(xy), -1, dtype=np.int64)
        if len(xy) == 0:
            return out
        pi, ci = self._tree.query(shapely.points(xy), predicate="intersects")
        first = np.unique(pi, return_index=True)[1]  # a point on a cell border: its first cell
        out[pi[first]] = self._ids[ci[first]]
        return out

    # --- reading -----------------------------------------------------------------------

    def _is_folder(self) -> bool:
        return self.path.is_dir()

    def _column(self, to_id: int) -> pd.Series | None:
        """Minutes from every origin cell to cell ``to_id`` (NaN = no route), or None."""
        if to_id in self._columns:
            return self._columns[to_id]
        if self._is_folder():
            if self._files is None:
                self._files = {int(m.group(1)): p for p in self.path.rglob("TravelTimes_to_*.txt")
                               if (m := _TTM_FILE.search(p.name))}
            f = self._files.get(to_id)
            if f is None:
                return None
            df = pd.read_csv(f, sep=";", usecols=["from_id", self.column])
            col = df.set_index("from_id")[self.column]
        else:
            if self._table is None:
                reader = pd.read_parquet if self.path.suffix.lower() == ".parquet" else pd.read_csv
                table = reader(self.path)
                missing = [c for c in ("from_id", "to_id", self.column) if c not in table.columns]
                if missing:
                    raise DataError(f"missing column(s) {missing}; the file has {list(table.columns)}",
                                    file=str(self.path), field=missing[0])
                self._table = table[["from_id", "to_id", self.column]]
            sel = self._table[self._table["to_id"] == to_id]
            if sel.empty:
                return None
            col = sel.set_index("from_id")[self.column]
        col = pd.to_numeric(col, errors="coerce").astype(float)
        col = col.where(col >= 0)  # -1 = no route
        self._columns[to_id] = col
        return col

    # --- the model interface ---------------------------------------------------------

    def times(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """(n, m) minutes from the matrix; ``inf`` where an origin has no cell or no route.

        Raises DataError when a destination's cell has no column in the matrix (listing
        every such destination): a service point is never silently left out.
        """
        o_cell = self.cell_of(origins)
        d_cell = self.cell_of(destinations)
        missing = [j for j, c in enumerate(d_cell) if c < 0 or self._column(int(c)) is None]
        if missing:
            d = np.asarray(destinations, dtype=float).reshape(-1, 2)
            listed = "; ".join(f"destination {j} at ({d[j, 0]:.0f}, {d[j, 1]:.0f}) cell "
                               f"{d_cell[j] if d_cell[j] >= 0 else 'outside the grid'}" for j in missing[:10])
            raise DataError(f"{len(missing)} service point(s) have no column in the matrix "
                            f"(no TravelTimes_to_<cell> / to_id for their grid cell): {listed}",
                            file=str(self.path), field="to_id")
        out = np.full((len(o_cell), len(d_cell)), np.inf)
        for j, c in enumerate(d_cell):
            col = self._column(int(c))
            vals = col.reindex(o_cell).to_numpy(dtype=float)
            out[:, j] = np.where(np.isfinite(vals), vals, np.inf)
        self.last_unmatched = np.flatnonzero(o_cell < 0)
        return out

    def unmatched(self, origins: np.ndarray) -> pd.DataFrame:
        """Origins outside the grid: ``origin`` (row), ``x_m``, ``y_m`` (their times are inf)."""
        xy = np.asarray(origins, dtype=float).reshape(-1, 2)
        rows = np.flatnonzero(self.cell_of(xy) < 0)
        return pd.DataFrame({"origin": rows, "x_m": xy[rows, 0], "y_m": xy[rows, 1]})

    def provenance(self) -> dict[str, str]:
        return {
            "model": self.model,
            "mode": self.mode,
            "network_source": f"imported matrix {self.path.name}, column {self.column} (routed by the "
                              "engine that wrote it)",
            "osm_date": "n/a",
            "model_parameters": f"times as imported, minutes; origins and points matched to the "
                                f"{len(self.cells):,} grid cells by location",
            "model_parameter_source": str(self.path),
        }
