"""``planner geocode``: a planner's own address list -> located points (issue 11, item 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from .options import CsvDialect, CsvDialectOpt

__all__ = ["geocode_command"]


def geocode_command(
    addresses: Path = typer.Argument(..., help="CSV with address, postal_code, municipality columns"),
    out: Path = typer.Option(..., "--out", help="CSV to write (input columns + lon, lat, "
                             "location_precision, geocode_source)"),
    service: Literal["nominatim", "digitransit"] = typer.Option(
        "nominatim", "--service", metavar="NAME",
        help="nominatim (geopy; 1 request/s), digitransit (Pelias; key in $DIGITRANSIT_SUBSCRIPTION_KEY)"),
    domain: str | None = typer.Option(None, "--domain", help="geocoder host[:port] (default: the "
                                      "public service)"),
    scheme: Literal["https", "http"] = typer.Option("https", "--scheme", metavar="SCHEME",
                                                   help="https, http"),
    user_agent: str | None = typer.Option(None, "--user-agent", help="identifying user agent "
                                          "(Nominatim usage policy)"),
    min_delay: float | None = typer.Option(None, "--min-delay", help="seconds between requests "
                                           "(default 1.0 for Nominatim, 0.2 for Digitransit)"),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="answer cache (default: the "
                                          "user cache folder)/geocode"),
    offline: bool = typer.Option(False, "--offline", help="ask no geocoder: every row at its postal "
                                 "area's representative point"),
    csv_dialect: CsvDialect = CsvDialectOpt,
) -> None:
    """Geocode an address list; every answer is cached; offline fallback to postal areas."""
    from ..errors import PlannerError
    from ..inputs.data import read_table
    from ..inputs.geocode import USER_AGENT, digitransit, geocode_table, nominatim

    try:
        from ..atomic import check_out_file

        check_out_file(out)  # a folder named as --out: said before any address is looked up
        df = read_table(addresses)
        geo = None
        if not offline:
            kw = {"scheme": scheme, "user_agent": user_agent or USER_AGENT, "cache_dir": cache_dir}
            if domain:
                kw["domain"] = domain
            if min_delay is not None:
                kw["min_delay_seconds"] = min_delay
            if service == "nominatim":
                geo = nominatim(**kw)
            elif service == "digitransit":
                geo = digitransit(**kw)
            else:
                raise ValueError(f"unknown --service {service!r}: expected nominatim or digitransit")
        res = geocode_table(df, geo, file=str(addresses))
    except (PlannerError, ValueError, OSError) as exc:
        from ..escape import terminal_text

        typer.secho(f"error: {terminal_text(exc)}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    from ..atomic import atomic_file
    from ..escape import neutralise_cells
    from ..outputs.export import csv_options

    try:
        with atomic_file(out) as tmp:  # a folder or a full disk: one error line, nothing half-written
            # addresses end up in Excel: no live formulas; `planner --points` reads either dialect
            neutralise_cells(res).to_csv(tmp, index=False, **csv_options(csv_dialect))
    except (PlannerError, OSError) as exc:
        from ..escape import terminal_text

        typer.secho(f"error: {terminal_text(exc)}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    counts = res["location_precision"].value_counts().to_dict()
    asked = geo.requests if geo is not None else 0
    typer.echo(f"{len(res)} rows: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
               + f"; {asked} geocoder request(s), the rest from the cache or offline")
    typer.echo(f"wrote {out}")
