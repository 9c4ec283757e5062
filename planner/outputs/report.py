"""Result bundles: the tables and layers of a baseline or scenario run, written in the
formats an analyst asks for (CSV, Excel, GeoPackage, GeoParquet) plus the HTML map.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..analysis.comparison import compare_all
from ..analysis.fca import fca_table
from ..analysis.scenario import Applied, Scenario, evaluate, scenario_to_yaml
from ..analysis.study import Results, Study, evaluate_points
from .export import unit_times, write_attribution, write_csv, write_excel, write_geopackage, write_geoparquet

__all__ = ["Run", "run_scenarios", "write_bundle", "FORMATS", "scenario_overview"]

FORMATS = ("csv", "xlsx", "gpkg", "parquet")


@dataclass(frozen=True)
class Run:
    """A scenario evaluated against the baseline of the same study."""

    scenario: Scenario
    results: Results
    applied: Applied
    comparison: dict[str, pd.DataFrame]


def run_scenarios(study: Study, scenarios: list[Scenario],
                  baseline: Results | None = None) -> tuple[Results, list[Run]]:
    """Evaluate each scenario and compare it with the baseline (computed once)."""
    baseline = baseline or evaluate_points(study)
    runs = []
    rules = {"eligibility": study.eligibility, "organisers": study.organisers}  # issue 24: as the tables
    fca_before = fca_table(study.units, study.points, study.ttm, **rules)
    for sc in scenarios:
        res, applied = evaluate(study, sc, baseline)
        comparison = compare_all(baseline, res, study.units, study.settings.thresholds_min)
        fca_after = fca_table(study.units, applied.points, applied.ttm, **rules)
        if len(fca_before) and len(fca_after):
            keys = ["unit_id", "need", "group", "population", "catchment_min", "eligibility_rule"]
            comparison["fca_change"] = fca_before.merge(fca_after, on=keys, suffixes=("_before", "_after"))
        runs.append(Run(sc, res, applied, comparison))
    return baseline, runs


def scenario_overview(runs: list[Run]) -> pd.DataFrame:
    """One row per scenario x need (group ``all``, whole region): the headline figures."""
    frames = []
    for r in runs:
        reg = r.comparison["compare_region"]
        reg = reg[reg["group"] == "all"]
        # issue 24: who has no point and who lost it first, then the time figures
        frames.append(reg[["scenario", "need", "population", "pop_no_point_before", "pop_no_point_after",
                           "pop_lost_access", "improved_by_exclusion", "share_served_before",
                           "share_served_after", "mean_min_served_before", "mean_min_served_after",
                           "mean_change_min_served_both", "median_min_before", "median_min_after",
                           "stats_note_before", "stats_note_after", "pop_within_30_before",
                           "pop_within_30_after", "pop_lose_gt_10", "pop_lose_gt_20"]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _tables(study: Study, results: Results, run: Run | None) -> dict[str, pd.DataFrame]:
    points = run.applied.points if run else study.points
    tables = {"service_points": points, **results.tables()}
    if run:
        tables = {**tables, **run.comparison}
        if len(run.applied.closed_points):
            tables["closed_points"] = run.applied.closed_points
    return tables


def write_bundle(study: Study, results: Results, out: str | Path, run: Run | None = None,
                 formats: tuple[str, ...] = FORMATS, csv_dialect: str = "default",
                 csv_dir: str = "csv") -> list[Path]:
    """Write every table of a run in ``formats``; spatial layers keep EPSG:3067.

    CSVs go to ``out/<csv_dir>`` (``""``: ``out`` itself, as ``planner report`` writes them) in
    ``csv_dialect`` (:data:`planner.outputs.export.CSV_DIALECTS`)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    prov = results.provenance
    tables = _tables(study, results, run)
    units = unit_times(study.units, results.access)
    if run is not None:
        ch = run.comparison["unit_changes"]
        wide = ch.pivot(index="unit_id", columns=["need", "group"], values="delta_min")
        wide.columns = [f"delta_{n}_{g}" for n, g in wide.columns]
        units = gpd.GeoDataFrame(units.merge(wide, left_on="unit_id", right_index=True, how="left"),
                                 geometry="geometry", crs=study.units.crs)
    files: list[Path] = []
    text = scenario_to_yaml(run.scenario) if run else None
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s) {sorted(unknown)}: expected {list(FORMATS)}")
    if "csv" in formats:
        files += write_csv({**tables, "demand_units": units}, out / csv_dir, prov, csv_dialect)
    if "xlsx" in formats:
        files.append(write_excel(tables, out / "results.xlsx", prov, text))
    if "gpkg" in formats:
        summaries = {k: v for k, v in tables.items() if k.startswith(("summary_", "compare_"))}
        layers = {"demand_units": units, "service_points": tables["service_points"], **summaries}
        if run is not None and len(run.applied.closed_points):
            layers["closed_points"] = run.applied.closed_points
        files.append(write_geopackage(layers, out / "results.gpkg", prov))
    if "parquet" in formats:
        files.append(write_geoparquet(units, out / "demand_units.parquet", prov))
        files.append(write_geoparquet(tables["service_points"], out / "service_points.parquet", prov))
    if run is not None:
        path = out / "scenario.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    sidecar = write_attribution(out, prov)  # credit, licence links, "modified": for every file here
    return files if sidecar in files else [*files, sidecar]
