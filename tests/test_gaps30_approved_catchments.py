"""Catchments before and after a scenario, compared in full with a reviewed file (issue 28).

For the bundled study and the bundled scenario that closes Swedish appointment points, the
Swedish speakers' catchments of the appointment need: per point its residents and median
minutes before and after (:func:`planner.outputs.catchments.catchment_change`, medians to one
decimal as shown), and the accounting line of each side (everyone, in a catchment, with no
point in reach, without a position). The reviewed file lives in
``tests/test_gaps30_approved_catchments/``; refresh with ``--force-regen``.
"""

from __future__ import annotations

from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"


def test_swedish_catchments_before_and_after_closing_points_as_reviewed(study, baseline, file_regression):
    import pandas as pd

    from planner.analysis.scenario import load_scenario
    from planner.outputs.catchments import catchment_areas, catchment_change
    from planner.outputs.report import run_scenarios

    run = run_scenarios(study, [load_scenario(SCENARIOS / "close_swedish_appointment_points.yaml")],
                        baseline)[1][0]
    points = pd.concat([run.applied.points, run.applied.closed_points], ignore_index=True)
    out = []
    for when, access in (("before", baseline.access), ("after", run.results.access)):
        c = catchment_areas(study.units, access, points, "social_any", "sv")
        assert c.population == c.in_catchments + c.unreached + c.unlocated  # nobody lost
        out.append(f"{when}: population {c.population}, in catchments {c.in_catchments}, "
                   f"no point in reach {c.unreached}, no position {c.unlocated}, points {len(c.areas)}, "
                   f"areas {int(c.areas['units'].sum())}")
    t = catchment_change(study.units, baseline.access, run.results.access, points, "social_any", "sv")
    out.append(" | ".join(t.columns))
    for r in t.itertuples(index=False):
        medians = ["–" if v != v else f"{v:.1f}" for v in (r.median_min_before, r.median_min_after)]
        out.append(" | ".join([r.point_id, r.name, r.category, str(r.residents_before),
                               str(r.residents_after), str(r.residents_change), *medians]))
    file_regression.check("\n".join(out) + "\n", basename="catchments_sv", extension=".txt")
