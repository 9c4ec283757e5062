"""Location-allocation on a small hand-made study (builds in well under a second).

Three postal areas on an east-west line in central Helsinki and a fourth without a
location; a straight-line model at 100 m/min with no detour or access time, so
minutes = metres / 100. Every answer below is worked out by hand in the comments.

    unit  x (m)   pop_fi  pop_sv  located
    A         0       90      10  yes
    B      2000       50       0  yes
    C      4000       30      20  yes
    U         0        7       3  no

    point  category    x (m)   A    B    C   (minutes)
    k1     kela          500   5   15   35
    k2     kela         3000  30   10   10
    k3     kela         4000  40   20    0
    fi1    fi_walkin    1000  10   10   30
    sv1    sv_walkin    4000  40   20    0
"""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point

from planner.analysis.scenario import apply_scenario
from planner.optimise import (
    OptimisationError,
    candidate_sites,
    cost_matrix,
    demand_rows,
    objective_value,
    optimise_network,
    solve,
)
from planner.settings import ModeParams
from planner.traveltime import StraightLineModel

X0, Y0 = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067
MODEL = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))
INF = np.inf


def test_the_hand_made_travel_times_are_exact(tiny):
    # the boundary tests below rely on 1000 m being exactly 10.0 min
    t = tiny.ttm.columns(["k1", "k2", "k3"])[:3]
    assert t.tolist() == [[5.0, 30.0, 40.0], [15.0, 10.0, 20.0], [35.0, 10.0, 0.0]]


# --- demand rows per language group ----------------------------------------------------------

def test_demand_rows_weight_each_language_group_and_leave_out_the_unlocated(tiny):
    fi, ex_fi = demand_rows(tiny, "social_walkin", "fi")
    assert fi["unit_id"].tolist() == ["A", "B", "C"] and fi["weight"].tolist() == [90, 50, 30]
    assert fi["group"].eq("fi").all() and fi["unit_pos"].tolist() == [0, 1, 2]
    assert ex_fi == {"pop_unlocated": 7.0, "units_unlocated": 1}
    sv, ex_sv = demand_rows(tiny, "social_walkin", "sv")
    # B has no Swedish speakers: no row with weight 0
    assert sv["unit_id"].tolist() == ["A", "C"] and sv["weight"].tolist() == [10, 20]
    assert sv["unit_pos"].tolist() == [0, 2] and ex_sv["pop_unlocated"] == 3.0
    both, ex = demand_rows(tiny, "social_walkin", "all")  # fi rows, then sv rows
    assert list(zip(both["group"], both["unit_id"], both["weight"], strict=True)) == [
        ("fi", "A", 90), ("fi", "B", 50), ("fi", "C", 30), ("sv", "A", 10), ("sv", "C", 20)]
    assert ex == {"pop_unlocated": 10.0, "units_unlocated": 1}  # 7 fi + 3 sv
    assert both["municipality_code"].eq("091").all() and both["service_area"].eq("S").all()


def test_demand_rows_of_a_need_with_the_same_categories_use_the_total_population(tiny):
    rows, ex = demand_rows(tiny, "kela", "all")
    assert rows["group"].eq("all").all() and rows["weight"].tolist() == [100, 50, 50]
    assert ex == {"pop_unlocated": 10.0, "units_unlocated": 1}  # U: 7 + 3


@pytest.mark.parametrize("need, group", [("kela", "en"), ("nope", "fi")])
def test_unknown_need_or_group_is_refused(tiny, need, group):
    with pytest.raises(OptimisationError, match="unknown"):
        demand_rows(tiny, need, group)


# --- candidates and costs ---------------------------------------------------------------------

def test_candidates_are_the_points_serving_the_need_and_group(tiny):
    assert candidate_sites(tiny, "kela", "all")["id"].tolist() == ["k1", "k2", "k3"]
    assert candidate_sites(tiny, "social_walkin", "fi")["id"].tolist() == ["fi1"]
    assert candidate_sites(tiny, "social_walkin", "sv")["id"].tolist() == ["sv1"]
    s = candidate_sites(tiny, "social_walkin", "all")
    assert s["id"].tolist() == ["fi1", "sv1"] and s["existing"].all()
    assert s["kind"].eq("existing").all() and s["service_area"].eq("S").all()
    # lon/lat in WGS84 degrees near Helsinki (about 24.9 E, 60.2 N)
    assert ((s["lon"] > 24) & (s["lon"] < 26) & (s["lat"] > 60) & (s["lat"] < 61)).all()


def test_postal_candidates_come_from_areas_with_enough_residents(tiny):
    # A 100, B 50, C 50 residents (U has no location): a threshold of 50 keeps all three, 51 only A
    s = candidate_sites(tiny, "kela", "all", kinds=("postal",), min_postal_pop=50)
    assert s["id"].tolist() == ["opt_kela_postal_A", "opt_kela_postal_B", "opt_kela_postal_C"]
    assert not s["existing"].any() and s["kind"].eq("postal").all()
    assert s["site"].tolist() == ["postal_A", "postal_B", "postal_C"]
    s51 = candidate_sites(tiny, "kela", "all", kinds=("postal",), min_postal_pop=51)
    assert s51["id"].tolist() == ["opt_kela_postal_A"]
    # both language groups: one new candidate per language category at every site
    both = candidate_sites(tiny, "social_walkin", "all", kinds=("postal",), min_postal_pop=51)
    assert sorted(both["category"]) == ["fi_walkin", "sv_walkin"]
    with pytest.raises(OptimisationError, match="unknown candidate kind"):
        candidate_sites(tiny, "kela", "all", kinds=("shops",))


def test_cost_matrix_forbids_the_other_language_and_computes_new_sites(tiny):
    rows, _ = demand_rows(tiny, "social_walkin", "all")
    sites = candidate_sites(tiny, "social_walkin", "all")  # fi1, sv1
    cost = cost_matrix(tiny, rows, sites, "social_walkin")
    # rows fi A, fi B, fi C, sv A, sv C; fi1 at 1000 m, sv1 at 4000 m
    assert cost.tolist() == [[10.0, INF], [10.0, INF], [30.0, INF], [INF, 40.0], [INF, 0.0]]
    rows_k, _ = demand_rows(tiny, "kela", "all")
    new = candidate_sites(tiny, "kela", "all", kinds=("postal",), min_postal_pop=50)
    # postal points at A, B, C (0, 2000, 4000 m)
    assert cost_matrix(tiny, rows_k, new, "kela").tolist() == [[0, 20, 40], [20, 0, 20], [40, 20, 0]]


# --- p-median ----------------------------------------------------------------------------------

def test_pmedian_keeps_the_pair_with_the_least_resident_minutes(tiny):
    # weights A 100, B 50, C 50 (kela, pop_total)
    # {k1,k2}: 100*5 + 50*10 + 50*10 = 1500; {k1,k3}: 100*5 + 50*15 + 50*0 = 1250;
    # {k2,k3}: 100*30 + 50*10 + 50*0 = 3500  -> keep k1, k3; close k2
    res = optimise_network(tiny, "pmedian", "kela", "all", k=2)
    assert res.objective == 1250 and res.ids("kept") == ["k1", "k3"] and res.ids("closed") == ["k2"]
    assert res.excluded["pop_unlocated"] == 10 and res.excluded["pop_unreachable"] == 0
    served = dict(zip(res.sites["id"], res.sites["pop_served"], strict=True))
    assert served == {"k1": 150, "k2": 0, "k3": 50}  # A, B -> k1; C -> k3
    today = dict(zip(res.sites["id"], res.sites["pop_served_today"], strict=True))
    assert today == {"k1": 100, "k2": 50, "k3": 50}  # today B is nearest k2 (10 < 15), C k3 (0)
    # metrics: today all three open: A 5, B 10, C 0 -> 100*5 + 50*10 + 50*0 = 1000 / 200 = 5.0 min, worst 10
    # optimised: A 5, B 15, C 0 -> 1250 / 200 = 6.25 min, worst 15; T defaults to 30: all within
    m = res.metrics
    assert m.loc["points"].tolist() == [3, 2]
    assert m.loc["mean_min"].tolist() == [5.0, 6.25] and m.loc["max_min"].tolist() == [10, 15]
    assert m.loc["pop_within_T"].tolist() == [200, 200] and m.loc["share_within_T"].tolist() == [1, 1]
    assert m.loc["pop_no_point"].tolist() == [0, 0]
    assert "6.25 min population-weighted mean travel time (1,250 resident-minutes)" in res.objective_label


def test_pmedian_with_one_point_and_with_a_point_that_must_stay(tiny):
    # k = 1: k1 100*5 + 50*15 + 50*35 = 3000; k2 100*30 + 500 + 500 = 4000; k3 4000 + 1000 + 0 = 5000
    assert optimise_network(tiny, "pmedian", "kela", k=1).ids("kept") == ["k1"]
    # keep k2, k = 2: {k1,k2} 1500 beats {k2,k3} 3500
    res = optimise_network(tiny, "pmedian", "kela", k=2, keep=["k2"])
    assert res.ids("kept") == ["k1", "k2"] and res.objective == 1500
    assert "must keep 1 (k2)" in res.report


def test_keep_categories_forces_every_existing_point_of_the_category(tiny):
    res = optimise_network(tiny, "pmedian", "kela", k=3, keep_categories=["kela"])
    assert res.ids("kept") == ["k1", "k2", "k3"] and res.ids("closed") == []
    with pytest.raises(OptimisationError, match="fewer than the 3 points that must stay"):
        optimise_network(tiny, "pmedian", "kela", k=2, keep_categories=["kela"])
    with pytest.raises(OptimisationError, match="unknown category"):
        optimise_network(tiny, "pmedian", "kela", k=2, keep_categories=["kelaa"])
    # a category with no candidate for this need is a note, not a constraint
    res = optimise_network(tiny, "pmedian", "kela", k=2, keep_categories=["sv_walkin"])
    assert res.ids("kept") == ["k1", "k3"]
    assert any("--keep-category sv_walkin: no existing candidate" in n for n in res.notes)


def test_keep_of_a_point_of_another_need_or_an_unknown_id(tiny):
    res = optimise_network(tiny, "pmedian", "kela", k=2, keep=["fi1"])
    assert res.ids("kept") == ["k1", "k3"] and any("--keep fi1" in n for n in res.notes)
    with pytest.raises(OptimisationError, match="unknown point id 'k9'"):
        optimise_network(tiny, "pmedian", "kela", k=2, keep=["k9"])


def test_both_language_groups_each_need_a_point_serving_them(tiny):
    # rows fi A 90, fi B 50, fi C 30, sv A 10, sv C 20; fi1 serves fi only, sv1 sv only
    # k = 2: fi 90*10 + 50*10 + 30*30 = 2300, sv 10*40 + 20*0 = 400 -> 2700 resident-minutes
    res = optimise_network(tiny, "pmedian", "social_walkin", "all", k=2)
    assert res.objective == 2700 and res.ids("kept") == ["fi1", "sv1"]
    m = res.metrics["optimised"]
    # mean 2700 / 200 = 13.5; worst sv A 40; within 30 (fi C at exactly 30.0 counts): 200 - 10 = 190
    assert (m["mean_min"], m["max_min"], m["pop_within_T"], m["share_within_T"]) == (13.5, 40, 190, 0.95)
    with pytest.raises(OptimisationError,  # one point cannot serve both
                       match=r"infeasible with k = 1 .* raise k or relax the constraints"):
        optimise_network(tiny, "pmedian", "social_walkin", "all", k=1)


# --- maximal covering --------------------------------------------------------------------------

def test_mclp_counts_residents_at_exactly_t_minutes_as_covered(tiny):
    # T = 10, k = 2: {k1,k2}: A 5, B 10.0, C 10.0 -> 200 within; {k1,k3}: A, C -> 150;
    # {k2,k3}: B, C -> 100. With "< T" instead of "<= T", {k1,k3} would win with 150.
    res = optimise_network(tiny, "mclp", "kela", k=2, max_minutes=10)
    assert res.ids("kept") == ["k1", "k2"] and res.objective == 200
    assert res.metrics.loc["pop_within_T"].tolist() == [200, 200]
    assert "200 residents within 10 min (100.0%)" in res.objective_label


def test_mclp_one_point(tiny):
    # T = 15, k = 1: k1 covers A (5) + B (15.0) = 150; k2 B + C = 100; k3 C = 50 (B at 20)
    res = optimise_network(tiny, "mclp", "kela", k=1, max_minutes=15)
    assert res.ids("kept") == ["k1"] and res.objective == 150
    assert res.metrics.loc["pop_within_T", "optimised"] == 150
    assert res.metrics.loc["share_within_T", "optimised"] == 0.75  # 150 / 200


def test_mclp_prefers_an_existing_point_only_in_a_tie(tiny):
    # T = 5, k = 1, candidates today's points and postal points at A, B, C (min 50 residents):
    # k1 covers A (5.0) = 100, postal A covers A = 100 (B at 20): a tie, so today's k1 stays
    res = optimise_network(tiny, "mclp", "kela", k=1, max_minutes=5, candidates=("existing", "postal"),
                           min_postal_pop=50)
    assert res.ids("kept") == ["k1"] and res.ids("opened") == [] and res.objective == 100
    # T = 4: k1 (5 min) covers no one, postal A covers A (100): coverage wins over the preference
    res = optimise_network(tiny, "mclp", "kela", k=1, max_minutes=4, candidates=("existing", "postal"),
                           min_postal_pop=50)
    assert res.ids("opened") == ["opt_kela_postal_A"] and res.objective == 100
    assert res.ids("closed") == ["k1", "k2", "k3"]


def test_zero_demand_weights_are_rejected_by_the_solver():
    cost = np.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(OptimisationError, match="weights must be positive"):
        solve("pmedian", cost, np.array([1.0, 0.0]), k=1)


# --- the scenario written from a result ------------------------------------------------------

def test_scenario_closes_the_points_not_kept(tiny):
    res = optimise_network(tiny, "pmedian", "kela", k=2, name="two kela")
    assert res.scenario.name == "two kela"
    assert [dict(c) for c in res.scenario.changes] == [{"close": ["k2"]}]
    applied = apply_scenario(tiny, res.scenario)
    assert set(applied.points["id"]) == {"k1", "k3", "fi1", "sv1"}


def test_scenario_opens_the_added_point_at_its_location(tiny):
    # add up to 1 new point, T = 5: today A (k1, 5.0) and C (k3, 0) are within = 150;
    # a postal point at B adds B's 50 -> 200 (at A or C it adds nothing and is not opened)
    res = optimise_network(tiny, "add", "kela", k=1, max_minutes=5, candidates=("postal",),
                           min_postal_pop=50)
    assert res.ids("opened") == ["opt_kela_postal_B"] and res.objective == 200
    assert res.ids("kept") == ["k1", "k2", "k3"]
    assert res.metrics.loc["pop_within_T"].tolist() == [150, 200]
    (change,) = [dict(c) for c in res.scenario.changes]
    op = change["open"]
    assert op["id"] == "opt_kela_postal_B" and op["category"] == "kela"
    assert op["municipality_code"] == "091"
    site = res.sites.set_index("id").loc["opt_kela_postal_B"]
    assert (op["lon"], op["lat"]) == pytest.approx((site["lon"], site["lat"]))
    applied = apply_scenario(tiny, res.scenario)
    new = applied.points.set_index("id").loc["opt_kela_postal_B"].geometry
    assert new.distance(Point(X0 + 2000, Y0)) < 1.0  # metres: back at B after the WGS84 round trip
    assert res.scenario.base["mode"] == "walk" and res.scenario.base["demand"] == "postal"


def test_objective_value_by_hand():
    cost = np.array([[5.0, 30.0], [15.0, 10.0]])
    w = np.array([100.0, 50.0])
    both = np.array([True, True])
    assert objective_value("pmedian", cost, w, both) == 100 * 5 + 50 * 10
    assert objective_value("pcenter", cost, w, both) == 10
    assert objective_value("mclp", cost, w, np.array([False, True]), max_minutes=10) == 50
    assert objective_value("lscp", cost, w, both) == 2


def test_a_new_site_for_a_need_with_walk_in_and_appointment_gets_the_walk_in_category(tiny):
    # social_any for fi accepts fi_appointment and fi_walkin: a proposed point is a walk-in one
    s = candidate_sites(tiny, "social_any", "fi", kinds=("postal",), min_postal_pop=51)
    assert s["category"].tolist() == ["fi_walkin"] and s["id"].tolist() == ["opt_fi_walkin_postal_A"]


@pytest.fixture(scope="module")
def three_towns(tiny):
    # the same study with B labelled Espoo (049, area S2) and C Vantaa (092, area S3); every point
    # stays in Helsinki, so neither town nor area has a candidate site
    import dataclasses

    units = tiny.units.copy()
    units["municipality_code"] = ["091", "049", "092", "091"]
    units["service_area"] = ["S", "S2", "S3", "S"]
    return dataclasses.replace(tiny, units=units)


@pytest.mark.parametrize("per, missing", [("municipality", "2 municipality(s)"),
                                          ("service_area", "2 service area(s)")])
def test_at_least_one_per_area_notes_the_areas_without_a_candidate(three_towns, per, missing):
    res = optimise_network(three_towns, "pmedian", "kela", k=2, per=per)
    assert res.ids("kept") == ["k1", "k3"]  # only Helsinki's group applies: the same as without it
    where = "Espoo, Vantaa" if per == "municipality" else "S2, S3"
    (note,) = res.notes
    assert note.startswith(f"no candidate site in {missing}, so the at-least-one constraint could not "
                           f"apply there: {where} (add --candidates centres)")
    assert f"at least one point per {per.replace('_', ' ')} (1 groups)" in res.report


def test_report_states_the_demand_candidates_constraints_and_changes(tiny):
    # p-median, k = 2 (worked out above): keep k1 (A 100 + B 50) and k3 (C 50), close k2
    # the defaults are the p-median for Kela and both language groups together
    lines = optimise_network(tiny, k=2).report.splitlines()
    assert lines[0] == "## Optimised network: p-median - Kela office, group all"
    assert lines[3].endswith("demand: 3 units, 200 residents optimised (left out: 10 unlocated, "
                             "0 unreachable).")
    assert lines[4] == "Candidates: 3 (3 existing, 0 municipal centres, 0 postal-area points)."
    assert lines[5] == "Constraints: none."
    for row in ["| points | 3 | 2 |", "| worst travel time, min | 10.0 | 15.0 |",
                "| residents within 30 min | 200 | 200 |", "| share within 30 min | 100.0% | 100.0% |",
                "| residents without a point serving them | 0 | 0 |",
                "Kept (2):", "- k1: point k1 (Helsinki), serves 150 (today 100)",
                "- k3: point k3 (Helsinki), serves 50 (today 50)",
                "Closed (1):", "- k2: point k2 (Helsinki), served 50 today", "Opened (0):"]:
        assert row in lines


def test_points_of_today_that_are_not_candidates_are_closed(tiny):
    # max coverage, T = 4, k = 1 among the postal points only (A, B, C at 0 min from their area):
    # postal A covers A's 100, B or C 50 -> open postal A; today's k1, k2, k3 are not candidates
    res = optimise_network(tiny, "mclp", "kela", k=1, max_minutes=4, candidates=("postal",),
                           min_postal_pop=50)
    assert res.ids("opened") == ["opt_kela_postal_A"] and res.ids("closed") == ["k1", "k2", "k3"]
    assert res.params["candidates"] == ["postal"] and res.params["min_postal_pop"] == 50
    closed = res.sites.set_index("id").loc[["k1", "k2", "k3"]]
    assert closed["pop_served"].tolist() == [0, 0, 0]
    assert closed["pop_served_today"].tolist() == [100, 50, 50]  # A -> k1, B -> k2 (10), C -> k3 (0)
    assert [dict(c) for c in res.scenario.changes][0] == {"close": ["k1", "k2", "k3"]}


def test_an_unknown_solver_is_refused_by_name(tiny):
    with pytest.raises(OptimisationError, match="solver 'NOPE' is not available"):
        optimise_network(tiny, "pmedian", "kela", k=2, solver="NOPE")
