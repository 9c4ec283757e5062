"""Saved scenarios on disk, so that they survive a reload and a restart of the app.

One YAML file per scenario under the user's data folder (``platformdirs.user_data_dir``,
or ``$PLANNER_DATA_DIR``), written atomically; the file name is a slug of the scenario's
name plus a short hash of it (so different names never share a file), the name itself is
read back from the file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

__all__ = ["scenario_dir", "save_scenario", "saved_scenarios", "delete_scenario", "DATA_DIR_ENV"]

from ..settings import DATA_DIR_ENV, user_data_dir

MAX_BYTES = 1_000_000  # the safe YAML loader's limit too


def scenario_dir() -> Path:
    """Where saved scenarios live (created on first save)."""
    return user_data_dir() / "scenarios"


def _file_name(name: str) -> str:
    """``<readable slug>-<8 hex of the exact name>.yaml``: two different names never share a
    file (``Kela A`` / ``kela-a``, names in other scripts), the same name overwrites its own."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()[:60] or "scenario"
    return f"{text}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}.yaml"


def save_scenario(name: str, text: str, folder: Path | None = None) -> Path:
    """Write ``text`` (a scenario's YAML) to the file of ``name`` (:func:`_file_name`), atomically;
    returns the path."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"a scenario of {len(text):,} characters is too large to save")
    from ..atomic import write_atomic

    return write_atomic((folder or scenario_dir()) / _file_name(name), text, "the saved scenario")


def saved_scenarios(folder: Path | None = None) -> dict[str, str]:
    """``{scenario name: YAML text}`` of every readable saved file, newest first.

    A file that is not a scenario (unreadable, not YAML, no name) is skipped here; opening
    it would report why.
    """
    from ..inputs.safeyaml import safe_load

    folder = folder or scenario_dir()
    if not folder.is_dir():
        return {}
    out: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            text = path.read_text(encoding="utf-8")
            doc = safe_load(text, str(path))
        except Exception:  # noqa: BLE001 - a broken file is listed nowhere, never fatal
            continue
        name = doc.get("name") if isinstance(doc, dict) else None
        if isinstance(name, str) and name.strip() and name not in out:
            out[name] = text
    return out


def delete_scenario(name: str, folder: Path | None = None) -> bool:
    """Remove the saved file of ``name``; False if there was none."""
    path = (folder or scenario_dir()) / _file_name(name)
    if path.is_file():
        path.unlink()
        return True
    return False
