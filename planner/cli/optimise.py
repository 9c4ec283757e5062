"""``planner optimise``: location-allocation on the study, the answer as a scenario file.

Registered in :mod:`planner.cli` as ``app.command("optimise")(optimise)``; a thin
wrapper over :func:`planner.optimise.optimise_network`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from .options import (
    DATA,
    DEMANDS,
    GROUPS,
    MODES,
    NEEDS,
    OUTPUT,
    TIME,
    DateOpt,
    Demand,
    EligibilityOpt,
    Group,
    Mode,
    Need,
    PointsOpt,
    UnlocatedOpt,
    Weight,
    WeightOpt,
    choices,
    comma_choices,
    study_kwargs,
)

__all__ = ["optimise"]

MODELS = ("pmedian", "lscp", "mclp", "pcenter", "add", "mobile")  # optimise.base.MODELS + mobile
PERS = ("municipality", "service_area")  # optimise.base.PER_OPTIONS
CANDIDATES = ("existing", "centres", "postal")  # optimise.base.CANDIDATE_KINDS
SOLVERS = ("HiGHS", "HiGHS_CMD", "PULP_CBC_CMD")  # optimise.solver
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # optimise.mobile.DAYS
MODEL = "Model"
MOBILE = "Mobile unit (--model mobile)"
_MODEL_HELP = ("pmedian (keep k, least weighted time), lscp (fewest points with --share within T), mclp "
               "(keep k, most within T), pcenter (keep k, least worst time), add (up to k new points), "
               "mobile (stops of one mobile unit)")


def fail(message: str) -> None:
    from ..escape import terminal_text

    typer.secho(f"error: {terminal_text(message)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


DAY_MIN = 24 * 60  # no time threshold, tour or stop of a day's service is longer than a day


def _check_numbers(**options: float | int | None) -> None:
    """Every numeric option finite and in its range (``inf``, ``nan``, ``-1`` are errors, not
    silently an arbitrary answer or ignored): ``option=value`` with the option's own name."""
    ranges = {  # option -> (low, low inclusive, high, what)
        "--max-minutes": (0, False, DAY_MIN, "minutes"), "--time-limit": (0, False, 7 * 86400, "seconds"),
        "--max-route-min": (0, False, DAY_MIN, "minutes"), "--threshold": (0, False, DAY_MIN, "minutes"),
        "--stop-min": (0, False, DAY_MIN, "minutes"), "--share": (0, False, 1, "a share"),
        "--k": (0, True, 100_000, "points"),
        "--min-postal-pop": (0, True, 10_000_000, "residents"),
    }
    import math

    for key, value in options.items():
        if value is None:
            continue
        option = "--" + key.replace("_", "-")
        low, inclusive, high, what = ranges[option]
        above = value >= low if inclusive else value > low
        if not (math.isfinite(value) and above and value <= high):
            fail(f"{option} {value:g} is out of range: {what}, a finite number "
                  f"{'from' if inclusive else 'above'} {low:g} up to {high:g}")


def optimise(
    model: Literal[MODELS] = typer.Option("pmedian", "--model", metavar="MODEL", help=_MODEL_HELP,
                                          rich_help_panel=MODEL),
    need: Need = typer.Option("kela", "--need", metavar="NEED", help=f"need: {choices(NEEDS)}",
                              rich_help_panel=MODEL),
    group: Group = typer.Option("all", "--group", metavar="GROUP", rich_help_panel=MODEL,
                                help=f"language group: {choices(GROUPS)} (all: both)"),
    k: int | None = typer.Option(None, "--k", rich_help_panel=MODEL,
                                 help="points to keep (pmedian, mclp, pcenter) or to add at most (add)"),
    max_minutes: float | None = typer.Option(None, "--max-minutes", rich_help_panel=MODEL,
                                             help="coverage threshold T, minutes (lscp, mclp, add)"),
    share: float = typer.Option(0.95, "--share", rich_help_panel=MODEL,
                                help="lscp: share of residents within T (0-1]; 1 = set covering"),
    keep: list[str] | None = typer.Option(None, "--keep", rich_help_panel=MODEL,
                                          help="point id that must stay (repeatable)"),
    keep_category: list[str] | None = typer.Option(None, "--keep-category", rich_help_panel=MODEL,
                                                   help="category whose points all stay, e.g. kela "
                                                   "(repeatable)"),
    per: Literal[PERS] | None = typer.Option(None, "--per", metavar="AREA", rich_help_panel=MODEL,
                                             help=f"at least one point per {' or '.join(PERS)}"),
    swedish_coverage: bool = typer.Option(False, "--swedish-coverage", rich_help_panel=MODEL,
                                          help="a Swedish-serving point in every bilingual municipality"),
    candidates: str | None = typer.Option(None, "--candidates", metavar="LIST", rich_help_panel=MODEL,
                                          parser=comma_choices("--candidates", CANDIDATES),
                                          help=f"comma-separated: {choices(CANDIDATES)} (default "
                                          "existing; add: all three)"),
    min_postal_pop: int = typer.Option(5000, "--min-postal-pop", rich_help_panel=MODEL,
                                       help="residents a postal area needs to be a candidate"),
    solver: Literal[SOLVERS] | None = typer.Option(None, "--solver", metavar="NAME", rich_help_panel=MODEL,
                                                   help=f"{choices(SOLVERS)} (default: HiGHS if "
                                                   "installed)"),
    time_limit: float | None = typer.Option(None, "--time-limit", rich_help_panel=MODEL,
                                            help="seconds per solve (default: to optimality)"),
    stops: int | None = typer.Option(None, "--stops", help="number of stops K", rich_help_panel=MOBILE),
    max_route_min: float | None = typer.Option(None, "--max-route-min", rich_help_panel=MOBILE,
                                               help="longest closed driving tour, minutes"),
    threshold: float | None = typer.Option(None, "--threshold", rich_help_panel=MOBILE,
                                           help="T, minutes: served today / covered by a stop when "
                                           "within it (default 30)"),
    depot: str | None = typer.Option(None, "--depot", rich_help_panel=MOBILE,
                                     help="point id where the tour starts and ends"),
    day: Literal[DAYS] | None = typer.Option(None, "--day", metavar="DAY", rich_help_panel=MOBILE,
                                             help=f"weekday of the tour: {choices(DAYS)} (default tue)"),
    stop_min: int | None = typer.Option(None, "--stop-min", rich_help_panel=MOBILE,
                                        help="minutes at each stop (default 60)"),
    name: str | None = typer.Option(None, "--name", help="scenario name", rich_help_panel=OUTPUT),
    out: Path | None = typer.Option(None, "--out", help="write the result as a scenario YAML file",
                                    rich_help_panel=OUTPUT),
    report: Path | None = typer.Option(None, "--report", help="write the report (markdown)",
                                       rich_help_panel=OUTPUT),
    mode: Mode = typer.Option("drive", "--mode", metavar="MODE", rich_help_panel=TIME,
                              help=f"{choices(MODES)}"),
    network: Path | None = typer.Option(None, "--network", rich_help_panel=TIME,
                                        help="stored road network (.npz) instead of the estimate"),
    demand: Demand = typer.Option("postal", "--demand", metavar="KIND", rich_help_panel=DATA,
                                  help=f"{choices(DEMANDS)}"),
    points: Path | None = PointsOpt,
    date: str | None = DateOpt,
    include_unlocated_points: bool = UnlocatedOpt,
    eligibility: str = EligibilityOpt,
    weight: Weight = WeightOpt,
) -> None:
    """Optimise the network (p-median, set covering, maximal covering, p-center, add points).

    Prints a report and writes the result as a scenario file for `planner evaluate`.
    """
    import warnings

    from ..analysis.scenario import scenario_to_yaml
    from ..analysis.study import load_study
    from ..atomic import check_out_file
    from ..errors import PlannerError, PlannerWarning
    from ..optimise import optimise_network
    from .checks import check_options

    check_options(need=need, group=group, demand=demand, mode=mode)
    _check_numbers(max_minutes=max_minutes, time_limit=time_limit, max_route_min=max_route_min,
                   threshold=threshold, stop_min=stop_min, share=share, k=k,
                   min_postal_pop=min_postal_pop)  # --stops: checked with the mobile model
    from ..inputs.safeyaml import suggest
    from ..optimise.base import MODELS, PER_OPTIONS

    if model == "mobile":
        _mobile(need=need, group=group, stops=stops, max_route_min=max_route_min, threshold=threshold,
                depot=depot, day=day, stop_min=stop_min, candidates=candidates, min_postal_pop=min_postal_pop,
                mode=mode, demand=demand, points=points, network=network, solver=solver,
                time_limit=time_limit, name=name, out=out, report=report,
                kw=(date, include_unlocated_points, eligibility, weight))
        return
    if model not in MODELS:
        fail(f"unknown --model {model!r}{suggest(model, [*MODELS, 'mobile'])}: expected one of "
              f"{[*MODELS, 'mobile']}")
    if per is not None and per not in PER_OPTIONS:
        fail(f"unknown --per {per!r}: expected municipality or service_area")
    kinds = _candidate_kinds(candidates)
    if not 0 < share <= 1:
        fail(f"--share {share} must be in (0, 1]")
    if k is not None and k < 0 or max_minutes is not None and not max_minutes > 0:
        fail("--k must be >= 0 and --max-minutes > 0")
    try:
        for path, option in ((out, "--out"), (report, "--report")):
            if path is not None:
                check_out_file(path, option)
    except PlannerError as exc:
        fail(str(exc))
    base = _base(demand, mode, points)
    try:
        from ..traveltime.estimate import choose_model

        model_tt = choose_model(network, mode, demand)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PlannerWarning)  # repaired bundled geometry: not news here
            study = load_study(points=points, demand=demand, mode=mode, model=model_tt,
                               **study_kwargs(date, include_unlocated_points, eligibility, weight))
        result = optimise_network(study, model=model, need=need, group=group, k=k, max_minutes=max_minutes,
                                  share=share, keep=tuple(keep or ()),
                                  keep_categories=tuple(keep_category or ()), per=per,
                                  swedish_coverage=swedish_coverage, candidates=kinds,
                                  min_postal_pop=min_postal_pop, solver=solver, time_limit=time_limit,
                                  name=name, base=base)
    except (PlannerError, ValueError, OSError) as exc:
        fail(str(exc))
    typer.echo(_terminal(result.report))
    _write(out, report, lambda: scenario_to_yaml(result.scenario), result.report,
           f" (evaluate it with: planner evaluate {out} --out <folder>)")


def _mobile(*, need: str, group: str, stops: int | None, max_route_min: float | None,
            threshold: float | None, depot: str | None, day: str | None, stop_min: int | None,
            candidates: str | None, min_postal_pop: int, mode: str, demand: str, points: Path | None,
            network: Path | None, solver: str | None, time_limit: float | None, name: str | None,
            out: Path | None, report: Path | None, kw: tuple) -> None:
    """``--model mobile``: place one mobile unit's stops; the scenario has its ``mobile`` change."""
    import warnings

    from ..analysis.study import load_study
    from ..atomic import check_out_file
    from ..errors import PlannerError, PlannerWarning
    from ..optimise.mobile import mobile_yaml, optimise_mobile
    from ..traveltime.estimate import choose_model

    if stops is None or max_route_min is None:
        fail("--model mobile needs --stops K and --max-route-min M")
    if stops < 1:
        fail(f"--stops must be at least 1, got {stops}")
    if not max_route_min > 0:
        fail(f"--max-route-min must be > 0 minutes, got {max_route_min}")
    kinds = _candidate_kinds(candidates)
    base = _base(demand, mode, points)
    try:
        for path, option in ((out, "--out"), (report, "--report")):
            if path is not None:
                check_out_file(path, option)
        model_tt = choose_model(network, mode, demand)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PlannerWarning)  # repaired bundled geometry: not news here
            study = load_study(points=points, demand=demand, mode=mode, model=model_tt, **study_kwargs(*kw))
        result = optimise_mobile(study, need, group, stops, max_route_min, threshold=threshold, depot=depot,
                                 day=day, stop_min=stop_min, candidates=kinds, min_postal_pop=min_postal_pop,
                                 solver=solver, time_limit=time_limit, name=name, base=base)
    except (PlannerError, ValueError, OSError) as exc:
        fail(str(exc))
    typer.echo(_terminal(result.report))
    _write(out, report, lambda: mobile_yaml(result.scenario), result.report)


def _terminal(text: str) -> str:
    from ..escape import terminal_text

    return terminal_text(text)  # point and scenario names are user text


def _candidate_kinds(candidates: str | tuple[str, ...] | None) -> tuple[str, ...] | None:
    """``--candidates a,b`` as a tuple of known kinds (None: the optimiser's default)."""
    if candidates is None:
        return None
    try:
        return comma_choices("--candidates", CANDIDATES)(candidates)  # parsed already from the CLI
    except typer.BadParameter as exc:
        fail(f"--candidates: {exc}")


def _base(demand: str, mode: str, points: Path | None) -> dict[str, object]:
    """The inputs the optimised scenario was built on (its ``base``)."""
    base: dict[str, object] = {"demand": demand, "mode": mode}
    if points is not None:
        base["points"] = str(points)
    return base


def _write(out: Path | None, report: Path | None, scenario_text, report_text: str, hint: str = "") -> None:
    """Write the scenario (``scenario_text()``) and the report atomically, each if asked for."""
    from ..atomic import atomic_file
    from ..errors import PlannerError

    try:
        if out is not None:
            with atomic_file(out) as tmp:
                tmp.write_text(scenario_text(), encoding="utf-8")
            typer.echo(f"wrote {out}{hint}")
        if report is not None:
            with atomic_file(report, "--report") as tmp:
                tmp.write_text(report_text, encoding="utf-8")
            typer.echo(f"wrote {report}")
    except PlannerError as exc:
        fail(str(exc))
