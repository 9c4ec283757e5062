"""Outputs appear whole or not at all: write into a temporary sibling, then rename into place.

A failed run (bad input found late, a full disk, Ctrl-C) leaves the previous output
untouched and never a folder that mixes old and new files. Output folders carry a
small manifest (``.planner-output``) listing the files the planner wrote, so a rerun
removes its own stale files and nothing else of a folder the user shares with other files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError

__all__ = ["MANIFEST", "check_out_folder", "check_out_file", "atomic_folder", "atomic_file"]

MANIFEST = ".planner-output"


def _existing_parent(path: Path) -> Path:
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


def check_out_folder(out: str | Path) -> Path:
    """``out`` as an output folder, or an :class:`OutputError` (a file, a file in the way)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file; give a folder (new or existing)")
    parent = _existing_parent(out)
    if not parent.is_dir():
        raise OutputError(f"--out {out}: {parent} is a file, not a folder")
    return out


def check_out_file(path: str | Path, option: str = "--out") -> Path:
    """``path`` as an output file, or an :class:`OutputError` (a folder, a file in the way)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{option} {path} is a folder; give a file path such as {path}/<name>")
    parent = _existing_parent(path)
    if not parent.is_dir():
        raise OutputError(f"{option} {path}: {parent} is a file, not a folder")
    return path


def _mkdirs(folder: Path, what: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {what} {folder}: {exc.strerror or exc}") from None


@contextmanager
def atomic_folder(out: str | Path) -> Iterator[Path]:
    """Yield an empty staging folder next to ``out``; on success it becomes ``out``.

    Entered *before* the computation, it also proves early that ``out`` is writable.
    A new ``out`` is one rename. Into an existing folder each written entry replaces
    its namesake and the files of the planner's previous run that this run did not
    write are removed (the manifest says which); other files stay.
    """
    out = check_out_folder(out)
    _mkdirs(out.parent, "the parent folder of")
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"cannot write to {out.parent}: {exc.strerror or exc}") from None
    try:
        yield stage
        names = sorted(p.name for p in stage.iterdir())
        (stage / MANIFEST).write_text("\n".join(names) + "\n", encoding="utf-8")
        if not out.exists():
            os.rename(stage, out)
            return
        old = (out / MANIFEST).read_text(encoding="utf-8").split() if (out / MANIFEST).is_file() else []
        old = [n for n in old if n not in (".", "..", MANIFEST) and "/" not in n and "\\" not in n]
        trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        for name in [*old, *names]:
            if (out / name).exists() and not (trash / name).exists():
                os.rename(out / name, trash / name)
        for name in [*names, MANIFEST]:
            os.rename(stage / name, out / name)
        shutil.rmtree(trash, ignore_errors=True)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def atomic_file(path: str | Path, option: str = "--out") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one rename."""
    path = check_out_file(path, option)
    _mkdirs(path.parent, "the folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.partial-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write to {path.parent}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
