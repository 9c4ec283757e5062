"""Domain rules of accessibility and comparison, pinned at their boundaries by hand-worked cases.

Each test is named after the fault it catches. The travel times are written out by hand
(a :class:`TravelTimeMatrix` of minutes) so that every expected figure below follows from
the rule, not from the code's current output.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from planner.analysis.accessibility import nearest, point_load, summarise, unit_access
from planner.analysis.comparison import area_changes, compare_all, load_changes, unit_changes, worst_off
from planner.analysis.study import Results
from planner.traveltime import TravelTimeMatrix

INF, NAN = np.inf, np.nan


def make_units(ids, pop_fi, pop_sv=None, located=None, municipality=None) -> gpd.GeoDataFrame:
    n = len(ids)
    pop_sv = [0] * n if pop_sv is None else pop_sv
    located = [True] * n if located is None else located
    units = gpd.GeoDataFrame({
        "unit_id": ids, "name": [f"unit {i}" for i in ids],
        "municipality": municipality or ["M"] * n, "service_area": ["S"] * n,
        "pop_fi": pop_fi, "pop_sv": pop_sv, "located": located,
    }, geometry=[Point(k, 0) for k in range(n)], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    return units


def make_points(ids, cats) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ids, "name": [f"point {p}" for p in ids], "category": cats},
                            geometry=[Point(k, 1) for k in range(len(ids))], crs=3067)


def results(units, points, ttm, name, merges=None, before=None) -> Results:
    access = unit_access(units, points, ttm, merges=merges, before=before)
    return Results(access=access, summaries={}, load=point_load(access, points),
                   reception=pd.DataFrame(), provenance={"scenario": name})


def row(table: pd.DataFrame, **keys) -> pd.Series:
    sel = table
    for k, v in keys.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, keys
    return sel.iloc[0]


# --- thresholds: "within 30 min" is <= 30 ---------------------------------------------------


def test_within_30_min_counts_residents_at_exactly_30_0_min():
    # 40 residents at exactly 30.0 min, 7 at 29.5, 100 at 30.5, 5 unlocated
    units = make_units(["at30", "under", "over", "U"], [40, 7, 100, 5],
                       located=[True, True, True, False])
    points = make_points(["p"], ["fi_walkin"])
    ttm = TravelTimeMatrix(units["unit_id"].to_numpy(), np.array(["p"]),
                           np.array([[30.0], [29.5], [30.5], [NAN]]))
    s = summarise(unit_access(units, points, ttm), units, None, thresholds=(15, 30, 45))
    fi = row(s, need="social_walkin", group="fi")
    assert fi["pop_within_30"] == 47          # 40 at 30.0 are within 30 min, 100 at 30.5 are not
    assert fi["pop_within_15"] == 0 and fi["pop_within_45"] == 147
    # the share is of the located residents (147), not of everyone (152)
    assert fi["pct_within_30"] == pytest.approx(100 * 47 / 147)


# --- unlocated residents are not "no point in reach" ---------------------------------------


def test_unlocated_residents_are_not_counted_as_unreachable():
    units = make_units(["A", "far", "U"], [10, 20, 300], located=[True, True, False])
    points = make_points(["p"], ["fi_walkin"])
    ttm = TravelTimeMatrix(units["unit_id"].to_numpy(), np.array(["p"]),
                           np.array([[5.0], [INF], [NAN]]))
    acc = unit_access(units, points, ttm)
    s = summarise(acc, units, None, thresholds=(30,))
    walk = row(s, need="social_walkin", group="fi")
    assert walk["population"] == 330
    assert walk["pop_unlocated"] == 300
    assert walk["pop_unreachable"] == 20      # only the located unit with no point in reach
    # a need with no point at all: the located residents are unreachable, the unlocated still unlocated
    kela = row(s, need="kela", group="fi")
    assert (kela["pop_unreachable"], kela["pop_unlocated"]) == (30, 300)
    # nearest(): unlocated rows stay NaN even when no column is eligible
    idx, best = nearest(np.array([[NAN], [INF]]), np.array([False]))
    assert idx.tolist() == [-1, -1] and np.isnan(best[0]) and np.isposinf(best[1])


# --- the "all" summary group is everybody to their own-language nearest point -----------------


def test_all_group_summary_adds_both_language_groups():
    units = make_units(["A"], [90], pop_sv=[10])
    points = make_points(["fi", "sv"], ["fi_walkin", "sv_walkin"])
    ttm = TravelTimeMatrix(np.array(["A"]), np.array(["fi", "sv"]), np.array([[10.0, 40.0]]))
    s = summarise(unit_access(units, points, ttm), units, None, thresholds=(30,))
    both = row(s, need="social_walkin", group="all")
    assert both["population"] == 100 and both["pop_within_30"] == 90
    assert both["mean_min_served"] == pytest.approx((90 * 10 + 10 * 40) / 100)


# --- merges: clients follow only to a kept point that serves their need and language ----------


@pytest.fixture()
def merge_case():
    """Unit A (90 fi, 10 sv); kept point 'keep' is a Finnish walk-in point at 1 min.

    Before: sv clients use sv_near (5 min), Kela clients kela_near (3 min).
    Other points: sv_far (50 min), kela_far (60 min).
    """
    units = make_units(["A"], [90], pop_sv=[10])
    points = make_points(["keep", "sv_near", "sv_far", "kela_near", "kela_far"],
                         ["fi_walkin", "sv_walkin", "sv_walkin", "kela", "kela"])
    ttm = TravelTimeMatrix(np.array(["A"]), points["id"].to_numpy(),
                           np.array([[1.0, 5.0, 50.0, 3.0, 60.0]]))
    return units, points, ttm


def test_merge_does_not_send_swedish_clients_to_a_kept_point_without_swedish_service(merge_case):
    units, points, ttm = merge_case
    before = unit_access(units, points, ttm)
    after_pts = points[points["id"] != "sv_near"]
    acc = unit_access(units, after_pts, ttm, merges={"sv_near": "keep"}, before=before)
    sv = row(acc, need="social_walkin", group="sv")
    # 'keep' serves Finnish only: Swedish speakers go to the nearest Swedish point, 50 min
    assert (sv["point_id"], sv["time_min"]) == ("sv_far", 50.0)


def test_merge_does_not_send_kela_clients_to_a_kept_point_without_kela_service(merge_case):
    units, points, ttm = merge_case
    before = unit_access(units, points, ttm)
    after_pts = points[points["id"] != "kela_near"]
    acc = unit_access(units, after_pts, ttm, merges={"kela_near": "keep"}, before=before)
    for group in ("fi", "sv"):
        kela = row(acc, need="kela", group=group)
        assert (kela["point_id"], kela["time_min"]) == ("kela_far", 60.0)


def test_merge_moves_clients_to_a_kept_point_that_serves_them_even_if_farther(merge_case):
    units, points, ttm = merge_case
    before = unit_access(units, points, ttm)
    after_pts = points[points["id"] != "kela_near"]
    # sv_far is no Kela office, kela_far is: under `clients: receiving` the clients of kela_near
    # follow to kela_far (60 min) although sv points are nearer, and they follow the merge, not
    # the nearest rule, when a nearer Kela office exists (Kela's default is `nearest`: issue 11)
    ttm2 = TravelTimeMatrix(np.array(["A"]), np.append(points["id"].to_numpy(), "kela_mid"),
                            np.array([[1.0, 5.0, 50.0, 3.0, 60.0, 20.0]]))
    pts2 = pd.concat([after_pts, make_points(["kela_mid"], ["kela"])], ignore_index=True)
    acc = unit_access(units, pts2, ttm2, merges={"kela_near": "kela_far"}, before=before,
                      merge_clients={"kela_near": "receiving"})
    kela = row(acc, need="kela", group="fi")
    assert (kela["point_id"], kela["time_min"]) == ("kela_far", 60.0)
    # with Kela's default (clients choose) they go to the nearest Kela office instead
    free = unit_access(units, pts2, ttm2, merges={"kela_near": "kela_far"}, before=before)
    assert row(free, need="kela", group="fi")["point_id"] == "kela_mid"
    # the Finnish walk-in clients of 'keep' were never clients of kela_near: untouched
    assert row(acc, need="social_walkin", group="fi")["point_id"] == "keep"


# --- comparison: losses, gains, unchanged and never-served residents --------------------------


@pytest.fixture()
def change_case():
    """Before: p1, p2 open. After: p1 closed, p3 opened. Minutes by hand:

    unit  pop  p1   p2    p3   before  after  change
    A     100  5    15    inf  5       15     +10   (exactly 10: not "more than 10")
    B     10   5    15.5  inf  5       15.5   +10.5
    C     1000 20   20    inf  20      20     0     (unchanged: neither better nor worse)
    D     7    inf  inf   inf  inf     inf    0     (never served: 0, not NaN)
    E     50   30   40    10   30      10     -20   (better off)
    F     3    2    32    inf  2       32     +30
    G     20   2    22    inf  2       22     +20   (exactly 20: not "more than 20")
    H     4    4    inf   inf  4       inf    +inf  (loses access)
    U     9    nan  nan   nan  unlocated
    """
    ids = ["A", "B", "C", "D", "E", "F", "G", "H", "U"]
    units = make_units(ids, [100, 10, 1000, 7, 50, 3, 20, 4, 9],
                       located=[True] * 8 + [False],
                       municipality=["M1", "M1", "M2", "M2", "M2", "M3", "M3", "M3", "M1"])
    times = np.array([
        [5, 15, INF], [5, 15.5, INF], [20, 20, INF], [INF, INF, INF], [30, 40, 10],
        [2, 32, INF], [2, 22, INF], [4, INF, INF], [NAN, NAN, NAN]], float)
    ttm = TravelTimeMatrix(np.array(ids), np.array(["p1", "p2", "p3"]), times)
    pts = make_points(["p1", "p2", "p3"], ["fi_walkin", "fi_walkin", "fi_walkin"])
    before = results(units, pts[pts["id"] != "p3"], ttm, "baseline")
    after = results(units, pts[pts["id"] != "p1"], ttm, "close p1, open p3")
    return units, before, after


def test_losing_more_than_10_min_excludes_someone_losing_exactly_10(change_case):
    units, before, after = change_case
    region = row(area_changes(unit_changes(before, after), units, None),
                 need="social_walkin", group="fi")
    assert region["pop_lose_gt_10"] == 10 + 3 + 20 + 4   # B, F, G and H (inf); not A at exactly 10
    assert region["pop_lose_gt_20"] == 3 + 4             # F and H; not G at exactly 20
    assert region["pop_lost_access"] == 4


def test_unchanged_residents_are_not_better_off(change_case):
    units, before, after = change_case
    region = row(area_changes(unit_changes(before, after), units, None),
                 need="social_walkin", group="fi")
    assert region["pop_better"] == 50                    # only E; C (1000) and D (7) are unchanged
    assert region["pop_worse"] == 100 + 10 + 3 + 20 + 4


def test_change_for_never_served_units_is_zero_not_nan(change_case):
    _, before, after = change_case
    ch = unit_changes(before, after).set_index(["unit_id", "need", "group"])["delta_min"]
    assert ch[("D", "social_walkin", "fi")] == 0.0
    assert ch[("C", "social_walkin", "fi")] == 0.0
    assert ch[("H", "social_walkin", "fi")] == np.inf
    assert ch[("E", "social_walkin", "fi")] == -20.0
    # kela: no point before or after, for every located unit: 0 change everywhere
    kela = ch.xs("kela", level="need").drop("U", level="unit_id")
    assert (kela == 0.0).all()
    assert np.isnan(ch[("U", "social_walkin", "fi")])   # unlocated: no time, so no change


def test_worst_off_lists_the_biggest_loser_first(change_case):
    units, before, after = change_case
    w = worst_off(unit_changes(before, after), units, "social_walkin", group="fi")
    # H loses access, then F (+30), G (+20), B (+10.5), A (+10); C, D, E lose nothing
    assert w["unit_id"].tolist() == ["H", "F", "G", "B", "A"]
    assert w["mean_delta_min"].tolist()[1:] == [30.0, 20.0, 10.5, 10.0]


def test_worst_off_ranks_three_areas_worst_first():
    units = make_units(["mild", "worst", "middle"], [100, 100, 100])
    ttm = TravelTimeMatrix(units["unit_id"].to_numpy(), np.array(["p1", "p2"]),
                           np.array([[1.0, 6.0], [1.0, 41.0], [1.0, 21.0]]))
    pts = make_points(["p1", "p2"], ["kela", "kela"])
    before = results(units, pts, ttm, "baseline")
    after = results(units, pts[pts["id"] == "p2"], ttm, "close p1")
    w = worst_off(unit_changes(before, after), units, "kela")
    assert w["unit_id"].tolist() == ["worst", "middle", "mild"]
    assert w["mean_delta_min"].tolist() == [40.0, 20.0, 5.0]
    assert worst_off(unit_changes(before, after), units, "kela", n=1)["unit_id"].tolist() == ["worst"]


def test_worst_off_for_all_weights_languages_by_population():
    # fi 90 lose 10 min, sv 10 lose 50 min -> all: (90*10 + 10*50) / 100 = 14
    units = make_units(["A", "B"], [90, 100], pop_sv=[10, 0])
    pts = make_points(["fi1", "fi2", "sv1", "sv2"], ["fi_walkin", "fi_walkin", "sv_walkin", "sv_walkin"])
    ttm = TravelTimeMatrix(np.array(["A", "B"]), pts["id"].to_numpy(),
                           np.array([[0.0, 10.0, 0.0, 50.0], [0.0, 13.0, INF, INF]]))
    before = results(units, pts, ttm, "baseline")
    after = results(units, pts[pts["id"].isin(["fi2", "sv2"])], ttm, "close")
    w = worst_off(unit_changes(before, after), units, "social_walkin").set_index("unit_id")
    assert w.loc["A", "mean_delta_min"] == pytest.approx(14.0)
    assert w.loc["A", "max_delta_min"] == 50.0
    assert w.index.tolist() == ["A", "B"]   # 14 > 13


def test_point_load_change_shows_the_new_category():
    units = make_units(["A"], [100])
    pts = make_points(["p"], ["fi_appointment"])
    ttm = TravelTimeMatrix(np.array(["A"]), np.array(["p"]), np.array([[5.0]]))
    before = results(units, pts, ttm, "baseline")
    after = results(units, pts.assign(category="fi_walkin"), ttm, "walk-in again")
    lc = load_changes(before, after)
    r = row(lc, id="p", need="social_any", group="fi")
    assert r["category"] == "fi_walkin"
    assert (r["residents_before"], r["residents_after"], r["change"]) == (100, 100, 0)
    walkin = row(lc, id="p", need="social_walkin", group="fi")
    assert (walkin["status"], walkin["residents_before"], walkin["residents_after"]) == ("opened", 0, 100)


def test_point_load_change_counts_closed_points_as_losing_all_residents(change_case):
    _, before, after = change_case
    lc = load_changes(before, after)
    p1 = row(lc, id="p1", need="social_walkin", group="fi")
    # before, p1 is nearest for A, B, C (tie at 20 goes to the first column), E, F, G and H
    assert (p1["status"], p1["residents_before"], p1["residents_after"]) == (
        "closed", 100 + 10 + 1000 + 50 + 3 + 20 + 4, 0)
    assert p1["change"] == -p1["residents_before"]
    p3 = row(lc, id="p3", need="social_walkin", group="fi")
    assert (p3["status"], p3["residents_after"]) == ("opened", 50)


def test_compare_all_population_in_equals_population_out(change_case):
    units, before, after = change_case
    tables = compare_all(before, after, units)
    for name in ("compare_region", "compare_municipality"):
        t = tables[name]
        for need, g in t[t["group"] == "all"].groupby("need"):
            assert g["population"].sum() == units["pop_total"].sum(), (name, need)
    assert tables["worst_off"]["scenario"].eq("close p1, open p3").all()


# --- summaries by area, quantiles and provenance ---------------------------------------------


def test_summary_quantiles_are_per_area_and_count_unreachable_as_infinite():
    # area M1: 10 at 4 min, 30 at 8 min, 60 unreachable; area M2: 5 at 20 min, 5 at 40 min;
    # area M3: everyone unlocated
    units = make_units(["a", "b", "c", "d", "e", "u"], [10, 30, 60, 5, 5, 8],
                       located=[True] * 5 + [False], municipality=["M1", "M1", "M1", "M2", "M2", "M3"])
    points = make_points(["p"], ["fi_walkin"])
    ttm = TravelTimeMatrix(units["unit_id"].to_numpy(), np.array(["p"]),
                           np.array([[4.0], [8.0], [INF], [20.0], [40.0], [NAN]]))
    s = summarise(unit_access(units, points, ttm), units, "municipality", thresholds=(15, 30))
    fi = s[(s["need"] == "social_walkin") & (s["group"] == "fi")].set_index("area")
    assert fi.index.tolist() == ["M1", "M2", "M3"] and (s["level"] == "municipality").all()
    assert s.columns[:5].tolist() == ["level", "area", "need", "group", "population"]
    # M1: cumulative 10, 40, 100 -> median (50 %) is the unreachable infinity, mean over reachable
    # issue 24: a quantile among residents with no point is NaN with the reason, never inf
    assert np.isnan(fi.loc["M1", "median_min"]) and np.isnan(fi.loc["M1", "p90_min"])
    assert fi.loc["M1", "stats_note"] == "median and p90 fall among the 60 residents with no point"
    assert (fi.loc["M1", "pop_no_point"], fi.loc["M1", "share_served"]) == (60, 0.4)
    assert fi.loc["M1", "mean_min_served"] == pytest.approx((10 * 4 + 30 * 8) / 40)
    assert (fi.loc["M1", "pop_within_15"], fi.loc["M1", "pop_unreachable"]) == (40, 60)
    assert fi.loc["M1", "pct_within_15"] == pytest.approx(40.0)
    # M2: cumulative 5, 10 -> median 20 (5 >= 5), p90 40; 20 within 30 min
    assert (fi.loc["M2", "median_min"], fi.loc["M2", "p90_min"]) == (20.0, 40.0)
    assert fi.loc["M2", "mean_min_served"] == pytest.approx(30.0)
    assert (fi.loc["M2", "pop_within_30"], fi.loc["M2", "pop_within_15"]) == (5, 0)
    # M3: nobody located: counted, no statistics
    assert (fi.loc["M3", "population"], fi.loc["M3", "pop_unlocated"]) == (8, 8)
    assert np.isnan(fi.loc["M3", "median_min"]) and np.isnan(fi.loc["M3", "pct_within_15"])
    # groups and needs in the documented order
    m1 = s[s["area"] == "M1"]
    assert m1["need"].unique().tolist() == ["kela", "social_walkin", "social_any", "english"]
    assert m1["group"].tolist()[:3] == ["fi", "sv", "all"]


def test_summary_tables_cover_municipality_service_area_and_region_with_the_given_thresholds():
    from planner.analysis.accessibility import summary_tables

    units = make_units(["a", "b"], [10, 20], municipality=["M1", "M2"])
    points = make_points(["p"], ["kela"])
    ttm = TravelTimeMatrix(units["unit_id"].to_numpy(), np.array(["p"]), np.array([[12.0], [50.0]]))
    tables = summary_tables(unit_access(units, points, ttm), units, thresholds=(10, 45))
    assert list(tables) == ["summary_municipality", "summary_service_area", "summary_region"]
    levels = {k: set(t["level"]) for k, t in tables.items()}
    assert levels == {"summary_municipality": {"municipality"}, "summary_service_area": {"service_area"},
                      "summary_region": {"region"}}
    assert set(tables["summary_municipality"]["area"]) == {"M1", "M2"}
    region = row(tables["summary_region"], need="kela", group="all")
    assert region["area"] == "Uusimaa"
    assert (region["pop_within_10"], region["pop_within_45"]) == (0, 10)
    assert "pop_within_30" not in tables["summary_region"].columns


def test_with_provenance_appends_every_key_and_leaves_the_input_alone():
    from planner.analysis.accessibility import with_provenance

    df = pd.DataFrame({"x": [1, 2]})
    out = with_provenance(df, {"model": "straight-line estimate", "data_year": "2022", "extra": "no"})
    assert out.columns.tolist() == ["x", "model", "mode", "network_source", "osm_date", "data_year",
                                    "scenario"]
    assert out["model"].tolist() == ["straight-line estimate"] * 2 and out["mode"].eq("").all()
    assert out["data_year"].eq("2022").all() and df.columns.tolist() == ["x"]


def test_reception_centres_get_the_nearest_point_of_each_need_in_their_language():
    from planner.analysis.accessibility import reception_access
    from planner.settings import ModeParams
    from planner.traveltime import StraightLineModel

    model = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))  # 100 m/min
    spec = [("rc1", "reception_centre", 0), ("rc2", "reception_centre", 3000), ("k", "kela", 1000),
            ("fw", "fi_walkin", 500), ("fa", "fi_appointment", 200), ("sw", "sv_walkin", 2500)]
    points = gpd.GeoDataFrame({"id": [s[0] for s in spec], "name": [s[0].upper() for s in spec],
                               "category": [s[1] for s in spec], "municipality_code": "091"},
                              geometry=[Point(s[2], 0) for s in spec], crs=3067)
    r = reception_access(points, model).set_index(["reception_centre_id", "need"])
    assert len(r) == 2 * 4 and r.loc[("rc1", "kela"), "name"] == "RC1"
    assert (r.loc[("rc1", "kela"), "point_id"], r.loc[("rc1", "kela"), "time_min"]) == ("k", 10.0)
    assert r.loc[("rc2", "kela"), "time_min"] == 20.0
    assert (r.loc[("rc1", "social_walkin"), "point_id"], r.loc[("rc1", "social_walkin"), "time_min"]) == (
        "fw", 5.0)
    assert (r.loc[("rc1", "social_any"), "point_id"], r.loc[("rc1", "social_any"), "point_name"]) == (
        "fa", "FA")
    assert r.loc[("rc2", "social_any"), "time_min"] == 25.0          # fw at 500 m, 2500 m away
    # no English-language point: no point id, infinite time (a reception centre is never a target)
    assert r.loc[("rc1", "english"), "point_id"] == "" and np.isposinf(r.loc[("rc1", "english"), "time_min"])
    assert r.loc[("rc1", "english"), "municipality_code"] == "091"
    sv = reception_access(points, model, needs=("social_walkin",), group="sv")
    sv = sv.set_index("reception_centre_id")
    assert (sv.loc["rc2", "point_id"], sv.loc["rc2", "time_min"]) == ("sw", 5.0)
    # no reception centre: an empty table with the documented columns
    empty = reception_access(points[points["category"] != "reception_centre"], model)
    assert empty.empty and "reception_centre_id" in empty.columns and "time_min" in empty.columns


# --- equity gaps ------------------------------------------------------------------------------


def test_equity_language_gap_is_swedish_minus_finnish_and_area_spread_is_max_minus_min():
    from planner.analysis.comparison import equity

    # X (M1): 10 fi at 5 min (fi1 or fi2), 10 sv at 20 min (sv1) -> 40 min (sv2) after sv1 closes
    # Y (M2): 10 fi at 10 min (fi1) -> 30 min (fi2) after fi1 closes; no Swedish speakers
    units = make_units(["X", "Y"], [10, 10], pop_sv=[10, 0], municipality=["M1", "M2"])
    pts = make_points(["fi1", "fi2", "sv1", "sv2"], ["fi_walkin", "fi_walkin", "sv_walkin", "sv_walkin"])
    ttm = TravelTimeMatrix(np.array(["X", "Y"]), pts["id"].to_numpy(),
                           np.array([[5.0, 5.0, 20.0, 40.0], [10.0, 30.0, INF, INF]]))
    before = results(units, pts, ttm, "baseline")
    after = results(units, pts[pts["id"].isin(["fi2", "sv2"])], ttm, "close fi1 and sv1")
    table = area_changes(unit_changes(before, after), units, "municipality")
    eq = equity(table)
    lang = eq[(eq["kind"] == "language") & (eq["need"] == "social_walkin")].set_index("area")
    assert lang.loc["M1", "sv_minus_fi_median_min_before"] == 15.0
    assert lang.loc["M1", "sv_minus_fi_median_min_after"] == 35.0
    # issue 24: same denominators, no mean over those served: within 30 min fi 100 % -> 100 %,
    # sv 100 % -> 0 % (40 min), in percentage points
    assert lang.loc["M1", "sv_minus_fi_pct_within_30_before"] == 0.0
    assert lang.loc["M1", "sv_minus_fi_pct_within_30_after"] == -100.0
    assert "sv_minus_fi_mean_min_before" not in eq.columns
    assert np.isnan(lang.loc["M2", "sv_minus_fi_median_min_before"])  # nobody Swedish-speaking in M2
    between = row(eq, kind="between_areas", need="social_walkin")
    assert between["area"] == "all municipality"
    # group 'all' medians: M1 5 -> 5 (half the residents at 5 min), M2 10 -> 30
    assert (between["spread_median_min_before"], between["spread_median_min_after"]) == (5.0, 25.0)
    assert (between["ratio_median_before"], between["ratio_median_after"]) == (2.0, 6.0)
    assert eq["scenario"].eq("close fi1 and sv1").all()
    # kela: no office anywhere, every median infinite: no spread rather than inf - inf
    kela = row(eq, kind="between_areas", need="kela")
    assert np.isnan(kela["spread_median_min_before"]) and np.isnan(kela["ratio_median_after"])


def test_area_changes_report_before_and_after_statistics_and_mean_change(change_case):
    units, before, after = change_case
    t = area_changes(unit_changes(before, after), units, "municipality", thresholds=(15,))
    m3 = row(t, area="M3", need="social_walkin", group="fi")
    # M3: F 2 -> 32, G 2 -> 22, H 4 -> unreachable
    assert (m3["pop_within_15_before"], m3["pop_within_15_after"]) == (27, 0)
    assert (m3["pop_unreachable_before"], m3["pop_unreachable_after"]) == (0, 4)
    assert m3["mean_min_served_before"] == pytest.approx((3 * 2 + 20 * 2 + 4 * 4) / 27)
    assert m3["mean_min_served_after"] == pytest.approx((3 * 32 + 20 * 22) / 23)
    # issue 24: the mean change over the same people (F and G, served before and after)
    assert m3["mean_change_min_served_both"] == pytest.approx((3 * 30 + 20 * 20) / 23)
    assert (m3["pop_lost_access"], m3["pop_no_point_after"]) == (4, 4)
    m1 = row(t, area="M1", need="social_walkin", group="fi")
    assert (m1["population"], m1["pop_unlocated"], m1["level"]) == (119, 9, "municipality")
    assert (m1["median_min_before"], m1["median_min_after"]) == (5.0, 15.0)


def test_worst_off_table_names_the_unit_and_skips_empty_and_gaining_units(change_case):
    units, before, after = change_case
    ch = unit_changes(before, after)
    w = worst_off(ch, units, "social_walkin", group="fi", n=2)
    assert w.columns.tolist() == ["need", "group", "unit_id", "population", "max_delta_min", "mean_delta_min",
                                  "time_error_p90_min_before", "time_error_p90_min_after", "name",
                                  "municipality", "service_area", "scenario"]
    assert w["unit_id"].tolist() == ["H", "F"] and np.isposinf(w["mean_delta_min"].iloc[0])
    assert (w["need"].iloc[0], w["group"].iloc[0], w["name"].iloc[1], w["municipality"].iloc[1]) == (
        "social_walkin", "fi", "unit F", "M3")
    assert w["population"].tolist() == [4, 3]
    # the Swedish group has nobody anywhere: no rows rather than 0-resident units
    assert worst_off(ch, units, "social_walkin", group="sv").empty
    lc = load_changes(before, after)
    assert row(lc, id="p2", need="social_walkin", group="fi")["status"] == "open"
    assert lc["scenario"].eq("close p1, open p3").all()


def test_any_loss_counts_as_worse_off_even_under_a_minute():
    units = make_units(["half", "one"], [3, 5])
    pts = make_points(["p1", "p2"], ["kela", "kela"])
    ttm = TravelTimeMatrix(np.array(["half", "one"]), np.array(["p1", "p2"]),
                           np.array([[2.0, 2.5], [2.0, 3.0]]))
    before = results(units, pts, ttm, "baseline")
    after = results(units, pts[pts["id"] == "p2"], ttm, "close p1")
    ch = unit_changes(before, after)
    assert row(ch, unit_id="half", need="kela", group="fi")[["point_before", "point_after"]].tolist() == [
        "p1", "p2"]
    region = row(area_changes(ch, units, None), need="kela", group="fi")
    assert (region["pop_worse"], region["pop_better"], region["pop_lose_gt_10"]) == (8, 0, 0)
    tables = compare_all(before, after, units)
    assert list(tables) == ["unit_changes", "compare_region", "compare_service_area", "compare_municipality",
                            "worst_off", "point_load_change", "equity"]
    assert tables["equity"].index.tolist() == list(range(len(tables["equity"])))


class _ErrorByPoint:
    """A model whose p90 error is 1 + the point's x coordinate: p1 ±1, p2 ±2, p3 ±3 min."""

    def error_p90_min(self, origins, destinations):
        d = np.asarray(destinations, float).reshape(-1, 2)
        return np.broadcast_to(1.0 + d[:, 0], (len(np.reshape(origins, (-1, 2))), len(d))).copy()


def test_comparison_tables_state_the_error_before_and_after(change_case):
    """"24 min" reads "24 ± N" in compare tables too, N of the trip before and of the trip after.

    Before everyone reached goes to p1 (±1); after, A B C F G go to p2 (±2, 1,137 residents) and
    E to p3 (±3, 50): the region's population-weighted median error is 1 before and 2 after.
    """
    units, _, _ = change_case
    ids = units["unit_id"].to_numpy()
    base = TravelTimeMatrix(ids, np.array(["p1", "p2", "p3"]), np.array([
        [5, 15, INF], [5, 15.5, INF], [20, 20, INF], [INF, INF, INF], [30, 40, 10],
        [2, 32, INF], [2, 22, INF], [4, INF, INF], [NAN, NAN, NAN]], float),
        error_model=_ErrorByPoint())
    pts = make_points(["p1", "p2", "p3"], ["fi_walkin"] * 3)
    before = results(units, pts[pts["id"] != "p3"], base, "baseline")
    after = results(units, pts[pts["id"] != "p1"], base, "close p1, open p3")
    ch = unit_changes(before, after).set_index(["unit_id", "need", "group"])
    key = ("E", "social_walkin", "fi")
    assert ch.loc[key, "time_error_p90_min_before"] == 1.0 and ch.loc[key, "time_error_p90_min_after"] == 3.0
    assert np.isnan(ch.loc[("H", "social_walkin", "fi"), "time_error_p90_min_after"])  # no trip after
    region = row(area_changes(ch.reset_index(), units, None), need="social_walkin", group="fi")
    assert region["time_error_p90_min_before"] == 1.0
    assert region["time_error_p90_min_after"] == 2.0
    w = worst_off(ch.reset_index(), units, "social_walkin", group="fi").set_index("unit_id")
    assert w.loc["F", "time_error_p90_min_after"] == 2.0 and w.loc["F", "time_error_p90_min_before"] == 1.0
    # a hand-set model with no stated error: NaN (unknown), never a made-up figure
    plain = area_changes(unit_changes(*change_case[1:]), units, None)
    assert plain[["time_error_p90_min_before", "time_error_p90_min_after"]].isna().all().all()
