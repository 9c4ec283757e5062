"""Scenario parsing on small hand-written scenarios: every structural rule and the error it raises.

Each bad scenario must raise a ScenarioError that names the file (``source``), the
1-based change number (``row``, None for top-level keys) and the field; the good ones
must come back normalised (ids as lists, municipality codes zero-padded to 3 digits).
"""

from __future__ import annotations

import pytest

from planner.errors import ScenarioError
from planner.scenario import Scenario, load_scenario, parse_scenario, scenario_to_yaml

SRC = "s.yaml"
OPEN = {"id": "new", "name": "New", "category": "kela", "at_centre": "91"}


def sc(*changes, **top):
    return {"name": "S", "changes": list(changes), **top}


def test_good_scenario_is_normalised():
    obj = sc({"close": "a"}, {"close": ["b", "c"]},
             {"merge": {"into": "k", "from": "m", "clients": "receiving"}},
             {"merge": {"into": ["k"], "from": ["n"]}},
             {"set_category": {"id": "p", "category": "fi_walkin"}},
             {"add_service": {"id": ["p"], "category": "sv_walkin"}},
             {"open": OPEN},
             {"open": {"id": "n2", "name": "N2", "category": "kela", "lon": 24.9, "lat": 60.2,
                       "municipality_code": 91, "capacity": 3}},
             description="  Hello  ", base={"demand": "postal"})
    s = parse_scenario(obj, SRC, "text")
    assert s.name == "S" and s.description == "Hello" and s.source == SRC and s.text == "text"
    assert s.base == {"demand": "postal"}
    assert s.remote_share == {}
    assert s.changes == (
        {"close": ["a"]}, {"close": ["b", "c"]},
        {"merge": {"into": "k", "from": ["m"], "clients": "receiving"}},
        {"merge": {"into": "k", "from": ["n"]}},
        {"set_category": {"id": "p", "category": "fi_walkin"}},
        {"add_service": {"id": "p", "category": "sv_walkin"}},
        # "91" zero-padded to the 3-digit code "091", at_centre too
        {"open": {**OPEN, "at_centre": "091", "municipality_code": "091"}},
        {"open": {"id": "n2", "name": "N2", "category": "kela", "lon": 24.9, "lat": 60.2,
                  "municipality_code": "091", "capacity": 3}},
    )
    again = parse_scenario(__import__("yaml").safe_load(scenario_to_yaml(s)), SRC)
    assert again.changes == s.changes and again.base == s.base and again.name == "S"


def test_to_dict_keys_in_order():
    s = Scenario("S", "d", ({"close": ["a"]},), {"mode": "drive"}, remote_share={"kela": 0.5})
    assert s.to_dict() == {"name": "S", "description": "d", "base": {"mode": "drive"},
                           "remote_share": {"kela": 0.5}, "changes": [{"close": ["a"]}]}
    assert list(Scenario("S").to_dict()) == ["name", "description", "changes"]


BAD = [
    # (scenario, row, field, words in the message)
    ([1], None, None, "must be a mapping"),
    ({"name": "S", "colour": 1}, None, "colour", "unknown key 'colour'"),
    ({"name": 5}, None, "name", "must be text, not 5"),
    ({"name": "  "}, None, "name", "needs a name"),
    ({}, None, "name", "needs a name"),
    ({"name": "S", "changes": {"close": "a"}}, None, "changes", "must be a list"),
    (sc("close"), 1, None, "each change is one of"),
    (sc({"close": "a", "open": OPEN}), 1, None, "each change is one of"),
    (sc({"close": "a"}, {"shut": "a"}), 2, "shut", "unknown change 'shut'"),
    (sc(base=[1]), None, "base", "base must be a mapping"),
    (sc(base={"mood": "x"}), None, "mood", "unknown key 'mood' in base"),
    (sc(base={"mode": 3}), None, "mode", "base mode must be text"),
    (sc(base={"mode": " "}), None, "mode", "base mode must be text"),
    (sc(description=3), None, "description", "description must be text"),
    (sc({"close": []}), 1, "close", "a point id or a list"),
    (sc({"close": ["a", ""]}), 1, "close", "a point id or a list"),
    (sc({"close": 3}), 1, "close", "a point id or a list"),
    (sc({"merge": "a"}), 1, "merge", "merge takes a mapping"),
    (sc({"merge": {"into": "a"}}), 1, "merge", "merge takes 'into'"),
    (sc({"merge": {"into": "a", "from": "b", "x": 1}}), 1, "merge", "merge takes 'into'"),
    (sc({"merge": {"into": "a", "from": "b", "clients": "all"}}), 1, "clients",
     "clients must be one of ['nearest', 'receiving'], not 'all'"),
    (sc({"merge": {"into": ["a", "b"], "from": "c"}}), 1, "into", "exactly one point"),
    (sc({"merge": {"into": 1, "from": "c"}}), 1, "into", "a point id or a list"),
    (sc({"merge": {"into": "a", "from": 2}}), 1, "from", "a point id or a list"),
    (sc({"merge": {"into": "a", "from": ["b", "a"]}}), 1, "from", "'a' into itself"),
    (sc({"set_category": {"id": "a"}}), 1, "set_category", "set_category takes exactly"),
    (sc({"add_service": {"id": "a", "category": "kela", "x": 1}}), 1, "add_service",
     "add_service takes exactly"),
    (sc({"set_category": {"id": "a", "category": "bank"}}), 1, "category",
     "unknown category 'bank'"),
    (sc({"add_service": {"id": 4, "category": "kela"}}), 1, "id", "a point id or a list"),
    (sc({"open": {**OPEN, "colour": 1}}), 1, "colour", "unknown key 'colour' for open"),
    (sc({"open": {**OPEN, "id": " "}}), 1, "id", "open needs 'id'"),
    (sc({"open": {k: v for k, v in OPEN.items() if k != "name"}}), 1, "name", "open needs 'name'"),
    (sc({"open": {**OPEN, "category": 3}}), 1, "category", "open needs 'category'"),
    (sc({"open": {**OPEN, "category": "bank"}}), 1, "category", "unknown category 'bank'"),
    (sc({"open": {k: v for k, v in OPEN.items() if k != "at_centre"}}), 1, "lon",
     "open needs either lon and lat (WGS84) or at_centre (a municipality code)"),
    (sc({"open": {**OPEN, "lon": 24.9, "lat": 60.2}}), 1, "lon", "either lon and lat"),
    (sc({"open": {"id": "n", "name": "N", "category": "kela", "lon": 24.9,
                  "municipality_code": "091"}}), 1, "lat", "lat must be a number"),
    (sc({"open": {"id": "n", "name": "N", "category": "kela", "lon": True, "lat": 60.2,
                  "municipality_code": "091"}}), 1, "lon", "lon must be a number"),
    (sc({"open": {"id": "n", "name": "N", "category": "kela", "lon": "24", "lat": 60.2,
                  "municipality_code": "091"}}), 1, "lon", "lon must be a number"),
    (sc({"open": {"id": "n", "name": "N", "category": "kela", "lon": 24.9, "lat": 60.2}}), 1,
     "municipality_code", "open with lon/lat needs municipality_code"),
    (sc({"open": {**OPEN, "capacity": -1}}), 1, "capacity", "non-negative number, not -1"),
    (sc({"open": {**OPEN, "capacity": True}}), 1, "capacity", "non-negative number"),
    (sc({"open": {**OPEN, "capacity": "3"}}), 1, "capacity", "non-negative number"),
    (sc({"open": {**OPEN, "capacity": float("inf")}}), 1, "capacity", "non-negative number"),
    (sc({"open": {**OPEN, "address": 3.5}}), 1, "address", "address must be text, not 3.5"),
    (sc({"open": {**OPEN, "at_centre": True}}), 1, "at_centre", "at_centre must be text"),
    (sc({"open": {"id": "n", "name": "N", "category": "kela", "lon": 24.9, "lat": 60.2,
                  "municipality_code": ["091"]}}), 1, "municipality_code",
     "municipality_code must be text"),
]


@pytest.mark.parametrize(("obj", "row", "fld", "words"), BAD)
def test_bad_scenario_names_file_row_and_field(obj, row, fld, words):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(obj, SRC)
    assert exc.value.file == SRC
    assert exc.value.row == row
    assert exc.value.field == fld
    assert words in str(exc.value)


def test_capacity_zero_and_int_codes_are_accepted():
    s = parse_scenario(sc({"open": {**OPEN, "capacity": 0, "at_centre": 49}}), SRC)
    assert s.changes[0]["open"]["capacity"] == 0
    assert s.changes[0]["open"]["at_centre"] == "049"
    assert s.changes[0]["open"]["municipality_code"] == "049"


def test_load_scenario_reads_file_and_rejects_empty(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("name: Close one\nchanges:\n  - close: a\n", encoding="utf-8")
    s = load_scenario(p)
    assert s.name == "Close one" and s.changes == ({"close": ["a"]},)
    assert s.source == str(p) and s.text.startswith("name: Close one")
    empty = tmp_path / "e.yaml"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(empty)
    assert exc.value.file == str(empty)
