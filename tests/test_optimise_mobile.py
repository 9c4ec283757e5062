"""The mobile-unit stop optimiser (issue 14, item 4): brute force on small cases, boundaries, YAML, CLI."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from typer.testing import CliRunner

from planner.cli.main import app
from planner.inputs.safeyaml import load_yaml_file, safe_load
from planner.optimise import OptimisationError
from planner.optimise.mobile import mobile_yaml, optimise_mobile, schedule, solve_mobile, triangle_inequality
from planner.optimise.tour import exact_tour, heuristic_tour, tour_length


def _brute_tour(places: np.ndarray, nodes: list[int]) -> float:
    """Shortest closed tour by trying every order (the first node fixed)."""
    if len(nodes) < 2:
        return 0.0
    return min(tour_length(places, (nodes[0], *p)) for p in itertools.permutations(nodes[1:]))


def _brute(cost, w, today, places, k, limit, t, depot):
    """Best coverage over every k-subset whose exact tour is within the limit (None: no feasible set)."""
    m = cost.shape[1]
    unserved = ~(today <= t)
    best = None
    for s in itertools.combinations(range(m), k):
        nodes = list(s) + ([m] if depot else [])
        if _brute_tour(places, nodes) <= limit + 1e-9:
            cov = float(w[unserved & (cost[:, list(s)] <= t).any(axis=1)].sum())
            best = cov if best is None else max(best, cov)
    return best


def _instance(seed: int, depot: bool, detour: bool = True):
    """5-8 candidates, 10-20 rows, integer coverage minutes (ties happen), driving times either
    plane distances (a metric: the solver's subset cuts apply) or rounded with one-way detours of
    0-5 min (asymmetric, the triangle inequality may fail: only whole-set cuts)."""
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(5, 9)), int(rng.integers(10, 21))
    size = m + 1 if depot else m
    pos = rng.uniform(0, 80, (size, 2))
    places = np.hypot(*(pos[:, None, :] - pos[None, :, :]).transpose(2, 0, 1))
    if detour:
        places = np.round(places + rng.integers(0, 6, (size, size)))
    np.fill_diagonal(places, 0)
    cost = rng.integers(5, 60, (n, m)).astype(float)
    cost[rng.random((n, m)) < 0.1] = np.inf  # some rows cannot use some sites
    w = rng.integers(1, 200, n).astype(float)
    today = rng.integers(10, 70, n).astype(float)
    return cost, w, today, places, m


@pytest.mark.parametrize("detour", [True, False])
@pytest.mark.parametrize("depot", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force_on_random_small_instances(seed, depot, detour):
    cost, w, today, places, m = _instance(seed, depot, detour)
    if not detour:
        assert triangle_inequality(places)
    for k in (1, 2, 3, 4):
        # limits from tight to loose: a quantile of the k-set tours, so the constraint binds
        tours = sorted(_brute_tour(places, list(s) + ([m] if depot else []))
                       for s in itertools.combinations(range(m), k))
        for q in (0.2, 0.6, 1.0):
            limit = max(tours[int(q * (len(tours) - 1))], 1.0)
            want = _brute(cost, w, today, places, k, limit, 30.0, depot)
            if want is None:
                with pytest.raises(OptimisationError, match="no feasible tour|no set of"):
                    solve_mobile(cost, w, today, places, k, limit, 30.0, depot)
                continue
            sol = solve_mobile(cost, w, today, places, k, limit, 30.0, depot)
            assert sol.covered == pytest.approx(want), (seed, k, limit)
            assert sol.optimal
            nodes = list(sol.stops) + ([m] if depot else [])
            assert len(set(sol.stops)) == k
            # the reported tour is the exact shortest through its places, within the limit
            assert sol.tour.minutes == pytest.approx(_brute_tour(places, nodes))
            assert sol.tour.minutes <= limit + 1e-9
            assert sol.tour.minutes == pytest.approx(tour_length(places, sol.tour.order))


def _line():
    """Four sites on a road at minutes 0 (A), 10 (B), 20 (C) and 100 (D), same time both ways."""
    x = np.array([0.0, 10.0, 20.0, 100.0])
    places = np.abs(x[:, None] - x[None, :])
    # row i is reachable within 30 min only from site i: A 100, B 50, C 30, D 90 residents
    cost = np.full((4, 4), 99.0)
    np.fill_diagonal(cost, 10.0)
    w = np.array([100.0, 50.0, 30.0, 90.0])
    today = np.full(4, 45.0)  # nobody within 30 min of a fixed point today
    return cost, w, today, places


def test_tour_limit_binds_and_the_best_feasible_set_wins():
    cost, w, today, places = _line()
    # best coverage with 2 stops: {A, D} = 100 + 90 = 190, tour 0 -> 100 -> 0 = 200 min
    free = solve_mobile(cost, w, today, places, 2, 200.0, 30.0)
    assert set(free.stops) == {0, 3} and free.covered == 190 and free.tour.minutes == 200  # == M is allowed
    # M = 150: {A,D} 200, {B,D} 180, {C,D} 160 are too long; next best {A,B} = 150 residents, tour 20
    sol = solve_mobile(cost, w, today, places, 2, 150.0, 30.0)
    assert set(sol.stops) == {0, 1} and sol.covered == 150 and sol.tour.minutes == 20
    assert sol.optimal and sol.bound == 150


def test_residents_already_within_t_of_a_fixed_point_bring_nothing():
    # row 0: 1000 residents exactly 30.0 min from a fixed point today -> served (<= T), worth 0;
    # row 1: 10 residents at 30.01 min -> not served; site 1 reaches them in exactly 30.0 -> covered
    cost = np.array([[5.0, 99.0], [99.0, 30.0]])
    w = np.array([1000.0, 10.0])
    places = np.zeros((2, 2))
    sol = solve_mobile(cost, w, np.array([30.0, 30.01]), places, 1, 60.0, 30.0)
    assert sol.stops == (1,) and sol.covered == 10
    # with no fixed point at all, site 0 and its 1000 residents win
    sol = solve_mobile(cost, w, np.array([np.inf, np.inf]), places, 1, 60.0, 30.0)
    assert sol.stops == (0,) and sol.covered == 1000


def test_the_depot_enters_the_tour_length():
    # site 0 covers 100, site 1 covers 60; the depot (place 2) is 80 min from site 0 each way,
    # 20 min to site 1 and 25 min back (one-way streets): round trips 160 and 45 min
    cost = np.array([[10.0, 99.0], [99.0, 10.0]])
    w = np.array([100.0, 60.0])
    today = np.full(2, np.inf)
    places = np.array([[0.0, 70.0, 80.0], [70.0, 0.0, 25.0], [80.0, 20.0, 0.0]])
    # without a depot one stop is a 0-min tour: site 0
    assert solve_mobile(cost, w, today, places[:2, :2], 1, 100.0, 30.0).stops == (0,)
    # with it: site 0 needs 160 > 100, so site 1 with 20 + 25 = 45 min, the tour starting at the depot
    sol = solve_mobile(cost, w, today, places, 1, 100.0, 30.0, depot=True)
    assert sol.stops == (1,) and sol.tour.minutes == 45 and sol.tour.order == (2, 1)
    # two stops from the depot: 2 -> 1 -> 0 -> 2 = 20 + 70 + 80 = 170, the other way 80 + 70 + 25 = 175
    sol = solve_mobile(cost, w, today, places, 2, 170.0, 30.0, depot=True)
    assert sol.covered == 160 and sol.tour.minutes == 170 and sol.tour.order == (2, 1, 0)
    with pytest.raises(OptimisationError, match="no feasible tour even for one stop.*45.0 min"):
        solve_mobile(cost, w, today, places, 1, 44.0, 30.0, depot=True)


def test_tours_agree_with_permutations_and_networkx_is_an_upper_bound():
    rng = np.random.default_rng(7)
    times = rng.integers(1, 50, (7, 7)).astype(float)
    np.fill_diagonal(times, 0)
    nodes = [0, 2, 3, 5, 6]
    best = _brute_tour(times, nodes)
    exact = exact_tour(times, nodes)
    assert exact.exact and exact.minutes == pytest.approx(best) and sorted(exact.order) == nodes
    heur = heuristic_tour(times, nodes)
    assert sorted(heur.order) == nodes and heur.minutes >= best - 1e-9


def test_bad_requests_are_clear():
    cost, w, today, places = _line()
    with pytest.raises(OptimisationError, match="--stops must be at least 1"):
        solve_mobile(cost, w, today, places, 0, 100.0, 30.0)
    with pytest.raises(OptimisationError, match="--max-route-min must be > 0"):
        solve_mobile(cost, w, today, places, 2, 0.0, 30.0)
    with pytest.raises(OptimisationError, match="--stops 5 but there are only 4 candidate sites"):
        solve_mobile(cost, w, today, places, 5, 100.0, 30.0)
    # 3 stops on the line: the shortest 3-set tour is {A, B, C} = 40 min
    with pytest.raises(OptimisationError, match="no set of 3 stops.*none exists"):
        solve_mobile(cost, w, today, places, 3, 39.0, 30.0)


def test_schedule_along_the_tour():
    # 60 min at each stop, then the leg rounded up: 09:00-10:00, +12.2 -> 13 min: 10:13-11:13,
    # +30.0 -> 30 min: 11:43-12:43
    assert schedule("09:00", 60, [12.2, 30.0]) == [("09:00", "10:00"), ("10:13", "11:13"),
                                                    ("11:43", "12:43")]
    with pytest.raises(OptimisationError, match="past midnight"):
        schedule("09:00", 600, [10.0])


def test_yaml_on_the_embedded_study(study, tmp_path):
    res = optimise_mobile(study, "social_walkin", "sv", 3, 240.0, candidates=("centres",),
                          depot="asp_sv_porvoo_sosiaalipaivystys", stop_min=45, day="wed")
    doc = safe_load(mobile_yaml(res.scenario), "<test>")
    (change,) = doc["changes"]
    unit = change["mobile"]
    assert unit["id"] == "mobile_opt" and unit["categories"] == ["sv_walkin"]
    assert [s["id"] for s in unit["stops"]] == ["mobile_opt_1", "mobile_opt_2", "mobile_opt_3"]
    codes = set(study.centres["municipality_code"])
    for s in unit["stops"]:
        assert s["at_centre"] in codes and isinstance(s["at_centre"], str) and s["name"].endswith("centre")
    # times laid out along the tour: 45 min at a stop, then the next leg rounded up
    order = res.solution.tour.order  # depot first
    m = len(order) - 1
    legs = [res.stops["drive_to_next_min"].iloc[i] for i in range(m - 1)]
    clock = 9 * 60
    for i, s in enumerate(unit["stops"]):
        (visit,) = s["schedule"]
        assert visit["day"] == "wed"
        assert visit["start"] == f"{clock // 60:02d}:{clock % 60:02d}"
        assert visit["end"] == f"{(clock + 45) // 60:02d}:{(clock + 45) % 60:02d}"
        if i < m - 1:
            clock += 45 + int(np.ceil(legs[i]))
    depot_text = (f"Driving tour {res.solution.tour.minutes:.1f} min from and back to "
                  "asp_sv_porvoo_sosiaalipaivystys")
    assert depot_text in doc["description"]
    assert res.solution.tour.minutes <= 240
    with pytest.raises(OptimisationError, match="unknown point id 'nowhere'"):
        optimise_mobile(study, "social_walkin", "sv", 3, 240.0, candidates=("centres",), depot="nowhere")


def test_the_optimised_unit_evaluates_as_a_scenario(study, baseline):
    """The answer is a scenario the planner reads back (planner/analysis/mobile.py parses the `mobile`
    change) and evaluates: each stop a Swedish walk-in point visited once a week, and the
    residents the optimiser counts as newly within 30 min are within 30 min of a stop."""
    from planner.analysis.scenario import evaluate, parse_scenario

    res = optimise_mobile(study, "social_walkin", "sv", 3, 240.0, candidates=("centres",))
    sc = parse_scenario(safe_load(mobile_yaml(res.scenario), "<test>"), "<test>")
    results, applied = evaluate(study, sc, baseline)
    stops = applied.points[applied.points["mobile_unit"].eq("mobile_opt").fillna(False)]
    assert sorted(stops["stop_id"]) == ["mobile_opt_1", "mobile_opt_2", "mobile_opt_3"]
    assert set(stops["category"]) == {"sv_walkin"} and (stops["visits_per_week"] == 1).all()
    acc = results.access
    sv = acc[(acc["need"] == "social_walkin") & (acc["group"] == "sv")]
    at_stop = sv[sv["point_id"].isin(stops["id"]) & (sv["time_min"] <= 30)]
    assert at_stop["population"].sum() > 0


def test_cli_mobile_writes_the_scenario(tmp_path):
    out = tmp_path / "mobile.yaml"
    result = CliRunner().invoke(app, ["optimise", "--model", "mobile", "--need", "social_walkin", "--group",
                                      "sv", "--stops", "3", "--max-route-min", "240", "--candidates",
                                      "centres", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Optimality proven: yes" in result.output
    doc = load_yaml_file(out)
    assert len(doc["changes"][0]["mobile"]["stops"]) == 3
    bad = CliRunner().invoke(app, ["optimise", "--model", "mobile", "--stops", "0", "--max-route-min", "60"])
    assert bad.exit_code == 2 and "--stops must be at least 1" in bad.output
