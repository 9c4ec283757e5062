"""The ``planner`` command: thin wrappers over the library functions."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from .checks import check_options, fail
from .options import (
    DATA,
    DEMANDS,
    FORMATS,
    GROUPS,
    MODES,
    NEEDS,
    OUTPUT,
    TIME,
    CsvDialect,
    CsvDialectOpt,
    DateOpt,
    Demand,
    EligibilityOpt,
    Fallback,
    FormatOpt,
    Group,
    LocatedOnlyOpt,
    MatrixKeys,
    Mode,
    Need,
    NetworkOpt,
    PointsOpt,
    TargetGroupsOpt,
    UnlocatedOpt,
    Weight,
    WeightOpt,
    choices,
    comma_choices,
)

app = typer.Typer(help="Uusimaa service-network planner: accessibility, scenarios, maps.",
                  no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False)  # an unforeseen error never prints user data

DemandOpt = typer.Option("postal", "--demand", metavar="KIND", rich_help_panel=DATA,
                         help=f"demand units: {choices(DEMANDS)}")
ModeOpt = typer.Option("drive", "--mode", metavar="MODE", rich_help_panel=TIME,
                       help=f"{choices(MODES)} (pt: estimate only)")
PostalOpt = typer.Option(None, "--postal-areas", help="postal areas with population", rich_help_panel=DATA)
GridOpt = typer.Option(None, "--grid", help="population grid GeoPackage (--demand grid)",
                       rich_help_panel=DATA)
MunisOpt = typer.Option(None, "--municipalities", help="municipality table CSV", rich_help_panel=DATA)
AreasOpt = typer.Option(None, "--service-areas", help="service-area table CSV", rich_help_panel=DATA)
PresetOpt = typer.Option(None, "--preset", metavar="NAME", rich_help_panel=DATA,
                         help="service-area preset of the table: six_areas (default), "
                         "wellbeing_counties_2023")
MatrixOpt = typer.Option(None, "--matrix", rich_help_panel=TIME,
                         help="imported travel-time matrix: Travel Time Matrix folder or a "
                         "from_id,to_id,<minutes> CSV/Parquet (README)")
MatrixColumnOpt = typer.Option("travel_time", "--matrix-column", metavar="NAME", rich_help_panel=TIME,
                               help="the matrix's minutes column, e.g. pt_r_t, car_m_t")
MatrixKeysOpt = typer.Option("cells", "--matrix-keys", metavar="KEYS", rich_help_panel=TIME,
                             help="matrix ids: cells (YKR cells), ids (unit and point ids)")
MatrixFallbackOpt = typer.Option("gaps", "--matrix-fallback", metavar="RULE", rich_help_panel=TIME,
                                 help="pairs without a matrix value: gaps (the estimate fills "
                                 "gaps), estimate, none")
NoMatrixFallbackOpt = typer.Option(False, "--no-matrix-fallback", hidden=True,
                                   help="the same as --matrix-fallback none")
OutFolderOpt = typer.Option(..., "--out", help="output folder", rich_help_panel=OUTPUT)
ReportFormatOpt = typer.Option("csv", "--format", metavar="LIST", rich_help_panel=OUTPUT,
                               parser=comma_choices("--format", FORMATS),
                               help=f"comma-separated: {choices(FORMATS)}")
BaseDemandOpt = typer.Option(None, "--demand", metavar="KIND", rich_help_panel=DATA,
                             help=f"{choices(DEMANDS)} (default: the scenario's base)")
BaseModeOpt = typer.Option(None, "--mode", metavar="MODE", rich_help_panel=TIME,
                           help=f"{choices(MODES)} (default: the scenario's base)")


def _fallback(value: str, no_fallback: bool) -> str:
    """The one --matrix-fallback policy; --no-matrix-fallback (older spelling) is 'none'."""
    if no_fallback and value not in ("gaps", "none"):
        fail(ValueError(f"--no-matrix-fallback contradicts --matrix-fallback {value}: give one of them"))
    return "none" if no_fallback else value


def _version(value: bool) -> None:
    """``--version``: the installed distribution's version (importlib.metadata)."""
    if value:
        from importlib.metadata import version

        typer.echo(f"planner (uusimaa-planner) {version('uusimaa-planner')}")
        raise typer.Exit()


def _written(files: list[Path], stage: Path, out: Path) -> list[Path]:
    """Paths written in the staging folder as they stand after the rename into ``out``."""
    return [out / Path(f).relative_to(stage) for f in files]


def _model(network: Path | str | None, mode: str, demand: str, matrix: Path | None = None,
           matrix_column: str = "travel_time", matrix_keys: str = "cells", matrix_fallback: str = "gaps"):
    """An imported matrix when ``--matrix`` is given; else a road network wherever one is
    available and routes ``mode``, else the estimate (see ``choose_model``); pt / drive_rush
    with --network is a clear error."""
    from ..traveltime.estimate import choose_model

    try:
        if matrix is not None:
            from ..traveltime.imported import matrix_model

            return matrix_model(matrix, matrix_column, matrix_keys, mode, fallback=matrix_fallback)
        return choose_model(network, mode, demand)
    except (ValueError, OSError) as exc:
        fail(exc)


def _study(points, demand, mode, postal, grid, munis, areas, preset, network, date=None,
           include_unlocated=False, eligibility=None, weight="residents", matrix=None,
           matrix_column="travel_time", matrix_keys="cells", matrix_fallback="gaps",
           located_only=False, include_target_groups=False):
    from ..analysis.study import load_study
    from ..errors import PlannerError
    from .options import study_kwargs

    try:
        model = _model(network, mode, demand, matrix, matrix_column, matrix_keys, matrix_fallback)
        study = load_study(points=points, demand=demand, mode=mode, model=model,
                           postal_areas=postal, grid=grid, municipalities=munis,
                           service_areas=areas, preset=preset,
                           **study_kwargs(date, include_unlocated, eligibility, weight, located_only,
                                          include_target_groups))
    except (PlannerError, ValueError) as exc:
        fail(exc)
    if "matrix_coverage" in study.provenance:  # said at once, not only inside the tables
        from ..escape import terminal_text

        typer.echo(terminal_text(f"imported matrix: {study.provenance['matrix_coverage']}"), err=True)
    return study


@app.command()
def report(
    out: Path = OutFolderOpt,
    formats: str = ReportFormatOpt,
    csv_dialect: CsvDialect = CsvDialectOpt,
    need: Need = typer.Option("social_any", "--need", metavar="NEED", rich_help_panel=OUTPUT,
                              help=f"need on the map: {choices(NEEDS)}"),
    group: Group = typer.Option("fi", "--group", metavar="GROUP", rich_help_panel=OUTPUT,
                                help=f"language group on the map: {choices(GROUPS)}"),
    points: Path | None = PointsOpt,
    demand: Demand = DemandOpt,
    postal_areas: Path | None = PostalOpt,
    grid: Path | None = GridOpt,
    municipalities: Path | None = MunisOpt,
    service_areas: Path | None = AreasOpt,
    preset: str | None = PresetOpt,
    mode: Mode = ModeOpt,
    network: Path | None = NetworkOpt,
    matrix: Path | None = MatrixOpt,
    matrix_column: str = MatrixColumnOpt,
    matrix_keys: MatrixKeys = MatrixKeysOpt,
    matrix_fallback: Fallback = MatrixFallbackOpt,
    no_matrix_fallback: bool = NoMatrixFallbackOpt,
    date: str | None = DateOpt,
    include_unlocated_points: bool = UnlocatedOpt,
    located_only: bool = LocatedOnlyOpt,
    include_target_groups: bool = TargetGroupsOpt,
    eligibility: str = EligibilityOpt,
    weight: Weight = WeightOpt,
) -> None:
    """Baseline accessibility tables (CSV by default; xlsx, gpkg, parquet) and an HTML map."""
    from ..analysis.study import evaluate_points
    from ..atomic import atomic_folder
    from ..errors import PlannerError
    from ..outputs.maps import accessibility_map, save_map
    from ..outputs.report import write_bundle

    check_options(need, group, demand, mode, grid=grid,
                  formats=comma_choices("--format", FORMATS)(formats))  # parquet: the extra said first
    matrix_fallback = _fallback(matrix_fallback, no_matrix_fallback)
    try:
        with atomic_folder(out) as stage:  # nothing appears in --out unless everything is written
            study = _study(points, demand, mode, postal_areas, grid, municipalities, service_areas,
                           preset, network, date, include_unlocated_points,
                           eligibility, weight, matrix, matrix_column,
                           matrix_keys, matrix_fallback, located_only=located_only,
                           include_target_groups=include_target_groups)
            res = evaluate_points(study)
            # the one writer of evaluate's bundles; report's CSVs stay in --out itself
            files = write_bundle(study, res, stage, None, formats, csv_dialect, csv_dir="")
            m = accessibility_map(study.units, res.access, study.points, res.provenance, need=need,
                                  group=group, borders=study.borders,
                                  service_areas=study.service_areas, load=res.load)
            files.append(save_map(m, stage / "map.html"))
            files = _written(files, stage, out)
    except (PlannerError, ValueError, OSError) as exc:
        fail(exc)
    region = res.summaries["summary_region"]
    typer.echo(f"model: {res.provenance['model']} ({res.provenance['mode']}); "
               f"population data year {res.provenance['data_year']}; network of "
               f"{res.provenance['network_date']}; {res.provenance['unlocated_points']}; "
               f"{res.provenance['proxy_points']}; "
               f"weight: {res.provenance['demand_weight']}")
    # issue 24: residents with no point before any time figure; an empty median says why
    cols = ["need", "group", "population", "pop_unlocated", "pop_no_point", "median_min", "pct_within_30",
            "stats_note"]
    typer.echo(_shown(region[region["group"] == "all"][cols].round(1)).to_string(index=False))
    for f in files:
        typer.echo(f"wrote {f}")


@app.command()
def calibrate(
    mode: Mode | None = typer.Option(None, "--mode", metavar="MODE",
                                     help=f"one mode: {choices(MODES)} (default: all)"),
    weighting: Literal["population", "cells"] = typer.Option(
        "population", "--weighting", metavar="NAME",
        help="population (residents of the origin cell, HSY 2015), cells"),
    write: bool = typer.Option(False, "--write", help="refit on all destinations and write "
                               "geodata/travel_time_estimate.json"),
    markdown: bool = typer.Option(False, "--markdown", help="print the table as Markdown"),
) -> None:
    """Cross-validated error of the travel-time estimate per mode and distance band."""
    from ..traveltime.calibration import calibrate as run
    from ..traveltime.calibration import markdown_table, write_params
    from ..traveltime.estimate import ESTIMATE_MODES, canonical_mode

    try:
        modes = (canonical_mode(mode),) if mode else ESTIMATE_MODES
    except ValueError as exc:
        fail(exc)
    if write:
        modes, weighting = ESTIMATE_MODES, "population"
    table, pairs = run(weighting=weighting, modes=modes)
    typer.echo(f"leave-one-destination-out over 5 destinations, {weighting}-weighted; "
               "absolute error of the estimate (median / p90)")
    show = table.round({"median_abs_min": 1, "p90_abs_min": 1, "median_abs_pct": 1, "p90_abs_pct": 1})
    typer.echo(markdown_table(show) if markdown else show.to_string(index=False))
    if write:
        typer.echo(f"wrote {write_params(pairs, table)}")


@app.command()
def categories() -> None:
    """List the service-point categories and which needs they serve."""
    from ..inputs.categories import CATEGORIES, NEEDS

    for c in CATEGORIES.values():
        typer.echo(f"{c.code:18} {c.label_en} / {c.label_fi} / {c.label_sv}")
    for n in NEEDS.values():
        typer.echo(f"need {n.code:14} fi: {sorted(n.by_group['fi'])}  sv: {sorted(n.by_group['sv'])}")


@app.command()
def stats(mode: Mode = ModeOpt,
          write_readme: Path | None = typer.Option(None, "--write-readme",
                                                      help="update the numbers block of this README"),
          date: str | None = DateOpt,
          located_only: bool = LocatedOnlyOpt,
          include_target_groups: bool = TargetGroupsOpt,
          ) -> None:
    """Markdown summary of the embedded data (the README's numbers come from here)."""
    import warnings

    from ..analysis.study import evaluate_points, load_study
    from ..errors import PlannerWarning
    from ..outputs.readme import numbers_markdown, replace_block

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        study = load_study(mode=mode, date=date, located_only=located_only,
                           include_target_groups=include_target_groups)
    text = numbers_markdown(study, evaluate_points(study))
    if write_readme:
        write_readme.write_text(replace_block(write_readme.read_text(encoding="utf-8"), text),
                                encoding="utf-8")
    typer.echo(text)


def _scenarios(paths: list[Path]):
    from ..analysis.scenario import load_scenario
    from ..errors import PlannerError

    try:
        return [load_scenario(p) for p in paths]
    except PlannerError as exc:
        fail(exc)


def _base_options(scenarios, demand, mode) -> tuple[str, str]:
    """--demand/--mode given on the command line win; otherwise the scenarios' shared base."""
    bases = {(s.base.get("demand", "postal"), s.base.get("mode", "drive")) for s in scenarios}
    if demand is None or mode is None:
        if len(bases) > 1:
            fail(ValueError(f"the scenarios were built on different bases {sorted(bases)}; "
                             "give --demand and --mode"))
        d, m = bases.pop() if bases else ("postal", "drive")
        demand, mode = demand or d, mode or m
    return demand, mode


@app.command()
def evaluate(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    out: Path = OutFolderOpt,
    formats: str = FormatOpt,
    csv_dialect: CsvDialect = CsvDialectOpt,
    points: Path | None = PointsOpt,
    demand: Demand | None = BaseDemandOpt,
    mobile_units: Path | None = typer.Option(None, "--mobile-units", rich_help_panel=DATA,
                                             help="YAML 'mobile_units: [...]' added to the scenario"),
    mode: Mode | None = BaseModeOpt,
    network: Path | None = NetworkOpt,
    matrix: Path | None = MatrixOpt,
    matrix_column: str = MatrixColumnOpt,
    matrix_keys: MatrixKeys = MatrixKeysOpt,
    matrix_fallback: Fallback = MatrixFallbackOpt,
    no_matrix_fallback: bool = NoMatrixFallbackOpt,
    date: str | None = DateOpt,
    include_unlocated_points: bool = UnlocatedOpt,
    located_only: bool = LocatedOnlyOpt,
    include_target_groups: bool = TargetGroupsOpt,
    eligibility: str = EligibilityOpt,
    weight: Weight = WeightOpt,
) -> None:
    """Evaluate one scenario against the baseline and export every table."""
    from ..atomic import atomic_folder
    from ..errors import PlannerError
    from ..outputs.report import run_scenarios, scenario_overview, write_bundle

    fmts = comma_choices("--format", FORMATS)(formats)  # a tuple already when Click parsed it
    check_options(demand=demand, mode=mode, formats=fmts)
    matrix_fallback = _fallback(matrix_fallback, no_matrix_fallback)
    scs = _scenarios([scenario])
    if mobile_units is not None:
        from ..analysis.mobile import load_mobile_units, with_mobile_units

        try:
            scs = [with_mobile_units(scs[0], load_mobile_units(mobile_units), str(mobile_units))]
        except PlannerError as exc:
            fail(exc)
    demand, mode = _base_options(scs, demand, mode)
    check_options(demand=demand, mode=mode)
    try:
        with atomic_folder(out) as stage:
            study = _study(points or scs[0].base.get("points"), demand, mode, None, None, None, None,
                           None, network, date, include_unlocated_points, eligibility, weight,
                           matrix, matrix_column, matrix_keys, matrix_fallback, located_only=located_only,
                           include_target_groups=include_target_groups)
            _, runs = run_scenarios(study, scs)
            files = _written(write_bundle(study, runs[0].results, stage, runs[0], fmts, csv_dialect), stage,
                             out)
    except (PlannerError, ValueError, OSError) as exc:
        fail(exc)
    _echo_overview(scenario_overview(runs), runs[0].results.provenance)
    for f in files:
        typer.echo(f"wrote {f}")


def _echo_overview(table, prov) -> None:
    from ..escape import terminal_text
    from ..numbers import counted

    typer.echo(f"model: {prov['model']} ({prov['mode']}); population data year {prov['data_year']}")
    # issue 24: lost access before any time figure; a mean over those served says so
    cols = ["scenario", "need", "pop_no_point_after", "pop_lost_access", "mean_min_served_before",
            "mean_min_served_after", "improved_by_exclusion", "pop_lose_gt_10", "pop_lose_gt_20"]
    # scenario names are user text: no control character reaches the terminal
    typer.echo(terminal_text(_shown(table[cols].round(1)).to_string(index=False)))
    flagged = table[table["improved_by_exclusion"]]
    for _, r in flagged.iterrows():
        typer.echo(terminal_text(f"note: {r['scenario']} / {r['need']}: the mean over those served falls "
                                 f"only because {counted(int(r['pop_lost_access']), 'resident')} lost access "
                                 "(improved_by_exclusion)"))


def _shown(df):
    """A table for the terminal: minutes that are not finite (residents without any point) read
    'no point', never inf, nan or None (issue 23)."""
    import numpy as np

    out = df.copy()
    for c in out.columns:
        if out[c].dtype.kind == "f":
            v = out[c].to_numpy(dtype=float)
            out[c] = [f"{x:g}" if np.isfinite(x) else "no point" for x in v]
    return out


@app.command()
def compare(
    scenarios: list[Path] = typer.Argument(..., help="scenario YAML files"),
    out: Path | None = typer.Option(None, "--out", help="output folder for the tables (CSV, xlsx)",
                                    rich_help_panel=OUTPUT),
    csv_dialect: CsvDialect = CsvDialectOpt,
    points: Path | None = PointsOpt,
    demand: Demand | None = BaseDemandOpt,
    mode: Mode | None = BaseModeOpt,
    network: Path | None = NetworkOpt,
    matrix: Path | None = MatrixOpt,
    matrix_column: str = MatrixColumnOpt,
    matrix_keys: MatrixKeys = MatrixKeysOpt,
    matrix_fallback: Fallback = MatrixFallbackOpt,
    no_matrix_fallback: bool = NoMatrixFallbackOpt,
    date: str | None = DateOpt,
    include_unlocated_points: bool = UnlocatedOpt,
    located_only: bool = LocatedOnlyOpt,
    include_target_groups: bool = TargetGroupsOpt,
    eligibility: str = EligibilityOpt,
    weight: Weight = WeightOpt,
) -> None:
    """Compare several scenarios with the baseline and with each other."""
    from contextlib import nullcontext

    import pandas as pd

    from ..atomic import atomic_folder
    from ..errors import PlannerError
    from ..outputs.export import write_csv, write_excel
    from ..outputs.report import run_scenarios, scenario_overview

    check_options(demand=demand, mode=mode)
    matrix_fallback = _fallback(matrix_fallback, no_matrix_fallback)
    scs = _scenarios(scenarios)
    try:  # issue 24: rows are labelled by scenario name: two scenarios with one name are an error
        from ..analysis.scenario import check_distinct_names

        check_distinct_names(scs)
    except PlannerError as exc:
        fail(exc)
    demand, mode = _base_options(scs, demand, mode)
    check_options(demand=demand, mode=mode)
    files: list[Path] = []
    try:
        with atomic_folder(out) if out else nullcontext() as stage:
            study = _study(points, demand, mode, None, None, None, None, None, network, date,
                           include_unlocated_points, eligibility, weight, matrix, matrix_column,
                           matrix_keys, matrix_fallback, located_only=located_only,
                           include_target_groups=include_target_groups)
            baseline, runs = run_scenarios(study, scs)
            overview = scenario_overview(runs)
            if out:
                prov = {**baseline.provenance, "scenario": "; ".join(s.name for s in scs)}
                tables = {"overview": overview}
                for key in ("compare_region", "compare_service_area", "compare_municipality", "equity",
                            "point_load_change", "worst_off"):
                    tables[key] = pd.concat([r.comparison[key] for r in runs], ignore_index=True)
                files = write_csv(tables, stage, prov, csv_dialect) + [
                    write_excel(tables, stage / "comparison.xlsx", prov)]
                files = _written(files, stage, out)
    except (PlannerError, ValueError, OSError) as exc:
        fail(exc)
    _echo_overview(overview, baseline.provenance)
    for f in files:
        typer.echo(f"wrote {f}")


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="print the version and exit")) -> None:
    """Uusimaa service-network planner: accessibility, scenarios, maps."""
    # library warnings (e.g. a user's repaired geometry) show as one plain line each
    import warnings

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
        from ..escape import terminal_text

        typer.secho(f"warning: {terminal_text(message)}", fg=typer.colors.YELLOW, err=True)

    warnings.showwarning = show
    # pyproj's compiled transform on numpy < 2.4 (allowed by the floor) deprecates its own call:
    # nothing the user can act on, so it is not said on every run (pyproject's pytest filter too)
    warnings.filterwarnings("ignore", message="Conversion of an array with ndim > 0 to a scalar",
                            category=DeprecationWarning)


def _mount_subcommands() -> None:
    try:
        from .network import network_app
    except ImportError:  # pragma: no cover - network module optional during development
        pass
    else:
        app.add_typer(network_app, name="network", help="Road networks from OpenStreetMap.")
    try:
        from .map import map_command
    except ImportError:  # pragma: no cover
        pass
    else:
        app.command("map")(map_command)
    try:
        from .optimise import optimise
    except ImportError:  # pragma: no cover - optimise module optional during development
        pass
    else:
        app.command("optimise")(optimise)
    from .geocode import geocode_command

    app.command("geocode")(geocode_command)
    from .brief import brief_command

    app.command("brief")(brief_command)
    from .app import app_command
    from .points import points_app

    app.command("app")(app_command)

    app.add_typer(points_app, name="points", help="Service points from the public registers: fetch, diff.")


_mount_subcommands()

if __name__ == "__main__":  # pragma: no cover
    app()
