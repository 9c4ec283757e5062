"""Credit lines for the data an output used, generated from ``geodata/sources.toml``.

Every map, export and brief carries the attribution lines of the data behind it (the
CC BY 4.0 sources require it; OpenStreetMap's ODbL too when a road network was used).
The one list of sources is ``geodata/sources.toml``; nothing here repeats its text.
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path

from ..settings import GEODATA_DIR

__all__ = ["Source", "sources", "attribution_lines", "attribution_text", "sources_for_file",
           "licence_lines", "modified_statement", "attribution_notice", "attribution_markdown",
           "ATTRIBUTION_FILE"]

ATTRIBUTION_FILE = "ATTRIBUTION.md"
"""The sidecar every output folder carries: credit lines, licence links, what was modified."""


class Source(dict):
    """One ``[[source]]`` entry of ``sources.toml`` (keys: key, files, what, source,
    licence, attribution, used_when)."""

    def used_by(self, provenance: dict[str, str]) -> bool:
        """Whether an output with this provenance record used the data."""
        rule = str(self.get("used_when", "always")).strip()
        if rule == "always":
            return True
        if rule == "never":
            return False
        key, sep, texts = rule.partition(" contains ")
        if not sep:
            raise ValueError(f"sources.toml, source {self.get('key')!r}: used_when {rule!r} is not "
                             "'always', 'never' or '<provenance key> contains <text>|<text>'")
        value = str(provenance.get(key.strip(), "")).lower()
        return any(t.strip().lower() in value for t in texts.split("|") if t.strip())


@lru_cache(maxsize=4)
def _doc(path: Path) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def _load(path: Path) -> tuple[Source, ...]:
    return tuple(Source(s) for s in _doc(path).get("source", []))


def sources(geodata_dir: str | Path = GEODATA_DIR) -> tuple[Source, ...]:
    """Every source listed in ``<geodata_dir>/sources.toml``."""
    return _load(Path(geodata_dir) / "sources.toml")


def modified_statement(geodata_dir: str | Path = GEODATA_DIR, lang: str = "en") -> str:
    """What this project changed in the data (``modified`` of ``sources.toml``; ``modified_fi`` /
    ``modified_sv`` in Finnish and Swedish): every output says it, as CC BY 4.0 asks (indicate
    if the material was modified)."""
    doc = _doc(Path(geodata_dir) / "sources.toml")
    return str(doc.get(f"modified_{lang}") or doc["modified"]).strip()


def sources_for_file(relpath: str, geodata_dir: str | Path = GEODATA_DIR) -> list[Source]:
    """The sources whose ``files`` patterns match ``relpath`` (relative to geodata/, '/'-separated)."""
    return [s for s in sources(geodata_dir) if any(fnmatch(relpath, pat) for pat in s.get("files", []))]


def attribution_lines(provenance: dict[str, str], geodata_dir: str | Path = GEODATA_DIR,
                      lang: str = "en") -> list[str]:
    """The credit lines of the data an output with ``provenance`` used, in list order, once each.

    ``provenance`` is a study's / result's provenance record (``demand_units``,
    ``network_source``, ...) and ``lang`` the language of the lines ('en', 'fi', 'sv'). Data
    every study loads is always credited; the HSY grids
    when the demand units are grid cells, OpenStreetMap when a road network was used.

    >>> lines = attribution_lines({"demand_units": "postal areas", "network_source": "none"})
    >>> any("OpenStreetMap" in x for x in lines), any("National Land Survey" in x for x in lines)
    (False, True)
    """
    out: list[str] = []
    for s in sources(geodata_dir):
        # ``lang`` 'fi' / 'sv': the source's own line in that language where it has one
        line = str(s.get(f"attribution_{lang}") or s.get("attribution", "")).strip()
        if line and line not in out and s.used_by(provenance):
            out.append(line)
    return out


def attribution_text(provenance: dict[str, str], sep: str = "; ") -> str:
    """:func:`attribution_lines` joined into one line."""
    return sep.join(attribution_lines(provenance))


def licence_lines(provenance: dict[str, str], geodata_dir: str | Path = GEODATA_DIR) -> list[str]:
    """``<licence>: <link>`` of each licence of the data used, once each (e.g. CC BY 4.0)."""
    out: list[str] = []
    for s in sources(geodata_dir):
        if s.used_by(provenance) and s.get("licence") and s.get("licence_url"):
            line = f"{s['licence']}: {s['licence_url']}"
            if line not in out:
                out.append(line)
    return out


def attribution_notice(provenance: dict[str, str], geodata_dir: str | Path = GEODATA_DIR,
                       lang: str = "en") -> list[str]:
    """The whole notice an output file carries: the credit lines, the statement that the data
    was modified, and the licence links; in ``lang`` ('en', 'fi', 'sv') the credit lines and the
    statement in that language and the links as the map's credits show them (``CC BY 4.0: <url>``)."""
    licences = licence_lines(provenance, geodata_dir)
    return [*attribution_lines(provenance, geodata_dir, lang), modified_statement(geodata_dir, lang),
            *(f"Licence {x}" if lang == "en" else x for x in licences)]


def attribution_markdown(provenance: dict[str, str], geodata_dir: str | Path = GEODATA_DIR) -> str:
    """``ATTRIBUTION.md``: the notice of :func:`attribution_notice` for an output folder."""
    credits = "".join(f"- {x}\n" for x in attribution_lines(provenance, geodata_dir))
    licences = "".join(f"- {x}\n" for x in licence_lines(provenance, geodata_dir))
    return ("# Data sources and licences\n\n"
            "The files in this folder were made by uusimaa-planner from open data:\n\n"
            f"{credits}\n{modified_statement(geodata_dir)}\n\nLicences:\n\n{licences}")
