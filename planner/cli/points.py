"""``planner points``: a points file from the public registers (fetch) and what changed (diff)."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import CsvDialect, CsvDialectOpt, comma_choices

__all__ = ["points_app"]

points_app = typer.Typer(help="Service points from the public registers (TPR, PTV): fetch and diff.",
                         no_args_is_help=True, add_completion=False)


def fail(exc: object) -> None:
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@points_app.command("fetch")
def fetch_command(
    out: Path = typer.Option(..., "--out", help="points CSV to write (the records left out go to "
                             "<name>.skipped.csv beside it, with their reason)"),
    registers: str = typer.Option("tpr,ptv", "--registers", metavar="LIST",
                                  parser=comma_choices("--registers", ("tpr", "ptv")),
                                  help="comma-separated: tpr (Helsinki-region Service Map), ptv "
                                  "(Palvelutietovaranto)"),
    tpr_url: str | None = typer.Option(None, "--tpr-url", help="TPR REST base URL (default: the "
                                       "public service, docs/registers.md)"),
    ptv_url: str | None = typer.Option(None, "--ptv-url", help="PTV open API base URL (default: the "
                                       "public v11 API, docs/registers.md)"),
    rules: Path | None = typer.Option(None, "--rules", help="mapping rules TOML (default: the bundled "
                                      "mapping_rules.toml)"),
    municipalities: str | None = typer.Option(None, "--municipalities", help="PTV: municipality codes to "
                                              "ask, e.g. 091,049 (default: all 26 of Uusimaa)"),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="answer cache (default: the user "
                                          "cache folder)/registers"),
    offline: bool = typer.Option(False, "--offline", help="ask no register: rebuild from the cache "
                                 "(the rows keep the date the answers were fetched)"),
    min_delay: float = typer.Option(0.5, "--min-delay", help="seconds between requests (rate limit)"),
    retries: int = typer.Option(3, "--retries", help="retries per request on connection errors, "
                                "HTTP 429 and 5xx (urllib3 Retry, exponential backoff)"),
    timeout: float = typer.Option(30.0, "--timeout", help="seconds to wait for one answer"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="a progress line on stderr"),
    csv_dialect: CsvDialect = CsvDialectOpt,
) -> None:
    """Fetch the registers, map every unit to the seven categories and write a valid points file."""
    from ..errors import PlannerError
    from ..inputs.registers import ptv, tpr
    from ..inputs.registers.fetch import fetch_points
    from ..outputs.export import csv_options

    regs = comma_choices("--registers", ("tpr", "ptv"))(registers)  # a tuple already from Click
    codes = [c.strip().zfill(3) for c in municipalities.split(",") if c.strip()] if municipalities else None
    try:
        res = fetch_points(out, regs, tpr_base=tpr_url or tpr.DEFAULT_BASE,
                           ptv_base=ptv_url or ptv.DEFAULT_BASE, rules=rules, cache_dir=cache_dir,
                           offline=offline, min_interval_s=min_delay, retries=retries, timeout_s=timeout,
                           municipality_codes=codes, progress=progress,
                           csv_options=csv_options(csv_dialect))
    except (PlannerError, ValueError, OSError) as exc:
        fail(exc)
    counts = res.counts()
    typer.echo(f"{len(res.points)} rows: " + ", ".join(f"{c} {n}" for c, n in counts.items()))
    missing = [c for c, n in counts.items() if n == 0]
    if missing:
        typer.secho(f"warning: no row in categories {missing}", fg=typer.colors.YELLOW, err=True)
    prec = res.points["location_precision"].value_counts().to_dict()
    typer.echo("location_precision: " + ", ".join(f"{k} {v}" for k, v in sorted(prec.items())))
    reasons = res.skipped["reason"].value_counts().to_dict() if len(res.skipped) else {}
    typer.echo(f"{len(res.skipped)} register record(s) left out"
               + (": " + "; ".join(f"{k} ({v})" for k, v in reasons.items()) if reasons else ""))
    typer.echo(f"{res.requests} register request(s)" + (" (offline: all from the cache)" if offline else ""))
    typer.echo(f"wrote {res.out} and {res.skipped_out}")


def _print_table(diff, limit: int) -> None:
    import sys

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{len(diff)} change(s)", show_lines=False)
    for col in ("change", "id", "name", "detail"):
        table.add_column(col, overflow="fold")
    for _, r in diff.head(limit).iterrows():
        # Text cells: register names are shown as typed, never read as rich markup
        table.add_row(*(Text(str(r[c])) for c in ("change", "id", "name", "detail")))
    # a terminal gets its own width; a pipe or file one line per row, unfolded where possible
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    if len(diff) > limit:
        typer.echo(f"... {len(diff) - limit} more in the CSV")


@points_app.command("diff")
def diff_command(
    old: Path = typer.Argument(..., help="the earlier points file (CSV/GeoJSON/GPKG)"),
    new: Path = typer.Argument(..., help="the later points file, e.g. from `planner points fetch`"),
    out: Path = typer.Option(Path("points_diff"), "--out", help="folder for diff.csv and diff.html"),
    threshold: float = typer.Option(100.0, "--threshold", help="a site farther than this many metres "
                                    "(EPSG:3067) from its old one has moved"),
    tiles: bool = typer.Option(True, "--tiles/--no-tiles", help="OpenStreetMap base map on the HTML map"),
    limit: int = typer.Option(50, "--limit", help="rows shown in the terminal (all are in the CSV)"),
    csv_dialect: CsvDialect = CsvDialectOpt,
) -> None:
    """Added, removed, moved (> threshold m), recategorised, re-dated and retargeted rows: CSV, map."""
    from ..atomic import atomic_folder
    from ..errors import PlannerError
    from ..escape import neutralise_cells
    from ..inputs.data import load_service_points
    from ..inputs.registers.diff import change_counts, diff_points
    from ..outputs.export import csv_options
    from ..outputs.points_diff import write_diff_map

    try:
        a = load_service_points(old)
        b = load_service_points(new)
        diff = diff_points(a, b, threshold)
        with atomic_folder(out) as stage:
            neutralise_cells(diff).to_csv(stage / "diff.csv", index=False, **csv_options(csv_dialect))
            write_diff_map(diff, stage / "diff.html", old.name, new.name, threshold,
                           "OpenStreetMap" if tiles else None)
    except (PlannerError, ValueError, OSError) as exc:
        fail(exc)
    counts = change_counts(diff)
    typer.echo(f"{old} ({len(a)} rows) → {new} ({len(b)} rows): "
               + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if len(diff):
        _print_table(diff, limit)
    typer.echo(f"wrote {out / 'diff.csv'} and {out / 'diff.html'}")
