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
model is bound to a study's units and points (:meth:`ImportedMatrixModel.bind`). Destinations
are then matched by their point id (``destination_ids``), never by their coordinates: points
sharing one site each keep their own times.

The minutes are validated like any input (:func:`parse_minutes`): every non-blank value must be
a number (decimal commas are accepted only when the whole column uses them, and then stated in
the provenance), ``-1`` is the engine's "no route", any other negative value, text such as
``12 min`` and a pair given twice with different minutes are errors naming the file, row and
column (a pair repeated with the same minutes is read once, stated).

Where the matrix has no value for a pair (an origin outside the grid or without a row, a
service point whose cell has no column) there are two policies. Without a ``fallback`` a
service point with no column is an error naming the points (never dropped) and such origins
get ``inf`` (:meth:`ImportedMatrixModel.unmatched` lists them). With a fallback model (the
straight-line estimate of the same mode) those pairs take the fallback's minutes and its
stated error, and :meth:`ImportedMatrixModel.coverage` says which points and origins the
matrix covers: every output's provenance carries that as ``matrix_coverage``. A pair the
matrix marks as having no route (``-1``) stays unreachable: that is the engine's answer.
A matrix that answers none of a study's pairs (an empty folder, ids that match nothing) is an
error unless the fallback policy is ``estimate`` (:data:`FALLBACKS`).
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
from ..numbers import counted
from ..settings import DEFAULT_SETTINGS, Settings

__all__ = ["FALLBACKS", "IMPORTED_MODEL", "KEYS", "TTM_COLUMN_MODES", "Coverage", "ImportedMatrixModel",
           "matrix_columns", "matrix_model", "parse_minutes", "ykr_cells"]

IMPORTED_MODEL = "imported travel-time matrix"
KEYS = ("cells", "ids")
# what answers the pairs a matrix has no value for: 'gaps' = the estimate fills the gaps of a
# matrix that answers some pairs (one answering none is an error); 'estimate' = the estimate
# wherever the matrix is silent, even everywhere; 'none' = no fallback (a point without a
# column is an error, an origin without a row is unreachable)
FALLBACKS = ("gaps", "estimate", "none")
# the Travel Time Matrix's time columns and the estimate mode each corresponds to
TTM_COLUMN_MODES = {"walk_t": "walk", "car_m_t": "drive", "car_r_t": "drive_rush", "pt_m_t": "pt",
                    "pt_m_tt": "pt", "pt_r_t": "pt_rush", "pt_r_tt": "pt_rush"}
_TTM_FILE = re.compile(r"TravelTimes_to_(\d+)\.txt$")
_ID_COLUMNS = ("from_id", "to_id")
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_COMMA_NUMBER = r"[-+]?\d+(?:,\d+)?"


def parse_minutes(values: pd.Series, file: str, column: str, rows: np.ndarray | None = None
                  ) -> tuple[np.ndarray, bool]:
    """Minutes of one matrix column as floats (``inf`` = no route, NaN = blank: no value) and
    whether the column was written with decimal commas.

    ``rows``: the 1-based data row of each value (default 1..n), for the error message.
    DataError (file, row, column) for text that is not a number, a decimal comma in a column
    that also uses points, non-finite values and negative minutes other than -1 (no route).
    """
    rows = np.arange(1, len(values) + 1) if rows is None else np.asarray(rows)
    comma = False
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        num = values.to_numpy(dtype=float)
    else:
        text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
        blank = text.eq("").to_numpy()
        ok = text.str.fullmatch(_NUMBER).to_numpy() | blank
        if not ok.all():
            commas = text.str.fullmatch(_COMMA_NUMBER).to_numpy() | blank
            if commas.all():  # the whole column in decimal commas (Finnish Excel)
                text, comma = text.str.replace(",", ".", regex=False), True
            else:
                i = int(np.flatnonzero(~ok)[0])
                hint = (" (a decimal comma: accepted only when the whole column uses decimal commas)"
                        if re.fullmatch(_COMMA_NUMBER, text.iloc[i]) else "")
                raise DataError(f"{text.iloc[i]!r} is not a number of minutes{hint}", file=file,
                                row=int(rows[i]), field=column)
        num = pd.to_numeric(text.where(~blank, None), errors="coerce").to_numpy(dtype=float)
    bad = np.isinf(num) | ((num < 0) & (num != -1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{num[i]:g} is not a travel time in minutes (-1 = no route; other negative or "
                        "infinite values are errors)", file=file, row=int(rows[i]), field=column)
    return np.where(num == -1, np.inf, num), comma


def _collapse_pairs(from_ids: pd.Series, to_ids: pd.Series | None, minutes: np.ndarray,
                    rows: np.ndarray, file: str, column: str) -> tuple[np.ndarray, int]:
    """Indices of the rows to keep (one per pair) and how many identical repeats were dropped;
    a pair given twice with different minutes is a DataError naming both rows."""
    keys = pd.DataFrame({"f": from_ids.to_numpy(), "t": "" if to_ids is None else to_ids.to_numpy()})
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return np.arange(len(keys)), 0
    sub = keys[dup].assign(m=minutes[dup], r=rows[dup])
    for (f, t), g in sub.groupby(["f", "t"], sort=False):
        vals = g["m"].to_numpy()
        same = np.isnan(vals).all() or (not np.isnan(vals).any() and (vals == vals[0]).all())
        if not same:
            pair = f"from {f} to {t}" if to_ids is not None else f"from {f}"
            r = g["r"].to_numpy()
            raise DataError(f"the pair {pair} is given twice with different minutes (rows {r[0]} and "
                            f"{r[1]}: {vals[0]:g} and {vals[1]:g})", file=file, row=int(r[1]),
                            field=column)
    keep = np.flatnonzero(~keys.duplicated(keep="first").to_numpy())
    return keep, len(keys) - len(keep)


def _sep(path: Path) -> str:
    """``;`` (Finnish Excel, the Travel Time Matrix) when the header has more ``;`` than ``,``."""
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        header = f.readline()
    return ";" if header.count(";") > header.count(",") else ","


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
        head, sep = files[0], ";"
    elif path.suffix.lower() == ".parquet":
        from ..lazy import require

        pq = require("pyarrow.parquet", "parquet", "Reading Parquet files")
        return [str(c) for c in pq.read_schema(path).names
                if c not in _ID_COLUMNS and not str(c).startswith("Unnamed")]
    else:
        head, sep = path, _sep(path)
    try:  # never unpacked (compression=None): the size cap counts the file's own bytes
        cols = pd.read_csv(head, nrows=0, sep=sep, compression=None, encoding="utf-8-sig").columns
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"cannot read the header as a UTF-8 CSV ({exc})", file=str(head)) from None
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
    answer_none : True (the ``estimate`` policy) lets a matrix that answers none of a study's
        pairs pass, every pair then the fallback's; False makes it an error
        (:meth:`check_coverage`).
    """

    def __init__(self, path: str | Path, column: str = "travel_time", cells: gpd.GeoDataFrame | None = None,
                 mode: str | None = None, settings: Settings = DEFAULT_SETTINGS, keys: str = "cells",
                 fallback: object | None = None, answer_none: bool = False) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise DataError("no such matrix file or folder", file=str(self.path))
        from ..inputs.matrices import check_matrix_size

        check_matrix_size(self.path)
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
        self.answer_none = answer_none
        self.notes: dict[str, str] = {}  # how the file was read (decimal commas, repeated pairs)
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
        # only for callers that give coordinates alone: a site with one point; a site shared by
        # several points needs their ids (destination_ids), never the first id found there
        sites: dict[tuple[float, float], list[str]] = {}
        for (x, y), k in zip(pxy, _key_text(points["id"]), strict=True):
            sites.setdefault((round(x, 1), round(y, 1)), []).append(k)
        bound._dest_ids = sites
        return bound

    @property
    def needs_destination_ids(self) -> bool:
        """True when destinations are matched by point id (``keys='ids'``)."""
        return self.keys == "ids"

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

    def destination_keys(self, xy: np.ndarray, destination_ids: np.ndarray | None = None) -> np.ndarray:
        """The matrix key (text) of each destination: its grid cell, or (``keys='ids'``) its
        point id from ``destination_ids``; None when there is none.

        Without ``destination_ids`` an ids-keyed model finds the point standing at each
        coordinate, and a ValueError says so where several points share that site.
        """
        if self.keys == "cells":
            return self.origin_keys(xy)
        if self._dest_ids is None:
            return self.origin_keys(xy)  # raises the 'bind first' error
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if destination_ids is not None:
            ids = np.asarray(destination_ids, dtype=object).reshape(-1)
            if len(ids) != len(xy):
                raise ValueError(f"{len(ids)} destination ids for {len(xy)} destinations")
            return _key_text(pd.Series(ids, dtype=object)).to_numpy(dtype=object)
        out = np.full(len(xy), None, dtype=object)
        for j, (x, y) in enumerate(xy):
            here = self._dest_ids.get((round(x, 1), round(y, 1)))
            if here and len(here) > 1:
                raise ValueError(f"service points {here} share the site ({x:.0f}, {y:.0f}): a matrix keyed "
                                 "by ids needs their ids (destination_ids), not their coordinates")
            out[j] = here[0] if here else None
        return out

    # --- reading -------------------------------------------------------------------------

    def _read_table(self) -> pd.DataFrame:
        if self._table is None:
            file = str(self.path)
            if self.path.suffix.lower() == ".parquet":
                from ..lazy import require

                require("pyarrow.parquet", "parquet", "Reading Parquet files")
                table = pd.read_parquet(self.path)
            else:
                try:  # all as text: the minutes are parsed and checked here, not coerced
                    table = pd.read_csv(self.path, dtype=str, keep_default_na=False, sep=_sep(self.path),
                                        compression=None, encoding="utf-8-sig")
                except (UnicodeDecodeError, pd.errors.ParserError) as exc:
                    raise DataError(f"cannot read the matrix as a UTF-8 CSV ({exc})", file=file) from None
            missing = [c for c in (*_ID_COLUMNS, self.column) if c not in table.columns]
            if missing:
                raise DataError(f"missing column(s) {missing}; the file has {list(table.columns)}",
                                file=file, field=missing[0])
            if table.empty:
                raise DataError("the matrix has no rows", file=file)
            rows = np.arange(1, len(table) + 1)
            minutes, comma = parse_minutes(table[self.column], file, self.column, rows)
            frm, to = _key_text(table["from_id"]), _key_text(table["to_id"])
            keep, repeats = _collapse_pairs(frm, to, minutes, rows, file, self.column)
            self._note_reading(self.path.name, comma, repeats)
            self._table = pd.DataFrame({"from_id": frm.to_numpy()[keep], "to_id": to.to_numpy()[keep],
                                        self.column: minutes[keep]})
        return self._table

    def read_all(self) -> ImportedMatrixModel:
        """Read and check the whole matrix now, as :meth:`times` would piece by piece: every file
        of a Travel Time Matrix folder, or the whole long table. DataError (file, row, column) at
        the first fault; the model itself, for chaining."""
        if self.path.is_dir():
            files = _ttm_files(self.path)
            if not files:
                raise DataError("the folder holds no TravelTimes_to_<YKR_ID>.txt file", file=str(self.path))
            for key in files:
                self._column(key)
        else:
            self._read_table()
        return self

    def _note_reading(self, name: str, comma: bool, repeats: int) -> None:
        if comma:
            self.notes["decimal_comma"] = f"column {self.column} read with decimal commas"
        if repeats:
            n = repeats + int(self.notes.get("_repeats", "0"))
            self.notes["_repeats"] = str(n)
            self.notes["repeats"] = f"{counted(n, 'repeated pair')} with the same minutes read once"

    def reading_note(self) -> str:
        """How the file was read ('column x read with decimal commas; 3 repeated pairs ...'), or ''."""
        return "; ".join(v for k, v in self.notes.items() if not k.startswith("_"))

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
            try:
                df = pd.read_csv(f, sep=";", usecols=["from_id", self.column], dtype=str,
                                 keep_default_na=False, compression=None)
            except ValueError as exc:  # a missing column, a broken file
                raise DataError(f"cannot read the file ({exc})", file=str(f), field=self.column) from None
            rows = np.arange(1, len(df) + 1)
            minutes, comma = parse_minutes(df[self.column], str(f), self.column, rows)
            frm = _key_text(df["from_id"])
            keep, repeats = _collapse_pairs(frm, None, minutes, rows, str(f), self.column)
            self._note_reading(f.name, comma, repeats)
            col = pd.Series(minutes[keep], index=frm.to_numpy()[keep])
        else:
            table = self._read_table()
            if self._rows_of is None:  # one pass over the table, not one per service point
                self._rows_of = table.groupby("to_id", sort=False).indices
            rows = self._rows_of.get(to_key)
            if rows is None:
                self._columns[to_key] = None
                return None
            sel = table.iloc[rows]
            col = pd.Series(sel[self.column].to_numpy(dtype=float), index=sel["from_id"].to_numpy())
        # parse_minutes made -1 (no route) inf; NaN (blank) = no value
        self._columns[to_key] = col
        return col

    def _lookup(self, origins: np.ndarray, destinations: np.ndarray, destination_ids: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """(minutes with NaN where the matrix has no value, has-value mask, destinations
        without a column)."""
        o_key = self.origin_keys(origins)
        d_key = self.destination_keys(destinations, destination_ids)
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

    def times(self, origins: np.ndarray, destinations: np.ndarray,
              destination_ids: np.ndarray | None = None) -> np.ndarray:
        """(n, m) minutes: the matrix's, the fallback's where the matrix has no value.

        Without a fallback: ``inf`` where an origin has no cell or row, and a DataError when
        a destination has no column in the matrix (listing every such destination).
        ``destination_ids``: the points' ids (``keys='ids'``; see :meth:`destination_keys`).
        """
        o = np.asarray(origins, dtype=float).reshape(-1, 2)
        d = np.asarray(destinations, dtype=float).reshape(-1, 2)
        vals, have, missing = self._lookup(o, d, destination_ids)
        if missing and self.fallback is None:
            keys = self.destination_keys(d, destination_ids)
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

    def from_matrix(self, origins: np.ndarray, destinations: np.ndarray,
                    destination_ids: np.ndarray | None = None) -> np.ndarray:
        """(n, m) bool: which pairs the matrix itself answers."""
        return self._lookup(origins, destinations, destination_ids)[1]

    def error_p90_min(self, origins: np.ndarray, destinations: np.ndarray,
                      destination_ids: np.ndarray | None = None) -> np.ndarray:
        """(n, m) p90 error (min): NaN for the matrix's own times (not measured here), the
        fallback's stated error for pairs it answers."""
        have = self.from_matrix(origins, destinations, destination_ids)
        out = np.full(have.shape, np.nan)
        fn = getattr(self.fallback, "error_p90_min", None)
        if callable(fn) and not have.all():
            err = np.asarray(fn(origins, destinations), dtype=float)
            out[~have] = err[~have]
        return out

    def coverage(self, origins: np.ndarray, destinations: np.ndarray,
                 destination_ids: np.ndarray | None = None) -> Coverage:
        """Which destinations have a column and which origins a row (see :class:`Coverage`)."""
        o = np.asarray(origins, dtype=float).reshape(-1, 2)
        d = np.asarray(destinations, dtype=float).reshape(-1, 2)
        _, have, missing = self._lookup(o, d, destination_ids)
        cols = np.setdiff1d(np.arange(len(d)), missing)
        no_row = np.flatnonzero(~have[:, cols].any(axis=1)) if len(cols) else np.arange(len(o))
        return Coverage(len(o), len(d), np.asarray(missing, dtype=np.int64), no_row,
                        float(have.mean()) if have.size else 0.0)

    def check_coverage(self, coverage: Coverage) -> None:
        """A DataError when the matrix answers none of the pairs, unless the policy is ``estimate``
        (``answer_none``): a matrix that matches nothing is a wrong file, column or key."""
        pairs = coverage.n_origins * coverage.n_destinations
        if coverage.pairs_from_matrix > 0 or self.answer_none or not pairs:
            return
        why = ("the folder holds no TravelTimes_to_<YKR_ID>.txt file"
               if self.path.is_dir() and not _ttm_files(self.path) else
               f"none of the {coverage.n_destinations} service points and {coverage.n_origins} origins "
               f"matches a value of column {self.column} (keys {self.keys!r}: "
               + ("YKR grid cells by location" if self.keys == "cells" else "demand-unit and point ids")
               + ")")
        raise DataError(f"the matrix answers 0 % of the pairs: {why}; check the file, --matrix-column "
                        "and --matrix-keys, or give --matrix-fallback estimate to use the straight-line "
                        "estimate everywhere (stated in matrix_coverage)", file=str(self.path),
                        field=self.column)

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
        if self.reading_note():
            out["model_parameters"] += f"; {self.reading_note()}"
        if self.fallback is not None:
            fb = getattr(self.fallback, "provenance", lambda: {})()
            if fb.get("time_error_p90_min"):
                out["time_error_p90_min"] = fb["time_error_p90_min"]
        return out


def matrix_model(path: str | Path, column: str = "travel_time", keys: str = "cells", mode: str = "drive",
                 fallback: bool | str = "gaps", settings: Settings = DEFAULT_SETTINGS) -> ImportedMatrixModel:
    """The matrix as the CLI and the app use it: a Travel Time Matrix column sets the mode
    (``car_r_t``: drive_rush), any other column takes ``mode``; ``fallback`` is one of
    :data:`FALLBACKS` (True = 'gaps', False = 'none'): with 'gaps' or 'estimate' the
    straight-line estimate of that mode answers the pairs the matrix has no value for.

    A ``.zip`` (a zipped Travel Time Matrix or long table) is unpacked once into the user's
    matrix folder under the same size cap as an upload in the app (:mod:`planner.inputs.matrices`).
    """
    from .estimate import canonical_mode, estimate_model

    policy = ("gaps" if fallback else "none") if isinstance(fallback, bool) else fallback
    if policy not in FALLBACKS:
        raise ValueError(f"unknown matrix fallback {policy!r}: expected one of {list(FALLBACKS)}")
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        from ..inputs.matrices import check_matrix_size, save_matrix

        check_matrix_size(path)
        path = save_matrix(path.read_bytes(), path.name)
    m = canonical_mode(TTM_COLUMN_MODES.get(column, mode))
    return ImportedMatrixModel(path, column=column, keys=keys, mode=m, settings=settings,
                               fallback=estimate_model(m, settings) if policy != "none" else None,
                               answer_none=policy == "estimate")
