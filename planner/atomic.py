"""Outputs appear whole or not at all: write into a temporary sibling, then swap it into place.

A failed run (bad input found late, a full disk, Ctrl-C) leaves the previous output
untouched and never a folder that mixes old and new files: the new set is complete in a
staging folder beside ``--out`` before one atomic exchange of the two folders (Linux
``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, and a run killed between them is
recovered by the next run). Output folders carry a small manifest (``.planner-output``)
listing the files the planner wrote, so a rerun removes its own stale files and nothing else
of a folder the user shares with other files: those are carried into the new folder (hard
links, copies where links are impossible).

Staging names carry the host and process id (``.<out>.partial-<host>-<pid>-<random>``); the
leftovers of dead runs are removed when the next run starts (on this host: when their process
is gone; from elsewhere or older layouts: when older than :data:`STALE_AFTER_S`). Files and
folders follow the user's umask (not the 0600 / 0700 of temporary files).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

__all__ = ["MANIFEST", "STALE_AFTER_S", "check_out_folder", "check_out_file", "atomic_folder", "atomic_file",
           "write_atomic", "clean_stale", "dir_mode", "file_mode"]

MANIFEST = ".planner-output"
STALE_AFTER_S = 24 * 3600  # a leftover whose owner cannot be checked (another host) is this old: gone
_HOST = re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname())[:40] or "host"
_OWNED = re.compile(r"\.(?P<kind>partial|old)-(?P<host>[A-Za-z0-9_]+)-(?P<pid>\d+)-[a-z0-9_]+")


def _umask() -> int:
    """The process's umask, read without changing it where Linux allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a new file gets under the user's umask (0644 under umask 022)."""
    return 0o666 & ~_umask()


def dir_mode() -> int:
    """The mode a new folder gets under the user's umask (0755 under umask 022)."""
    return 0o777 & ~_umask()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def clean_stale(out: str | Path) -> list[Path]:
    """Remove the staging leftovers of dead runs writing ``out`` (folders and files named
    ``.<out name>.partial-...`` / ``.old-...``); returns what was removed.

    On this host a leftover goes when its process is gone; one of another host, or of the
    layout without a process id, when older than :data:`STALE_AFTER_S`. A dead run's old set
    whose ``out`` is missing (killed between the two renames of the fallback swap) is put
    back as ``out``.
    """
    out = Path(out)
    removed: list[Path] = []
    prefix = f".{out.name}."
    try:
        entries = [p for p in out.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return removed
    now = time.time()
    for p in entries:
        rest = p.name[len(prefix) - 1:]
        m = _OWNED.match(rest)
        if m is None and not rest.startswith((".partial-", ".old-")):
            continue
        try:
            age = now - p.lstat().st_mtime
        except OSError:
            continue
        if m is not None and m["host"] == _HOST:
            if _alive(int(m["pid"])):
                continue
        elif age < STALE_AFTER_S:
            continue
        if m is not None and m["kind"] == "old" and not out.exists():
            with contextlib.suppress(OSError):
                os.rename(p, out)  # the previous complete set, back in place
                continue
        with contextlib.suppress(OSError):
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
            removed.append(p)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # file system or kernel without it
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap(stage: Path, out: Path) -> None:
    """Put the complete ``stage`` at ``out`` and the previous ``out`` at ``stage``."""
    if _exchange(stage, out):
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{_HOST}-{os.getpid()}-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)  # a kill right here: clean_stale puts ``old`` back as ``out``
    try:
        os.rename(stage, out)
    except BaseException:
        os.rename(old, out)
        raise
    os.rename(old, stage)


def _carry(src: Path, dst: Path) -> None:
    """A user's file or folder into the new set: hard links, copies where links fail."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        def link(a: str, b: str) -> None:
            try:
                os.link(a, b)
            except OSError:
                shutil.copy2(a, b)

        shutil.copytree(src, dst, symlinks=True, copy_function=link)
    else:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)



def _existing_parent(path: Path) -> Path:
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


def _refused(message: str, reason: int | OSError) -> OutputError:
    """An :class:`OutputError` saying ``message``, whose ``strerror`` is the operating system's
    reason alone (an errno code or the OSError met): a caller that must not show the paths, the
    app, shows that."""
    err = OutputError(message)
    err.strerror = os.strerror(reason) if isinstance(reason, int) else (reason.strerror or str(reason))
    return err


def _write_failed(target: Path, exc: OSError, what: str) -> OutputError:
    """The error of a write of ``target`` that failed after its staging copy was made."""
    if isinstance(exc, OutputError):
        return exc
    full = " (the disk is full)" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return _refused(f"cannot write {target}: {exc.strerror or exc}{full}; the previous {what}, if any, "
                    "is unchanged", exc)


def check_out_folder(out: str | Path) -> Path:
    """``out`` as an output folder, or an :class:`OutputError` (a file, a file in the way)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise _refused(f"--out {out} is a file; give a folder (new or existing)", errno.ENOTDIR)
    parent = _existing_parent(out)
    if not parent.is_dir():
        raise _refused(f"--out {out}: {parent} is a file, not a folder", errno.ENOTDIR)
    return out


def check_out_file(path: str | Path, option: str = "--out") -> Path:
    """``path`` as an output file, or an :class:`OutputError` (a folder, a file in the way)."""
    path = Path(path)
    if path.is_dir():
        raise _refused(f"{option} {path} is a folder; give a file path such as {path}/<name>", errno.EISDIR)
    parent = _existing_parent(path)
    if not parent.is_dir():
        raise _refused(f"{option} {path}: {parent} is a file, not a folder", errno.ENOTDIR)
    return path


def _mkdirs(folder: Path, what: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _refused(f"cannot create {what} {folder}: {exc.strerror or exc}", exc) from None


@contextmanager
def atomic_folder(out: str | Path, manifest: bool = True) -> Iterator[Path]:
    """Yield an empty staging folder next to ``out``; on success it becomes ``out``.

    Entered *before* the computation, it also proves early that ``out`` is writable.
    A new ``out`` is one rename. An existing ``out`` is exchanged with the staging folder in
    one step, after the entries of the old folder that the planner did not write (its
    manifest says which it did) were carried into the new one; files of the planner's
    previous run that this run did not write are thus gone, other files stay.
    ``manifest=False``: a folder of data (a stored matrix), written once and never updated, holds
    only what the caller wrote.
    """
    out = check_out_folder(out)
    _mkdirs(out.parent, "the parent folder of")
    clean_stale(out)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{_HOST}-{os.getpid()}-", dir=out.parent))
        os.chmod(stage, dir_mode())
    except OSError as exc:
        raise _refused(f"cannot write to {out.parent}: {exc.strerror or exc}", exc) from None
    try:
        yield stage
        names = sorted(p.name for p in stage.iterdir())
        if manifest:
            (stage / MANIFEST).write_text("\n".join(names) + "\n", encoding="utf-8")
        if not out.exists():
            os.rename(stage, out)
            return
        old = (out / MANIFEST).read_text(encoding="utf-8").split() if (out / MANIFEST).is_file() else []
        mine = {n for n in old if n not in (".", "..") and "/" not in n and "\\" not in n} | {MANIFEST}
        for entry in out.iterdir():
            if entry.name not in mine and not (stage / entry.name).exists():
                _carry(entry, stage / entry.name)
        shutil.copymode(out, stage)  # the folder keeps the mode the user gave it
        _swap(stage, out)
    except OSError as exc:
        raise _write_failed(out, exc, "output") from None
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def write_atomic(path: str | Path, data: bytes | str, option: str = "--out") -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` through :func:`atomic_file`: a reader sees the
    old file or the whole new one, never a part. Returns ``path``."""
    with atomic_file(path, option) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


@contextmanager
def atomic_file(path: str | Path, option: str = "--out") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one rename."""
    path = check_out_file(path, option)
    _mkdirs(path.parent, "the folder")
    clean_stale(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.partial-{_HOST}-{os.getpid()}-", suffix=path.suffix,
                                   dir=path.parent)
        os.fchmod(fd, file_mode())
    except OSError as exc:
        raise _refused(f"cannot write to {path.parent}: {exc.strerror or exc}", exc) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except OSError as exc:
        raise _write_failed(path, exc, "file") from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
