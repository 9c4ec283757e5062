"""The words and numbers of the workshop handout, compared in full with reviewed files (issue 28).

For the bundled study, the two A4 pages of the handout (:func:`planner.outputs.brief.brief_pages`)
in Finnish, Swedish and English, for the baseline and for two bundled scenarios: every line of
text in page order (title, need and group, description, mobile units, the map's caption, legend
and colour-bar numbers, the headline figures, the worst-off or slowest areas, the model, data
and source lines, the footers). Read from the page builder's own figures (no picture is
compared), so the approved files hold at every matplotlib version. The reviewed files live in
``tests/test_gaps30_approved_brief/``; refresh with ``--force-regen`` and read the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"
NEED = "social_any"


def page_text(fig) -> list[str]:
    """Every text of one handout page in drawing order (bold ones between ``**``), then the map's
    legend and colour bar."""
    out = [f"**{t.get_text()}**" if t.get_fontweight() in ("bold", 700) else t.get_text() for t in fig.texts]
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None:
            out.append("legend: " + " / ".join(t.get_text() for t in legend.get_texts()))
        if ax.get_label() == "<colorbar>":
            fmt = ax.xaxis.get_major_formatter()
            ticks = ax.get_xticks()
            out.append("colour bar: " + " / ".join(fmt(v, i) for i, v in enumerate(ticks)))
    return out


def handout_text(pages: list) -> str:
    lines = []
    for i, fig in enumerate(pages, 1):
        lines += [f"# page {i}", *page_text(fig)]
    return "\n".join(lines).replace("\xa0", "\u2423") + "\n"


def _run(study, baseline, name: str):
    from planner.analysis.scenario import load_scenario
    from planner.outputs.report import run_scenarios

    return run_scenarios(study, [load_scenario(SCENARIOS / name)], baseline)[1][0]


@pytest.fixture(scope="module")
def bus_run(study, baseline):
    return _run(study, baseline, "ita_uusimaa_mobile_unit.yaml")


@pytest.fixture(scope="module")
def close_run(study, baseline):
    return _run(study, baseline, "close_swedish_appointment_points.yaml")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_baseline_handout_reads_in_each_language_as_reviewed(study, baseline, lang, file_regression):
    from planner.outputs.brief import brief_pages

    pages = brief_pages(study, baseline, None, NEED, "all", lang)
    file_regression.check(handout_text(pages), basename=f"baseline_{lang}", extension=".txt")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_mobile_unit_handout_reads_in_each_language_as_reviewed(study, baseline, bus_run, lang,
                                                                file_regression):
    from planner.outputs.brief import brief_pages

    pages = brief_pages(study, baseline, bus_run, NEED, "all", lang)
    file_regression.check(handout_text(pages), basename=f"mobile_unit_{lang}", extension=".txt")


@pytest.mark.parametrize(("group", "lang"), [("sv", "sv"), ("fi", "en")])
def test_closing_handout_of_one_language_group_reads_as_reviewed(study, baseline, close_run, group, lang,
                                                                 file_regression):
    from planner.outputs.brief import brief_pages

    pages = brief_pages(study, baseline, close_run, NEED, group, lang)
    file_regression.check(handout_text(pages), basename=f"close_sv_points_{group}_{lang}", extension=".txt")


@pytest.mark.parametrize(("group", "lang"), [("sv", "fi"), ("fi", "sv")])
def test_baseline_handout_of_one_language_group_reads_as_reviewed(study, baseline, group, lang,
                                                                  file_regression):
    from planner.outputs.brief import brief_pages

    pages = brief_pages(study, baseline, None, "kela", group, lang)
    file_regression.check(handout_text(pages), basename=f"baseline_kela_{group}_{lang}", extension=".txt")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_handouts_sources_and_modified_statement_are_in_its_language(study, baseline, lang):
    """The map's credits were in the room's language, the handout's in English (fixed)."""
    from planner.outputs.attribution import attribution_lines, licence_lines, modified_statement
    from planner.outputs.brief import brief_pages

    second = "".join("".join(t.get_text() for t in brief_pages(study, baseline, None, "kela", "all",
                                                                   lang)[1].texts).split())
    prov = baseline.provenance
    for line in [*attribution_lines(prov, lang=lang), modified_statement(lang=lang), *licence_lines(prov)]:
        assert "".join(line.split()) in second, line
    for line in attribution_lines(prov):  # the English credit lines are not there
        assert "".join(line.split()) not in second, line


def test_areas_of_lost_access_and_no_change_are_outlined_like_every_other_area(study, baseline, close_run):
    """On paper an area is read by its outline too: the specially coloured ones (lost access, no
    change) keep the thin grey edge of the others, not matplotlib's default."""
    from matplotlib.colors import to_hex

    from planner.outputs.brief import brief_pages
    from planner.outputs.maps import LOST_ACCESS

    ax = brief_pages(study, baseline, close_run, NEED, "sv", "en")[0].axes[0]
    edges = {}
    for c in ax.collections:
        faces = {to_hex(x) for x in c.get_facecolor()}
        if faces & {LOST_ACCESS, "#f7f7f7"} and len(faces) == 1:
            edges[faces.pop()] = {to_hex(x) for x in c.get_edgecolor()}
    assert edges == {LOST_ACCESS: {"#777777"}, "#f7f7f7": {"#777777"}}
    # the closed points: a red cross, as on the web map
    closed = [c for c in ax.collections if c.get_label() == "closed"]
    assert len(closed) == 1 and {to_hex(x) for x in closed[0].get_facecolor()} == {"#d7191c"}


def page_layout(fig) -> list[str]:
    """Where and how each text and panel of a handout page is drawn: figure coordinates (0-1,
    3 decimals), size, weight, colour and alignment of every text; each panel's box."""
    from matplotlib.colors import to_hex

    out = []
    for t in fig.texts:
        x, y = t.get_position()
        words = t.get_text().split("\n")[0][:40]
        out.append(f"text {x:.3f} {y:.3f} size {t.get_fontsize():g} {t.get_fontweight()} "
                   f"{to_hex(t.get_color())} {t.get_ha()}/{t.get_va()}: {words}")
    for ax in fig.axes:
        b = ax.get_position()
        out.append(f"panel {ax.get_label() or '-'} {b.x0:.3f} {b.y0:.3f} {b.width:.3f} {b.height:.3f}")
    return out


def test_the_handout_s_layout_as_reviewed(study, baseline, bus_run, file_regression):
    """The layout of both pages of a scenario's handout (English, the mobile unit's: it has every
    kind of line), so that a moved, resized or recoloured line shows as a diff to review; that
    nothing is cut or overprinted is checked in tests/test_brief.py."""
    from planner.outputs.brief import brief_pages

    pages = brief_pages(study, baseline, bus_run, NEED, "all", "en")
    lines = []
    for i, fig in enumerate(pages, 1):
        lines += [f"# page {i} ({fig.get_figwidth():g} x {fig.get_figheight():g} in)", *page_layout(fig)]
    file_regression.check("\n".join(lines) + "\n", basename="layout_mobile_unit_en", extension=".txt")
