"""``planner network ...``: build, store and inspect road networks (thin wrappers).

Mounted in :mod:`planner.cli.main` as ``app.add_typer(network_app, name="network")``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Literal

import typer

network_app = typer.Typer(
    help="Road networks from OpenStreetMap for network travel times (walk / drive).",
    no_args_is_help=True, add_completion=False,
)

AreaHelp = ("municipality code (e.g. 091) or name, service area (e.g. Länsi-Uusimaa) or 'uusimaa'")
ModeOpt = typer.Option("walk", "--mode", metavar="MODE", help="walk, drive")
CacheOpt = typer.Option(None, "--cache-dir", help="cache folder (default: $PLANNER_CACHE_DIR or "
                        "~/.cache/uusimaa-planner)")
OutOpt = typer.Option(None, "--out", help="also write the network to this .npz file")


def _settings(cache_dir: Path | None):
    from ..settings import DEFAULT_SETTINGS

    if cache_dir is None:
        return DEFAULT_SETTINGS
    return dataclasses.replace(DEFAULT_SETTINGS, cache_dir=Path(cache_dir))


class _PartProgress:
    """rich's progress bar over the parts of a split download (stderr): parts done of all, the
    part just finished, time elapsed and rich's estimate of the time left. The step messages
    print above the bar (through its console, so the bar is redrawn below them)."""

    def __init__(self, console=None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(TextColumn("parts"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[label]}"), TimeElapsedColumn(),
                                 TextColumn("left"), TimeRemainingColumn(),
                                 console=console or Console(stderr=True), transient=False)
        self.task = None

    def __enter__(self) -> _PartProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def message(self, text: str) -> None:
        """One step of the download, as a plain line (no rich markup: area names are user text)."""
        self.progress.console.print(f"  {text}", markup=False, highlight=False, soft_wrap=True)

    def __call__(self, done: int, total: int, label: str) -> None:
        if self.task is None:
            self.task = self.progress.add_task("parts", total=total, label="")
        self.progress.update(self.task, completed=done, total=total, label=f"({label} done)")


def fail(exc: Exception) -> None:
    from ..escape import terminal_text

    typer.secho(f"error: {terminal_text(exc)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _report(network, out: Path | None) -> None:
    from ..traveltime.osm import save_network

    path = network.meta.get("stored_at")
    if out is not None:
        path = str(save_network(network, out))
    typer.echo(network.describe())
    if path:
        typer.echo(f"stored      {path}")
        typer.echo(f"use it with --network {path}")


@network_app.command("fetch")
def fetch(
    area: str = typer.Option(..., "--area", help=AreaHelp),
    mode: Literal["walk", "drive"] = ModeOpt,
    overpass_url: str | None = typer.Option(None, "--overpass-url",
                                            help="Overpass API base URL (default: osmnx's public server)"),
    out: Path | None = OutOpt,
    refresh: bool = typer.Option(False, "--refresh", help="download again even if stored"),
    simplify: bool = typer.Option(True, "--simplify/--no-simplify",
                                  help="merge interstitial nodes (osmnx simplification)"),
    split: bool = typer.Option(True, "--split/--no-split",
                               help="fetch 'uusimaa' one service area at a time and merge (bounded "
                                    "memory, resumable)"),
    cache_dir: Path | None = CacheOpt,
) -> None:
    """Download the street network of an area from OpenStreetMap (osmnx / Overpass).

    ``--area uusimaa`` is fetched per service area (six parts, each stored as it arrives,
    so a rerun resumes) and merged; see docs/network.md for time and memory.
    """
    from ..errors import PlannerError
    from ..traveltime.osm import fetch_network

    try:
        with _PartProgress() as bar:
            net = fetch_network(area, mode, _settings(cache_dir), overpass_url=overpass_url,
                                simplify=simplify, refresh=refresh, progress=bar.message, split=split,
                                on_part=bar)
    except (PlannerError, ValueError) as exc:
        fail(exc)
    _report(net, out)


@network_app.command("from-file")
def from_file(
    file: Path = typer.Argument(..., help="OpenStreetMap extract: .osm.pbf (read with pyrosm) or "
                                ".osm XML (read with osmnx)"),
    area: str | None = typer.Option(None, "--area", help=AreaHelp + "; default: the whole file"),
    mode: Literal["walk", "drive"] = ModeOpt,
    out: Path | None = OutOpt,
    simplify: bool = typer.Option(True, "--simplify/--no-simplify",
                                  help="merge interstitial nodes"),
    cache_dir: Path | None = CacheOpt,
) -> None:
    """Build a network from a local OpenStreetMap extract and store it."""
    from ..errors import PlannerError
    from ..traveltime.osm import load_network, network_cache_path, network_from_file, save_network

    settings = _settings(cache_dir)
    try:
        with _PartProgress() as bar:
            net = network_from_file(file, mode, area, settings, simplify=simplify, progress=bar.message)
        stem = file.name.split(".")[0]
        path = network_cache_path(settings, f"file-{stem}", area or "all",
                                  net.mode + ("" if simplify else "-full"))
        net = load_network(save_network(net, path))
    except (PlannerError, ValueError) as exc:
        fail(exc)
    _report(net, out)


@network_app.command("info")
def info(
    path: Path = typer.Argument(..., help="a stored network (.npz)"),
    as_json: bool = typer.Option(False, "--json", help="print the full metadata as JSON"),
) -> None:
    """Print a stored network's metadata (source, mode, OSM date, size)."""
    from ..errors import PlannerError
    from ..traveltime.network import component_table
    from ..traveltime.osm import load_network

    try:
        net = load_network(path)
    except PlannerError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(net.meta, indent=2, ensure_ascii=False))
        return
    typer.echo(net.describe())
    comps = component_table(net)
    typer.echo(f"components  {len(comps):,} strongly connected; the largest holds "
               f"{int(comps['n_nodes'].iloc[0]):,} of {net.n_nodes:,} nodes")


@network_app.command("list")
def list_networks(cache_dir: Path | None = CacheOpt) -> None:
    """List the networks stored in the cache folder."""
    from ..traveltime.osm import stored_networks

    table = stored_networks(_settings(cache_dir))
    if table.empty:
        typer.echo("no stored networks; build one with `planner network fetch` or `from-file`")
        return
    typer.echo(table.to_string(index=False))
