"""Charts at their boundaries (planner/outputs/charts.py, issue 28): sizes the callers ask for,
line and bar styles that tell before from after and losses from gains, signs and ticks in the
language, the order of areas with equal change, an empty group, the side panel's HTML."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from planner.outputs import charts as C


def _access() -> pd.DataFrame:
    """fi: 100 people at 5 min, 50 at 15, 30 at 20, 20 reach nothing, 9 unlocated; sv: 10 at 12 min."""
    rows = [("A", "fi", 100, True, 5.0), ("B", "fi", 50, True, 15.0), ("C", "fi", 30, True, 20.0),
            ("D", "fi", 20, True, math.inf), ("E", "fi", 9, False, math.nan), ("A", "sv", 10, True, 12.0)]
    df = pd.DataFrame(rows, columns=["unit_id", "group", "population", "located", "time_min"])
    return df.assign(need="kela", point_id="P")


def test_signed_and_tick_numbers():
    assert C._signed(1.25, "en") == "+1.2" and C._signed(-0.7, "fi") == "\u22120,7"
    assert C._signed(0.0, "en") == "\u00b10.0"            # no change: no direction
    assert C._signed(-0.04, "fi") == "\u00b10,0"          # nor one too small to show ('−0,0' read as a loss)
    assert C._signed(2.345, "en", 2) == "+2.35" or C._signed(2.345, "en", 2) == "+2.34"
    assert C._tick(0.5, "fi") == "0,5" and C._tick(-1.5, "sv") == "\u22121,5" and C._tick(2.0, "en") == "2"
    assert C._tick(-0.001, "en") == "0"                   # a rounded zero carries no minus
    assert C._tick(1234.0, "en") == "1,234" and C._tick(3, "xx") == "3"


def test_cumulative_share_default_grid_all_group_and_an_empty_group():
    c = C.cumulative_share(_access(), "kela", ("fi", "all"))
    fi = c[c["group"] == "fi"]
    assert fi["minutes"].tolist() == [float(m) for m in range(0, 21)]   # 1-minute steps up to the last time
    al = c[c["group"] == "all"].set_index("minutes")
    # all: 210 located residents; at 12 min fi's 100 and sv's 10
    assert al.loc[12.0, "share"] == pytest.approx(110 / 210) and al.loc[12.0, "residents"] == 110
    # a group without any row: an empty table's curve (0 residents, no share), not an error
    empty = C.cumulative_share(_access()[lambda a: a["group"] == "fi"], "kela", ("sv",), step=5.0)
    assert empty["minutes"].tolist() == [0.0] and empty["residents"].tolist() == [0]
    assert empty["share"].isna().all()
    capped = C.cumulative_share(_access(), "kela", ("sv",), step=2.0, max_min=7.0)
    assert capped["minutes"].tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    none = C.cumulative_share(_access().assign(population=0), "kela", ("sv",), step=5.0)
    assert none["share"].isna().all() and none["residents"].eq(0).all()
    reach = _access()
    reach.loc[reach["group"] == "sv", "time_min"] = math.inf   # nobody reaches anything: a grid of 0
    s = C.cumulative_share(reach, "kela", ("sv",))
    assert s["minutes"].tolist() == [0.0] and s["share"].tolist() == [0.0]


def test_cumulative_chart_size_lines_axes_and_legend():
    after = _access()
    after.loc[after["unit_id"] == "B", "time_min"] = 25.0
    fig = C.cumulative_chart(_access(), "kela", after, lang="en", width=420, height=250)
    assert tuple(fig.get_size_inches()) == pytest.approx((5.0, 4.0)) and fig.dpi == 100
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert set(lines) == {f"{g}, {w}" for g in ("Finnish and other languages", "Swedish speakers")
                          for w in ("before", "after")}
    for label, ln in lines.items():
        assert ln.get_linewidth() == 1.6 and ln.get_drawstyle() == "steps-post"
        assert to_hex(ln.get_color()) == ("#0072b2" if label.startswith("Finnish") else "#e69f00")
        assert (ln.get_linestyle() == "-") == label.endswith("after")
    # both lines run to the last finite time of before and after (25 min)
    assert max(lines["Swedish speakers, before"].get_xdata()) == 25.0
    assert ax.get_ylim() == (0.0, 1.0) and ax.get_xlim()[0] == 0.0
    assert ax.get_xlabel() == "Minutes" or ax.get_xlabel() == C._t("minutes", "en")
    assert ax.get_ylabel() == "\n".join(__import__("textwrap").wrap(C._t("share", "en"), 28))
    title = ax.title if ax.title.get_text() else ax._left_title
    assert ax._left_title.get_text() and ax._left_title.get_fontsize() == 10 and title is not None
    assert ax.xaxis.get_gridlines()[0].get_alpha() == 0.3
    (legend,) = fig.legends
    assert legend.get_title().get_text() == C._t("group", "en") and legend.get_title().get_fontsize() == 8
    assert all(x.get_fontsize() == 8 for x in legend.get_texts()) and not legend.get_frame_on()
    assert legend._ncols == 1
    # the y axis as percentages of the language
    fmt = ax.yaxis.get_major_formatter()
    assert fmt(0.5, 0) == "50%" and fmt(1.0, 0) == "100%"
    assert C.cumulative_chart(_access(), "kela", lang="fi").axes[0].yaxis.get_major_formatter()(
        0.5, 0).replace("\u00a0", " ") == "50 %"
    assert tuple(C.cumulative_chart(_access(), "kela").get_size_inches()) == pytest.approx((3.8, 3.4))


def _table() -> pd.DataFrame:
    return pd.DataFrame({"area": ["North", "South", "East", "West"], "need": "kela", "group": "all",
                         "mean_change_min_served_both": [4.0, -2.5, 4.0, np.nan],
                         "population": [10, 20, 30, 40], "pop_lose_gt_10": [0, 1, 0, 0],
                         "pop_lost_access": [0, 0, 0, 0]})


def test_change_by_area_ties_in_name_order_and_only_the_group_asked():
    t = C.change_by_area(pd.concat([_table(), _table().assign(group="fi", area="Z")]), "kela")
    assert t["area"].tolist() == ["East", "North", "South", "West"]      # equal change: by name
    assert list(t.columns) == ["area", "mean_change_min_served_both", "population", "pop_lose_gt_10",
                               "pop_lost_access"]
    sv = C.change_by_area(_table().assign(group="sv"), "kela", "sv")
    assert sv["area"].tolist()[:2] == ["East", "North"]


def test_change_bars_size_colours_labels_and_zero_line():
    fig = C.change_bars(_table(), "kela", "municipality", lang="en", width=340)
    # 4 areas: 4 x 22 = 88 px of bars (at least 60), plus 90 for title and axis; width + 160
    assert tuple(fig.get_size_inches()) == pytest.approx((5.0, 1.78))
    ax = fig.axes[0]
    assert [b.get_height() for b in ax.patches] == pytest.approx([0.7] * 4)
    assert [to_hex(b.get_facecolor()) for b in ax.patches] == ["#b2182b", "#b2182b", "#2166ac", "#2166ac"]
    assert [b.get_width() for b in ax.patches] == [4.0, 4.0, -2.5, 0.0]   # no figure: a bar of 0
    texts = [x.get_text() for x in ax.texts]
    assert texts == ["+4.0", "+4.0", "\u22122.5", "\u2013"]            # no figure: a dash
    assert all(x.get_fontsize() == 7 for x in ax.texts)
    assert all(x.get_fontsize() == 8 for x in ax.get_yticklabels())
    assert [x.get_text() for x in ax.get_yticklabels()] == ["East", "North", "South", "West"]
    assert ax.yaxis_inverted()                               # the largest loss on top
    (zero,) = [ln for ln in ax.get_lines()]
    assert list(zero.get_xdata()) == [0, 0] and to_hex(zero.get_color()) == "#333333"
    assert zero.get_linewidth() == 0.8
    assert ax.margins()[0] == 0.2
    assert ax._left_title.get_text() == C._t("municipality", "en") and ax._left_title.get_fontsize() == 10
    assert ax.get_xlabel() == C._t("change", "en")
    small = C.change_bars(_table().head(1), "kela")
    assert tuple(small.get_size_inches()) == pytest.approx((4.6, 1.5))  # one bar: the 60 px floor


def test_an_area_where_everyone_loses_access_says_so_and_is_not_a_dash():
    # nobody served both before and after: no mean change. West's 40 residents all lost their
    # point (a finding); North had no point before either (nothing to compare: the dash)
    t = _table().assign(mean_change_min_served_both=[np.nan, -2.5, 4.0, np.nan],
                        pop_lost_access=[0, 0, 0, 1234])
    labels = {lang: [x.get_text() for x in C.change_bars(t, "kela", lang=lang).axes[0].texts]
              for lang in ("en", "fi", "sv")}
    assert labels["en"] == ["+4.0", "\u22122.5", "\u2013", "lost access: 1,234"]
    assert labels["fi"] == ["+4,0", "\u22122,5", "\u2013", "menettää palvelun: 1\u00a0234"]
    assert labels["sv"][-1] == "förlorar tillgång: 1\u00a0234"


def test_service_areas_are_named_in_swedish_on_a_swedish_chart():
    t = _table().assign(area=["Länsi-Uudenmaan hyvinvointialue", "South", "East", "West"])
    sv = C.change_bars(t, "kela", "service_area", lang="sv")
    assert "Västra Nylands välfärdsområde" in [x.get_text() for x in sv.axes[0].get_yticklabels()]
    mun = C.change_bars(t, "kela", "municipality", lang="sv")   # municipalities as the table has them
    assert "Länsi-Uudenmaan hyvinvointialue" in [x.get_text() for x in mun.axes[0].get_yticklabels()]


def test_svg_has_no_metadata_and_is_the_same_on_every_run():
    fig = C.change_bars(_table(), "kela")
    a, b = C.chart_svg(fig), C.chart_svg(fig)
    assert a == b and a.startswith("<svg") and "<metadata>" not in a and "<?xml" not in a
    assert "<text" in a                                      # text kept as text


def test_charts_panel_html_and_the_map_panel():
    import folium

    panel = C.charts_panel(["<svg>a</svg>", "<svg>b</svg>"], lang="en", open_=True)
    assert panel.startswith('<div id="planner-charts" style="position:absolute;top:190px;left:10px;'
                            'z-index:998;')
    assert "max-height:calc(100% - 350px);overflow:auto;max-width:min(380px,45%)\"><details open>" in panel
    assert ('<div class="planner-chart" style="margin:6px 0"><svg>a</svg></div>'
            '<div class="planner-chart" style="margin:6px 0"><svg>b</svg></div>'
            "</details></div><script>") in panel
    assert f'<summary style="cursor:pointer;font-weight:bold">{C._t("panel", "en")}</summary>' in panel
    assert "<details>" in C.charts_panel([])
    m = folium.Map(tiles=None)
    assert C.add_charts_panel(m, [C.change_bars(_table(), "kela")], lang="fi", open_=True) is m
    page = m.get_root().render()
    assert page.count('<div id="planner-charts"') == 1 and "<details open>" in page
    assert f">{C._t('panel', 'fi')}</summary>" in page


def test_scenario_charts_of_a_baseline_and_of_a_run():
    class R:
        access = _access()

    assert len(C.scenario_charts(None, R(), need="kela")) == 1
    comparison = {"compare_service_area": _table(), "compare_municipality": _table().head(2)}
    charts = C.scenario_charts(None, R(), R(), comparison, "kela", "fi", "all")
    assert len(charts) == 3
    assert len(charts[1].axes[0].patches) == 4 and len(charts[2].axes[0].patches) == 2
    assert {ln.get_label() for ln in charts[0].axes[0].get_lines()} == {
        "Suomen- ja muunkieliset, ennen", "Suomen- ja muunkieliset, jälkeen",
        "Ruotsinkieliset, ennen", "Ruotsinkieliset, jälkeen"}
    assert charts[1].axes[0]._left_title.get_text() == C._t("service_area", "fi")
