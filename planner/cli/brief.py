"""``planner brief``: the two-page A4 PDF handout of a scenario (or the baseline) for a workshop."""

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

__all__ = ["brief_command"]


def fail(msg: object) -> None:
    from ..escape import terminal_text

    typer.secho(f"error: {terminal_text(msg)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def brief_command(
    scenario: Path | None = typer.Argument(None, help="scenario YAML file (default: the baseline)"),
    out: Path = typer.Option(Path("brief.pdf"), "--out", help="PDF file to write", rich_help_panel=OUTPUT),
    need: Need = typer.Option("social_any", "--need", metavar="NEED", rich_help_panel=OUTPUT,
                              help=f"need: {choices(NEEDS)}"),
    group: Group = typer.Option("all", "--group", metavar="GROUP", rich_help_panel=OUTPUT,
                                help=f"language group of the map and figures: {choices(GROUPS)}"),
    lang: Lang = typer.Option("en", "--lang", metavar="LANG", rich_help_panel=OUTPUT,
                              help=f"language of the handout: {choices(LANGS)}"),
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
    """Write a two-page A4 PDF handout: map, headline figures, worst-off areas, model, sources.

    The model's error, the data year and the credit lines are on page 2."""
    import warnings

    from ..atomic import check_out_file
    from ..errors import PlannerError, PlannerWarning

    try:
        check_out_file(out)
        if out.suffix.lower() != ".pdf":
            raise ValueError(f"--out {out}: the handout is a PDF; give a file name ending in .pdf")
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
            from ..analysis.study import evaluate_points, load_study
            from ..outputs.brief import write_brief
            from ..outputs.report import run_scenarios
            from ..traveltime.estimate import choose_model

            model = choose_model(network, mode, demand)
            study = load_study(points=points or base.get("points"), demand=demand, mode=mode, model=model,
                               **study_kwargs(date, include_unlocated_points, eligibility, weight))
            if sc is None:
                baseline, run = evaluate_points(study), None
            else:
                baseline, runs = run_scenarios(study, [sc])
                run = runs[0]
            path = write_brief(study, baseline, out, run, need, group, lang)
    except (PlannerError, ValueError, OSError) as exc:
        fail(exc)
    prov = (run.results if run is not None else baseline).provenance
    from ..escape import terminal_text

    typer.echo(terminal_text(f"model: {prov['model']} ({prov['mode']}); population data year "
                             f"{prov['data_year']}; scenario: {prov['scenario']}"))
    typer.echo(f"wrote {path} ({path.stat().st_size / 1024:,.0f} kB, 2 A4 pages)")
