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
