"""``planner brief``: the two-page A4 PDF handout of a scenario (or the baseline) for a workshop."""

from __future__ import annotations

from pathlib import Path

import typer

from ..inputs.categories import NEED_CODES
from ..outputs.i18n import LANGS
from .options import DateOpt, EligibilityOpt, UnlocatedOpt, WeightOpt, study_kwargs

__all__ = ["brief_command"]


def fail(msg: object) -> None:
    from ..escape import terminal_text

    typer.secho(f"error: {terminal_text(msg)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def brief_command(
    scenario: Path | None = typer.Argument(None, help="scenario YAML file (default: the baseline)"),
    out: Path = typer.Option(Path("brief.pdf"), "--out", help="PDF file to write"),
    need: str = typer.Option("social_any", "--need", help=f"need: {', '.join(NEED_CODES)}"),
    group: str = typer.Option("all", "--group",
                              help="language group of the map and the headline figures: fi, sv or all"),
    mode: str | None = typer.Option(None, "--mode", help="walk or drive (default: the scenario's base, "
                                    "else drive)"),
    demand: str | None = typer.Option(None, "--demand", help="postal or grid (default: the scenario's "
                                      "base, else postal)"),
    points: Path | None = typer.Option(None, "--points", help="service points file (default: bundled)"),
    network: Path | None = typer.Option(None, "--network", help="stored road network (.npz) instead of "
                                        "the straight-line estimate"),
    lang: str = typer.Option("en", "--lang", help=f"language of the handout: {', '.join(LANGS)}"),
    date: str | None = DateOpt,
    include_unlocated_points: bool = UnlocatedOpt,
    eligibility: str = EligibilityOpt,
    weight: str = WeightOpt,
) -> None:
    """Write a one-sheet (two A4 pages) PDF handout: map, headline figures, worst-off areas, model
    and its error, data year and sources."""
    import warnings

    from ..errors import PlannerError, PlannerWarning

    if need not in NEED_CODES:
        fail(f"unknown need {need!r}: expected one of {list(NEED_CODES)}")
    if group not in ("fi", "sv", "all"):
        fail(f"unknown language group {group!r}: expected fi, sv or all")
    if lang not in LANGS:
        fail(f"unknown language {lang!r}: expected one of {list(LANGS)}")
    from ..atomic import check_out_file

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
