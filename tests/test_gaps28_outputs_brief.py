"""The handout's layout grid and map symbols, read from its matplotlib figures (issue 28).

The A4 handout is read on paper: its lines must keep the grid the module lays out (title 16 pt
bold, need and group 11 pt, the scenario's description 8 pt grey, captions 9 pt italic, the
figures table at 9 pt with labels left and values right-aligned in the Before / After columns,
section headings 13 pt bold, body 8.5 pt, a grey 7 pt footer naming the page), each line one
step below the one before, and its map must mark open, closed, and mobile-unit points each
with its own symbol. A line moved onto another, a dropped size or a lost symbol is a page that
reads wrong; these tests pin each value from that grid.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"


def lines(fig) -> list[tuple]:
    """(x, y, size, weight, style, ha, colour, text) of each text of a page, y rounded."""
    return [(round(x.get_position()[0], 4), round(x.get_position()[1], 4), x.get_fontsize(),
             x.get_fontweight(), x.get_fontstyle(), x.get_ha(), to_hex(x.get_color()), x.get_text())
            for x in fig.texts]


@pytest.fixture(scope="module")
def bus_run(study, baseline):
    from planner.analysis.scenario import load_scenario
    from planner.outputs.report import run_scenarios

    _, runs = run_scenarios(study, [load_scenario(SCENARIOS / "ita_uusimaa_mobile_unit.yaml")], baseline)
    return runs[0]


@pytest.fixture(scope="module")
def bus_pages(study, baseline, bus_run):
    from planner.outputs.brief import brief_pages

    return brief_pages(study, baseline, bus_run, "social_any", "all", "en")


@pytest.fixture(scope="module")
def base_pages(study, baseline):
    from planner.outputs.brief import brief_pages

    return brief_pages(study, baseline, None, "social_any", "all", "en")


def test_scenario_page_one_top_block_steps_down_line_by_line(bus_pages, bus_run):
    """Title (16 pt bold, two lines 0.024 apart), need and group (11 pt, 0.018 apart), the
    description (8 pt grey, 0.013 apart, at most three lines), the mobile unit (8 pt bold), then
    the map's caption (9 pt italic) just under it; the map's frame fills the page below."""
    from planner.outputs.brief import mobile_lines

    page = lines(bus_pages[0])
    top = page[:9]
    ys = [y for _, y, *_ in top]
    assert [x for x, *_ in top] == [0.06] * 9 and all(r[5] == "left" for r in top)
    assert [r[2:5] for r in top[:2]] == [(16, "bold", "normal")] * 2
    assert top[0][7] == textwrap.wrap("Scenario: " + bus_run.scenario.name, 58)[0]
    assert [r[2:5] for r in top[2:4]] == [(11, "normal", "normal")] * 2
    assert [(r[2], r[6]) for r in top[4:7]] == [(8, "#333333")] * 3
    assert top[7][2:5] == (8, "bold", "normal") and top[7][7] == mobile_lines(bus_run.applied.points)[0]
    assert top[8][2:5] == (9, "normal", "italic")
    assert top[8][7].startswith("Change in travel time")
    assert np.allclose(np.diff(ys), [-0.024, -0.024, -0.018, -0.018, -0.013, -0.013, -0.013, -0.020],
                       atol=1e-9), ys
    assert ys[0] == 0.955
    # the map's axes: from 0.35 of the page up to 0.02 below the last line
    # (the colour bar takes 4 % of that height at its foot, after a 2 % gap)
    frame = bus_pages[0].axes[0].get_position(original=True)
    bar = bus_pages[0].axes[1].get_position(original=True)
    height = (ys[8] + 0.006) - 0.37
    assert (frame.x0, frame.width, frame.y1) == pytest.approx((0.04, 0.92, 0.35 + height))
    assert (bar.x0, bar.y0, bar.height) == pytest.approx((0.04, 0.35, 0.04 * height))
    assert frame.y0 == pytest.approx(0.35 + 0.06 * height)


def test_page_one_figures_table_keeps_its_columns_and_rows(bus_pages, base_pages):
    for pages, heads in ((bus_pages, ["Before", "After"]), (base_pages, ["Now"])):
        page = lines(pages[0])
        i = next(k for k, r in enumerate(page) if r[7].startswith("Headline figures"))
        assert page[i][:5] == (0.06, 0.305, 12, "bold", "normal")
        cols = page[i + 1:i + 1 + len(heads)]
        assert [(r[0], r[1], r[2], r[3], r[5], r[7]) for r in cols] == [
            (x, 0.275, 9, "bold", "right", h) for x, h in zip((0.55, 0.80), heads, strict=False)]
        rows = page[i + 1 + len(heads):-1]
        assert len(rows) % 3 == 0 and len(rows) >= 18
        for k in range(0, len(rows), 3):
            label, a, b = rows[k:k + 3]
            y = round(0.275 - 0.022 * (k // 3 + 1), 4)
            assert [(r[0], r[1], r[2], r[5]) for r in (label, a, b)] == [
                (0.06, y, 9, "left"), (0.55, y, 9, "right"), (0.80, y, 9, "right")], label
        assert rows[0][7] == "Residents" and rows[0 + 1][7] == rows[0 + 2][7] if heads != ["Now"] else True
        footer = page[-1]
        assert footer[:3] == (0.06, 0.03, 7) and footer[6] == "#555555"
        assert footer[7].endswith(" — page 1/2")


def _grid_after(page: list[tuple], heading: str, step: float) -> list[tuple]:
    """The heading's row and the 8.5 pt lines below it, checked one ``step`` apart."""
    i = next(k for k, r in enumerate(page) if r[7] == heading)
    assert page[i][2:5] == (13, "bold", "normal") and page[i][0] == 0.06, page[i]
    body = []
    for r in page[i + 1:]:
        if r[2] != 8.5:
            break
        body.append(r)
    assert body, heading
    ys = [page[i][1]] + [r[1] for r in body]
    assert np.allclose(np.diff(ys), -step, atol=1e-9), (heading, ys)
    return [page[i], *body]


def test_page_two_sections_step_down_from_the_table(bus_pages, base_pages, bus_run):
    """Page 2: the table's heading (13 pt bold) at 0.95, its column heads 0.03 below, rows 0.021
    apart; then 'Travel-time model', 'Data', 'Sources', each 13 pt bold, 0.05 below the table and
    0.04 below the section before, their lines 8.5 pt 0.017 apart; a grey 7 pt footer."""
    for pages, first, last_head in ((bus_pages, "Largest increases in travel time", "Change (min)"),
                                    (base_pages, "Longest travel times", "Travel time (min)")):
        page = lines(pages[1])
        assert page[0][:5] == (0.06, 0.95, 13, "bold", "normal")
        heads = page[1:5]
        assert [(r[0], r[1], r[2], r[3], r[5]) for r in heads] == [
            (0.06, 0.92, 9, "bold", "left"), (0.47, 0.92, 9, "bold", "left"),
            (0.70, 0.92, 9, "bold", "right"), (0.94, 0.92, 9, "bold", "right")]
        assert [r[7] for r in heads] == ["Area", "Municipality", "Residents", last_head]
        model = next(k for k, r in enumerate(page) if r[7] == "Travel-time model")
        table = page[5:model]
        if pages is base_pages:
            assert page[0][7] == first and len(table) == 4 * 12          # worst=12 rows
        for k, r in enumerate(table):
            assert r[1] == round(0.92 - 0.021 * (k // 4 + 1), 4) and r[2] == 9 and r[3] == "normal", r
        y_table = table[-1][1] if table else round(0.92 - 0.021, 4)
        m = _grid_after(page, "Travel-time model", 0.017)
        assert m[0][1] == pytest.approx(y_table - 0.05)
        d = _grid_after(page, "Data", 0.017)
        assert d[0][1] == pytest.approx(m[-1][1] - 0.04)
        s = _grid_after(page, "Sources", 0.017)
        assert s[0][1] == pytest.approx(d[-1][1] - 0.04)
        title = "Baseline" if pages is base_pages else f"Scenario: {bus_run.scenario.name}"
        assert page[-1][:3] == (0.06, 0.03, 7) and page[-1][6] == "#555555"
        assert page[-1][7] == f"{title} — page 2/2"


def test_scenario_map_marks_open_closed_and_mobile_points_each_its_own_way(bus_pages):
    """Open points: small dark dots with a white rim; closed: larger red crosses above them;
    the mobile unit's stops: yellow squares on top, its tour a dashed dark line; areas outlined
    grey, municipal borders darker; the legend at the lower right in 7 pt."""
    ax = bus_pages[0].axes[0]
    scatter = {c.get_label(): c for c in ax.collections if c.get_label() in
               ("open point", "closed", "mobile-unit stop")}
    assert set(scatter) == {"open point", "closed", "mobile-unit stop"}
    o, c, s = scatter["open point"], scatter["closed"], scatter["mobile-unit stop"]
    assert (o.get_sizes()[0], to_hex(o.get_facecolor()[0]), to_hex(o.get_edgecolor()[0]),
            o.get_linewidths()[0], o.get_zorder()) == (22, "#111111", "#ffffff", 0.6, 3)
    assert (c.get_sizes()[0], to_hex(c.get_facecolor()[0]), c.get_linewidths()[0], c.get_zorder()) == \
        (50, "#d7191c", 2, 4)
    assert (s.get_sizes()[0], to_hex(s.get_facecolor()[0]), to_hex(s.get_edgecolor()[0]),
            s.get_linewidths()[0], s.get_zorder()) == (55, "#ffd92f", "#333333", 1.0, 5)
    assert len(s.get_offsets()) == 4                   # the bus's four stops, each once
    (tour,) = ax.lines
    assert (to_hex(tour.get_color()), tour.get_linewidth(), tour.get_linestyle(), tour.get_zorder()) == \
        ("#333333", 1.2, "--", 3)
    assert len(tour.get_xdata()) == 4
    legend = ax.get_legend()
    assert legend._loc == 4 and legend.get_texts()[0].get_fontsize() == 7
    assert [x.get_text() for x in legend.get_texts()] == ["open point", "closed", "mobile-unit stop"]
    polys = [c for c in ax.collections if type(c).__name__ == "_GeoPandasPolyCollection"]
    # areas without a figure: light grey with a lighter outline; the others outlined #777777
    assert polys and all(p.get_linewidths()[0] == 0.15 and to_hex(p.get_edgecolor()[0]) ==
                         ("#bbbbbb" if to_hex(p.get_facecolor()[0]) == "#f2f2f2" else "#777777")
                         for p in polys)
    borders = [c for c in ax.collections if type(c).__name__ == "LineCollection"]
    assert [(to_hex(b.get_color()[0]), b.get_linewidths()[0]) for b in borders] == [("#333333", 0.5)]
    assert not ax.axison and ax.get_aspect() == 1.0
    # the colour bar under the map: horizontal, whole minutes, 7 pt labels, 0 in the middle
    bar = bus_pages[0].axes[1]
    ticks = [t.get_text() for t in bar.get_xticklabels()]
    assert ticks == ["\u221220", "\u221210", "0", "10", "20"]
    assert all(t.get_fontsize() == 7 for t in bar.get_xticklabels())
    assert bar.get_position(original=True).width > 5 * bar.get_position(original=True).height


def test_pdf_metadata_names_the_scenario_model_and_year(study, baseline, bus_run):
    pypdf = pytest.importorskip("pypdf")
    from planner.outputs.brief import brief_pdf

    meta = pypdf.PdfReader(io.BytesIO(brief_pdf(study, baseline, bus_run, "social_any", "all"))).metadata
    prov = bus_run.results.provenance
    assert meta["/Title"] == f"Scenario: {bus_run.scenario.name}"
    assert meta["/Creator"] == "Uusimaa service-network planner"
    assert meta["/Subject"] == f"{prov['model']}; population data year {prov['data_year']}"
    meta = pypdf.PdfReader(io.BytesIO(brief_pdf(study, baseline, None, "kela", "all", "fi"))).metadata
    assert meta["/Title"] == "Nykytila"


# --- hand-made figures and the handout's edge cases ------------------------------------------------


def test_baseline_headline_figures_of_the_group_with_a_median_among_those_without_a_point():
    import pandas as pd

    from planner.outputs.brief import headline_figures

    region = pd.DataFrame({"need": ["kela", "kela", "kela"], "group": ["all", "sv", "fi"],
                           "population": [0, 2000, 9], "pop_no_point": [0, 1500, 0],
                           "share_served": [np.nan, 0.25, 1.0], "mean_min_served": [np.nan, 12.345, 5.0],
                           "median_min": [np.nan, np.inf, np.nan], "stats_note": ["", "median falls ...", ""],
                           "pop_within_30": [0, 400, 9]})
    assert headline_figures(region, "kela", scenario=False, group="sv") == [
        ("Residents", "2,000", ""), ("No point in reach", "1,500", ""), ("Share with a point", "25.0%", ""),
        ("Mean travel time of those served (min)", "12.3", ""),
        ("Median travel time (min)", "among those with no point", ""),   # said in words, not inf
        ("Within 30 min", "400 (20.0%)", "")]
    empty = headline_figures(region, "kela", scenario=False, group="all")
    assert empty[-1] == ("Within 30 min", "0 (–)", "") and empty[4] == ("Median travel time (min)", "–", "")
    assert headline_figures(region, "kela", "fi", scenario=False, group="fi")[0] == ("Asukkaat", "9", "")


def test_scenario_headline_figures_mark_a_mean_improved_only_by_lost_access():
    import pandas as pd

    from planner.outputs.brief import headline_figures

    r = {"need": "kela", "group": "all", "population": 1000, "pop_no_point_before": 0,
         "pop_no_point_after": 10,
         "pop_lost_access": 10, "share_served_before": 1.0, "share_served_after": 0.99,
         "mean_min_served_before": 20.0, "mean_min_served_after": 19.0, "improved_by_exclusion": True,
         "median_min_before": 18.0, "stats_note_before": "", "median_min_after": np.inf,
         "stats_note_after": "median falls", "pop_within_30_before": 900, "pop_within_30_after": 850,
         "pop_lose_gt_10": 50, "pop_lose_gt_20": 5}
    rows = headline_figures(pd.DataFrame([r]), "kela")
    assert rows == [
        ("Residents", "1,000", "1,000"), ("No point in reach", "0", "10"), ("Lose access", "", "10"),
        ("Share with a point", "100.0%", "99.0%"),
        ("Mean travel time of those served (min)", "20.0", "19.0 *"),
        ("Median travel time (min)", "18.0", "among those with no point"),
        ("Within 30 min", "900 (90.0%)", "850 (85.0%)"), ("Lose more than 10 min", "", "50 (5.0%)"),
        ("Lose more than 20 min", "", "5 (0.5%)")]
    plain = headline_figures(pd.DataFrame([{**r, "improved_by_exclusion": False}]), "kela")
    assert plain[4][2] == "19.0"


@pytest.fixture(scope="module")
def edge_run(bus_run):
    """The bus scenario with a long name and description, an 'improved only by exclusion' mean
    and a worst-off table of 15 areas (one name too long for its column, one losing access)."""
    from dataclasses import replace

    import pandas as pd

    name = "A scenario whose name is far too long for a single line of the handout's title block " * 2
    desc = " ".join(f"word{i}" for i in range(120))
    reg = bus_run.comparison["compare_region"].copy()
    hit = (reg["need"] == "social_any") & (reg["group"] == "all")
    reg.loc[hit, "improved_by_exclusion"] = True
    reg.loc[hit, "pop_lost_access"] = 1234
    wo = pd.DataFrame({"need": "social_any", "group": "all", "name": [f"Area {i}" for i in range(15)],
                       "municipality": "Porvoo", "population": 100, "max_delta_min": np.arange(15.0, 0, -1)})
    wo.loc[0, "name"] = "X" * 60
    wo.loc[1, "max_delta_min"] = np.inf
    wo = pd.concat([wo, wo.assign(group="fi", name="Finnish only")], ignore_index=True)
    scenario = replace(bus_run.scenario, name=name.strip(), description=desc)
    return replace(bus_run, scenario=scenario, comparison={**bus_run.comparison, "compare_region": reg,
                                                           "worst_off": wo})


def test_long_title_and_description_are_cut_and_say_so(study, baseline, edge_run):
    from planner.outputs.brief import brief_pages

    page = lines(brief_pages(study, baseline, edge_run, "social_any", "all", "en")[0])
    titles = [r for r in page if r[2] == 16]
    assert [r[7] for r in titles] == textwrap.wrap("Scenario: " + edge_run.scenario.name, 58)[:2]
    desc = [r for r in page if r[2] == 8 and r[6] == "#333333"]
    wrapped = textwrap.wrap(edge_run.scenario.description, 125)
    assert len(wrapped) > 3 and [r[7] for r in desc] == [*wrapped[:2], wrapped[2] + " …"]
    # the exclusion note under the last figure row, and the starred mean
    rows = [r for r in page if r[0] == 0.80 and r[2] == 9]
    assert any(r[7].endswith(" *") for r in rows)
    note = [r for r in page if r[7].startswith("* ")]
    assert [(r[0], r[1], r[2], r[4], r[7]) for r in note] == [
        (0.06, round(rows[-1][1] - 0.022, 4), 8, "italic",
         "* The mean of those served falls only because 1,234 residents lost access")]


def test_worst_off_rows_are_cut_to_the_column_and_the_limit(study, baseline, edge_run):
    from planner.outputs.brief import brief_pages

    page = lines(brief_pages(study, baseline, edge_run, "social_any", "all", "en", worst=12)[1])
    model = next(k for k, r in enumerate(page) if r[7] == "Travel-time model")
    cells = [r[7] for r in page[5:model]]
    assert len(cells) == 4 * 12 and "Finnish only" not in cells     # the 'all' rows, at most 12
    assert cells[0] == "X" * 47 + "…" and cells[3] == "+15.0"
    assert cells[4:8] == ["Area 1", "Porvoo", "100", "Lose access"]
    none = __import__("dataclasses").replace(
        edge_run, comparison={**edge_run.comparison, "worst_off": edge_run.comparison["worst_off"].head(0)})
    page = lines(brief_pages(study, baseline, none, "social_any", "all", "en")[1])
    row = [r for r in page if r[7] == "No area loses time in this scenario."]
    assert [(r[0], r[1], r[2]) for r in row] == [(0.06, round(0.92 - 0.021, 4), 9)]


def test_map_colours_no_change_neutral_and_baseline_ticks_at_the_band_edges(bus_pages, base_pages):
    """A scenario's area changing by less than half a minute either way is neutral grey (#f7f7f7),
    never the first loss step; the baseline's colour bar is ticked at the bands' edges only."""
    ax = bus_pages[0].axes[0]
    faces = {to_hex(c.get_facecolor()[0]) for c in ax.collections if type(c).__name__ ==
             "_GeoPandasPolyCollection"}
    assert "#f7f7f7" in faces
    neutral = [c for c in ax.collections if type(c).__name__ == "_GeoPandasPolyCollection"
               and to_hex(c.get_facecolor()[0]) == "#f7f7f7"][0]
    assert {to_hex(x) for x in neutral.get_facecolor()} == {"#f7f7f7"}
    bar = base_pages[0].axes[1]
    assert [t.get_text() for t in bar.get_xticklabels()] == ["15", "30", "45", "60"]
    assert bar.get_xlim() == (0.0, 240.0)
    assert bus_pages[0].axes[1].get_xlim() == (-60.0, 60.0)


def test_slowest_areas_default_to_everyone_population_weighted(study, baseline):
    """Page 2 of a baseline lists the units by their population-weighted minutes of both groups
    (the 'all' group) unless a group is given; units without residents are left out."""
    from planner.outputs.brief import _unit_values_for
    from planner.outputs.maps import _unit_values

    names = study.points.set_index("id")["name"]
    got = _unit_values_for(study, baseline, "kela", names)
    want = _unit_values(study.units, baseline.access, "kela", "all", names[~names.index.duplicated()])
    want = want[want["residents"] > 0]
    assert len(got) == len(want) and (got["residents"] > 0).all()
    assert got["time_min"].tolist() == sorted(want["time_min"].tolist(), reverse=True)
    assert got["time_min"].to_dict() == want["time_min"].to_dict()


def test_map_symbols_keep_their_widths_whatever_the_users_matplotlib_style(study, baseline, bus_run):
    """A user's style (thicker default lines and patch edges) changes no symbol of the handout's map:
    each marker and line has its own width."""
    import matplotlib as mpl

    from planner.outputs.brief import brief_pages

    with mpl.rc_context({"patch.linewidth": 3.0, "lines.linewidth": 4.0, "lines.markeredgewidth": 5.0}):
        ax = brief_pages(study, baseline, bus_run, "social_any", "all", "en")[0].axes[0]
    widths = {c.get_label(): c.get_linewidths()[0] for c in ax.collections
              if c.get_label() in ("open point", "closed", "mobile-unit stop")}
    assert widths == {"open point": 0.6, "closed": 2, "mobile-unit stop": 1.0}
    assert ax.lines[0].get_linewidth() == 1.2
    polys = [c for c in ax.collections if type(c).__name__ == "_GeoPandasPolyCollection"]
    assert {c.get_linewidths()[0] for c in polys} == {0.15}


def test_no_network_line_for_a_straight_line_model_and_no_invented_weight(study, baseline, base_pages):
    """A straight-line estimate used no road network: page 2 names none; results whose provenance
    has no demand weight print the weight empty, nothing in its place."""
    import copy

    from planner.outputs.brief import brief_pages

    assert baseline.provenance["network_source"].startswith("none")
    assert not any(r[7].startswith("network:") for r in lines(base_pages[1]))
    bare = copy.copy(baseline)
    left_out = ("demand_weight", "network_source")
    bare.provenance = {k: v for k, v in baseline.provenance.items() if k not in left_out}
    text = " ".join(r[7] for r in lines(brief_pages(study, bare, None, "kela", "all", "en")[1]))
    assert "weight: ; eligibility:" in text and "XX" not in text and "network:" not in text
