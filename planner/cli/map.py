"""``planner map``: one self-contained HTML map of the baseline or a scenario, for workshops.

The file inlines Leaflet and every script and style, so it opens from a USB stick with
no internet; base-map tiles are the only online part and ``--no-tiles`` drops them.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..inputs.categories import NEED_CODES
from ..outputs.i18n import LANGS
from .options import DateOpt, EligibilityOpt, UnlocatedOpt, WeightOpt, study_kwargs

__all__ = ["map_command"]


def fail(msg: object) -> None:
    from ..escape import terminal_text

    typer.secho(f"error: {terminal_text(msg)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def map_command(
    scenario: Path | None = typer.Argument(None, help="scenario YAML file (default: the baseline)"),
    out: Path = typer.Option(Path("map.html"), "--out", help="HTML file to write"),
    need: str = typer.Option("social_any", "--need", help=f"need drawn: {', '.join(NEED_CODES)}"),
    group: str = typer.Option("fi", "--group", help="language group drawn: fi, sv or all"),
    mode: str | None = typer.Option(None, "--mode", help="walk or drive (default: the scenario's base, "
                                    "else drive)"),
    demand: str | None = typer.Option(None, "--demand", help="postal or grid (default: the scenario's "
                                      "base, else postal)"),
    points: Path | None = typer.Option(None, "--points", help="service points file (default: bundled)"),
    network: Path | None = typer.Option(None, "--network", help="stored road network (.npz) instead of "
                                        "the straight-line estimate"),
    tiles: bool = typer.Option(True, "--tiles/--no-tiles", help="OpenStreetMap base map (needs internet "
                               "when viewed; the map stays readable without)"),
    lang: str = typer.Option("en", "--lang", help=f"language of the map text: {', '.join(LANGS)}"),
    date: str | None = DateOpt,
    include_unlocated_points: bool = UnlocatedOpt,
    eligibility: str = EligibilityOpt,
    weight: str = WeightOpt,
    side_by_side: bool = typer.Option(False, "--side-by-side", help="a scenario's before (left) and after "
                                      "(right) as two synchronised maps on one page"),
    catchments: bool = typer.Option(False, "--catchments", help="add each point's catchment area (the "
                                    "units it serves) as a layer, before and after a scenario"),
    charts: bool = typer.Option(True, "--charts/--no-charts", help="a side panel of charts (share of "
                                "residents by travel time; change per service area and municipality), "
                                "drawn as static SVG"),
    cluster_points: bool = typer.Option(False, "--cluster-points", help="join nearby service points in "
                                        "clusters that spread on a click (default: every point its own "
                                        "marker, those of one site on a ring)"),
) -> None:
    """Write one self-contained HTML map (baseline, or a scenario's gains and losses)."""
    import warnings

    from ..errors import PlannerError, PlannerWarning
    from ..outputs.maps import save_map, scenario_map

    if need not in NEED_CODES:
        fail(f"unknown need {need!r}: expected one of {list(NEED_CODES)}")
    if group not in ("fi", "sv", "all"):
        fail(f"unknown language group {group!r}: expected fi, sv or all")
    if lang not in LANGS:
        fail(f"unknown language {lang!r}: expected one of {list(LANGS)}")
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
