"""The handout (issue 13 item 5): `planner brief SCENARIO --out brief.pdf` and the PDF bytes the app
offers for download. Read back with pypdf: two A4 pages, the headline figures as computed, the
worst-off areas, the model and its error, the data year and every source line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from planner.outputs.attribution import attribution_lines, attribution_notice

pypdf = pytest.importorskip("pypdf")
SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"
A4_PT = (595.44, 841.68)


def _pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_PT, abs=1)
    return [" ".join(p.extract_text().split()) for p in reader.pages]


@pytest.fixture(scope="module")
def kela_run(study, baseline):
    from planner.analysis.scenario import load_scenario
    from planner.outputs.report import run_scenarios

    _, runs = run_scenarios(study, [load_scenario(SCENARIOS / "concentrate_kela_offices.yaml")], baseline)
    return runs[0]


@pytest.fixture(scope="module")
def scenario_pdf(study, baseline, kela_run):
    from planner.outputs.brief import brief_pdf

    return brief_pdf(study, baseline, kela_run, "kela", "all", "en")


def test_two_a4_pages_with_title_and_headline_figures(scenario_pdf, kela_run):
    assert scenario_pdf.startswith(b"%PDF") and 20_000 < len(scenario_pdf) < 2_000_000
    first, second = _pages(scenario_pdf)
    assert "Scenario: Concentrate Kela offices in five towns" in first
    assert "Kela office" in first and "Headline figures" in first
    reg = kela_run.comparison["compare_region"]
    r = reg[(reg["need"] == "kela") & (reg["group"] == "all")].iloc[0]
    assert f"{r['mean_min_served_before']:.1f}" in first and f"{r['mean_min_served_after']:.1f}" in first
    assert f"{int(r['population']):,}" in first
    assert f"{int(r['pop_lose_gt_10']):,}" in first
    assert "Change in travel time" in first  # the static map's caption


def test_worst_off_model_error_year_and_sources(scenario_pdf, kela_run):
    _, second = _pages(scenario_pdf)
    wo = kela_run.comparison["worst_off"]
    top = wo[(wo["need"] == "kela") & (wo["group"] == "all")].iloc[0]
    assert "Worst-off areas" in second and top["name"] in second
    assert f"+{top['max_delta_min']:.1f}" in second
    prov = kela_run.results.provenance
    assert "straight-line estimate" in second
    assert "Error (p90, cross-validated): 0-2 km ±" in second
    assert "population data year: 2022" in second
    # every credit line, compared without white space: PDF text extraction may split a word
    # where the font kerns ("T opographic" with pypdf 4.0)
    bare = "".join(second.split())
    for line in attribution_lines(prov):
        assert "".join(line.split()) in bare, line
    # issue 27: that the data was modified, and the licence link (wrapping may cut a URL's line)
    for line in attribution_notice(prov)[len(attribution_lines(prov)):]:
        assert "".join(line.split()) in bare, line
    assert "creativecommons.org/licenses/by/4.0" in bare


def test_baseline_brief_in_finnish(study, baseline):
    from planner.outputs.brief import brief_pdf

    first, second = _pages(brief_pdf(study, baseline, None, "kela", "all", "fi"))
    assert "Nykytila" in first and "Keskeiset luvut" in first
    assert "1 704 809" in first.replace("\u00a0", " ")  # Finnish digit grouping
    assert "Pisimmät matka-ajat" in second and "Hanko" in second


def test_user_text_is_printed_as_typed(study, baseline):
    """A scenario name with mathtext characters is shown verbatim, not parsed (or crashed on)."""
    from planner.analysis.scenario import parse_scenario
    from planner.outputs.brief import brief_pdf
    from planner.outputs.report import run_scenarios

    sc = parse_scenario({"name": "Save $5_000$ a $^year$ \\o/", "changes": [
        {"close": "kela_helsinki_international_house"}]})
    _, runs = run_scenarios(study, [sc], baseline)
    first, _ = _pages(brief_pdf(study, baseline, runs[0], "kela", "all", "en"))
    assert "Save $5_000$ a $^year$ \\o/" in first


@pytest.fixture(scope="module")
def cli():
    app = typer.Typer()
    from planner.cli.brief import brief_command

    app.command("brief")(brief_command)
    app.command("noop")(lambda: None)
    return app


def test_brief_command_writes_atomically(cli, tmp_path):
    out = tmp_path / "brief.pdf"
    out.write_bytes(b"previous handout")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchanges:\n  - close: no_such_point\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["brief", str(bad), "--out", str(out)])
    assert result.exit_code == 2 and "no_such_point" in result.output
    assert out.read_bytes() == b"previous handout"  # a failed run leaves the old file
    result = CliRunner().invoke(cli, ["brief", str(SCENARIOS / "ita_uusimaa_two_hubs.yaml"),
                                      "--out", str(out), "--need", "social_any", "--lang", "sv"])
    assert result.exit_code == 0, result.output
    assert "2 A4 pages" in result.output
    first, _ = _pages(out.read_bytes())
    assert "Scenario: Itä-Uusimaa: two social-service hubs" in first
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_brief_command_refuses_a_non_pdf_name(cli, tmp_path):
    result = CliRunner().invoke(cli, ["brief", "--out", str(tmp_path / "brief.html")])
    assert result.exit_code == 2 and "PDF" in result.output
    assert not (tmp_path / "brief.html").exists()


# --- issue 26 item 10: a handout for a Finnish or Swedish room ---------------------------------


@pytest.fixture(scope="module")
def bus_run(study, baseline):
    from planner.analysis.scenario import load_scenario
    from planner.outputs.report import run_scenarios

    _, runs = run_scenarios(study, [load_scenario(SCENARIOS / "ita_uusimaa_mobile_unit.yaml")], baseline)
    return runs[0]


def _boxes(fig):
    """Every drawn text of a page with its extent in figure pixels."""
    fig.canvas.draw()  # the Agg canvas lays the text out
    renderer = fig.canvas.get_renderer()
    return [(x.get_text(), x.get_window_extent(renderer)) for x in fig.texts if x.get_text().strip()]


def test_page_one_layout_nothing_cut_or_overprinted(study, baseline, bus_run):
    """Heading inside the page, the mobile-unit line on no figure row, whole-minute ticks; the
    page is also written as PNG (tests/artifacts) to be looked at."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from planner.outputs.brief import brief_pages

    for lang in ("en", "fi"):
        fig = brief_pages(study, baseline, bus_run, "social_any", "fi", lang)[0]
        FigureCanvasAgg(fig)
        boxes = _boxes(fig)
        width = fig.bbox.width
        for text, box in boxes:
            assert box.x0 >= 0 and box.x1 <= width, f"cut at the page edge: {text!r}"
        for i, (a, ba) in enumerate(boxes):
            for b, bb in boxes[i + 1:]:
                assert not ba.overlaps(bb), f"overprinted: {a!r} / {b!r}"
        ticks = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() if t.get_text()]
        assert ticks and all(t.lstrip("\u2212").isdigit() for t in ticks), ticks  # no −0.5
        out = Path(__file__).resolve().parent / "artifacts"
        out.mkdir(exist_ok=True)
        fig.savefig(out / f"brief_page1_{lang}.png", dpi=60)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_page_two_every_line_inside_the_page_and_none_overprinted(study, baseline, bus_run, lang):
    """The second page (the model, the data and their sources) keeps every line, heading
    included, inside the page and off the others."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from planner.outputs.brief import brief_pages

    fig = brief_pages(study, baseline, bus_run, "social_any", "sv", lang)[1]
    FigureCanvasAgg(fig)
    boxes = _boxes(fig)
    assert len(boxes) > 10
    for text, box in boxes:
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width, f"cut at the page edge: {text!r}"
        assert box.y0 >= 0 and box.y1 <= fig.bbox.height, f"cut at the page edge: {text!r}"
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            assert not ba.overlaps(bb), f"overprinted: {a!r} / {b!r}"


def test_finnish_handout_figures_of_the_group_shown_and_translated(study, baseline, bus_run):

    from planner.outputs.brief import brief_pdf

    reg = bus_run.comparison["compare_region"]
    fi_pop = int(reg[(reg["need"] == "social_any") & (reg["group"] == "fi")]["population"].iloc[0])
    all_pop = int(reg[(reg["need"] == "social_any") & (reg["group"] == "all")]["population"].iloc[0])
    first, second = (p.replace("\u00a0", " ") for p in
                     _pages(brief_pdf(study, baseline, bus_run, "social_any", "fi", "fi")))
    assert f"{fi_pop:,}".replace(",", " ") in first and f"{all_pop:,}".replace(",", " ") not in first
    # (pypdf at its floor version drops the dash's glyph: compare the words)
    assert "Keskeiset luvut Suomen- ja muunkieliset" in " ".join(first.replace("—", " ").split())
    both = first + " " + second
    for english in ("straight-line estimate", "drive", "postal areas", "service points:", "Swedish speakers:",
                    "not measured", "weight:", "eligibility:", "placeholders with unknown site", "fitted on"):
        assert english not in both, english
    assert "linnuntie-arvio (auto)" in first and "±2,9" in second
    assert "social_any:" not in second and "wellbeing_county_2023" not in second  # needs named
    assert not re.search(r"\d\.\d", first), re.findall(r"\S*\d\.\d\S*", first)  # decimal commas
    assert not re.search(r"\b(inf|Infinity|None|nan)\b", both)


def test_baseline_page_two_of_the_swedish_group_in_swedish(study, baseline):
    """Page 2 of a baseline for the Swedish speakers: their slowest areas (no point said in
    words, not printed over the residents), Swedish municipality names."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from planner.outputs.brief import brief_pages

    fig = brief_pages(study, baseline, None, "social_any", "sv", "sv")[1]
    FigureCanvasAgg(fig)
    boxes = _boxes(fig)
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            assert not ba.overlaps(bb), f"overprinted: {a!r} / {b!r}"
    texts = [x for x, _ in boxes]
    assert "inget serviceställe" in texts and "Träskända" in texts  # Järvenpää in Swedish
    assert "Järvenpää" not in texts


def test_baseline_slowest_areas_minutes_in_the_handouts_language(study, baseline):
    """The slowest areas' minutes on a Finnish baseline handout have a decimal comma, the
    extrapolated ones a star (28: the time column was formatted in English)."""
    from planner.outputs.brief import brief_pages

    texts = [x.get_text() for x in brief_pages(study, baseline, None, "kela", "all", "fi")[1].texts]
    minutes = [x for x in texts if re.fullmatch(r"\d+[.,]\d( \*)?", x)]
    assert len(minutes) >= 10 and all(re.fullmatch(r"\d+,\d( \*)?", x) for x in minutes), minutes
    assert "112,4 *" in minutes  # Hanko 10940, beyond the calibration range


def test_handout_states_the_demand_weight(scenario_pdf, kela_run):
    """Page 2 says by what the residents were weighted (issue 28: the line was printed empty)."""
    _, second = _pages(scenario_pdf)
    weight = kela_run.results.provenance["demand_weight"]
    assert weight.startswith("residents (head count, 2022)")
    assert "".join(f"weight: {weight}; eligibility:".split()) in "".join(second.split())


def _drawn_areas(fig, n: int) -> list[str]:
    """Face colours of the map's area layer (the first layer, one patch per area: all areas of
    the Kela baseline have a finite time)."""
    from matplotlib.colors import to_hex

    areas = fig.axes[0].collections[0]
    drawn = [to_hex(c) for c in areas.get_facecolor()]
    assert len(drawn) == n
    return drawn


def _band(v: float) -> str:
    from matplotlib.colors import to_hex

    from planner.outputs.maps import BANDS

    return to_hex(next(c for upper, _, c in BANDS if v <= upper))  # a band holds its upper edge


def test_baseline_map_areas_coloured_by_their_travel_time_band(study, baseline):
    """Each area of the baseline map has the colour of its travel-time band (≤ 15, 15–30, 30–45,
    45–60, > 60 min; the legend's bands), not a colour by row order."""
    from planner.outputs.brief import brief_pages
    from planner.outputs.maps import _unit_values

    fig = brief_pages(study, baseline, None, "kela", "all", "en")[0]
    units = study.units[study.units["located"]]
    names = study.points.set_index("id")["name"]
    times = _unit_values(study.units, baseline.access, "kela", "all", names[~names.index.duplicated()])[
        "time_min"].reindex(units["unit_id"]).to_numpy(dtype=float)
    assert np.isfinite(times).all()  # every area reaches a Kela office: all drawn in one layer
    drawn = _drawn_areas(fig, len(units))
    assert drawn == [_band(v) for v in times]  # one patch an area, in the units' order
    assert {"#006837", "#ffffcc"} <= set(drawn)  # Helsinki within 15 min, the far west over an hour


def test_an_area_at_exactly_a_band_edge_has_the_colour_the_legend_gives_it(study, baseline):
    """A postal area whose residents are exactly 15.0 / 30.0 / 60.0 min from Kela is in the
    '≤ 15' / '15–30' / '45–60 min' band on the handout's map, as on the web map and in the
    legend; 60.01 min is '> 60'."""
    from copy import copy

    from planner.outputs.brief import brief_pages

    units = study.units[study.units["located"]]
    chosen = dict(zip(units["unit_id"].iloc[:4], (15.0, 30.0, 60.0, 60.01), strict=True))
    access = baseline.access.copy()
    hit = (access["need"] == "kela") & access["unit_id"].isin(chosen)
    access.loc[hit, "time_min"] = access.loc[hit, "unit_id"].map(chosen)
    edged = copy(baseline)
    edged.access = access
    fig = brief_pages(study, edged, None, "kela", "all", "en")[0]
    drawn = dict(zip(units["unit_id"], _drawn_areas(fig, len(units)), strict=True))
    assert [drawn[u] for u in chosen] == ["#006837", "#31a354", "#c2e699", "#ffffcc"]


def test_page_text_sizes_are_the_handouts_own_not_the_matplotlib_style(study, baseline):
    """Every line has its size set: the heading hierarchy (title 16 pt > need and group 11 pt >
    figures 9 pt) holds whatever font size the user's matplotlib style sets."""
    import matplotlib as mpl

    from planner.outputs.brief import brief_pages
    from planner.outputs.i18n import group_label, need_label

    def sizes():
        return [[(x.get_text(), x.get_fontsize()) for x in fig.texts]
                for fig in brief_pages(study, baseline, None, "kela", "fi", "en")]

    plain = sizes()
    with mpl.rc_context({"font.size": 20}):
        assert sizes() == plain
    assert plain[0][:2] == [("Baseline", 16), (f"{need_label('kela', 'en')} — {group_label('fi', 'en')}", 11)]
    assert max(s for _, s in plain[0][2:]) <= 12  # the section headings below the title's lines


def test_a_model_not_named_in_the_provenance_is_said_unknown(study, baseline):
    """Results whose provenance lacks the model's name (a model of someone else's making) print
    '?' for it on both pages, never 'None' as if that were the model's name."""
    import copy

    from planner.outputs.brief import brief_pages

    unnamed = copy.copy(baseline)
    unnamed.provenance = {k: v for k, v in baseline.provenance.items() if k != "model"}
    first, second = ([x.get_text() for x in fig.texts]
                     for fig in brief_pages(study, unnamed, None, "kela", "all", "en"))
    assert not any("None" in x for x in first + second)
    assert first[-1].startswith("? (") and second[second.index("Travel-time model") + 1].startswith("? (")
