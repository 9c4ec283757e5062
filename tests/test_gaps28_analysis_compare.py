"""Issue 28, round 2: comparisons follow the same people whatever the row order, and bad inputs
say what is wrong (planner/analysis/comparison.py, servicedays.py, study.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.analysis.comparison import _unit_positions, area_changes, unit_changes
from planner.analysis.servicedays import expected_wait_days, visits_per_week
from planner.analysis.study import Results, load_study


def _results(access: pd.DataFrame, scenario: str = "") -> Results:
    return Results(access, {}, pd.DataFrame(), pd.DataFrame(), {"scenario": scenario})


def _access(units, times, points):
    return pd.DataFrame({"unit_id": units, "need": "kela", "group": "all", "population": [10, 20, 30],
                         "located": True, "point_id": points, "time_min": times})


def test_unit_changes_follow_each_unit_when_the_after_rows_come_in_another_order():
    before = _access(["a", "b", "c"], [5.0, 10.0, np.inf], ["p", "q", ""])
    # after: the same units listed c, a, b; a loses 2 min, b loses access, c gains a point at 40 min
    after = _access(["c", "a", "b"], [40.0, 7.0, np.inf], ["r", "p", ""])
    after["population"] = [30, 10, 20]
    ch = unit_changes(_results(before), _results(after, "closing q"))
    assert ch["unit_id"].tolist() == ["a", "b", "c"]
    assert ch["time_after"].tolist() == [7.0, np.inf, 40.0]
    assert ch["point_after"].tolist() == ["p", "", "r"]
    assert ch["delta_min"].tolist() == [2.0, np.inf, -np.inf]
    assert ch["population"].tolist() == [10, 20, 30]
    assert (ch["scenario"] == "closing q").all()
    # no access before nor after is no change (0), not NaN
    both = _access(["a", "b", "c"], [np.inf, 1.0, 2.0], ["", "q", "q"])
    assert unit_changes(_results(both), _results(both))["delta_min"].tolist() == [0.0, 0.0, 0.0]


def test_area_changes_refuse_units_the_demand_does_not_have():
    before = _access(["a", "b", "zz"], [5.0, 10.0, 3.0], ["p", "q", "q"])
    ch = unit_changes(_results(before), _results(before))
    units = pd.DataFrame({"unit_id": ["a", "b"], "population": [10, 20]})
    with pytest.raises(ValueError, match=r"^unit_changes has units not in the demand units: \['zz'\]"):
        area_changes(ch, units, None)


def test_unit_positions_in_blocks_and_out_of_order():
    ids = np.array(["a", "b", "a", "b"], dtype=object)
    assert _unit_positions(ids, np.array(["a", "b"], dtype=object)).tolist() == [0, 1, 0, 1]
    assert _unit_positions(np.array(["b", "x", "a"], dtype=object),
                           np.array(["a", "b"], dtype=object)).tolist() == [1, -1, 0]
    assert _unit_positions(np.array([], dtype=object), np.array([], dtype=object)).tolist() == []


def test_a_schedule_without_a_day_has_no_wait_to_report():
    with pytest.raises(ValueError, match="^a schedule needs at least one visit day"):
        expected_wait_days([])
    # one day a week: the wait is 0..6 days, 3 on average; Mon and Thu: (0+2+1+0+3+2+1)/7 = 9/7
    assert expected_wait_days(["mon"]) == 3.0
    assert expected_wait_days(["mon", "thu"]) == pytest.approx(9 / 7)
    assert visits_per_week(["mon", "thu", "mon"]) == 2


def test_an_unknown_demand_kind_is_refused_before_anything_is_loaded():
    with pytest.raises(ValueError, match=r"^unknown demand 'postcode': expected one of \['postal'"):
        load_study(demand="postcode")


def test_a_merge_reuses_the_baseline_given_instead_of_recomputing_it(study, baseline, monkeypatch):
    """A scenario re-evaluated on a click must not re-evaluate the whole baseline it was given."""
    import planner.analysis.study as study_mod
    from planner.analysis.scenario import evaluate, parse_scenario

    kela = study.points.loc[study.points["category"] == "kela", "id"].tolist()[:2]
    s = parse_scenario({"name": "m", "changes": [{"merge": {"into": kela[0], "from": [kela[1]]}}]}, "m.yaml")

    def recomputed(*a, **k):
        raise AssertionError("the baseline was recomputed")

    monkeypatch.setattr(study_mod, "evaluate_points", recomputed)
    res, applied = evaluate(study, s, baseline)
    assert applied.merges == {kela[1]: kela[0]}
    moved = baseline.access["point_id"].eq(kela[1])
    assert moved.any() and not res.access["point_id"].eq(kela[1]).any()
    with pytest.raises(AssertionError, match="^the baseline was recomputed"):
        evaluate(study, s)  # without one it has to be computed


def test_a_receiving_merge_follows_each_units_baseline_point_whatever_the_row_order(study, baseline):
    from planner.analysis.scenario import evaluate, parse_scenario

    kela = study.points.loc[study.points["category"] == "kela", "id"].tolist()[:2]
    s = parse_scenario({"name": "m", "changes": [
        {"merge": {"into": kela[0], "from": [kela[1]], "clients": "receiving"}}]}, "m.yaml")
    res, _ = evaluate(study, s, baseline)
    acc, base = res.access, baseline.access
    moved = base["point_id"].eq(kela[1]) & base["need"].eq("kela")
    assert moved.any() and (acc.loc[moved, "point_id"] == kela[0]).all()  # the receiver, not the nearest
    # the same baseline with its rows shuffled gives the same answer, row for row
    shuffled = base.sample(frac=1.0, random_state=28).reset_index(drop=True)
    res2, _ = evaluate(study, s, _results_like(baseline, shuffled))
    pd.testing.assert_frame_equal(res2.access, acc)
    # the units in order within each (need, group) block, but the blocks in reverse order
    n = len(study.units)
    blocks = [base.iloc[i:i + n] for i in range(0, len(base), n)]
    assert len(blocks) > 1 and all(b["unit_id"].tolist() == study.units["unit_id"].tolist() for b in blocks)
    reversed_blocks = pd.concat(blocks[::-1], ignore_index=True)
    res3, _ = evaluate(study, s, _results_like(baseline, reversed_blocks))
    pd.testing.assert_frame_equal(res3.access, acc)


def _results_like(res: Results, access: pd.DataFrame) -> Results:
    return Results(access, {}, pd.DataFrame(), pd.DataFrame(), dict(res.provenance))


def test_a_matrix_of_other_units_is_refused(study):
    from planner.analysis.accessibility import unit_access

    with pytest.raises(ValueError, match="^travel-time matrix rows do not match the demand units"):
        unit_access(study.units.iloc[::-1], study.points, study.ttm)
