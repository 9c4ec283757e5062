"""The form of a scenario's changes: each kind's arguments checked before any study is touched.

Shared by :mod:`planner.analysis.scenario` (every change kind) and
:mod:`planner.analysis.mobile` (a mobile unit's stops are checked like opened points).
"""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..inputs.categories import CATEGORY_CODES

__all__ = ["MERGE_CLIENTS", "OPEN_KEYS", "change_error", "check_change", "no_unknown_keys", "point_ids"]

# where the clients of a merged point go: the nearest open eligible point, or the receiver
MERGE_CLIENTS = ("nearest", "receiving")
OPEN_KEYS = {"id", "name", "category", "municipality_code", "lon", "lat", "at_centre", "address",
             "capacity"}


def change_error(msg: str, src: str, row: int | None = None, fld: str | None = None) -> ScenarioError:
    """The error of a scenario file: its file, change number and field."""
    return ScenarioError(msg, file=src, row=row, field=fld)


def no_unknown_keys(obj: dict[str, Any], allowed, src: str, row: int | None, where: str) -> None:
    """An unknown key is an error naming it, with the closest allowed key as a suggestion."""
    from ..inputs.safeyaml import suggest

    for key in obj:
        if key not in allowed:
            raise change_error(f"unknown key {key!r}{where}{suggest(key, allowed)}; expected one of "
                               f"{list(allowed)}", src, row, str(key))


def point_ids(value: Any, src: str, row: int, fld: str) -> list[str]:
    """Point ids as the points file keeps them: Unicode NFC (issue 25), so an id typed in
    decomposed form (NFD, as some editors and macOS file names write 'ä') names the same point."""
    ids = [value] if isinstance(value, str) else value
    if not isinstance(ids, list) or not ids or not all(isinstance(v, str) and v for v in ids):
        raise change_error("expected a point id or a list of point ids", src, row, fld)
    return [unicodedata.normalize("NFC", v) for v in ids]


def check_change(kind: str, arg: Any, src: str, row: int) -> Any:
    """One change of a kind other than ``mobile`` checked for form (ids against a study come later):
    its arguments as the scenario keeps them (ids NFC, municipality codes zero-padded)."""
    if kind == "close":
        return point_ids(arg, src, row, "close")
    if not isinstance(arg, dict):
        raise change_error(f"{kind} takes a mapping of arguments", src, row, kind)
    if kind == "merge":
        if not {"into", "from"} <= set(arg) <= {"into", "from", "clients"}:
            raise change_error("merge takes 'into' (the kept point), 'from' (the closed ones) and optionally "
                               "'clients' (nearest or receiving)", src, row, "merge")
        if "clients" in arg and arg["clients"] not in MERGE_CLIENTS:
            raise change_error(f"clients must be one of {list(MERGE_CLIENTS)}, not {arg['clients']!r}",
                               src, row, "clients")
        into = point_ids(arg["into"], src, row, "into")
        if len(into) != 1:
            raise change_error("merge keeps exactly one point ('into')", src, row, "into")
        frm = point_ids(arg["from"], src, row, "from")
        if into[0] in frm:
            raise change_error(f"cannot merge point {into[0]!r} into itself", src, row, "from")
        out = {"into": into[0], "from": frm}
        if "clients" in arg:
            out["clients"] = arg["clients"]
        return out
    if kind in ("set_category", "add_service"):
        if set(arg) != {"id", "category"}:
            raise change_error(f"{kind} takes exactly 'id' and 'category'", src, row, kind)
        if arg["category"] not in CATEGORY_CODES:
            raise change_error(f"unknown category {arg['category']!r}; expected one of "
                               f"{list(CATEGORY_CODES)}", src, row, "category")
        return {"id": point_ids(arg["id"], src, row, "id")[0], "category": arg["category"]}
    # open
    no_unknown_keys(arg, sorted(OPEN_KEYS), src, row, " for open")
    for key in ("id", "name", "category"):
        if not isinstance(arg.get(key), str) or not arg[key].strip():
            raise change_error(f"open needs '{key}'", src, row, key)
    if arg["category"] not in CATEGORY_CODES:
        raise change_error(f"unknown category {arg['category']!r}; expected one of {list(CATEGORY_CODES)}",
                           src, row, "category")
    has_xy = "lon" in arg or "lat" in arg
    if has_xy == ("at_centre" in arg):
        raise change_error("open needs either lon and lat (WGS84) or at_centre (a municipality code)",
                           src, row, "lon")
    out = dict(arg)
    out["id"] = unicodedata.normalize("NFC", arg["id"])  # as the points file's ids (issue 25)
    if has_xy:
        for key in ("lon", "lat"):
            if not isinstance(arg.get(key), (int, float)) or isinstance(arg.get(key), bool):
                raise change_error(f"{key} must be a number (WGS84 degrees)", src, row, key)
        if "municipality_code" not in arg:
            raise change_error("open with lon/lat needs municipality_code", src, row, "municipality_code")
    if "capacity" in arg:
        cap = arg["capacity"]
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not np.isfinite(cap) or cap < 0:
            raise change_error(f"capacity must be a non-negative number, not {cap!r}", src, row, "capacity")
    for key in ("address", "municipality_code", "at_centre"):
        if key in arg and (not isinstance(arg[key], (str, int)) or isinstance(arg[key], bool)):
            raise change_error(f"{key} must be text, not {arg[key]!r}", src, row, key)
    code = str(arg.get("at_centre", arg.get("municipality_code", ""))).zfill(3)
    out["municipality_code"] = code
    if "at_centre" in out:
        out["at_centre"] = code
    return out
