"""What an optimisation hands the planner, compared in full on the hand-made `tiny` study
(tests/conftest.py): the report (its solver-timing line aside) and the table of sites with their
change, for one unique answer of each model (worked out in tests/test_gaps28_analysis_optimise.py).

    point  category    A    B    C   (minutes; residents A 100, B 50, C 50; U 10 unlocated)
    k1     kela        5   15   35
    k2     kela       30   10   10
    k3     kela       40   20    0
"""

from __future__ import annotations

import pytest

from planner.optimise import optimise_network

CASES = {
    # p-median k = 2: {k1, k3} 100 x 5 + 50 x 15 + 50 x 0 = 1250 < {k1, k2} 1500 < {k2, k3} 4000
    "pmedian_k2": {"model": "pmedian", "k": 2},
    # p-center k = 1: worst k1 35, k2 30, k3 40 -> k2
    "pcenter_k1": {"model": "pcenter", "k": 1},
    # maximal covering k = 1, T = 15: k1 A + B 150, k2 B + C 100, k3 C 50 -> k1
    "mclp_k1_T15": {"model": "mclp", "k": 1, "max_minutes": 15},
    # set covering T = 10, 95 %: k1 covers A only, k2 B and C, k3 C: only {k1, k2} reaches 190 of 200
    "lscp_T10": {"model": "lscp", "max_minutes": 10},
    # add k = 1, T = 4 with postal candidates: only C is within 4 min today; a point at A adds 100
    "add_k1_T4_postal": {"model": "add", "k": 1, "max_minutes": 4, "candidates": ("postal",),
                         "min_postal_pop": 50},
    # at least one per municipality (Helsinki only) and k3 kept, p-median k = 2
    "pmedian_k2_keep_k3_per_municipality": {"model": "pmedian", "k": 2, "keep": ["k3"],
                                            "per": "municipality"},
}


def _number(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".")


@pytest.mark.parametrize("case", list(CASES))
def test_each_models_report_and_sites_table_in_full(tiny, case, file_regression):
    res = optimise_network(tiny, need="kela", **CASES[case])
    # the solver line carries the seconds the solve took: everything else is compared
    lines = [x for x in res.report.splitlines() if not x.startswith("Solver: ")]
    sites = res.sites.drop(columns="geometry")
    table = sites.to_csv(index=False, float_format=_number, lineterminator="\n")
    metrics = res.metrics.to_csv(float_format=_number, lineterminator="\n")
    text = "\n".join(lines) + "\n\n# sites\n" + table + "\n# metrics\n" + metrics + \
        f"\n# objective\n{_number(res.objective)}\n# excluded\n{res.excluded}\n# notes\n{list(res.notes)}\n"
    file_regression.check(text, basename=case, extension=".txt")


def test_a_mobile_units_report_stops_and_scenario_in_full(tiny, file_regression):
    # T = 4 min: A (5 min from k1) and B (10 from k2) are not served today, 150 residents; two stops at
    # the postal points of A and B reach them all, one closed tour A -> B -> A
    from planner.optimise.mobile import mobile_yaml, optimise_mobile

    res = optimise_mobile(tiny, "kela", "all", 2, 240.0, threshold=4, candidates=("postal",),
                          min_postal_pop=50)
    lines = [x for x in res.report.splitlines() if not x.startswith("Solver: ")]
    stops = res.stops.drop(columns="geometry", errors="ignore")
    text = "\n".join(lines) + "\n\n# stops\n" + stops.to_csv(index=False, float_format=_number,
                                                            lineterminator="\n")
    text += "\n# scenario\n" + mobile_yaml(res.scenario)
    file_regression.check(text, basename="mobile_k2_T4_postal", extension=".txt")


def test_a_mobile_unit_leaving_from_a_depot_says_when_it_leaves(tiny, file_regression):
    # one stop (A's 100 residents beat B's 50), there and back from k2 (x 3000: a tour of two places,
    # so no direction to choose); the unit leaves the depot the first leg's minutes (rounded up)
    # before the stop opens
    from planner.optimise.mobile import mobile_yaml, optimise_mobile

    res = optimise_mobile(tiny, "kela", "all", 1, 240.0, threshold=4, candidates=("postal",),
                          min_postal_pop=50, depot="k2")
    lines = [x for x in res.report.splitlines() if not x.startswith("Solver: ")]
    file_regression.check("\n".join(lines) + "\n\n# scenario\n" + mobile_yaml(res.scenario),
                          basename="mobile_k1_T4_postal_depot_k2", extension=".txt")
    assert " from and back to k2 (leaves " in res.scenario["description"]
