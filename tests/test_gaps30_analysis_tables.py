"""The analysis tables a planner reads, compared in full against reviewed files
(tests/test_gaps30_analysis_tables/*.csv), on a hand-made study and on the bundled study,
with the boundary rules that those tables carry spelled out by hand.

The hand-made study is `tiny` (tests/conftest.py) with a fourth Kela office k4 and the
unlocated area U truly without a place (no coordinates, as the demand loader leaves it):
minutes = metres / 100 on an east-west line.

    unit  x (m)  pop_fi pop_sv      point  category    x (m)   A    B    C
    A         0      90     10      k1     kela          500   5   15   35
    B      2000      50      0      k2     kela         3000  30   10   10
    C      4000      30     20      k3     kela         4000  40   20    0
    U         ?       7      3      k4     kela         6000  60   40   20
                                    fi1    fi_walkin    1000  10   10   30
                                    sv1    sv_walkin    4000  40   20    0

Baseline Kela: A -> k1 5 min, B -> k2 10 min, C -> k3 0 min; U unknown (NaN), never "no point".
No English-language point exists: every located resident has no point (inf), "no service".
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from planner.analysis.comparison import compare_all
from planner.analysis.scenario import evaluate, load_scenario, parse_scenario
from planner.analysis.study import evaluate_points
from planner.traveltime import travel_time_matrix

X0, Y0 = 385_000.0, 6_672_000.0
SCENARIOS = Path(__file__).resolve().parents[1] / "geodata" / "scenarios"


def _number(v: float) -> str:
    """A float as the tables are read: six decimals at most, no trailing zeros (inf stays inf)."""
    return f"{v:.6f}".rstrip("0").rstrip(".")


def _check(file_regression, df: pd.DataFrame, name: str) -> None:
    """The table equals its approved CSV, every column, row and value (floats to six decimals)."""
    text = df.to_csv(index=False, float_format=_number, lineterminator="\n")
    file_regression.check(text, basename=name, extension=".csv")


@pytest.fixture(scope="module")
def hand(tiny):
    units = tiny.units.copy()
    u = units["unit_id"] == "U"
    units.loc[u, ["x_m", "y_m"]] = np.nan
    units.loc[u, "geometry"] = None
    k4 = gpd.GeoDataFrame({"id": ["k4"], "name": ["point k4"], "category": ["kela"],
                           "municipality_code": ["091"], "capacity": [np.nan]},
                          geometry=[Point(X0 + 6000, Y0)], crs=3067)
    points = gpd.GeoDataFrame(pd.concat([tiny.points, k4], ignore_index=True), geometry="geometry", crs=3067)
    return dataclasses.replace(tiny, units=units, points=points,
                               ttm=travel_time_matrix(tiny.model, units, points))


@pytest.fixture(scope="module")
def hand_base(hand):
    return evaluate_points(hand)


def _compare(hand, hand_base, name, changes):
    after, _ = evaluate(hand, parse_scenario({"name": name, "changes": changes}), hand_base)
    return compare_all(hand_base, after, hand.units)


def _row(table, need, group, area="Uusimaa"):
    (i,) = np.flatnonzero((table["need"] == need) & (table["group"] == group) & (table["area"] == area))
    return table.iloc[i]


# --- the hand-made baseline --------------------------------------------------------------------------

def test_hand_made_baseline_tables_in_full_and_unknown_is_not_unreachable(hand_base, file_regression):
    acc = hand_base.access
    k = acc[acc["need"] == "kela"].set_index(["unit_id", "group"])
    assert k.loc[("A", "fi"), "point_id"] == "k1" and k.loc[("A", "fi"), "time_min"] == 5.0
    assert k.loc[("B", "fi"), "point_id"] == "k2" and k.loc[("B", "fi"), "time_min"] == 10.0
    assert k.loc[("C", "sv"), "point_id"] == "k3" and k.loc[("C", "sv"), "time_min"] == 0.0
    # the unlocated area: unknown (NaN), no point named, no reason given: it is not "no point"
    assert np.isnan(k.loc[("U", "fi"), "time_min"]) and k.loc[("U", "fi"), "point_id"] == ""
    eng = acc[acc["need"] == "english"].set_index(["unit_id", "group"])
    assert np.isposinf(eng.loc[("A", "fi"), "time_min"]) and np.isnan(eng.loc[("U", "fi"), "time_min"])
    assert eng.loc[("A", "fi"), "no_point_reason"] == \
        "no service: the network of this date has no open point of category en_service"
    assert eng.loc[("U", "fi"), "no_point_reason"] == ""
    reg = hand_base.summaries["summary_region"]
    e = _row(reg, "english", "all")
    assert (e["population"], e["pop_unlocated"]) == (210, 10)
    assert (e["pop_no_point"], e["pop_unreachable"]) == (200, 200)
    assert e["stats_note"] == "median and p90 fall among the 200 residents with no point"
    kall = _row(reg, "kela", "all")
    # 200 located residents all within 15 min; the 10 unlocated are neither within nor beyond
    assert (kall["pop_no_point"], kall["pop_within_15"], kall["pct_within_15"]) == (0, 200, 100.0)
    # mean over the located: (100 x 5 + 50 x 10 + 50 x 0) / 200 = 5.0
    assert kall["mean_min_served"] == 5.0
    _check(file_regression, acc, "hand_baseline_access_units")
    _check(file_regression, reg, "hand_baseline_summary_region")
    _check(file_regression, hand_base.load, "hand_baseline_point_load")


# --- a merge chain of three steps ------------------------------------------------------------------

CHAIN = [{"merge": {"into": "k2", "from": "k1"}}, {"merge": {"into": "k3", "from": "k2"}},
         {"merge": {"into": "k4", "from": "k3"}}]


def test_a_three_step_merge_chain_sends_every_client_to_the_last_receiver(hand, hand_base,
                                                                         file_regression):
    tabs = _compare(hand, hand_base, "chain of three", CHAIN)
    ch = tabs["unit_changes"]
    k = ch[(ch["need"] == "kela") & ch["located"]].set_index(["unit_id", "group"])
    assert set(k["point_after"]) == {"k4"}
    # A 5 -> 60, B 10 -> 40, C 0 -> 20 (a loss of exactly 20: not "more than 20")
    assert k.loc[("A", "fi"), "delta_min"] == 55.0 and k.loc[("B", "fi"), "delta_min"] == 30.0
    assert k.loc[("C", "fi"), "delta_min"] == 20.0
    u = ch[(ch["need"] == "kela") & (ch["unit_id"] == "U")]
    assert u["delta_min"].isna().all()  # unknown before and after: no change known, not 0, not inf
    r = _row(tabs["compare_region"], "kela", "all")
    assert (r["pop_worse"], r["pop_better"], r["pop_lose_gt_10"], r["pop_lose_gt_20"]) == (200, 0, 200, 150)
    assert r["pop_lost_access"] == 0 and not r["improved_by_exclusion"]
    load = tabs["point_load_change"]
    k4 = load[(load["id"] == "k4") & (load["group"] == "fi")]
    assert k4[["status", "residents_before", "residents_after", "change"]].values.tolist() == \
        [["open", 0, 170, 170]]
    fi = load[load["id"].isin(["k1", "k2", "k3"]) & (load["group"] == "fi")]
    assert fi["status"].tolist() == ["closed"] * 3 and fi["residents_after"].tolist() == [0, 0, 0]
    for name in ("unit_changes", "compare_region", "worst_off", "point_load_change", "equity"):
        _check(file_regression, tabs[name], f"hand_chain_{name}")


# --- residents who gain and residents who lose ----------------------------------------------------------

GAIN_LOSE = [{"add_service": {"id": "fi1", "category": "sv_walkin"}}, {"close": "sv1"}]


def test_residents_who_gain_and_who_lose_are_counted_apart(hand, hand_base, file_regression):
    # Swedish walk-in service moves from sv1 (x 4000) to fi1's site (x 1000): A's 10 Swedish speakers
    # 40 -> 10 min (gain 30), C's 20 0 -> 30 min (lose 30), B has none; Finnish speakers unchanged
    tabs = _compare(hand, hand_base, "move Swedish walk-in", GAIN_LOSE)
    r = _row(tabs["compare_region"], "social_walkin", "sv")
    assert (r["pop_worse"], r["pop_better"], r["pop_lose_gt_10"], r["pop_lose_gt_20"]) == (20, 10, 20, 20)
    a = _row(tabs["compare_region"], "social_walkin", "all")
    assert (a["pop_worse"], a["pop_better"]) == (20, 10)
    f = _row(tabs["compare_region"], "social_walkin", "fi")
    assert (f["pop_worse"], f["pop_better"]) == (0, 0)
    # the same people served both times: (10 x -30 + 20 x +30) / 30 = +10 min
    assert r["mean_change_min_served_both"] == pytest.approx(10.0)
    w = tabs["worst_off"]
    w = w[w["need"] == "social_walkin"]
    # only C loses; A, who gains, is not among the worst off. C's loss over all its residents is
    # population-weighted: 30 Finnish speakers + 0 min, 20 Swedish speakers + 30 min -> 600 / 50 = 12
    assert w["unit_id"].tolist() == ["C"] and w["population"].tolist() == [50]
    assert w["mean_delta_min"].tolist() == [12.0] and w["max_delta_min"].tolist() == [30.0]
    for name in ("unit_changes", "compare_region", "worst_off", "point_load_change", "equity"):
        _check(file_regression, tabs[name], f"hand_gain_lose_{name}")


# --- losing every point: lost access, not unknown -------------------------------------------------------

CLOSE_KELA = [{"close": ["k1", "k2", "k3", "k4"]}]


def test_closing_every_kela_office_is_lost_access_and_the_unlocated_stay_unknown(hand, hand_base,
                                                                                 file_regression):
    tabs = _compare(hand, hand_base, "no Kela", CLOSE_KELA)
    r = _row(tabs["compare_region"], "kela", "all")
    assert (r["pop_lost_access"], r["pop_no_point_before"], r["pop_no_point_after"]) == (200, 0, 200)
    assert r["pop_unlocated"] == 10 and r["pop_worse"] == 200 and r["pop_lose_gt_20"] == 200
    assert np.isnan(r["median_min_after"])
    assert r["stats_note_after"] == "median and p90 fall among the 200 residents with no point"
    ch = tabs["unit_changes"]
    k = ch[ch["need"] == "kela"].set_index(["unit_id", "group"])
    assert np.isposinf(k.loc[("A", "fi"), "delta_min"]) and np.isnan(k.loc[("U", "fi"), "delta_min"])
    w = tabs["worst_off"]
    assert np.isposinf(w.loc[w["unit_id"] == "A", "mean_delta_min"]).all()
    for name in ("compare_region", "worst_off", "point_load_change"):
        _check(file_regression, tabs[name], f"hand_no_kela_{name}")


# --- the bundled study ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_kela(study, baseline):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        after, _ = evaluate(study, load_scenario(SCENARIOS / "concentrate_kela_offices.yaml"), baseline)
    return compare_all(baseline, after, study.units)


def test_the_bundled_baseline_summaries_in_full(baseline, file_regression):
    for name in ("summary_region", "summary_service_area"):
        _check(file_regression, baseline.summaries[name], f"bundled_baseline_{name}")
    _check(file_regression, baseline.load, "bundled_baseline_point_load")


def test_the_bundled_kela_concentration_compared_in_full(bundled_kela, file_regression):
    for name in ("compare_region", "compare_service_area", "worst_off", "point_load_change", "equity"):
        _check(file_regression, bundled_kela[name], f"bundled_kela_{name}")


def test_a_three_step_chain_resolves_to_its_last_receiver_and_each_point_says_what_happened(hand):
    from planner.analysis.scenario import apply_scenario

    ap = apply_scenario(hand, parse_scenario({"name": "chain of three", "changes": CHAIN}))
    assert ap.merges == {"k1": "k4", "k2": "k4", "k3": "k4"}
    assert ap.state == {"k1": "closed", "k2": "closed", "k3": "closed", "k4": "changed"}
    assert sorted(ap.points["id"]) == ["fi1", "k4", "sv1"]
    assert sorted(ap.closed_points["id"]) == ["k1", "k2", "k3"]


def test_the_bundled_study_and_scenarios_say_where_every_figure_comes_from(study, baseline, data_regression):
    """The provenance lines of the bundled study and, per bundled scenario, what it adds, what each
    point's state becomes and where merged clients go: the planner reads these above every table."""
    out = {"study": dict(study.provenance)}
    for path in sorted(SCENARIOS.glob("*.yaml")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            after, applied = evaluate(study, load_scenario(path), baseline)
        out[path.stem] = {
            "provenance_added": {k: v for k, v in after.provenance.items() if study.provenance.get(k) != v},
            "state": dict(sorted(applied.state.items())),
            "merges": dict(sorted(applied.merges.items())),
            "open_points": len(applied.points),
        }
    data_regression.check(out)


def test_residents_redirected_from_a_merge_are_said_per_need_in_full():
    from planner.analysis.scenario import redirect_text

    acc = pd.DataFrame({"need": ["social_any", "kela", "kela", "english"], "population": [5, 1200, 34, 7],
                        "merge_redirected": [True, True, True, False]})
    assert redirect_text(acc) == (
        "kela: 1,234; social_any: 5 residents of merged points are not eligible for the receiving point "
        "(organiser, language or need) and go to their nearest eligible open point instead")
    assert redirect_text(acc.assign(merge_redirected=False)) == ""
    assert redirect_text(acc.drop(columns="merge_redirected")) == ""


def test_floating_catchment_counts_only_the_residents_own_organisers_points(tiny):
    """Two Finnish walk-in points: fi1 of Helsinki (x 1000, capacity 10) and fiE of Espoo's
    organiser (x 4000, capacity 30); C lies in Espoo (049). Within 30 min (minutes = m / 100):
    fi1 reaches A 10, B 10, C 30; fiE reaches A 40 (out), B 20, C 0. By organiser, Helsinki's A and
    B (90 + 50 Finnish speakers) share fi1: 10 / 140 each; Espoo's C (30) alone has fiE: 30 / 30."""
    from shapely.geometry import Point

    from planner.analysis.fca import floating_catchment

    units = tiny.units.copy()
    units.loc[units["unit_id"] == "C", "municipality_code"] = "049"
    points = gpd.GeoDataFrame({"id": ["fi1", "fiE"], "name": ["Helsinki", "Espoo"],
                               "category": "fi_walkin", "municipality_code": ["091", "049"],
                               "capacity": [10.0, 30.0]},
                              geometry=[Point(X0 + 1000, Y0), Point(X0 + 4000, Y0)], crs=3067)
    ttm = travel_time_matrix(tiny.model, units, points)
    org = {"091": "Helsingin kaupunki", "049": "Länsi-Uudenmaan hyvinvointialue"}
    got = floating_catchment(units, points, ttm, "social_walkin", "fi", organisers=org)
    assert got["unit_id"].tolist() == ["A", "B", "C", "U"]
    assert got["fca_2sfca"].tolist()[:3] == pytest.approx([10 / 140, 10 / 140, 1.0])
    assert np.isnan(got["fca_2sfca"].iloc[3])  # unlocated: unknown, not 0
    assert got["eligibility_rule"].iloc[0] == (
        "organiser: only the points of the resident's own organiser (as the nearest-point tables); no "
        "eligible point within the catchment scores 0")
    # without organisers every point counts: fi1 serves A, B and C (C exactly at 30 min is inside)
    anyone = floating_catchment(units, points, ttm, "social_walkin", "fi")
    both = 10 / 170 + 30 / 80
    assert anyone["fca_2sfca"].tolist()[:3] == pytest.approx([10 / 170, both, both])
    assert anyone["eligibility_rule"].iloc[0] == "any: every point of the need"


def test_each_reason_for_no_point_is_worded_for_what_is_missing():
    """One located unit per reason, and an unlocated one (NaN: unknown, no reason given)."""
    from planner.analysis.accessibility import no_point_reasons

    inf, nan = np.inf, np.nan
    jj = np.array([0, -1, -1, -1, -1, -1])
    t = np.array([5.0, inf, inf, inf, inf, nan])
    mask = np.array([[True], [True], [False], [False], [False], [False]])  # an eligible point exists?
    org = np.array(["A", "A", "B", "C", "", "A"], dtype=object)
    targeted = np.array([False, False, True, True, False, False])
    elsewhen = np.array(["", "", "from 2023-01-01", "", "", ""], dtype=object)
    got = no_point_reasons(jj, t, mask, frozenset({"sv_walkin", "fi_walkin"}), org, targeted, elsewhen)
    assert got.tolist() == [
        "",
        "no eligible point reachable with this travel-time model (a model limit)",
        "not documented on this date: the points file has point(s) of category fi_walkin, sv_walkin of the "
        "organiser B only on other dates (from 2023-01-01); a gap in the evidence, not a finding (a targeted "
        "service is left out: --include-target-groups)",
        "no service: the organiser C has no open point of category fi_walkin, sv_walkin in the network of "
        "this date (a targeted service is left out: --include-target-groups)",
        "no service: the network of this date has no open point of category fi_walkin, sv_walkin",
        "",
    ]
    # rule 'any' (no organisers), a one-row mask: the same words without an organiser
    got = no_point_reasons(np.array([-1]), np.array([inf]), np.array([False]), frozenset({"kela"}), None,
                           None, np.array(["2021-01-01 to 2021-06-30"], dtype=object))
    assert got.tolist() == ["not documented on this date: the points file has point(s) of category kela only "
                            "on other dates (2021-01-01 to 2021-06-30); a gap in the evidence, not a finding"]
