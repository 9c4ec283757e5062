"""Scenarios: human-editable changes to the service network, applied and evaluated.

A scenario file (YAML) has a ``name``, a ``description``, an optional ``base`` (the
inputs it was built on) and a list of ``changes``::

    name: Concentrate Kela offices
    description: Keep the Kela offices of the largest towns.
    base: {demand: postal, mode: drive}
    changes:
      - close: kela_vantaa_tikkurila            # one id or a list of ids
      - merge: {into: kela_helsinki_kamppi, from: [kela_espoo_iso_omena], clients: nearest}
      - open: {id: new_kela_porvoo, name: Kela Porvoo, category: kela, at_centre: "638"}
      - open: {id: new_fi, name: New point, category: fi_walkin, municipality_code: "091",
               lon: 24.96, lat: 60.19}
      - set_category: {id: asp_fi_porvoo, category: fi_walkin}   # e.g. appointment -> walk-in
      - add_service: {id: asp_fi_porvoo, category: sv_walkin}    # Swedish service at the same site
      - mobile: {id: bus, name: Service bus, categories: [fi_walkin, sv_walkin],
                 stops: [{id: bus_407, name: Lapinjärvi, at_centre: "407",
                          schedule: [{day: tue, start: "09:00", end: "15:00"}]}]}
    remote_share: {social_any: 0.25}   # optional: share of contacts handled remotely (default 0)

A ``mobile`` change (planner/mobile.py) adds one point row per stop and category, marked
with the unit, its visits per week and the expected wait in days; ``remote_share`` is a
scenario assumption that scales the expected travel burden per client.

Evaluation reuses the study's travel-time matrix: only newly opened points get new
travel times. A merge takes ``clients: receiving`` (the closed points' clients move to
the kept point, for the needs it serves, even where another open point is nearer) or
``clients: nearest`` (they choose the nearest open eligible point, possibly one opened
in the same file); without ``clients`` each need uses its default: ``nearest`` where
clients are free to choose (eligibility ``any``: Kela, English), ``receiving`` for
social services organised by the resident's organiser. Chains (A into B, then B into C)
resolve to the final receiver; a point that receives a merge and is closed later in the
same file is an error.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import yaml

from ..errors import PlannerWarning, ScenarioError
from ..traveltime import TravelTimeMatrix, xy
from ..traveltime.intrazonal import unit_point_times
from .accessibility import point_load, reception_access, summary_tables, unit_access
from .changes import MERGE_CLIENTS, check_change, no_unknown_keys
from .changes import change_error as _err
from .sites import open_site, site_row
from .study import Results, Study, other_dates

__all__ = [
    "Scenario",
    "Applied",
    "CHANGE_KINDS",
    "MERGE_CLIENTS",
    "load_scenario",
    "check_distinct_names",
    "parse_scenario",
    "scenario_to_yaml",
    "apply_scenario",
    "evaluate",
]

CHANGE_KINDS = ("close", "merge", "open", "set_category", "add_service", "mobile")


@dataclass(frozen=True)
class Scenario:
    """A validated-syntax scenario (ids are checked against a study by :func:`apply_scenario`)."""

    name: str
    description: str = ""
    changes: tuple[dict[str, Any], ...] = ()
    base: dict[str, Any] = field(default_factory=dict)
    source: str = "<scenario>"
    text: str = ""
    # need -> share of contacts handled remotely (0..1; a scenario assumption, default 0)
    remote_share: dict[str, float] = field(default_factory=dict)
    # 1-based change number -> (file, entry) for changes that come from another file (mobile
    # units added with --mobile-units), so their errors name the file and entry they are in
    change_sources: dict[int, tuple[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "description": self.description}
        if self.base:
            out["base"] = dict(self.base)
        if self.remote_share:
            out["remote_share"] = dict(self.remote_share)
        out["changes"] = [dict(c) for c in self.changes]
        return out


def parse_scenario(obj: dict[str, Any], source: str = "<scenario>", text: str = "") -> Scenario:
    """Check a scenario's structure; ``row`` in errors is the 1-based number of the change."""
    if not isinstance(obj, dict):
        raise _err("a scenario must be a mapping with name, description and changes", source)
    no_unknown_keys(obj, ("name", "description", "base", "changes", "remote_share"), source, None, "")
    name = obj.get("name")
    if name is not None and not isinstance(name, str):
        raise _err(f"the scenario name must be text, not {name!r} (quote it)", source, fld="name")
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
            from ..inputs.safeyaml import suggest

            raise _err(f"unknown change {kind!r}{suggest(kind, CHANGE_KINDS)}; expected one of "
                       f"{list(CHANGE_KINDS)}", source, i, str(kind))
        clean.append({kind: _check_change(kind, arg, source, i)})
    base = obj.get("base") or {}
    if not isinstance(base, dict):
        raise _err("base must be a mapping (points, demand, mode)", source, fld="base")
    no_unknown_keys(base, _BASE_KEYS, source, None, " in base")
    for key, value in base.items():
        if not isinstance(value, str) or not value.strip():
            raise _err(f"base {key} must be text, not {value!r}", source, fld=key)
    description = obj.get("description")
    if description is not None and not isinstance(description, str):
        raise _err("the description must be text (quote it)", source, fld="description")
    from .mobile import parse_remote_share

    return Scenario(name.strip(), str(obj.get("description") or "").strip(), tuple(clean), base,
                    source, text, parse_remote_share(obj.get("remote_share"), source))


_BASE_KEYS = ("points", "demand", "mode")


def _check_change(kind: str, arg: Any, src: str, row: int) -> Any:
    """One change of any kind checked for form (:func:`check_change`; mobile units by their parser)."""
    if kind == "mobile":
        from .mobile import parse_mobile

        return parse_mobile(arg, src, row)
    return check_change(kind, arg, src, row)


def check_distinct_names(scenarios: list[Scenario]) -> None:
    """Two scenarios compared side by side must have different names (issue 24): every table row
    is labelled by its scenario's name, so a repeated name is an error naming both files."""
    seen: dict[str, str] = {}
    for sc in scenarios:
        key = sc.name.strip().casefold()
        if key in seen:
            raise _err(f"scenario name {sc.name!r} is also the name of {seen[key]}; compared scenarios "
                       "need different names (their rows are labelled by name)", sc.source, fld="name")
        seen[key] = sc.source


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario YAML file."""
    from ..inputs.safeyaml import decode_text, load_yaml_file

    path = Path(path)
    obj = load_yaml_file(path)  # no aliases, no duplicate keys, bounded size and depth
    text = decode_text(path.read_bytes(), str(path))
    if not text.strip():
        raise ScenarioError("the file is empty", file=str(path))
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
    merges: dict[str, str]  # closed point id -> final receiving point id (chains resolved)
    closed_points: gpd.GeoDataFrame
    # closed point id -> 'nearest' | 'receiving' | None (None: the need's default)
    merge_clients: dict[str, str | None] = field(default_factory=dict)


def apply_scenario(study: Study, scenario: Scenario) -> Applied:
    """Apply the changes to the study's points; check every id, category and location."""
    src = scenario.source
    pts = study.points.copy()
    known = set(pts["id"])
    # points of the file that are not in this day's network (placeholders, other dates):
    # a change to them is accepted but has no effect on any figure
    absent = set() if study.all_points is None else set(study.all_points["id"]) - known
    receivers: dict[str, int] = {}  # point id -> row of the merge that sends clients to it
    merge_clients: dict[str, str | None] = {}
    state: dict[str, str] = {}
    merges: dict[str, str] = {}
    closed: set[str] = set()
    changed: set[str] = set()
    new_rows = []
    mobile_ids: set[str] = set()  # ids of the mobile units declared so far
    opened_ids: set[str] = set()  # ids of the points opened so far in this file (a merge may keep one)
    serviced: dict[str, int] = {}  # point id -> row of the add_service that adds to it (issue 24)
    merge_rows: list[tuple[int, str, list[str]]] = []  # (row, into, from) for the need check

    def need_known(pid: str, row: int, fld: str) -> None:
        if pid in absent:
            warnings.warn(f"{src}: change {row} names point {pid!r}, which is not in the network "
                          f"(a placeholder with unknown site, or not valid on "
                          f"{study.provenance.get('network_date', 'this date')}): no effect",
                          PlannerWarning, stacklevel=3)
            return
        if pid not in known:
            hint = sorted(k for k in known if pid.lower() in k.lower())[:3]  # the same on every run
            raise _err(f"unknown point id {pid!r}" + (f" (did you mean {hint}?)" if hint else ""),
                       src, row, fld)

    def close(pid: str, row: int, fld: str) -> None:
        if pid in serviced:  # issue 24: the added service would stay open at a closed site
            raise _err(f"point {pid!r} gets a service added (change {serviced[pid]}) and is closed in "
                       "the same file; an added service at a closed point is not possible", src, row, fld)
        if pid in changed:
            raise _err(f"point {pid!r} is both closed and changed", src, row, fld)
        if pid in closed:
            how = "merged and later closed" if pid in merges else "closed twice"
            raise _err(f"point {pid!r} is {how} in the same file", src, row, fld)
        if pid in receivers and fld == "close":
            raise _err(f"point {pid!r} receives the clients of a merge (change {receivers[pid]}) and is "
                       "closed later in the same file; merge it onward instead (a chain)", src, row, fld)
        closed.add(pid)

    for row, ch in enumerate(scenario.changes, start=1):
        (kind, arg), = ch.items()
        if kind == "close":
            for pid in arg:
                need_known(pid, row, "close")
                close(pid, row, "close")
        elif kind == "merge":
            live = [p for p in arg["from"] if p not in absent]
            if arg["into"] in absent and live:  # issue 24: a site-less receiver cannot take clients
                raise _err(f"merge of {live[0]!r} into point {arg['into']!r}, a placeholder without a site "
                           f"(or not in the network on {study.provenance.get('network_date', 'this date')}): "
                           "its clients would have nowhere to go", src, row, "into")
            if arg["into"] not in opened_ids:  # a point opened earlier in the file may receive a merge
                need_known(arg["into"], row, "into")
            merge_rows.append((row, arg["into"], list(arg["from"])))
            if arg["into"] in closed:
                raise _err(f"merge keeps point {arg['into']!r}, which is closed", src, row, "into")
            receivers.setdefault(arg["into"], row)
            for pid in arg["from"]:
                need_known(pid, row, "from")
                close(pid, row, "from")
                merges[pid] = arg["into"]
                merge_clients[pid] = arg.get("clients")
        elif kind in ("set_category", "add_service"):
            pid = arg["id"]
            need_known(pid, row, "id")
            if pid in absent:
                continue
            if pid in closed:
                raise _err(f"point {pid!r} is both closed and changed", src, row, "id")
            if kind == "set_category":
                pts.loc[pts["id"] == pid, "category"] = arg["category"]
                changed.add(pid)
                state[pid] = "changed"
            else:
                serviced.setdefault(pid, row)
                twin = pts[pts["id"] == pid].copy()
                twin["id"] = f"{pid}__{arg['category']}"
                twin["category"] = arg["category"]
                new_rows.append((row, twin, True))
        elif kind == "mobile":
            from .mobile import stop_points

            at_src, at_row = scenario.change_sources.get(row, (src, row))
            if arg["id"] in known or arg["id"] in mobile_ids:
                raise _err(f"mobile unit id {arg['id']!r} is already a point or unit id", at_src, at_row,
                           "id")
            mobile_ids.add(arg["id"])
            new_rows.append((row, stop_points(study, arg, at_src, at_row), False))
        else:
            new_rows.append((row, _open_point(study, arg, src, row), False))
            opened_ids.add(arg["id"])
    for row, df, _same_site in new_rows:
        # one row per new point (a mobile unit: one per stop x category; an open: one dict)
        for pid in ([df["id"]] if isinstance(df, dict) else df["id"]):
            if pid in known:
                raise _err(f"point id {pid!r} already exists", *scenario.change_sources.get(row, (src, row)),
                           "id")
            known.add(pid)
            state[pid] = "opened"
    _check_merge_needs(merge_rows, pts, new_rows, study, src)
    merges = _resolve_chains(merges)
    for pid in closed:
        state[pid] = "closed"
    for into in set(merges.values()):
        state.setdefault(into, "changed")
    added, opened = [], []
    for _, df, _ in new_rows:  # consecutive opens as one frame, in the file's order
        if isinstance(df, dict):
            opened.append(df)
            continue
        added += [pd.DataFrame(opened)] if opened else []
        added.append(df)
        opened = []
    added += [pd.DataFrame(opened)] if opened else []
    all_pts = pd.concat([pts, *added], ignore_index=True) if added else pts
    all_pts = gpd.GeoDataFrame(all_pts, geometry="geometry", crs=study.points.crs)
    open_pts = all_pts[~all_pts["id"].isin(closed)].reset_index(drop=True)
    if open_pts.empty:
        raise _err(f"the scenario closes every service point ({len(closed)}); nothing would be left "
                   "to reach", src, None, "close")
    ttm = study.ttm
    if added:
        new = gpd.GeoDataFrame(pd.concat(added, ignore_index=True), geometry="geometry", crs=study.points.crs)
        times = unit_point_times(study.model, study.units, xy(new), point_ids=new["id"])  # NaN: unlocated
        ttm = ttm.with_points(new["id"].tolist(), times)
    closed_pts = all_pts[all_pts["id"].isin(closed)]
    if closed & absent:  # closed placeholders / points of other dates: listed, flagged, no effect
        gone = study.all_points[study.all_points["id"].isin(closed & absent)]
        closed_pts = gpd.GeoDataFrame(pd.concat([closed_pts, gone], ignore_index=True),
                                      geometry="geometry", crs=study.points.crs)
    return Applied(scenario, open_pts, ttm, state, merges, closed_pts.reset_index(drop=True),
                   merge_clients)


def needs_of(categories: set[str]) -> set[str]:
    """The needs that points of ``categories`` serve, for any language group.

    >>> sorted(needs_of({"sv_walkin"}))
    ['social_any', 'social_walkin']
    """
    from ..inputs.categories import GROUPS, NEEDS

    return {n for n, need in NEEDS.items() if any(categories & need.categories(g) for g in GROUPS)}


def _check_merge_needs(merge_rows: list[tuple[int, str, list[str]]], pts: pd.DataFrame,
                       new_rows: list, study: Study, src: str) -> None:
    """Issue 24: a merge into a point that lacks a need the merged point serves is an error
    (its clients for that need would be sent to a point that cannot serve them)."""
    cats: dict[str, set[str]] = {}
    for pid, cat in zip(pts["id"], pts["category"], strict=True):
        cats.setdefault(pid, set()).add(cat)
    for _, df, same_site in new_rows:  # add_service twins serve at their point's site
        rows = [(df["id"], df["category"])] if isinstance(df, dict) else zip(df["id"], df["category"],
                                                                             strict=True)
        for pid, cat in rows:  # an opened point (one dict) or mobile stop: its own category
            cats.setdefault(str(pid).rsplit("__", 1)[0] if same_site else str(pid), set()).add(cat)
    everyone = study.all_points if study.all_points is not None else pts
    for pid, cat in zip(everyone["id"], everyone["category"], strict=True):
        cats.setdefault(pid, {cat})
    for row, into, froms in merge_rows:
        have = needs_of(cats.get(into, set()))
        for pid in froms:
            lacking = sorted(needs_of(cats.get(pid, set())) - have)
            if lacking:
                raise _err(f"merge of {pid!r} into {into!r}: {into!r} does not serve "
                           f"{', '.join(lacking)}, which {pid!r} serves; close it instead (its clients "
                           "then go to their nearest eligible point) or merge into a point serving that "
                           "need", src, row, "into")


def _resolve_chains(merges: dict[str, str]) -> dict[str, str]:
    """A -> B and B -> C become A -> C and B -> C (the final receiver).

    >>> _resolve_chains({"a": "b", "b": "c", "x": "c"})
    {'a': 'c', 'b': 'c', 'x': 'c'}
    """
    out = {}
    for gone, kept in merges.items():
        seen = {gone}
        while kept in merges and kept not in seen:  # a cycle cannot pass the closed checks
            seen.add(kept)
            kept = merges[kept]
        out[gone] = kept
    return out


def _open_point(study: Study, arg: dict[str, Any], src: str, row: int,
                region=None) -> dict[str, Any]:
    """The new point of an ``open`` change, checked: in Uusimaa, on land, in its municipality.

    ``region``: the union of the borders, when the caller has it (several stops at once).
    """
    geom, precision, address = open_site(study, arg, src, row, region)
    site = site_row(arg, src, precision, address, "proposed in a scenario; not an existing point",
                    float(arg["capacity"]) if "capacity" in arg else np.nan)
    row_ = {"id": arg["id"], "name": arg["name"], "category": arg["category"], **site}  # the points' order
    # a plain row: thousands of opens in one file become one frame (apply_scenario), not
    # thousands of one-row GeoDataFrames
    return {**row_, "geometry": geom}


def redirect_text(access: pd.DataFrame) -> str:
    """Residents of merged points not eligible for the receiving point (organiser, language or
    need) who went to their nearest eligible open point instead, per need (issue 24); '' if none."""
    if "merge_redirected" not in access.columns or not access["merge_redirected"].any():
        return ""
    sel = access[access["merge_redirected"]]
    per = sel.groupby("need", sort=True)["population"].sum()
    return ("; ".join(f"{need}: {int(v):,}" for need, v in per.items()) + " residents of merged points "
            "are not eligible for the receiving point (organiser, language or need) and go to their "
            "nearest eligible open point instead")


def _assumptions(scenario: Scenario) -> dict[str, str]:
    """Provenance lines for a scenario's remote share and mobile units: assumptions, not data."""
    from .servicedays import FIXED_DAYS

    out = {}
    if scenario.remote_share:
        out["remote_share"] = "; ".join(f"{n}: {v:g}" for n, v in scenario.remote_share.items()) + \
            " (share of contacts handled remotely: an assumption of the scenario)"
    if any("mobile" in ch for ch in scenario.changes):
        out["frequency"] = (f"fixed points assumed open {FIXED_DAYS[0]}-{FIXED_DAYS[-1]} (5 days, wait "
                            "3/7 day); mobile stops by their scenario schedule")
    return out


def evaluate(study: Study, scenario: Scenario, baseline: Results | None = None) -> tuple[Results, Applied]:
    """Results of a scenario, reusing the study's matrix (new points only get new times)."""
    applied = apply_scenario(study, scenario)
    base_access = baseline.access if baseline is not None else None
    if applied.merges and base_access is None:
        from .study import evaluate_points

        base_access = evaluate_points(study).access
    access = unit_access(study.units, applied.points, applied.ttm, merges=applied.merges,
                         before=base_access, eligibility=study.eligibility,
                         organisers=study.organisers, merge_clients=applied.merge_clients,
                         remote_share=scenario.remote_share,
                         include_target_groups=study.include_target_groups,
                         other_dates=other_dates(study, study.points))
    prov = {**study.provenance, "scenario": scenario.name, **_assumptions(scenario)}
    moved = redirect_text(access)
    if moved:
        prov["merge_redirected"] = moved
    res = Results(access=access,
                  summaries=summary_tables(access, study.units, study.settings.thresholds_min),
                  load=lambda: point_load(access, applied.points),
                  reception=lambda: reception_access(applied.points, study.model, areas=study.units,
                                                     eligibility=study.eligibility,
                                                     organisers=study.organisers,
                                                     include_target_groups=study.include_target_groups),
                  provenance=prov)
    return res, applied


