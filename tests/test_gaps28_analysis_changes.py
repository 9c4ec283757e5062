"""Issue 28, round 2: each malformed change has its own whole message (planner/analysis/changes.py).

The message is compared in full, not searched for a few words, so a changed or padded text fails.
"""

from __future__ import annotations

import pytest

from planner.analysis.changes import check_change
from planner.errors import ScenarioError

OPEN = {"id": "n", "name": "N", "category": "kela", "at_centre": "91"}
XY = {"id": "n", "name": "N", "category": "kela", "lon": 24.9, "lat": 60.2, "municipality_code": "091"}

CASES = [
    ("close", ["a", ""], "close", "expected a point id or a list of point ids"),
    ("merge", "a", "merge", "merge takes a mapping of arguments"),
    ("merge", {"into": "a"}, "merge",
     "merge takes 'into' (the kept point), 'from' (the closed ones) and optionally 'clients' (nearest or "
     "receiving)"),
    ("merge", {"into": "a", "from": "b", "clients": "all"}, "clients",
     "clients must be one of ['nearest', 'receiving'], not 'all'"),
    ("merge", {"into": ["a", "b"], "from": "c"}, "into", "merge keeps exactly one point ('into')"),
    ("merge", {"into": "a", "from": ["b", "a"]}, "from", "cannot merge point 'a' into itself"),
    ("set_category", {"id": "a"}, "set_category", "set_category takes exactly 'id' and 'category'"),
    ("add_service", {"id": "a", "category": "bank"}, "category",
     "unknown category 'bank'; expected one of ["),
    ("open", {**OPEN, "id": " "}, "id", "open needs 'id'"),
    ("open", {k: v for k, v in OPEN.items() if k != "at_centre"}, "lon",
     "open needs either lon and lat (WGS84) or at_centre (a municipality code)"),
    ("open", {**XY, "lat": "60"}, "lat", "lat must be a number (WGS84 degrees)"),
    ("open", {k: v for k, v in XY.items() if k != "municipality_code"}, "municipality_code",
     "open with lon/lat needs municipality_code"),
    ("open", {**OPEN, "capacity": float("nan")}, "capacity",
     "capacity must be a non-negative number, not nan"),
    ("open", {**OPEN, "address": 3.5}, "address", "address must be text, not 3.5"),
]


@pytest.mark.parametrize("kind, arg, field, reason", CASES)
def test_each_malformed_change_has_its_whole_message(kind, arg, field, reason):
    with pytest.raises(ScenarioError) as exc:
        check_change(kind, arg, "s.yaml", 4)
    assert (exc.value.file, exc.value.row, exc.value.field) == ("s.yaml", 4, field)
    if reason.endswith("["):
        assert exc.value.reason.startswith(reason)
    else:
        assert exc.value.reason == reason


def test_a_change_as_the_scenario_keeps_it():
    # codes zero-padded, at_centre and municipality_code the same code; capacity 0 is a capacity
    assert check_change("open", {**OPEN, "capacity": 0}, "s.yaml", 1) == {
        **OPEN, "capacity": 0, "at_centre": "091", "municipality_code": "091"}
    assert check_change("merge", {"into": "a", "from": "b"}, "s.yaml", 1) == {"into": "a", "from": ["b"]}
    got = check_change("merge", {"into": ["a"], "from": ["b", "c"], "clients": "receiving"}, "s.yaml", 1)
    assert got == {"into": "a", "from": ["b", "c"], "clients": "receiving"}
    assert check_change("close", "a", "s.yaml", 1) == ["a"]
    assert check_change("add_service", {"id": ["a"], "category": "kela"}, "s.yaml", 1) == {
        "id": "a", "category": "kela"}


TOP = [
    (["close"], None, None, "a scenario must be a mapping with name, description and changes"),
    ({"name": 2024}, None, "name", "the scenario name must be text, not 2024 (quote it)"),
    ({"name": "  "}, None, "name", "the scenario needs a name"),
    ({"changes": []}, None, "name", "the scenario needs a name"),
    ({"name": "s", "changes": {"close": "a"}}, None, "changes", "changes must be a list"),
    ({"name": "s", "changes": [{"close": "a", "open": {}}]}, 1, None,
     "each change is one of ['close', ..."),
    ({"name": "s", "changes": [{"close": "a"}, {"shut": "a"}]}, 2, "shut", "unknown change 'shut'..."),
    ({"name": "s", "base": ["drive"]}, None, "base", "base must be a mapping (points, demand, mode)"),
    ({"name": "s", "base": {"mode": ""}}, None, "mode", "base mode must be text, not ''"),
    ({"name": "s", "description": 3}, None, "description", "the description must be text (quote it)"),
    ({"name": "s", "colour": 3}, None, "colour", "unknown key 'colour'..."),
]


@pytest.mark.parametrize("obj, row, field, reason", TOP)
def test_each_malformed_scenario_has_its_whole_message(obj, row, field, reason):
    from planner.analysis.scenario import parse_scenario

    with pytest.raises(ScenarioError) as exc:
        parse_scenario(obj, "s.yaml")
    assert (exc.value.file, exc.value.row, exc.value.field) == ("s.yaml", row, field)
    if reason.endswith("..."):  # the start of the message (the rest lists the choices)
        assert exc.value.reason.startswith(reason[:-3])
    else:
        assert exc.value.reason == reason


def test_closing_every_point_leaves_nothing_to_reach(study):
    from planner.analysis.scenario import apply_scenario, parse_scenario

    ids = study.points["id"].tolist()
    s = parse_scenario({"name": "none", "changes": [{"close": ids}]}, "s.yaml")
    with pytest.raises(ScenarioError) as exc:
        apply_scenario(study, s)
    assert exc.value.reason == (f"the scenario closes every service point ({len(ids)}); nothing would be "
                                "left to reach")
    assert exc.value.field == "close" and exc.value.file == "s.yaml"
