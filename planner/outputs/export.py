"""Tables and layers out: CSV, Excel, GeoPackage and GeoParquet, each with a metadata record.

Every table carries provenance columns (model, mode, network source, data year,
scenario) and every export writes a metadata record (``metadata.csv`` or a
``metadata`` sheet / layer) with the full provenance.
"""

from __future__ import annotations

import gc
import io
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..analysis.accessibility import with_provenance
from ..errors import OutputError
from ..escape import neutralise_cells
from .attribution import (
    ATTRIBUTION_FILE,
    attribution_lines,
    attribution_markdown,
    attribution_notice,
    licence_lines,
    modified_statement,
)

__all__ = ["metadata_table", "unit_times", "write_csv", "write_excel", "write_geopackage",
           "write_geoparquet", "read_geopackage_layer", "write_attribution", "attribution_metadata",
           "CSV_DIALECTS", "csv_options"]

CSV_DIALECTS = ("default", "excel-fi")
"""``default``: UTF-8, comma, decimal point, every digit of a float (for programs).
``excel-fi``: what Excel with Finnish regional settings opens by a double click: UTF-8 with a
byte-order mark (else ä/ö break), ``;`` between fields, decimal comma, floats to 10
significant digits (no ``0.30000000000000004`` noise)."""


def metadata_table(provenance: dict[str, str], extra: dict[str, str] | None = None) -> pd.DataFrame:
    """Key/value provenance record, with the attribution lines of the data used (``attribution_<n>``)."""
    items = {**provenance, **(extra or {})}
    # the credit lines of the data used (geodata/sources.toml), one row each; that the data was
    # modified and the licence links (CC BY 4.0 asks for both)
    items.update({f"attribution_{i}": line for i, line in enumerate(attribution_lines(provenance), 1)})
    items["modified"] = modified_statement()
    items.update({f"licence_{i}": line for i, line in enumerate(licence_lines(provenance), 1)})
    return pd.DataFrame({"key": list(items), "value": [str(v) for v in items.values()]})


def attribution_metadata(provenance: dict[str, str]) -> dict[str, str]:
    """The attribution notice as key/value metadata of one file (GeoParquet, GeoPackage):
    ``attribution`` (credit lines), ``modified`` and ``licence`` (licence links), one line each."""
    return {"attribution": "\n".join(attribution_lines(provenance)), "modified": modified_statement(),
            "licence": "\n".join(licence_lines(provenance))}


def write_attribution(folder: str | Path, provenance: dict[str, str]) -> Path:
    """``ATTRIBUTION.md`` in ``folder``: the credit lines, that the data was modified, the licence
    links (the sidecar of formats without metadata of their own, such as CSV)."""
    path = Path(folder) / ATTRIBUTION_FILE
    path.write_text(attribution_markdown(provenance), encoding="utf-8")
    return path


def unit_times(units: gpd.GeoDataFrame, access: pd.DataFrame) -> gpd.GeoDataFrame:
    """Demand units with one ``time_<need>_<group>`` (min) and ``point_<need>_<group>`` column each
    (and ``time_error_p90_min_<need>_<group>``, the estimate's p90 error, when known)."""
    wide_t = access.pivot(index="unit_id", columns=["need", "group"], values="time_min")
    wide_p = access.pivot(index="unit_id", columns=["need", "group"], values="point_id")
    wide_t.columns = [f"time_{n}_{g}" for n, g in wide_t.columns]
    wide_p.columns = [f"point_{n}_{g}" for n, g in wide_p.columns]
    wide = wide_t.join(wide_p)
    if "time_error_p90_min" in access.columns:  # the model's p90 error at each trip's distance
        wide_e = access.pivot(index="unit_id", columns=["need", "group"], values="time_error_p90_min")
        wide_e.columns = [f"time_error_p90_min_{n}_{g}" for n, g in wide_e.columns]
        wide = wide.join(wide_e)
    out = units.merge(wide, left_on="unit_id", right_index=True, how="left",
                      validate="one_to_one")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=units.crs)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(df.drop(columns="geometry")) if "geometry" in df.columns else df


def csv_options(dialect: str = "default") -> dict[str, str]:
    """``DataFrame.to_csv`` keyword arguments of a CSV dialect (:data:`CSV_DIALECTS`)."""
    # CRLF (RFC 4180): pandas then quotes a text cell holding a bare CR, which would
    # otherwise split the row
    if dialect == "default":
        return {"encoding": "utf-8", "sep": ",", "decimal": ".", "lineterminator": "\r\n"}
    if dialect == "excel-fi":
        return {"encoding": "utf-8-sig", "sep": ";", "decimal": ",", "float_format": "%.10g",
                "lineterminator": "\r\n"}
    raise ValueError(f"unknown CSV dialect {dialect!r}: expected one of {list(CSV_DIALECTS)}")


def write_csv(tables: dict[str, pd.DataFrame], out_dir: str | Path,
              provenance: dict[str, str], dialect: str = "default") -> list[Path]:
    """One CSV per table (provenance columns appended) plus ``metadata.csv`` and the
    ``ATTRIBUTION.md`` sidecar; ``dialect`` one of :data:`CSV_DIALECTS`."""
    options = csv_options(dialect)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        path = out_dir / f"{name}.csv"
        neutralise_cells(with_provenance(_plain(df), provenance)).to_csv(path, index=False, **options)
        written.append(path)
    path = out_dir / "metadata.csv"
    neutralise_cells(metadata_table(provenance)).to_csv(path, index=False, **options)
    return [*written, path, write_attribution(out_dir, provenance)]


def write_excel(tables: dict[str, pd.DataFrame], path: str | Path, provenance: dict[str, str],
                scenario_text: str | None = None) -> Path:
    """One sheet per table plus a ``metadata`` sheet (model, data years, scenario text)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = {"scenario_file": scenario_text} if scenario_text else None
    hook = sys.unraisablehook
    try:
        data = _excel_bytes(tables, metadata_table(provenance, extra), attribution_notice(provenance))
    except OSError as exc:  # a full disk (openpyxl's own temporary files): one clear error, and
        # not the tracebacks of its half-closed writers when they are collected afterwards
        sys.unraisablehook = lambda _: None
        failure = OSError(exc.errno, exc.strerror)
    else:
        failure = None
    try:
        if failure is not None:
            gc.collect()
            raise failure
    finally:
        sys.unraisablehook = hook
    path.write_bytes(data)  # written in one go: a full disk fails cleanly, not mid-ZIP
    return path


def _excel_bytes(tables: dict[str, pd.DataFrame], metadata: pd.DataFrame, notice: list[str]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        props = xw.book.properties  # the notice travels in the document properties too
        props.title = "uusimaa-planner results"
        props.creator = "uusimaa-planner"
        props.description = "\n".join(notice)
        props.keywords = "open data; modified; " + "; ".join(x.removeprefix("Licence ") for x in notice
                                                               if x.startswith("Licence "))
        neutralise_cells(metadata).to_excel(xw, sheet_name="metadata", index=False)
        for name, df in tables.items():
            plain = _plain(df).replace([np.inf, -np.inf], np.nan)  # Excel has no infinity
            neutralise_cells(plain).to_excel(xw, sheet_name=name[:31], index=False)
    return buf.getvalue()


def write_geopackage(layers: dict[str, pd.DataFrame], path: str | Path,
                     provenance: dict[str, str]) -> Path:
    """Spatial layers keep their CRS (EPSG:3067); plain tables become attribute-only layers."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    # every layer's description (gpkg_contents) and metadata (gpkg_metadata) carry the notice
    notice = {"layer_options": {"DESCRIPTION": " ".join(attribution_notice(provenance))},
              "metadata": attribution_metadata(provenance)}
    try:
        for name, df in layers.items():
            df = with_provenance(df, provenance)
            if isinstance(df, gpd.GeoDataFrame):
                df.to_file(path, layer=name, driver="GPKG", **notice)
            else:
                gpd.GeoDataFrame(df).to_file(path, layer=name, driver="GPKG", **notice)
        gpd.GeoDataFrame(metadata_table(provenance)).to_file(path, layer="metadata", driver="GPKG",
                                                             **notice)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - GDAL's write errors (a full disk: "Failed to commit")
        import shutil

        free = shutil.disk_usage(path.parent).free
        raise OutputError(f"cannot write the GeoPackage {path.name}: {exc}"
                          + (f" (the disk is full: {free / 1e6:.1f} MB free)" if free < 50e6 else "")
                          ) from None
    return path


def read_geopackage_layer(path: str | Path, layer: str) -> pd.DataFrame:
    """Read one layer back (attribute-only layers as plain DataFrames)."""
    df = gpd.read_file(path, layer=layer)
    if "geometry" in df.columns and df.geometry.isna().all():
        return pd.DataFrame(df.drop(columns="geometry"))
    return df


def write_geoparquet(gdf: gpd.GeoDataFrame, path: str | Path, provenance: dict[str, str]) -> Path:
    """GeoParquet (EPSG:3067 kept in its geo metadata) with provenance columns; the attribution
    notice in the file's key/value metadata (``attribution``, ``modified``, ``licence``)."""
    import pyarrow.parquet as pq

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with_provenance(gdf, provenance).to_parquet(buf)
    table = pq.read_table(io.BytesIO(buf.getvalue()))
    meta = {**(table.schema.metadata or {}),
            **{k.encode(): v.encode("utf-8") for k, v in attribution_metadata(provenance).items()}}
    pq.write_table(table.replace_schema_metadata(meta), path)
    return path
