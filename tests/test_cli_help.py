"""The command line reads at 80 columns and lets Click check every fixed-list option (issue 27).

Every command's ``--help`` at ``COLUMNS=80``: no line wider, no option name cut, every choice
listed; each option whose value is one of a fixed list is a Click choice holding exactly the
library's list (the CLI spells the lists itself so ``--help`` loads no data library); ``report
--help`` is grouped and far shorter than the 156 lines it had; ``--version`` answers.
"""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest
import typer.main
from typer.testing import CliRunner

from planner.cli.main import app

runner = CliRunner()


def _commands(group=None, path=()):
    """(path, click command) of every command and sub-command."""
    group = group or typer.main.get_command(app)
    yield path, group
    for name, cmd in getattr(group, "commands", {}).items():
        yield from _commands(cmd, (*path, name))


def _choices(param) -> tuple[str, ...] | None:
    """The choices of a Click choice option (Typer 0.26: ``param.type``; newer: its descriptor)."""
    desc = getattr(param, "type_descriptor", None)
    if desc is not None:
        return tuple(map(str, desc.choices)) if getattr(desc, "is_choice", False) and desc.choices else None
    found = getattr(getattr(param, "type", None), "choices", None)
    return tuple(map(str, found)) if found else None


def _help(path: tuple[str, ...]) -> str:
    res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80", "TERMINAL_WIDTH": "80"})
    assert res.exit_code == 0, res.output
    return res.output


COMMANDS = [p for p, _ in _commands()]


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "planner")
def test_help_at_80_columns_cuts_no_option_and_lists_every_choice(path):
    cmd = dict(_commands())[path]
    text = _help(path)
    assert max(len(line) for line in text.splitlines()) <= 80, text
    assert "…" not in text, text  # rich cuts a cell it cannot fit with an ellipsis
    for param in cmd.params:
        if getattr(param, "hidden", False):
            continue
        for name in [*param.opts, *getattr(param, "secondary_opts", [])]:
            if name.startswith("--"):
                assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), (name, text)
        for choice in _choices(param) or ():
            assert re.search(rf"(?<![\w-]){re.escape(choice)}(?![\w-])", text), (param.name, choice, text)


def _library_lists() -> dict[str, tuple[str, ...]]:
    from planner.analysis.study import DEMAND_KINDS
    from planner.inputs.categories import NEED_CODES
    from planner.inputs.demand import WEIGHTS
    from planner.inputs.registers.fetch import REGISTERS
    from planner.optimise.base import CANDIDATE_KINDS, MODELS, PER_OPTIONS
    from planner.optimise.mobile import DAYS
    from planner.outputs.export import CSV_DIALECTS
    from planner.outputs.i18n import LANGS
    from planner.outputs.report import FORMATS
    from planner.traveltime.estimate import ESTIMATE_MODES, MODE_ALIASES
    from planner.traveltime.imported import FALLBACKS
    from planner.traveltime.osm import MODES as NETWORK_MODES

    return {"need": tuple(NEED_CODES), "group": ("fi", "sv", "all"), "lang": tuple(LANGS),
            "demand": tuple(DEMAND_KINDS), "mode": (*ESTIMATE_MODES, *MODE_ALIASES),
            "weight": tuple(WEIGHTS), "matrix_fallback": tuple(FALLBACKS), "matrix_keys": ("cells", "ids"),
            "csv_dialect": tuple(CSV_DIALECTS), "formats": tuple(FORMATS),
            "model": (*MODELS, "mobile"), "per": tuple(PER_OPTIONS), "candidates": tuple(CANDIDATE_KINDS),
            "day": tuple(DAYS), "solver": ("HiGHS", "HiGHS_CMD", "PULP_CBC_CMD"),
            "weighting": ("population", "cells"), "service": ("nominatim", "digitransit"),
            "scheme": ("https", "http"), "registers": tuple(REGISTERS), "network_mode": tuple(NETWORK_MODES)}


# every option whose values are a fixed list, per command; comma-separated lists are parsed
# (and listed in the help) rather than Click choices
CHOICE_OPTIONS = {
    ("report",): ["need", "group", "demand", "mode", "matrix_keys", "matrix_fallback", "weight",
                  "csv_dialect"],
    ("evaluate",): ["demand", "mode", "matrix_keys", "matrix_fallback", "weight", "csv_dialect"],
    ("compare",): ["demand", "mode", "matrix_keys", "matrix_fallback", "weight", "csv_dialect"],
    ("map",): ["need", "group", "lang", "mode", "demand", "weight"],
    ("brief",): ["need", "group", "lang", "mode", "demand", "weight"],
    ("optimise",): ["model", "need", "group", "per", "solver", "day", "mode", "demand", "weight"],
    ("calibrate",): ["mode", "weighting"],
    ("stats",): ["mode"],
    ("geocode",): ["service", "scheme", "csv_dialect"],
    ("points", "fetch"): ["csv_dialect"],
    ("points", "diff"): ["csv_dialect"],
    ("network", "fetch"): ["mode"],
    ("network", "from-file"): ["mode"],
}
COMMA_LISTS = {("report",): "formats", ("evaluate",): "formats", ("optimise",): "candidates",
               ("points", "fetch"): "registers"}


def test_fixed_list_options_are_click_choices_of_the_librarys_list():
    lists = _library_lists()
    commands = dict(_commands())
    for path, names in CHOICE_OPTIONS.items():
        params = {p.name: p for p in commands[path].params}
        for name in names:
            expected = lists["network_mode" if path[0] == "network" else name]
            assert set(_choices(params[name]) or ()) == set(expected), (path, name)
    for path, name in COMMA_LISTS.items():
        text = " ".join(_help(path).split())
        for choice in lists[name]:
            assert re.search(rf"(?<![\w-]){re.escape(choice)}(?![\w-])", text), (path, choice)


def test_comma_list_rejects_a_wrong_part_with_clicks_message(tmp_path):
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "r"), "--format", "csv,docx"])
    said = " ".join(re.sub("[│╭╮╰╯─]", " ", res.output).split())
    assert res.exit_code == 2 and "Invalid value for '--format'" in said and "'docx'" in said, said
    assert not (tmp_path / "r").exists()


def test_report_help_is_grouped_and_far_shorter():
    text = _help(("report",))
    assert len(text.splitlines()) <= 90, len(text.splitlines())  # 156 lines before issue 27
    for panel in ("Output", "Input data", "Travel times", "Who counts"):
        assert f"─ {panel} ─" in text, panel


def test_version_is_the_installed_distributions():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and version("uusimaa-planner") in res.output, res.output
