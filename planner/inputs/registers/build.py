"""Register records + mapping rules -> a points file (and the list of everything left out).

Every record ends in exactly one of two tables: the points (one row per category it
serves) or ``skipped`` with the reason (no rule matched, not a site, outside Uusimaa, no
Finnish or Swedish service language). Register coordinates are EPSG:3067 (PTV, and TPR's
``*_etrs_tm35fin``) or WGS84 projected here; a row's municipality is the register's when
the site lies in it, else the municipality the site lies in (the note says so). A unit
without coordinates in a known Uusimaa municipality stands at its municipal centre as a proxy
(``location_precision=municipality``), never an invented site.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from ...settings import DEFAULT_SETTINGS, Settings
from .mapping import Rules, map_record, row_id
from .record import Record

__all__ = ["POINT_COLUMNS", "SKIPPED_COLUMNS", "build_points", "category_counts"]

POINT_COLUMNS = ["id", "name", "category", "municipality_code", "address", "postal_code", "lon", "lat",
                 "location_precision", "source", "valid_from", "valid_to", "note", "target_group", "x", "y",
                 "register", "register_id", "register_url", "fetched_on", "languages", "languages_from",
                 "service_mode_evidence", "rule"]
SKIPPED_COLUMNS = ["register", "register_id", "name", "municipality_code", "reason", "register_url",
                   "fetched_on"]
# EPSG:3067 box of Finland: coordinates outside it are not a Finnish site (swapped, or degrees)
_FINLAND_3067 = (40_000.0, 6_600_000.0, 770_000.0, 7_800_000.0)
# a register unit without coordinates: documented to exist, site unknown -> a proxy at its
# municipal centre (issue 23 item 4: it counts, drawn hollow)
NO_SITE_PRECISION = "municipality"


def _municipality_lookup(municipalities: pd.DataFrame) -> dict[str, str]:
    out = {}
    for _, m in municipalities.iterrows():
        for col in ("name_fi", "name_sv", "name_en"):
            if isinstance(m.get(col), str) and m[col]:
                out[m[col].strip().lower()] = m["municipality_code"]
    return out


def _site(rec: Record, settings: Settings) -> shapely.Point | None:
    """The record's site in EPSG:3067, or None when the register gives no usable coordinates."""
    x, y = rec.x, rec.y
    if (x is None or y is None) and rec.lon is not None and rec.lat is not None:
        pt = gpd.GeoSeries([shapely.Point(rec.lon, rec.lat)], crs=settings.web_crs).to_crs(settings.crs)[0]
        x, y = pt.x, pt.y
    if x is None or y is None:
        return None
    x0, y0, x1, y1 = _FINLAND_3067
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return None
    return shapely.Point(x, y)


def build_points(records: list[Record], rules: Rules, municipalities: pd.DataFrame,
                 borders: gpd.GeoDataFrame, settings: Settings = DEFAULT_SETTINGS
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(points, skipped): the points file's rows (``POINT_COLUMNS``) and every record left out."""
    by_name = _municipality_lookup(municipalities)
    shapes = borders.to_crs(settings.crs).set_index("municipality_code").geometry
    region = shapely.union_all(shapes.to_numpy())
    tol = settings.boundary_tolerance_m
    rows, skipped = [], []

    def skip(rec: Record, code: str, reason: str) -> None:
        skipped.append({"register": rec.register, "register_id": rec.register_id, "name": rec.name(),
                        "municipality_code": code, "reason": reason, "register_url": rec.url,
                        "fetched_on": rec.fetched_on})

    for rec in records:
        code = rec.municipality_code or next((by_name[n.strip().lower()] for n in rec.municipality_names
                                              if n.strip().lower() in by_name), "")
        mapped, reason = map_record(rec, rules)
        if not mapped:
            skip(rec, code, reason)
            continue
        site = _site(rec, settings)
        notes = []
        if site is not None:
            if region.distance(site) > tol:
                skip(rec, code, "site outside Uusimaa")
                continue
            if code not in shapes.index or shapes[code].distance(site) > tol:
                inside = shapes.index[shapes.distance(site).to_numpy().argmin()]
                if code:
                    notes.append(f"the register names municipality {code}; the site lies in {inside}")
                code = inside
        elif code not in shapes.index:
            skip(rec, code, "no coordinates and no Uusimaa municipality in the register")
            continue
        else:
            notes.append("the register gives no coordinates: a placeholder at its municipality")
        for m in mapped:
            lon = lat = x = y = None
            if site is not None:
                web = gpd.GeoSeries([site], crs=settings.crs).to_crs(settings.web_crs).iloc[0]
                lon, lat, x, y = round(web.x, 6), round(web.y, 6), round(site.x, 1), round(site.y, 1)
            rows.append({
                "id": row_id(rec, m.category), "name": m.name, "category": m.category,
                "municipality_code": code, "address": m.address, "postal_code": rec.postal_code,
                "lon": lon, "lat": lat,
                "location_precision": "address" if site is not None else NO_SITE_PRECISION,
                "source": rec.url, "valid_from": "", "valid_to": "",
                "note": "; ".join([f"in the register on {rec.fetched_on}", *notes, *m.notes]),
                "target_group": m.target_group, "x": x, "y": y,
                "register": rec.register, "register_id": rec.register_id, "register_url": rec.url,
                "fetched_on": rec.fetched_on, "languages": ";".join(rec.languages),
                "languages_from": m.languages_from, "service_mode_evidence": m.mode_evidence,
                "rule": m.rule})
    points = pd.DataFrame(rows, columns=POINT_COLUMNS)
    if len(points):
        points = points.sort_values(["register", "municipality_code", "id"], kind="stable")
        dup = points["id"][points["id"].duplicated()]
        if len(dup):  # two register entries with one id: keep both visible, never drop one
            points.loc[points["id"].duplicated(keep=False), "id"] += "_" + \
                points.groupby("id").cumcount().astype(str)
    skipped_df = pd.DataFrame(skipped, columns=SKIPPED_COLUMNS)
    return points.reset_index(drop=True), skipped_df.reset_index(drop=True)


def category_counts(points: pd.DataFrame) -> dict[str, int]:
    """Rows per category (every one of the seven, zero included)."""
    from ..categories import CATEGORY_CODES

    counts = points["category"].value_counts() if len(points) else pd.Series(dtype=int)
    return {c: int(counts.get(c, 0)) for c in CATEGORY_CODES}

