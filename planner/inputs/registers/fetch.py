"""``planner points fetch``: the registers -> one validated points file, written atomically."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...settings import DEFAULT_SETTINGS, Settings
from . import ptv, tpr
from .build import build_points, category_counts
from .client import RegisterClient, RegisterError
from .mapping import load_rules

__all__ = ["REGISTERS", "KELA_BUSINESS_ID", "FetchResult", "fetch_points", "skipped_path"]

REGISTERS = ("tpr", "ptv")
KELA_BUSINESS_ID = "0246246-0"  # Kansaneläkelaitos: its service locations are marked for all Finland


@dataclass
class FetchResult:
    points: pd.DataFrame
    skipped: pd.DataFrame
    requests: int  # network requests made (0 offline)
    out: Path
    skipped_out: Path

    def counts(self) -> dict[str, int]:
        return category_counts(self.points)


def skipped_path(out: Path) -> Path:
    """Where the records left out are listed: ``<out stem>.skipped.csv`` beside ``out``."""
    return out.with_name(out.stem + ".skipped.csv")


def _progress(enabled: bool):
    if not enabled:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.completed} request(s)"), TimeElapsedColumn(),
                    TextColumn("{task.description}"), console=Console(stderr=True), transient=True)


def _lines(exc: RegisterError) -> list[str]:
    """The failed requests of an error (a batch error lists one per line)."""
    text = str(exc)
    return [x.strip() for x in text.splitlines()[1:]] if "\n" in text else [text]


def fetch_points(out: str | Path, registers: tuple[str, ...] = REGISTERS, *, tpr_base: str = tpr.DEFAULT_BASE,
                 ptv_base: str = ptv.DEFAULT_BASE, rules: str | Path | None = None,
                 cache_dir: str | Path | None = None, offline: bool = False, min_interval_s: float = 0.5,
                 retries: int = 3, timeout_s: float = 30.0, municipality_codes: list[str] | None = None,
                 organisations: tuple[str, ...] = (KELA_BUSINESS_ID,), progress: bool = True,
                 settings: Settings = DEFAULT_SETTINGS, csv_options: dict | None = None) -> FetchResult:
    """Fetch (or read from the cache) every register, map, validate and write ``out``.

    ``out`` is written only when the whole file loads as a points file
    (:func:`planner.inputs.data.load_service_points`); the records left out go to
    :func:`skipped_path` with their reason. Any failed request stops the run before
    anything is written, with one line per failed URL.
    """
    from ...atomic import atomic_file, check_out_file
    from ...errors import DataError
    from ...escape import neutralise_cells
    from ..data import load_municipal_borders, load_municipalities, load_service_points

    out = check_out_file(out)
    unknown = [r for r in registers if r not in REGISTERS]
    if unknown or not registers:
        raise ValueError(f"unknown register(s) {unknown}: expected some of {list(REGISTERS)}")
    rule_set = load_rules(rules)
    munis = load_municipalities(settings=settings)
    borders = load_municipal_borders(settings=settings)
    codes = municipality_codes or list(munis["municipality_code"])
    cache = Path(cache_dir) if cache_dir else settings.cache_dir / "registers"
    records = []
    with _progress(progress and not offline) as bar:
        task = bar.add_task("", total=None) if bar is not None else None

        def tick(url: str) -> None:
            if bar is not None:
                bar.update(task, advance=1, description=url)

        client = RegisterClient(cache, offline=offline, min_interval_s=min_interval_s, retries=retries,
                                timeout_s=timeout_s, on_request=tick)
        failures: list[str] = []  # every register is asked, so one run lists every failed URL
        if "tpr" in registers:
            try:
                units, descs = tpr.fetch_tpr(client, rule_set.tpr_service_ids, tpr_base)
                records += tpr.unit_records(units, descs, tpr_base)
            except RegisterError as exc:
                failures += _lines(exc)
        if "ptv" in registers:
            try:
                pages = ptv.fetch_ptv(client, codes, list(organisations), ptv_base)
                records += ptv.channel_records(pages, ptv_base)
            except RegisterError as exc:
                failures += _lines(exc)
        if failures:
            raise RegisterError(f"{len(failures)} register request(s) failed; nothing written (answers "
                                "fetched so far are cached):\n  " + "\n  ".join(failures))
    points, skipped = build_points(records, rule_set, munis, borders, settings)
    if not len(points):
        reasons = skipped["reason"].value_counts().to_dict() if len(skipped) else {}
        raise ValueError(f"the registers gave no service point ({len(skipped)} record(s) left out: "
                         f"{reasons}); nothing written")
    # the CSV dialect's to_csv options (planner.outputs.export.csv_options: the loader reads both)
    options = csv_options or {}
    skipped_out = skipped_path(out)
    with atomic_file(out) as tmp, atomic_file(skipped_out, "--out") as tmp_skipped:
        neutralise_cells(points).to_csv(tmp, index=False, **options)  # names end up in Excel: no formulas
        try:  # a valid points file, or nothing
            load_service_points(tmp, borders=borders, settings=settings)
        except DataError as exc:
            raise DataError(exc.reason, file=str(out), row=exc.row, field=exc.field) from None
        neutralise_cells(skipped).to_csv(tmp_skipped, index=False, **options)
    return FetchResult(points, skipped, client.requests, out, skipped_out)
