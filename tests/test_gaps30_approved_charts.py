"""The words and numbers of the charts, compared in full with reviewed files (issue 28).

For the bundled study and the bundled scenario that closes Swedish appointment points, the
charts of the map's side panel and the app (cumulative share before / after, change bars per
service area and municipality) in Finnish, Swedish and English: every text of the static SVG
(title, axis labels, tick numbers, bar values, area names, legend), in the SVG's order, and
the panel's own heading. No picture or coordinate is compared. The reviewed files live in
``tests/test_gaps30_approved_charts/``; refresh with ``--force-regen``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"


def svg_texts(svg: str) -> list[str]:
    """The text of every ``<text>`` element of a matplotlib SVG (``svg.fonttype`` none)."""
    return [html.unescape(re.sub(r"<[^>]+>", "", x)).replace("\xa0", "\u2423")
            for x in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)]


@pytest.fixture(scope="module")
def close_run(study, baseline):
    from planner.analysis.scenario import load_scenario
    from planner.outputs.report import run_scenarios

    return run_scenarios(study, [load_scenario(SCENARIOS / "close_swedish_appointment_points.yaml")],
                         baseline)[1][0]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_scenario_charts_say_in_each_language_as_reviewed(study, baseline, close_run, lang, file_regression):
    from planner.outputs.charts import chart_svg, charts_panel, scenario_charts

    charts = scenario_charts(study, baseline, close_run.results, close_run.comparison, "social_any", lang,
                             group="sv")
    out = []
    for i, fig in enumerate(charts, 1):
        out += [f"# chart {i}", *svg_texts(chart_svg(fig))]
    panel = charts_panel([], lang)
    out += ["# panel", re.search(r"<summary[^>]*>(.*?)</summary>", panel).group(1)]
    file_regression.check("\n".join(out) + "\n", basename=f"scenario_charts_{lang}", extension=".txt")
