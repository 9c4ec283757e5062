"""Issue 28, round 2: the location solver's rules at their boundaries (planner/optimise/solver.py).

Small hand-made cost matrices whose answers are worked out by hand in the comments; each test pins a
value or a message the solver must keep (objective units, the checks on bad input, the bisection of
the set covering below a share of 1).
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.optimise import OptimisationError
from planner.optimise import solver as sv
from planner.optimise.solver import _pcenter_upper_bound, available_solver, objective_value, solve

C = np.array([[1.0, 4.0], [3.0, 2.0]])
W = np.array([10.0, 1.0])


def test_objective_units_and_the_threshold_is_inclusive():
    both = np.array([True, True])
    # p-median: 10 x 1 + 1 x 2 = 12 person-minutes with both open
    assert objective_value("pmedian", C, W, both) == 12.0
    # p-center: the worst nearest time of a row with residents: row 0 at 1, row 1 at 2 -> 2 min
    assert objective_value("pcenter", C, W, both) == 2.0
    # a row without residents does not count towards the worst time (site 0 only: row 1 at 3 min)
    assert objective_value("pcenter", C, np.array([10.0, 0.0]), np.array([True, False])) == 1.0
    assert objective_value("pcenter", C, np.zeros(2), both) == 0.0
    # covering: a row exactly at T is within T (<=), one 0.5 min beyond is not
    assert objective_value("mclp", C, W, np.array([False, True]), max_minutes=2.0) == 1.0
    assert objective_value("mclp", C, W, np.array([False, True]), max_minutes=1.5) == 0.0
    assert objective_value("add", C, W, both, max_minutes=1.0) == 10.0
    assert objective_value("lscp", C, W, both) == 2.0
    # nothing open: every row is infinitely far (not 0 person-minutes)
    assert objective_value("pmedian", C, W, np.array([False, False])) == np.inf
    with pytest.raises(ValueError, match="^mclp needs max_minutes"):
        objective_value("mclp", C, W, both)
    with pytest.raises(ValueError, match=r"^unknown model 'median': expected one of \['pmedian'"):
        objective_value("median", C, W, both)


def test_bad_input_is_refused_with_a_message_that_says_why():
    with pytest.raises(OptimisationError, match=r"^unknown model 'median': expected one of \['pmedian', "):
        solve("median", C, W, k=1)
    with pytest.raises(OptimisationError, match="^weights must be positive, one per row"):
        solve("pmedian", C, np.array([10.0, 0.0]), k=1)
    with pytest.raises(OptimisationError, match="^weights must be positive, one per row"):
        solve("pmedian", C, np.array([10.0]), k=1)
    with pytest.raises(OptimisationError,
                       match=r"^nothing to optimise \(0 demand rows x 2 candidate sites\)"):
        solve("pmedian", np.zeros((0, 2)), np.zeros(0), k=1)
    with pytest.raises(OptimisationError,
                       match=r"^nothing to optimise \(2 demand rows x 0 candidate sites\)"):
        solve("pmedian", np.zeros((2, 0)), W, k=1)
    with pytest.raises(OptimisationError, match="^the cost matrix has NaN"):
        solve("pmedian", np.array([[1.0, np.nan], [3.0, 2.0]]), W, k=1)
    with pytest.raises(OptimisationError, match="^some demand rows cannot reach any candidate site"):
        solve("pmedian", np.array([[1.0, 4.0], [np.inf, np.inf]]), W, k=1)
    with pytest.raises(OptimisationError, match="^an at-least-one constraint has no candidate site"):
        solve("pmedian", C, W, k=1, groups=[np.array([0]), np.array([], int)])
    for k in (None, 0):
        with pytest.raises(OptimisationError, match=r"^pmedian needs k >= 1 \(--k\)"):
            solve("pmedian", C, W, k=k)
    with pytest.raises(OptimisationError, match="^k = 3 but there are only 2 candidate sites"):
        solve("pcenter", C, W, k=3)
    with pytest.raises(OptimisationError, match="^k = 1 is fewer than the 2 points that must stay"):
        solve("mclp", C, W, k=1, max_minutes=5.0, forced=np.array([True, True]))
    for t in (None, 0.0):
        with pytest.raises(OptimisationError, match=r"^mclp needs max_minutes T > 0 \(--max-minutes\)"):
            solve("mclp", C, W, k=1, max_minutes=t)
    for k in (None, 0):
        with pytest.raises(OptimisationError, match=r"^add needs k >= 1 \(--k\), the number of new points"):
            solve("add", C, W, k=k, max_minutes=2.0, existing=np.array([True, False]))
    for share in (0.0, 1.5):
        with pytest.raises(OptimisationError, match=r"^share must be in \(0, 1\]"):
            solve("lscp", C, W, max_minutes=5.0, share=share)


def test_k_equal_to_the_sites_and_to_the_forced_points_is_allowed():
    # k = m = 2 and both forced: the boundary of "k > m" and "k < forced" is feasible
    sol = solve("pmedian", C, W, k=2, forced=np.array([True, True]))
    assert sol.selected.tolist() == [True, True] and sol.objective == 12.0 and sol.optimal


def test_infeasible_constraints_name_the_model_k_and_the_groups():
    one_each = [np.array([0]), np.array([1])]  # two groups, each needing its own site, but k = 1
    with pytest.raises(OptimisationError,
                       match=r"^maximal covering \(most residents within T minutes with k points\): "
                             r"infeasible with k = 1 and these constraints \(0 points that must stay, "
                             r"2 at-least-one groups"):
        solve("mclp", C, W, k=1, max_minutes=5.0, groups=one_each)
    with pytest.raises(OptimisationError, match=r"^p-center .*infeasible with k = 1 .*2 at-least-one groups"):
        solve("pcenter", C, W, k=1, groups=one_each)
    # add: no site today, at most one new one, but both groups need a site
    with pytest.raises(OptimisationError, match="^add: infeasible with these constraints"):
        solve("add", C, W, k=1, max_minutes=5.0, groups=one_each)
    # add: both new sites must be kept, but only one new site is allowed
    with pytest.raises(OptimisationError, match="^add: 2 new points must be kept but k = 1"):
        solve("add", C, W, k=1, max_minutes=5.0, forced=np.array([True, True]),
              existing=np.array([False, False]))


def test_pcenter_bound_is_infinite_when_the_groups_need_more_sites_than_k():
    cost = np.array([[1.0, 5.0, 9.0], [5.0, 1.0, 9.0]])
    groups = [np.array([0]), np.array([1])]
    assert _pcenter_upper_bound(cost, 1, np.zeros(3, bool), groups) == np.inf
    # with k = 2 the groups pick sites 0 and 1: worst nearest time 1 min
    assert _pcenter_upper_bound(cost, 2, np.zeros(3, bool), groups) == 1.0
    # every site forced: no candidate is left to add or swap in, the bound is the forced set's worst time
    assert _pcenter_upper_bound(cost, 3, np.ones(3, bool), []) == 1.0


def test_pcenter_keeps_the_worst_time_then_minimises_the_weighted_time():
    # row 0 (100 residents) and row 1 (1) ; sites a, b, c. One site:
    # a: worst max(2, 10) = 10; b: worst max(10, 10) = 10; c: worst max(11, 1) = 11.
    # a and b tie on the worst time 10; phase 2 picks a (100 x 2 + 1 x 10 = 210 < 100 x 10 + 10)
    cost = np.array([[2.0, 10.0, 11.0], [10.0, 10.0, 1.0]])
    sol = solve("pcenter", cost, np.array([100.0, 1.0]), k=1)
    assert sol.selected.tolist() == [True, False, False] and sol.objective == 10.0
    assert sol.solves == 2  # the worst time, then the tie-break


def test_set_covering_below_one_bisects_to_every_site_when_each_covers_one_row():
    # three rows of 1 resident, site j covers row j only (within 5 min): a share of 0.99 needs all three
    cost = np.array([[1.0, 50.0, 50.0], [50.0, 1.0, 50.0], [50.0, 50.0, 1.0]])
    sol = solve("lscp", cost, np.ones(3), max_minutes=5.0, share=0.99)
    assert sol.selected.tolist() == [True, True, True] and sol.objective == 3.0
    # a share of 2/3 needs two sites
    sol = solve("lscp", cost, np.ones(3), max_minutes=5.0, share=2 / 3)
    assert sol.selected.sum() == 2 and sol.objective == 2.0


def test_set_covering_says_how_many_residents_no_site_reaches():
    cost = np.array([[1.0, 50.0], [50.0, 60.0]])
    with pytest.raises(OptimisationError, match=r"^even with all 2 candidate sites only 75\.00% of the "
                                                r"residents are within 10 min \(1 are farther\)"):
        solve("lscp", cost, np.array([3.0, 1.0]), max_minutes=10.0)
    # exactly the share that can be reached is allowed (75 %): site 0 alone
    sol = solve("lscp", cost, np.array([3.0, 1.0]), max_minutes=10.0, share=0.75)
    assert sol.selected.tolist() == [True, False]


def test_the_solver_choice_and_its_label(monkeypatch):
    s = available_solver(time_limit=7.0)
    assert s.timeLimit == 7.0 and s.msg is False and s.optionsDict.get("gapRel", 0.0) == 0.0
    assert getattr(s, "gapRel", 0.0) == 0.0
    with pytest.raises(OptimisationError, match=r"^solver 'NOPE' is not available; available: \["):
        available_solver("NOPE")
    assert sv._solver_name(s) == sv._SOLVER_LABEL[s.name]
    # the HiGHS p-median runs without presolve, on a copy; other models keep the solver as given
    if s.name == "HiGHS":
        tuned = sv._tuned(s, "pmedian")
        assert tuned is not s and tuned.optionsDict["presolve"] == "off"
        assert "presolve" not in s.optionsDict
    assert sv._tuned(s, "pcenter") is s
    monkeypatch.setattr(sv, "_available", lambda: ())
    with pytest.raises(OptimisationError, match=r"^no MILP solver available: install highspy"):
        available_solver()


@pytest.mark.parametrize("kw, match", [
    ({"model": "median", "k": 3}, r"unknown model 'median': expected one of \['pmedian', 'lscp'"),
    ({"model": "add", "k": 1, "max_minutes": 30.0, "candidates": ("existing",)},
     "add needs new candidate sites: --candidates existing,centres,postal"),
    ({"model": "pmedian", "k": 3, "candidates": ()},
     r"no candidate sites for kela \(all\) with candidates \[\]"),
    ({"model": "pmedian", "k": 3, "per": "county"},
     r"unknown --per 'county': expected one of \['municipality', 'service_area'\]"),
])
def test_optimise_network_refuses_bad_requests_before_solving(study, kw, match):
    from planner.optimise import optimise_network

    with pytest.raises(OptimisationError, match="^" + match):
        optimise_network(study, **kw)


def test_served_counts_each_row_at_its_nearest_open_site_only():
    from planner.optimise.run import _metrics, _served

    cost = np.array([[1.0, 4.0, 9.0], [3.0, 2.0, 9.0], [np.inf, np.inf, 9.0]])
    w = np.array([10.0, 1.0, 5.0])
    assert _served(cost, w, np.array([True, True, False])).tolist() == [10.0, 1.0, 0.0]
    assert _served(cost, w, np.zeros(3, bool)).tolist() == [0.0, 0.0, 0.0]
    m = _metrics(cost, w, np.array([True, True, False]), 2.0)
    # row 2 has no open site in reach: no point, beyond T; the mean is infinite, not over the served
    assert m["points"] == 2 and m["pop_within_T"] == 11.0 and m["pop_no_point"] == 5.0
    assert m["share_within_T"] == 11 / 16 and m["max_min"] == np.inf


def test_a_solver_stopped_before_any_solution_is_an_error_naming_the_model():
    # 80 rows x 40 sites and a time limit of a nanosecond: HiGHS stops before it has any solution
    rng = np.random.default_rng(0)
    cost = rng.uniform(1, 60, (80, 40))
    w = rng.integers(1, 100, 80).astype(float)
    with pytest.raises(OptimisationError) as exc:
        solve("pmedian", cost, w, k=5, solver=available_solver(time_limit=1e-9))
    assert str(exc.value).startswith(
        "p-median (minimise the population-weighted travel time): the solver did not find a solution (")
