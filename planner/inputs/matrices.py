"""Imported travel-time matrices kept on disk for the app, so an upload survives a rerun.

A matrix arrives as bytes (an upload): a long table (``.csv`` / ``.parquet``:
``from_id, to_id, <minutes>``) or a ``.zip`` holding a Travel Time Matrix
(``TravelTimes_to_<YKR_ID>.txt`` files, at any depth) or one long table. It is stored under
the user's data folder (``$PLANNER_DATA_DIR/matrices``, next to the saved scenarios) as
``<name>-<8 hex of its bytes>``; the same bytes always give the same entry. Writes are
atomic (a temporary file or folder, then a rename).

An upload is hostile input: a ZIP member's own path is never used (only its base name,
and only for the two accepted kinds of member), nothing else in the archive is written,
and the unpacked size is capped (:data:`MAX_BYTES`) before anything is read.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from pathlib import Path

from ..errors import DataError

__all__ = ["MAX_BYTES", "check_matrix_size", "matrix_dir", "save_matrix", "stored_matrices"]

MAX_BYTES = 2_000_000_000  # unpacked; the full 2018 Travel Time Matrix is about 1.5 GB per column set
_TTM_MEMBER = re.compile(r"TravelTimes_to_\d+\.txt")
_TABLE = (".csv", ".parquet")


def check_matrix_size(path: str | Path) -> None:
    """The one size cap of an imported matrix (:data:`MAX_BYTES`), for the CLI's ``--matrix`` as
    for an upload in the app: a table's size, a ZIP's members as they would unpack (read from its
    directory before anything is unpacked). A Travel Time Matrix folder has none: only the files
    of the cells holding points are read from it. DataError naming the path when over the cap
    or when a ZIP cannot be read."""
    path = Path(path)
    if path.is_dir():
        return
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                size = sum(m.file_size for m in zf.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise DataError(f"not a readable ZIP archive ({exc})", file=str(path)) from None
        what = "the ZIP unpacks to"
    else:
        size = path.stat().st_size
        what = "the file holds"
    if size > MAX_BYTES:
        raise DataError(f"{what} {size / 1e9:.1f} GB, more than the {MAX_BYTES / 1e9:g} GB an imported "
                        "matrix may have: keep only the columns and destinations you use", file=str(path))


def matrix_dir() -> Path:
    """Where imported matrices live (created on first save)."""
    from ..settings import user_data_dir

    return user_data_dir() / "matrices"


def _stem(name: str) -> str:
    text = unicodedata.normalize("NFKD", Path(name).stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()[:40] or "matrix"


def save_matrix(data: bytes, name: str, folder: Path | None = None) -> Path:
    """Store an uploaded matrix; returns the path an :class:`ImportedMatrixModel` reads
    (a file for a long table, a folder for a Travel Time Matrix).

    DataError (naming ``name``) for an unknown kind of file, a ZIP with neither kind of
    member or with several tables, a broken or oversized archive.
    """
    folder = folder or matrix_dir()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:8]
    suffix = Path(name).suffix.lower()
    if not data:
        raise DataError("the matrix file is empty", file=name)
    if suffix in _TABLE:
        return _write_table(data, folder / f"{_stem(name)}-{digest}{suffix}")
    if suffix != ".zip":
        raise DataError(f"unknown kind of matrix file {suffix or '(no extension)'!r}: expected .csv, "
                        ".parquet or a .zip of TravelTimes_to_<YKR_ID>.txt files", file=name)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in zf.infolist() if not m.is_dir()]
    except zipfile.BadZipFile as exc:
        raise DataError(f"not a readable ZIP archive ({exc})", file=name) from exc
    ttm = [m for m in members if _TTM_MEMBER.fullmatch(Path(m.filename).name)]
    tables = [m for m in members if Path(m.filename).suffix.lower() in _TABLE
              and not Path(m.filename).name.startswith(".")]
    use = ttm or tables
    if not use:
        raise DataError("the ZIP holds no TravelTimes_to_<YKR_ID>.txt file and no .csv / .parquet table",
                        file=name)
    if not ttm and len(tables) > 1:
        raise DataError(f"the ZIP holds {len(tables)} tables ({', '.join(m.filename for m in tables[:5])}): "
                        "upload one", file=name)
    if sum(m.file_size for m in use) > MAX_BYTES:
        raise DataError(f"the ZIP unpacks to more than the {MAX_BYTES / 1e9:g} GB an imported matrix may "
                        "have", file=name)
    if not ttm:  # one long table inside a ZIP
        member = use[0]
        return _write_table(_read_member(zf, member, name),
                            folder / f"{_stem(name)}-{digest}{Path(member.filename).suffix.lower()}")
    final = folder / f"{_stem(name)}-{digest}"
    if final.exists():  # the same bytes were stored before (the name carries their hash)
        return final
    from ..atomic import atomic_folder

    with atomic_folder(final, manifest=False) as stage:
        seen = set()
        for m in use:
            base = Path(m.filename).name  # the member's own path is never used
            if base in seen:
                raise DataError(f"the ZIP holds {base} twice", file=name)
            seen.add(base)
            (stage / base).write_bytes(_read_member(zf, m, name))
    return final


def _read_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> bytes:
    try:
        with zf.open(member) as f:
            raw = f.read(member.file_size + 1)  # the declared size: a lying header is caught below
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:  # RuntimeError: encrypted member
        raise DataError(f"cannot read {member.filename} from the ZIP ({exc})", file=name) from exc
    if len(raw) > member.file_size:
        raise DataError(f"{member.filename} in the ZIP is larger than it declares", file=name)
    return raw


def _write_table(data: bytes, final: Path) -> Path:
    from ..atomic import write_atomic

    return final if final.exists() else write_atomic(final, data, "the stored matrix")


def stored_matrices(folder: Path | None = None) -> dict[str, Path]:
    """Stored matrices, newest first: display name -> path."""
    folder = folder or matrix_dir()
    if not folder.is_dir():
        return {}
    found = [p for p in folder.iterdir() if not p.name.startswith(".")
             and (p.is_dir() or p.suffix.lower() in _TABLE)]
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return {p.name: p for p in found}
