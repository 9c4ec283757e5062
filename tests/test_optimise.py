"""Location-allocation: spopt's answers against brute force on small instances, then the real data.

The brute-force reference enumerates every subset of candidate sites with
itertools and evaluates the objective directly; the solver must reach the same
optimum (the chosen sets may differ where there are ties).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from planner.analysis.scenario import evaluate, load_scenario, parse_scenario, scenario_to_yaml
from planner.cli.main import app
from planner.optimise import (
    OptimisationError,
    candidate_sites,
    objective_value,
    optimise_network,
    solve,
)

# --------------------------------------------------------------------------- small instances


def instance(seed: int, n: int = 8, m: int = 6, forbid: bool = False):
    """Seeded demand points and candidate sites on a 60 x 60 km square; minutes = km."""
    rng = np.random.default_rng(seed)
    dem = rng.uniform(0, 60, (n, 2))
    sites = rng.uniform(0, 60, (m, 2))
    cost = np.round(np.hypot(*(dem[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)), 1)
    w = rng.integers(10, 500, n).astype(float)
    if forbid:  # two language groups: rows 0-2 may only use sites 0-3, rows 3.. only sites 2..
        cost[:3, 4:] = np.inf
        cost[3:, :2] = np.inf
    return cost, w


def subsets(m: int, sizes):
    for r in sizes:
        yield from (np.isin(np.arange(m), c) for c in itertools.combinations(range(m), r))


def feasible(sel, forced=None, groups=()):
    return (forced is None or sel[forced].all()) and all(sel[g].any() for g in groups)


def brute(model, cost, w, sizes, t=None, forced=None, groups=(), best=min):
    values = [objective_value(model, cost, w, s, t) for s in subsets(cost.shape[1], sizes)
              if feasible(s, forced, groups)]
    return best(values)


SEEDS = [0, 1, 2]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_pmedian_matches_brute_force(seed, k):
    cost, w = instance(seed)
    sol = solve("pmedian", cost, w, k=k)
    assert sol.optimal and sol.status == "Optimal" and sol.selected.sum() == k
    assert sol.objective == pytest.approx(brute("pmedian", cost, w, [k]))


@pytest.mark.parametrize("seed", SEEDS)
def test_pmedian_with_forced_groups_and_forbidden_pairs(seed):
    cost, w = instance(seed, forbid=True)
    forced = np.array([False, False, False, False, False, True])
    groups = [np.array([0, 1]), np.array([3, 4])]
    sol = solve("pmedian", cost, w, k=3, forced=forced, groups=groups)
    sel = sol.selected
    assert sel.sum() == 3 and sel[5] and sel[[0, 1]].any() and sel[[3, 4]].any()
    assert np.isfinite(sol.objective)
    assert sol.objective == pytest.approx(brute("pmedian", cost, w, [3], forced=forced, groups=groups))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_pcenter_matches_brute_force_with_weighted_tie_break(seed, k):
    cost, w = instance(seed)
    sol = solve("pcenter", cost, w, k=k)
    worst = brute("pcenter", cost, w, [k])
    assert sol.objective == pytest.approx(worst)
    # among the sets reaching the optimal worst time, the weighted time is minimal
    ties = [objective_value("pmedian", cost, w, s) for s in subsets(cost.shape[1], [k])
            if objective_value("pcenter", cost, w, s) <= worst + 1e-9]
    assert objective_value("pmedian", cost, w, sol.selected) == pytest.approx(min(ties))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("k", "t"), [(1, 20.0), (2, 15.0), (3, 12.0)])
def test_mclp_matches_brute_force(seed, k, t):
    cost, w = instance(seed)
    sol = solve("mclp", cost, w, k=k, max_minutes=t)
    assert sol.selected.sum() == k
    assert sol.objective == pytest.approx(brute("mclp", cost, w, [k], t=t, best=max))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("t", "share"), [(25.0, 1.0), (20.0, 1.0), (15.0, 0.8), (12.0, 0.6), (20.0, 0.9)])
def test_lscp_fewest_points_matches_brute_force(seed, t, share):
    cost, w = instance(seed)
    m = cost.shape[1]

    def reaches(s):
        return objective_value("mclp", cost, w, s, t) >= share * w.sum() - 1e-9

    ok = [s.sum() for s in subsets(m, range(1, m + 1)) if reaches(s)]
    if not ok:
        with pytest.raises(OptimisationError, match="even with all"):
            solve("lscp", cost, w, max_minutes=t, share=share)
        return
    sol = solve("lscp", cost, w, max_minutes=t, share=share)
    assert sol.objective == min(ok) and reaches(sol.selected)
    if share < 1:  # bisection on MCLP: the fewest sites, and among those the most residents covered
        best_cov = max(objective_value("mclp", cost, w, s, t) for s in subsets(m, [min(ok)]))
        assert objective_value("mclp", cost, w, sol.selected, t) == pytest.approx(best_cov)
        assert sol.solves >= 2


@pytest.mark.parametrize("seed", SEEDS)
def test_covering_and_center_models_respect_constraints(seed):
    cost, w = instance(seed, forbid=True)
    forced = np.array([True, False, False, False, False, False])
    groups = [np.array([4, 5])]
    pc = solve("pcenter", cost, w, k=3, forced=forced, groups=groups)
    assert pc.selected[0] and pc.selected[[4, 5]].any() and pc.selected.sum() == 3
    assert pc.objective == pytest.approx(brute("pcenter", cost, w, [3], forced=forced, groups=groups))
    mc = solve("mclp", cost, w, k=2, max_minutes=15, forced=forced, groups=groups)
    assert mc.selected[0] and mc.selected[[4, 5]].any()
    assert mc.objective == pytest.approx(brute("mclp", cost, w, [2], t=15, forced=forced, groups=groups,
                                               best=max))
    sizes = range(1, 7)
    ls = solve("lscp", cost, w, max_minutes=40, share=1.0, forced=forced, groups=groups)
    ok = [s.sum() for s in subsets(6, sizes) if feasible(s, forced, groups)
          and objective_value("mclp", cost, w, s, 40) == w.sum()]
    assert ls.objective == min(ok)


def test_lscp_prefers_existing_sites_in_ties():
    # two sites cover exactly the same rows; the existing one must be chosen
    cost = np.array([[5.0, 5.0, 50.0], [6.0, 6.0, 50.0], [50.0, 50.0, 4.0]])
    w = np.array([10.0, 20.0, 30.0])
    for existing in ([True, False, False], [False, True, False]):
        sol = solve("lscp", cost, w, max_minutes=10, share=1.0, existing=np.array(existing))
        assert sol.objective == 2 and sol.selected[np.array(existing)].all() and sol.selected[2]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_new", "t"), [(1, 12.0), (2, 10.0), (3, 15.0)])
def test_add_points_matches_brute_force(seed, n_new, t):
    cost, w = instance(seed)
    existing = np.array([True, True, False, False, False, False])
    sol = solve("add", cost, w, k=n_new, max_minutes=t, forced=existing, existing=existing)
    sel = sol.selected
    assert sel[existing].all()
    assert (sel & ~existing).sum() <= n_new
    sizes = range(2, 2 + n_new + 1)  # today's two plus up to n_new
    assert sol.objective == pytest.approx(brute("mclp", cost, w, sizes, t=t, forced=existing, best=max))
    # every opened point adds residents ("up to n": useless openings are dropped)
    for j in np.flatnonzero(sel & ~existing):
        less = sel.copy()
        less[j] = False
        assert objective_value("mclp", cost, w, less, t) < sol.objective


@pytest.mark.parametrize("model", ["pmedian", "pcenter", "mclp", "lscp"])
def test_cbc_fallback_agrees_with_highs(model):
    from planner.optimise import available_solver

    cost, w = instance(3, n=12, m=7)
    kw = {"k": 3} if model != "lscp" else {"share": 0.75}
    if model in ("mclp", "lscp"):
        kw["max_minutes"] = 18.0 if model == "mclp" else 25.0
    highs = solve(model, cost, w, solver=available_solver("HiGHS"), **kw)
    cbc = solve(model, cost, w, solver=available_solver("PULP_CBC_CMD"), **kw)
    assert highs.solver.startswith("HiGHS") and cbc.solver.startswith("CBC")
    assert cbc.objective == pytest.approx(highs.objective)


def test_add_with_a_new_site_that_must_open():
    cost, w = instance(1)
    existing = np.array([True, True, False, False, False, False])
    forced = existing | (np.arange(6) == 5)
    sol = solve("add", cost, w, k=2, max_minutes=12, forced=forced, existing=existing)
    assert sol.selected[forced].all() and (sol.selected & ~existing).sum() <= 2
    best = brute("mclp", cost, w, range(3, 5), t=12, forced=forced, best=max)
    assert sol.objective == pytest.approx(best)
    with pytest.raises(OptimisationError, match="must be kept but k = 1"):
        solve("add", cost, w, k=1, max_minutes=12, forced=forced | (np.arange(6) == 4), existing=existing)


def test_hand_worked_pmedian_on_a_line():
    # residents at 0, 1, 10 and 11 km (weights 5, 1, 1, 5); sites at the same places; minutes = km
    x = np.array([0.0, 1.0, 10.0, 11.0])
    cost = np.abs(x[:, None] - x[None, :])
    w = np.array([5.0, 1.0, 1.0, 5.0])
    sol = solve("pmedian", cost, w, k=2)
    assert sol.selected.tolist() == [True, False, False, True]
    assert sol.objective == 2.0  # 1 x 1 km + 1 x 1 km
    one = solve("pmedian", cost, w, k=1)  # one site, at 1 or 10: 5 x 1 + 1 x 0 + 1 x 9 + 5 x 10 = 64
    assert one.objective == 64.0 and one.selected[[1, 2]].sum() == 1


def test_infeasible_and_bad_parameters_are_clear():
    cost, w = instance(0)
    with pytest.raises(OptimisationError, match="fewer than the 2 points"):
        solve("pmedian", cost, w, k=1, forced=np.array([True, True, False, False, False, False]))
    with pytest.raises(OptimisationError, match="infeasible"):
        solve("pmedian", cost, w, k=1, groups=[np.array([0]), np.array([1])])
    with pytest.raises(OptimisationError, match="max_minutes"):
        solve("mclp", cost, w, k=2)
    with pytest.raises(OptimisationError, match="unknown model"):
        solve("median", cost, w, k=2)


# --------------------------------------------------------------------------- embedded data


@pytest.fixture(scope="module")
def study():
    """The bundled network with its placeholders at their municipal centres (issue 11).

    These tests exercise the optimiser's mechanics on a network of realistic size; the
    default study leaves the placeholders out (only 4 located Kela offices remain).
    """
    import warnings

    from planner.analysis.study import load_study
    from planner.errors import PlannerWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        return load_study(include_unlocated=True)


def _check_scenario(study, result):
    sc = result.scenario
    assert parse_scenario(yaml.safe_load(scenario_to_yaml(sc))) == parse_scenario(sc.to_dict())
    res, applied = evaluate(study, sc)
    opened = result.ids("opened")
    closed = result.ids("closed")
    assert set(applied.points["id"]) >= set(opened) | set(result.ids("kept"))
    assert not set(applied.points["id"]) & set(closed)
    assert result.status == "Optimal"
    assert "Objective:" in result.report and "Solver:" in result.report
    return res


REAL_CASES = [
    dict(model="pmedian", k=5),
    dict(model="pcenter", k=4),
    dict(model="mclp", k=4, max_minutes=35),
    dict(model="lscp", max_minutes=45, share=0.95),
    dict(model="add", k=2, max_minutes=35, min_postal_pop=10000),
]


@pytest.mark.parametrize("case", REAL_CASES, ids=[c["model"] for c in REAL_CASES])
def test_each_model_on_the_embedded_data_gives_an_evaluable_scenario(study, case):
    result = optimise_network(study, need="kela", group="all", **case)
    res = _check_scenario(study, result)
    kela = res.access[(res.access["need"] == "kela") & res.access["located"]]
    assert np.isfinite(kela["time_min"]).all()  # everyone still reaches a Kela office
    if case["model"] in ("pmedian", "pcenter", "mclp"):
        assert len(result.ids("kept")) == case["k"] and not result.ids("opened")
    if case["model"] == "add":
        assert not result.ids("closed") and 1 <= len(result.ids("opened")) <= 2
        before = result.metrics.loc["pop_within_T", "today"]
        assert result.objective > before  # the new points gain residents within T
    if case["model"] == "pmedian":  # the solver's objective is what evaluation measures
        mean = result.objective / result.rows["weight"].sum()
        assert (kela["population"] * kela["time_min"]).sum() / kela["population"].sum() == pytest.approx(mean)


def test_constraints_on_the_embedded_data(study):
    result = optimise_network(study, model="pmedian", need="social_any", group="sv", k=17,
                              keep=["asp_sv_helsinki_vuxensocialarbete"], per="service_area",
                              swedish_coverage=True, candidates=("existing", "centres"))
    sites = result.sites
    chosen = sites[sites["selected"]]
    assert "asp_sv_helsinki_vuxensocialarbete" in set(chosen["id"])
    assert set(chosen["service_area"]) == set(study.service_areas["service_area"])
    bilingual = set(study.municipalities.loc[study.municipalities["bilingual"], "municipality_code"])
    assert bilingual <= set(chosen["municipality_code"])
    assert set(chosen["category"]) <= {"sv_walkin", "sv_appointment"}
    opened = [c["open"] for c in result.scenario.changes if "open" in c]
    assert opened and all(o["category"] == "sv_walkin" and "at_centre" in o for o in opened)
    _check_scenario(study, result)


def test_both_language_groups_together(study):
    # social walk-in, both groups: Finnish speakers need a Finnish point, Swedish speakers a Swedish one
    from dataclasses import replace

    from planner.inputs.categories import parse_eligibility

    # the pre-2023 rule (any point): six walk-in points for the whole region are feasible
    study = replace(study, eligibility=parse_eligibility("any"))
    result = optimise_network(study, model="pmedian", need="social_walkin", group="all", k=6,
                              candidates=("existing", "centres"))
    assert set(result.rows["group"]) == {"fi", "sv"}
    chosen = result.sites[result.sites["selected"]]
    assert {"fi_walkin", "sv_walkin"} <= set(chosen["category"])
    res = _check_scenario(study, result)
    acc = res.access[(res.access["need"] == "social_walkin") & (res.access["population"] > 0)]
    assert np.isfinite(acc["time_min"]).all()  # today no Swedish walk-in point exists at all
    mean = (acc["population"] * acc["time_min"]).sum() / acc["population"].sum()
    assert mean == pytest.approx(result.objective / result.rows["weight"].sum())


def test_candidates_and_unlocated_units(study):
    sites = candidate_sites(study, "social_any", "all", ("existing", "centres", "postal"), 8000)
    assert {"existing", "centre", "postal"} == set(sites["kind"])
    new = sites[~sites["existing"]]
    assert set(new["category"]) == {"fi_walkin", "sv_walkin"}  # both languages at every new site
    assert new["id"].str.startswith("opt_").all() and sites["id"].is_unique
    assert sites.crs.to_epsg() == 3067
    # unlocated residents are left out of the optimisation but reported
    units = study.units.copy()
    units.loc[units.index[:3], "located"] = False
    units.loc[units.index[:3], ["x_m", "y_m"]] = np.nan
    from dataclasses import replace

    result = optimise_network(replace(study, units=units), model="pmedian", need="kela", k=3)
    assert result.excluded["pop_unlocated"] == units["pop_total"].iloc[:3].sum() > 0
    assert "unlocated" in result.report


def test_bad_requests_on_the_embedded_data(study):
    with pytest.raises(OptimisationError, match="unknown point id"):
        optimise_network(study, model="pmedian", k=3, keep=["kela_nowhere"])
    with pytest.raises(OptimisationError, match="not among the candidates"):
        optimise_network(study, model="pmedian", k=3, keep=["kela_helsinki_kamppi"], candidates=("centres",))
    with pytest.raises(OptimisationError, match="Swedish-serving"):
        optimise_network(study, model="pmedian", need="social_any", group="fi", k=3, swedish_coverage=True)


runner = CliRunner()


def test_cli_optimise_writes_a_scenario_the_workbench_reads(tmp_path):
    out, rep = tmp_path / "opt.yaml", tmp_path / "opt.md"
    result = runner.invoke(app, ["optimise", "--model", "pmedian", "--need", "kela", "--k", "4",
                                 "--keep", "kela_raasepori_tammisaari_unverified", "--out", str(out),
                                 "--report", str(rep), "--include-unlocated-points"])
    assert result.exit_code == 0, result.output
    assert "status Optimal" in result.output and "Closed (6)" in result.output
    sc = load_scenario(out)
    closed = [i for c in sc.changes if "close" in c for i in c["close"]]
    assert len(closed) == 6 and "kela_raasepori_tammisaari_unverified" not in closed
    assert sc.base == {"demand": "postal", "mode": "drive"}
    assert rep.read_text(encoding="utf-8").startswith("## Optimised network")
    again = runner.invoke(app, ["evaluate", str(out), "--out", str(tmp_path / "ev"), "--format", "csv",
                                "--include-unlocated-points"])
    assert again.exit_code == 0, again.output


def test_cli_optimise_errors_exit_2(tmp_path):
    result = runner.invoke(app, ["optimise", "--model", "mclp", "--k", "3"])
    assert result.exit_code == 2 and "max-minutes" in result.output
    result = runner.invoke(app, ["optimise", "--model", "pmedian", "--k", "3", "--candidates", "shops"])
    said = " ".join(result.output.replace("│", " ").split())  # Click's error panel, unboxed
    assert result.exit_code == 2 and "Invalid value for '--candidates': 'shops' is not one of" in said
