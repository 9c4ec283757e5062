"""Reading and validating the planner's inputs.

Every loader returns a (Geo)DataFrame in EPSG:3067 with typed columns
(municipality codes are 3-character strings) and raises :class:`DataError`
naming the file, the 1-based data row and the field for bad input. Loaders accept
the bundled files under ``geodata/`` or a user's own CSV / GeoJSON / GeoPackage
with the same schema.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import DataError, MissingExtraError, PlannerWarning
from ..settings import DEFAULT_SETTINGS, Settings
from .categories import CATEGORY_CODES

__all__ = [
    "read_table",
    "load_municipalities",
    "load_municipal_borders",
    "load_municipal_centres",
    "load_service_areas",
    "service_area_presets",
    "load_service_points",
    "load_postal_areas",
    "load_population_grid",
    "PRECISIONS",
    "UNKNOWN",
    "MUNICIPALITY",
    "PROXY_PRECISIONS",
    "select_points",
    "parse_date",
    "NEED_WEIGHTS",
    "load_postal_need",
    "proxy_mask",
    "targeted_mask",
    "check_overlaps",
    "decode_text",
    "OVERLAP_MAX_SHARE",
]

UNKNOWN = "unknown"  # a placeholder row: the site is not known, so it is not a point
# issue 23: a row documented to exist whose exact site is unknown stands at its municipality's
# service centre (municipal_centres.csv) and counts by default: a proxy site, not a gap
MUNICIPALITY = "municipality"
PRECISIONS = ("address", "street", "postal_area", "locality", MUNICIPALITY, "unspecified", UNKNOWN)
PROXY_PRECISIONS = (MUNICIPALITY, UNKNOWN)
"""Precisions whose position is a stand-in (the municipal centre) for a site that is unknown.
(``locality`` is not one: a geocoder's or a scenario's point that stands where it was put.)"""
_VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".parquet", ".zip"}


def _default(settings: Settings, *parts: str) -> Path:
    return settings.geodata_dir.joinpath(*parts)


def read_table(path: str | Path, layer: str | None = None) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read a CSV (all columns as text) or a vector file; fail clearly on empty files.

    A CSV may be comma- or semicolon-separated (Finnish Excel: ``;`` with decimal
    commas, read as numbers) and UTF-8 or Windows-1252 (with a warning). A zipped
    shapefile is read as is. A GeoPackage / zip with several layers needs ``layer``
    (or the QGIS form ``file.gpkg|layername=NAME``).
    """
    path = Path(path)
    if layer is None and "|layername=" in str(path):
        text, layer = str(path).split("|layername=", 1)
        path = Path(text)
    if not path.exists():
        raise DataError("file not found", file=str(path))
    if path.stat().st_size == 0:
        raise DataError("the file is empty", file=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in _VECTOR_SUFFIXES:
            if suffix == ".parquet":
                from ..lazy import require

                require("pyarrow.parquet", "parquet", "Reading Parquet files")
                df = gpd.read_parquet(path)
            else:
                if layer is None and suffix in (".gpkg", ".zip"):
                    layer = _only_layer(path)
                df = gpd.read_file(path, layer=layer)
        else:
            df = _read_csv(path)
    except (DataError, MissingExtraError):  # (a missing extra is not a fault of the file)
        raise
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty", file=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes a located DataError
        raise DataError(f"cannot read the file: {exc}", file=str(path)) from exc
    if len(df) == 0:
        raise DataError("the file has a header but no data rows", file=str(path))
    return df


def _only_layer(path: Path) -> str | None:
    """The single layer of a GeoPackage / zip, or a DataError listing them when there are several."""
    import pyogrio

    try:
        layers = [str(x) for x in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # noqa: BLE001 - a corrupt file: the reader's message, located
        raise DataError(f"cannot read the file: {exc}", file=str(path)) from exc
    if len(layers) > 1:
        raise DataError(f"the file has {len(layers)} layers {layers}; say which one, e.g. "
                        f"'{path}|layername={layers[0]}'", file=str(path), field="layer")
    return layers[0] if layers else None


_DECIMAL_COMMA = r"^\s*[-+]?\d+(,\d+)?\s*$"


def _utf16(raw: bytes) -> str | None:
    """The text of a UTF-16 file (with a byte-order mark, or ASCII-heavy text without one:
    every other byte NUL), else None."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        enc = "utf-16"
    elif len(raw) >= 4 and raw[1::2].count(0) > 0.9 * (len(raw) // 2):
        enc = "utf-16-le"
    elif len(raw) >= 4 and raw[0::2].count(0) > 0.9 * (len(raw) // 2):
        enc = "utf-16-be"
    else:
        return None
    try:
        return raw.decode(enc)
    except UnicodeDecodeError:
        return None


def decode_text(raw: bytes, file: str) -> str:
    """A CSV's bytes as text: UTF-8 (BOM allowed), UTF-16 (recognised and decoded), or a
    Windows-1252 file (what Excel writes in Finland; with a warning).

    A file that is UTF-8 except for a few lines is not read as Windows-1252 (which would
    garble every ä, ö, å of the good lines): a DataError names the first bad line's row (the
    header is row 0) and byte offset.
    """
    text = _utf16(raw) if b"\x00" in raw[:4096] else None
    if text is not None:
        return text.lstrip("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = raw.split(b"\n")
    bad, utf8_non_ascii = [], False
    offset = 0
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
            utf8_non_ascii = utf8_non_ascii or not line.isascii()
        except UnicodeDecodeError as exc:
            bad.append((i, offset + exc.start, line[exc.start:exc.start + 1]))
        offset += len(line) + 1
    if utf8_non_ascii:  # the good lines are UTF-8 with ä, ö, å: the bad ones are damaged
        i, at, byte = bad[0]
        more = f" (and {len(bad) - 1} more line(s))" if len(bad) > 1 else ""
        raise DataError(f"byte {at} (0x{byte.hex()}) is not UTF-8 while the rest of the file is UTF-8"
                        f"{more}: fix that character, or save the file as 'CSV UTF-8'", file=file,
                        row=i)
    warnings.warn(f"{file}: not UTF-8; read as Windows-1252 (what Excel writes in Finland). "
                  "Check the names with ä, ö, å; save as 'CSV UTF-8' to be sure", PlannerWarning,
                  stacklevel=4)
    return raw.decode("cp1252", errors="replace")


def _read_csv(path: Path) -> pd.DataFrame:
    """All columns as text; ``;``-separated files with decimal commas get decimal points."""
    text = decode_text(path.read_bytes(), str(path))
    if "\x00" in text:
        raise DataError("the file contains NUL bytes: not a text CSV (an Excel .xlsx or another "
                        "binary file? save it as CSV UTF-8)", file=str(path))
    header = text.lstrip().split("\n", 1)[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    import io

    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""], sep=sep)
    if sep == ";":  # Finnish Excel: 24,93 means 24.93 where a whole column is numbers
        for col in df.columns:
            values = df[col].dropna()
            if len(values) and values.str.match(_DECIMAL_COMMA).all() and values.str.contains(",").any():
                df[col] = df[col].str.replace(",", ".", regex=False).str.strip()
    return df


def _require_columns(df: pd.DataFrame, required: list[str], file: str) -> None:
    # a shapefile cuts column names to 10 characters (municipality_code -> municipali)
    cut = {c[:10]: c for c in required if c not in df.columns and c[:10] in df.columns}
    if cut:
        df.columns = [cut.get(c, c) for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(
            f"missing required column(s) {missing}; the file has {list(df.columns)}",
            file=file, field=missing[0],
        )


def _normalise_code(value: object, file: str, row: int, field: str = "municipality_code") -> str:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) > 3:
        raise DataError(f"{text!r} is not a municipality code (three digits, e.g. '091')",
                        file=file, row=row, field=field)
    return text.zfill(3)


def _codes(values: pd.Series, file: str, field: str = "municipality_code") -> list[str]:
    """Every value as a 3-character municipality code, or a DataError naming its row."""
    return [_normalise_code(v, file, i + 1, field) for i, v in enumerate(values)]


def _read_vector(path: Path) -> gpd.GeoDataFrame:
    gdf = read_table(path)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataError("expected a vector file (GeoJSON / GeoPackage)", file=str(path), field="geometry")
    return gdf.reset_index(drop=True)


def _check_unique(values: pd.Series, file: str, field: str) -> None:
    dup = values[values.duplicated(keep=False)]
    if len(dup):
        first = dup.iloc[0]
        rows = [int(i) + 1 for i in dup.index[dup == first]]
        raise DataError(f"duplicate {field} {first!r} (rows {rows})", file=file, row=rows[1], field=field)


def _to_metric(gdf: gpd.GeoDataFrame, file: str, settings: Settings) -> gpd.GeoDataFrame:
    """The layer in ``settings.crs``; a DataError when its coordinates do not fit its stated CRS
    (metres labelled as degrees, as a GeoJSON without a crs member is read, or the reverse)."""
    if gdf.crs is None:
        raise DataError("the layer has no CRS; save it with EPSG:3067 or EPSG:4326", file=file,
                        field="geometry")
    ok = ~(gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    if ok.any():
        x0, y0, x1, y1 = gdf.geometry[ok].total_bounds
        degrees = -180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90
        if gdf.crs.is_geographic and not degrees:
            raise DataError(f"the coordinates (x {x0:.0f}..{x1:.0f}, y {y0:.0f}..{y1:.0f}) are not degrees "
                            f"although the layer's CRS is {gdf.crs.to_string()} (a GeoJSON without a "
                            "'crs' is read as WGS84): they look like projected metres (EPSG:3067?); "
                            "save the file with its real CRS", file=file, field="geometry")
        if gdf.crs.is_projected and 19 <= x0 and x1 <= 32 and 59 <= y0 and y1 <= 71:  # Finland in degrees
            raise DataError(f"the coordinates (x {x0:.3f}..{x1:.3f}, y {y0:.3f}..{y1:.3f}) look like "
                            f"degrees although the layer's CRS is {gdf.crs.to_string()} (metres); "
                            "save the file with its real CRS (EPSG:4326?)", file=file, field="geometry")
    return gdf.to_crs(settings.crs)


def _check_geometries(gdf: gpd.GeoDataFrame, file: str, kinds: tuple[str, ...],
                      repair: bool) -> gpd.GeoDataFrame:
    """Fail on missing/empty/wrong-type geometry; repair invalid polygons (with a warning)."""
    geoms = gdf.geometry
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            raise DataError("missing or empty geometry", file=file, row=i + 1, field="geometry")
        if g.geom_type not in kinds:
            raise DataError(f"geometry is a {g.geom_type}, expected {' or '.join(kinds)}",
                            file=file, row=i + 1, field="geometry")
    invalid = ~geoms.is_valid
    if invalid.any():
        rows = [int(i) + 1 for i in np.flatnonzero(invalid.to_numpy())]
        if not repair:
            reason = shapely.is_valid_reason(geoms.iloc[rows[0] - 1])
            raise DataError(f"invalid geometry ({reason})", file=file, row=rows[0], field="geometry")
        fixed = shapely.make_valid(geoms.to_numpy()[invalid.to_numpy()])
        # make_valid may return collections with slivers: keep the polygonal part
        fixed = [_polygonal(g) for g in fixed]
        for r, g in zip(rows, fixed, strict=True):
            if g is None or g.is_empty:
                raise DataError("invalid geometry that cannot be repaired", file=file, row=r,
                                field="geometry")
        gdf = gdf.copy()
        gdf.loc[invalid.to_numpy(), gdf.geometry.name] = fixed
        warnings.warn(f"{file}: repaired {len(rows)} invalid polygon(s) with shapely.make_valid "
                      f"(rows {rows[:10]}{'...' if len(rows) > 10 else ''})", PlannerWarning,
                      stacklevel=3)
    return gdf


def _polygonal(g: shapely.Geometry) -> shapely.Geometry | None:
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else None


# --- municipalities and service areas ---------------------------------------------------


def load_municipalities(path: str | Path | None = None,
                        settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Municipality table: code, names, language status, population by year, Swedish speakers.

    Adds ``sv_share`` = Swedish speakers (median of 2000-2022) / population of the
    earliest year in the table (2015, the year closest to that median's period; the
    2022 population would overstate the share where the population has shrunk), an
    approximation flagged by ``sv_share_estimated``.
    """
    path = Path(path) if path else _default(settings, "uusimaa", "municipalities.csv")
    file = str(path)
    df = read_table(path)
    _require_columns(df, ["municipality_code", "name_fi", "name_sv", "language_status",
                          "population_2022", "swedish_speakers_median_2000_2022"], file)
    df = df.copy()
    df["municipality_code"] = _codes(df["municipality_code"], file)
    _check_unique(df["municipality_code"], file, "municipality_code")
    for col in [c for c in df.columns if c.startswith("population_")] + [
            "swedish_speakers_median_2000_2022"]:
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna() | (num < 0) | (num > MAX_RESIDENTS)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            limit = f" (at most {MAX_RESIDENTS:,})" if num.iloc[i] > MAX_RESIDENTS else ""
            raise DataError(f"{df[col].iloc[i]!r} is not a non-negative number{limit}", file=file,
                            row=i + 1, field=col)
        df[col] = num.round().astype("int64")
    from .categories import ORGANISER_COLUMN

    if ORGANISER_COLUMN in df.columns:  # who organises a municipality's social services: never blank
        df[ORGANISER_COLUMN] = df[ORGANISER_COLUMN].fillna("").astype(str).str.strip()
        blank = df[ORGANISER_COLUMN].eq("")
        if blank.any():
            i = int(np.flatnonzero(blank.to_numpy())[0])
            raise DataError(f"municipality {df['municipality_code'].iloc[i]} has no organiser (its "
                            "wellbeing services county, or the City of Helsinki)", file=file, row=i + 1,
                            field=ORGANISER_COLUMN)
    df["bilingual"] = df["language_status"].str.contains("Bilingual", case=False)
    first = sorted(c for c in df.columns if c.startswith("population_"))[0]
    over = df["swedish_speakers_median_2000_2022"] > df[first]
    if over.any():
        i = int(np.flatnonzero(over.to_numpy())[0])
        raise DataError(f"{df['swedish_speakers_median_2000_2022'].iloc[i]} Swedish speakers is more than "
                        f"the population ({df[first].iloc[i]} in {first})", file=file, row=i + 1,
                        field="swedish_speakers_median_2000_2022")
    pop = df[first].where(df[first] > 0)  # 0 residents: share 0, not NaN
    df["sv_share"] = (df["swedish_speakers_median_2000_2022"] / pop).fillna(0.0).clip(0, 1)
    df["sv_share_estimated"] = True
    return df.reset_index(drop=True)


def load_municipal_borders(path: str | Path | None = None,
                           settings: Settings = DEFAULT_SETTINGS) -> gpd.GeoDataFrame:
    """The 26 municipal polygons of Uusimaa (generalised 1:4.5M), EPSG:3067."""
    path = Path(path) if path else _default(settings, "uusimaa", "municipalities_2023.geojson")
    file = str(path)
    gdf = _read_vector(path)
    _require_columns(gdf, ["municipality_code"], file)
    gdf = _check_geometries(_to_metric(gdf, file, settings), file, ("Polygon", "MultiPolygon"), True)
    gdf["municipality_code"] = _codes(gdf["municipality_code"], file)
    _check_unique(gdf["municipality_code"], file, "municipality_code")
    return gdf.reset_index(drop=True)


def load_municipal_centres(path: str | Path | None = None,
                           settings: Settings = DEFAULT_SETTINGS) -> gpd.GeoDataFrame:
    """One central-locality point per municipality (NLS topographic database), EPSG:3067."""
    path = Path(path) if path else _default(settings, "uusimaa", "municipal_centres.csv")
    file = str(path)
    df = read_table(path)
    _require_columns(df, ["municipality_code", "label", "lon", "lat"], file)
    df = df.copy()
    df["municipality_code"] = _codes(df["municipality_code"], file)
    lon, lat = _lonlat(df, file)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=settings.web_crs)
    return gdf.to_crs(settings.crs)


def service_area_presets(path: str | Path | None = None,
                         settings: Settings = DEFAULT_SETTINGS) -> list[str]:
    """Names of the service-area presets in the service-area table."""
    path = Path(path) if path else _default(settings, "service_areas.csv")
    return list(dict.fromkeys(read_table(path)["preset"]))


def load_service_areas(path: str | Path | None = None, preset: str | None = None,
                       municipalities: pd.DataFrame | None = None,
                       settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Municipality code -> service area for one preset of the editable service-area table.

    The table is long: ``preset, municipality_code, service_area``. Every municipality
    must belong to exactly one service area of the preset.
    """
    path = Path(path) if path else _default(settings, "service_areas.csv")
    preset = preset or settings.service_area_preset
    file = str(path)
    df = read_table(path)
    _require_columns(df, ["preset", "municipality_code", "service_area"], file)
    df = df.copy()
    df["municipality_code"] = _codes(df["municipality_code"], file)
    df["preset"] = df["preset"].fillna("").astype(str).str.strip()
    known = list(dict.fromkeys(df["preset"]))
    if preset not in known:
        raise DataError(f"unknown service-area preset {preset!r}; the file has {known}", file=file,
                        field="preset")
    sel = df[df["preset"] == preset].copy()
    for i, v in sel["service_area"].items():
        if not isinstance(v, str) or not v.strip():
            raise DataError("empty service area", file=file, row=int(i) + 1, field="service_area")
    clean = sel["service_area"].map(lambda v: unicodedata.normalize("NFC", " ".join(v.split())))
    changed = clean != sel["service_area"]
    if changed.any():  # 'Länsi ' and 'Länsi' are one area, not two
        rows = [int(i) + 1 for i in sel.index[changed]]
        warnings.warn(f"{file}: {int(changed.sum())} service-area name(s) had surrounding or repeated "
                      f"spaces or another Unicode form and were cleaned (rows {rows[:10]}"
                      f"{'...' if len(rows) > 10 else ''})", PlannerWarning, stacklevel=2)
        sel["service_area"] = clean
    _check_unique(sel["municipality_code"], file, "municipality_code")
    if municipalities is not None:
        missing = sorted(set(municipalities["municipality_code"]) - set(sel["municipality_code"]))
        if missing:
            raise DataError(f"preset {preset!r} leaves municipalities {missing} without a service area",
                            file=file, field="municipality_code")
        unknown = sel[~sel["municipality_code"].isin(municipalities["municipality_code"])]
        if len(unknown):
            i = int(unknown.index[0])
            raise DataError(f"unknown municipality code {unknown['municipality_code'].iloc[0]!r}",
                            file=file, row=i + 1, field="municipality_code")
    return sel[["municipality_code", "service_area"]].reset_index(drop=True)


# --- service points ---------------------------------------------------------------------

_POINT_REQUIRED = ["id", "name", "category", "municipality_code"]


def _lonlat(df: pd.DataFrame, file: str) -> tuple[np.ndarray, np.ndarray]:
    """Numeric lon/lat with located errors for text, swapped or projected values."""
    out = []
    for col in ("lon", "lat"):
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{df[col].iloc[i]!r} is not a number (decimal degrees, WGS84)",
                            file=file, row=i + 1, field=col)
        out.append(num.to_numpy(dtype=float))
    lon, lat = out
    for i in range(len(lon)):
        if abs(lon[i]) > 180 or abs(lat[i]) > 90:
            raise DataError(
                f"lon/lat ({lon[i]}, {lat[i]}) are not WGS84 degrees; they look like projected "
                "metres (EPSG:3067?): give them in columns x, y instead, or convert to lon/lat",
                file=file, row=i + 1, field="lon")
        if 59 <= lon[i] <= 71 and 19 <= lat[i] <= 32:
            raise DataError(f"lon/lat ({lon[i]}, {lat[i]}) look swapped: in Finland lon is 19-32 "
                            "and lat 59-71", file=file, row=i + 1, field="lon")
    return lon, lat


def _points_frame(df: pd.DataFrame | gpd.GeoDataFrame, file: str,
                  settings: Settings) -> gpd.GeoDataFrame:
    if isinstance(df, gpd.GeoDataFrame):
        gdf = _check_geometries(_to_metric(df, file, settings), file, ("Point",), False)
        return gdf
    if {"x", "y"} <= set(df.columns) and not {"lon", "lat"} <= set(df.columns):
        xy = []
        for col in ("x", "y"):
            num = pd.to_numeric(df[col], errors="coerce")
            if num.isna().any():
                i = int(np.flatnonzero(num.isna().to_numpy())[0])
                raise DataError(f"{df[col].iloc[i]!r} is not a number (metres, EPSG:3067)",
                                file=file, row=i + 1, field=col)
            xy.append(num.to_numpy(dtype=float))
        return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(*xy), crs=settings.crs)
    _require_columns(df, ["lon", "lat"], file)
    lon, lat = _lonlat(df, file)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat),
                            crs=settings.web_crs).to_crs(settings.crs)


def _id_text(value: object) -> str:
    """An id as text: numbers without a spurious '.0' (1 and 1.0 are '1'); blank / missing ''."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def load_service_points(path: str | Path | None = None,
                        borders: gpd.GeoDataFrame | None = None,
                        settings: Settings = DEFAULT_SETTINGS,
                        centres: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Service points in the seven categories, validated, EPSG:3067.

    Columns: ``id, name, category, municipality_code, address, postal_code,
    location_precision, source, note, capacity`` (float, NaN when unknown) and a Point
    geometry. A CSV gives WGS84 ``lon, lat`` (or EPSG:3067 ``x, y``); a vector file
    its own CRS. Each point must lie in its municipality (within the tolerance of the
    generalised borders).

    ``valid_from`` / ``valid_to`` (ISO dates, blank = open-ended) give the period a
    point exists (see :func:`select_points`). A row with ``location_precision =
    unknown`` is a placeholder: its site is not known, ``located`` is False and its
    geometry is the municipal centre (from ``centres``), used only when a caller
    explicitly includes unlocated points.
    """
    path = Path(path) if path else _default(settings, "service_points.csv")
    file = str(path)
    df = read_table(path)
    _require_columns(df, _POINT_REQUIRED, file)
    df = df.reset_index(drop=True).copy()
    own_columns = list(df.columns)  # what the file has, for messages (the loader adds columns)
    df["id"] = [_id_text(v) for v in df["id"]]  # a GeoJSON id may be a number: 1 is the id '1'
    for i, v in df["id"].items():
        if not v.strip():
            raise DataError("empty id", file=file, row=int(i) + 1, field="id")
    # one id in two Unicode spellings (NFC 'ä' and NFD 'a' + combining diaeresis) is one id
    df["id"] = df["id"].astype(str).str.strip().map(lambda v: unicodedata.normalize("NFC", v))
    _check_unique(df["id"], file, "id")
    for i, v in df["category"].items():
        if v not in CATEGORY_CODES:
            raise DataError(f"unknown category {v!r}; expected one of {list(CATEGORY_CODES)}",
                            file=file, row=int(i) + 1, field="category")
    df["municipality_code"] = _codes(df["municipality_code"], file)
    for col, default in (("address", ""), ("postal_code", ""), ("source", ""), ("note", "")):
        df[col] = df[col].fillna(default).astype(str) if col in df.columns else default
    if "location_precision" not in df.columns:
        df["location_precision"] = "unspecified"
    df["location_precision"] = df["location_precision"].fillna("unspecified")
    for i, v in df["location_precision"].items():
        if v not in PRECISIONS:
            raise DataError(f"unknown location_precision {v!r}; expected one of {list(PRECISIONS)}",
                            file=file, row=int(i) + 1, field="location_precision")
    coords = {"x", "y"} <= set(own_columns) or {"lon", "lat"} <= set(own_columns)
    if not isinstance(df, gpd.GeoDataFrame) and not coords and not df["location_precision"].isin(
            PROXY_PRECISIONS).all():  # only rows standing at their municipal centre need no position
        _require_columns(df[own_columns], ["lon", "lat"], file)
    df["valid_from"], df["valid_to"] = _validity(df, file)
    df["target_group"] = _target_groups(df, file)
    df["located"] = df["location_precision"] != UNKNOWN
    df["proxy"] = df["location_precision"].isin(PROXY_PRECISIONS)
    borders = borders if borders is not None else load_municipal_borders(settings=settings)
    df = _place_placeholders(df, file, centres, settings, borders)
    cap = pd.to_numeric(df["capacity"], errors="coerce") if "capacity" in df.columns else None
    if cap is not None:
        bad = (cap.isna() & df["capacity"].notna()) | (cap < 0) | (cap.notna() & ~np.isfinite(cap))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{df['capacity'].iloc[i]!r} is not a finite non-negative number", file=file,
                            row=i + 1, field="capacity")
    df["capacity"] = cap.astype(float) if cap is not None else np.nan
    gdf = _points_frame(df, file, settings)
    borders = borders if borders is not None else load_municipal_borders(settings=settings)
    _check_inside(gdf, borders, file, settings)
    cols = ["id", "name", "category", "municipality_code", "address", "postal_code",
            "location_precision", "located", "proxy", "target_group", "valid_from", "valid_to", "source",
            "note", "capacity"]
    extra = [c for c in gdf.columns if c not in cols and c not in ("lon", "lat", "x", "y", "geometry")]
    return gpd.GeoDataFrame(gdf[cols + extra], geometry=gdf.geometry, crs=settings.crs)


def parse_date(value: object, file: str = "<date>", row: int | None = None,
               field: str = "date") -> pd.Timestamp | None:
    """An ISO date ``YYYY-MM-DD`` (blank/None -> None) or a located DataError."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.normalize()
    text = str(value).strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return pd.Timestamp(_dt.date.fromisoformat(text))
    except ValueError:
        raise DataError(f"{text!r} is not a date (YYYY-MM-DD, e.g. 2022-12-31)", file=file, row=row,
                        field=field) from None


def _validity(df: pd.DataFrame, file: str) -> tuple[pd.Series, pd.Series]:
    """Parsed ``valid_from`` / ``valid_to`` (NaT = open-ended); valid_to before valid_from fails."""
    out = {}
    for col in ("valid_from", "valid_to"):
        values = df[col] if col in df.columns else pd.Series([None] * len(df), index=df.index)
        out[col] = pd.Series([parse_date(v, file, i + 1, col) for i, v in enumerate(values)],
                             index=df.index, dtype="datetime64[ns]")
    bad = out["valid_to"] < out["valid_from"]
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"valid_to {out['valid_to'].iloc[i].date()} is before valid_from "
                        f"{out['valid_from'].iloc[i].date()}", file=file, row=i + 1, field="valid_to")
    return out["valid_from"], out["valid_to"]


_TARGET_GROUP = r"^[a-z][a-z0-9_]*$"


def _target_groups(df: pd.DataFrame, file: str) -> pd.Series:
    """The optional ``target_group`` column: '' for everyday services, else a lower-case word.

    A targeted service (``emergency``, ``homeless``, ``immigrant`` ...) serves one group only,
    so the everyday needs leave it out by default (issue 23).
    """
    if "target_group" not in df.columns:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    values = df["target_group"].fillna("").astype(str).str.strip().str.lower()
    bad = (values != "") & ~values.str.match(_TARGET_GROUP)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{df['target_group'].iloc[i]!r} is not a target group (one lower-case word such "
                        "as emergency, homeless or immigrant; empty for everyday services)", file=file,
                        row=i + 1, field="target_group")
    return values.astype(object)


def _place_placeholders(df: pd.DataFrame, file: str, centres: gpd.GeoDataFrame | None,
                        settings: Settings, borders: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Give placeholder and municipality-proxy rows their municipal centre as the position.

    Rows with ``location_precision`` unknown (placeholder) or municipality (documented to exist,
    site unknown: issue 23) stand at the centre of ``municipal_centres.csv``; their own lon/lat
    (or x/y), if any, are replaced: such a row never poses as a site. A municipality missing from
    the centre table falls back to a point inside its polygon (``representative_point``).
    """
    unknown = df["location_precision"].isin((UNKNOWN, MUNICIPALITY)).to_numpy()
    if not unknown.any():
        return df
    if centres is None:
        centres = load_municipal_centres(settings=settings)
    by_code = centres.set_index("municipality_code").geometry
    if borders is not None:
        inner = borders.to_crs(centres.crs).set_index("municipality_code").geometry.representative_point()
        by_code = pd.concat([by_code, inner[~inner.index.isin(by_code.index)]])
    df = df.copy()
    cols = ("x", "y") if {"x", "y"} <= set(df.columns) and not {"lon", "lat"} <= set(df.columns) \
        else ("lon", "lat")
    for c in cols:
        if c not in df.columns:
            df[c] = None
        df[c] = df[c].astype(object)
    for i in np.flatnonzero(unknown):
        code = df["municipality_code"].iloc[i]
        if code not in by_code.index:
            raise DataError(f"row with location_precision={df['location_precision'].iloc[i]} in "
                            f"municipality {code!r}, "
                            "which has no municipal centre", file=file, row=int(i) + 1,
                            field="municipality_code")
        pt = by_code[code]
        if cols == ("lon", "lat"):
            pt = gpd.GeoSeries([pt], crs=centres.crs).to_crs(settings.web_crs).iloc[0]
        df.iloc[i, df.columns.get_loc(cols[0])] = pt.x
        df.iloc[i, df.columns.get_loc(cols[1])] = pt.y
    return df


def select_points(points: gpd.GeoDataFrame, on: str | _dt.date | pd.Timestamp | None = None,
                  include_unlocated: bool = False, located_only: bool = False) -> gpd.GeoDataFrame:
    """The network of one day: points valid on ``on`` (None = every row).

    Placeholders (``located`` False: not documented to exist at a known place) are left out
    unless ``include_unlocated`` keeps them (at their municipal centre). Proxy sites
    (``proxy`` True: a row documented to exist standing at its municipal centre) count by
    default; ``located_only`` leaves every proxy out (the located-only view, issue 23).
    """
    keep = np.ones(len(points), bool)
    if on is not None:
        day = parse_date(on) if not isinstance(on, pd.Timestamp) else on
        day = pd.Timestamp(day)
        if "valid_from" in points.columns:
            vf = pd.to_datetime(points["valid_from"])
            keep &= (vf.isna() | (vf <= day)).to_numpy()
        if "valid_to" in points.columns:
            vt = pd.to_datetime(points["valid_to"])
            keep &= (vt.isna() | (vt >= day)).to_numpy()
    if not include_unlocated and "located" in points.columns:
        keep &= points["located"].fillna(True).to_numpy(dtype=bool)
    if located_only:
        keep &= ~proxy_mask(points)
    return points[keep].reset_index(drop=True)


def proxy_mask(points: pd.DataFrame) -> np.ndarray:
    """True where a point's position is a stand-in (its municipal centre), not its site."""
    if "proxy" in points.columns:
        return points["proxy"].fillna(False).to_numpy(dtype=bool)
    if "location_precision" in points.columns:
        return points["location_precision"].isin(PROXY_PRECISIONS).to_numpy(dtype=bool)
    return np.zeros(len(points), bool)


def targeted_mask(points: pd.DataFrame) -> np.ndarray:
    """True where a point serves a target group only (column ``target_group`` not empty)."""
    if "target_group" not in points.columns:
        return np.zeros(len(points), bool)
    tg = points["target_group"]
    return (tg.notna() & (tg.astype(str).str.strip() != "")).to_numpy(dtype=bool)


def _check_inside(gdf: gpd.GeoDataFrame, borders: gpd.GeoDataFrame, file: str,
                  settings: Settings) -> None:
    """Points must lie in Uusimaa and in their own municipality (± generalisation tolerance)."""
    by_code = borders.set_index("municipality_code").geometry
    region = shapely.union_all(borders.geometry.to_numpy())
    tol = settings.boundary_tolerance_m
    for i, (code, pt) in enumerate(zip(gdf["municipality_code"], gdf.geometry, strict=True)):
        if code not in by_code.index:
            raise DataError(f"unknown municipality code {code!r} (not one of Uusimaa's "
                            f"{len(by_code)} municipalities)", file=file, row=i + 1,
                            field="municipality_code")
        if region.distance(pt) > tol:
            lon, lat = gpd.GeoSeries([pt], crs=settings.crs).to_crs(settings.web_crs).iloc[0].coords[0]
            raise DataError(f"point ({lon:.5f}, {lat:.5f}) lies outside Uusimaa "
                            f"({region.distance(pt) / 1000:.1f} km from the region)",
                            file=file, row=i + 1, field="lon")
        d = by_code[code].distance(pt)
        if d > tol:
            raise DataError(f"point lies {d / 1000:.1f} km outside its municipality {code}; "
                            "check municipality_code or the coordinates", file=file, row=i + 1,
                            field="municipality_code")


# --- population ---------------------------------------------------------------------


def load_postal_areas(path: str | Path | None = None, population_field: str = "population_2022",
                      settings: Settings = DEFAULT_SETTINGS) -> gpd.GeoDataFrame:
    """Postal-code areas with population (Statistics Finland Paavo), EPSG:3067.

    Returns ``postal_code, municipality_code, municipality_name, population`` (int)
    and polygons. Invalid polygons of the simplified source are repaired with a
    :class:`PlannerWarning`.
    """
    path = Path(path) if path else _default(settings, "uusimaa", "postal_areas.geojson")
    file = str(path)
    gdf = _read_vector(path)
    _require_columns(gdf, ["postal_code", "municipality_code", population_field], file)
    gdf = _check_geometries(_to_metric(gdf, file, settings), file,
                            ("Polygon", "MultiPolygon"), True)
    for i, v in enumerate(gdf["postal_code"]):
        text = "" if v is None else str(v).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 5):
            raise DataError(f"{text!r} is not a postal code (five digits, e.g. '00100')", file=file,
                            row=i + 1, field="postal_code")
    gdf["postal_code"] = gdf["postal_code"].astype(str).str.zfill(5)
    _check_unique(gdf["postal_code"], file, "postal_code")
    gdf["municipality_code"] = _codes(gdf["municipality_code"], file)
    gdf["population"] = _population(gdf[population_field], file, population_field)
    _check_some_residents(gdf["population"], file, population_field)
    if "municipality_name" not in gdf.columns:
        gdf["municipality_name"] = ""
    return gdf[["postal_code", "municipality_code", "municipality_name", "population",
                "geometry"]]


MAX_RESIDENTS = 10_000_000
"""More residents than Finland has, in one unit or municipality: a unit or parsing error."""


def _plain(value: object) -> object:
    """A cell as the user typed it: a NumPy scalar as its Python value (2.5, not np.float64(2.5))."""
    return value.item() if isinstance(value, np.generic) else value


def _population(values: pd.Series, file: str, field: str) -> pd.Series:
    num = pd.to_numeric(values, errors="coerce")
    if num.dtype == bool:
        num = pd.Series(np.nan, index=values.index)
    bad = num.isna() | (num < 0) | (num.round() != num) | (num > MAX_RESIDENTS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{_plain(values.iloc[i])!r} is not a non-negative whole number of residents"
                        + (f" (at most {MAX_RESIDENTS:,})" if num.iloc[i] > MAX_RESIDENTS else ""),
                        file=file, row=i + 1, field=field)
    return num.astype("int64")


def load_population_grid(path: str | Path | None = None, population_field: str = "ASUKKAITA",
                         id_field: str = "INDEX",
                         settings: Settings = DEFAULT_SETTINGS) -> gpd.GeoDataFrame:
    """250 m population grid (HSY), EPSG:3067: ``cell_id`` (str), ``population`` (int)."""
    path = Path(path) if path else _default(settings, "helsinki_region", "population_grid_2015.gpkg")
    file = str(path)
    gdf = _read_vector(path)
    _require_columns(gdf, [id_field, population_field], file)
    gdf = _check_geometries(_to_metric(gdf, file, settings), file,
                            ("Polygon", "MultiPolygon"), True)
    gdf["cell_id"] = gdf[id_field].astype(str)
    _check_unique(gdf["cell_id"], file, id_field)
    gdf["population"] = _population(gdf[population_field], file, population_field)
    _check_some_residents(gdf["population"], file, population_field)
    check_overlaps(gdf, "cell_id", file, name=id_field)  # the message names the file's own column
    return gdf[["cell_id", "population", "geometry"]]


def _check_some_residents(population: pd.Series, file: str, field: str) -> None:
    """No residents at all gives no figure at all (means of nothing): an error, not NaN tables."""
    if int(population.sum()) == 0:
        raise DataError(f"all {len(population)} areas have 0 residents: there is no one whose travel "
                        "times could be measured", file=file, field=field)


OVERLAP_MAX_SHARE = 0.10
"""Two demand polygons may share at most this share of the larger one's area. More means the
same land (and its residents) is in the file twice; less is left to the simplified source
(slivers along shared borders, and enclaves whose hole the generalised polygons lost:
02410 inside 02400, 10320 inside 10300 in the bundled Paavo areas, each with its own count)."""


def check_overlaps(gdf: gpd.GeoDataFrame, id_field: str, file: str, name: str | None = None) -> None:
    """A DataError naming both units and rows when two polygons overlap by more than
    :data:`OVERLAP_MAX_SHARE` of the larger one: their residents would be counted twice.
    ``name`` is the id's column as the file calls it (default ``id_field``)."""
    geom = gdf.geometry.to_numpy()
    a, b = shapely.STRtree(geom).query(geom, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if not len(a):
        return
    shared = shapely.area(shapely.intersection(geom[a], geom[b]))
    larger = np.maximum(shapely.area(geom[a]), shapely.area(geom[b]))
    over = np.flatnonzero(shared > OVERLAP_MAX_SHARE * larger)
    if len(over):
        i, j = int(a[over[0]]), int(b[over[0]])
        ids = gdf[id_field].to_numpy()
        raise DataError(f"{name or id_field} {ids[j]!r} (row {j + 1}) overlaps {ids[i]!r} (row {i + 1}) over "
                        f"{shared[over[0]] / 1e6:.2f} km² ({100 * shared[over[0]] / larger[over[0]]:.0f} % "
                        "of the larger): the same residents would be counted twice. Each place must "
                        f"belong to one unit ({len(over)} overlapping pair(s) in all)", file=file,
                        row=j + 1, field="geometry")


# --- need indicators (issue 11, item 5) -------------------------------------------------

NEED_WEIGHTS: dict[str, tuple[str, str, str]] = {
    # weight -> (indicator column, denominator column, label)
    "unemployed": ("unemployed_2016", "population_2016",
                   "unemployed residents: 2016 share unemployed / population (Statistics Finland "
                   "Paavo 2016) x 2022 population"),
    "low_income_households": ("households_lowest_income_2016", "households_total_2016",
                              "residents of lowest-income households: 2016 share lowest-income "
                              "households / all households (Statistics Finland Paavo 2016) x 2022 "
                              "population"),
}


def load_postal_need(path: str | Path | None = None,
                     settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Paavo 2016 need indicators per postal area (all counts as non-negative integers)."""
    path = Path(path) if path else _default(settings, "uusimaa", "postal_need_2016.csv")
    file = str(path)
    df = read_table(path)
    cols = ["population_2016", "unemployed_2016", "households_total_2016",
            "households_lowest_income_2016"]
    _require_columns(df, ["postal_code", "municipality_code", *cols], file)
    df = df.copy()
    df["postal_code"] = df["postal_code"].astype(str).str.zfill(5)
    _check_unique(df["postal_code"], file, "postal_code")
    df["municipality_code"] = _codes(df["municipality_code"], file)
    for c in [c for c in df.columns if c.endswith("_2016")]:
        df[c] = _population(df[c], file, c)
    return df.reset_index(drop=True)


# --- plausibility: land, region, codes ----------------------------------------------------

LAND_TOLERANCE_M = 500.0
"""How far a point may lie off the land (postal-area polygons, simplified) before it is refused."""


def land_polygon(postal_areas: gpd.GeoDataFrame) -> shapely.Geometry:
    """Land = the union of the postal-area polygons (municipal polygons include the sea)."""
    return shapely.union_all(postal_areas.geometry.to_numpy())


def check_on_land(points: gpd.GeoDataFrame, land: shapely.Geometry, file: str,
                  tolerance_m: float = LAND_TOLERANCE_M, settings: Settings = DEFAULT_SETTINGS) -> None:
    """Service points must lie on land: a DataError for the first one farther than ``tolerance_m``.

    The postal-area polygons are simplified, so a point on the shore or on a small island
    may fall just outside them; the tolerance (500 m) allows for that.
    """
    if not len(points):
        return
    dist = shapely.distance(land, points.geometry.to_numpy())
    far = np.flatnonzero(dist > tolerance_m)
    if len(far):
        i = int(far[0])
        lon, lat = gpd.GeoSeries([points.geometry.iloc[i]], crs=points.crs).to_crs(
            settings.web_crs).iloc[0].coords[0]
        name = points["name"].iloc[i] if "name" in points.columns else ""
        raise DataError(f"point {name!r} ({lon:.5f}, {lat:.5f}) lies in the sea: {dist[i] / 1000:.1f} km "
                        f"from land (the postal-area polygons, simplified, so {tolerance_m:.0f} m are "
                        "allowed); check the coordinates", file=file, row=i + 1, field="lon")


def check_postal_areas(postal: gpd.GeoDataFrame, municipalities: pd.DataFrame,
                       borders: gpd.GeoDataFrame, file: str,
                       settings: Settings = DEFAULT_SETTINGS) -> None:
    """Postal areas must name a known municipality, lie in Uusimaa and not overlap each other
    (:func:`check_overlaps`); DataError otherwise."""
    check_overlaps(postal, "postal_code", file)
    known = set(municipalities["municipality_code"])
    for i, code in enumerate(postal["municipality_code"]):
        if code not in known:
            raise DataError(f"unknown municipality code {code!r} (not one of the {len(known)} "
                            "municipalities of the municipality table)", file=file, row=i + 1,
                            field="municipality_code")
    region = shapely.union_all(borders.geometry.to_numpy())
    tol = settings.boundary_tolerance_m
    dist = shapely.distance(region, postal.geometry.representative_point().to_numpy())
    far = np.flatnonzero(dist > tol)
    if len(far):
        i = int(far[0])
        raise DataError(f"postal area {postal['postal_code'].iloc[i]!r} lies outside Uusimaa "
                        f"({dist[i] / 1000:.1f} km from the region)", file=file, row=i + 1,
                        field="geometry")


_LAND: dict[str, shapely.Geometry] = {}


def bundled_land(settings: Settings = DEFAULT_SETTINGS) -> shapely.Geometry:
    """:func:`land_polygon` of the bundled postal areas (computed once per process)."""
    path = str(_default(settings, "uusimaa", "postal_areas.geojson"))
    if path not in _LAND:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PlannerWarning)
            _LAND[path] = land_polygon(load_postal_areas(path, settings=settings))
    return _LAND[path]
