"""Scenarios: human-editable changes to the service network, applied and evaluated.

A scenario file (YAML) has a ``name``, a ``description``, an optional ``base`` (the
inputs it was built on) and a list of ``changes``::

    name: Concentrate Kela offices
    description: Keep the Kela offices of the largest towns.
    base: {demand: postal, mode: drive}
    changes:
      - close: kela_vantaa_tikkurila            # one id or a list of ids
      - merge: {into: kela_helsinki_kamppi, from: [kela_espoo_iso_omena]}
      - open: {id: new_kela_porvoo, name: Kela Porvoo, category: kela, at_centre: "638"}
      - open: {id: new_fi, name: New point, category: fi_walkin, municipality_code: "091",
               lon: 24.96, lat: 60.19}
      - set_category: {id: asp_fi_porvoo, category: fi_walkin}   # e.g. appointment -> walk-in
      - add_service: {id: asp_fi_porvoo, category: sv_walkin}    # Swedish service at the same site

Evaluation reuses the study's travel-time matrix: only newly opened points get new
travel times. In a merge the closed points' clients move to the kept point (for the
needs the kept point serves) even where another point would be nearer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import yaml

from .accessibility import point_load, reception_access, summary_tables, unit_access
from .categories import CATEGORY_CODES
from .errors import ScenarioError
from .study import Results, Study
from .traveltime import TravelTimeMatrix, xy

__all__ = [
    "Scenario",
    "Applied",
    "CHANGE_KINDS",
    "load_scenario",
    "parse_scenario",
    "scenario_to_yaml",
    "apply_scenario",
    "evaluate",
]

CHANGE_KINDS = ("close", "merge", "open", "set_category", "add_service")
_OPEN_KEYS = {"id", "name", "category", "municipality_code", "lon", "lat", "at_centre", "address",
              "capacity"}


@dataclass(frozen=True)
class Scenario:
    """A validated-syntax scenario (ids are checked against a study by :func:`apply_scenario`)."""

    name: str
    description: str = ""
    changes: tuple[dict[str, Any], ...] = ()
    base: dict[str, Any] = field(default_factory=dict)
    source: str = "<scenario>"
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "description": self.description}
        if self.base:
            out["base"] = dict(self.base)
        out["changes"] = [dict(c) for c in self.changes]
        return out


def _err(msg: str, src: str, row: int | None = None, fld: str | None = None) -> ScenarioError:
    return ScenarioError(msg, file=src, row=row, field=fld)


def parse_scenario(obj: dict[str, Any], source: str = "<scenario>", text: str = "") -> Scenario:
    """Check a scenario's structure; ``row`` in errors is the 1-based number of the change."""
    if not isinstance(obj, dict):
        raise _err("a scenario must be a mapping with name, description and changes", source)
    unknown = set(obj) - {"name", "description", "base", "changes"}
    if unknown:
        raise _err(f"unknown key(s) {sorted(unknown)}", source, fld=sorted(unknown)[0])
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _err("the scenario needs a name", source, fld="name")
    changes = obj.get("changes") or []
    if not isinstance(changes, list):
        raise _err("changes must be a list", source, fld="changes")
    clean = []
    for i, ch in enumerate(changes, start=1):
        if not isinstance(ch, dict) or len(ch) != 1:
            raise _err(f"each change is one of {list(CHANGE_KINDS)} with its arguments", source, i)
        (kind, arg), = ch.items()
        if kind not in CHANGE_KINDS:
            raise _err(f"unknown change {kind!r}; expected one of {list(CHANGE_KINDS)}", source, i, kind)
        clean.append({kind: _check_change(kind, arg, source, i)})
    base = obj.get("base") or {}
    if not isinstance(base, dict):
        raise _err("base must be a mapping (points, demand, mode)", source, fld="base")
    return Scenario(name.strip(), str(obj.get("description") or "").strip(), tuple(clean), base,
                    source, text)


def _ids(value: Any, src: str, row: int, fld: str) -> list[str]:
    ids = [value] if isinstance(value, str) else value
    if not isinstance(ids, list) or not ids or not all(isinstance(v, str) and v for v in ids):
        raise _err("expected a point id or a list of point ids", src, row, fld)
    return list(ids)


def _check_change(kind: str, arg: Any, src: str, row: int) -> Any:
    if kind == "close":
        return _ids(arg, src, row, "close")
    if not isinstance(arg, dict):
        raise _err(f"{kind} takes a mapping of arguments", src, row, kind)
    if kind == "merge":
        if set(arg) != {"into", "from"}:
            raise _err("merge takes exactly 'into' (the kept point) and 'from' (the closed ones)",
                       src, row, "merge")
        into = _ids(arg["into"], src, row, "into")
        if len(into) != 1:
            raise _err("merge keeps exactly one point ('into')", src, row, "into")
        frm = _ids(arg["from"], src, row, "from")
        if into[0] in frm:
            raise _err(f"cannot merge point {into[0]!r} into itself", src, row, "from")
        return {"into": into[0], "from": frm}
    if kind in ("set_category", "add_service"):
        if set(arg) != {"id", "category"}:
            raise _err(f"{kind} takes exactly 'id' and 'category'", src, row, kind)
        if arg["category"] not in CATEGORY_CODES:
            raise _err(f"unknown category {arg['category']!r}; expected one of {list(CATEGORY_CODES)}",
                       src, row, "category")
        return {"id": _ids(arg["id"], src, row, "id")[0], "category": arg["category"]}
    # open
    unknown = set(arg) - _OPEN_KEYS
    if unknown:
        raise _err(f"unknown key(s) {sorted(unknown)} for open", src, row, sorted(unknown)[0])
    for key in ("id", "name", "category"):
        if not isinstance(arg.get(key), str) or not arg[key].strip():
            raise _err(f"open needs '{key}'", src, row, key)
    if arg["category"] not in CATEGORY_CODES:
        raise _err(f"unknown category {arg['category']!r}; expected one of {list(CATEGORY_CODES)}",
                   src, row, "category")
    has_xy = "lon" in arg or "lat" in arg
    if has_xy == ("at_centre" in arg):
        raise _err("open needs either lon and lat (WGS84) or at_centre (a municipality code)",
                   src, row, "lon")
    out = dict(arg)
    if has_xy:
        for key in ("lon", "lat"):
            if not isinstance(arg.get(key), (int, float)) or isinstance(arg.get(key), bool):
                raise _err(f"{key} must be a number (WGS84 degrees)", src, row, key)
        if "municipality_code" not in arg:
            raise _err("open with lon/lat needs municipality_code", src, row, "municipality_code")
    code = str(arg.get("at_centre", arg.get("municipality_code", ""))).zfill(3)
    out["municipality_code"] = code
    if "at_centre" in out:
        out["at_centre"] = code
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario YAML file."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError("file not found", file=str(path))
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise ScenarioError("the file is empty", file=str(path))
    try:
        obj = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ScenarioError(f"not valid YAML: {exc}", file=str(path),
                            row=None if line is None else line + 1) from exc
    return parse_scenario(obj, str(path), text)


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text (round-trips through :func:`parse_scenario`)."""
    return yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True, width=100)


@dataclass(frozen=True)
class Applied:
    """A scenario applied to a study: open points, the matrix for them and what changed."""

    scenario: Scenario
    points: gpd.GeoDataFrame  # open points after the scenario
    ttm: TravelTimeMatrix  # baseline matrix + columns for newly opened points
    state: dict[str, str]  # point id -> closed | opened | changed
    merges: dict[str, str]  # closed point id -> kept point id
    closed_points: gpd.GeoDataFrame


def apply_scenario(study: Study, scenario: Scenario) -> Applied:
    """Apply the changes to the study's points; check every id, category and location."""
    src = scenario.source
    pts = study.points.copy()
    known = set(pts["id"])
    state: dict[str, str] = {}
    merges: dict[str, str] = {}
    closed: set[str] = set()
    changed: set[str] = set()
    new_rows = []

    def need_known(pid: str, row: int, fld: str) -> None:
        if pid not in known:
            hint = [k for k in known if pid.lower() in k.lower()][:3]
            raise _err(f"unknown point id {pid!r}" + (f" (did you mean {hint}?)" if hint else ""),
                       src, row, fld)

    def close(pid: str, row: int, fld: str) -> None:
        if pid in changed:
            raise _err(f"point {pid!r} is both closed and changed", src, row, fld)
        if pid in closed:
            raise _err(f"point {pid!r} is closed twice", src, row, fld)
        if pid in merges.values():  # a later change may not close the point a merge keeps
            raise _err(f"point {pid!r} is kept by a merge and cannot be closed", src, row, fld)
        closed.add(pid)

    for row, ch in enumerate(scenario.changes, start=1):
        (kind, arg), = ch.items()
        if kind == "close":
            for pid in arg:
                need_known(pid, row, "close")
                close(pid, row, "close")
        elif kind == "merge":
            need_known(arg["into"], row, "into")
            if arg["into"] in closed:
                raise _err(f"merge keeps point {arg['into']!r}, which is closed", src, row, "into")
            for pid in arg["from"]:
                need_known(pid, row, "from")
                close(pid, row, "from")
                merges[pid] = arg["into"]
        elif kind in ("set_category", "add_service"):
            pid = arg["id"]
            need_known(pid, row, "id")
            if pid in closed:
                raise _err(f"point {pid!r} is both closed and changed", src, row, "id")
            if kind == "set_category":
                pts.loc[pts["id"] == pid, "category"] = arg["category"]
                changed.add(pid)
                state[pid] = "changed"
            else:
                twin = pts[pts["id"] == pid].copy()
                twin["id"] = f"{pid}__{arg['category']}"
                twin["category"] = arg["category"]
                new_rows.append((row, twin, True))
        else:
            new_rows.append((row, _open_point(study, arg, src, row), False))
    for row, df, _same_site in new_rows:
        pid = df["id"].iloc[0]
        if pid in known:
            raise _err(f"point id {pid!r} already exists", src, row, "id")
        known.add(pid)
        state[pid] = "opened"
    for pid in closed:
        state[pid] = "closed"
    for into in set(merges.values()):
        state.setdefault(into, "changed")
    added = [df for _, df, _ in new_rows]
    all_pts = pd.concat([pts, *added], ignore_index=True) if added else pts
    all_pts = gpd.GeoDataFrame(all_pts, geometry="geometry", crs=study.points.crs)
    open_pts = all_pts[~all_pts["id"].isin(closed)].reset_index(drop=True)
    ttm = study.ttm
    if added:
        new = pd.concat(added, ignore_index=True)
        times = np.full((len(study.units), len(new)), np.nan)
        located = study.units["located"].to_numpy()
        if located.any():
            times[located] = study.model.times(xy(study.units)[located], xy(new))
        ttm = ttm.with_points(new["id"].tolist(), times)
    return Applied(scenario, open_pts, ttm, state, merges,
                   all_pts[all_pts["id"].isin(closed)].reset_index(drop=True))


def _open_point(study: Study, arg: dict[str, Any], src: str, row: int) -> gpd.GeoDataFrame:
    code = arg["municipality_code"]
    if code not in set(study.borders["municipality_code"]):
        raise _err(f"unknown municipality code {code!r}", src, row,
                   "at_centre" if "at_centre" in arg else "municipality_code")
    if "at_centre" in arg:
        centre = study.centres.loc[study.centres["municipality_code"] == code]
        if centre.empty:
            raise _err(f"the municipal-centre table has no centre for {code}; give lon and lat",
                       src, row, "at_centre")
        geom = centre.geometry.iloc[0]
        precision, address = "locality", f"municipal centre of {centre['label'].iloc[0].title()}"
    else:
        lon, lat = float(arg["lon"]), float(arg["lat"])
        if not (19 <= lon <= 32 and 59 <= lat <= 71):
            raise _err(f"lon/lat ({lon}, {lat}) are not WGS84 degrees in Finland"
                       + (" (swapped?)" if 19 <= lat <= 32 else ""), src, row, "lon")
        geom = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=study.settings.web_crs) \
            .to_crs(study.settings.crs).iloc[0]
        precision, address = "address", str(arg.get("address", ""))
    region = study.borders.union_all()
    tol = study.settings.boundary_tolerance_m
    if region.distance(geom) > tol:
        raise _err(f"the new point lies outside Uusimaa ({region.distance(geom) / 1000:.1f} km away)",
                   src, row, "lon")
    own = study.borders.loc[study.borders["municipality_code"] == code].geometry.iloc[0]
    if own.distance(geom) > tol:
        raise _err(f"the new point lies {own.distance(geom) / 1000:.1f} km outside municipality {code}",
                   src, row, "municipality_code")
    return gpd.GeoDataFrame({
        "id": [arg["id"]], "name": [arg["name"]], "category": [arg["category"]],
        "municipality_code": [code], "address": [address], "postal_code": [""],
        "location_precision": [precision], "source": [f"scenario {src}"],
        "note": ["proposed in a scenario; not an existing point"],
        "capacity": [float(arg["capacity"]) if "capacity" in arg else np.nan],
    }, geometry=[geom], crs=study.settings.crs)


def evaluate(study: Study, scenario: Scenario, baseline: Results | None = None) -> tuple[Results, Applied]:
    """Results of a scenario, reusing the study's matrix (new points only get new times)."""
    applied = apply_scenario(study, scenario)
    base_access = baseline.access if baseline is not None else None
    if applied.merges and base_access is None:
        from .study import evaluate_points

        base_access = evaluate_points(study).access
    access = unit_access(study.units, applied.points, applied.ttm, merges=applied.merges,
                         before=base_access)
    prov = {**study.provenance, "scenario": scenario.name}
    res = Results(access=access,
                  summaries=summary_tables(access, study.units, study.settings.thresholds_min),
                  load=point_load(access, applied.points),
                  reception=reception_access(applied.points, study.model), provenance=prov)
    return res, applied


