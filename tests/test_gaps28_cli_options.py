"""Issue 28: the options of the commands registered as plain functions (optimise, map, brief,
geocode, app) are the documented interface: each option's flags, default, help text, metavar,
help panel and environment variable, and each command's own help, as recorded in
tests/data/cli_options.json. A deliberate change to an option updates that file too
(`python tests/test_gaps28_cli_options.py` rewrites it) and is reviewed as such; an accidental
one (a default or help text changed in passing) fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer.main

from planner.cli.main import app

RECORD = Path(__file__).parent / "data" / "cli_options.json"
COMMANDS = ("optimise", "map", "brief", "geocode", "app")


def _norm(value):
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float)) else str(value)


def interface() -> dict[str, object]:
    group = typer.main.get_command(app)
    out: dict[str, object] = {}
    for name in COMMANDS:
        cmd = group.commands[name]
        out[name] = {"help": cmd.help, "options": [
            {"name": p.name, "flags": [*p.opts, *getattr(p, "secondary_opts", [])], "default": _norm(p.default),
             "help": getattr(p, "help", None), "metavar": p.metavar,
             "panel": getattr(p, "rich_help_panel", None), "hidden": bool(getattr(p, "hidden", False)),
             "envvar": _norm(p.envvar)}
            for p in cmd.params]}
    return out


@pytest.mark.parametrize("name", COMMANDS)
def test_options_are_the_recorded_interface(name):
    want = json.loads(RECORD.read_text(encoding="utf-8"))[name]
    got = interface()[name]
    assert got["help"] == want["help"]
    assert [o["name"] for o in got["options"]] == [o["name"] for o in want["options"]]
    for g, w in zip(got["options"], want["options"], strict=True):
        assert g == w, g["name"]


if __name__ == "__main__":  # pragma: no cover - rewrite the record after a deliberate change
    RECORD.write_text(json.dumps(interface(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
