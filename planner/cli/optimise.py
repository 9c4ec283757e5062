"""``planner optimise``: location-allocation on the study, the answer as a scenario file.

Registered in :mod:`planner.cli.main` as ``app.command("optimise")(optimise)``; a thin
wrapper over :func:`planner.optimise.optimise_network`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from .options import DateOpt, EligibilityOpt, UnlocatedOpt, WeightOpt, study_kwargs

__all__ = ["optimise"]

_MODEL_HELP = ("pmedian (keep k, min weighted time) | lscp (fewest points, --share within --max-minutes) | "
               "mclp (keep k, most within T) | pcenter (keep k, min worst time) | add (add up to k new "
               "points, most within T) | mobile (--stops K of one mobile unit, most residents not within "
               "--threshold of a fixed point, tour <= --max-route-min)")


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
    model: str = typer.Option("pmedian", "--model", help=_MODEL_HELP),
    need: str = typer.Option("kela", "--need", help="kela, social_walkin, social_any or english"),
    group: str = typer.Option("all", "--group", help="language group: fi, sv or all (both)"),
    k: int | None = typer.Option(None, "--k", help="points to keep (pmedian, mclp, pcenter) or new "
                                 "points to add at most (add)"),
    max_minutes: float | None = typer.Option(None, "--max-minutes",
                                             help="coverage threshold T, minutes (lscp, mclp, add)"),
    share: float = typer.Option(0.95, "--share", help="lscp: share of residents within T (0-1]; 1 = "
                                "classic set covering"),
    keep: list[str] | None = typer.Option(None, "--keep", help="point id that must stay (repeatable)"),
    keep_category: list[str] | None = typer.Option(None, "--keep-category",
                                                   help="category whose points must all stay, e.g. kela "
                                                   "(repeatable)"),
    per: str | None = typer.Option(None, "--per",
                                   help="at least one point per municipality or service_area"),
    swedish_coverage: bool = typer.Option(False, "--swedish-coverage",
                                          help="a Swedish-serving point in every bilingual municipality"),
    candidates: str | None = typer.Option(None, "--candidates",
                                          help="comma-separated: existing, centres, postal (default "
                                          "existing; add: all three)"),
    min_postal_pop: int = typer.Option(5000, "--min-postal-pop",
                                       help="residents a postal area needs to be a candidate site"),
    mode: str = typer.Option("drive", "--mode", help="drive (default) or walk"),
    demand: str = typer.Option("postal", "--demand", help="postal (default) or grid"),
    points: Path | None = typer.Option(None, "--points", help="service points file (default: bundled)"),
    network: Path | None = typer.Option(None, "--network",
                                        help="stored road network (.npz) instead of the straight-line "
                                        "estimate"),
    solver: str | None = typer.Option(None, "--solver", help="HiGHS (default if installed) or PULP_CBC_CMD"),
    time_limit: float | None = typer.Option(None, "--time-limit", help="seconds per solve (default: none, "
                                            "solve to optimality)"),
    stops: int | None = typer.Option(None, "--stops", help="mobile: number of stops K"),
    max_route_min: float | None = typer.Option(None, "--max-route-min",
                                               help="mobile: longest closed driving tour, minutes"),
    threshold: float | None = typer.Option(None, "--threshold", help="mobile: T, minutes: served today / "
                                           "covered by a stop when within it (default 30)"),
    depot: str | None = typer.Option(None, "--depot", help="mobile: point id where the tour starts and "
                                     "ends (e.g. the office the unit is based at)"),
    day: str | None = typer.Option(None, "--day", help="mobile: weekday of the tour, mon..sun (default tue)"),
    stop_min: int | None = typer.Option(None, "--stop-min", help="mobile: minutes at each stop (default 60)"),
    name: str | None = typer.Option(None, "--name", help="scenario name"),
    out: Path | None = typer.Option(None, "--out", help="write the result as a scenario YAML file"),
    report: Path | None = typer.Option(None, "--report", help="write the report (markdown)"),
    date: str | None = DateOpt,
    include_unlocated_points: bool = UnlocatedOpt,
    eligibility: str = EligibilityOpt,
    weight: str = WeightOpt,
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


def _candidate_kinds(candidates: str | None) -> tuple[str, ...] | None:
    """``--candidates a,b`` as a tuple of known kinds (None: the optimiser's default)."""
    from ..optimise.base import CANDIDATE_KINDS

    if candidates is None:
        return None
    kinds = tuple(c.strip() for c in candidates.split(",") if c.strip())
    for kind in kinds:
        if kind not in CANDIDATE_KINDS:
            fail(f"unknown candidate kind {kind!r} (--candidates): expected {list(CANDIDATE_KINDS)}")
    return kinds


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
