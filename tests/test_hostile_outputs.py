"""Outputs whole or not at all, under the user's umask, and clear errors instead of tracebacks
(issue 25, items 5 and 6)."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from planner import atomic
from planner.atomic import MANIFEST, atomic_file, atomic_folder
from planner.cli.main import app

GEO = Path(__file__).resolve().parent.parent / "geodata"
runner = CliRunner()


def _error_line(res, *words: str) -> str:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, res.output
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def _listing(folder: Path) -> dict[str, str] | None:
    if not folder.is_dir():
        return None
    return {p.name: p.read_text() for p in folder.iterdir()}


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


# --- the swap into an existing folder ----------------------------------------------------------


def test_the_swap_shows_the_complete_old_or_the_complete_new_set(tmp_path, monkeypatch):
    """At every step that changes the file system (rename, replace, exchange) ``out`` holds
    either the old set or the new one; file-by-file renames showed a mix (5 missing)."""
    out = tmp_path / "out"
    with atomic_folder(out) as stage:
        for i in range(6):
            (stage / f"t{i}.csv").write_text("old")
    (out / "notes.txt").write_text("mine")
    old = _listing(out)
    new = {**{f"t{i}.csv": "new" for i in range(6)}, "notes.txt": "mine", MANIFEST: old[MANIFEST]}
    seen = []

    def spy(fn):
        def wrapped(*args, **kw):
            seen.append(_listing(out))
            result = fn(*args, **kw)
            seen.append(_listing(out))
            return result
        return wrapped

    monkeypatch.setattr(atomic.os, "rename", spy(os.rename))
    monkeypatch.setattr(atomic.os, "replace", spy(os.replace))
    if hasattr(atomic, "_exchange"):
        monkeypatch.setattr(atomic, "_exchange", spy(atomic._exchange))
    with atomic_folder(out) as stage:
        for i in range(6):
            (stage / f"t{i}.csv").write_text("new")
    assert _listing(out) == new
    assert seen and all(s in (old, new) for s in seen), [sorted(s or {}) for s in seen]


def test_a_run_killed_between_the_two_renames_is_recovered(tmp_path, monkeypatch):
    """Where the exchange is not available the swap is two renames; a kill between them leaves
    the old set beside ``out``, and the next run puts it back before anything else."""
    out = tmp_path / "out"
    with atomic_folder(out) as stage:
        (stage / "a.csv").write_text("old")
    before = _listing(out)
    killed = tmp_path / f".out.old-{atomic._HOST}-{_dead_pid()}-abcd1234"
    os.rename(out, killed)  # the state a kill after the first rename leaves
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    with pytest.raises(RuntimeError), atomic_folder(out) as stage:
        raise RuntimeError("this run fails too")
    assert _listing(out) == before and not killed.exists()
    with atomic_folder(out) as stage:  # the two-rename swap itself
        (stage / "a.csv").write_text("new")
    assert _listing(out)["a.csv"] == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_leftovers_of_dead_runs_are_removed_and_live_ones_kept(tmp_path):
    out = tmp_path / "out"
    dead = tmp_path / f".out.partial-{atomic._HOST}-{_dead_pid()}-abcd1234"
    live = tmp_path / f".out.partial-{atomic._HOST}-{os.getpid()}-efgh5678"
    old_layout = tmp_path / ".out.partial-k3j4h5g6"  # before process ids were in the name
    fresh_layout = tmp_path / ".out.partial-a1b2c3d4"
    other_host = tmp_path / ".out.partial-elsewhere-1-zzzz0000"
    for d in (dead, live, old_layout, fresh_layout, other_host):
        d.mkdir()
        (d / "big.csv").write_text("x" * 1000)
    day_ago = os.path.getmtime(old_layout) - atomic.STALE_AFTER_S - 10
    os.utime(old_layout, (day_ago, day_ago))
    unrelated = tmp_path / ".outside.partial-x"
    unrelated.mkdir()
    stale_file = tmp_path / f".map.html.partial-{atomic._HOST}-{_dead_pid()}-abcd1234.html"
    stale_file.write_text("half")
    with atomic_folder(out) as stage:
        (stage / "a.csv").write_text("1")
    left = {p.name for p in tmp_path.iterdir()}
    assert dead.name not in left and old_layout.name not in left
    assert {live.name, fresh_layout.name, other_host.name, unrelated.name} <= left
    with atomic_file(tmp_path / "map.html") as tmp:
        tmp.write_text("<html>")
    assert not stale_file.exists()


@pytest.mark.parametrize(("mask", "dir_mode", "file_mode"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_outputs_follow_the_umask(tmp_path, mask, dir_mode, file_mode):
    old = os.umask(mask)
    try:
        with atomic_folder(tmp_path / "out") as stage:
            pd.DataFrame({"a": [1]}).to_csv(stage / "a.csv")
        with atomic_folder(tmp_path / "out") as stage:  # the swap into an existing folder
            pd.DataFrame({"a": [2]}).to_csv(stage / "a.csv")
        with atomic_file(tmp_path / "map.html") as tmp:
            tmp.write_text("<html>")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == dir_mode
    assert stat.S_IMODE((tmp_path / "out" / "a.csv").stat().st_mode) == file_mode
    assert stat.S_IMODE((tmp_path / "map.html").stat().st_mode) == file_mode


def test_a_full_disk_is_one_error_line_and_the_old_output_stays(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert runner.invoke(app, ["report", "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    from planner.outputs import export, report

    real = export.write_csv

    def full_disk(tables, out_dir, provenance, dialect="default"):
        real(dict(list(tables.items())[:2]), out_dir, provenance, dialect)  # some files written, then:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report, "write_csv", full_disk)  # the bundle writer report shares with evaluate
    _error_line(runner.invoke(app, ["report", "--out", str(out)]), "the disk is full", "unchanged")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# --- tracebacks become clear errors ------------------------------------------------------------


def test_no_point_valid_on_the_date_is_a_clear_error(tmp_path):
    pts = pd.read_csv(GEO / "service_points.csv", dtype=str, keep_default_na=False)
    pts["valid_from"], pts["valid_to"] = "2024-01-01", ""  # every point opens after the default day
    path = tmp_path / "future.csv"
    pts.to_csv(path, index=False)
    for cmd, out in (("report", tmp_path / "o"), ("map", tmp_path / "m.html")):
        _error_line(runner.invoke(app, [cmd, "--out", str(out), "--points", str(path)]),
                    "no service point", "valid on 2022-12-31", "valid from 2024-01-01", "--date")
        assert not out.exists()


def test_a_blank_organiser_is_a_located_error(tmp_path):
    munis = pd.read_csv(GEO / "uusimaa" / "municipalities.csv", dtype=str, keep_default_na=False)
    munis.loc[3, "wellbeing_county_2023"] = " "
    path = tmp_path / "munis.csv"
    munis.to_csv(path, index=False)
    _error_line(runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--municipalities", str(path)]),
                f"file {path}, row 4, field 'wellbeing_county_2023'", "no organiser")


def test_geocode_out_naming_a_folder_leaves_nothing(tmp_path):
    src = tmp_path / "addr.csv"
    src.write_text("address,postal_code,municipality\nMannerheimintie 1,00100,Helsinki\n", encoding="utf-8")
    folder = tmp_path / "results"
    folder.mkdir()
    _error_line(runner.invoke(app, ["geocode", str(src), "--out", str(folder), "--offline"]), "is a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["addr.csv", "results"]
    assert not any(folder.iterdir())


OSC = "\x1b]0;pwned\x07"  # sets the terminal's title; not a colour code click would strip


def test_control_characters_in_names_reach_neither_excel_nor_the_terminal(tmp_path):
    pts = pd.read_csv(GEO / "service_points.csv", dtype=str, keep_default_na=False)
    pts.loc[0, "name"] = f"Kela {OSC}\x08 office"
    path = tmp_path / "points.csv"
    pts.to_csv(path, index=False)
    sc = tmp_path / "sc.yaml"
    sc.write_text(f'name: "Close {OSC.encode("unicode_escape").decode()} x"\nchanges:\n'
                  "  - close: kela_vantaa_tikkurila\n", encoding="utf-8")
    res = runner.invoke(app, ["evaluate", str(sc), "--out", str(tmp_path / "ev"), "--points", str(path),
                              "--format", "csv,xlsx"])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert "Close \ufffd]0;pwned\ufffd x" in res.output
    wb = openpyxl.load_workbook(tmp_path / "ev" / "results.xlsx")
    names = [c.value for row in wb["service_points"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "Kela \ufffd]0;pwned\ufffd\ufffd office" in names
    bad = tmp_path / "bad.csv"  # an error line quoting user text
    pts.loc[0, "category"] = f"kela{OSC}"
    pts.to_csv(bad, index=False)
    line = _error_line(runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--points", str(bad)]),
                       "unknown category")
    assert "\x1b" not in line


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "gpkg"])
def test_a_write_failing_for_lack_of_space_is_one_clear_line(tmp_path, fmt):
    """A real failing write (the file-size limit makes every write past 150 kB fail as a full
    disk would, also openpyxl's and GDAL's own): one error line, no traceback, nothing left."""
    import resource
    import signal
    import sys

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))

    sc = tmp_path / "close.yaml"
    sc.write_text("name: c\nchanges:\n  - close: kela_vantaa_tikkurila\n", encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "planner.cli.main", "evaluate", str(sc), "--out", str(out),
                        "--format", fmt], capture_output=True, text=True, preexec_fn=limit, timeout=600,
                       cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert [ln for ln in r.stderr.splitlines() if ln.startswith("error:")] == [
        next(ln for ln in r.stderr.splitlines() if ln.startswith("error: cannot write"))]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["close.yaml"]
