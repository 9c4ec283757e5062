"""Seed-29 survivors in planner/optimise/ that still had no test, on the hand-made `tiny` study
(tests/conftest.py: A, B, C on a line east of central Helsinki; minutes = metres / 100).

    point  category    A    B    C   (minutes; residents A 100, B 50, C 50)
    k1     kela        5   15   35
    k2     kela       30   10   10
    k3     kela       40   20    0
    fi1    fi_walkin  10   10   30
    sv1    sv_walkin  40   20    0
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.optimise import OptimisationError, optimise_network
from planner.optimise.mobile import optimise_mobile
from planner.optimise.solver import _pcenter_upper_bound

# --- optimise.mobile: the solver asked for is the one used (seed 29, optimise_mobile_176) ------------

def test_a_mobile_unit_is_placed_with_the_solver_asked_for(tiny):
    res = optimise_mobile(tiny, "kela", "all", 1, 240.0, solver="PULP_CBC_CMD")
    assert res.solution.solver == "CBC via PuLP"
    assert "Solver: CBC via PuLP; " in res.report


def test_a_mobile_unit_with_an_unknown_solver_is_refused_by_name(tiny):
    with pytest.raises(OptimisationError) as exc:
        optimise_mobile(tiny, "kela", "all", 1, 240.0, solver="GUROBI")
    assert str(exc.value).startswith("solver 'GUROBI' is not available; available: [")


# --- optimise.run: Swedish-coverage groups are counted (seed 29, _constraint_groups_103) ------------

def test_swedish_coverage_counts_the_bilingual_municipalities_it_could_apply_in(tiny):
    # Helsinki (091) is bilingual and sv1 serves Swedish there: 1 municipality; the other 14 bilingual
    # municipalities of Uusimaa have no candidate here and are named in a note
    res = optimise_network(tiny, "pmedian", "social_walkin", group="all", k=2, swedish_coverage=True)
    assert "Constraints: a Swedish-serving point in every bilingual municipality (1 municipalities)." \
        in res.report.splitlines()
    (note,) = res.notes
    assert note.startswith("no Swedish-serving candidate in 14 bilingual municipality(ies), so the "
                           "Swedish-coverage constraint could not apply there: Espoo, Hanko, Vantaa, ")
    assert note.endswith(", Siuntio (add --candidates centres)") and "Helsinki" not in note


# --- optimise.run: today's points left out of the candidates keep their place (optimise_network_237) ---

def test_todays_points_not_among_the_candidates_are_closed_at_their_own_wgs84_place(tiny):
    # candidates centres only: k1..k3 are not candidates, so they are listed as closed, with lon/lat
    res = optimise_network(tiny, "pmedian", "kela", k=1, candidates=("centres",))
    closed = res.sites[res.sites["change"] == "closed"].set_index("id")
    assert closed.index.tolist() == ["k1", "k2", "k3"]
    wgs = tiny.points.set_index("id").loc[["k1", "k2", "k3"]].geometry.to_crs(4326)
    assert closed["lon"].tolist() == wgs.x.round(6).tolist()
    assert closed["lat"].tolist() == wgs.y.round(6).tolist()
    # k1 is 500 m east of (385 000, 6 672 000) in central Helsinki
    assert closed.loc["k1", "lon"] == pytest.approx(24.936462, abs=1e-6)
    assert closed.loc["k1", "lat"] == pytest.approx(60.168807, abs=1e-6)
    assert "LON" not in res.sites.columns and "LAT" not in res.sites.columns
    assert closed["service_area"].tolist() == ["S", "S", "S"]
    assert closed["pop_served"].tolist() == [0.0, 0.0, 0.0]
    assert closed["pop_served_today"].tolist() == [100.0, 50.0, 50.0]
    assert not closed["selected"].any()


# --- optimise.solver: the p-center bound only swaps to improve (seed 29, _pcenter_upper_bound_103) ---

def test_the_pcenter_bound_makes_no_swap_that_does_not_improve_the_worst_time():
    # one site: a reaches both rows within 1 min, b within 5, c within 9; greedy opens a (worst 1),
    # and every swap is worse, so however many passes are allowed the bound stays 1 min
    cost = np.array([[1.0, 5.0, 9.0], [1.0, 5.0, 9.0]])
    for passes in (1, 2, 3, 100):
        assert _pcenter_upper_bound(cost, 1, np.zeros(3, bool), [], max_passes=passes) == 1.0


def test_the_pcenter_bound_swaps_when_that_lowers_the_worst_time():
    # rows at 0, 4, 6, 10 on a line, sites at 0, 5, 10, k = 2 (cost = distance).
    # greedy: first 5 (worst 5), then 0 or 10 (still worst 5: row 10 or row 0 is 5 min from 5);
    # swapping 5 for the other end gives {0, 10}: rows 4 and 6 at 4 min, worst 4, the optimum
    rows, sites = np.array([0.0, 4.0, 6.0, 10.0]), np.array([0.0, 5.0, 10.0])
    cost = np.abs(rows[:, None] - sites[None, :])
    assert _pcenter_upper_bound(cost, 2, np.zeros(3, bool), [], max_passes=0) == 5.0
    assert _pcenter_upper_bound(cost, 2, np.zeros(3, bool), []) == 4.0


def test_a_mobile_report_with_no_one_unserved_today_says_no_share_not_nan(tiny):
    # every located Kela client is within 30 min of k1..k3 today (5, 10 and 0 min): 0 unserved
    res = optimise_mobile(tiny, "kela", "all", 1, 240.0)
    lines = res.report.splitlines()
    assert "Demand: 0 residents not within 30 min today (left out: 10 unlocated). Candidates: 26 sites " \
           "(centres, postal). Unit serves: kela." in lines
    assert "Newly within 30 min: 0 residents (n/a of those not served today); best possible (bound): 0." \
        in lines
    assert "nan" not in res.report


# --- optimise.run: the report lists up to eight kept ids in full (boundary of the "..." ) -------------

@pytest.fixture(scope="module")
def nine_offices(tiny):
    """`tiny` with nine Kela offices k1..k9 every 500 m east of (385 000, 6 672 000)."""
    import dataclasses

    import geopandas as gpd
    from shapely.geometry import Point

    from planner.traveltime import travel_time_matrix

    ids = [f"k{i}" for i in range(1, 10)]
    points = gpd.GeoDataFrame({"id": ids, "name": [f"office {i}" for i in ids], "category": "kela",
                               "municipality_code": "091", "capacity": np.nan},
                              geometry=[Point(385_000.0 + 500 * i, 6_672_000.0) for i in range(9)], crs=3067)
    return dataclasses.replace(tiny, points=points, ttm=travel_time_matrix(tiny.model, tiny.units, points))


def test_the_report_names_eight_kept_points_in_full_and_shortens_nine(nine_offices):
    eight = [f"k{i}" for i in range(1, 9)]
    res = optimise_network(nine_offices, "pmedian", "kela", k=8, keep=eight)
    assert "Constraints: must keep 8 (k1, k2, k3, k4, k5, k6, k7, k8)." in res.report.splitlines()
    res = optimise_network(nine_offices, "pmedian", "kela", k=9, keep=[*eight, "k9"])
    assert "Constraints: must keep 9 (k1, k2, k3, k4, k5, k6, k7, k8, ...)." in res.report.splitlines()
