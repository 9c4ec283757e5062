"""``planner points diff OLD NEW``: what changed between two points files, row by row.

Rows are matched by ``id`` (a fetched file's ids are stable: register, register id and the
category's language, so a walk-in point that becomes by-appointment keeps its id). Changes:

- ``added`` / ``removed``: an id in only one file;
- ``moved``: both sites known and more than ``threshold_m`` apart (EPSG:3067 metres), or the
  site became known / unknown (a placeholder or a municipality proxy), then without a
  distance: a stand-in position is not a site, so no distance is claimed;
- ``recategorised``: another category; ``redated``: another ``valid_from`` or ``valid_to``;
- ``retargeted``: another ``target_group`` (missing column = everyday service).

A row may have several changes (one line each).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ...settings import DEFAULT_SETTINGS, Settings

__all__ = ["CHANGES", "DIFF_COLUMNS", "MOVE_THRESHOLD_M", "diff_points", "change_counts"]

CHANGES = ("added", "removed", "moved", "recategorised", "redated", "retargeted")
MOVE_THRESHOLD_M = 100.0
# rows that stand at a stand-in position, not at their site: a placeholder (unknown) or a
# municipality proxy (issue 23, item 4); no distance to or from them is claimed
NOT_A_SITE = ("unknown", "municipality")
DIFF_COLUMNS = ["change", "id", "name", "category_old", "category_new", "municipality_code", "distance_m",
                "location_precision_old", "location_precision_new", "valid_from_old", "valid_from_new",
                "valid_to_old", "valid_to_new", "target_group_old", "target_group_new",
                "lon_old", "lat_old", "lon_new", "lat_new", "detail"]


def _day(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _text(row: pd.Series | None, col: str) -> str:
    if row is None or col not in row.index:
        return ""
    v = row[col]
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def _sited(row: pd.Series) -> bool:
    """The row stands at its own site (not a placeholder or a municipality proxy)."""
    return bool(row.get("located", True)) and row["location_precision"] not in NOT_A_SITE


def _lonlat(points: gpd.GeoDataFrame, settings: Settings) -> pd.DataFrame:
    web = points.geometry.to_crs(settings.web_crs)
    return pd.DataFrame({"lon": web.x.round(6).to_numpy(), "lat": web.y.round(6).to_numpy()},
                        index=points["id"].to_numpy())


def diff_points(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, threshold_m: float = MOVE_THRESHOLD_M,
                settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Every change from ``old`` to ``new`` (loaded points, EPSG:3067), one row per change."""
    if not threshold_m >= 0:
        raise ValueError(f"the move threshold must be a distance in metres >= 0, got {threshold_m}")
    old = old.to_crs(settings.crs)
    new = new.to_crs(settings.crs)
    o, n = old.set_index("id", drop=False), new.set_index("id", drop=False)
    o_ll, n_ll = _lonlat(old, settings), _lonlat(new, settings)
    rows = []

    def line(change: str, pid: str, detail: str, distance: float | None = None) -> None:
        a = o.loc[pid] if pid in o.index else None
        b = n.loc[pid] if pid in n.index else None
        ref = b if b is not None else a
        rows.append({
            "change": change, "id": pid, "name": _text(ref, "name"),
            "category_old": _text(a, "category"), "category_new": _text(b, "category"),
            "municipality_code": _text(ref, "municipality_code"),
            "distance_m": np.nan if distance is None else round(float(distance), 1),
            "location_precision_old": _text(a, "location_precision"),
            "location_precision_new": _text(b, "location_precision"),
            "valid_from_old": _day(a["valid_from"]) if a is not None else "",
            "valid_from_new": _day(b["valid_from"]) if b is not None else "",
            "valid_to_old": _day(a["valid_to"]) if a is not None else "",
            "valid_to_new": _day(b["valid_to"]) if b is not None else "",
            "target_group_old": _text(a, "target_group"), "target_group_new": _text(b, "target_group"),
            "lon_old": o_ll.at[pid, "lon"] if a is not None else np.nan,
            "lat_old": o_ll.at[pid, "lat"] if a is not None else np.nan,
            "lon_new": n_ll.at[pid, "lon"] if b is not None else np.nan,
            "lat_new": n_ll.at[pid, "lat"] if b is not None else np.nan,
            "detail": detail})

    for pid in n.index:
        if pid not in o.index:
            line("added", pid, f"new {n.at[pid, 'category']} point")
    for pid in o.index:
        if pid not in n.index:
            line("removed", pid, f"{o.at[pid, 'category']} point no longer in the file")
    for pid in [p for p in n.index if p in o.index]:
        a, b = o.loc[pid], n.loc[pid]
        sited_a, sited_b = _sited(a), _sited(b)
        if sited_a and sited_b:
            d = float(a.geometry.distance(b.geometry))
            if d > threshold_m:
                line("moved", pid, f"moved {d:,.0f} m", d)
        elif sited_a != sited_b:
            line("moved", pid, f"site now known (was {a['location_precision']})" if sited_b
                 else f"site no longer known (now {b['location_precision']})")
        if a["category"] != b["category"]:
            line("recategorised", pid, f"{a['category']} → {b['category']}")
        for col in ("valid_from", "valid_to"):
            if _day(a[col]) != _day(b[col]):
                line("redated", pid, f"{col} {_day(a[col]) or '(open)'} → {_day(b[col]) or '(open)'}")
        tg_a, tg_b = _text(a, "target_group"), _text(b, "target_group")
        if tg_a != tg_b:
            line("retargeted", pid, f"target_group {tg_a or '(everyday)'} → {tg_b or '(everyday)'}")
    out = pd.DataFrame(rows, columns=DIFF_COLUMNS)
    order = {c: i for i, c in enumerate(CHANGES)}
    out = out.sort_values(["change", "id"], key=lambda s: s.map(order) if s.name == "change" else s,
                          kind="stable")
    return out.reset_index(drop=True)


def change_counts(diff: pd.DataFrame) -> dict[str, int]:
    """Lines per change kind (every kind, zero included)."""
    counts = diff["change"].value_counts()
    return {c: int(counts.get(c, 0)) for c in CHANGES}
