"""Every command's options checked before anything is computed or written: one ``error:`` line."""

from __future__ import annotations

from pathlib import Path

import typer

from ..inputs.categories import NEED_CODES

__all__ = ["fail", "check_options"]


def fail(exc: Exception) -> None:
    from ..escape import terminal_text

    typer.secho(f"error: {terminal_text(exc)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def check_options(need: str | None = None, group: str | None = None, demand: str | None = None,
                   mode: str | None = None, formats: tuple[str, ...] | None = None,
                   grid: Path | None = None, groups: tuple[str, ...] = ("fi", "sv", "all")) -> None:
    """Every option checked before anything is computed or written: one ``error:`` line."""
    from ..analysis.study import DEMAND_KINDS
    from ..inputs.safeyaml import suggest
    from ..outputs.report import FORMATS
    from ..traveltime.estimate import canonical_mode

    def one_of(option: str, value: str, allowed) -> None:
        if value not in allowed:
            fail(ValueError(f"unknown {option} {value!r}{suggest(value, allowed)}: expected one of "
                             f"{list(allowed)}"))

    if need is not None:
        one_of("--need", need, NEED_CODES)
    if group is not None:
        one_of("--group", group, groups)
    if demand is not None:
        one_of("--demand", demand, list(DEMAND_KINDS))
    if mode is not None:
        try:
            canonical_mode(mode)
        except ValueError as exc:
            fail(exc)
    for f in formats or ():
        one_of("--format", f, FORMATS)
    if formats is not None and not formats:
        fail(ValueError(f"--format is empty: give one or more of {list(FORMATS)}"))
    if grid is not None and demand not in ("grid", "helsinki_centre"):
        fail(ValueError(f"--grid {grid} is only used with --demand grid (now --demand {demand}); "
                         "add --demand grid or drop --grid"))
