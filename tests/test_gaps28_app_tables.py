"""Issue 28: the overview's and the builder's tables and sentences (planner.app.state) on small
hand-made summaries whose figures were worked out by hand: which rows a sentence counts (each
language group once, never the 'all' row again; the need asked for only), which column a figure
comes from, and how a missing figure reads."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.analysis.study import Results
from planner.app import state as S
from planner.escape import md_text
from planner.outputs.i18n import t, tn

INF = float("inf")


def _results(region: pd.DataFrame, areas: pd.DataFrame) -> Results:
    return Results(pd.DataFrame(), {"summary_region": region, "summary_service_area": areas},
                   pd.DataFrame(), pd.DataFrame(), {})


def _areas(**extra) -> pd.DataFrame:
    # Helsinki: 100 fi + 50 sv residents (social_any); 5 sv residents have no point; the fi
    # group's figures rest on a proxy site for 40 of them. pop_unreachable differs from
    # pop_no_point on purpose: the sentence counts those with no point.
    rows = [
        ("Helsinki", "social_any", "fi", 100, 0, 7, 40, "", ""),
        ("Helsinki", "social_any", "sv", 50, 5, 9, 0, "", "sv note"),
        ("Helsinki", "social_any", "all", 150, 5, 16, 40, "", ""),
        ("Helsinki", "kela", "sv", 50, 3, 3, 0, "kela reason", ""),
        ("Helsinki", "kela", "all", 150, 3, 3, 0, "kela reason", ""),
        ("Itä-Uusimaa", "social_any", "fi", 20, 2, 2, 0, "east reason", "east note"),
        ("Itä-Uusimaa", "social_any", "sv", 10, 0, 0, 10, "", ""),
        ("Itä-Uusimaa", "social_any", "all", 30, 2, 2, 10, "east reason", ""),
    ]
    df = pd.DataFrame(rows, columns=["area", "need", "group", "population", "pop_no_point",
                                     "pop_unreachable", "pop_nearest_proxy", "no_point_reason",
                                     "stats_note"])
    return df.assign(**extra)


def test_area_gaps_for_everyone_name_each_language_group_once():
    res = _results(pd.DataFrame(), _areas())
    got = S.area_gap_sentences(res, "social_any", "all", "en")
    want = [
        tn("ov.area_gap", 5, "en", area="Helsinki", n="5", group="Swedish speakers", why="sv note"),
        t("ov.area_proxy", "en", area="Helsinki", n="40", total="150"),
        tn("ov.area_gap", 2, "en", area="Itä-Uusimaa", n="2", group=_group("fi"), why="east reason"),
        t("ov.area_proxy", "en", area="Itä-Uusimaa", n="10", total="30"),
    ]
    assert got == [md_text(x) for x in want]


def _group(g, lang="en"):
    from planner.outputs.i18n import group_label

    return group_label(g, lang)


def test_area_gaps_of_one_group_and_one_need_only():
    res = _results(pd.DataFrame(), _areas())
    assert S.area_gap_sentences(res, "social_any", "fi", "en") == [md_text(x) for x in [
        t("ov.area_proxy", "en", area="Helsinki", n="40", total="100"),
        tn("ov.area_gap", 2, "en", area="Itä-Uusimaa", n="2", group=_group("fi"), why="east reason")]]
    assert S.area_gap_sentences(res, "kela", "sv", "sv") == [md_text(
        tn("ov.area_gap", 3, "sv", area="Helsingfors", n="3", group=_group("sv", "sv"), why="kela reason"))]
    assert S.area_gap_sentences(res, "english", "all", "en") == []


def test_area_gaps_without_a_no_point_column_count_the_unreachable():
    areas = _areas().drop(columns=["pop_no_point", "pop_nearest_proxy"])
    got = S.area_gap_sentences(_results(pd.DataFrame(), areas), "social_any", "sv", "en")
    assert got == [md_text(tn("ov.area_gap", 9, "en", area="Helsinki", n="9", group=_group("sv"),
                              why="sv note"))]


def _region(**extra) -> pd.DataFrame:
    df = pd.DataFrame({
        "area": ["Uusimaa", "Uusimaa"], "need": ["social_any", "kela"], "group": ["sv", "sv"],
        "population": [1234, 1000], "pop_unreachable": [34, 0], "pop_nearest_proxy": [200, 7],
        "no_point_reason": ["far away", ""], "median_min": [12.25, INF], "p90_min": [30.0, np.nan],
        "pct_within_30": [81.25, 0.04], "pct_within_60": [99.96, 50.0], "stats_note": ["", "k note"],
    })
    return df.assign(**extra)


def test_proxy_sentence_counts_proxy_and_no_point_residents_of_the_group():
    res = _results(_region(), pd.DataFrame())
    want = t("ov.proxy", "en", n="200", total="1,234") + " " + \
        tn("ov.no_point_people", 34, "en", n="34", why="far away")
    assert S.proxy_sentence(res, "social_any", "sv", "en") == md_text(want)
    # nobody without a point: the proxy sentence alone
    assert S.proxy_sentence(res, "kela", "sv", "en") == md_text(t("ov.proxy", "en", n="7", total="1,000"))
    assert S.proxy_sentence(res, "kela", "fi", "en") == ""
    no_proxy = _results(_region().drop(columns="pop_nearest_proxy"), pd.DataFrame())
    want = md_text(t("ov.proxy", "en", n="0", total="1,000"))
    assert S.proxy_sentence(no_proxy, "kela", "sv", "en") == want


def test_area_figures_region_first_then_each_area_from_its_own_columns():
    areas = pd.DataFrame({
        "area": ["Helsinki", "Helsinki"], "need": ["kela", "kela"], "group": ["sv", "fi"],
        "population": [600, 999], "pop_unreachable": [3, 0], "pop_nearest_proxy": [5, 0],
        "no_point_reason": ["", ""], "median_min": [8.04, 1.0], "p90_min": [21.96, 1.0],
        "pct_within_30": [66.66, 1.0], "pct_within_60": [100.0, 1.0], "stats_note": ["", ""],
    })
    tab = S.area_figures(_results(_region(), areas), "kela", "sv", "fi")
    assert list(tab.columns) == [t(k, "fi") for k in (
        "col.area", "col.residents", "col.median", "col.p90", "col.pct30", "col.pct60",
        "col.unreachable", "col.proxy", "col.no_point_reason", "col.stats_note")]
    region, hel = tab.iloc[0].tolist(), tab.iloc[1].tolist()
    assert len(tab) == 2
    no = t("ov.no_point", "fi")
    assert region == [t("ov.region", "fi"), 1000, no, no, 0.0, 50.0, 0, 7, "", "k note"]
    assert hel == ["Helsinki", 600, "8,0", "22,0", 66.7, 100.0, 3, 5, "", ""]
    sv = S.area_figures(_results(_region(), areas), "kela", "sv", "sv")
    assert sv.iloc[1, 0] == "Helsingfors" and sv.iloc[0, 0] == t("ov.region", "sv")


def test_area_figures_without_proxy_reason_or_note_columns():
    region = _region().drop(columns=["pop_nearest_proxy", "no_point_reason", "stats_note"])
    tab = S.area_figures(_results(region, region.iloc[:0]), "social_any", "sv", "en")
    assert tab.iloc[0].tolist() == [t("ov.region", "en"), 1234, "12.2", "30.0", 81.2, 100.0, 34, 0, "", ""]


def _change(**kw) -> dict:
    row = {"scenario": "S1", "level": "service_area", "area": "Helsinki", "need": "kela", "group": "sv",
           "population": 210, "pop_unlocated": 10, "pop_within_30_before": 150, "pop_within_30_after": 49,
           "median_min_before": 12.0, "median_min_after": INF, "mean_change_min_served_both": -1.234,
           "pop_lose_gt_10": 4, "pop_lose_gt_20": 2, "pop_lost_access": 3, "pop_better": 6,
           "improved_by_exclusion": 1, "stats_note_after": "after note"}
    row.update(kw)
    return row


def test_change_table_shares_of_the_located_residents_and_signed_changes():
    """Within 30 min before / after as a share of the located residents (population minus
    unlocated: 150 / 200 = 75.0 %, 49 / 200 = 24.5 %); the mean change signed; the region row
    named as the region; rows of another need or group left out."""
    t1 = pd.DataFrame([_change(), _change(need="social_any"), _change(group="fi")])
    t2 = pd.DataFrame([_change(scenario="S2", level="region", area="Uusimaa", population=100, pop_unlocated=0,
                               pop_within_30_before=100, pop_within_30_after=0, median_min_after=20.0,
                               mean_change_min_served_both=0.5, improved_by_exclusion=0,
                               stats_note_after="")])
    tab = S.change_table([t1, t2], "kela", "sv", "en")
    assert list(tab.columns) == [t(k, "en") for k in (
        "col.scenario", "col.area", "col.residents", "col.median_before", "col.median_after",
        "col.mean_change", "col.within30_before", "col.within30_after", "col.lose10", "col.lose20",
        "col.lose_access", "col.gain", "col.exclusion", "col.stats_note")]
    assert tab.iloc[0].tolist() == ["S1", "Helsinki", 210, "12.0", t("ov.no_point", "en"), "\u22121.23",
                                    "75.0%", "24.5%", 4, 2, 3, 6, True, "after note"]
    assert tab.iloc[1].tolist() == ["S2", t("ov.region", "en"), 100, "12.0", "20.0", "+0.50",
                                    "100.0%", "0.0%", 4, 2, 3, 6, False, ""]
    assert list(tab.index) == [0, 1]
    short = S.change_table([t1], "kela", "sv", "fi", with_scenario=False)
    assert t("col.scenario", "fi") not in short.columns and short.iloc[0, 0] == "Helsinki"
    assert short.iloc[0][t("col.within30_before", "fi")] == "75,0\u00a0%"


def test_change_table_with_no_located_resident_shows_no_share():
    tab = S.change_table([pd.DataFrame([_change(population=10, pop_unlocated=10)])], "kela", "sv", "en")
    assert tab.iloc[0][t("col.within30_before", "en")] == "–"


def test_area_proxy_numbers_in_the_language_s_style():
    areas = _areas()
    areas.loc[areas["group"] == "all", "pop_nearest_proxy"] = 1234
    areas.loc[areas["group"] == "all", "population"] = 5678
    got = S.area_gap_sentences(_results(pd.DataFrame(), areas), "kela", "all", "fi")
    assert md_text(t("ov.area_proxy", "fi", area="Helsinki", n="1\u00a0234", total="5\u00a0678")) in got
