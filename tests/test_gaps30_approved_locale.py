"""The localised tables and texts a planner reads, compared in full with reviewed files (issue 28).

For the bundled study and the bundled scenario that closes Swedish appointment points: the
comparison tables of the Compare page (:func:`planner.outputs.locale.compare_table`: headers,
codes, numbers, lost access in words), the baseline's region summary as the app shows it
(:func:`display` with :func:`column_label` headers), every provenance line
(:func:`prov_text`, :func:`eligibility_text`), every note the tables carry (:func:`note_text`),
the municipality names, signed percentage points and the errors a planner meets
(:func:`error_text`), in Finnish, Swedish and English. Non-breaking spaces are shown as ``␣``.
The reviewed files live in ``tests/test_gaps30_approved_locale/``; refresh with ``--force-regen``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"
LANGS = ["fi", "sv", "en"]


def table_text(df: pd.DataFrame) -> list[str]:
    """A table of text cells as lines: the header, then each row, cells between `` | ``."""
    rows = [" | ".join(str(c) for c in df.columns)]
    rows += [" | ".join(str(v) for v in r) for r in df.itertuples(index=False)]
    return rows


def shown(lines: list[str]) -> str:
    return "\n".join(lines).replace("\xa0", "\u2423") + "\n"


@pytest.fixture(scope="module")
def close_run(study, baseline):
    from planner.analysis.scenario import load_scenario
    from planner.outputs.report import run_scenarios

    return run_scenarios(study, [load_scenario(SCENARIOS / "close_swedish_appointment_points.yaml")],
                         baseline)[1][0]


@pytest.mark.parametrize("lang", LANGS)
def test_compare_page_tables_show_labels_codes_and_numbers_in_each_language_as_reviewed(
        close_run, lang, file_regression):
    from planner.outputs.locale import compare_table

    c = close_run.comparison
    lines = []
    for name, df in (("worst_off", c["worst_off"]), ("equity", c["equity"]),
                     ("compare_region", c["compare_region"]),
                     ("point_load_change", c["point_load_change"][c["point_load_change"]["change"] != 0])):
        lines += [f"# {name}", *table_text(compare_table(df, lang))]
    file_regression.check(shown(lines), basename=f"compare_tables_{lang}", extension=".txt")


@pytest.mark.parametrize("lang", LANGS)
def test_region_summary_as_the_app_shows_it_in_each_language_as_reviewed(baseline, lang, file_regression):
    from planner.outputs.locale import column_label, display

    reg = baseline.summaries["summary_region"]
    out = display(reg, lang).rename(columns=lambda c: column_label(str(c), lang))
    file_regression.check(shown(table_text(out)), basename=f"summary_region_{lang}", extension=".txt")


@pytest.mark.parametrize("lang", LANGS)
def test_provenance_notes_and_names_in_each_language_as_reviewed(study, baseline, close_run, lang,
                                                                   file_regression):
    from planner.outputs.locale import (
        area_name,
        eligibility_text,
        fmt_pp,
        municipality_names,
        note_text,
        prov_text,
    )

    prov = baseline.provenance
    lines = ["# provenance", *(f"{k}: {prov_text(v, lang)}" for k, v in prov.items()),
             f"eligibility in words: {eligibility_text(prov['eligibility'], lang)}"]
    # an imported matrix's coverage and the PT wait note (planner.traveltime writes them in English)
    for extra in ("30 of 40 service points and 100 of 120 origins in the matrix (62.5 % of pairs); "
                  "the other pairs: straight_line_estimate (drive); column car_t read with decimal "
                  "commas; 3 repeated pair(s) with the same minutes read once",
                  "none of the 12 service points has a column in the matrix; the other pairs: "
                  "unreachable (inf)",
                  "excludes the wait before the first leg; the routed door-to-door time with that wait "
                  "(pt_r_t) is longer by a median of 4.5 min (p90 9.25 min) in the calibration set"):
        lines.append(f"imported: {prov_text(extra, lang)}")
    notes: set[str] = set()
    tables = [baseline.summaries["summary_region"], baseline.summaries["summary_service_area"],
              *(close_run.comparison[k] for k in ("compare_region", "compare_service_area", "equity"))]
    for df in tables:
        for col in [c for c in df.columns if "note" in c or "reason" in c]:
            notes |= {str(v) for v in df[col].dropna() if str(v)}
    lines += ["# notes", *(note_text(n, lang) for n in sorted(notes))]
    lines += ["# municipalities", *(f"{k}: {v}" for k, v in municipality_names(study.municipalities,
                                                                            lang).sort_index().items())]
    areas = sorted(study.service_areas["service_area"].unique())
    lines += ["# service areas", *(f"{a}: {area_name(a, lang)}" for a in areas)]
    lines += ["# percentage points", *(f"{v}: {fmt_pp(v, lang)}" for v in (-12.345, -0.04, 0.0, 2.14, 100.0))]
    file_regression.check(shown(lines), basename=f"provenance_notes_names_{lang}", extension=".txt")


@pytest.mark.parametrize("lang", LANGS)
def test_every_error_a_planner_meets_names_file_row_and_field_in_each_language_as_reviewed(
        lang, file_regression):
    from planner.errors import DataError, ScenarioError
    from planner.outputs.locale import error_text

    errors = [
        ScenarioError("unknown point id 'K99' (did you mean 'K09', 'K19'?)", file="plan.yaml", row=3,
                      field="close"),
        ScenarioError("unknown point id \"x'y\"", file="plan.yaml", field="merge"),
        DataError("unknown point id 'Q1'"),
        DataError("lon is not a number: 'abc'", file="points.csv", row=12, field="lon"),
        DataError("the file is empty", file="points.csv"),
        ValueError("not a planner error"),
    ]
    lines = [error_text(e, lang) for e in errors]
    file_regression.check(shown(lines), basename=f"errors_{lang}", extension=".txt")
