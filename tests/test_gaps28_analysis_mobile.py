"""Issue 28, round 2: mobile units at their boundaries (planner/analysis/mobile.py and
planner/optimise/mobile.py).

Each malformed unit names the file, the change and the field; the stop optimiser's own checks,
limits and schedule are pinned on small hand-made instances whose answers are worked out below.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from planner.analysis.mobile import (
    load_mobile_units,
    parse_mobile,
    parse_remote_share,
    stops_table,
    tour_order,
    with_mobile_units,
)
from planner.analysis.scenario import parse_scenario
from planner.errors import ScenarioError
from planner.optimise import OptimisationError
from planner.optimise.mobile import optimise_mobile, schedule, solve_mobile
from planner.settings import DEFAULT_SETTINGS

_STOP = {"id": "s1", "name": "Stop 1", "at_centre": "407",
         "schedule": [{"day": "tue", "start": "09:00", "end": "15:00"}]}


def _unit(**over):
    return {"id": "bus", "name": "Bus", "categories": ["fi_walkin"], "stops": [dict(_STOP)], **over}


def _fails(arg, field, match):
    with pytest.raises(ScenarioError) as exc:
        parse_mobile(arg, "units.yaml", 3)
    assert re.match(match, exc.value.reason), exc.value.reason  # the message itself, from its start
    assert (exc.value.file, exc.value.row, exc.value.field) == ("units.yaml", 3, field)


def test_a_malformed_unit_names_file_change_and_field():
    _fails(["bus"], "mobile", "mobile takes a mapping: id, name, categories, stops")
    _fails(_unit(id=""), "id", "mobile needs 'id' \\(text\\)")
    _fails(_unit(id="  "), "id", "mobile needs 'id'")
    _fails(_unit(name=7), "name", "mobile needs 'name' \\(text\\)")
    _fails(_unit(categories=[]), "categories", "mobile needs 'categories': the categories it serves")
    _fails(_unit(categories=None), "categories", "mobile needs 'categories'")
    _fails(_unit(categories=["fi_walkin", "fi_walkin"]), "categories", "a category is listed twice")
    _fails(_unit(stops=[]), "stops", "mobile needs 'stops': a list of at least one stop")
    _fails(_unit(stops={"s1": _STOP}), "stops", "mobile needs 'stops'")
    _fails(_unit(stops=[dict(_STOP), "s2"]), "stops[1]",
           "each stop is a mapping: id, name, location, schedule")
    _fails(_unit(stops=[{**_STOP, "colour": "red"}]), "stops[0].colour", "unknown key 'colour' for a stop")
    _fails(_unit(colour="red"), "colour", "unknown key 'colour' for mobile")
    _fails(_unit(stops=[dict(_STOP), dict(_STOP)]), "stops[1].id",
           "id 's1' is used twice in this mobile unit")
    _fails(_unit(stops=[{**_STOP, "id": "bus"}]), "stops[0].id", "id 'bus' is used twice")
    _fails(_unit(stops=[{**_STOP, "schedule": ["tue"]}]), "stops[0].schedule[0]",
           "each visit is a mapping with exactly day, start and end")
    _fails(_unit(stops=[{**_STOP, "schedule": [{"day": "tue", "start": "09:00"}]}]),
           "stops[0].schedule[0]", "each visit is a mapping with exactly day, start and end")


def test_a_well_formed_unit_keeps_its_categories_and_a_single_category_text_is_a_list():
    out = parse_mobile(_unit(categories="fi_walkin"), "units.yaml", 1)
    assert out["id"] == "bus" and out["name"] == "Bus" and out["categories"] == ["fi_walkin"]
    (stop,) = out["stops"]
    assert stop["id"] == "s1" and stop["at_centre"] == "407" and "category" not in stop
    assert stop["schedule"] == [{"day": "tue", "start": "09:00", "end": "15:00"}]
    # two categories, both kept in order
    two = parse_mobile(_unit(categories=["fi_walkin", "sv_walkin"]), "units.yaml", 1)
    assert two["categories"] == ["fi_walkin", "sv_walkin"]


def test_visits_on_different_days_at_the_same_hours_do_not_overlap():
    sched = [{"day": "tue", "start": "09:00", "end": "12:00"},
             {"day": "wed", "start": "09:00", "end": "12:00"}]
    out = parse_mobile(_unit(stops=[{**_STOP, "schedule": sched}]), "u.yaml", 1)
    assert out["stops"][0]["schedule"] == sched
    # one minute of overlap on the same day is refused and names the later visit
    bad = [{"day": "tue", "start": "09:00", "end": "12:00"}, {"day": "tue", "start": "11:59", "end": "13:00"}]
    _fails(_unit(stops=[{**_STOP, "schedule": bad}]), "stops[0].schedule[1]",
           "the visit overlaps visit 0 of the same stop on tue")


def test_remote_share_must_be_a_mapping_and_none_is_no_share():
    assert parse_remote_share(None, "s.yaml") == {}
    assert parse_remote_share({"kela": 1}, "s.yaml") == {"kela": 1.0}
    with pytest.raises(ScenarioError, match=": remote_share must be a mapping need: share") as exc:
        parse_remote_share([0.5], "s.yaml")
    assert exc.value.file == "s.yaml" and exc.value.field == "remote_share"
    with pytest.raises(ScenarioError, match=": unknown need 'kelaa'") as exc:
        parse_remote_share({"kelaa": 0.5}, "s.yaml")
    assert exc.value.field == "remote_share.kelaa"


def test_stops_table_and_tour_order_without_mobile_columns():
    pts = pd.DataFrame({"id": ["a", "b"]})
    assert stops_table(pts).empty and list(stops_table(pts).columns) == ["id"]
    stops = pd.DataFrame({"mobile_unit": ["u", "u"], "stop_id": ["x", "y"]})
    assert tour_order(stops) is stops
    # one row per stop: a stop serving two categories is two points but one stop; fixed points drop out
    pts = pd.DataFrame({"mobile_unit": ["u", "u", "u", "", None],
                        "stop_id": ["x", "x", "y", "", None], "category": ["a", "b", "a", "a", "a"]})
    assert stops_table(pts)["stop_id"].tolist() == ["x", "y"]
    # by unit, then the first visit of the week; a stop without a visit time goes last
    st = pd.DataFrame({"mobile_unit": ["v", "u", "u", "u"], "stop_id": ["a", "b", "c", "d"],
                       "first_visit_min": [0.0, np.nan, 2000.0, 10.0]})
    assert tour_order(st)["stop_id"].tolist() == ["d", "c", "b", "a"]


def test_a_units_file_is_one_key_with_a_list(tmp_path):
    p = tmp_path / "units.yaml"
    p.write_text("mobile_units: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=": mobile_units must be a list of at least one unit") as exc:
        load_mobile_units(p)
    assert exc.value.file == str(p) and exc.value.field == "mobile_units"
    p.write_text("units: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=": a mobile-units file is a mapping with one key, mobile_units"):
        load_mobile_units(p)
    p.write_text("mobile_units:\n  - id: bus\n    name: Bus\n    categories: [fi_walkin]\n    stops:\n"
                 "      - {id: s1, name: S, at_centre: '407', schedule: [{day: tue, start: '09:00', "
                 "end: '10:00'}]}\n  - id: bus2\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_mobile_units(p)
    assert exc.value.row == 2 and exc.value.field == "name"  # entries counted from 1


def test_no_units_leaves_the_scenario_as_it_is_and_units_are_appended_with_their_source():
    sc = parse_scenario({"name": "t", "description": "Base.", "changes": [{"close": "x"}]}, "s.yaml")
    assert with_mobile_units(sc, []) is sc
    unit = parse_mobile(_unit(), "units.yaml", 1)
    out = with_mobile_units(sc, [unit, unit], "units.yaml")
    assert out.changes[1:] == ({"mobile": unit}, {"mobile": unit})
    assert out.description == "Base. Mobile units added from units.yaml."
    assert out.change_sources[2] == ("units.yaml", 1) and out.change_sources[3] == ("units.yaml", 2)
    assert with_mobile_units(sc, [unit]).description == "Base. Mobile units added."
    assert with_mobile_units(sc, [unit]).change_sources[2] == ("<mobile units>", 1)


# ------------------------------------------------------------------ the stop optimiser


def _line():
    """Sites on a road at minutes 0 (A), 10 (B), 20 (C), 100 (D); row i is within 30 min of site i only:
    A 100, B 50, C 30, D 90 residents, nobody served today."""
    x = np.array([0.0, 10.0, 20.0, 100.0])
    places = np.abs(x[:, None] - x[None, :])
    cost = np.full((4, 4), 99.0)
    np.fill_diagonal(cost, 10.0)
    return cost, np.array([100.0, 50.0, 30.0, 90.0]), np.full(4, 45.0), places


def test_the_optimiser_refuses_inconsistent_arrays_clearly():
    cost, w, today, places = _line()
    with pytest.raises(OptimisationError, match="^--threshold must be > 0 minutes, got 0"):
        solve_mobile(cost, w, today, places, 1, 100.0, 0.0)
    with pytest.raises(OptimisationError, match="^no candidate sites for the stops"):
        solve_mobile(np.zeros((4, 0)), w, today, np.zeros((0, 0)), 1, 100.0, 30.0)
    with pytest.raises(OptimisationError, match="^weights and today's times need one value per demand row"):
        solve_mobile(cost, w[:3], today, places, 1, 100.0, 30.0)
    with pytest.raises(OptimisationError, match="^weights and today's times need one value per demand row"):
        solve_mobile(cost, w, today[:3], places, 1, 100.0, 30.0)
    with pytest.raises(OptimisationError,
                       match=r"^the driving-time matrix must be 5 x 5 \(candidates \+ depot\), got \(4, 4\)"):
        solve_mobile(cost, w, today, places, 1, 100.0, 30.0, depot=True)
    with pytest.raises(OptimisationError,
                       match=r"^the driving-time matrix must be 4 x 4 \(candidates\), got \(3, 3\)"):
        solve_mobile(cost, w, today, places[:3, :3], 1, 100.0, 30.0)
    # k equal to the number of sites is allowed: all four, tour 0 -> 100 -> 0 = 200 min
    sol = solve_mobile(cost, w, today, places, 4, 200.0, 30.0)
    assert sol.covered == 270 and sol.tour.minutes == 200 and sol.optimal


def test_the_search_limit_returns_the_greedy_set_not_proven_optimal():
    cost, w, today, places = _line()
    # M = 150: the greedy start takes A (100), then D is too far (200 min), B (50): {A, B} = 150, the
    # optimum. With no covering solve allowed the answer is that set, but not proven.
    capped = dataclasses.replace(DEFAULT_SETTINGS, mobile_max_iterations=0)
    sol = solve_mobile(cost, w, today, places, 2, 150.0, 30.0, settings=capped)
    assert set(sol.stops) == {0, 1} and sol.covered == 150 and not sol.optimal and sol.iterations == 0
    assert sol.status == ("stopped at the limit (0 covering solves): best set found, not proven optimal")
    # the bound is what every unserved resident reachable by a stop adds up to: 270
    assert sol.bound == 270
    # a time limit of 0 s stops the same way
    sol = solve_mobile(cost, w, today, places, 2, 150.0, 30.0, time_limit=0.0)
    assert sol.status.startswith("stopped at the limit (0 covering solves)") and not sol.optimal
    # without a limit it is proven in one covering solve after the greedy start... or more
    sol = solve_mobile(cost, w, today, places, 2, 150.0, 30.0)
    assert sol.optimal and sol.bound == 150 and sol.iterations >= 1


def test_the_greedy_start_alone_is_optimal_when_it_covers_everyone_reachable():
    cost, w, today, places = _line()
    sol = solve_mobile(cost, w, today, places, 2, 200.0, 30.0, settings=dataclasses.replace(
        DEFAULT_SETTINGS, mobile_max_iterations=0))
    # {A, D} = 190 of 270: not everyone, so the greedy does not prove it; with 4 stops it does
    assert not sol.optimal
    sol = solve_mobile(cost, w, today, places, 4, 200.0, 30.0)
    assert sol.optimal and sol.iterations == 0
    assert sol.status == "Optimal (the greedy set covers every resident a stop can reach)"


def test_a_schedule_may_end_exactly_at_midnight_but_not_later():
    assert schedule("23:00", 60, []) == [("23:00", "24:00")]
    with pytest.raises(OptimisationError,
                       match="^the schedule runs past midnight at stop 1: fewer stops, a shorter --stop-min"):
        schedule("23:00", 61, [])
    # the second stop starts after 60 + 1 min and would end at 24:01
    with pytest.raises(OptimisationError, match="^the schedule runs past midnight at stop 2: "):
        schedule("22:00", 60, [0.5])
    # a whole-minute leg is not rounded up: 30.0 -> 30 min; 0.01 -> 1 min
    assert schedule("08:05", 10, [30.0, 0.01]) == [("08:05", "08:15"), ("08:45", "08:55"), ("08:56", "09:06")]


@pytest.mark.parametrize("kw, match", [
    ({"day": "someday"}, r"--day 'someday': expected one of \['mon', "),
    ({"stop_min": 0}, "--stop-min must be at least 1 minute, got 0"),
    ({"k": 0}, "--stops must be at least 1, got 0"),
    ({"max_route_min": 0.0}, "--max-route-min must be > 0 minutes, got 0"),
    ({"candidates": ()}, r"no candidate sites for social_walkin \(sv\) with candidates \[\]"),
    ({"depot": "porvoo"}, r"--depot: unknown point id 'porvoo' \(did you mean \["),
])
def test_optimise_mobile_refuses_bad_requests(study, kw, match):
    args = {"k": 2, "max_route_min": 240.0, **kw}
    k, m = args.pop("k"), args.pop("max_route_min")
    with pytest.raises(OptimisationError, match="^" + match):
        optimise_mobile(study, "social_walkin", "sv", k, m, **args)


def test_the_report_and_scenario_follow_the_tour_from_the_depot(study):
    """Two Swedish walk-in stops from the Porvoo depot on a Friday, 30 min at each stop: the legs,
    the times, the report's rows and the scenario's text all follow the one tour."""
    import math

    import yaml

    from planner.optimise.mobile import mobile_yaml

    depot = "asp_sv_porvoo_sosiaalipaivystys"
    res = optimise_mobile(study, "social_walkin", "sv", 2, 240.0, candidates=("centres",), day="FRI",
                          stop_min=30, depot=depot)
    sol, st = res.solution, res.stops
    assert res.params["day"] == "fri" and res.params["stop_min"] == 30 and res.params["threshold"] == 30.0
    assert res.params["categories"] == ["sv_walkin"] and res.params["depot"] == depot
    assert sol.tour.order[0] == 26 and len(sol.tour.order) == 3  # 26 candidate centres, the depot last
    # the tour is the depot's leg to the first stop plus each stop's drive to the next (the last: home)
    report = res.report.splitlines()
    (depot_row,) = [x for x in report if x.startswith("| 0 | depot ")]
    first_leg = float(depot_row.split(" | ")[-2])
    assert first_leg + st["drive_to_next_min"].sum() == pytest.approx(sol.tour.minutes, abs=0.06)
    assert f"leave {math.ceil(first_leg - 0.05)} min before" in depot_row or \
        f"leave {math.ceil(first_leg + 0.05)} min before" in depot_row
    assert "| Porvoo |" in depot_row
    # 09:00-09:30 at the first stop, then the leg rounded up to whole minutes
    gap = math.ceil(st["drive_to_next_min"].iloc[0] - 1e-9)
    start2 = 9 * 60 + 30 + gap
    assert st["arrive"].tolist() == ["09:00", f"{start2 // 60:02d}:{start2 % 60:02d}"]
    assert st["depart"].tolist() == ["09:30", f"{(start2 + 30) // 60:02d}:{(start2 + 30) % 60:02d}"]
    assert st["stop_id"].tolist() == ["mobile_opt_1", "mobile_opt_2"]
    # each stop's residents within T are among the newly covered; the total counts each resident once
    assert (st["pop_within_T"] <= sol.covered).all() and sol.covered <= st["pop_within_T"].sum()
    assert sol.covered <= res.unserved
    assert f"Newly within 30 min: {sol.covered:,.0f} residents ({sol.covered / res.unserved:.1%} of those " \
        f"not served today); best possible (bound): {sol.bound:,.0f}." in report
    assert f"Demand: {res.unserved:,.0f} residents not within 30 min today (left out: 0 unlocated). " \
        "Candidates: 26 sites (centres). Unit serves: sv_walkin." in report
    assert report[0] == "## Mobile unit stops - Adult social services, walk-in, in own language, group sv"
    assert report[2].endswith(f"closed driving tour <= 240 min from and back to {depot} "
                              "(Social- och krisjouren i Östra Nyland (Borgå)).")
    assert "| # | stop | site | municipality | fri | drive to next, min | residents within 30 min |" in report
    assert any(x.endswith("Optimality proven: yes.") for x in report) and sol.optimal
    for i, r in enumerate(st.itertuples(), start=1):
        assert (f"| {i} | mobile_opt_{i} | {r.label} | ") in res.report
        assert f"| {r.arrive}-{r.depart} | {r.drive_to_next_min:.1f} | {r.pop_within_T:,.0f} |" in res.report
    # the scenario: same stops, same times, the same day; codes and times stay text in YAML
    sc = res.scenario
    assert sc["name"] == "Optimised mobile unit social_walkin (sv): 2 stops, tour <= 240 min"
    assert sc["base"] == {"demand": "postal", "mode": "drive"}
    assert f"Driving tour {sol.tour.minutes:.1f} min from and back to {depot} (leaves " in sc["description"]
    assert "(limit 240 min), stops 30 min each on fri." in sc["description"]
    assert sc["description"].startswith(
        "2 stops of a mobile unit for social_walkin (sv) chosen to cover the most residents not within "
        f"30 min of a fixed point: {sol.covered:,.0f} newly within 30 min.")
    (change,) = sc["changes"]
    unit = change["mobile"]
    assert unit["name"] == "Mobile unit (social_walkin, sv)" and unit["categories"] == ["sv_walkin"]
    back = yaml.safe_load(mobile_yaml(sc))["changes"][0]["mobile"]["stops"]
    assert [b["schedule"] for b in back] == [[{"day": "fri", "start": a, "end": d}]
                                            for a, d in zip(st["arrive"], st["depart"], strict=True)]
    assert [b["at_centre"] for b in back] == st["municipality_code"].tolist()
    assert all(isinstance(b["at_centre"], str) for b in back)


def test_when_everyone_is_served_today_the_unit_gains_nobody_and_says_so(study):
    # Kela: any office will do; within 10,000 min of one everybody is served, so no stop adds anyone
    res = optimise_mobile(study, "kela", "all", 1, 240.0, threshold=10000, candidates=("centres",))
    assert res.unserved == 0 and res.newly_covered == 0 and res.solution.covered == 0
    assert res.solution.optimal and res.solution.bound == 0
    report = res.report.splitlines()
    assert "Demand: 0 residents not within 10000 min today (left out: 0 unlocated). " in report[4]
    (line,) = [x for x in report if x.startswith("Newly within 10000 min: 0 residents (")]
    assert "0.0%" not in line  # 0 of 0 is no share, not a measured 0 %
    assert res.stops["pop_within_T"].tolist() == [0.0]


def test_tours_respect_one_way_legs_and_say_when_no_tour_exists():
    from planner.optimise.tour import exact_tour, heuristic_tour, rotate, tour_length

    inf = np.inf
    # three places; 0 -> 1 has no route, so the only tours run 0 -> 2 -> 1 -> 0: 4 + 6 + 5 = 15 min
    t = np.array([[0.0, inf, 4.0], [5.0, 0.0, 1.0], [2.0, 6.0, 0.0]])
    ex = exact_tour(t, [0, 1, 2])
    assert ex.order == (0, 2, 1) and ex.minutes == 15.0 and ex.exact
    assert ex.method == "MILP (Miller-Tucker-Zemlin)"
    heur = heuristic_tour(t, [0, 1, 2])
    assert not heur.exact and heur.minutes == tour_length(t, heur.order) == 15.0
    # nothing leads into place 2: no closed tour at all, and that is proven (infeasible), not a time
    t2 = t.copy()
    t2[:, 2] = inf
    t2[2, 2] = 0.0
    none = exact_tour(t2, [0, 1, 2])
    assert none.minutes == inf and none.exact and none.method == "MILP (no tour)"
    # one place: 0 min; two: there and back, whichever way round
    assert exact_tour(t, [1]).minutes == 0.0 and exact_tour(t, [1]).method == "direct"
    assert exact_tour(t, [0, 2]).minutes == 6.0 and heuristic_tour(t, [2, 0]).minutes == 6.0
    assert tour_length(t, [0, 1]) == inf
    assert rotate((3, 1, 2), 2) == (2, 3, 1) and rotate((3, 1, 2), 3) == (3, 1, 2)


def test_the_covering_milp_beats_the_greedy_start_and_says_how_it_proved_it():
    # rows x 6, y 6, z 5, u 5 residents; site 0 reaches x and y (12), site 1 x and z (11),
    # site 2 y and u (11).
    # Greedy: site 0 (12), then site 1 or 2 (+5) = 17; the best pair is sites 1 and 2: all 22
    cost = np.array([[10.0, 10.0, 99.0], [10.0, 99.0, 10.0], [99.0, 10.0, 99.0], [99.0, 99.0, 10.0]])
    w = np.array([6.0, 6.0, 5.0, 5.0])
    today = np.full(4, np.inf)
    near = np.zeros((3, 3))
    sol = solve_mobile(cost, w, today, near, 2, 60.0, 30.0)
    assert set(sol.stops) == {1, 2} and sol.covered == 22 and sol.bound == 22 and sol.optimal
    assert sol.status == "Optimal (the best-covering remaining set has a short enough tour)"
    assert sol.iterations == 1
    # sites 1 and 2 are 40 min apart (80 min there and back) with a 60-min limit: the pair is cut and
    # the greedy 17 is proven best
    far = np.array([[0.0, 10.0, 10.0], [10.0, 0.0, 40.0], [10.0, 40.0, 0.0]])
    sol = solve_mobile(cost, w, today, far, 2, 60.0, 30.0)
    assert sol.covered == 17 and 0 in sol.stops and sol.optimal and sol.bound == 17
    assert sol.status == "Optimal (no set covers more than the best feasible one)"
    assert sol.iterations == 2 and sol.tour.minutes == 20.0


def test_no_feasible_set_says_none_exists_in_full():
    cost, w, today, places = _line()
    with pytest.raises(OptimisationError) as exc:
        solve_mobile(cost, w, today, places, 3, 39.0, 30.0)
    assert str(exc.value) == ("no set of 3 stops found whose driving tour is within --max-route-min 39 "
                              "(none exists: every set's tour is longer): allow a longer tour or fewer stops")
