"""Command-line options shared by the commands: one definition each, so every command says
the same (issue 11), lists its choices in ``--help`` and lets Click reject a wrong one
(issue 27).

An option whose value is one of a fixed list is typed as a ``Literal`` of that list: Typer
turns it into a Click choice, ``--help`` lists the choices (in the help text: a short
metavar keeps the option names uncut at 80 columns) and Click's own message rejects a wrong
value. Options whose values are more than a choice (``--eligibility`` rules, a
comma-separated ``--format``) keep the planner's own clear errors. The choice lists are
spelled here, not imported, so ``planner --help`` loads no data library;
tests/test_cli_help.py keeps them equal to the library's.
"""

from __future__ import annotations

from typing import Literal

import typer

__all__ = ["DateOpt", "UnlocatedOpt", "EligibilityOpt", "WeightOpt", "LocatedOnlyOpt", "TargetGroupsOpt",
           "study_kwargs", "NEEDS", "GROUPS", "LANGS", "DEMANDS", "MODES", "WEIGHTS", "FALLBACKS",
           "MATRIX_KEYS", "FORMATS", "CSV_DIALECTS", "Need", "Group", "Lang", "Demand", "Mode", "Weight",
           "Fallback", "MatrixKeys", "CsvDialect", "choices", "comma_choices", "OUTPUT", "DATA", "TIME",
           "RULES", "PointsOpt", "NetworkOpt", "CsvDialectOpt", "FormatOpt"]

# the choices (the library's lists; tests/test_cli_help.py checks they stay equal)
NEEDS = ("kela", "social_walkin", "social_any", "english")  # planner.categories.NEED_CODES
GROUPS = ("fi", "sv", "all")
LANGS = ("en", "fi", "sv")  # planner.i18n.LANGS
DEMANDS = ("postal", "grid", "helsinki_centre")  # planner.study.DEMAND_KINDS
MODES = ("drive", "drive_rush", "walk", "pt", "pt_rush", "car", "car_rush")  # ESTIMATE_MODES + aliases
WEIGHTS = ("residents", "unemployed", "low_income_households")  # planner.demand.WEIGHTS
FALLBACKS = ("gaps", "estimate", "none")  # planner.traveltime.imported.FALLBACKS
MATRIX_KEYS = ("cells", "ids")
FORMATS = ("csv", "xlsx", "gpkg", "parquet")  # planner.outputs.report.FORMATS
CSV_DIALECTS = ("default", "excel-fi")  # planner.outputs.export.CSV_DIALECTS

Need = Literal[NEEDS]
Group = Literal[GROUPS]
Lang = Literal[LANGS]
Demand = Literal[DEMANDS]
Mode = Literal[MODES]
Weight = Literal[WEIGHTS]
Fallback = Literal[FALLBACKS]
MatrixKeys = Literal[MATRIX_KEYS]
CsvDialect = Literal[CSV_DIALECTS]

# help panels: the options of a long command in groups (rich_help_panel)
OUTPUT = "Output"
DATA = "Input data"
TIME = "Travel times"
RULES = "Who counts"


def choices(values: tuple[str, ...]) -> str:
    """The choices as the help text lists them: ``a, b, c``."""
    return ", ".join(values)


def comma_choices(option: str, allowed: tuple[str, ...]):
    """A parser of a comma-separated list of choices: a tuple, each part checked (Click's
    ``Invalid value`` message naming the option); empty is an error too."""

    def parse(value: str | tuple[str, ...]) -> tuple[str, ...]:
        if isinstance(value, tuple):  # the default, already parsed
            return value
        parts = tuple(p.strip() for p in str(value).split(",") if p.strip())
        bad = [p for p in parts if p not in allowed]
        if bad or not parts:
            raise typer.BadParameter(f"{', '.join(map(repr, bad)) or 'nothing'} is not one of "
                                     f"{', '.join(map(repr, allowed))} (comma-separated)")
        return parts

    return parse


PointsOpt = typer.Option(None, "--points", help="service points CSV/GeoJSON/GPKG (default: bundled)",
                         rich_help_panel=DATA)
NetworkOpt = typer.Option(None, "--network", help="stored road network (.npz), or 'none' for the "
                          "straight-line estimate (default: a road network where one is stored)",
                          rich_help_panel=TIME)
FormatOpt = typer.Option("csv,xlsx,gpkg,parquet", "--format", metavar="LIST",
                         parser=comma_choices("--format", FORMATS),
                         help=f"comma-separated: {choices(FORMATS)}", rich_help_panel=OUTPUT)
CsvDialectOpt = typer.Option("default", "--csv-dialect", metavar="NAME",
                             help=f"CSV style: {choices(CSV_DIALECTS)} (Finnish Excel: UTF-8 with BOM, "
                             "';', decimal comma)", rich_help_panel=OUTPUT)
DateOpt = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="the network of this day (default: "
                       "2022-12-31, the population data year)", rich_help_panel=RULES)
UnlocatedOpt = typer.Option(False, "--include-unlocated-points",
                            help="place rows of unknown site at their municipal centre, flagged",
                            rich_help_panel=RULES)
LocatedOnlyOpt = typer.Option(False, "--located-only",
                              help="leave out proxy sites (site unknown, at the municipal centre)",
                              rich_help_panel=RULES)
TargetGroupsOpt = typer.Option(False, "--include-target-groups",
                               help="count targeted services (emergency, homeless ...) for everyday "
                               "needs too", rich_help_panel=RULES)
EligibilityOpt = typer.Option("default", "--eligibility", metavar="RULE",
                              help="who may use which point: default, any, organiser, or "
                              "need=rule pairs, e.g. kela=any", rich_help_panel=RULES)
WeightOpt = typer.Option("residents", "--weight", metavar="NAME",
                         help=f"demand weight: {choices(WEIGHTS)}", rich_help_panel=RULES)


def study_kwargs(date: str | None, include_unlocated: bool, eligibility: str | None,
                 weight: str, located_only: bool = False,
                 include_target_groups: bool = False) -> dict[str, object]:
    """Keyword arguments of :func:`planner.study.load_study` for these options."""
    from ..inputs.demand import WEIGHTS as KNOWN

    if weight not in KNOWN:  # the app and the library call this too, without Click in front
        raise ValueError(f"unknown --weight {weight!r}: expected one of {list(KNOWN)}")
    return {"date": date, "include_unlocated": include_unlocated, "eligibility": eligibility,
            "weight": weight, "located_only": located_only,
            "include_target_groups": include_target_groups}
