"""Mobile units (issue 14): a service bus or outreach team visiting stops on a weekly schedule.

A scenario change ``mobile`` declares one unit: an ``id``, a ``name``, the ``categories`` it
serves (codes of :mod:`planner.inputs.categories`) and its ``stops``; each stop is located like an
``open`` point (``at_centre`` or WGS84 ``lon``/``lat`` + ``municipality_code``) and has a
weekly ``schedule`` of visits ``{day: tue, start: "09:00", end: "15:00"}``. The format is
the one agreed with the stop optimiser (notes: mobile_schema.md).

Accessibility to a stop is time *and* frequency: visits per week (distinct visit days) and
the expected wait in days until the next visit (:func:`expected_wait_days`). A fixed office
is taken to be open Monday to Friday (an assumption, not data: opening hours are not in the
points file), so every fixed point has 5 visit days and a wait of 3/7 day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..inputs.categories import CATEGORY_CODES, NEEDS
from .changes import check_change, no_unknown_keys
from .servicedays import (
    DAYS,
    FIXED_DAYS,
    FIXED_VISITS_PER_WEEK,
    FIXED_WAIT_DAYS,
    expected_wait_days,
    visits_per_week,
)
from .sites import open_site, site_row

if TYPE_CHECKING:
    from .study import Study

__all__ = [
    "DAYS",
    "FIXED_DAYS",
    "FIXED_VISITS_PER_WEEK",
    "FIXED_WAIT_DAYS",
    "Visit",
    "visits_per_week",
    "expected_wait_days",
    "parse_mobile",
    "parse_remote_share",
    "schedule_text",
    "stop_points",
    "stops_table",
    "tour_order",
    "load_mobile_units",
    "with_mobile_units",
]

_MOBILE_KEYS = ("id", "name", "categories", "stops")
_STOP_KEYS = ("id", "name", "at_centre", "lon", "lat", "municipality_code", "address", "schedule")
_VISIT_KEYS = ("day", "start", "end")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Visit:
    """One visit of a stop: weekday (mon..sun) and local clock times "HH:MM" (24 h)."""

    day: str
    start: str
    end: str




def _err(msg: str, src: str, row: int | None, fld: str | None) -> ScenarioError:
    return ScenarioError(msg, file=src, row=row, field=fld)


def _minutes(value: Any, src: str, row: int, fld: str) -> int:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise _err(f"expected a time \"HH:MM\" (24 h, quoted), not {value!r}", src, row, fld)
    h, m = value.split(":")
    return int(h) * 60 + int(m)


def _schedule(sched: Any, src: str, row: int, where: str) -> list[dict[str, str]]:
    """Check a stop's schedule: at least one visit, known days, start < end, no overlap on a day."""
    from ..inputs.safeyaml import suggest

    if not isinstance(sched, list) or not sched:
        raise _err("a stop needs a schedule: a list of at least one visit {day, start, end}",
                   src, row, f"{where}.schedule")
    out, spans = [], []
    for k, v in enumerate(sched):
        at = f"{where}.schedule[{k}]"
        if not isinstance(v, dict) or set(v) != set(_VISIT_KEYS):
            raise _err("each visit is a mapping with exactly day, start and end", src, row, at)
        day = v["day"]
        if day not in DAYS:
            raise _err(f"unknown day {day!r}{suggest(str(day), DAYS)}; expected one of {list(DAYS)}",
                       src, row, f"{at}.day")
        s = _minutes(v["start"], src, row, f"{at}.start")
        e = _minutes(v["end"], src, row, f"{at}.end")
        if e <= s:
            raise _err(f"the visit ends ({v['end']}) before or when it starts ({v['start']})",
                       src, row, f"{at}.end")
        for d2, s2, e2, k2 in spans:
            if d2 == day and s < e2 and s2 < e:
                raise _err(f"the visit overlaps visit {k2} of the same stop on {day}", src, row, at)
        spans.append((day, s, e, k))
        out.append({"day": day, "start": v["start"], "end": v["end"]})
    return out


def parse_mobile(arg: Any, src: str, row: int) -> dict[str, Any]:
    """Check one ``mobile`` change (syntax, categories, schedules, stop locations' form).

    Ids against the study's points and the stops' sites are checked by :func:`stop_points`.
    Errors name the file, the change (``row``) and the field, e.g. ``stops[1].schedule[0].day``.
    """
    if not isinstance(arg, dict):
        raise _err("mobile takes a mapping: id, name, categories, stops", src, row, "mobile")
    no_unknown_keys(arg, _MOBILE_KEYS, src, row, " for mobile")
    for key in ("id", "name"):
        if not isinstance(arg.get(key), str) or not arg[key].strip():
            raise _err(f"mobile needs '{key}' (text)", src, row, key)
    cats = arg.get("categories")
    cats = [cats] if isinstance(cats, str) else cats
    if not isinstance(cats, list) or not cats:
        raise _err("mobile needs 'categories': the categories it serves", src, row, "categories")
    for c in cats:
        if c not in CATEGORY_CODES:
            raise _err(f"unknown category {c!r}; expected one of {list(CATEGORY_CODES)}",
                       src, row, "categories")
    if len(set(cats)) != len(cats):
        raise _err("a category is listed twice", src, row, "categories")
    stops = arg.get("stops")
    if not isinstance(stops, list) or not stops:
        raise _err("mobile needs 'stops': a list of at least one stop", src, row, "stops")
    seen = {arg["id"]}
    clean = []
    for k, st in enumerate(stops):
        where = f"stops[{k}]"
        if not isinstance(st, dict):
            raise _err("each stop is a mapping: id, name, location, schedule", src, row, where)
        try:
            no_unknown_keys(st, _STOP_KEYS, src, row, " for a stop")
        except ScenarioError as exc:
            raise _err(exc.reason, src, row, f"{where}.{exc.field}") from None
        sid = st.get("id")
        if isinstance(sid, str) and sid in seen:
            raise _err(f"id {sid!r} is used twice in this mobile unit", src, row, f"{where}.id")
        schedule = _schedule(st.get("schedule"), src, row, where)
        loc = {key: v for key, v in st.items() if key != "schedule"}
        try:  # the location exactly as an `open` point (at_centre, or lon/lat + municipality)
            checked = check_change("open", {**loc, "category": cats[0]}, src, row)
        except ScenarioError as exc:
            raise _err(exc.reason, src, row, f"{where}.{exc.field}") from None
        seen.add(sid)
        checked.pop("category")
        clean.append({**checked, "schedule": schedule})
    return {"id": arg["id"], "name": arg["name"], "categories": list(cats), "stops": clean}


def parse_remote_share(obj: Any, src: str) -> dict[str, float]:
    """``remote_share: {need: share}``: the share (0..1) of contacts handled remotely; default 0.

    A scenario assumption (phone, video, online), never data.
    """
    from ..inputs.safeyaml import suggest

    if obj is None:
        return {}
    if not isinstance(obj, dict):
        raise _err("remote_share must be a mapping need: share (0..1)", src, None, "remote_share")
    out = {}
    for need, share in obj.items():
        if need not in NEEDS:
            raise _err(f"unknown need {need!r}{suggest(str(need), tuple(NEEDS))}; expected one of "
                       f"{list(NEEDS)}", src, None, f"remote_share.{need}")
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise _err(f"a remote share is a number from 0 to 1, not {share!r}", src, None,
                       f"remote_share.{need}")
        out[str(need)] = float(share)
    return out


def schedule_text(schedule: list[dict[str, str]]) -> str:
    """'tue 09:00-15:00; fri 09:00-12:00' in week order.

    >>> schedule_text([{"day": "fri", "start": "09:00", "end": "12:00"},
    ...                {"day": "tue", "start": "09:00", "end": "15:00"}])
    'tue 09:00-15:00; fri 09:00-12:00'
    """
    order = sorted(schedule, key=lambda v: (DAYS.index(v["day"]), v["start"]))
    return "; ".join(f"{v['day']} {v['start']}-{v['end']}" for v in order)


def stop_points(study: Study, arg: dict[str, Any], src: str, row: int) -> gpd.GeoDataFrame:
    """The unit's stops as point rows, one per stop x category (EPSG:3067, like ``open``).

    Each stop is checked like an opened point (inside Uusimaa, on land, in its
    municipality). A stop's first category keeps the stop id; each further category is a
    twin ``<stop id>__<category>`` at the same site (as ``add_service``). Columns ``mobile_unit``,
    ``mobile_unit_name``, ``stop_id``, ``visits_per_week``, ``wait_days``, ``schedule`` and
    ``first_visit_min`` (minute of the week of its first visit) mark them.
    """
    region = study.borders.union_all()  # once for all stops
    rows: list[dict[str, Any]] = []
    geoms = []
    for k, st in enumerate(arg["stops"]):
        days = [v["day"] for v in st["schedule"]]
        loc = {key: v for key, v in st.items() if key != "schedule"}
        try:
            geom, precision, address = open_site(study, {**loc, "category": arg["categories"][0]}, src, row,
                                                 region)
        except ScenarioError as exc:
            raise _err(exc.reason, src, row, f"stops[{k}].{exc.field}") from None
        first = min(DAYS.index(v["day"]) * 1440 + _minutes(v["start"], src, row, "start")
                    for v in st["schedule"])  # minute of the week (Mon 00:00 = 0): tour order
        site = {**site_row(st, src, precision, address,
                           f"mobile unit {arg['name']} (scenario); not an existing point",
                           np.nan),  # a stop has no capacity of its own
                "mobile_unit": arg["id"], "mobile_unit_name": arg["name"], "stop_id": st["id"],
                "visits_per_week": float(visits_per_week(days)), "first_visit_min": first,
                "wait_days": expected_wait_days(days), "schedule": schedule_text(st["schedule"])}
        for j, cat in enumerate(arg["categories"]):
            rows.append({"id": st["id"] if j == 0 else f"{st['id']}__{cat}", "name": st["name"],
                         "category": cat, **site})
            geoms.append(geom)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=study.settings.crs)


def stops_table(points: pd.DataFrame) -> pd.DataFrame:
    """One row per mobile stop (site) of ``points``: unit, stop id, name, schedule, geometry."""
    if "mobile_unit" not in points.columns:
        return points.iloc[0:0]
    mob = points[points["mobile_unit"].map(lambda u: isinstance(u, str) and u != "")]
    return mob.drop_duplicates("stop_id")


def tour_order(stops: pd.DataFrame) -> pd.DataFrame:
    """Stops of :func:`stops_table` in the order the unit drives them: by unit, then by the
    first visit of the week (Mon 00:00 first); stops without that column keep their order."""
    if "first_visit_min" not in stops.columns:
        return stops
    key = stops["first_visit_min"].fillna(7 * 1440)
    return stops.assign(_k=key).sort_values(["mobile_unit", "_k"], kind="stable").drop(columns="_k")


def load_mobile_units(path) -> list[dict[str, Any]]:
    """Mobile units declared outside a scenario: a YAML file ``mobile_units: [<mobile>, ...]``.

    Each entry has the format of a scenario's ``mobile`` change; errors name the file, the
    1-based entry (``row``) and the field. Ids and sites are checked when applied to a study.
    """
    from pathlib import Path

    from ..inputs.safeyaml import load_yaml_file

    src = str(Path(path))
    obj = load_yaml_file(path)
    if not isinstance(obj, dict) or set(obj) != {"mobile_units"}:
        raise _err("a mobile-units file is a mapping with one key, mobile_units: a list of units",
                   src, None, "mobile_units")
    units = obj["mobile_units"]
    if not isinstance(units, list) or not units:
        raise _err("mobile_units must be a list of at least one unit", src, None, "mobile_units")
    return [parse_mobile(u, src, i) for i, u in enumerate(units, start=1)]


def with_mobile_units(scenario, units: list[dict[str, Any]], label: str = ""):
    """``scenario`` (a :class:`planner.analysis.scenario.Scenario`) with ``units`` appended as
    ``mobile`` changes (so they are evaluated, and reported, like the scenario's own)."""
    from dataclasses import replace

    if not units:
        return scenario
    note = f"Mobile units added from {label}." if label else "Mobile units added."
    first = len(scenario.changes) + 1
    sources = {**scenario.change_sources,  # errors name the units file and its entry
               **{first + i: (label or "<mobile units>", i + 1) for i in range(len(units))}}
    return replace(scenario, changes=(*scenario.changes, *({"mobile": u} for u in units)),
                   description=f"{scenario.description} {note}".strip(), change_sources=sources)
