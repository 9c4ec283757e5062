"""Every error of a scenario that cannot be applied to the study, compared in full (file, change,
field and wording) against tests/test_gaps30_scenario_errors/*.yml, on the hand-made `tiny` study
(tests/conftest.py: kela points k1, k2, k3; walk-in points fi1 (Finnish) and sv1 (Swedish), all in
Helsinki 091, near (24.94, 60.17))."""

from __future__ import annotations

import pytest

from planner.analysis.scenario import apply_scenario, parse_scenario
from planner.errors import ScenarioError

HKI = {"lon": 24.94, "lat": 60.17, "municipality_code": "091"}  # a street in central Helsinki

BAD = {
    "unknown id with suggestions": [{"close": "k"}],
    "unknown id without suggestion": [{"close": "nowhere"}],
    "closed twice": [{"close": "k1"}, {"close": ["k2", "k1"]}],
    "merged and later closed": [{"merge": {"into": "k2", "from": "k1"}}, {"close": "k1"}],
    "a receiver closed later": [{"merge": {"into": "k2", "from": "k1"}}, {"close": "k2"}],
    "a merge into a closed point": [{"close": "k2"}, {"merge": {"into": "k2", "from": "k1"}}],
    "a merge into an unknown point": [{"merge": {"into": "k9", "from": "k1"}}],
    "a merge into a point lacking a need": [{"merge": {"into": "k1", "from": "fi1"}}],
    "an added service at a closed point": [{"add_service": {"id": "k1", "category": "sv_walkin"}},
                                           {"close": "k1"}],
    "a changed point closed": [{"set_category": {"id": "k1", "category": "fi_walkin"}}, {"close": "k1"}],
    "a closed point changed": [{"close": "k1"}, {"set_category": {"id": "k1", "category": "fi_walkin"}}],
    "an opened id that exists": [{"open": {"id": "k1", "name": "New", "category": "kela", **HKI}}],
    "every point closed": [{"close": ["k1", "k2", "k3", "fi1", "sv1"]}],
    "lon and lat swapped": [{"open": {"id": "n", "name": "New", "category": "kela", "lon": 60.17,
                                      "lat": 24.94, "municipality_code": "091"}}],
    "outside Finland": [{"open": {"id": "n", "name": "New", "category": "kela", "lon": 10.0, "lat": 60.17,
                                  "municipality_code": "091"}}],
    "outside Uusimaa (Turku)": [{"open": {"id": "n", "name": "New", "category": "kela", "lon": 22.27,
                                          "lat": 60.45, "municipality_code": "091"}}],
    "in another municipality (Espoo centre)": [{"open": {"id": "n", "name": "New", "category": "kela",
                                                         "lon": 24.656, "lat": 60.205,
                                                         "municipality_code": "091"}}],
    "an unknown municipality": [{"open": {"id": "n", "name": "New", "category": "kela", "at_centre": "999"}}],
}


def _error(study, changes) -> dict:
    with pytest.raises(ScenarioError) as exc:
        apply_scenario(study, parse_scenario({"name": "bad", "changes": changes}, "plan.yaml"))
    e = exc.value
    return {"file": e.file, "change": e.row, "field": e.field, "reason": e.reason, "message": str(e)}


def test_every_error_of_a_scenario_the_study_refuses_names_file_change_field(tiny, data_regression):
    data_regression.check({case: _error(tiny, changes) for case, changes in BAD.items()})


def test_a_suggestion_for_an_unknown_id_is_the_same_on_every_run(tiny):
    # the ids containing the text, in sorted order (not the order of a set, which changes per run)
    assert _error(tiny, [{"close": "K"}])["reason"] == \
        "unknown point id 'K' (did you mean ['k1', 'k2', 'k3']?)"


STOP = {"id": "s1", "name": "Stop", "at_centre": "091",
        "schedule": [{"day": "tue", "start": "09:00", "end": "12:00"}]}
UNIT = {"id": "bus", "name": "Bus", "categories": ["kela"], "stops": [STOP]}
VISIT = STOP["schedule"][0]

BAD_FORM = {
    # open
    "open: an unknown category": {"open": {"id": "n", "name": "N", "category": "bank", "at_centre": "091"}},
    "open: an unknown key": {"open": {"id": "n", "name": "N", "category": "kela", "at_centre": "091",
                                      "adress": "Street 1"}},
    "open: a boolean capacity": {"open": {"id": "n", "name": "N", "category": "kela", "at_centre": "091",
                                          "capacity": True}},
    "open: a negative capacity": {"open": {"id": "n", "name": "N", "category": "kela", "at_centre": "091",
                                           "capacity": -1}},
    "open: a boolean municipality code": {"open": {"id": "n", "name": "N", "category": "kela",
                                                   "at_centre": True}},
    "open: a boolean lon": {"open": {"id": "n", "name": "N", "category": "kela", "lon": True, "lat": 60.2,
                                     "municipality_code": "091"}},
    "open: lon without lat and at_centre": {"open": {"id": "n", "name": "N", "category": "kela", "lon": 24.9,
                                                     "at_centre": "091"}},
    "set_category: an unknown category": {"set_category": {"id": "k1", "category": "bank"}},
    "merge: an empty from": {"merge": {"into": "k1", "from": []}},
    # mobile units
    "mobile: not a mapping": {"mobile": ["bus"]},
    "mobile: an unknown key": {"mobile": {**UNIT, "colour": "red"}},
    "mobile: no name": {"mobile": {**UNIT, "name": " "}},
    "mobile: no categories": {"mobile": {**UNIT, "categories": []}},
    "mobile: an unknown category": {"mobile": {**UNIT, "categories": ["kela", "bus_stop"]}},
    "mobile: a category twice": {"mobile": {**UNIT, "categories": ["kela", "kela"]}},
    "mobile: no stops": {"mobile": {**UNIT, "stops": []}},
    "mobile: a stop not a mapping": {"mobile": {**UNIT, "stops": [STOP, "s2"]}},
    "mobile: a stop with an unknown key": {"mobile": {**UNIT, "stops": [{**STOP, "nmae": "x"}]}},
    "mobile: a stop id twice": {"mobile": {**UNIT, "stops": [STOP, STOP]}},
    "mobile: a stop with the unit's id": {"mobile": {**UNIT, "stops": [{**STOP, "id": "bus"}]}},
    "mobile: a stop without a place": {"mobile": {**UNIT, "stops": [{k: v for k, v in STOP.items()
                                                                     if k != "at_centre"}]}},
    "mobile: a stop with an empty at_centre": {"mobile": {**UNIT, "stops": [{**STOP, "at_centre": None}]}},
    "mobile: no schedule": {"mobile": {**UNIT, "stops": [{**STOP, "schedule": []}]}},
    "mobile: a visit with a missing key": {"mobile": {**UNIT, "stops": [{**STOP, "schedule": [
        {"day": "tue", "start": "09:00"}]}]}},
    "mobile: an unknown day": {"mobile": {**UNIT, "stops": [{**STOP, "schedule": [
        {**VISIT, "day": "tues"}]}]}},
    "mobile: a time without a leading zero": {"mobile": {**UNIT, "stops": [{**STOP, "schedule": [
        {**VISIT, "start": "9:00"}]}]}},
    "mobile: 24:00": {"mobile": {**UNIT, "stops": [{**STOP, "schedule": [{**VISIT, "end": "24:00"}]}]}},
    "mobile: a visit ending when it starts": {"mobile": {**UNIT, "stops": [{**STOP, "schedule": [
        {**VISIT, "end": "09:00"}]}]}},
    "mobile: visits overlapping by a minute": {"mobile": {**UNIT, "stops": [{**STOP, "schedule": [
        VISIT, {"day": "fri", "start": "09:00", "end": "10:00"},
        {"day": "tue", "start": "11:59", "end": "13:00"}]}]}},
}


def _form_error(change) -> dict:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario({"name": "bad", "changes": [{"close": "k2"}, change]}, "plan.yaml")
    e = exc.value
    return {"file": e.file, "change": e.row, "field": e.field, "reason": e.reason}


def test_every_form_error_of_an_open_or_mobile_change_names_its_field(data_regression):
    data_regression.check({case: _form_error(change) for case, change in BAD_FORM.items()})


def test_visits_that_only_touch_do_not_overlap():
    ok = parse_scenario({"name": "ok", "changes": [{"mobile": {**UNIT, "stops": [{**STOP, "schedule": [
        VISIT, {"day": "tue", "start": "12:00", "end": "13:00"}]}]}}]}, "plan.yaml")
    (change,) = ok.changes
    assert [v["start"] for v in change["mobile"]["stops"][0]["schedule"]] == ["09:00", "12:00"]


BAD_SHARE = {
    "not a mapping": ["kela", 0.5],
    "an unknown need": {"kelaa": 0.5},
    "above one": {"kela": 1.01},
    "below zero": {"kela": -0.01},
    "a boolean": {"kela": True},
    "text": {"kela": "50%"},
}


def test_every_error_of_a_remote_share_names_its_need(data_regression):
    out = {}
    for case, share in BAD_SHARE.items():
        with pytest.raises(ScenarioError) as exc:
            parse_scenario({"name": "bad", "remote_share": share, "changes": []}, "plan.yaml")
        out[case] = {"change": exc.value.row, "field": exc.value.field, "reason": exc.value.reason}
    data_regression.check(out)
    ok = parse_scenario({"name": "ok", "remote_share": {"kela": 1, "english": 0}, "changes": []}, "plan.yaml")
    assert ok.remote_share == {"kela": 1.0, "english": 0.0}
