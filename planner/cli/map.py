"""``planner map``: one self-contained HTML map of the baseline or a scenario, for workshops.

The file inlines Leaflet and every script and style, so it opens from a USB stick with
no internet; base-map tiles are the only online part and ``--no-tiles`` drops them.
"""

from __future__ import annotations

from pathlib import Path

import typer

from .options import (
    DATA,
    DEMANDS,
    GROUPS,
    LANGS,
    MODES,
    NEEDS,
    OUTPUT,
    TIME,
    DateOpt,
    Demand,
    EligibilityOpt,
    Group,
    Lang,
    Mode,
    Need,
    PointsOpt,
    UnlocatedOpt,
    Weight,
    WeightOpt,
    choices,
    study_kwargs,
)

__all__ = ["map_command"]


def fail(msg: object) -> None:
    from ..escape import terminal_text

    typer.secho(f"error: {terminal_text(msg)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def map_command(
    scenario: Path | None = typer.Argument(None, help="scenario YAML file (default: the baseline)"),
    out: Path = typer.Option(Path("map.html"), "--out", help="HTML file to write", rich_help_panel=OUTPUT),
    need: Need = typer.Option("social_any", "--need", metavar="NEED", rich_help_panel=OUTPUT,
                              help=f"need drawn: {choices(NEEDS)}"),
    group: Group = typer.Option("fi", "--group", metavar="GROUP", rich_help_panel=OUTPUT,
                                help=f"language group drawn: {choices(GROUPS)}"),
    lang: Lang = typer.Option("en", "--lang", metavar="LANG", rich_help_panel=OUTPUT,
                              help=f"language of the map text: {choices(LANGS)}"),
    tiles: bool = typer.Option(True, "--tiles/--no-tiles", rich_help_panel=OUTPUT,
                               help="OpenStreetMap base map (online when viewed)"),
    side_by_side: bool = typer.Option(False, "--side-by-side", rich_help_panel=OUTPUT,
                                      help="a scenario's before and after, side by side"),
    catchments: bool = typer.Option(False, "--catchments", rich_help_panel=OUTPUT,
                                    help="each point's catchment as a layer"),
    charts: bool = typer.Option(True, "--charts/--no-charts", rich_help_panel=OUTPUT,
                                help="a side panel of charts (static SVG)"),
    cluster_points: bool = typer.Option(False, "--cluster-points", rich_help_panel=OUTPUT,
                                        help="join nearby points in clusters"),
    mode: Mode | None = typer.Option(None, "--mode", metavar="MODE", rich_help_panel=TIME,
                                     help=f"{choices(MODES)} (default: the scenario's base, else drive)"),
    network: Path | None = typer.Option(None, "--network", rich_help_panel=TIME,
                                        help="stored road network (.npz) instead of the estimate"),
    demand: Demand | None = typer.Option(None, "--demand", metavar="KIND", rich_help_panel=DATA,
                                         help=f"{choices(DEMANDS)} (default: the scenario's base, "
                                         "else postal)"),
    points: Path | None = PointsOpt,
    date: str | None = DateOpt,
    include_unlocated_points: bool = UnlocatedOpt,
    eligibility: str = EligibilityOpt,
    weight: Weight = WeightOpt,
) -> None:
    """Write one self-contained HTML map (baseline, or a scenario's gains and losses)."""
    import warnings

    from ..errors import PlannerError, PlannerWarning
    from ..outputs.maps import save_map, scenario_map

    if side_by_side and scenario is None:
        fail("--side-by-side compares a scenario with the baseline: give a scenario YAML file")
    from ..atomic import atomic_file, check_out_file

    try:
        check_out_file(out)
        if mode is not None or demand is not None:
            from .checks import check_options

            check_options(demand=demand, mode=mode)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PlannerWarning)
            sc = None
            if scenario is not None:
                from ..analysis.scenario import load_scenario

                sc = load_scenario(scenario)
            base = sc.base if sc is not None else {}
            mode = mode or base.get("mode", "drive")
            demand = demand or base.get("demand", "postal")
            from ..analysis.comparison import compare_all
            from ..analysis.study import evaluate_points, load_study
            from ..traveltime.estimate import choose_model

            model = choose_model(network, mode, demand)

            study = load_study(points=points or base.get("points"), demand=demand, mode=mode, model=model,
                               **study_kwargs(date, include_unlocated_points, eligibility, weight))
            baseline = evaluate_points(study)
            if sc is None:
                m = scenario_map(study, baseline, need, group, tiles="OpenStreetMap" if tiles else None,
                                 lang=lang, catchments=catchments, cluster_points=cluster_points)
                prov = baseline.provenance
                comparison, res = None, None
            elif side_by_side:
                from ..analysis.scenario import evaluate
                from ..outputs.sidebyside import side_by_side_map

                res, applied = evaluate(study, sc, baseline)
                m = side_by_side_map(study, baseline, res, applied, need, group,
                                     tiles="OpenStreetMap" if tiles else None, lang=lang,
                                     catchments=catchments, cluster_points=cluster_points)
                prov = res.provenance
                comparison = compare_all(baseline, res, study.units, study.settings.thresholds_min)
            else:
                from ..analysis.comparison import unit_changes
                from ..analysis.scenario import evaluate

                res, applied = evaluate(study, sc, baseline)
                m = scenario_map(study, res, need, group, applied=applied,
                                 changes=unit_changes(baseline, res),
                                 tiles="OpenStreetMap" if tiles else None, lang=lang,
                                 catchments=catchments, baseline=baseline, cluster_points=cluster_points)
                prov = res.provenance
                comparison = compare_all(baseline, res, study.units, study.settings.thresholds_min)
            if charts:
                from ..outputs.charts import add_charts_panel, scenario_charts

                add_charts_panel(m, scenario_charts(study, baseline, res, comparison, need, lang, group),
                                 lang)
            with atomic_file(out) as tmp:  # a failed write leaves the previous map untouched
                save_map(m, tmp)
            path = out
    except (PlannerError, ValueError, OSError) as exc:
        fail(exc)
    from ..escape import terminal_text

    typer.echo(terminal_text(f"model: {prov['model']} ({prov['mode']}); population data year "
                             f"{prov['data_year']}; scenario: {prov['scenario']}"))
    typer.echo(f"wrote {path} ({path.stat().st_size / 1024:,.0f} kB, self-contained)")
