"""The view in the address: round trip, and a tampered link explained, never a traceback."""

from __future__ import annotations

import base64
import datetime
import zlib

import pytest

from planner.app.saved import delete_scenario, save_scenario, saved_scenarios
from planner.app.urlstate import (
    MAX_SCENARIO_CHARS,
    decode_scenario,
    decode_view,
    encode_scenario,
    encode_view,
)

SCENARIO = "name: Close Tikkurila\nchanges:\n  - close: kela_vantaa_tikkurila\n"


def test_round_trip_of_every_choice_and_the_scenario():
    view = {"lang": "sv", "page": "builder", "need": "kela", "group": "all", "mode": "pt_rush",
            "model": "straight", "demand": "grid", "preset": "wellbeing_counties_2023",
            "net_date": datetime.date(2024, 5, 31), "net_weight": "unemployed", "net_elig": "any"}
    params = encode_view(view, SCENARIO)
    assert params["areas"] == "wellbeing_counties_2023" and params["date"] == "2024-05-31"
    assert len(params["sc"]) < len(SCENARIO) * 2  # compact enough for a link
    back, scenario, problems = decode_view(params)
    assert back == view and scenario == SCENARIO and problems == []


def test_a_tampered_link_keeps_what_is_valid_and_says_what_is_not():
    params = {"need": "kela", "group": "<script>alert(1)</script>", "date": "2024-02-30", "mode": "car",
              "unknown": "x", "sc": "!!!not-base64"}
    view, scenario, problems = decode_view(params)
    assert view == {"need": "kela"} and scenario is None
    assert len(problems) == 4
    # worded in the reader's language: the details too, not only the app's wrapper sentence
    fi = [p.text("fi") for p in problems]
    assert any("ei ole päivämäärä" in p for p in fi) and any("vioittunut" in p for p in fi)
    assert any("är inte något av fi, sv, all" in p.text("sv") for p in problems)
    problems = [str(p) for p in problems]
    assert any("group=" in p and "is not one of fi, sv, all" in p for p in problems)
    assert any("date=" in p and "not a date" in p for p in problems)
    assert any("damaged" in p for p in problems)
    assert all(len(p) < 300 for p in problems)  # a long value is cut, not echoed whole
    # a parameter given twice: the last one counts, as in the browser's address bar
    view, scenario, problems = decode_view({"need": ["walk", "kela"], "sc": [encode_scenario(SCENARIO)]})
    assert view == {"need": "kela"} and scenario == SCENARIO and problems == []


def test_a_scenario_link_that_inflates_too_far_is_refused():
    bomb = base64.urlsafe_b64encode(zlib.compress(b"#" * (MAX_SCENARIO_CHARS * 50), 9)).decode().rstrip("=")
    with pytest.raises(ValueError, match="longer than"):
        decode_scenario(bomb)
    assert decode_scenario(encode_scenario(SCENARIO)) == SCENARIO
    with pytest.raises(ValueError, match="damaged"):  # a link cut short
        decode_scenario(encode_scenario(SCENARIO)[:-6])
    with pytest.raises(ValueError, match="damaged"):  # not base64 at all
        decode_scenario("%%%")


def test_saved_scenarios_survive_on_disk(tmp_path):
    hostile = "../../<b>Kela</b> = 'x'"
    path = save_scenario(hostile, SCENARIO.replace("Close Tikkurila", "Other name"), tmp_path)
    assert path.parent == tmp_path and path.name.startswith("b_kela_b_x-")  # no way out of the folder
    save_scenario("Close Tikkurila", SCENARIO, tmp_path)
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (tmp_path / "noname.yaml").write_text("changes: []\n", encoding="utf-8")
    found = saved_scenarios(tmp_path)
    assert set(found) == {"Close Tikkurila", "Other name"}  # names from the files; broken ones skipped
    assert found["Close Tikkurila"] == SCENARIO
    assert not list(tmp_path.glob(".save-*"))  # no temporary file left behind
    assert delete_scenario("Close Tikkurila", tmp_path) and not delete_scenario("Close Tikkurila", tmp_path)
    assert set(saved_scenarios(tmp_path)) == {"Other name"}
    assert saved_scenarios(tmp_path / "nowhere") == {}
    # names that read alike, or in other scripts, never overwrite each other
    for name in ("Kela A", "kela-a", "Пример", "示例"):
        save_scenario(name, f"name: {name}\nchanges: []\n", tmp_path / "alike")
    assert set(saved_scenarios(tmp_path / "alike")) == {"Kela A", "kela-a", "Пример", "示例"}
    save_scenario("Kela A", "name: Kela A\ndescription: again\nchanges: []\n", tmp_path / "alike")
    assert len(list((tmp_path / "alike").glob("*.yaml"))) == 4  # the same name: its own file again
