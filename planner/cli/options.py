"""Command-line options shared by every command that loads service points (issue 11).

``--date``, ``--include-unlocated-points``, ``--eligibility`` and ``--weight``: one
definition here so report, evaluate, compare, map, optimise and stats say the same.
"""

from __future__ import annotations

import typer

__all__ = ["DateOpt", "UnlocatedOpt", "EligibilityOpt", "WeightOpt", "LocatedOnlyOpt", "TargetGroupsOpt",
           "study_kwargs"]

DateOpt = typer.Option(None, "--date", help="network of this day, YYYY-MM-DD: points whose valid_from/"
                       "valid_to include it (default: 2022-12-31, the population data year)")
UnlocatedOpt = typer.Option(False, "--include-unlocated-points/--exclude-unlocated-points",
                            help="include placeholder rows (location_precision=unknown: site not known) "
                            "at their municipal centre, flagged in every table (default: excluded)")
LocatedOnlyOpt = typer.Option(False, "--located-only",
                              help="the located-only view: leave out the proxy sites (rows documented "
                              "to exist whose site is unknown, standing at their municipal centre, "
                              "location_precision=municipality); by default they count")
TargetGroupsOpt = typer.Option(False, "--include-target-groups",
                               help="count targeted services (target_group: emergency units, the "
                               "homeless service centre, the immigrant services unit ...) for the "
                               "everyday needs too (default: they serve only their own group)")
EligibilityOpt = typer.Option("default", "--eligibility",
                              help="who may use which point: default (organiser for social services, "
                              "any for Kela and English), any (the pre-2023 rule: nearest point "
                              "anywhere), organiser, or need=rule pairs, e.g. kela=any,social_any=organiser")
WeightOpt = typer.Option("residents", "--weight",
                         help="demand weight: residents (head count), unemployed or "
                         "low_income_households (2016 share applied to the 2022 population)")


def study_kwargs(date: str | None, include_unlocated: bool, eligibility: str | None,
                 weight: str, located_only: bool = False,
                 include_target_groups: bool = False) -> dict[str, object]:
    """Keyword arguments of :func:`planner.analysis.study.load_study` for these options."""
    from ..inputs.demand import WEIGHTS

    if weight not in WEIGHTS:
        raise ValueError(f"unknown --weight {weight!r}: expected one of {list(WEIGHTS)}")
    return {"date": date, "include_unlocated": include_unlocated, "eligibility": eligibility,
            "weight": weight, "located_only": located_only,
            "include_target_groups": include_target_groups}
